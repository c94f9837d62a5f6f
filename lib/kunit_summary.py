#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count the test cases of a kunit.py JSON result.

Prints the failed and skipped cases (suite.case[param]), then one line
"N passed, N failed, N skipped". A crashed case (ERROR) counts as failed. With
--names, prints only the names of the cases that did not pass. Exits 1 when a
case failed or when there were no cases at all.
"""

import argparse
import json
import sys


def leaves(group, path=()):
    """Yield (suite.case[.param], status) for every case below a JSON group.

    The top group (kunit.py's "KUnit Test Group") is left out of the names.
    """
    here = path + (group["name"],)
    for case in group.get("test_cases", []):
        yield ".".join(here[1:] + (case["name"],)), case["status"]
    for sub in group.get("sub_groups", []):
        yield from leaves(sub, here)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json_file")
    ap.add_argument("--names", action="store_true",
                    help="print the names of the cases that did not pass")
    args = ap.parse_args()
    try:
        with open(args.json_file) as f:
            result = json.load(f)
    except (OSError, ValueError) as e:
        print(f"error: cannot read KUnit results from {args.json_file}: {e}",
              file=sys.stderr)
        return 1
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    for name, status in leaves(result):
        status = "FAIL" if status == "ERROR" else status
        counts[status] = counts.get(status, 0) + 1
        if status == "FAIL":
            print(name if args.names else f"    failed: {name}")
        elif status == "SKIP" and not args.names:
            print(f"    skipped: {name}")
    if not args.names:
        print(f"{counts['PASS']} passed, {counts['FAIL']} failed, "
              f"{counts['SKIP']} skipped")
    total = sum(counts.values())
    return 1 if counts["FAIL"] or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
