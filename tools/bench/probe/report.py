#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where the time of the benchmark's remaps goes: the median of each step that the probe
kernels log ("remap-probe:" lines, tools/bench/probe/*.patch), a workload, a size and a
kernel.

    report.py BENCH_OUT

BENCH_OUT is the --out of tools/bench/run: run/KERNEL-N/dmesg holds the probe lines of a
boot, run/KERNEL-N/results its RESULT lines. The groups unsafe and space make one remap a
RESULT line of the workloads of TIMED (their setup makes none, and a spoiled try stops
before its remap), so the k-th probe line of a boot is paired with the k-th such line; the
counts must match.
"""
import pathlib
import re
import statistics
import sys

PROBE = re.compile(r"remap-probe: (.*)$")
# The steps of btrfs_remap_start_nocow_writeback(), which upstream does not have.
OURS_ONLY = ["noreserve_ns", "ranges", "sync_all", "delalloc_ns", "extents_ns"]
TIMED = {"unsafe-clone-4k", "prealloc-clone-4k", "prealloc-dedupe-4k", "nocow-clone-4k",
         "nocow-dedupe-4k", "states-clone-4k"}


def boots(out):
    for d in sorted((out / "run").iterdir()):
        m = re.fullmatch(r"(ours|upstream)-\d+", d.name)
        if m:
            yield m.group(1), d


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: report.py BENCH_OUT")
    out = pathlib.Path(sys.argv[1])
    rows = {}  # (kernel, size) -> {field: [values]}
    for kernel, d in boots(out):
        probes = []
        for line in (d / "dmesg").read_text(errors="replace").splitlines():
            m = PROBE.search(line)
            if m:
                words = m.group(1).split()
                probes.append(dict(zip(words[::2], map(int, words[1::2]))))
        remaps = [l.split() for l in (d / "results").read_text().splitlines()
                  if l.startswith("RESULT ") and l.split()[1] in TIMED]
        if len(probes) != len(remaps):
            sys.exit(f"error: {d}: {len(probes)} probe lines for {len(remaps)} remaps")
        for p, c in zip(probes, remaps):
            p["ioctl_ns"] = int(c[3])
            fields = rows.setdefault((c[1], int(c[2]), kernel), {})
            for k, v in p.items():
                fields.setdefault(k, []).append(v)
    if not rows:
        sys.exit(f"error: no remap in {out}/run")
    names = ["ioctl_ns", "lock_ns", "prep_ns", "clone_ns", "flush_ns", "wait_ns",
             "states"] + OURS_ONLY
    print("| workload | param | kernel | n | " + " | ".join(names) + " |")
    print("| --- | ---: | --- | ---: |" + " ---: |" * len(names))
    for (work, param, kernel), fields in sorted(rows.items()):
        n = len(fields["ioctl_ns"])
        cells = [f"{statistics.median(fields[k]):.0f}"
                 if k in fields and (kernel == "ours" or k not in OURS_ONLY) else "-"
                 for k in names]
        print(f"| {work} | {param} | {kernel} | {n} | " + " | ".join(cells) + " |")
    print()
    print("Medians, in ns. ioctl_ns: the ioctl as the guest times it (its row of the "
          "benchmark); in "
          "btrfs_remap_file_range(): lock_ns, taking the inodes' locks; prep_ns, "
          "btrfs_remap_file_range_prep(); clone_ns, btrfs_clone_files() or "
          "btrfs_extent_same(). In the prep: "
          "flush_ns: the writeback before the share (upstream: filemap_flush() of the inode; ours: "
          "btrfs_remap_start_nocow_writeback(), split into noreserve_ns, the walk of the "
          "EXTENT_NORESERVE ranges and their writeback, delalloc_ns, the test for delalloc, "
          "and extents_ns, remap_writeback_disk_extents()); wait_ns: "
          "btrfs_wait_ordered_range() of the source range; states: the source's io tree "
          "states at the prep; ranges, sync_all: NORESERVE ranges found, and those written "
          "back again with WB_SYNC_ALL.")


if __name__ == "__main__":
    main()
