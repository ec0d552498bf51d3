#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Scores `lumen doctor --json` on a batch of cold cases.

A batch directory holds NN-slug.txt (the symptom text as posted) and
NN-slug.meta ("stage: X", optionally "alt_stage: Y", "url: ..."). For each
case the doctor's first_broken_stage is compared with the meta's stage;
a match with alt_stage is counted as a separate figure, never as right.

    tests/doctor_cold.py BATCH_DIR [--lumen build/src/lumen] [--kb FILE]

Prints one row per case and the totals; exit 0 whatever the score (it
measures, it does not gate). Exit 2 on usage errors or an empty batch.
"""
import argparse
import json
import os
import subprocess
import sys


def read_meta(path):
    meta = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if ":" in line:
                k, v = line.split(":", 1)
                meta.setdefault(k.strip().lower(), v.strip())
    return meta


def norm_stage(s):
    s = (s or "").strip().lower()
    return s if s and s not in ("none", "null", "-") else "none"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("batch")
    ap.add_argument("--lumen", default=os.path.join("build", "src", "lumen"))
    ap.add_argument("--kb", default=None)
    a = ap.parse_args()
    cases = sorted(n[:-4] for n in os.listdir(a.batch) if n.endswith(".txt"))
    if not cases:
        print(f"{a.batch}: no cases", file=sys.stderr)
        return 2
    right = alt = none = 0
    for c in cases:
        meta_path = os.path.join(a.batch, c + ".meta")
        meta = read_meta(meta_path) if os.path.exists(meta_path) else {}
        want = norm_stage(meta.get("stage"))
        want_alt = norm_stage(meta.get("alt_stage"))
        cmd = [a.lumen, "doctor", "--json", os.path.join(a.batch, c + ".txt")]
        if a.kb:
            cmd += ["--kb", a.kb]
        p = subprocess.run(cmd, capture_output=True, text=True)
        got, conf = "error", ""
        if p.returncode == 0:
            try:
                j = json.loads(p.stdout)
                got = norm_stage(j.get("first_broken_stage"))
                conf = j.get("confidence") or ""
            except ValueError:
                got = "badjson"
        ok = got == want
        is_alt = not ok and want_alt != "none" and got == want_alt
        right += ok
        alt += is_alt
        none += got == "none"
        mark = "RIGHT" if ok else ("alt" if is_alt else "wrong")
        print(f"{c:40s} want {want:9s} got {got:9s} {conf:6s} {mark}")
    n = len(cases)
    print(f"cases {n}  right {right} ({100.0 * right / n:.0f} %)  "
          f"alt-only {alt}  none-found {none}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
