#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A DNG written by lumen must be identified by dcraw with the right size and
# CFA pattern, and its raw samples (dcraw -4 -D) must be the ones written.
# A lossless JPEG DNG built with the test encoder is decoded by dcraw too.
# Usage: dng_dcraw.sh path/to/dng_sample
set -e
command -v dcraw >/dev/null 2>&1 || { echo "SKIP: dcraw not on PATH"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$1" "$dir/s.dng" "$dir/expected.pgm"
dcraw -i -v "$dir/s.dng" >"$dir/info.txt"
cat "$dir/info.txt"
grep -q '^Camera: Lumen Sample' "$dir/info.txt"
grep -q '^Full size: *64 x 48' "$dir/info.txt"
grep -q '^Image size: *64 x 48' "$dir/info.txt"
grep -q '^Filter pattern: GR/BG' "$dir/info.txt"
grep -q '^DNG Version: 1.4' "$dir/info.txt"
dcraw -4 -D -c "$dir/s.dng" >"$dir/got.pgm"
cmp "$dir/got.pgm" "$dir/expected.pgm"
echo "dcraw identifies the DNG and reads the same samples"

# lossless JPEG tiles from the test encoder: dcraw's own decoder must agree
"$1" "$dir/lj.dng" "$dir/lj.pgm" ljpeg
dcraw -i -v "$dir/lj.dng" | grep -q '^Image size: *64 x 48'
dcraw -4 -D -c "$dir/lj.dng" >"$dir/lj_got.pgm"
cmp "$dir/lj_got.pgm" "$dir/lj.pgm"
echo "dcraw decodes the lossless JPEG DNG to the same samples"
