#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The host side of the randomized end-to-end run (tools/fuzz/run).

  fuzz.py gen SEED            print the case of SEED: a shell script of steps
  fuzz.py check CASEDIR       judge a case the guest ran: KTAP-style reasons, exit 1 if failed
  fuzz.py replay CASEDIR      print the case as a script to replay it

A case is a script of numbered steps, `step N COMMAND...` (xfs_io, fuzz-io, chattr, touch,
sync). The guest runs it and records each step's exit status and output; the model below
replays the steps from that script and those results alone, never from what the kernel
reads back, and says what every file must hold after the power cut: a write that stopped
early applies only what it wrote, a clone that failed with EINVAL changes nothing, one that
failed otherwise leaves its destination undetermined, and so on.
"""

import os
import random
import re
import shlex
import sys

K = 4096
MIB = 1 << 20
FS_SIZE = 256 * MIB
PAD = 'padding'


def human(n):
    """An offset or length as the script writes it: 4k, 1m, or bytes."""
    if n and n % MIB == 0:
        return '%dm' % (n // MIB)
    if n and n % 1024 == 0:
        return '%dk' % (n // 1024)
    return str(n)


def number(s):
    m = re.fullmatch(r'(\d+)([kKmMgG]?)', s)
    if not m:
        raise ValueError('bad number %r' % s)
    return int(m.group(1)) << {'': 0, 'k': 10, 'm': 20, 'g': 30}[m.group(2).lower()]


class IMap:
    """Non-overlapping [start, end) -> value pieces; what is not set is None."""

    def __init__(self):
        self.p = []

    def get(self, s, e):
        out, at = [], s
        for a, b, v in self.p:
            if b <= s or a >= e:
                continue
            a, b = max(a, s), min(b, e)
            if a > at:
                out.append((at, a, None))
            out.append((a, b, v))
            at = b
        if at < e:
            out.append((at, e, None))
        return out

    def set(self, s, e, v):
        if e <= s:
            return
        keep = []
        for a, b, w in self.p:
            if b <= s or a >= e:
                keep.append((a, b, w))
                continue
            if a < s:
                keep.append((a, s, w))
            if b > e:
                keep.append((e, b, w))
        if v is not None:
            keep.append((s, e, v))
        self.p = sorted(keep)

    def map(self, s, e, fn):
        for a, b, v in self.get(s, e):
            self.set(a, b, fn(v))


class Content:
    """What a file holds: pieces ('p', seed, delta) (the word at offset o has pattern offset
    o + delta), 'unknown', or None (zeros); size as a range [lo, hi]."""

    def __init__(self):
        self.m = IMap()
        self.lo = self.hi = 0

    def extend(self, end):
        self.lo, self.hi = max(self.lo, end), max(self.hi, end)

    def may_extend(self, end):
        self.hi = max(self.hi, end)

    def get(self, s, e):
        """Pieces of [s, e); beyond the size, zeros."""
        return [(a, b, v if a < self.lo else None) for a, b, v in self.m.get(s, e)]

    def write(self, off, n, seed, patoff):
        if n:   # a write that wrote nothing changes nothing, not even the size
            self.m.set(off, off + n, ('p', seed, patoff - off))
            self.extend(off + n)

    def unknown(self, s, e):
        self.m.set(s, e, 'unknown')
        self.may_extend(e)


def shifted(v, by):
    """A piece moved by `by` bytes keeps its bytes."""
    if isinstance(v, tuple):
        return ('p', v[1], v[2] - by)
    return v


def same_content(ca, a, cb, b, n):
    """Whether [a, a + n) of ca and [b, b + n) of cb hold the same bytes, or None if unknown."""
    pa = [(s - a, e - a, v) for s, e, v in ca.get(a, a + n)]
    pb = [(s - b, e - b, shifted(v, a - b) if v else v) for s, e, v in cb.get(b, b + n)]
    cuts = sorted({x for s, e, _ in pa + pb for x in (s, e)})
    for s, e in zip(cuts, cuts[1:]):
        va = next(v for x, y, v in pa if x <= s < y)
        vb = next(v for x, y, v in pb if x <= s < y)
        if 'unknown' in (va, vb):
            return None
        if va != vb:
            return False
    return True


# ---------------------------------------------------------------------------------------
# The generator.

class File:
    def __init__(self, name, nocow):
        self.name, self.nocow = name, nocow
        self.c = Content()
        # Layout as the generator plans it: ('pre', ext), ('w', ext, synced), or None (hole).
        self.lay = IMap()

    @property
    def size(self):
        return self.c.lo


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seed = seed
        self.steps = []
        self.shape = 'random'
        self.next_ext = 0
        self.shared = set()     # extents some clone or dedupe shares already
        self.dups = []          # (file, off, file, off, len) written with the same pattern
        r = self.r
        n = r.randint(2, 4)
        self.files = [File('f%d' % i, r.random() < 0.3) for i in range(n)]
        if n > 2 and r.random() < 0.4:  # two NODATACOW files, so that they can share extents
            self.files[-1].nocow = self.files[-2].nocow = True
        self.files[0].nocow = False

    def ext(self):
        self.next_ext += 1
        return self.next_ext

    def add(self, *words):
        self.steps.append(' '.join(words))
        return len(self.steps)

    def path(self, f):
        return '"$MNT/%s"' % f.name

    # The operations; each records its step and updates the plan as if it worked.

    def falloc(self, f, off, n, keep):
        self.add('xfs_io', '-c', '"falloc %s%s %s"' % ('-k ' if keep else '', human(off), human(n)),
                 self.path(f))
        e = self.ext()
        for a, b, v in f.lay.get(off, off + n):
            if v is None:
                f.lay.set(a, b, ('pre', e))
        if not keep:
            f.c.extend(off + n)

    def pwrite(self, f, off, n, seed=None, patoff=None):
        if seed is None:
            seed = len(self.steps) + 1
            patoff = off if self.r.random() < 0.5 else self.r.randrange(0, 1 << 30, K)
        self.add('fuzz-io', 'pwrite', self.path(f), human(off), human(n), str(seed), human(patoff))
        for a, b, v in f.lay.get(off, off + n):
            if v and v[0] == 'pre':
                f.lay.set(a, b, ('w', v[1], False))
            elif v and f.nocow and v[1] not in self.shared:
                f.lay.set(a, b, ('w', v[1], False))
            else:
                f.lay.set(a, b, ('w', self.ext(), False))
        f.c.write(off, n, seed, patoff)
        return seed, patoff

    def fsync(self, f):
        self.add('fuzz-io', 'fsync', self.path(f))
        f.lay.map(0, 1 << 40, lambda v: ('w', v[1], True) if v and v[0] == 'w' else v)

    def sync(self):
        self.add('sync')
        for f in self.files:
            f.lay.map(0, 1 << 40, lambda v: ('w', v[1], True) if v and v[0] == 'w' else v)

    def punch(self, f, off, n):
        self.add('xfs_io', '-c', '"fpunch %s %s"' % (human(off), human(n)), self.path(f))
        a, b = (off + K - 1) // K * K, (off + n) // K * K
        f.lay.set(a, b, None)
        f.c.m.set(off, min(off + n, f.size), None)

    def share(self, f, s, e):
        for a, b, v in f.lay.get(s, e):
            if v:
                self.shared.add(v[1])

    def clone(self, f, so, g, do, n):
        self.add('fuzz-io', 'clone', self.path(f), human(so), self.path(g), human(do), human(n))
        n = n or f.size - so
        self.share(f, so, so + n)
        pieces = f.c.get(so, so + n)
        lay = f.lay.get(so, so + n)
        for a, b, v in pieces:
            g.c.m.set(a - so + do, b - so + do, shifted(v, do - so) if v else v)
        for a, b, v in lay:
            g.lay.set(a - so + do, b - so + do, v)
        g.c.extend(do + n)

    def dedupe(self, f, so, g, do, n):
        self.add('fuzz-io', 'dedupe', self.path(f), human(so), self.path(g), human(do), human(n))
        self.share(f, so, so + n)
        self.share(g, do, do + n)

    # Choices.

    def length(self, lo, hi, odd=0.15):
        n = self.r.randrange(lo, hi + 1, K)
        if self.r.random() < odd:
            n -= self.r.randrange(8, K, 8)
        return max(n, 8)

    def where(self, f, n):
        """An offset to write n bytes at: inside a preallocated range or anywhere near EOF."""
        pre = [(a, b) for a, b, v in f.lay.p if v and v[0] == 'pre']
        if pre and self.r.random() < 0.6:
            a, b = self.r.choice(pre)
            return self.r.randrange(a, b, K)
        return self.r.randrange(0, max(f.size, MIB) + MIB, K)

    def peer(self, f, same_ok=True):
        """A file a remap from f may target: same NODATACOW flag."""
        c = [g for g in self.files if g.nocow == f.nocow and (same_ok or g is not f)]
        return self.r.choice(c) if c else None

    def free_dst(self, g, n, avoid=()):
        """An aligned destination offset in g for n bytes, clear of the ranges in avoid."""
        for _ in range(20):
            do = self.r.randrange(0, (max(g.size, MIB) + MIB) // K) * K
            if all(do + n <= a or do >= b for a, b in avoid):
                return do
        return None

    def random_clone(self):
        f = self.r.choice(self.files)
        if f.size < K:
            return
        so = self.r.randrange(0, f.size // K) * K
        n = min(self.r.choice([K, 2 * K, 16 * K, 128 * K, MIB]), f.size - so) // K * K
        if n == 0 or (self.r.random() < 0.1 and f.size % K):
            n = 0       # to EOF
        g = self.peer(f)
        end = so + (n or f.size - so)
        do = self.free_dst(g, end - so, [(so, end)] if g is f else [])
        if do is not None and (n or do + end - so >= g.size):
            self.clone(f, so, g, do, n)

    def random_dedupe(self):
        cands = []
        for f, a, g, b, n in self.dups:
            for _ in range(4):
                x = self.r.randrange(0, n // K) * K if n >= K else 0
                m = min(self.r.choice([K, 4 * K, 32 * K]), n - x) // K * K
                if m and same_content(f.c, a + x, g.c, b + x, m) and \
                        a + x + m <= f.size and b + x + m <= g.size and \
                        f.nocow == g.nocow and (f is not g or abs(a - b) >= m):
                    cands.append((f, a + x, g, b + x, m))
        # Zeros dedupe too: two blocks of holes or untouched preallocation.
        for f in self.files:
            g = self.peer(f)
            for _ in range(3):
                if f.size < K or g.size < K:
                    break
                a = self.r.randrange(0, f.size // K) * K
                b = self.r.randrange(0, g.size // K) * K
                if (f is not g or a != b) and same_content(f.c, a, g.c, b, K) and \
                        all(v is None for _, _, v in f.c.get(a, a + K)):
                    cands.append((f, a, g, b, K))
        if cands:
            self.dedupe(*self.r.choice(cands))

    def random_op(self, full):
        r = self.r
        f = r.choice(self.files)
        op = r.choices(['falloc', 'pwrite', 'dup', 'fsync', 'punch', 'clone', 'dedupe', 'sync'],
                       [0 if full else 3, 5, 0 if full else 2, 2, 2, 2, 2, 1])[0]
        if op == 'falloc':
            n = self.length(64 * K, 4 * MIB, odd=0)
            self.falloc(f, r.randrange(0, 16 * MIB, K), n, r.random() < 0.4)
        elif op == 'pwrite':
            n = self.length(K, 256 * K)
            self.pwrite(f, self.where(f, n), n)
        elif op == 'dup':
            g = self.peer(f)
            n = self.length(K, 64 * K, odd=0)
            a, b = self.where(f, n), self.where(g, n)
            if g is f and abs(a - b) < n:
                return
            seed, patoff = self.pwrite(f, a, n)
            self.pwrite(g, b, n, seed, patoff)
            self.dups.append((f, a, g, b, n))
        elif op == 'fsync':
            self.fsync(f)
        elif op == 'punch':
            if f.size:
                off = r.randrange(0, f.size, 8 if r.random() < 0.2 else K)
                self.punch(f, off, self.length(K, 256 * K, odd=0.2))
        elif op == 'clone':
            self.random_clone()
        elif op == 'dedupe':
            self.random_dedupe()
        else:
            self.sync()

    # The shapes that lose data when the flush before a remap misses unreserved data.

    def prealloc_shape(self):
        """A preallocated extent with a part written and synced, the rest still preallocated."""
        r = self.r
        f = r.choice([f for f in self.files if not f.nocow])
        off = r.randrange(0, 8 * MIB, K) if r.random() < 0.7 else r.randrange(0, 16) * MIB
        n = r.choice([256 * K, MIB, 4 * MIB, 8 * MIB, 16 * MIB])
        self.falloc(f, off, n, r.random() < 0.4)
        w = self.length(K, min(n // 2, 2 * MIB), odd=0)
        where = r.choice(['start', 'middle', 'end'])
        a = off if where == 'start' else off + n - w if where == 'end' else \
            off + r.randrange(1, (n - w) // K) * K
        seed, patoff = self.pwrite(f, a, w)
        if r.random() < 0.5:            # the same data elsewhere: something to dedupe with
            g = self.peer(f)
            b = self.free_dst(g, w, [(off, off + n)] if g is f else [])
            if b is not None:
                self.pwrite(g, b, w, seed, patoff)
                self.dups.append((f, a, g, b, w))
                self.fsync(g)
        self.fsync(f)

    def nocow_shape(self):
        """NODATACOW data written and synced: it takes NOCOW overwrites."""
        r = self.r
        f = r.choice([f for f in self.files if f.nocow])
        n = self.length(16 * K, 4 * MIB, odd=0)
        off = r.randrange(0, 4 * MIB, K)
        seed, patoff = self.pwrite(f, off, n)
        if r.random() < 0.5:
            g = self.peer(f, same_ok=False)
            if g:
                b = self.free_dst(g, n)
                self.pwrite(g, b, n, seed, patoff)
                self.dups.append((f, off, g, b, n))
                self.fsync(g)
        self.fsync(f)

    def tail(self):
        """The last unreserved write, then the remap that must not lose it."""
        r = self.r
        shapes = []         # (file, extent, written ranges, preallocated ranges)
        for f in self.files:
            exts = {}
            for a, b, v in f.lay.p:
                if v and v[1] not in self.shared:
                    exts.setdefault(v[1], []).append((a, b, v))
            for e, ps in exts.items():
                w = [(a, b) for a, b, v in ps if v[0] == 'w' and v[2]]
                p = [(a, b) for a, b, v in ps if v[0] == 'pre']
                if f.nocow and w:
                    shapes.append(('nocow', f, w, w))
                elif not f.nocow and w and p:
                    shapes.append(('written', f, w, p))
                elif p:
                    shapes.append(('prealloc', f, p, p))
        kinds = {k for k, *_ in shapes}
        pick = r.choices(['written', 'nocow', 'prealloc', 'random'], [6, 2, 1, 1])[0]
        if pick not in kinds:
            pick = 'written' if 'written' in kinds else 'random' if not kinds else \
                r.choice(sorted(kinds))
        self.shape = pick
        if pick == 'random':
            f = r.choice(self.files)
            n = self.length(16 * K, MIB)
            self.pwrite(f, self.where(f, n), n)
            if r.random() < 0.5:
                self.random_dedupe()
            else:
                self.random_clone()
            return
        _, f, src, dirty = r.choice([s for s in shapes if s[0] == pick])
        # The unreserved write, last: 4 KiB to 1 MiB of the preallocated (or NOCOW) range.
        a, b = r.choice(dirty)
        woff = r.randrange(a, b, K)
        wn = min(self.length(K, MIB), b - woff)
        self.pwrite(f, woff, wn)
        # The remap's source: blocks of the written part (of the same extent).
        a, b = r.choice(src)
        so = r.randrange(a, b, K) // K * K
        n = max(K, min(r.choice([K, K, 2 * K, 8 * K, 32 * K]), (b - so) // K * K))
        if so + n > f.size:
            return
        how = r.choices(['clone', 'clone-same', 'dedupe'], [3, 2, 3])[0]
        self.shape = '%s: unreserved write to %s, then a remap of its blocks' % (
            {'written': 'the written part of a preallocated extent',
             'nocow': 'a NODATACOW extent', 'prealloc': 'a preallocated extent'}[pick],
            {'written': 'the preallocated part', 'nocow': 'the same extent',
             'prealloc': 'the extent'}[pick])
        if how == 'dedupe':
            for g0, a0, g1, b1, m in self.dups:
                if g0 is f and a0 <= so and so + n <= a0 + m:
                    g, do = g1, b1 + so - a0
                    if same_content(f.c, so, g.c, do, n) and do + n <= g.size:
                        self.dedupe(f, so, g, do, n)
                        return
            how = 'clone'
        g = f if how == 'clone-same' else self.peer(f, same_ok=False) or f
        do = self.free_dst(g, n, [(so, so + n), (woff, woff + wn)] if g is f else [])
        if do is not None:
            self.clone(f, so, g, do, n)

    def generate(self):
        r = self.r
        self.add('touch', *(self.path(f) for f in self.files))
        nocow = [f for f in self.files if f.nocow]
        if nocow:
            self.add('chattr', '+C', *(self.path(f) for f in nocow))
        for _ in range(r.randint(0, 4)):
            self.random_op(False)
        if r.random() < 0.85:
            self.prealloc_shape()
        if nocow and r.random() < 0.6:
            self.nocow_shape()
        for _ in range(r.randint(0, 4)):
            self.random_op(False)
        self.sync()
        self.add('fuzz-io', 'fill', '"$MNT/%s"' % PAD)
        for _ in range(r.choice([0, 0, 1, 2])):
            self.random_op(True)
        self.tail()
        for f in r.sample(self.files, len(self.files)):
            self.fsync(f)
        return self.steps


def script(steps, title):
    head = '''#!/bin/bash
# %s
# Each step runs as is; the harness records its exit status and output. To run it by hand:
# a fresh %d MiB btrfs mounted at $MNT (on dm-flakey, to cut the power afterwards), and
# fuzz-io (tools/fuzz/fuzz-io.c; tools/fuzz/run builds it in build/fuzz-tools) in PATH.
: "${MNT:?the mount point of a fresh btrfs}"
type step >/dev/null 2>&1 || step() { shift; echo "+ $*"; "$@"; }
''' % (title, FS_SIZE // MIB)
    return head + ''.join('step %d %s\n' % (i + 1, s) for i, s in enumerate(steps))


# ---------------------------------------------------------------------------------------
# The model of a case the guest ran, and the verdict.

def parse_script(text):
    """(number, argv) of each step line; the file arguments lose their "$MNT/"."""
    out = []
    for line in text.splitlines():
        if not line.startswith('step '):
            continue
        argv = shlex.split(line)[1:]
        argv = [a[len('$MNT/'):] if a.startswith('$MNT/') else a for a in argv]
        out.append((int(argv[0]), argv[1:]))
    return out


def parse_results(path):
    res = {}
    if os.path.exists(path):
        for line in open(path, errors='replace'):
            n, rc, out = (line.rstrip('\n').split('\t') + ['', ''])[:3]
            res[int(n)] = (int(rc), out)
    return res


def describe(v, writer):
    if v is None:
        return 'zeros'
    if v == 'unknown':
        return 'undetermined'
    if v == 'junk':
        return 'other bytes'
    return 'data of step %s (seed %d)' % (writer.get(v[1], '?'), v[1])


def model(steps, results):
    """Replay the steps with their results: (files, problems, writers)."""
    files, problems, writer = {}, [], {}

    def fc(name):
        return files.setdefault(name, Content())

    for n, argv in steps:
        if n not in results:
            problems.append('step %d (%s) has no result: the guest stopped before it' %
                            (n, ' '.join(argv)))
            break
        rc, out = results[n]
        cmd = argv[0]
        if cmd == 'touch':
            for a in argv[1:]:
                fc(a)
        elif cmd in ('chattr', 'sync'):
            pass
        elif cmd == 'xfs_io':
            sub, name = shlex.split(argv[2]), argv[3]
            c = fc(name)
            ok = rc == 0 and not out.strip()
            if sub[0] == 'falloc':
                keep = sub[1] == '-k'
                off, ln = number(sub[-2]), number(sub[-1])
                if not keep:
                    (c.extend if ok else c.may_extend)(off + ln)
            elif sub[0] == 'fpunch':
                off, ln = number(sub[1]), number(sub[2])
                end = min(off + ln, c.lo)
                if ok:
                    c.m.set(off, end, None)
                else:
                    c.m.set(off, end, 'unknown')
            else:
                problems.append('step %d: the model knows no xfs_io command %s' % (n, sub[0]))
        elif cmd == 'fuzz-io' and argv[1] == 'pwrite':
            name, off, ln, seed, patoff = argv[2], number(argv[3]), number(argv[4]), \
                int(argv[5]), number(argv[6])
            writer.setdefault(seed, n)
            c = fc(name)
            m = re.search(r'wrote (\d+)/', out)
            if m:
                c.write(off, int(m.group(1)), seed, patoff)
            else:
                c.unknown(off, off + ln)
        elif cmd == 'fuzz-io' and argv[1] in ('clone', 'dedupe'):
            f, so, g, do, ln = argv[2], number(argv[3]), argv[4], number(argv[5]), number(argv[6])
            cf, cg = fc(f), fc(g)
            ln = ln or cf.lo - so
            if argv[1] == 'clone':
                if rc == 0:
                    for a, b, v in cf.get(so, so + ln):
                        cg.m.set(a - so + do, b - so + do, shifted(v, do - so) if v else v)
                    cg.extend(do + ln)
                elif not re.search(r'Invalid argument|not supported|Cross-device', out):
                    cg.unknown(do, do + ln)
            else:
                same = same_content(cf, so, cg, do, ln)
                if rc == 0 and same is False:
                    problems.append('step %d: the dedupe succeeded, but the model says the '
                                    'ranges differ' % n)
                if rc != 0 and 'differ' in out and same:
                    problems.append('step %d: the dedupe says the ranges differ, but they '
                                    'hold the same data' % n)
        elif cmd == 'fuzz-io' and argv[1] == 'fsync':
            if rc != 0:
                problems.append('step %d: fsync %s failed: %s' % (n, argv[2], out))
        elif cmd == 'fuzz-io' and argv[1] == 'fill':
            if rc != 0:
                problems.append('step %d: fill failed: %s' % (n, out))
        else:
            problems.append('step %d: the model knows no command %s' % (n, ' '.join(argv)))
    return files, problems, writer


def parse_scan(path):
    size, pieces = None, []
    for line in open(path, errors='replace'):
        w = line.split()
        if w[0] == 'size':
            size = int(w[1])
        elif len(w) >= 3 and w[2] in ('zero', 'junk', 'pat'):
            v = None if w[2] == 'zero' else 'junk' if w[2] == 'junk' else \
                ('p', int(w[3]), int(w[4]))
            pieces.append((int(w[0]), int(w[1]), v))
        else:
            raise ValueError(line.strip())
    return size, pieces


def compare(name, c, size, actual, writer):
    """Differences between the model c and what the scan found, merged, first few."""
    out = []
    if not c.lo <= size <= c.hi:
        want = str(c.lo) if c.lo == c.hi else '%d to %d' % (c.lo, c.hi)
        out.append('%s: size %d, expected %s' % (name, size, want))
    end = min(size, c.lo)
    exp = c.get(0, end)
    cuts = sorted({x for s, e, _ in exp + actual for x in (s, e) if x <= end} | {0, end})
    bad = []
    ia = ie = 0
    for s, e in zip(cuts, cuts[1:]):
        while exp[ie][1] <= s:
            ie += 1
        while actual[ia][1] <= s:
            ia += 1
        ve, va = exp[ie][2], actual[ia][2]
        if ve == 'unknown' or ve == va:
            continue
        # A pattern piece shorter than 4 words scans as junk.
        if va == 'junk' and isinstance(ve, tuple) and exp[ie][1] - exp[ie][0] < 32:
            continue
        if bad and bad[-1][1] == s and bad[-1][2:] == (ve, va):
            bad[-1] = (bad[-1][0], e, ve, va)
        else:
            bad.append((s, e, ve, va))
    total = sum(e - s for s, e, _, _ in bad)
    for s, e, ve, va in bad[:4]:
        out.append('%s [%d, %d) (%s at %s): expected %s, found %s' %
                   (name, s, e, human(e - s), human(s), describe(ve, writer), describe(va, writer)))
    if len(bad) > 4:
        out.append('%s: %d more differing ranges' % (name, len(bad) - 4))
    if bad:
        out.append('%s: %d bytes differ from the model' % (name, total))
    return out


def check(d, trouble):
    problems = []
    for f in ('failures',):
        p = os.path.join(d, f)
        if os.path.exists(p):
            problems += ['harness: ' + x.strip() for x in open(p, errors='replace') if x.strip()]
    steps = parse_script(open(os.path.join(d, 'case.sh')).read())
    files, p, writer = model(steps, parse_results(os.path.join(d, 'results')))
    problems += p
    if os.path.exists(os.path.join(d, 'dmesg')):
        pat = re.compile(trouble)
        log = [line for line in open(os.path.join(d, 'dmesg'), errors='replace') if pat.search(line)]
        if log:
            problems.append('kernel log: ' + ' | '.join(re.sub(r'^\[[^]]*\] ', '', x.strip())
                                                        for x in log[:3]))
    if os.path.exists(os.path.join(d, 'ran')) and not os.path.exists(os.path.join(d, 'failures')):
        for name in sorted(files):
            p = os.path.join(d, 'scan.' + name)
            if not os.path.exists(p):
                problems.append('%s: missing after the power cut' % name)
                continue
            size, actual = parse_scan(p)
            problems += compare(name, files[name], size, actual, writer)
    return problems


def main(argv):
    if len(argv) == 3 and argv[1] == 'gen':
        seed = int(argv[2])
        g = Gen(seed)
        steps = g.generate()
        sys.stdout.write(script(steps, 'Randomized end-to-end case, seed %d; last: %s.' %
                                (seed, g.shape)))
        return 0
    if len(argv) == 3 and argv[1] == 'check':
        problems = check(argv[2], os.environ.get('KERNEL_TROUBLE', r'BTRFS (error|critical)|WARNING:|BUG:'))
        for p in problems:
            print(p)
        return 1 if problems else 0
    sys.stderr.write('usage: fuzz.py gen SEED | check CASEDIR\n')
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
