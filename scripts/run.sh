#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job, on a fresh Debian bookworm machine: installs what lumen
# needs, builds it, makes a sample raw frame with a modelled sensor and
# develops it into a picture. (When `lumen serve` lands, this starts the
# streaming daemon on the virtual board instead.)
#   OUT (default ./out) receives sample.dng and sample.jpg.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh meson ninja-build pkg-config gcc libturbojpeg0-dev \
	libx264-dev \
	libjpeg62-turbo-dev libpng-dev libtiff-dev libyaml-dev libcmocka-dev \
	libmicrohttpd-dev
[ -f build-release/build.ninja ] ||
	meson setup build-release --buildtype=release >/dev/null
ninja -C build-release lumen >/dev/null
out=${OUT:-out}
mkdir -p "$out"
./build-release/lumen sample -o "$out/sample.dng"
./build-release/lumen develop "$out/sample.dng" -o "$out/sample.jpg"
echo "run: developed $out/sample.dng into $out/sample.jpg"
