#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `lumen run` on the virtual board: a healthy board writes the frames asked
# for (exit 0); a fault stops frames with exit 1 and the message names the
# stage (receiver for a sensor on the wrong pad, i2c with the address for a
# sensor without MCLK); bad board and tuning files are usage errors (exit 2)
# naming file:line.
lumen="$1"
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d) || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT

"$lumen" run --board imou-bullet3 --frames 3 -o "$tmp/ok" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "healthy board: exit $rc: $(cat "$tmp/err")"
n=$(ls "$tmp/ok" | grep -c '^frame-[0-9]*\.jpg$')
[ "$n" -eq 3 ] || fail "healthy board: $n jpg files, want 3"
grep -q "^wrote 3 frames" "$tmp/out" || fail "healthy board: no 'wrote 3 frames'"
grep -q "ecc_uncorrectable=0 crc_errors=0" "$tmp/out" || fail "healthy board: link errors: $(grep ecc "$tmp/out")"
grep -q "^tuning: .*/sc4336p.yaml (ccm, lens shading)" "$tmp/out" || fail "healthy board: tuning line: $(head -1 "$tmp/out")"

# a sensor tuning file that does not parse is a configuration error
mkdir "$tmp/tuning" && printf 'sensor: "sc4336p"\nccm: [1, 2]\n' >"$tmp/tuning/sc4336p.yaml"
LUMEN_TUNING_DIR="$tmp/tuning" "$lumen" run --board imou-bullet3 --frames 1 -o "$tmp/tun" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "bad tuning file: exit $rc"
grep -q "tuning: $tmp/tuning/sc4336p.yaml:2: key 'ccm'" "$tmp/err" || fail "bad tuning file: stderr '$(cat "$tmp/err")'"

"$lumen" run --board imou-bullet3 --frames 2 --fault pad --timeout 2 -o "$tmp/pad" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "--fault pad: exit $rc"
grep -q "first stage that delivered nothing: receiver" "$tmp/err" || fail "--fault pad: stderr '$(cat "$tmp/err")'"

"$lumen" run --board imou-bullet3 --frames 2 --fault mclk -o "$tmp/mclk" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "--fault mclk: exit $rc"
grep -q "start failed at stage 'i2c'" "$tmp/err" || fail "--fault mclk: stderr '$(cat "$tmp/err")'"
grep -q "addr 0x30" "$tmp/err" || fail "--fault mclk: no address in '$(cat "$tmp/err")'"

printf 'name: bad\nsoc: ssc377\nsensor: sc4336p\ni2c: { bus: 1, addr: 0x30 }\nlanes: 3\nmclk_hz: 27000000\n' >"$tmp/bad.yaml"
"$lumen" run --board "$tmp/bad.yaml" -o "$tmp/bad" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "bad board file: exit $rc"
grep -q "$tmp/bad.yaml:5:" "$tmp/err" || fail "bad board file: stderr '$(cat "$tmp/err")'"

printf 'name: bad\nsoc: ssc377\nsensor: ov9999\ni2c: { bus: 1, addr: 0x30 }\nlanes: 2\nmclk_hz: 27000000\n' >"$tmp/bad2.yaml"
"$lumen" run --board "$tmp/bad2.yaml" -o "$tmp/bad" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "unknown sensor: exit $rc"
grep -q "$tmp/bad2.yaml:3: key 'sensor'" "$tmp/err" || fail "unknown sensor: stderr '$(cat "$tmp/err")'"

"$lumen" run --board no-such-board -o "$tmp/bad" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "unknown board: exit $rc"
"$lumen" run --board imou-bullet3 --fault frobnicate -o "$tmp/bad" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "unknown fault: exit $rc"
echo "run_cli: ok"
