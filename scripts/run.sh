#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job, on a fresh Debian bookworm machine: installs what lumen
# needs, builds it, and starts the camera daemon on the virtual board
# (imou-bullet3: SC4336P over a modelled CSI-2 link into an SSC377-like SoC)
# in the foreground. Ctrl-C (SIGINT) or SIGTERM stops it.
#   rtsp://127.0.0.1:8554/ch0 (2560x1440), /ch1 (640x360), http://127.0.0.1:8080/
# Extra arguments go to `lumen serve` (e.g. --config lumen.yaml,
# --rtsp-port 554 --http-port 80).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh meson ninja-build pkg-config gcc libturbojpeg0-dev \
	libjpeg62-turbo-dev libpng-dev libtiff-dev libyaml-dev libcmocka-dev \
	libmicrohttpd-dev nettle-dev libx264-dev
[ -f build-release/build.ninja ] ||
	meson setup build-release --buildtype=release -Dtests=disabled >/dev/null
ninja -C build-release lumen >/dev/null
exec ./build-release/lumen serve --foreground "$@"
