#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The V4L2 test guest (docs/v4l2.md): builds (or reuses) its artefacts with
# tests/guest/build.sh, boots Debian's kernel under qemu-system-x86_64 with
# TCG, and parses what tests/guest/init prints on the serial console:
# every GUEST-RESULT must be "pass" and GUEST-END must come. The console's
# GUEST lines are printed (the test log keeps them).
#   run.sh OUTDIR LUMEN_STATIC SOURCE_ROOT
# Exit: 0 all passed; 1 a test failed, the guest did not finish, or an
# artefact could not be built; 77 only when qemu cannot start at all.
out=$1
lumen=$2
src=$3
T0=$(date +%s)

qemu=$(command -v qemu-system-x86_64) ||
	{ echo "v4l2_guest: SKIP: no qemu-system-x86_64 (package qemu-system-x86)"; exit 77; }
# can it start at all? (an empty machine, told to quit on its monitor)
if ! echo quit | "$qemu" -accel tcg -M none -display none -monitor stdio \
	-no-user-config -nodefaults >/dev/null 2>&1; then
	echo "v4l2_guest: SKIP: qemu-system-x86_64 -accel tcg cannot start here"
	exit 77
fi

sh "$src/tests/guest/build.sh" "$out" "$lumen" "$src" || exit 1
T1=$(date +%s)

console=$out/console.txt
# TCG, one vCPU; the guest powers itself off; 240 s is 10x its usual time
timeout 240 "$qemu" -accel tcg -m 512 -nographic -no-reboot \
	-no-user-config -nodefaults -serial stdio -display none \
	-kernel "$out/vmlinuz" -initrd "$out/initramfs.cpio.gz" \
	-append "console=ttyS0 quiet panic=-1 oops=panic" </dev/null 2>&1 |
	tr -d '\r' >"$console"
T2=$(date +%s)

grep -a '^GUEST-' "$console"
fails=$(grep -a '^GUEST-RESULT ' "$console" | grep -vc '^GUEST-RESULT [^ ]* pass ')
passes=$(grep -a '^GUEST-RESULT ' "$console" | grep -c '^GUEST-RESULT [^ ]* pass ')
echo "v4l2_guest: build $((T1 - T0)) s, boot+tests $((T2 - T1)) s: $passes passed, $fails failed"
if ! grep -aq '^GUEST-END ' "$console"; then
	echo "v4l2_guest: FAIL: the guest did not finish; the console's last lines:"
	tail -30 "$console"
	exit 1
fi
[ "$passes" -gt 0 ] && [ "$fails" = 0 ] || { echo "v4l2_guest: FAIL"; exit 1; }
echo "v4l2_guest: ok"
