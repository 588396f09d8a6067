/* W3 timers, libev: N ev_timer started with d_i ms. */
#include <ev.h>
#include "bench.h"

static uint64_t sum;
static long fired;

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop; (void)revents;
    sum += (uint32_t)(uintptr_t)w->data;
    fired++;
}

int main(int argc, char **argv)
{
    long n = arg_long(argc, argv, 1, 1000000), i;
    uint64_t expect, t0, t1, c0, c1, ta;
    uint32_t *d = timer_offsets_ms(n, &expect);
    struct ev_loop *loop = ev_default_loop(0);
    ev_timer *t = (ev_timer *)calloc((size_t)n, sizeof *t);
    char ck[32];
    if (t == NULL) die("calloc");
    t0 = now_ns();
    c0 = cpu_ns();
    ev_now_update(loop);
    for (i = 0; i < n; i++) {
        ev_timer_init(&t[i], on_timer, (double)d[i] / 1000.0, 0.);
        t[i].data = (void *)(uintptr_t)d[i];
        ev_timer_start(loop, &t[i]);
    }
    ta = now_ns();
    ev_run(loop, 0);
    t1 = now_ns();
    c1 = cpu_ns();
    if (fired != n || sum != expect) return 1;
    snprintf(ck, sizeof ck, "%llu", (unsigned long long)sum);
    report("timers", "libev", n, ((double)(t1 - t0) - 100e6) / (double)n, ck,
           "wall_ms=%.1f cpu_ns_per_op=%.1f arm_ms=%.1f", (double)(t1 - t0) / 1e6,
           (double)(c1 - c0) / (double)n, (double)(ta - t0) / 1e6);
    return 0;
}
