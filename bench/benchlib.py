"""benchlib - what the asyncio benchmark programs share (see bench.h)."""
import os
import resource
import sys
import time

MASK = (1 << 64) - 1


class SplitMix64:
    """splitmix64 seeded with 12345, as in bench.h."""

    def __init__(self, seed=12345):
        self.s = seed

    def __call__(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def arg(i, default):
    return int(sys.argv[i]) if len(sys.argv) > i else default


def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def peak_rss_kb():
    """VmHWM (ru_maxrss would count the forking parent's memory too)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


_cpu = [0, 0]


def start():
    """Start the timed part: returns the wall clock, notes the CPU time."""
    _cpu[0] = time.process_time_ns()
    return time.monotonic_ns()


def stop():
    t = time.monotonic_ns()
    _cpu[1] = time.process_time_ns()
    return t


def report(workload, impl, n, ns_per_op, checksum, **extra):
    if _cpu[1] > _cpu[0] and "cpu_ns_per_op" not in extra:
        extra["cpu_ns_per_op"] = "%.3f" % ((_cpu[1] - _cpu[0]) / n)
    tail = "".join(" %s=%s" % kv for kv in extra.items())
    print("workload=%s impl=%s n=%d ns_per_op=%.3f peak_rss_kb=%d checksum=%s%s"
          % (workload, impl, n, ns_per_op, peak_rss_kb(), checksum, tail), flush=True)


def timer_offsets_ms(n):
    rng = SplitMix64()
    return [(rng() % 100000000) // 1000000 for _ in range(n)]


def want_fds(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(n, hard) if hard >= 0 else n, hard))


now_ns = time.monotonic_ns
