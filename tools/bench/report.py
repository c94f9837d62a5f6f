#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the raw results of tools/bench/run into a Markdown table.

  report.py --raw DIR --tree KERNEL_TREE [--out FILE]

DIR holds one file a boot, KERNEL-N.txt (KERNEL is upstream or ours), of lines
"RESULT <workload> <param> <value>": nanoseconds, or a count for the workloads
whose name ends in -extents or -kib, bytes (shown in MiB) for those whose name
ends in -bytes, 1 or 0 for those whose name ends in -failed (whether the
sample's ioctl failed). Prints the table and writes it to FILE.
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
    "dedupe-4k": ("4 KiB FIDEDUPERANGE of clean data", "MiB dirty elsewhere"),
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

# The space rows: a 4 KiB clone or dedupe of a clean block of a disk extent, preallocated
# or NODATACOW, that holds reserved dirty data; the data space and the extents after a sync.
SPACE_KINDS = (("prealloc", "preallocated extent"), ("nocow", "NODATACOW extent"))
SPACE_OPS = (("clone", "FICLONERANGE"), ("dedupe", "FIDEDUPERANGE"))
for _kind, _kwhat in SPACE_KINDS:
    for _op, _owhat in SPACE_OPS:
        _name = f"{_kind}-{_op}-4k"
        WORKLOADS[_name] = (f"4 KiB {_owhat} of a clean block of a {_kwhat} "
                            "holding reserved dirty data", "MiB dirty in that extent")
        WORKLOADS[_name + "-bytes"] = ("data space allocated from before the dirty "
                                       "write to after the remap and a syncfs",
                                       "MiB dirty in that extent")
        WORKLOADS[_name + "-extents"] = ("extents of that file after the sync",
                                         "MiB dirty in that extent")
WORKLOADS["states-clone-4k"] = ("4 KiB FICLONERANGE of a clean block of a NODATACOW file, "
                                "every other block of another extent reserved dirty",
                                "dirty 4 KiB ranges (io tree states)")


def unit(workload):
    if workload.endswith("-extents"):
        return "extents"
    if workload.endswith("-kib"):
        return "KiB"
    if workload.endswith("-bytes"):
        return "MiB"
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


def extents(x):
    """A median number of extents, in words."""
    n = str(int(x)) if x == int(x) else f"{x:.1f}"
    return f"{n} extent" if x == 1 else f"{n} extents"


def load(raw):
    """{(workload, param): {kernel: [values]}}, the number of boots of each kernel, and
    of the tries of samples that were done again (their dirty data was written back before
    the remap: remap-bench notes them as "# WORKLOAD: try N of M spoiled: ...")."""
    data = {}
    boots = {k: 0 for k in KERNELS}
    spoiled = {k: 0 for k in KERNELS}
    for name in sorted(os.listdir(raw)):
        m = re.fullmatch(r"(upstream|ours)-(\d+)\.txt", name)
        if not m:
            continue
        kernel = m.group(1)
        boots[kernel] += 1
        with open(os.path.join(raw, name)) as f:
            for line in f:
                if re.match(r"# \S+: try \d+ of \d+ spoiled", line):
                    spoiled[kernel] += 1
                fields = line.split()
                if len(fields) != 4 or fields[0] != "RESULT":
                    continue
                workload, param, value = fields[1], int(fields[2]), float(fields[3])
                if unit(workload) == "ms":
                    value /= 1e6
                elif unit(workload) == "MiB":
                    value /= 1 << 20
                data.setdefault((workload, param), {k: [] for k in KERNELS})
                data[(workload, param)][kernel].append(value)
    return data, boots, spoiled


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


def mann_whitney_p(x, y):
    """Two-sided p-value of the Mann-Whitney U test of samples x and y (normal
    approximation, ties given their average rank): how often two sets of samples of one
    distribution lie at least this far apart. None if a set has fewer than 4 samples."""
    if len(x) < 4 or len(y) < 4:
        return None
    both = sorted([(v, 0) for v in x] + [(v, 1) for v in y])
    rank_x = 0.0
    i = 0
    while i < len(both):
        j = i
        while j + 1 < len(both) and both[j + 1][0] == both[i][0]:
            j += 1
        rank_x += sum((i + j) / 2 + 1 for k in range(i, j + 1) if both[k][1] == 0)
        i = j + 1
    n1, n2 = len(x), len(y)
    u = rank_x - n1 * (n1 + 1) / 2
    sd = math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    if sd == 0:
        return None
    return math.erfc(abs(u - n1 * n2 / 2) / sd / math.sqrt(2))


def slower_verdict(data, key, r):
    """The verdict on a row where ours takes r of upstream's time (medians)."""
    if r <= 1.05:
        return "no more than 5% slower: yes"
    v = data.get(key)
    p = mann_whitney_p(v["upstream"], v["ours"]) if v else None
    if p is not None and p >= 0.05:
        return (f"no more than 5% slower: NO by the medians, but the samples do not tell the "
                f"kernels apart, Mann-Whitney p = {p:.2f}")
    return "no more than 5% slower: NO" + (f", Mann-Whitney p = {p:.3f}" if p is not None else "")


def order(key):
    workload, param = key
    names = list(WORKLOADS)
    return (names.index(workload) if workload in names else len(names), workload, param)


def table(data, boots, spoiled, tree):
    lines = [
        f"Clone/dedupe cost, upstream Linux {kernel_version(tree)} against ours (the fix), "
        f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "",
        f"Host: {machine()}. Guest: UML, 1 CPU, mem=2G, btrfs on a sparse file; "
        f"{boots['upstream']} boots of upstream and {boots['ours']} of ours, alternately. "
        "Times are of the ioctl alone, its caller at SCHED_FIFO (the writer rows: the whole "
        "run, not at SCHED_FIFO), in ms; "
        "the -bytes rows are data space allocated, in MiB; "
        "ratio = upstream median / ours median; p: two-sided Mann-Whitney U test of the two "
        "kernels' samples (a small p: they differ).",
        "",
        "| workload | param | unit | n | upstream median | upstream min | upstream max "
        "| ours median | ours min | ours max | upstream/ours | p |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
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

        if up and ours and statistics.median(ours) != 0:
            ratio = sig3(statistics.median(up) / statistics.median(ours))
        else:
            ratio = "-"
        p = mann_whitney_p(up, ours) if len(set(up + ours)) > 1 else None
        lines.append("| " + " | ".join(
            [f"{workload}: {what[0]}", f"{param} {what[1]}", unit(workload),
             f"{len(up)}/{len(ours)}"] + cols(up) + cols(ours) + [ratio]
            + ["-" if p is None else "<0.01" if p < 0.01 else f"{p:.2f}"]) + " |")
    lines += [""] + checks(data)
    if any(w.startswith(("prealloc-", "nocow-", "states-")) for (w, _) in data):
        lines.append(f"- samples of the space and states rows done again because their data "
                     f"was written back too soon (before the remap): {spoiled['upstream']} "
                     f"upstream, {spoiled['ours']} ours")
    return "\n".join(lines) + "\n"


def checks(data):
    """The claims of the fix, each with its verdict."""
    out = []

    def medians(key):
        v = data.get(key)
        if not v or not v["upstream"] or not v["ours"]:
            return None
        return statistics.median(v["upstream"]), statistics.median(v["ours"])

    for workload, what in (("clone-4k", "4 KiB clone"), ("dedupe-4k", "4 KiB dedupe")):
        m = medians((workload, 256))
        if m:
            r = m[0] / m[1]
            out.append(f"- {what} with 256 MiB dirty elsewhere: upstream/ours = {sig3(r)} "
                       f"(at least 50: {'yes' if r >= 50 else 'NO'})")
    m = medians(("clone-whole", 256))
    if m:
        r = m[1] / m[0]
        out.append(f"- whole-file clone of 256 MiB: ours takes {sig3(r)} of upstream's time "
                   f"({slower_verdict(data, ('clone-whole', 256), r)})")
    for workload, what in (("writer-clone", "4 KiB clone of each MiB appended"),
                           ("writer-dedupe", "128 KiB dedupe of each MiB appended")):
        for (w, param) in sorted(data):
            m = medians((w, param)) if w == workload else None
            if m:
                r = m[1] / m[0]
                out.append(f"- {what} ({param} MiB): ours takes {sig3(r)} of upstream's "
                           f"time ({slower_verdict(data, (w, param), r)})")
    for (w, param) in sorted(data):
        m = medians((w, param)) if w == "unsafe-clone-4k" else None
        if m:
            r = m[1] / m[0]
            out.append(f"- full filesystem, 4 KiB clone of a preallocated extent with {param} "
                       f"MiB just written: ours takes {sig3(r)} of upstream's time "
                       f"({slower_verdict(data, (w, param), r)})")
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
    for kind, kwhat in SPACE_KINDS:
        for op, _ in SPACE_OPS:
            name = f"{kind}-{op}-4k"
            for (workload, param) in sorted(data):
                if workload != name:
                    continue
                what = f"4 KiB {op} of a {kwhat} with {param} MiB reserved dirty data"
                m = medians((name, param))
                if m:
                    r = m[1] / m[0]
                    out.append(f"- {what}: ours takes {sig3(r)} of upstream's time "
                               f"({slower_verdict(data, (name, param), r)})")
                m = medians((name + "-bytes", param))
                e = medians((name + "-extents", param))
                if m:
                    ext = (f", and the file has {extents(e[0])} upstream and "
                           f"{extents(e[1])} ours" if e else "")
                    out.append(f"- {what}: the sync after it allocates {sig3(m[0])} MiB "
                               f"upstream and {sig3(m[1])} MiB ours{ext} "
                               f"(ours allocates no more than upstream: "
                               f"{'yes' if m[1] <= m[0] else 'NO'})")
    for (workload, param) in sorted(data):
        if workload != "states-clone-4k":
            continue
        m = medians((workload, param))
        if m:
            r = m[1] / m[0]
            out.append(f"- 4 KiB clone with {param} reserved dirty 4 KiB ranges in another "
                       f"extent: ours takes {sig3(r)} of upstream's time "
                       f"(no more than 5% slower: {'yes' if r <= 1.05 else 'NO'})")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", required=True)
    ap.add_argument("--tree", required=True)
    ap.add_argument("--out")
    args = ap.parse_args()
    data, boots, spoiled = load(args.raw)
    if not data:
        print(f"report.py: no results in {args.raw}", file=sys.stderr)
        return 1
    text = table(data, boots, spoiled, args.tree)
    sys.stdout.write(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
