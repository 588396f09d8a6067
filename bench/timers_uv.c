/* W3 timers, libuv: N uv_timer_t started with d_i ms. */
#include <uv.h>
#include "bench.h"

static uint64_t sum;
static long fired;

static void on_timer(uv_timer_t *t)
{
    sum += (uint32_t)(uintptr_t)t->data;
    fired++;
}

int main(int argc, char **argv)
{
    long n = arg_long(argc, argv, 1, 1000000), i;
    uint64_t expect, t0, t1, c0, c1, ta;
    uint32_t *d = timer_offsets_ms(n, &expect);
    uv_loop_t *loop = uv_default_loop();
    uv_timer_t *t = (uv_timer_t *)calloc((size_t)n, sizeof *t);   /* the caller's memory */
    char ck[32];
    if (t == NULL) die("calloc");
    t0 = now_ns();
    c0 = cpu_ns();
    uv_update_time(loop);
    for (i = 0; i < n; i++) {
        uv_timer_init(loop, &t[i]);
        t[i].data = (void *)(uintptr_t)d[i];
        uv_timer_start(&t[i], on_timer, d[i], 0);
    }
    ta = now_ns();
    uv_run(loop, UV_RUN_DEFAULT);
    t1 = now_ns();
    c1 = cpu_ns();
    if (fired != n || sum != expect) return 1;
    snprintf(ck, sizeof ck, "%llu", (unsigned long long)sum);
    report("timers", "libuv", n, ((double)(t1 - t0) - 100e6) / (double)n, ck,
           "wall_ms=%.1f cpu_ns_per_op=%.1f arm_ms=%.1f", (double)(t1 - t0) / 1e6,
           (double)(c1 - c0) / (double)n, (double)(ta - t0) / 1e6);
    return 0;
}
