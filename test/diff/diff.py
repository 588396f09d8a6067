#!/usr/bin/env python3
"""diff.py - differential testing of coro against CPython 3.11's asyncio.

    diff.py random  --interp BIN [-n N] [--seed S] [--jobs J] [--t0 T]
        Generate N random programs, run each on asyncio (model.py) and on
        coro (BIN, test/diff/interp.c), and compare the traces.  A mismatch
        is shrunk and saved under test/diff/regressions/; exit status 1.
    diff.py check   --interp BIN [--t0 T] FILE...
        Run saved programs (the regressions) and compare.
    diff.py show    --interp BIN FILE
        Print both traces of one program side by side (first difference marked).
    diff.py shrink  --interp BIN FILE
        Shrink a mismatching program and print it.
"""
import argparse
import hashlib
import multiprocessing
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REGRESSIONS = os.path.join(HERE, 'regressions')
WRAP_T0 = 0xFFFFD8F0      # 10 s before the 32-bit millisecond wrap


def run_c(interp, progs, t0=0):
    """progs: [(name, Prog)] -> {name: [lines]} from the C interpreter."""
    text = ''.join('--- %s\n%s' % (name, p.text()) for name, p in progs)
    r = subprocess.run([interp, str(t0)], input=text, capture_output=True, text=True)
    traces, cur = {}, None
    for line in r.stdout.splitlines():
        if line.startswith('=== '):
            cur = traces.setdefault(line[4:], [])
        elif cur is not None:
            cur.append(line)
    if r.returncode != 0:
        if len(progs) > 1:
            # Find the culprit(s): the exit status (a sanitizer, say) belongs
            # to the whole batch.
            for name, p in progs:
                traces[name] = run_c(interp, [(name, p)], t0)[name]
            return traces
        msg = 'CRASH: interpreter exit status %d: %s' % (r.returncode, r.stderr.strip()[-2000:])
        for name, _ in progs:
            traces.setdefault(name, []).append(msg)
    return traces


def ref_trace(prog):
    try:
        return model.reference(prog)
    except Exception as e:      # a model bug must not pass silently
        return ['MODEL ERROR %s: %s' % (type(e).__name__, e)]


def mismatch(interp, prog, t0=0):
    want = ref_trace(prog)
    got = run_c(interp, [('p', prog)], t0).get('p', ['NO OUTPUT'])
    return want != got


def first_diff(a, b):
    for i in range(max(len(a), len(b))):
        if i >= len(a) or i >= len(b) or a[i] != b[i]:
            return i
    return -1


def show(prog, want, got, out=sys.stdout):
    i = first_diff(want, got)
    print(prog.text(), file=out, end='')
    print('%-60s | %s' % ('asyncio (reference)', 'coro'), file=out)
    for k in range(max(len(want), len(got))):
        a = want[k] if k < len(want) else ''
        b = got[k] if k < len(got) else ''
        mark = '  <<<' if k == i else ('  !=' if a != b else '')
        print('%-60s | %s%s' % (a, b, mark), file=out)

# ----------------------------------------------------------------- shrinking


def candidates(p):
    """Smaller variants of p, most aggressive first."""
    n = len(p.tasks)
    # drop a whole task (and references to it become 'not there')
    for j in range(n - 1, 0, -1):
        if p.tasks[j]:
            q = p.copy()
            q.tasks[j] = []
            yield q
    for j in range(n - 1, 0, -1):
        q = p.copy()
        del q.tasks[j]
        for body in q.tasks:
            body[:] = [op for op in body if 't%d' % j not in op]
            for op in body:
                for a in range(1, len(op)):
                    if op[a].startswith('t') and op[a][1:].isdigit() and int(op[a][1:]) > j:
                        op[a] = 't%d' % (int(op[a][1:]) - 1)
        yield q
    if p.nfut:
        q = p.copy()
        k = q.nfut - 1
        q.nfut = k
        for body in q.tasks:
            body[:] = [op for op in body if 'f%d' % k not in op or op[0] in ('gather', 'wait')]
            for op in body:
                op[:] = [a for a in op if a != 'f%d' % k]
            body[:] = [op for op in body if not (op[0] == 'gather' and len(model.args_of(op)) == 0)
                       and not (op[0] == 'wait' and len(model.args_of(op)) <= 2)]
        yield q
    # drop ops, chunks first
    for i, body in enumerate(p.tasks):
        size = len(body)
        chunk = size // 2
        while chunk >= 1:
            for s in range(0, size - chunk + 1, chunk):
                q = p.copy()
                del q.tasks[i][s:s + chunk]
                yield q
            chunk //= 2
    # simplify ops
    for i, body in enumerate(p.tasks):
        for o, op in enumerate(body):
            c = model.catch_of(op)
            if c:
                q = p.copy()
                q.tasks[i][o] = op[:-1]
                yield q
                if c == '!a':
                    q = p.copy()
                    q.tasks[i][o][-1] = '!c'
                    yield q
            if op[0] in ('gather', 'wait'):
                args = model.args_of(op)
                first = 1 if op[0] == 'gather' and args[:1] == ['re'] else (2 if op[0] == 'wait' else 0)
                if len(args) - first > 1:
                    for a in range(first, len(args)):
                        q = p.copy()
                        del q.tasks[i][o][1 + a]
                        yield q
                if op[0] == 'gather' and first:
                    q = p.copy()
                    del q.tasks[i][o][1]
                    yield q
            for a in range(1, len(op)):
                v = op[a]
                if v.isdigit() and int(v) > 1:
                    q = p.copy()
                    q.tasks[i][o][a] = str(int(v) // 2) if int(v) > 2 else '1'
                    yield q
                if v.isdigit() and int(v) == 1 and op[0] in ('sleep', 'wait_for', 'wait'):
                    q = p.copy()
                    q.tasks[i][o][a] = '0'
                    if op[0] != 'wait':
                        yield q
            if op[0] in ('wait_for', 'wait') and 'inf' in op:
                q = p.copy()
                q.tasks[i][o][q.tasks[i][o].index('inf')] = '1'
                yield q
            if op[0] in ('cancel', 'raise') and len(op) > 2:
                q = p.copy()
                del q.tasks[i][o][2]                # drop the message
                yield q
            if op[0] == 'sleep':
                q = p.copy()
                q.tasks[i][o] = ['yield'] + ([c] if c else [])
                yield q


def shrink(interp, prog, t0=0, budget=2000):
    tries = 0
    progress = True
    while progress and tries < budget:
        progress = False
        for q in candidates(prog):
            tries += 1
            if q.size() < prog.size() or q.text() != prog.text():
                if q.size() <= prog.size() and mismatch(interp, q, t0):
                    prog = q
                    progress = True
                    break
            if tries >= budget:
                break
    return prog


def save_regression(prog, note=''):
    os.makedirs(REGRESSIONS, exist_ok=True)
    text = prog.text()
    name = hashlib.sha1(text.encode()).hexdigest()[:10]
    path = os.path.join(REGRESSIONS, name + '.prog')
    with open(path, 'w') as fp:
        if note:
            fp.write(''.join('# %s\n' % line for line in note.splitlines()))
        fp.write(text)
    return path

# -------------------------------------------------------------------- runs


def _ref_worker(args):
    name, text = args
    return name, ref_trace(model.parse(text))


def reference_all(progs, jobs):
    items = [(name, p.text()) for name, p in progs]
    if jobs <= 1:
        return dict(_ref_worker(x) for x in items)
    with multiprocessing.Pool(jobs) as pool:
        return dict(pool.imap_unordered(_ref_worker, items, chunksize=64))


def compare(interp, progs, t0, jobs, do_shrink, quiet=False):
    want = reference_all(progs, jobs)
    got = {}
    batch = 500
    for s in range(0, len(progs), batch):
        got.update(run_c(interp, progs[s:s + batch], t0))
    bad = [(name, p) for name, p in progs if want[name] != got.get(name, ['NO OUTPUT'])]
    for name, p in bad[:5]:
        print('MISMATCH in program %s (t0=%#x):' % (name, t0))
        show(p, want[name], got.get(name, []))
        if do_shrink:
            small = shrink(interp, p, t0)
            w, g = ref_trace(small), run_c(interp, [('p', small)], t0).get('p', [])
            print('shrunk to:')
            show(small, w, g)
            path = save_regression(small, 'found by diff.py random (program %s, t0=%#x)' % (name, t0))
            print('saved', path)
    if len(bad) > 5:
        print('... and %d more mismatches' % (len(bad) - 5))
    return len(bad)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cmd', choices=['random', 'check', 'show', 'shrink'])
    ap.add_argument('files', nargs='*')
    ap.add_argument('--interp', required=True)
    ap.add_argument('-n', type=int, default=2000)
    ap.add_argument('--seed', type=int, default=None)
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    ap.add_argument('--t0', type=lambda s: int(s, 0), default=None,
                    help='virtual clock start for coro (default: 0 and the wrap)')
    ap.add_argument('--no-shrink', action='store_true')
    a = ap.parse_intermixed_args()
    t0s = [a.t0] if a.t0 is not None else [0, WRAP_T0]

    if a.cmd == 'random':
        seed = a.seed if a.seed is not None else random.SystemRandom().randrange(1 << 32)
        start = time.time()
        bad = 0
        chunk = 10000
        for base in range(0, a.n, chunk):
            rng = random.Random('%d/%d' % (seed, base))
            progs = [('%d:%d' % (seed, base + i), model.generate(rng))
                     for i in range(min(chunk, a.n - base))]
            for t0 in t0s:
                bad += compare(a.interp, progs, t0, a.jobs, not a.no_shrink)
            if bad:
                break
        print('diff: %d programs (seed %d), %d mismatches, %.1fs' % (a.n, seed, bad, time.time() - start))
        return 1 if bad else 0

    progs = []
    for f in a.files:
        with open(f) as fp:
            progs.append((os.path.basename(f), model.parse(fp.read())))
    if a.cmd == 'check':
        bad = sum(compare(a.interp, progs, t0, 1, False) for t0 in t0s)
        print('diff regressions: %d programs, %d mismatches' % (len(progs), bad))
        return 1 if bad else 0
    for name, p in progs:
        if a.cmd == 'shrink':
            p = shrink(a.interp, p, t0s[0])
        show(p, ref_trace(p), run_c(a.interp, [('p', p)], t0s[0]).get('p', []))
    return 0


if __name__ == '__main__':
    sys.exit(main())
