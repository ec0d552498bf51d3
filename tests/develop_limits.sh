#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `lumen develop` on the hostile DNG seeds of fuzz/corpus/dng: a tag that
# cannot be used is printed as "FILE: warning: TagName (0xNNNN): why" or
# refuses the file, strips sharing one row are refused at once, BigTIFF is
# a DNG, and the input limits name the option that raises them.
lumen="$1"
seeds="$2"
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

err=$("$lumen" develop "$seeds/cm_outside.dng" -o "$tmp/a.png" 2>&1 >/dev/null) || fail "cm_outside: exit $?"
case "$err" in *"$seeds/cm_outside.dng: warning: ColorMatrix1 (0xc621): its 72 bytes at offset 2147418112 lie outside the"*) ;;
	*) fail "cm_outside printed '$err'" ;; esac

err=$("$lumen" develop "$seeds/lin_huge.dng" -o "$tmp/b.png" 2>&1); rc=$?
[ $rc -eq 1 ] || fail "lin_huge: exit $rc"
case "$err" in *"lin_huge.dng: LinearizationTable (0xc618): 1073741824 values"*) ;;
	*) fail "lin_huge printed '$err'" ;; esac

err=$("$lumen" develop "$seeds/shared_strips.dng" -o "$tmp/c.png" 2>&1); rc=$?
[ $rc -eq 1 ] || fail "shared_strips: exit $rc"
case "$err" in *"128 strips cover 256 distinct bytes"*) ;;
	*) fail "shared_strips printed '$err'" ;; esac
[ -e "$tmp/c.png" ] && fail "shared_strips wrote an output"

"$lumen" develop "$seeds/bigtiff.dng" -o "$tmp/d.png" >/dev/null 2>&1 || fail "bigtiff: exit $?"
[ -s "$tmp/d.png" ] || fail "bigtiff: no output"

err=$("$lumen" develop "$seeds/bigtiff.dng" -o "$tmp/e.png" --max-pixels 255 2>&1); rc=$?
[ $rc -eq 1 ] || fail "--max-pixels 255: exit $rc"
case "$err" in *"16x16 raw image is 256 pixels, above the limit of 255 (raise it with --max-pixels N)"*) ;;
	*) fail "--max-pixels printed '$err'" ;; esac
"$lumen" develop "$seeds/bigtiff.dng" -o "$tmp/e.png" --max-pixels 1M >/dev/null 2>&1 || fail "--max-pixels 1M: exit $?"
"$lumen" develop "$seeds/bigtiff.dng" -o "$tmp/e.png" --max-memory 0 >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "--max-memory 0: exit $rc"
echo "develop_limits: ok"
