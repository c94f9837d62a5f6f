#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tabulate a proof run (tools/proof/run) and decide whether it proves anything.

Reads DIR/VARIANT/kunit.json (kunit.py's JSON) and DIR/VARIANT/e2e.ktap (the end-to-end
runner's KTAP) for every variant, prints what each variant fails, then checks that
- the fixed kernel passes every KUnit case and every scenario,
- every other variant fails at least one KUnit case,
- every case of the btrfs_reflink_* suites fails on at least one variant,
- every scenario fails on the kernel without any flush (1-no-flush).
With --partial (a run of some of the variants) the third check is left out.
Ends with "proof: N passed, N failed" over those checks; exits 1 if any failed.
"""

import json
import os
import re
import sys

from kunit_summary import leaves

GUARD_SUITES = ("btrfs_reflink_",)
NO_FLUSH = "1-no-flush"


def kunit_results(path):
    """{case name: 'PASS' | 'FAIL' | 'SKIP'} from kunit.py's JSON, or None."""
    try:
        with open(path) as f:
            top = json.load(f)
    except (OSError, ValueError):
        return None
    return {name: "FAIL" if status == "ERROR" else status
            for name, status in leaves(top)}


def e2e_results(path):
    """{scenario: True if passed} from the runner's KTAP, or None."""
    if not os.path.exists(path):
        return None
    out = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"(not ok|ok) \d+ (\S+)", line)
            if m:
                out[m.group(2)] = m.group(1) == "ok"
    return out


def main():
    args = sys.argv[1:]
    # Only some of the variants: a case that only another variant fails proves nothing here.
    partial = bool(args) and args[0] == "--partial"
    if partial:
        args = args[1:]
    if len(args) < 2:
        print("usage: proof_report.py [--partial] DIR VARIANT...", file=sys.stderr)
        return 2
    root, variants = args[0], args[1:]
    kunit = {v: kunit_results(os.path.join(root, v, "kunit.json")) for v in variants}
    e2e = {v: e2e_results(os.path.join(root, v, "e2e.ktap")) for v in variants}
    checks = []  # (passed, what)

    def mark(ok):
        return "." if ok else "F"

    print("\nKUnit cases and end-to-end scenarios failed, by kernel variant:")
    print(f"  {'variant':<18} {'KUnit failed':>14} {'scenarios failed':>18}")
    for v in variants:
        k, e = kunit[v], e2e[v]
        ks = "no results" if not k else \
            f"{sum(s == 'FAIL' for s in k.values())}/{len(k)}"
        es = "not run" if e is None else \
            f"{sum(not ok for ok in e.values())}/{len(e)}"
        print(f"  {v:<18} {ks:>14} {es:>18}")

    cases = sorted({c for k in kunit.values() if k for c in k
                    if c.startswith(GUARD_SUITES)})
    width = max([len(c) for c in cases] + [10])
    print("\nbtrfs_reflink_* cases by variant ('.' passed, 'F' failed):")
    print(f"  {'':<{width}} " + " ".join(f"{i:>2}" for i in range(len(variants))))
    for c in cases:
        row = []
        for v in variants:
            k = kunit[v] or {}
            row.append(mark(k.get(c) != "FAIL") if c in k else " -")
        print(f"  {c:<{width}} " + " ".join(f"{r:>2}" for r in row))
    print("  columns: " + ", ".join(f"{i} = {v}" for i, v in enumerate(variants)))

    scen = sorted({s for e in e2e.values() if e for s in e})
    if scen:
        print("\nEnd-to-end scenarios by variant ('.' passed, 'F' failed):")
        for s in scen:
            row = [mark(e2e[v].get(s, False)) if e2e[v] is not None else "-"
                   for v in variants]
            print(f"  {s:<{width}} " + " ".join(f"{r:>2}" for r in row))

    if "fixed" in variants:
        k, e = kunit["fixed"], e2e["fixed"]
        ok = bool(k) and all(s != "FAIL" for s in k.values())
        checks.append((ok, "the fixed kernel passes every KUnit case"))
        if e is not None:
            checks.append((bool(e) and all(e.values()),
                           "the fixed kernel passes every scenario"))
    buggy = [v for v in variants if v != "fixed"]
    for v in buggy:
        k = kunit[v]
        checks.append((bool(k) and any(s == "FAIL" for s in k.values()),
                       f"variant {v} fails at least one KUnit case"))
    if buggy and not partial:
        for c in cases:
            checks.append((any((kunit[v] or {}).get(c) == "FAIL" for v in buggy),
                           f"{c} fails on some variant"))
    if NO_FLUSH in variants and e2e[NO_FLUSH] is not None:
        for s in scen:
            checks.append((not e2e[NO_FLUSH].get(s, True),
                           f"scenario {s} fails without any flush"))

    failed = [what for ok, what in checks if not ok]
    print()
    for what in failed:
        print(f"  NOT SHOWN: {what}")
    print(f"proof: {len(checks) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed or not checks else 0


if __name__ == "__main__":
    sys.exit(main())
