#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A statically linked lumen-collect of a cross build (-Dstatic_collect=true):
# no program interpreter and no NEEDED library (the cross toolchain's
# readelf), and under qemu-user its bundle of the fixture root
# tests/collect/sigmastar, read by the native lumen doctor, names the link
# as the first broken stage (as tests/collect_cli.sh does natively).
#   collect_static.sh armhf|mipsel|arm64 LUMEN_COLLECT NATIVE_LUMEN SOURCE_ROOT
arch="$1"
bin="$2"
lumen="$3"
src="$4"
fail() { echo "FAIL: collect_static $arch: $*"; exit 1; }
case $arch in
armhf) triple=arm-linux-gnueabihf; qemu=qemu-arm ;;
arm64) triple=aarch64-linux-gnu; qemu=qemu-aarch64 ;;
mipsel) triple=mipsel-linux-gnu; qemu=qemu-mipsel ;;
*) fail "unknown architecture" ;;
esac
[ -x "$bin" ] || fail "no executable $bin"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

"$triple-readelf" -lW "$bin" > "$tmp/phdr" || fail "readelf -l failed"
grep -q INTERP "$tmp/phdr" && fail "has a program interpreter: $(grep -A1 INTERP "$tmp/phdr")"
"$triple-readelf" -dW "$bin" > "$tmp/dyn" || fail "readelf -d failed"
grep -q NEEDED "$tmp/dyn" && fail "needs shared libraries: $(grep NEEDED "$tmp/dyn")"

# no -L sysroot: a static binary must not look for one
"$qemu" "$bin" --root "$src/tests/collect/sigmastar" --no-commands --no-i2c \
	-o "$tmp/out.txt" || fail "run under $qemu: exit $?"
"$qemu" "$bin" --root "$src/tests/collect/sigmastar" --no-commands --no-i2c \
	-o "$tmp/out.tar" || fail "tar run under $qemu: exit $?"
tar tf "$tmp/out.tar" | grep -q 'file-proc-interrupts.txt$' || fail "tar members"
stage=$("$lumen" doctor "$tmp/out.txt" --json |
	sed -n 's/.*"first_broken_stage": *"\{0,1\}\([a-z]*\).*/\1/p' | head -1)
[ "$stage" = link ] || fail "doctor's first broken stage '$stage', want link"
"$lumen" doctor --facts "$tmp/out.txt" | grep -q '^srcfg\.pad  *= 0 ' ||
	fail "doctor did not read the load script's srcfg line"
echo "collect_static $arch: ok ($(wc -c < "$bin") bytes, $("$triple-size" "$bin" | awk 'NR==2 { print $1 + $2 " text+data" }'))"
