#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tabulate a proof run (tools/proof/run) and decide whether it proves anything.

Reads DIR/VARIANT/kunit.json (kunit.py's JSON), DIR/VARIANT/e2e.ktap (the end-to-end
runner's KTAP), DIR/VARIANT/fuzz.ktap (the fixed fuzz seeds' KTAP) and
DIR/VARIANT/stress.ktap (the stress seeds' KTAP) for every variant (a variant may have run
some scenarios, or none), prints what each variant fails, then checks that
- the fixed kernel passes every KUnit case, every scenario, every fixed fuzz seed and
  every stress seed (of those it ran),
- every other variant fails at least one KUnit case,
- every case of the btrfs_reflink_* suites fails on at least one variant,
- every scenario fails on each variant its file names in a line
  "# proof: fails on VARIANT..." (VARIANT@4k: only where pages are 4 KiB, as on UML),
- upstream's own code (UPSTREAM) passes every scenario that does not claim it, every fixed
  fuzz seed and every stress seed it ran: it is the oracle of what must not be lost, so a
  test that fails there is wrong, unless it shows upstream losing data on purpose,
- the fixed fuzz seeds catch (at least one fails on) each variant of FUZZ_CATCHES,
- every stress seed fails on each variant of STRESS_CATCHES.
With --partial (a run of some of the variants) the third check is left out; the others
look only at the variants that ran.
Ends with "proof: N passed, N failed" over those checks; exits 1 if any failed.

proof_report.py --claims VARIANT [--pages SIZE] prints the scenarios that must fail on
VARIANT with SIZE pages (4k, the default, 16k or 64k), a name a line: tools/proof/run and
tools/subpage/proof boot those, so one reading of the claims decides both what runs and
what is checked.
"""

import json
import os
import re
import sys

from kunit_summary import leaves

GUARD_SUITES = ("btrfs_reflink_",)
# The variants that the fixed fuzz seeds must catch: no flush at all, and the rule of an
# earlier version of the fix that went by the type of the extent maps. tools/proof/run
# runs the seeds on these only.
FUZZ_CATCHES = ("1-no-flush", "5-extent-type")
# The variants that every stress seed (tools/stress/seeds) must fail on, each time: the
# same two. tools/proof/run runs the stress on these only, for a few seconds a seed.
STRESS_CATCHES = ("1-no-flush", "5-extent-type")
# Upstream 6.12's own code: filemap_flush() of the whole source inode (the variant's patch
# says why it is that). Upstream is the oracle: every scenario, fixed fuzz seed and stress
# seed must pass on it, but a scenario that claims it (upstream loses data there, on the
# page sizes the claim names). tools/proof/run runs them all on it.
UPSTREAM = "4-upstream"
# The page size of the proof's UML kernels.
UML_PAGES = "4k"
SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "e2e",
                         "scenarios")


def scenario_claims(pages=UML_PAGES):
    """{scenario name: [variants it must fail on with PAGES pages]} from the scenario files.

    A claim VARIANT@SIZE holds only where the page size is SIZE; a plain VARIANT, on every
    page size.
    """
    claims = {}
    for f in sorted(os.listdir(SCENARIOS)):
        if not f.endswith(".sh") or f.startswith("."):
            continue
        # NN-name.sh, as tools/e2e/run names them.
        name = re.sub(r"^[0-9]{2}-", "", f[:-3])
        with open(os.path.join(SCENARIOS, f)) as fh:
            for line in fh:
                m = re.match(r"#\s*proof:\s*fails on\s+(.+)", line)
                if not m:
                    continue
                for v in m.group(1).split():
                    v, _, size = v.partition("@")
                    if not size or size == pages:
                        claims.setdefault(name, []).append(v)
    return claims


def kunit_results(path):
    """{case name: 'PASS' | 'FAIL' | 'SKIP'} from kunit.py's JSON, or None."""
    try:
        with open(path) as f:
            top = json.load(f)
    except (OSError, ValueError):
        return None
    return {name: "FAIL" if status == "ERROR" else status
            for name, status in leaves(top)}


def ktap_results(path):
    """{test: True if passed} from a runner's KTAP, or None."""
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
    if args and args[0] == "--claims":
        if len(args) not in (2, 4) or (len(args) == 4 and args[2] != "--pages"):
            print("usage: proof_report.py --claims VARIANT [--pages SIZE]", file=sys.stderr)
            return 2
        pages = args[3] if len(args) == 4 else UML_PAGES
        for s, claimed in sorted(scenario_claims(pages).items()):
            if args[1] in claimed:
                print(s)
        return 0
    # Only some of the variants: a case that only another variant fails proves nothing here.
    partial = bool(args) and args[0] == "--partial"
    if partial:
        args = args[1:]
    if len(args) < 2:
        print("usage: proof_report.py [--partial] DIR VARIANT... | --claims VARIANT [--pages SIZE]",
              file=sys.stderr)
        return 2
    root, variants = args[0], args[1:]
    kunit = {v: kunit_results(os.path.join(root, v, "kunit.json")) for v in variants}
    e2e = {v: ktap_results(os.path.join(root, v, "e2e.ktap")) for v in variants}
    fuzz = {v: ktap_results(os.path.join(root, v, "fuzz.ktap")) for v in variants}
    stress = {v: ktap_results(os.path.join(root, v, "stress.ktap")) for v in variants}
    checks = []  # (passed, what)

    def mark(ok):
        return "." if ok else "F"

    def failed(res):
        return "not run" if res is None else \
            f"{sum(not ok for ok in res.values())}/{len(res)}"

    print("\nKUnit cases, end-to-end scenarios, fixed fuzz seeds and stress seeds failed, "
          "by kernel variant:")
    print(f"  {'variant':<18} {'KUnit failed':>14} {'scenarios failed':>18} "
          f"{'fuzz seeds failed':>18} {'stress seeds failed':>20}")
    for v in variants:
        k = kunit[v]
        ks = "no results" if not k else \
            f"{sum(s == 'FAIL' for s in k.values())}/{len(k)}"
        print(f"  {v:<18} {ks:>14} {failed(e2e[v]):>18} {failed(fuzz[v]):>18} "
              f"{failed(stress[v]):>20}")

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

    for title, results in (("End-to-end scenarios", e2e), ("Fixed fuzz seeds", fuzz),
                           ("Stress seeds", stress)):
        names = sorted({n for r in results.values() if r for n in r})
        if not names:
            continue
        print(f"\n{title} by variant ('.' passed, 'F' failed, '-' not run):")
        for n in names:
            row = [mark(results[v][n]) if results[v] and n in results[v] else "-"
                   for v in variants]
            print(f"  {n:<{width}} " + " ".join(f"{r:>2}" for r in row))

    if "fixed" in variants:
        k, e, f = kunit["fixed"], e2e["fixed"], fuzz["fixed"]
        ok = bool(k) and all(s != "FAIL" for s in k.values())
        checks.append((ok, "the fixed kernel passes every KUnit case"))
        if e is not None:
            checks.append((bool(e) and all(e.values()),
                           "the fixed kernel passes every scenario"))
        if f is not None:
            checks.append((bool(f) and all(f.values()),
                           "the fixed kernel passes every fixed fuzz seed"))
        if stress["fixed"] is not None:
            checks.append((bool(stress["fixed"]) and all(stress["fixed"].values()),
                           "the fixed kernel passes every stress seed"))
    buggy = [v for v in variants if v != "fixed"]
    for v in buggy:
        k = kunit[v]
        checks.append((bool(k) and any(s == "FAIL" for s in k.values()),
                       f"variant {v} fails at least one KUnit case"))
    if buggy and not partial:
        for c in cases:
            checks.append((any((kunit[v] or {}).get(c) == "FAIL" for v in buggy),
                           f"{c} fails on some variant"))
    for s, claimed in sorted(scenario_claims().items()):
        for v in claimed:
            if v in variants and e2e[v] is not None:
                checks.append((not e2e[v].get(s, True), f"scenario {s} fails on {v}"))
    for v in FUZZ_CATCHES:
        if v in variants and fuzz[v] is not None:
            checks.append((any(not ok for ok in fuzz[v].values()),
                           f"the fixed fuzz seeds catch {v}"))
    for v in STRESS_CATCHES:
        if v in variants and stress[v] is not None:
            # host-untouched is not a seed; tools/proof/run leaves it out.
            checks.append((bool(stress[v]) and not any(stress[v].values()),
                           f"every stress seed fails on {v}"))

    if UPSTREAM in variants:
        claimed = scenario_claims()
        for title, res in (("scenario that does not claim it", e2e),
                           ("fixed fuzz seed", fuzz), ("stress seed", stress)):
            r = res[UPSTREAM]
            if r is not None:
                checks.append((bool(r) and all(ok for n, ok in r.items()
                                               if UPSTREAM not in claimed.get(n, [])),
                               f"{UPSTREAM} (upstream's own code) passes every {title}"))

    failed = [what for ok, what in checks if not ok]
    print()
    for what in failed:
        print(f"  NOT SHOWN: {what}")
    print(f"proof: {len(checks) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed or not checks else 0


if __name__ == "__main__":
    sys.exit(main())
