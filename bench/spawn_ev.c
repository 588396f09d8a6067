/* W1 spawn, libev: ev_once stands in for a task (a callback analogue): N
 * one-shot 0-delay callbacks, each adds i to the sum. */
#include <ev.h>
#include "bench.h"

static long sum, ndone;

static void on_once(int revents, void *arg)
{
    (void)revents;
    sum += (long)(intptr_t)arg;
    ndone++;
}

int main(int argc, char **argv)
{
    long n = arg_long(argc, argv, 1, 1000000), i;
    struct ev_loop *loop = ev_default_loop(0);
    uint64_t t0, t1;
    char ck[32];
    t0 = bench_start();
    for (i = 0; i < n; i++) ev_once(loop, -1, 0, 0., on_once, (void *)(intptr_t)i);
    ev_run(loop, 0);
    t1 = bench_stop();
    if (ndone != n) return 1;
    snprintf(ck, sizeof ck, "%ld", sum);
    report("spawn", "libev", n, (double)(t1 - t0) / (double)n, ck, "analogue=ev_once");
    return 0;
}
