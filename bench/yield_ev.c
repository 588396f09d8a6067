/* W2 yield, libev: an idle watcher runs N times (libev polls with a zero
 * timeout on every turn while an idle watcher is active). */
#include <ev.h>
#include "bench.h"

static long n, i;

static void on_idle(struct ev_loop *loop, ev_idle *w, int revents)
{
    (void)revents;
    if (++i == n) ev_idle_stop(loop, w);
}

int main(int argc, char **argv)
{
    struct ev_loop *loop = ev_default_loop(0);
    ev_idle idle;
    uint64_t t0, t1;
    char ck[32];
    n = arg_long(argc, argv, 1, 10000000);
    ev_idle_init(&idle, on_idle);
    ev_idle_start(loop, &idle);
    t0 = bench_start();
    ev_run(loop, 0);
    t1 = bench_stop();
    snprintf(ck, sizeof ck, "%ld", i);
    report("yield", "libev", n, (double)(t1 - t0) / (double)n, ck, "polls_each_turn=1");
    return 0;
}
