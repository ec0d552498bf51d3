#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Photos that lumen was never tuned on, for `lumen bench develop --photos`:
# the colour photographs among OpenCV's sample data (Debian's opencv-doc,
# /usr/share/doc/opencv-doc/examples/data), taken from the package file
# (apt-get download: nothing is installed) and converted to PNG with ffmpeg.
# Renders, logos, a painting and text shots are left out; so are second
# views of a scene already in (aloeR, leuvenB).
# Usage: bench/opencv_photos.sh DIR   then   lumen bench develop --photos DIR
set -eu
dir=${1:?usage: opencv_photos.sh DIR}
for tool in apt-get dpkg-deb ffmpeg; do
	command -v "$tool" >/dev/null || { echo "opencv_photos.sh: $tool is missing" >&2; exit 1; }
done
mkdir -p "$dir"
work=$(mktemp -d)
chmod 777 "$work"	# apt-get downloads as the _apt user
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q opencv-doc >/dev/null)
dpkg-deb -x "$work"/opencv-doc_*.deb "$work/x"
src="$work/x/usr/share/doc/opencv-doc/examples/data"
n=0
for name in aero1 aero3 aloeL apple baboon board building butterfly \
	    ela_original fruits HappyFish home left leuvenA licenseplate_motion \
	    messi5 orange pca_test1 squirrel_cls stuff; do
	if [ ! -f "$src/$name.jpg" ]; then
		echo "opencv_photos.sh: $name.jpg is not in this opencv-doc" >&2
		exit 1
	fi
	ffmpeg -loglevel error -y -i "$src/$name.jpg" -pix_fmt rgb24 "$dir/$name.png"
	n=$((n + 1))
done
echo "$n photos in $dir (opencv-doc $(dpkg-deb -f "$work"/opencv-doc_*.deb Version))"
