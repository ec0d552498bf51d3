#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The six-line keyword guesser of issue 15, as a baseline for the cold
batches: encoder words -> encoder; cma, buffer or VB -> dma; i2c or chip
id -> i2c; csi, mipi, streamon or broken pipe -> receiver; else sensor.

Usage: doctor_keyword_baseline.py BATCH_DIR...   (NN-slug.txt + .meta,
as tests/doctor_cold.py reads them). Prints right/total per batch."""
import glob
import os
import re
import sys

RULES = [
    (r"encod|venc|h\.?264|x264|hevc|h\.?265", "encoder"),
    (r"\bcma\b|buffer|\bvb\b", "dma"),
    (r"i2c|chip[ -]id", "i2c"),
    (r"csi|mipi|streamon|broken pipe", "receiver"),
]


def guess(text):
    text = text.lower()
    for pattern, stage in RULES:
        if re.search(pattern, text):
            return stage
    return "sensor"


def main(dirs):
    if not dirs:
        sys.exit(__doc__)
    right = total = 0
    for d in dirs:
        r = n = 0
        for meta in sorted(glob.glob(os.path.join(d, "*.meta"))):
            with open(meta) as f:
                want = dict(l.split(":", 1) for l in f if ":" in l)
            with open(meta[:-5] + ".txt", errors="replace") as f:
                got = guess(f.read())
            n += 1
            r += got == want["stage"].strip()
        print("%s: %d/%d" % (d, r, n))
        right, total = right + r, total + n
    print("all: %d/%d" % (right, total))


if __name__ == "__main__":
    main(sys.argv[1:])
