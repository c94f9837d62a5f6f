#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the raw results of tools/bench/run into a Markdown table.

  report.py --raw DIR --tree KERNEL_TREE [--out FILE]

DIR holds one file a boot, KERNEL-N.txt (KERNEL is upstream or ours), of lines
"RESULT <workload> <param> <value>": nanoseconds, or a count for the workloads
whose name ends in -extents or -kib, 1 or 0 for those whose name ends in -failed
(whether the sample's ioctl failed). Prints the table and writes it to FILE.
"""

import argparse
import datetime
import math
import os
import re
import statistics
import sys

KERNELS = ("upstream", "ours")

# What each workload is, its parameter's unit, the unit of its values.
WORKLOADS = {
    "clone-4k": ("4 KiB FICLONERANGE of a clean block", "MiB dirty elsewhere"),
    "dedupe-128k": ("128 KiB FIDEDUPERANGE of clean data", "MiB dirty elsewhere"),
    "clone-whole": ("FICLONE of a whole file, all dirty but 16 MiB", "MiB file"),
    "writer-clone": ("appends in 1 MiB writes, 4 KiB clone of each MiB, fsync",
                     "MiB appended"),
    "writer-clone-extents": ("extents of that file afterwards", "MiB appended"),
    "writer-dedupe": ("appends in 1 MiB writes, 128 KiB dedupe of each MiB, fsync",
                      "MiB appended"),
    "writer-dedupe-extents": ("extents of that file afterwards", "MiB appended"),
    "unsafe-clone-4k": ("full fs: 4 KiB clone of a prealloc extent just written",
                        "MiB written"),
    "unsafe-clone-4k-dirty-kib": ("dirty + writeback KiB at that clone",
                                  "MiB written"),
    "many-cow": ("FICLONE of a whole COW file, no dirty data", "extents"),
    "many-cow-failed": ("FICLONEs of that file that failed", "extents"),
    "many-nocow": ("FICLONE of a whole NODATACOW file, no dirty data", "extents"),
    "many-nocow-failed": ("FICLONEs of that file that failed", "extents"),
}


def unit(workload):
    if workload.endswith("-extents"):
        return "extents"
    if workload.endswith("-kib"):
        return "KiB"
    if workload.endswith("-failed"):
        return "failed"
    return "ms"


def sig3(x):
    """x with 3 significant digits, without an exponent."""
    if x == 0:
        return "0"
    digits = 2 - int(math.floor(math.log10(abs(x))))
    x = round(x, digits)
    return f"{x:.{max(digits, 0)}f}"


def load(raw):
    """{(workload, param): {kernel: [values]}} and the number of boots of each kernel."""
    data = {}
    boots = {k: 0 for k in KERNELS}
    for name in sorted(os.listdir(raw)):
        m = re.fullmatch(r"(upstream|ours)-(\d+)\.txt", name)
        if not m:
            continue
        kernel = m.group(1)
        boots[kernel] += 1
        with open(os.path.join(raw, name)) as f:
            for line in f:
                fields = line.split()
                if len(fields) != 4 or fields[0] != "RESULT":
                    continue
                workload, param, value = fields[1], int(fields[2]), float(fields[3])
                if unit(workload) == "ms":
                    value /= 1e6
                data.setdefault((workload, param), {k: [] for k in KERNELS})
                data[(workload, param)][kernel].append(value)
    return data, boots


def kernel_version(tree):
    v = {}
    with open(os.path.join(tree, "Makefile")) as f:
        for line in f:
            m = re.match(r"(VERSION|PATCHLEVEL|SUBLEVEL)\s*=\s*(\S+)", line)
            if m:
                v[m.group(1)] = m.group(2)
            if len(v) == 3:
                break
    return f"{v['VERSION']}.{v['PATCHLEVEL']}.{v['SUBLEVEL']}"


def machine():
    cpu = "unknown CPU"
    mem = 0
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = int(line.split()[1]) // 1024
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), {mem / 1024:.1f} GiB memory"


def order(key):
    workload, param = key
    names = list(WORKLOADS)
    return (names.index(workload) if workload in names else len(names), workload, param)


def table(data, boots, tree):
    lines = [
        f"Clone/dedupe cost, upstream Linux {kernel_version(tree)} against ours (the fix), "
        f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "",
        f"Host: {machine()}. Guest: UML, 1 CPU, mem=2G, btrfs on a sparse file; "
        f"{boots['upstream']} boots of upstream and {boots['ours']} of ours, alternately. "
        "Times are of the ioctl alone (the writer rows: the whole run), in ms; "
        "ratio = upstream median / ours median.",
        "",
        "| workload | param | unit | n | upstream median | upstream min | upstream max "
        "| ours median | ours min | ours max | upstream/ours |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key in sorted(data, key=order):
        workload, param = key
        up, ours = data[key]["upstream"], data[key]["ours"]
        what = WORKLOADS.get(workload, (workload, "param"))

        def fmt(x):
            if unit(workload) != "ms" and x == int(x):
                return str(int(x))
            return sig3(x)

        def cols(v):
            if not v:
                return ["-", "-", "-"]
            return [fmt(statistics.median(v)), fmt(min(v)), fmt(max(v))]

        if up and ours and statistics.median(ours) > 0:
            ratio = sig3(statistics.median(up) / statistics.median(ours))
        else:
            ratio = "-"
        lines.append("| " + " | ".join(
            [f"{workload}: {what[0]}", f"{param} {what[1]}", unit(workload),
             f"{len(up)}/{len(ours)}"] + cols(up) + cols(ours) + [ratio]) + " |")
    lines += [""] + checks(data)
    return "\n".join(lines) + "\n"


def checks(data):
    """The claims of the fix, each with its verdict."""
    out = []

    def medians(key):
        v = data.get(key)
        if not v or not v["upstream"] or not v["ours"]:
            return None
        return statistics.median(v["upstream"]), statistics.median(v["ours"])

    for workload, what in (("clone-4k", "4 KiB clone"), ("dedupe-128k", "128 KiB dedupe")):
        m = medians((workload, 256))
        if m:
            r = m[0] / m[1]
            out.append(f"- {what} with 256 MiB dirty elsewhere: upstream/ours = {sig3(r)} "
                       f"(at least 50: {'yes' if r >= 50 else 'NO'})")
    m = medians(("clone-whole", 256))
    if m:
        r = m[1] / m[0]
        out.append(f"- whole-file clone of 256 MiB: ours takes {sig3(r)} of upstream's time "
                   f"(no more than 5% slower: {'yes' if r <= 1.05 else 'NO'})")
    for kind, what in (("cow", "COW"), ("nocow", "NODATACOW")):
        for (workload, param), v in sorted(data.items()):
            if workload != f"many-{kind}-failed":
                continue
            failed = {k: int(sum(v[k])) for k in KERNELS}
            m = medians((f"many-{kind}", param))
            ok = m is not None and m[1] / m[0] <= 1.05 and not failed["ours"]
            time = f"ours takes {sig3(m[1] / m[0])} of upstream's time" if m else \
                "no successful sample on one kernel"
            out.append(f"- FICLONE of a {param}-extent {what} file: {time}, failed "
                       f"{failed['upstream']} of {len(v['upstream'])} upstream and "
                       f"{failed['ours']} of {len(v['ours'])} ours "
                       f"(no more than 5% slower and no failure: {'yes' if ok else 'NO'})")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", required=True)
    ap.add_argument("--tree", required=True)
    ap.add_argument("--out")
    args = ap.parse_args()
    data, boots = load(args.raw)
    if not data:
        print(f"report.py: no results in {args.raw}", file=sys.stderr)
        return 1
    text = table(data, boots, args.tree)
    sys.stdout.write(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
