#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Draw the benchmark's main question with gnuplot: what a 4 KiB clone and a 4 KiB dedupe
cost against the unrelated dirty data in the source file, upstream against ours.

    plot.py --raw DIR --out PREFIX [--title TEXT]

Reads the RESULT lines of DIR/upstream-N.txt and DIR/ours-N.txt (tools/bench/guest.sh; the
value is in nanoseconds), and writes PREFIX.svg and PREFIX.png: one panel a workload, the
dirty MiB on the x axis, the ioctl's time on a log y axis, each kernel's median joined by a
line, its minimum to maximum as an error bar, and every sample as a dot. PREFIX.dat and
PREFIX.gp are the data and the gnuplot script, kept for a reader to redraw.
"""

import argparse
import glob
import os
import re
import statistics
import subprocess
import sys

WORKLOADS = (("clone-4k", "4 KiB FICLONERANGE of a clean block"),
             ("dedupe-4k", "4 KiB FIDEDUPERANGE of clean data"))
KERNELS = (("upstream", "upstream 6.12 (filemap\\_flush)"), ("ours", "ours"))


def samples(raw):
    """{(kernel, workload, param): [ms, ...]} from the raw results."""
    out = {}
    for path in sorted(glob.glob(os.path.join(raw, "*-[0-9]*.txt"))):
        kernel = re.sub(r"-[0-9]+\.txt$", "", os.path.basename(path))
        with open(path) as f:
            for line in f:
                fields = line.split()
                if len(fields) == 4 and fields[0] == "RESULT":
                    key = (kernel, fields[1], int(fields[2]))
                    out.setdefault(key, []).append(int(fields[3]) / 1e6)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--title", default="")
    args = ap.parse_args()

    data = samples(args.raw)
    params = sorted({p for (k, w, p) in data if w in dict(WORKLOADS)})
    if not params:
        # A run of some groups only (tools/bench/run --only) may have none.
        print(f"    no clone-4k or dedupe-4k results in {args.raw}: nothing to plot")
        return 0
    # x: the index of the dirty size, so that 0 MiB has a place; the tics name the sizes.
    blocks = []
    for w, _ in WORKLOADS:
        for k, _ in KERNELS:
            rows = [f"# {w} {k}: x median min max"]
            dots = [f"# {w} {k}: x sample"]
            for i, p in enumerate(params):
                v = data.get((k, w, p))
                if not v:
                    continue
                # The two kernels side by side around each size.
                x = i + (-0.08 if k == "upstream" else 0.08)
                rows.append(f"{x} {statistics.median(v)} {min(v)} {max(v)}")
                dots += [f"{x} {s}" for s in v]
            blocks += ["\n".join(rows), "\n".join(dots)]
    dat = args.out + ".dat"
    with open(dat, "w") as f:
        f.write("\n\n\n".join(blocks) + "\n")

    tics = ", ".join(f'"{p}" {i}' for i, p in enumerate(params))
    colors = {"upstream": "#c0392b", "ours": "#2471a3"}
    gp = [f'set xtics ({tics})', f"set xrange [-0.5:{len(params) - 0.5}]",
          "set logscale y", "set format y '%g'", "set grid ytics mytics",
          "set xlabel 'dirty data elsewhere in the source file (MiB)'",
          "set ylabel 'time of the ioctl (ms)'", "set key top left Left reverse",
          "set multiplot layout 1,2" + (f" title '{args.title}'" if args.title else "")]
    idx = 0
    for w, desc in WORKLOADS:
        plots = []
        for k, label in KERNELS:
            plots.append(f"'{dat}' index {idx + 1} using 1:2 with points pt 7 ps 0.3 "
                         f"lc rgb '{colors[k]}' notitle")
            plots.append(f"'{dat}' index {idx} using 1:2:3:4 with yerrorlines pt 5 ps 0.8 "
                         f"lc rgb '{colors[k]}' title '{label}: median, min to max'")
            idx += 2
        gp += [f"set title '{desc}'", "plot " + ", \\\n     ".join(plots)]
    gp.append("unset multiplot")
    script = "\n".join(gp) + "\n"
    with open(args.out + ".gp", "w") as f:
        f.write(script)
    for term, ext in (("svg size 1100,450 dynamic font 'sans,11'", "svg"),
                      ("pngcairo size 1100,450 font 'sans,10'", "png")):
        r = subprocess.run(["gnuplot"], input=f"set terminal {term}\nset output "
                           f"'{args.out}.{ext}'\n" + script, text=True, capture_output=True)
        if r.returncode != 0 or not os.path.getsize(f"{args.out}.{ext}"):
            print(f"error: gnuplot could not draw {args.out}.{ext}: {r.stderr.strip()}",
                  file=sys.stderr)
            return 1
    print(f"    plotted {args.out}.svg and {args.out}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
