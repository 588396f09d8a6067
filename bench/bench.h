/*
 * bench.h - what every benchmark program shares (bench/README.md gives the
 * rules and the workloads):
 *
 *   - N comes from argv[1] (W5: M and K);
 *   - the hot part is timed with CLOCK_MONOTONIC, set-up is not;
 *   - random numbers are splitmix64 seeded with 12345;
 *   - one output line:
 *     workload=<w> impl=<impl> n=<N> ns_per_op=<f> peak_rss_kb=<k> checksum=<c> [key=value...]
 *
 * Header-only (static functions), so each program is one .c file.
 */
#ifndef BENCH_H
#define BENCH_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>

#if defined(__GNUC__)
#define BENCH_UNUSED __attribute__((unused))
#else
#define BENCH_UNUSED
#endif

static uint64_t bench_rng_state = 12345;

/* splitmix64: its first three outputs from 12345 are 2454886589211414944,
 * 3778200017661327597 and 2205171434679333405 (bench_selftest checks). */
static BENCH_UNUSED uint64_t splitmix64(void)
{
    uint64_t z = (bench_rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static BENCH_UNUSED uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static BENCH_UNUSED uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The timed part: bench_start() and bench_stop() return the wall clock and
 * also note the process's CPU time, which report() prints as cpu_ns_per_op.
 * On a shared machine, CPU time leaves out the time spent waiting for a CPU,
 * so it is the steadier figure when wall times drift. */
static uint64_t bench_cpu0, bench_cpu1;

static BENCH_UNUSED uint64_t bench_start(void)
{
    bench_cpu0 = cpu_ns();
    return now_ns();
}

static BENCH_UNUSED uint64_t bench_stop(void)
{
    uint64_t t = now_ns();
    bench_cpu1 = cpu_ns();
    return t;
}

/* Peak resident set size in kB: VmHWM from /proc/self/status.  (getrusage's
 * ru_maxrss would also count the parent's memory at fork: Linux carries it
 * over exec.) */
static BENCH_UNUSED long peak_rss_kb(void)
{
    char line[128];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (f != NULL) {
        while (fgets(line, sizeof line, f) != NULL)
            if (sscanf(line, "VmHWM: %ld", &kb) == 1) break;
        fclose(f);
    }
    if (kb < 0) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        kb = ru.ru_maxrss;
    }
    return kb;
}

/* Current resident set size in kB, from /proc/self/statm. */
static BENCH_UNUSED long rss_kb(void)
{
    long pages = 0, res = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL) return -1;
    if (fscanf(f, "%ld %ld", &pages, &res) != 2) res = -1;
    fclose(f);
    return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

static BENCH_UNUSED void die(const char *what)
{
    fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
    exit(2);
}

static BENCH_UNUSED long arg_long(int argc, char **argv, int i, long dflt)
{
    return argc > i ? strtol(argv[i], NULL, 10) : dflt;
}

/* The one result line.  `extra` is "key=value ..." or "". */
static BENCH_UNUSED void report(const char *workload, const char *impl, long n, double ns_per_op,
                                const char *checksum, const char *fmt, ...)
{
    char extra[512] = "";
    va_list ap;
    if (fmt != NULL) {
        va_start(ap, fmt);
        vsnprintf(extra, sizeof extra, fmt, ap);
        va_end(ap);
    }
    if (bench_cpu1 > bench_cpu0 && strstr(extra, "cpu_ns_per_op=") == NULL) {
        size_t len = strlen(extra);
        snprintf(extra + len, sizeof extra - len, "%scpu_ns_per_op=%.3f", len ? " " : "",
                 (double)(bench_cpu1 - bench_cpu0) / (double)n);
    }
    printf("workload=%s impl=%s n=%ld ns_per_op=%.3f peak_rss_kb=%ld checksum=%s%s%s\n", workload,
           impl, n, ns_per_op, peak_rss_kb(), checksum, extra[0] ? " " : "", extra);
    fflush(stdout);
}

/* Room for `nfds` descriptors (W5 at K = 10000 needs more than the usual
 * soft limit of 1024). */
static BENCH_UNUSED void want_fds(long nfds)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) die("getrlimit");
    if ((long)rl.rlim_cur >= nfds) return;
    if (rl.rlim_max != RLIM_INFINITY && (long)rl.rlim_max < nfds) {
        fprintf(stderr, "bench: need %ld fds, hard limit is %ld\n", nfds, (long)rl.rlim_max);
        exit(2);
    }
    rl.rlim_cur = (rlim_t)nfds;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) die("setrlimit");
}

static BENCH_UNUSED void nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1) die("fcntl");
}

/* A non-blocking AF_UNIX stream socketpair. */
static BENCH_UNUSED void nb_socketpair(int sv[2])
{
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) die("socketpair");
    nonblock(sv[0]);
    nonblock(sv[1]);
}

/* W5's set-up: K/2 socketpairs, fd[j] is watched and peer[j] is the other
 * end of its pair, so writing to peer[j] wakes the watcher of fd[j]. */
static BENCH_UNUSED void fanout_pairs(long k, int **fd, int **peer)
{
    long p;
    want_fds(k + 64);
    *fd = (int *)malloc((size_t)k * sizeof **fd);
    *peer = (int *)malloc((size_t)k * sizeof **peer);
    if (*fd == NULL || *peer == NULL) die("malloc");
    for (p = 0; p < k / 2; p++) {
        int sv[2];
        nb_socketpair(sv);
        (*fd)[2 * p] = sv[0];
        (*fd)[2 * p + 1] = sv[1];
        (*peer)[2 * p] = sv[1];
        (*peer)[2 * p + 1] = sv[0];
    }
}

/* W3's offsets: d_i = splitmix64() % 100,000,000 ns, rounded down to whole
 * milliseconds. */
static BENCH_UNUSED uint32_t *timer_offsets_ms(long n, uint64_t *sum)
{
    uint32_t *d = (uint32_t *)malloc((size_t)n * sizeof *d);
    long i;
    *sum = 0;
    if (d == NULL) die("malloc");
    for (i = 0; i < n; i++) {
        d[i] = (uint32_t)((splitmix64() % 100000000u) / 1000000u);
        *sum += d[i];
    }
    return d;
}

#endif /* BENCH_H */
