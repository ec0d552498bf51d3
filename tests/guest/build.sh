#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the V4L2 test guest's artefacts into OUTDIR (docs/v4l2.md):
#   OUTDIR/vimc.ko         vimc, built out of tree from Debian's
#                          linux-source-6.1 against the headers of the
#                          installed linux-image-amd64 kernel (not the
#                          host's running kernel)
#   OUTDIR/initramfs.cpio.gz  busybox (static), lumen with the shared
#                          libraries it links (ldd: the guest runs the
#                          host's Debian userland), the modules vivid,
#                          vimc and e1000 (the user-mode network of the
#                          serve test) with everything they need (resolved
#                          with that kernel's modules.dep) and
#                          tests/guest/init as /init
#   OUTDIR/vmlinuz         a link to that kernel
# Each artefact is rebuilt only when an input is newer, so reruns cost a
# cpio of a few MB.
#   build.sh OUTDIR LUMEN SOURCE_ROOT
# Exit: 0 built, 77 when a needed package is not installed (it is named),
# 1 on a build failure (the failing command's output is printed).
set -eu
out=$1
lumen=$2
src=$3
mkdir -p "$out"

# a missing package is a failure (CI installs them: scripts/test.sh)
skip() { echo "guest build: FAIL: $*"; exit 1; }
die() { echo "guest build: FAIL: $*"; exit 1; }

# the kernel of the linux-image-amd64 package, whatever the host runs
kpkg=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
	sed -n 's/^\(linux-image-[^ ,]*\).*/\1/p') ||
	skip "linux-image-amd64 is not installed"
[ -n "$kpkg" ] || skip "linux-image-amd64 is not installed"
kver=${kpkg#linux-image-}
kver=${kver%-unsigned}
vmlinuz=/boot/vmlinuz-$kver
mods=/lib/modules/$kver
hdrs=/usr/src/linux-headers-$kver
tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | head -1)
[ -r "$vmlinuz" ] || skip "no $vmlinuz (linux-image-amd64)"
[ -r "$mods/modules.dep" ] || skip "no $mods/modules.dep"
[ -d "$hdrs" ] || skip "no $hdrs (linux-headers-amd64)"
[ -n "$tarball" ] || skip "no /usr/src/linux-source-*.tar.xz (linux-source-6.1)"
bb=/bin/busybox
[ -x "$bb" ] && ! readelf -lW "$bb" 2>/dev/null | grep -q INTERP ||
	skip "no static /bin/busybox (busybox-static)"
command -v cpio >/dev/null || skip "no cpio (package cpio)"
[ -x "$lumen" ] || die "no lumen at $lumen"
ln -sf "$vmlinuz" "$out/vmlinuz"

# --- vimc.ko, out of tree -------------------------------------------------
ko=$out/vimc.ko
if [ ! -f "$ko" ] || [ "$tarball" -nt "$ko" ] || [ "$hdrs/Makefile" -nt "$ko" ]; then
	rm -rf "$out/vimc-src"
	mkdir -p "$out/vimc-src"
	top=$(basename "$tarball" .tar.xz)
	v=$top/drivers/media/test-drivers/vimc
	# the files of 6.1's vimc by name, so that tar stops reading the
	# 138 MB archive once it has them (half the time of the whole
	# directory); another version's list falls back to the directory
	if ! tar -xJf "$tarball" -C "$out/vimc-src" --occurrence=1 \
		$(for f in Kconfig Makefile vimc-capture.c vimc-common.c \
			vimc-common.h vimc-core.c vimc-debayer.c vimc-lens.c \
			vimc-scaler.c vimc-sensor.c vimc-streamer.c \
			vimc-streamer.h; do echo "$v/$f"; done) 2>/dev/null; then
		rm -rf "$out/vimc-src"
		mkdir -p "$out/vimc-src"
		tar -xJf "$tarball" -C "$out/vimc-src" "$v" ||
			die "cannot extract $v from $tarball"
	fi
	d=$out/vimc-src/$v
	# the module's own Makefile selects it with CONFIG_VIDEO_VIMC, which
	# Debian's config leaves unset
	if ! make -j2 -C "$hdrs" M="$d" CONFIG_VIDEO_VIMC=m modules \
		>"$out/vimc-build.log" 2>&1; then
		cat "$out/vimc-build.log"
		die "vimc build against $hdrs failed"
	fi
	cp "$d/vimc.ko" "$ko"
	echo "guest build: vimc.ko built against $hdrs"
fi

# --- initramfs ------------------------------------------------------------
img=$out/initramfs.cpio.gz
need=0
[ -f "$img" ] || need=1
for f in "$lumen" "$ko" "$src/tests/guest/init" "$0" "$bb" \
	"$src/data/doctor/kb.yaml"; do
	[ "$f" -nt "$img" ] && need=1
done
[ $need = 1 ] || exit 0

root=$out/root
rm -rf "$root"
mkdir -p "$root/bin" "$root/sbin" "$root/lib/modules" "$root/dev" \
	"$root/proc" "$root/sys" "$root/tmp" "$root/etc"
cp "$bb" "$root/bin/busybox"
for a in sh mount umount insmod mkdir ls cat echo sleep poweroff grep sed \
	wc head tail cut tr dmesg true false test stat od hexdump uname date \
	timeout kill seq expr env printf md5sum ifconfig wget; do
	ln -s busybox "$root/bin/$a"
done
cp "$lumen" "$root/bin/lumen"
# its shared libraries and the dynamic loader, at the paths ldd names
ldd "$lumen" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' |
while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib" || die "cannot copy $lib (a library of $lumen)"
done
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || die "ldd named no dynamic loader for $lumen"
cp "$src/tests/guest/init" "$root/init"
chmod 755 "$root/init"
# the boards and tunings lumen reads at run time
mkdir -p "$root/usr/share/lumen"
cp -r "$src/data/boards" "$src/data/tuning" "$src/data/doctor" "$root/usr/share/lumen/" ||
	die "cannot copy $src/data into the initramfs"

# modules in load order: each one's dependencies (modules.dep lists them
# deepest last) before it; vimc's from modinfo
vimc_deps=$(/sbin/modinfo -F depends "$ko" | tr ',' ' ')
order=$out/modules.order
: >"$order"
add_mod() { # name
	name=$1
	path=$(grep -E "/$name\.ko(\.[a-z]+)?:" "$mods/modules.dep" | head -1 | cut -d: -f1)
	[ -n "$path" ] || die "module $name is not in $mods/modules.dep"
	deps=$(grep -E "^$path:" "$mods/modules.dep" | cut -d: -f2)
	# modules.dep lists the dependencies with the most basic last
	for dep in $(echo $deps | tr ' ' '\n' | sed '1!G;h;$!d'); do
		grep -qx "$dep" "$order" || echo "$dep" >>"$order"
	done
	grep -qx "$path" "$order" || echo "$path" >>"$order"
}
for m in $(echo "$vimc_deps" | tr '-' '_' | tr ' ' '\n' | sort -u) vivid e1000; do
	# module names use _ , file names - or _
	f=$(echo "$m" | tr '_' '-')
	if grep -qE "/$f\.ko(\.[a-z]+)?:" "$mods/modules.dep"; then add_mod "$f"; else add_mod "$m"; fi
done
: >"$root/lib/modules/load"
while read -r p; do
	b=$(basename "$p")
	case $b in
	*.ko) cp "$mods/$p" "$root/lib/modules/$b" ;;
	*.ko.xz) xz -dc "$mods/$p" >"$root/lib/modules/${b%.xz}"; b=${b%.xz} ;;
	*.ko.zst) zstd -qdc "$mods/$p" >"$root/lib/modules/${b%.zst}"; b=${b%.zst} ;;
	*) die "unknown module file $p" ;;
	esac
	echo "$b" >>"$root/lib/modules/load"
done <"$order"
cp "$ko" "$root/lib/modules/vimc.ko"
echo "vimc.ko" >>"$root/lib/modules/load"

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$img.tmp"
mv "$img.tmp" "$img"
echo "guest build: $img ($(wc -c <"$img") bytes, modules: $(tr '\n' ' ' <"$root/lib/modules/load"))"
