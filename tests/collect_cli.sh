#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `lumen collect` and `lumen-collect` against the fixture root
# tests/collect/sigmastar (a SigmaStar camera laid out as files, with the
# values of tests/doctor/sigmastar-ssc377-sc4336p-pad.txt) and stand-in
# commands on PATH (tests/collect/bin): what the bundle holds, that
# `lumen doctor` reads it (text, stdout, extracted tar), limits, the
# command timeout, and failures that must leave no file.
#   collect_cli.sh LUMEN LUMEN_COLLECT SOURCE_ROOT
lumen="$1"
lc="$2"
src="$3"
fix="$src/tests/collect/sigmastar"
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
PATH="$src/tests/collect/bin:$PATH"
export PATH
fact() { # file name -> value
	"$lumen" doctor --facts "$1" 2>/dev/null | awk -v n="$2" '$1 == n { print $3; exit }'
}
first_broken() { # evidence -> first_broken_stage of the JSON report
	"$lumen" doctor "$1" --json | sed -n 's/.*"first_broken_stage": *"\{0,1\}\([a-z]*\).*/\1/p' | head -1
}

# 1. the whole path: fixture root, stand-in commands, the emulated SC4336P
"$lumen" collect --root "$fix" --virtual sc4336p -o "$tmp/out.txt" || fail "collect exit $?"
[ -s "$tmp/out.txt" ] && [ ! -e "$tmp/out.txt.tmp" ] || fail "no output or a .tmp left"
grep -q '^===\[ lumen-collect: file /proc/interrupts \]===$' "$tmp/out.txt" || fail "no interrupts section"
[ "$(grep -c '^== MIPI0 info ==$' "$tmp/out.txt")" = 1 ] || fail "csi_info missing or taken twice (class symlink and device)"
grep -q '^INTF_MODE = 4$' "$tmp/out.txt" || fail "no vif_info"
grep -q 'unrelated attribute' "$tmp/out.txt" && fail "a sysfs file without csi/vif/mipi in its name was taken"
grep -q '^echo srcfg 0 1 0 0 0 0' "$tmp/out.txt" || fail "load script srcfg line missing"
grep -q '^echo done' "$tmp/out.txt" && fail "a load script line without insmod/srcfg/chmap was kept"
grep -q 'mi_sensor0 dump' "$tmp/out.txt" || fail "no /proc/mi_modules file"
grep -q '^===\[ lumen-collect: command dmesg (exit 0) \]===$' "$tmp/out.txt" || fail "no dmesg section"
grep -q '^dmesg: stderr line$' "$tmp/out.txt" || fail "stderr of a command not captured"
grep -q 'stdin was not empty' "$tmp/out.txt" && fail "a command's stdin was not /dev/null"
grep -q 'MHal_VIF_InputMask' "$tmp/out.txt" || fail "no logread output"
[ "$(fact "$tmp/out.txt" sensor.found)" = sc4336p ] || fail "doctor did not name sc4336p from the chip-ID lines"
[ "$(fact "$tmp/out.txt" sensor.chip_id)" = 0x9c42 ] || fail "doctor chip id '$(fact "$tmp/out.txt" sensor.chip_id)'"
[ "$(fact "$tmp/out.txt" srcfg.pad)" = 0 ] || fail "doctor did not read srcfg"
[ "$(first_broken "$tmp/out.txt")" = link ] || fail "first broken stage '$(first_broken "$tmp/out.txt")', want link"
"$lumen" doctor "$tmp/out.txt" --json | grep -q '"name": "i2c", "verdict": "ok"' ||
	"$lumen" doctor "$tmp/out.txt" --json | tr -d ' \n' | grep -q '"name":"i2c","verdict":"ok"' ||
	fail "i2c stage not ok"

# 2. stdout into the doctor; --no-i2c, --no-commands leave those out
"$lumen" collect --root "$fix" --no-commands --no-i2c > "$tmp/stdout.txt" || fail "stdout exit $?"
grep -q 'lumen-collect: command' "$tmp/stdout.txt" && fail "--no-commands ran a command"
grep -q 'i2ctransfer' "$tmp/stdout.txt" && fail "--no-i2c read I2C"
[ "$("$lumen" doctor - --json < "$tmp/stdout.txt" |
	sed -n 's/.*"first_broken_stage": *"\{0,1\}\([a-z]*\).*/\1/p' | head -1)" = link ] ||
	fail "doctor - on stdout bundle"
# a root other than / never opens /dev/i2c-N
"$lumen" collect --root "$fix" --no-commands > "$tmp/noi2c.txt" || fail "exit $?"
grep -q "^not read: the root is" "$tmp/noi2c.txt" || fail "i2c under --root not refused"

# 3. the separate executable: same bundle, no --virtual
"$lc" --root "$fix" --no-i2c -o "$tmp/lc.txt" || fail "lumen-collect exit $?"
[ "$(first_broken "$tmp/lc.txt")" = link ] || fail "lumen-collect bundle: doctor verdict"
"$lc" --virtual sc4336p >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "lumen-collect --virtual: exit $rc, want 2"

# 4. limits: per section and in total, both noted
"$lumen" collect --root "$fix" --no-commands --no-i2c --section-max 64 -o "$tmp/cut.txt" || fail "exit $?"
grep -q '^\[lumen-collect: section cut at 64 bytes\]$' "$tmp/cut.txt" || fail "no cut note"
awk '/^===\[ lumen-collect: / { if (n > 65) bad = 1; n = 0; next }
     /^\[lumen-collect: section cut/ { next }
     { n += length($0) + 1 } END { exit bad }' "$tmp/cut.txt" || fail "a section holds more than 64 bytes"
# 5. the command timeout: a media-ctl that sleeps 30 s is killed
mkdir -p "$tmp/root" && cp -R "$fix/." "$tmp/root/" && mkdir -p "$tmp/root/dev" &&
	: > "$tmp/root/dev/media0" || fail "copy fixture"
start=$(date +%s)
"$lumen" collect --root "$tmp/root" --no-i2c --timeout 1 -o "$tmp/slow.txt" || fail "exit $?"
[ $(( $(date +%s) - start )) -lt 10 ] || fail "timeout not applied"
grep -q "lumen-collect: command media-ctl -p -d $tmp/root/dev/media0 (timed out)" "$tmp/slow.txt" ||
	fail "timed-out command not noted"

# total limit: a 6 KB /proc/modules cannot fit in 4 KB, later sections
# still do, the closing section says how many were left out
i=0; while [ $i -lt 100 ]; do echo "module_$i 16384 0 - Live 0x00000000"; i=$((i+1)); done \
	> "$tmp/root/proc/modules"
"$lumen" collect --root "$tmp/root" --no-commands --no-i2c --total-max 4096 -o "$tmp/total.txt" || fail "exit $?"
size=$(wc -c < "$tmp/total.txt")
[ "$size" -le 4096 ] || fail "total limit 4096, wrote $size"
grep -q 'module_99' "$tmp/total.txt" && fail "a section past the total limit was written"
grep -q '^INTF_MODE = 4$' "$tmp/total.txt" || fail "a later section that fits was dropped"
grep -Eq '^sections: [0-9]+ written, 0 cut at [0-9]+ bytes, [1-9][0-9]* left out' "$tmp/total.txt" ||
	fail "left-out sections not noted: $(tail -1 "$tmp/total.txt")"
rm "$tmp/root/proc/modules"

# Ingenic /proc/jz/isp and rkisp1 debugfs: sections the doctor's families
# read by their title (jz.*) and as "counter: value" lines (rkisp1.*)
mkdir -p "$tmp/root/proc/jz/isp" "$tmp/root/sys/kernel/debug/ff910000.isp/regs" &&
	printf 'isp frame cnt : 0\nsensor : jxf23\n' > "$tmp/root/proc/jz/isp/isp-w00" &&
	echo 7 > "$tmp/root/sys/kernel/debug/ff910000.isp/mipi_error" &&
	echo 0 > "$tmp/root/sys/kernel/debug/ff910000.isp/data_loss" &&
	echo "CIF_ISP_CTRL 0x1" > "$tmp/root/sys/kernel/debug/ff910000.isp/regs/isp" || fail "fixture"
"$lumen" collect --root "$tmp/root" --no-i2c --no-commands -o "$tmp/soc.txt" || fail "exit $?"
grep -q '^===\[ lumen-collect: rkisp1 debugfs /sys/kernel/debug/ff910000.isp \]===$' "$tmp/soc.txt" ||
	fail "no rkisp1 section"
grep -q CIF_ISP_CTRL "$tmp/soc.txt" && fail "rkisp1 register dumps taken"
[ "$(fact "$tmp/soc.txt" rkisp1.mipi_error)" = 7 ] || fail "doctor rkisp1.mipi_error '$(fact "$tmp/soc.txt" rkisp1.mipi_error)'"
[ "$(fact "$tmp/soc.txt" jz.isp_w00.sensor)" = jxf23 ] || fail "doctor did not read /proc/jz/isp/isp-w00"
rm -r "$tmp/root/proc/jz" "$tmp/root/sys/kernel"

# the I2C safety rule: a non-sensor kernel client at 0x30 is not touched,
# a sensor-named one is read
mkdir -p "$tmp/root/sys/bus/i2c/devices/0-0030" &&
	echo at24 > "$tmp/root/sys/bus/i2c/devices/0-0030/name" || fail "fixture"
"$lumen" collect --root "$tmp/root" --no-commands --virtual sc4336p -o "$tmp/safe.txt" || fail "exit $?"
grep -q "^i2c-0 0x30 skipped: a kernel client 'at24' that is not a camera sensor owns it$" "$tmp/safe.txt" ||
	fail "no skip line for a non-sensor client"
grep -q 'w2@0x30' "$tmp/safe.txt" && fail "a non-sensor client's address was written to"
grep -q 'w2@0x1a' "$tmp/safe.txt" || fail "the free address 0x1a was not read"
grep -q 'I2C clients /sys/bus/i2c/devices' "$tmp/safe.txt" || fail "no I2C client names"
echo sc4336p > "$tmp/root/sys/bus/i2c/devices/0-0030/name"
"$lumen" collect --root "$tmp/root" --no-commands --virtual sc4336p -o "$tmp/safe.txt" || fail "exit $?"
[ "$(fact "$tmp/safe.txt" sensor.found)" = sc4336p ] || fail "a sensor-named client was not read"
# matches first: with an IMX258 at 0x1a, its read comes before the NACK at
# 0x30 (probed first), so that the doctor takes the ID that was found
"$lumen" collect --root "$tmp/root" --no-commands --virtual imx258 -o "$tmp/order.txt" || fail "exit $?"
[ "$(grep 'w2@0x' "$tmp/order.txt" | head -1)" = "i2ctransfer -f -y 0 w2@0x1a 0x00 0x16 r2" ] ||
	fail "matching read not first: $(grep 'w2@0x' "$tmp/order.txt" | head -1)"
grep -q '^Error: Sending messages failed: No such device or address$' "$tmp/order.txt" || fail "no NACK line"
[ "$(fact "$tmp/order.txt" sensor.found)" = imx258 ] || fail "doctor did not name imx258"
rm -r "$tmp/root/sys/bus"

# 6. a path with a reference word must not make a reference section
mkdir -p "$tmp/root/etc/init.d" &&
	printf 'echo srcfg 2 1 2 0 1 1 > /dev/srcfg\n' > "$tmp/root/etc/init.d/oem-sensor"
"$lumen" collect --root "$tmp/root" --no-i2c --no-commands -o "$tmp/ref.txt" || fail "exit $?"
grep -q 'sensor lines of /etc/init.d/%6Fem-sensor' "$tmp/ref.txt" || fail "reference word not defused"
[ -z "$(fact "$tmp/ref.txt" ref.srcfg)" ] || fail "doctor took a collected file for a reference"

# 7. tar: members readable by tar, the extracted tree reads the same
"$lumen" collect --root "$fix" --virtual sc4336p -o "$tmp/b.tar" || fail "tar exit $?"
tar tf "$tmp/b.tar" > "$tmp/list" || fail "tar tf refused the archive"
grep -q '^lumen-collect/[0-9][0-9]-file-proc-interrupts.txt$' "$tmp/list" || fail "tar members: $(cat "$tmp/list")"
[ "$(wc -l < "$tmp/list")" -ge 8 ] || fail "too few members"
mkdir "$tmp/x" && tar xf "$tmp/b.tar" -C "$tmp/x" || fail "tar xf"
[ "$(first_broken "$tmp/x")" = link ] || fail "extracted tar: doctor verdict"
[ "$(fact "$tmp/x" sensor.found)" = sc4336p ] || fail "extracted tar: sensor"

# 8. failures: one line, exit 1, no file left
err=$("$lumen" collect --root "$fix" --no-commands --no-i2c -o "$tmp/nodir/out.txt" 2>&1); rc=$?
[ $rc -eq 1 ] || fail "unwritable output: exit $rc"
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "unwritable output: '$err'"
case "$err" in *"$tmp/nodir/out.txt.tmp: cannot create: No such file or directory"*) ;;
	*) fail "unwritable output printed '$err'" ;; esac
mkdir "$tmp/adir"
err=$("$lumen" collect --root "$fix" --no-commands --no-i2c -o "$tmp/adir" 2>&1); rc=$?
[ $rc -eq 1 ] || fail "output onto a directory: exit $rc"
[ -e "$tmp/adir.tmp" ] && fail "a .tmp file was left after a failed rename"
[ -z "$(ls -A "$tmp/adir")" ] || fail "the directory was written into"
case "$err" in *"$tmp/adir: write failed: "*) ;; *) fail "rename failure printed '$err'" ;; esac

# 9. usage
"$lumen" collect --bogus >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "bad argument: exit $rc"
"$lumen" collect --virtual nosuch >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "unknown model: exit $rc"
"$lumen" collect --section-max 0 >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "zero section limit: exit $rc"
echo "collect_cli: ok"
