#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generates data/doctor/roles.tsv: which pipeline role each kernel driver
has, read from the driver sources themselves (docs/doctor.md, "Roles").

    scripts/gen_doctor_roles.py [--linux /usr/src/linux-source-6.1.tar.xz]
                                [--git NAME=GITDIR]... [-o data/doctor/roles.tsv]
    scripts/gen_doctor_roles.py --emit-c roles.tsv roles_table.c   (build step)

From each C file under the directories listed in SOURCES the names a
driver registers are taken: the `.name` of a `.driver = { ... }` block
(platform, I2C, SPI drivers; a macro or KBUILD_MODNAME is resolved), and
from each Makefile/Kbuild the module names (`obj-$(CONFIG_X) += name.o`).
The role comes from where the file lives (the rules below, first match
wins). A name already given a role by an earlier rule keeps it.

The mainline tree is Debian's linux-source-6.1 package (apt install
linux-source-6.1); vendor trees are git directories (bare clones are
fine): --git ingenic-sdk=PATH (themactep/ingenic-sdk), --git
openhisilicon=PATH (OpenIPC/openhisilicon).

--emit-c turns the TSV into the sorted C table compiled into lumen
(src/doctor/roles.c); it needs nothing but the TSV.
"""
import argparse
import os
import re
import subprocess
import sys
import tarfile
import threading

ROLES = ("sensor", "receiver", "isp", "capture", "i2c", "power", "encoder", "memory")

# Path rules per source: (regex on the path, role or "by-name"). First
# match wins; "by-name" classifies by the path's words (BY_NAME below).
SOURCES = {
    "linux": [
        (r"^drivers/media/i2c/", "sensor"),
        (r"^drivers/staging/media/atomisp/i2c/", "sensor"),
        (r"^drivers/media/platform/", "by-name"),
        (r"^drivers/staging/media/", "by-name"),
        (r"^drivers/media/pci/intel/ipu3/", "receiver"),
        (r"^drivers/i2c/busses/", "i2c"),
        (r"^drivers/i2c/muxes/", "i2c"),
        (r"^drivers/clk/", "power"),
        (r"^drivers/regulator/", "power"),
        (r"^drivers/gpio/", "power"),
        (r"^drivers/dma-buf/", "memory"),
        (r"^mm/cma", "memory"),
    ],
    "ingenic-sdk": [
        (r"/sensor-src/", "sensor"),
        (r"/isp/", "isp"),
        (r"/avpu/", "encoder"),
        (r"/ipu/", "isp"),
    ],
    "openhisilicon": [
        (r"^kernel/mipi_rx/", "receiver"),
        (r"^kernel/(vi|vpss|vgs)/", "by-name"),
        (r"^kernel/isp/", "isp"),
        (r"^kernel/(venc|h264e|h265e|jpege|vedu|rc)/", "encoder"),
        (r"^kernel/(mmz|sys|base|hidmac)/", "memory"),
        (r"^kernel/(sensor_i2c|gpio_i2c)/", "i2c"),
        (r"^kernel/(sensor_spi)/", "i2c"),
    ],
}

# Words of a driver's path or name -> role, for the platform directories
# where one vendor directory holds receivers, ISPs, capture and codecs.
ORIGIN_RANK = {"linux-6.1": 0, "ingenic-sdk": 1, "openhisilicon": 2}

BY_NAME = [
    (r"csiphy|csi-?phy|dphy|d-phy|mipi-?csi|mipi_rx|csis|csi2|csid|unicam|\bcfe\b|"
     r"/csi[^/]*\.c$|-csi\b|_csi\b|camss|csi_?rx|seninf|mipi", "receiver"),
    (r"isp|vfe|pisp|ipu3|imgu|vpss|vgs|ispif|c3-isp|mali-c55|rkisp1|atomisp", "isp"),
    (r"codec|vpu|venc|vdec|hantro|coda|venus|vcodec|allegro|wave5|jpeg|cedrus|"
     r"rkvdec|mfc|h264|h265|hevc|encoder|decoder|\bg2d\b|vpe|rga|mdp", "encoder"),
    (r"cif|vin|vip|capture|camif|fimc|isi|dcmi|ceu|\bvi\b|/vi/|tegra-video|"
     r"vicap|video|cam|imx|sun\w*-csi|vdma|mxc", "capture"),
]

NAME_RE = re.compile(r"\.driver\s*=\s*\{(.{0,600}?)\}", re.S)
FIELD_RE = re.compile(r"\.name\s*=\s*([A-Za-z_][A-Za-z0-9_]*|\"[^\"]+\")")
DEFINE_RE = re.compile(r"#define\s+([A-Za-z_][A-Za-z0-9_]*)\s+\"([^\"]+)\"")
OBJ_RE = re.compile(r"^\s*obj-[^+:=]*[+:]?=\s*(.+)$", re.M)
PRFMT_RE = re.compile(r"#define\s+pr_fmt\(fmt\)\s+\"([A-Za-z0-9_-]+):\s*\"")


def by_name(path):
    low = path.lower()
    for rx, role in BY_NAME:
        if re.search(rx, low):
            return role
    return None


def role_of(rules, path, name):
    """(rule index, role) of the first rule matching @path, else None."""
    for i, (rx, role) in enumerate(rules):
        if re.search(rx, path):
            if role == "by-name":
                role = by_name(path) or by_name(name)
            return (i, role) if role else None
    return None


def keep(out, name, hit, source):
    """A name keeps the role of the earliest rule (mainline sensors before
    the staging copies of the same chips), then of the first file."""
    n = canon(name)
    if not hit or not re.fullmatch(r"[a-z0-9][a-z0-9.@-]{1,47}", n):
        return
    rank = (ORIGIN_RANK.get(source.split(":")[0], 9), hit[0])
    if n not in out or rank < out[n][0]:
        out[n] = (rank, hit[1], source)


def canon(name):
    return name.strip().lower().replace("_", "-")


def scan(files, rules, origin, out):
    """files: iterable of (path, text). Adds name -> (role, source) to out."""
    defines = {}
    cfiles = []
    for path, text in files:
        if path.endswith((".c", ".h")):
            for m in DEFINE_RE.finditer(text):
                defines.setdefault((os.path.dirname(path), m.group(1)), m.group(2))
            if path.endswith(".c"):
                cfiles.append((path, text))
        elif os.path.basename(path) in ("Makefile", "Kbuild") or path.endswith(".kbuild"):
            d = os.path.dirname(path)
            for m in OBJ_RE.finditer(text):
                for tok in m.group(1).split():
                    if tok.endswith(".o") and "/" not in tok:
                        mod = tok[:-2]
                        keep(out, mod, role_of(rules, d + "/" + mod + ".c", mod),
                             f"{origin}:{d}/ (module)")
    for path, text in cfiles:
        d = os.path.dirname(path)
        names = []
        for blk in NAME_RE.finditer(text):
            f = FIELD_RE.search(blk.group(1))
            if not f:
                continue
            v = f.group(1)
            if v.startswith('"'):
                names.append(v.strip('"'))
            elif v == "KBUILD_MODNAME":
                names.append(os.path.basename(path)[:-2])
            elif (d, v) in defines:
                names.append(defines[(d, v)])
            else:
                hit = [val for (dd, k), val in defines.items() if k == v and
                       (dd == d or dd.startswith(os.path.dirname(d)))]
                if hit:
                    names.append(hit[0])
        m = PRFMT_RE.search(text)
        if m and (role_of(rules, path, m.group(1)) or (0, ""))[1] == "memory":
            names.append(m.group(1))
        for n in names:
            keep(out, n, role_of(rules, path, n), f"{origin}:{path}")


def linux_files(tarball, rules):
    prefixes = tuple(r[0].lstrip("^") for r in rules)
    with tarfile.open(tarball, "r:xz") as tf:
        for m in tf:
            if not m.isfile():
                continue
            p = m.name.split("/", 1)[1] if "/" in m.name else m.name
            if not p.startswith(prefixes):
                continue
            base = os.path.basename(p)
            if not (p.endswith((".c", ".h")) or base in ("Makefile", "Kbuild")):
                continue
            yield p, tf.extractfile(m).read().decode("utf-8", "replace")


def git_files(gitdir):
    ls = subprocess.run(["git", "-C", gitdir, "ls-tree", "-r", "HEAD"],
                        capture_output=True, text=True, check=True).stdout
    wanted = []
    for line in ls.splitlines():
        meta, path = line.split("\t", 1)
        _, kind, sha = meta.split()
        base = os.path.basename(path)
        if kind == "blob" and (path.endswith((".c", ".h", ".kbuild")) or
                               base in ("Makefile", "Kbuild")):
            wanted.append((path, sha))
    p = subprocess.Popen(["git", "-C", gitdir, "cat-file", "--batch"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    # fed from a thread: git answers while it reads, and a full pipe
    # would otherwise stop both sides
    feeder = threading.Thread(target=lambda: (p.stdin.write(
        "".join(sha + "\n" for _, sha in wanted).encode()), p.stdin.close()))
    feeder.start()
    for path, _ in wanted:
        hdr = p.stdout.readline().split()
        size = int(hdr[2])
        data = p.stdout.read(size)
        p.stdout.read(1)
        yield path, data.decode("utf-8", "replace")
    feeder.join()
    p.wait()


def git_head(gitdir):
    r = subprocess.run(["git", "-C", gitdir, "rev-parse", "HEAD"], capture_output=True,
                       text=True)
    return r.stdout.strip()[:12] if r.returncode == 0 else "?"


def emit_c(tsv, out):
    rows = []
    with open(tsv, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            name, role = line.rstrip("\n").split("\t")[:2]
            if role not in ROLES or not re.fullmatch(r"[a-z0-9.@-]{2,48}", name):
                sys.exit(f"{tsv}: bad row: {line.strip()}")
            rows.append((name, role))
    rows.sort()
    for a, b in zip(rows, rows[1:]):
        if a[0] == b[0]:
            sys.exit(f"{tsv}: duplicate name {a[0]}")
    with open(out, "w", encoding="utf-8") as f:
        f.write("/* Generated from data/doctor/roles.tsv by scripts/gen_doctor_roles.py"
                " --emit-c; do not edit. */\n#include \"doctor/internal.h\"\n\n"
                "const struct ev_role_entry ev_role_table[] = {\n")
        for name, role in rows:
            f.write(f"\t{{ \"{name}\", EV_ROLE_{role.upper()} }},\n")
        f.write("};\nconst size_t ev_role_table_len = sizeof(ev_role_table) / "
                "sizeof(ev_role_table[0]);\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--linux", default="/usr/src/linux-source-6.1.tar.xz")
    ap.add_argument("--git", action="append", default=[], metavar="NAME=GITDIR")
    ap.add_argument("-o", "--output", default="data/doctor/roles.tsv")
    ap.add_argument("--emit-c", nargs=2, metavar=("TSV", "OUT_C"))
    a = ap.parse_args()
    if a.emit_c:
        emit_c(*a.emit_c)
        return 0
    out = {}
    header = ["# name\trole\tsource (generated by scripts/gen_doctor_roles.py; rerun it,"
              " do not edit)"]
    if not os.path.exists(a.linux):
        sys.exit(f"{a.linux}: not found (apt install linux-source-6.1)")
    scan(linux_files(a.linux, SOURCES["linux"]), SOURCES["linux"],
         "linux-6.1", out)
    header.append(f"# linux: {os.path.basename(a.linux)}")
    for spec in a.git:
        name, _, gitdir = spec.partition("=")
        if name not in SOURCES:
            sys.exit(f"--git {name}: no rules for it (known: "
                     f"{', '.join(k for k in SOURCES if k != 'linux')})")
        scan(git_files(gitdir), SOURCES[name], name, out)
        header.append(f"# {name}: commit {git_head(gitdir)}")
    with open(a.output, "w", encoding="utf-8") as f:
        f.write("\n".join(header) + "\n")
        for n in sorted(out):
            f.write(f"{n}\t{out[n][1]}\t{out[n][2]}\n")
    counts = {}
    for _, r, _ in out.values():
        counts[r] = counts.get(r, 0) + 1
    print(f"{a.output}: {len(out)} names " +
          ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
