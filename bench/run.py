#!/usr/bin/env python3
"""run.py - the driver behind `make bench` and `make bench-quick`.

It touches 1 GiB once (build/bench/bin/warmup), runs every benchmark command
3 times, interleaved (run 1 of every command, then run 2, ...), and reports
medians: a table with coro's ratio to the floor and to each anchor, callgrind
instructions per op and strace system calls per op for W2 and W4 (and W5 at
K = 100), and which targets of issue 6 are met.  It writes <out>/results.md,
<out>/results.png (gnuplot, ns/op on a log scale), <out>/results.dat and
<out>/raw.txt.  Progress goes to stderr.

Workloads and rules: bench/README.md.  Each program takes N as argv[1] (W5: M
and K) and prints one line "workload=... impl=... n=... ns_per_op=... ...".
"""
import argparse
import concurrent.futures
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BIN = "build/bench/bin"
PY = sys.executable or "python3"
KS = (10, 100, 1000, 10000)


class Cmd:
    def __init__(self, workload, impl, argv, k=None):
        self.workload, self.impl, self.argv, self.k = workload, impl, argv, k
        self.runs = []          # parsed result dicts

    @property
    def key(self):
        return (self.workload, self.impl, self.k)

    def label(self):
        return "%s %s%s" % (self.workload, self.impl, "" if self.k is None else " K=%d" % self.k)


def c(name):
    return os.path.join(BIN, name)


def py(name):
    return [PY, os.path.join("bench", name)]


def commands(quick):
    """Every command, with N as bench/README.md defines it (small N for --quick)."""
    s = 40 if quick else 1      # shrink factor
    n1, n1py = 1000000 // s, 200000 // s
    n2, n2py = 10000000 // s, 1000000 // s
    n3, n3py = 1000000 // s, 200000 // s
    n4, n4streams = 200000 // s, 200000 // (s * 4 if quick else 1)
    nmem, nmempy = 1000000 // s, 200000 // s
    out = []
    add = lambda w, i, argv, k=None: out.append(Cmd(w, i, argv, k))
    # W1 spawn (libuv has no analogue)
    for impl in ("floor", "coro", "ev", "event"):
        add("spawn", {"ev": "libev", "event": "libevent"}.get(impl, impl), [c("spawn_" + impl), str(n1)])
    add("spawn", "asyncio", py("spawn_asyncio.py") + [str(n1py)])
    # W2 yield
    for impl in ("floor", "floor-poll", "coro", "coro-fd", "uv", "ev", "event"):
        add("yield", lib(impl), [c("yield_" + impl), str(n2)])
    add("yield", "asyncio", py("yield_asyncio.py") + [str(n2py)])
    # W3 timers
    for impl in ("floor", "coro", "coro-cb", "uv", "ev", "event"):
        add("timers", lib(impl), [c("timers_" + impl), str(n3)])
    add("timers", "asyncio", py("timers_asyncio.py") + [str(n3py)])
    add("timers", "asyncio-cb", py("timers_asyncio.py") + [str(n3py), "call_later"])
    # W4 ping-pong
    for impl in ("floor", "floor-epoll", "coro", "coro-cb", "coro-epoll", "coro-epoll-cb",
                 "uv", "ev", "event"):
        add("pingpong", lib(impl), [c("pingpong_" + impl), str(n4)])
    add("pingpong", "asyncio", py("pingpong_asyncio.py") + [str(n4)])
    add("pingpong", "asyncio-streams", py("pingpong_asyncio.py") + [str(n4streams), "streams"])
    # W5 fan-out: M = 100,000 wakeups, fewer for poll() whose cost grows with K
    for k in KS:
        for impl in ("floor", "floor-epoll", "coro", "coro-epoll", "uv", "ev", "event"):
            m = 100000
            if impl in ("floor", "coro") and k > 100:
                m = 100000 * 100 // k
            add("fanout", lib(impl), [c("fanout_" + impl), str(max(m // s, 5)), str(k)], k)
        add("fanout", "asyncio", py("fanout_asyncio.py") + [str(100000 // s), str(k)], k)
    # mem_suspended
    for impl in ("floor", "coro"):
        add("mem_suspended", impl, [c("mem_" + impl), str(nmem)])
    add("mem_suspended", "asyncio", py("mem_asyncio.py") + [str(nmempy)])
    return out


def lib(impl):
    return {"uv": "libuv", "ev": "libev", "event": "libevent"}.get(impl, impl)


def binname(workload, impl):
    rev = {"libuv": "uv", "libev": "ev", "libevent": "event"}
    w = {"mem_suspended": "mem"}.get(workload, workload)
    return c("%s_%s" % (w, rev.get(impl, impl)))


def parse(line):
    d = {}
    for tok in line.split():
        if "=" in tok:
            k, v = tok.split("=", 1)
            d[k] = v
    return d


def run_cmd(cmd, timeout=600):
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    dt = time.monotonic() - t0
    lines = [l for l in p.stdout.splitlines() if l.startswith("workload=")]
    if p.returncode != 0 or not lines:
        raise RuntimeError("exit %d: %s" % (p.returncode, (p.stderr or p.stdout).strip()[-400:]))
    return lines[-1], dt


def progress(msg):
    print(msg, file=sys.stderr, flush=True)


def fmt_ns(v):
    if v is None:
        return "-"
    if v < 10:
        return "%.2f" % v
    if v < 100:
        return "%.1f" % v
    return "{:,.0f}".format(v)


def fmt_ratio(v):
    return "-" if v is None else ("%.2f" % v if v < 100 else "{:,.0f}".format(v))


# ----------------------------------------------------------------- counts

def callgrind_ir(argv):
    fd, path = tempfile.mkstemp(prefix="callgrind.")
    os.close(fd)
    try:
        p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + path] + argv,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=1200)
        if p.returncode != 0:
            raise RuntimeError(p.stderr[-400:])
        with open(path) as f:
            for line in f:
                if line.startswith("summary:") or line.startswith("totals:"):
                    return int(line.split()[1])
    finally:
        os.unlink(path)
    raise RuntimeError("no callgrind summary")


def strace_counts(argv):
    fd, path = tempfile.mkstemp(prefix="strace.")
    os.close(fd)
    try:
        p = subprocess.run(["strace", "-f", "-c", "-o", path] + argv, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, timeout=1200)
        if p.returncode != 0:
            raise RuntimeError(p.stderr[-400:])
        counts = {}
        with open(path) as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 5 and re.match(r"^[\d.]+$", fields[0]) and fields[-1] != "total":
                    counts[fields[-1]] = int(fields[3])
        return counts
    finally:
        os.unlink(path)


def per_op(fn, argv_of, n):
    """(count(2N) - count(N)) / N: the per-op cost without start-up."""
    a, b = fn(argv_of(n)), fn(argv_of(2 * n))
    if isinstance(a, dict):
        return {k: (b.get(k, 0) - a.get(k, 0)) / n for k in set(a) | set(b)}
    return (b - a) / n


def count_jobs(quick):
    s = 10 if quick else 1
    jobs = []   # (workload, impl, k, argv_of, n)
    for impl in ("floor", "floor-poll", "coro", "coro-fd", "libuv", "libev", "libevent"):
        jobs.append(("yield", impl, None, lambda n, b=binname("yield", impl): [b, str(n)], 200000 // s))
    for impl in ("floor", "floor-epoll", "coro", "coro-cb", "coro-epoll", "coro-epoll-cb",
                 "libuv", "libev", "libevent"):
        jobs.append(("pingpong", impl, None, lambda n, b=binname("pingpong", impl): [b, str(n)],
                     20000 // s))
    return jobs


def strace_jobs(quick):
    s = 10 if quick else 1
    jobs = []
    for impl in ("floor", "coro", "coro-fd", "libuv", "libev", "libevent"):
        jobs.append(("yield", impl, None, lambda n, b=binname("yield", impl): [b, str(n)], 20000 // s))
    for impl in ("floor", "floor-epoll", "coro", "coro-cb", "coro-epoll", "coro-epoll-cb",
                 "libuv", "libev", "libevent"):
        jobs.append(("pingpong", impl, None, lambda n, b=binname("pingpong", impl): [b, str(n)],
                     4000 // s))
    for impl in ("floor", "floor-epoll", "coro", "coro-epoll", "libuv", "libev", "libevent"):
        jobs.append(("fanout", impl, 100,
                     lambda n, b=binname("fanout", impl): [b, str(n), "100"], 4000 // s))
    return jobs


def count_all(tool, fn, jobs, args, failures):
    jobs = [j for j in jobs if not args.only or j[0] in args.only.split(",")]
    if args.quick:      # only coro and the floor: valgrind's start-up dominates small runs
        jobs = [j for j in jobs if j[1].startswith(("coro", "floor"))]
    out, done = {}, [0]

    def one(job):
        w, impl, k, argv_of, n = job
        try:
            v = per_op(fn, argv_of, n)
        except (RuntimeError, subprocess.TimeoutExpired, OSError) as e:
            failures.append(("%s %s %s" % (tool, w, impl), str(e)))
            v = None
        done[0] += 1
        progress("[%s %d/%d] %s %s%s at N=%d and %d" % (tool, done[0], len(jobs), w, impl,
                                                         "" if k is None else " K=%d" % k, n, 2 * n))
        return v

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as ex:
        for job, v in zip(jobs, ex.map(one, jobs)):
            if v is not None:
                out[job[:3]] = v
    return out


# ------------------------------------------------------------------ table

COLS = ("floor", "coro", "libuv", "libev", "libevent", "asyncio")


def rows():
    anchors = {"libuv": "libuv", "libev": "libev", "libevent": "libevent"}
    r = []
    r.append(("W1 spawn (libev/libevent: once-callbacks)", "spawn", None,
              dict(floor="floor", coro="coro", libev="libev", libevent="libevent", asyncio="asyncio")))
    r.append(("W2 yield", "yield", None,
              dict(floor="floor", coro="coro", asyncio="asyncio", **anchors)))
    r.append(("W2 yield, an idle fd watched (floor polls each turn)", "yield", None,
              dict(floor="floor-poll", coro="coro-fd")))
    r.append(("W3 timers, tasks / sleep", "timers", None,
              dict(floor="floor", coro="coro", asyncio="asyncio", **anchors)))
    r.append(("W3 timers, callbacks / call_later", "timers", None,
              dict(floor="floor", coro="coro-cb", asyncio="asyncio-cb", **anchors)))
    r.append(("W4 ping-pong, tasks (asyncio: streams)", "pingpong", None,
              dict(floor="floor", coro="coro", asyncio="asyncio-streams", **anchors)))
    r.append(("W4 ping-pong, callbacks (asyncio: add_reader)", "pingpong", None,
              dict(floor="floor", coro="coro-cb", asyncio="asyncio", **anchors)))
    r.append(("W4 ping-pong, tasks, epoll backend", "pingpong", None,
              dict(floor="floor-epoll", coro="coro-epoll", asyncio="asyncio-streams", **anchors)))
    r.append(("W4 ping-pong, callbacks, epoll backend", "pingpong", None,
              dict(floor="floor-epoll", coro="coro-epoll-cb", asyncio="asyncio", **anchors)))
    for k in KS:
        r.append(("W5 K=%d, poll backend" % k, "fanout", k,
                  dict(floor="floor", coro="coro", asyncio="asyncio", **anchors)))
        r.append(("W5 K=%d, epoll backend" % k, "fanout", k,
                  dict(floor="floor-epoll", coro="coro-epoll", asyncio="asyncio", **anchors)))
    return r


def median_field(cmd, field):
    vals = [float(r[field]) for r in cmd.runs if field in r]
    return statistics.median(vals) if vals else None


def build_table(by_key, field="ns_per_op"):
    table = []
    for label, w, k, m in rows():
        vals = {}
        for col in COLS:
            impl = m.get(col)
            cmd = by_key.get((w, impl, k)) if impl else None
            vals[col] = median_field(cmd, field) if cmd else None
        table.append((label, vals, m))
    # memory row: bytes per task
    vals = {}
    for col in COLS:
        cmd = by_key.get(("mem_suspended", col, None))
        vals[col] = median_field(cmd, "bytes_per_task") if cmd else None
    table.append(("mem_suspended, bytes per task", vals, {}))
    return table


def render_table(table):
    head = "| workload | " + " | ".join(COLS) + " | " + " | ".join("coro/" + x for x in COLS if x != "coro") + " |"
    sep = "|---|" + "---:|" * (len(COLS) * 2 - 1)
    lines = [head, sep]
    for label, vals, _ in table:
        cells = [fmt_ns(vals[x]) for x in COLS]
        ratios = []
        for x in COLS:
            if x == "coro":
                continue
            ratios.append(fmt_ratio(vals["coro"] / vals[x]) if vals["coro"] and vals[x] else "-")
        lines.append("| %s | %s | %s |" % (label, " | ".join(cells), " | ".join(ratios)))
    return "\n".join(lines)


def targets(by_key, table, ir, field="ns_per_op"):
    """Issue 6's targets, each with the measured figure (from wall-clock
    medians, or from CPU-time medians with field="cpu_ns_per_op")."""
    med = lambda w, i, k=None, f=field: (median_field(by_key[(w, i, k)], f)
                                         if (w, i, k) in by_key else None)
    out = []

    def add(name, ok, figure):
        out.append((name, "n/a" if ok is None else ("met" if ok else "NOT met"), figure))

    def ratio(a, b):
        return a / b if a is not None and b else None

    r = ratio(med("spawn", "coro"), med("spawn", "floor"))
    add("W1 spawn <= 1.5x the floor", None if r is None else r <= 1.5, "%sx" % fmt_ratio(r))
    v = med("yield", "coro")
    add("W2 yield <= 10 ns per yield", None if v is None else v <= 10, "%s ns" % fmt_ns(v))
    v, ev = med("timers", "coro"), med("timers", "libev")
    add("W3 <= 150 ns per timer at 1M sleeping tasks", None if v is None else v <= 150, "%s ns" % fmt_ns(v))
    r = ratio(ev, v)
    add("W3 at least 2x faster than libev", None if r is None else r >= 2, "libev/coro = %sx" % fmt_ratio(r))
    r = ratio(med("pingpong", "coro"), med("pingpong", "floor"))
    add("W4 <= 1.05x the bare poll loop", None if r is None else r <= 1.05, "%sx" % fmt_ratio(r))
    ci = ir.get(("pingpong", "coro", None))
    others = {a: ir.get(("pingpong", a, None)) for a in ("libuv", "libev", "libevent")}
    if ci is not None and all(others.values()):
        add("W4 fewer callgrind instructions per round trip than libuv, libev, libevent",
            all(ci < o for o in others.values()),
            "coro %.0f; %s" % (ci, ", ".join("%s %.0f" % (a, o) for a, o in others.items())))
    worst = None
    for k in KS:
        r = ratio(med("fanout", "coro", k), med("fanout", "floor", k))
        if r is not None and (worst is None or r > worst[0]):
            worst = (r, k)
    add("W5 poll backend <= 1.1x the bare poll loop at every K", None if worst is None else worst[0] <= 1.1,
        "worst %sx at K=%d" % (fmt_ratio(worst[0]), worst[1]) if worst else "-")
    worst = None
    for k in KS:
        r = ratio(med("fanout", "coro-epoll", k), med("fanout", "floor-epoll", k))
        if r is not None and (worst is None or r > worst[0]):
            worst = (r, k)
    add("W5 epoll backend <= 1.1x the bare epoll loop at every K", None if worst is None else worst[0] <= 1.1,
        "worst %sx at K=%d" % (fmt_ratio(worst[0]), worst[1]) if worst else "-")
    for k in (1000, 10000):
        r = ratio(med("fanout", "coro-epoll", k), med("fanout", "libuv", k))
        add("W5 epoll ahead of libuv at K=%d" % k, None if r is None else r < 1, "coro/libuv = %sx" % fmt_ratio(r))
    v = med("mem_suspended", "coro", None, "bytes_per_task")
    add("mem_suspended <= 128 bytes per task", None if v is None else v <= 128, "%s B" % fmt_ns(v))
    return out


# ------------------------------------------------------------------- info

def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True).stdout.strip()
    except OSError:
        return ""


def machine():
    cpu = sh("sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1")
    mem = sh("awk '/MemTotal/ {printf \"%.0f GiB\", $2/1048576}' /proc/meminfo")
    virt = sh("lscpu | sed -n 's/^Hypervisor vendor: *//p'") or sh("systemd-detect-virt 2>/dev/null")
    pkg = lambda p: sh("dpkg-query -W -f='${Version}' %s 2>/dev/null" % p) or "?"
    return [
        ("machine", "%s, %d CPUs, %s RAM%s" % (cpu, os.cpu_count() or 0, mem, ", VM (%s)" % virt if virt else "")),
        ("kernel", platform.release()),
        ("compiler", sh("cc --version | head -n 1") + ", -O2"),
        ("libc", sh("ldd --version | head -n 1")),
        ("libuv", pkg("libuv1-dev")),
        ("libev", pkg("libev-dev")),
        ("libevent", pkg("libevent-dev")),
        ("python", "%s (%s)" % (platform.python_version(), PY)),
        ("valgrind", sh("valgrind --version")),
    ]


# -------------------------------------------------------------------- plot

def plot(table, outdir):
    dat = os.path.join(outdir, "results.dat")
    nrows = 0
    with open(dat, "w") as f:
        f.write("label " + " ".join(COLS) + "\n")
        for label, vals, _ in table:
            if label.startswith("mem_"):
                continue
            short = label.split(" (")[0].replace("callbacks", "cb").replace(", epoll backend", " epoll")
            short = short.replace(", poll backend", " poll").replace(", an idle fd watched", " +fd")
            short = short.replace(" / sleep", "").replace(" / call_later", "")
            f.write('"%s" %s\n' % (short, " ".join("-" if vals[x] is None else "%.3f" % vals[x] for x in COLS)))
            nrows += 1
    png = os.path.join(outdir, "results.png")
    script = """
set terminal pngcairo size 1600,800 font ",10"
set output '%s'
set title "ns per op by workload and implementation (median of 3 runs, log scale, lower is better)"
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [1:*]
set ylabel "ns per op"
set format y "10^{%%L}"
set xtics rotate by -35 scale 0 font ",9"
set key top left horizontal
set datafile missing "-"
set grid ytics
set bmargin 9
set xrange [-0.6:%d.6]
plot '%s' using 2:xtic(1) title "floor", '' using 3 title "coro", '' using 4 title "libuv", \\
     '' using 5 title "libev", '' using 6 title "libevent", '' using 7 title "asyncio"
""" % (png, nrows - 1, dat)
    p = subprocess.run(["gnuplot"], input=script, text=True, stderr=subprocess.PIPE)
    if p.returncode != 0:
        progress("gnuplot failed: " + p.stderr.strip())
        return None
    return png


# -------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small N (make bench-quick)")
    ap.add_argument("--out", default="bench", help="directory for results.md/.png/.dat")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated workloads to run (debugging)")
    ap.add_argument("--no-counts", action="store_true", help="skip callgrind and strace")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    started = time.monotonic()

    cmds = commands(args.quick)
    if args.only:
        keep = set(args.only.split(","))
        cmds = [x for x in cmds if x.workload in keep]
    progress("bench: %d commands x %d runs%s" % (len(cmds), args.runs, " (quick)" if args.quick else ""))
    try:
        run_cmd([c("warmup"), "1024"])
    except RuntimeError as e:
        progress("warm-up failed: %s" % e)
    progress("bench: warm-up done (1 GiB touched)")

    raw = []
    failures = []
    total = len(cmds) * args.runs
    done = 0
    for r in range(args.runs):
        for cmd in cmds:
            done += 1
            try:
                line, dt = run_cmd(cmd.argv)
            except (RuntimeError, subprocess.TimeoutExpired, OSError) as e:
                failures.append((cmd.label(), str(e)))
                progress("[%3d/%d] run %d  %-34s FAILED: %s" % (done, total, r + 1, cmd.label(), e))
                continue
            d = parse(line)
            cmd.runs.append(d)
            raw.append(line)
            extra = ""
            if "bytes_per_task" in d:
                extra = ", %s B/task" % d["bytes_per_task"]
            progress("[%3d/%d] run %d  %-34s %12s ns/op%s  (%.1f s, %d s so far)"
                     % (done, total, r + 1, cmd.label(), fmt_ns(float(d["ns_per_op"])), extra, dt,
                        time.monotonic() - started))

    by_key = {x.key: x for x in cmds}
    # checksums must agree between runs of a command and, per workload, between implementations
    for x in cmds:
        sums = {r.get("checksum") for r in x.runs}
        if len(sums) > 1:
            failures.append((x.label(), "checksum differs between runs: %s" % sorted(sums)))

    # Instruction and system-call counts do not depend on timing, so these
    # runs go in parallel, one per CPU.
    ir = count_all("callgrind", callgrind_ir, count_jobs(args.quick), args, failures) \
        if not args.no_counts and shutil.which("valgrind") else {}
    sc = count_all("strace", strace_counts, strace_jobs(args.quick), args, failures) \
        if not args.no_counts and shutil.which("strace") else {}

    table = build_table(by_key)
    tab = render_table(table)
    tg = targets(by_key, table, ir)
    ctab = render_table(build_table(by_key, "cpu_ns_per_op"))
    ctg = targets(by_key, table, ir, "cpu_ns_per_op")

    md = []
    md.append("# coro benchmarks%s\n" % (" (quick run: small N, not for comparison)" if args.quick else ""))
    md.append("Generated by `make %s` on %s in %.0f s. Every figure is the median of %d runs,"
              " interleaved, after a 1 GiB warm-up touch; ratios are within this one run."
              " Workloads and method: [README.md](README.md) (in `bench/`)."
              % ("bench-quick" if args.quick else "bench",
                 datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), time.monotonic() - started, args.runs))
    md.append("")
    md.append("| | |\n|---|---|")
    for k, v in machine():
        md.append("| %s | %s |" % (k, v))
    md.append("")
    md.append("## Median ns per op (mem_suspended: bytes per suspended task)\n")
    md.append("`coro/X` is coro's figure divided by X's: below 1 coro is faster (or smaller).\n")
    md.append(tab)
    md.append("")
    md.append("## Median CPU ns per op\n")
    md.append("The same runs, timed with the process's CPU time over the same part"
              " (`cpu_ns_per_op`). On a shared machine it leaves out the time spent"
              " waiting for a CPU, so it is the steadier figure when wall times drift;"
              " it also counts no time blocked in poll (only W3 blocks).\n")
    md.append(ctab)
    md.append("")
    md.append("## Targets (issue 6)\n")
    md.append("Judged on the wall-clock medians, as the issue defines them; the last"
              " column applies the same test to the CPU-time medians.\n")
    md.append("| target | status | measured | on CPU time |\n|---|---|---|---|")
    for (name, st, fig), (_, cst, cfig) in zip(tg, ctg):
        md.append("| %s | %s | %s | %s: %s |" % (name, st, fig, cst, cfig))
    md.append("")
    if ir:
        md.append("## callgrind instructions per op (user space; (Ir(2N) - Ir(N)) / N)\n")
        md.append("| workload | impl | instructions per op |\n|---|---|---:|")
        for (w, impl, k), v in ir.items():
            md.append("| %s | %s | %.0f |" % (w, impl, v))
        md.append("")
    if sc:
        md.append("## System calls per op (strace -c; (calls(2N) - calls(N)) / N)\n")
        md.append("| workload | impl | total | by call |\n|---|---|---:|---|")
        for (w, impl, k), d in sc.items():
            tot = sum(d.values())
            parts = ", ".join("%s %.2f" % (n, v) for n, v in sorted(d.items(), key=lambda x: -x[1]) if v >= 0.005)
            md.append("| %s%s | %s | %.2f | %s |" % (w, "" if k is None else " K=%d" % k, impl, tot, parts))
        md.append("")
    md.append("## Every median\n")
    md.append("`min-max` is the range of the 3 runs: on this kind of shared VM one command's"
              " wall time can vary by tens of percent between runs, so ratios within about"
              " 10% of a target can fall either side of it from one run to the next.\n")
    md.append("| workload | impl | n | ns/op | min-max | peak RSS kB | checksum | other (medians) |\n|---|---|---:|---:|---:|---:|---|---|")
    for x in cmds:
        if not x.runs:
            continue
        other = []
        for f in ("cpu_ns_per_op", "wall_ms", "arm_ms", "bytes_per_task", "k", "backend", "polls_each_turn", "poll_every", "analogue"):
            if f in x.runs[0]:
                try:
                    other.append("%s=%s" % (f, fmt_ns(median_field(x, f))))
                except ValueError:
                    other.append("%s=%s" % (f, x.runs[0][f]))
        vals = [float(r["ns_per_op"]) for r in x.runs]
        md.append("| %s%s | %s | %s | %s | %s-%s | %s | %s | %s |" % (
            x.workload, "" if x.k is None else " K=%d" % x.k, x.impl, x.runs[0]["n"],
            fmt_ns(median_field(x, "ns_per_op")), fmt_ns(min(vals)), fmt_ns(max(vals)),
            "{:,.0f}".format(median_field(x, "peak_rss_kb")), x.runs[0].get("checksum"), " ".join(other)))
    md.append("")
    if failures:
        md.append("## Failures\n")
        for l, e in failures:
            md.append("- %s: %s" % (l, e))
        md.append("")
    png = plot(table, args.out)
    if png:
        md.append("![ns per op, log scale](results.png)\n")

    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write("\n".join(md))
    with open(os.path.join(args.out, "raw.txt"), "w") as f:
        f.write("\n".join(raw) + "\n")

    print(tab)
    print("\nCPU ns per op:")
    print(ctab)
    print()
    print("targets (wall-clock medians; CPU-time medians):")
    for (name, st, fig), (_, cst, cfig) in zip(tg, ctg):
        print("  %-78s %-8s %-22s %-8s %s" % (name, st, fig, cst, cfig))
    if ir:
        print("\ncallgrind instructions per op:")
        for (w, impl, k), v in ir.items():
            print("  %-10s %-15s %8.0f" % (w, impl, v))
    if sc:
        print("\nsystem calls per op:")
        for (w, impl, k), d in sc.items():
            print("  %-10s %-15s %6.2f" % (w + ("" if k is None else " K=%d" % k), impl, sum(d.values())))
    print("\nwrote %s%s" % (os.path.join(args.out, "results.md"), " and " + png if png else ""))
    if failures:
        print("%d failures (see results.md)" % len(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
