#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `lumen sensor` on virtual buses: what probe prints, exit statuses, and
# that errors name bus, address and register.
lumen="$1"
fail() { echo "FAIL: $*"; exit 1; }

out=$("$lumen" sensor probe --virtual sc4336p) || fail "probe sc4336p exit $?"
[ "$out" = "sc4336p (SmartSens) chip id 0x9c42 at i2c-0 0x30" ] || fail "probe printed '$out'"
out=$("$lumen" sensor probe --virtual imx258 --bus 4) || fail "probe imx258 exit $?"
[ "$out" = "imx258 (Sony) chip id 0x0258 at i2c-4 0x1a" ] || fail "probe printed '$out'"

err=$("$lumen" sensor probe --virtual sc2336 --addr 0x31 2>&1); rc=$?
[ $rc -eq 1 ] || fail "wrong address: exit $rc"
case "$err" in *"i2c-0 addr 0x31 reg 0x3107: read failed: No such device or address"*) ;;
	*) fail "wrong address printed '$err'" ;; esac

out=$("$lumen" sensor read --virtual imx258 0x0016 --val-bytes 2) || fail "read exit $?"
[ "$out" = "0x0016 = 0x0258" ] || fail "read printed '$out'"
"$lumen" sensor write --virtual sc2336 0x0100 1 || fail "write exit $?"

"$lumen" sensor probe --virtual nosuch >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "unknown model: exit $rc"
"$lumen" sensor frobnicate >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "unknown action: exit $rc"
echo "sensor_cli: ok"
