#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Unpacks the target libraries lumen links against (from Debian's archive)
# into a private sysroot for ARCH, and writes a meson machine file that
# points the cross build and qemu-user at it.
#
#   scripts/cross-sysroot.sh armhf|arm64|mipsel OUTDIR
#
# Why not multiarch (dpkg --add-architecture + apt-get install foo:armhf)?
# Multi-Arch: same packages must have the same version on every
# architecture, and a machine with amd64 security updates often cannot
# install the foreign ones. Unpacked .debs have no such coupling: nothing is
# installed into the system, and the result lives in OUTDIR only.
set -eu

arch=$1
out=$(mkdir -p "$2" && cd "$2" && pwd)
case $arch in
armhf) triple=arm-linux-gnueabihf; qemu=qemu-arm ;;
arm64) triple=aarch64-linux-gnu; qemu=qemu-aarch64 ;;
mipsel) triple=mipsel-linux-gnu; qemu=qemu-mipsel ;;
*) echo "cross-sysroot: unknown architecture '$arch'" >&2; exit 2 ;;
esac

pkgs="libcmocka0 libcmocka-dev libturbojpeg0 libturbojpeg0-dev
libjpeg62-turbo libjpeg62-turbo-dev libpng16-16 libpng-dev zlib1g zlib1g-dev
libtiff6 libtiff-dev libzstd1 liblzma5 libjbig0 libdeflate0 libwebp7 liblerc4
libstdc++6 libyaml-0-2 libyaml-dev
libx264-164 libx264-dev
libzstd-dev liblzma-dev libdeflate-dev libwebp-dev libjbig-dev liblerc-dev
libmicrohttpd12 libmicrohttpd-dev libgnutls30 libgnutls28-dev nettle-dev libnettle8
libhogweed6 libtasn1-6 libtasn1-6-dev libidn2-0 libidn2-dev libp11-kit0 libp11-kit-dev
libgmp10 libunistring2 libffi8"

sysroot=$out/sysroot
if [ ! -f "$sysroot/.complete" ]; then
	if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
		dpkg --add-architecture "$arch"
	fi
	# a foreign security index may be mid-sync on the mirror: the main
	# archive is enough, so a failed index is not fatal here
	apt-get update -qq >/dev/null 2>&1 || true
	mkdir -p "$out/debs" "$sysroot"
	list=""
	for p in $pkgs; do list="$list $p:$arch"; done
	(cd "$out/debs" && apt-get download -q $list >/dev/null 2>&1) || {
		echo "cross-sysroot: could not download $arch packages:$list" >&2
		exit 1
	}
	chmod -R a+rX "$out/debs"
	for deb in "$out"/debs/*.deb; do
		dpkg-deb -x "$deb" "$sysroot"
	done
	touch "$sysroot/.complete"
fi

printf "[constants]\nsysroot = '%s'\n" "$sysroot" > "$out/sysroot.ini"
echo "$out/sysroot.ini"
