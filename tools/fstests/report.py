#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Results of an fstests run of tools/fstests/run: one line a test, the tests not run with
their reasons, and "N passed, N failed, N not run".

    report.py [--list FILE] [--earlier PART]... OUT GUEST...
    report.py --done PART...
    report.py --compare OUT_A OUT_B

Each OUT/GUEST holds the tests the guest was given (tests), check's output (check.out: a
line a test, and at the end check's summary, whose "Failures:" line has the last word) and
its results directory (results/: the reason of a test not run in NAME.notrun; an xunit
report, results/result.xml, if check ran with -R xunit, as earlier runs did). A test with
no result counts as failed. The table is also written to OUT/results.tsv.

A PART is the directory of a guest of an earlier, interrupted run on the same kernel
(tools/fstests/run --resume): its tests with a result join the table, the later result of a
test first; the tests it did not reach do not. --done prints the tests of the PARTs that
passed or failed, one a line: a test not run runs again (under a minute in UML, and its
reason may have been the guest's). --list FILE (a test a line) keeps the earlier results to
the tests the run was asked for.

--compare puts the results of two run directories of the default set side by side (ours and
upstream, by tools/fstests/compare), from their guest directories (OUT/earlier/N/gN first,
then OUT/gN), so a run that was stopped counts what it finished. It prints the tests whose
result differs and the totals of each, writes the whole table to OUT_A/compare.tsv, and exits
non-zero if a test failed on A and not on B, if a test of both lists has no result on either,
or if the lists differ (the default set changed between the two runs).
"""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET


def from_xunit(path):
    res = {}
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return res
    for tc in root.iter('testcase'):
        name = tc.get('name')
        secs = tc.get('time', '')
        fail = tc.find('failure')
        skip = tc.find('skipped')
        if fail is not None:
            res[name] = ('failed', secs, fail.get('message', ''))
        elif skip is not None:
            res[name] = ('not run', secs, (skip.get('message') or '').strip())
        else:
            res[name] = ('passed', secs, '')
    return res


def from_check_out(path, results_dir):
    """Results of the tests check printed a line for (name first, then the outcome), and the
    tests of the Failures: line of check's summary."""
    res = {}
    try:
        lines = open(path, errors='replace').read().splitlines()
    except OSError:
        return res, []
    for line in lines:
        m = re.match(r'^([a-z0-9_-]+/\d+)\s+(.*)$', line)
        if not m:
            continue
        name, rest = m.groups()
        if '[not run]' in rest:
            why = rest.split('[not run]', 1)[1].strip()
            try:
                why = open(os.path.join(results_dir, name + '.notrun')).read().strip()
            except OSError:
                pass
            res[name] = ('not run', '', why)
        elif '[expunged]' in rest:
            res[name] = ('not run', '', 'expunged')
        elif re.search(r'output mismatch|_check_|\[failed|\[dumped core\]|no qualified output|not ok',
                       rest):
            res[name] = ('failed', '', rest.strip())
        else:
            t = re.search(r'(\d+)s\s*$', rest)
            if t:
                res[name] = ('passed', t.group(1), '')
    failures = [n for line in lines if line.startswith('Failures:') for n in line.split()[1:]]
    return res, failures


def results(d):
    """{test: (result, seconds, reason)} of the tests the guest in directory d ran."""
    res, failures = from_check_out(os.path.join(d, 'check.out'), os.path.join(d, 'results'))
    res.update(from_xunit(os.path.join(d, 'results', 'result.xml')))
    for name in failures:
        if res.get(name, ('',))[0] != 'failed':
            res[name] = ('failed', '', 'in the Failures: line of check\'s summary')
    return res


def totals(outcomes):
    """{passed, failed, not run: count} and the seconds of (result, seconds) pairs."""
    outcomes = list(outcomes)
    n = {k: sum(1 for st, _ in outcomes if st == k) for k in ('passed', 'failed', 'not run')}
    secs = sum(float(s) for _, s in outcomes if re.match(r'^[0-9.]+$', s or ''))
    return n, secs


def collect(out):
    """{test: (result, seconds, reason)} of the tests of run directory out's list with a
    result in one of its guest directories, the later run first; and the list."""
    try:
        wanted = open(os.path.join(out, 'list')).read().split()
    except OSError:
        return {}, []
    parts = sorted(glob.glob(os.path.join(out, 'earlier', '*', 'g[0-9]*')),
                   key=lambda d: [int(x) for x in re.findall(r'\d+', os.path.relpath(d, out))])
    parts += sorted(glob.glob(os.path.join(out, 'g[0-9]*')))
    res = {}
    for d in parts:
        res.update(results(d))
    return {t: r for t, r in res.items() if t in wanted}, wanted


def compare(a, b):
    ra, la = collect(a)
    rb, lb = collect(b)
    na, nb = os.path.basename(a.rstrip('/')), os.path.basename(b.rstrip('/'))
    if not la:
        print(f'report.py: no list of tests in {a}: not a run directory of tools/fstests/run',
              file=sys.stderr)
        return 2
    tests = sorted(set(la) | set(lb))
    width = max(len(t) for t in tests)

    def cell(r):
        if r is None:
            return 'no result'
        return r[0] + (f' {r[1]} s' if r[1] else '')

    with open(os.path.join(a, 'compare.tsv'), 'w') as f:
        f.write(f'test\t{na}\t{na} seconds\t{nb}\t{nb} seconds\treason\n')
        for t in tests:
            x, y = ra.get(t), rb.get(t)
            why = '; '.join(sorted({r[2] for r in (x, y) if r and r[2]}))
            f.write(f'{t}\t{x[0] if x else ""}\t{x[1] if x else ""}\t'
                    f'{y[0] if y else ""}\t{y[1] if y else ""}\t{why}\n')
    print(f'    {"test":<{width}}  {na:<16} {nb:<16} (results that differ, and failures)')
    rows = 0
    for t in tests:
        x, y = ra.get(t), rb.get(t)
        if (x and y and x[0] != y[0]) or 'failed' in (x and x[0], y and y[0]):
            why = '; '.join(sorted({r[2] for r in (x, y) if r and r[2]}))
            print(f'    {t:<{width}}  {cell(x):<16} {cell(y):<16} {why}')
            rows += 1
    if not rows:
        print('    (none)')
    for name, r, lst in ((na, ra, la), (nb, rb, lb)):
        n, secs = totals(v[:2] for v in r.values())
        print(f'{name}: {n["passed"]} passed, {n["failed"]} failed, {n["not run"]} not run, '
              f'no result yet for {len(lst) - len(r)} of the {len(lst)} tests; {secs:.0f} s of '
              f'test time')
    print(f'    (table: {os.path.join(a, "compare.tsv")})')
    new = [t for t in la if ra.get(t, ('',))[0] == 'failed' and rb.get(t, ('',))[0] != 'failed']
    both = sum(1 for t in la if t in ra and t in rb)
    one_list = sorted(set(la) ^ set(lb))
    missing = [t for t in la if t in lb and (t not in ra or t not in rb)]
    same = sum(1 for t in la if t in ra and t in rb and ra[t][0] == rb[t][0])
    print(f'{both} tests have a result on both, {same} of them the same')
    rc = 0
    if new:
        print(f'failed on {na} and not on {nb}: {" ".join(new)}')
        rc = 1
    if one_list:
        print(f'not in both lists: {" ".join(one_list)} (the default set changed between the '
              f'runs: a RESUME=1 run of the older one brings its list up to date)')
        rc = 1
    if missing:
        print(f'incomplete: {len(missing)} tests have no result on {na} or {nb} yet '
              f'(make fstests RESUME=1, make fstests UPSTREAM=1 RESUME=1)')
        rc = 1
    if not rc:
        print(f'no test failed on {na} that did not fail on {nb}')
    return rc


def main():
    args = sys.argv[1:]
    if args[:1] == ['--compare'] and len(args) == 3:
        return compare(args[1], args[2])
    if args[:1] == ['--done']:
        done = set()
        for d in args[1:]:
            done.update(t for t, r in results(d).items() if r[0] != 'not run')
        for t in sorted(done):
            print(t)
        return 0
    earlier = []
    wanted = None
    while args[:1] in (['--earlier'], ['--list']) and len(args) > 1:
        if args[0] == '--list':
            wanted = set(open(args[1]).read().split())
        else:
            earlier.append(args[1])
        args = args[2:]
    if not args or (len(args) < 2 and not earlier):
        print('usage: report.py [--list FILE] [--earlier PART]... OUT GUEST... | '
              '--done PART... | --compare OUT_A OUT_B',
              file=sys.stderr)
        return 2
    out, guests = args[0], args[1:]
    rows = {}
    for d in earlier:
        for t, (st, secs, why) in results(d).items():
            if wanted is None or t in wanted:
                rows[t] = (t, st, secs, why, os.path.relpath(d, out))
    for g in guests:
        d = os.path.join(out, g)
        try:
            tests = open(os.path.join(d, 'tests')).read().split()
        except OSError:
            tests = []
        res = results(d)
        for t in tests:
            st, secs, why = res.get(t, ('failed', '', 'no result: the guest ended before it'))
            rows[t] = (t, st, secs, why, g)
    rows = sorted(rows.values())
    width = max([len(r[0]) for r in rows] + [4])
    with open(os.path.join(out, 'results.tsv'), 'w') as f:
        f.write('test\tresult\tseconds\tguest\treason\n')
        for t, st, secs, why, g in rows:
            f.write(f'{t}\t{st}\t{secs}\t{g}\t{why}\n')
    for t, st, secs, why, g in rows:
        s = f'{secs} s' if secs != '' else '-'
        line = f'    {t:<{width}}  {st:<8} {s:>7}'
        if st != 'passed':
            line += f'  {why}'
        print(line)
    n, total = totals(r[1:3] for r in rows)
    print(f'    {len(rows)} tests, {total:.0f} s of test time in all guests (table: '
          f'{os.path.join(out, "results.tsv")})')
    print(f'{n["passed"]} passed, {n["failed"]} failed, {n["not run"]} not run')
    return 1 if n['failed'] else 0


if __name__ == '__main__':
    sys.exit(main())
