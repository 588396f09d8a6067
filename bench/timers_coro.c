/* W3 timers, coro: N tasks each CORO_SLEEP for d_i ms; with -DCALLBACKS, N
 * coro_call_later callbacks instead.  The last one to fire stops the loop. */
#include "coro_bench.h"

static coro_loop *loop;
static long remaining, n;
#ifndef CALLBACKS
static long armed;
#endif
static uint64_t sum, t_armed;

#ifndef CALLBACKS
struct sleeper { coro_frame co; uint32_t d; };

static int sleeper(coro_frame *co)
{
    struct sleeper *s = (struct sleeper *)co;
    CORO_BEGIN(co);
    if (++armed == n) t_armed = now_ns();
    CORO_SLEEP(co, s->d);
    sum += s->d;
    if (--remaining == 0) coro_stop(loop);
    CORO_END(co);
}
#else
static void on_timer(void *arg)
{
    sum += (uint32_t)(uintptr_t)arg;
    if (--remaining == 0) coro_stop(loop);
}
#endif

int main(int argc, char **argv)
{
    long i;
    uint64_t expect, t0, t1, c0, c1;
    uint32_t *d;
    char ck[32];
#ifndef CALLBACKS
    struct sleeper init;
#endif
    n = arg_long(argc, argv, 1, 1000000);
    d = timer_offsets_ms(n, &expect);
    loop = coro_loop_new();
#ifndef CALLBACKS
    memset(&init, 0, sizeof init);
#endif
    remaining = n;
    t0 = now_ns();
    c0 = cpu_ns();
    for (i = 0; i < n; i++) {
#ifdef CALLBACKS
        if (coro_call_later(loop, d[i], on_timer, (void *)(uintptr_t)d[i], NULL) != 0) die("call_later");
#else
        coro_future *t;
        init.d = d[i];
        if ((t = coro_create_task(loop, sleeper, &init, sizeof init)) == NULL) die("create");
        coro_unref(t);      /* the loop keeps it until it finishes */
#endif
    }
#ifdef CALLBACKS
    t_armed = now_ns();
#endif
    if (coro_run_forever(loop) != 0) die("run");
    t1 = now_ns();
    c1 = cpu_ns();
    coro_loop_free(loop);
    if (sum != expect) return 1;
    snprintf(ck, sizeof ck, "%llu", (unsigned long long)sum);
#ifdef CALLBACKS
#define IMPL CORO_IMPL("-cb")
#else
#define IMPL CORO_IMPL("")
#endif
    report("timers", IMPL, n, ((double)(t1 - t0) - 100e6) / (double)n, ck,
           "wall_ms=%.1f cpu_ns_per_op=%.1f arm_ms=%.1f", (double)(t1 - t0) / 1e6,
           (double)(c1 - c0) / (double)n, (double)(t_armed - t0) / 1e6);
    return 0;
}
