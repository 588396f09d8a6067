/* W3 timers, libevent: N evtimers (event_assign into the caller's memory)
 * added with d_i ms. */
#include <event2/event.h>
#include "bench.h"

static uint64_t sum;
static long fired;

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what;
    sum += (uint32_t)(uintptr_t)arg;
    fired++;
}

int main(int argc, char **argv)
{
    long n = arg_long(argc, argv, 1, 1000000), i;
    uint64_t expect, t0, t1, c0, c1, ta;
    uint32_t *d = timer_offsets_ms(n, &expect);
    struct event_base *base = event_base_new();
    size_t sz = event_get_struct_event_size();
    char *evs = (char *)calloc((size_t)n, sz);
    char ck[32];
    if (evs == NULL) die("calloc");
    t0 = now_ns();
    c0 = cpu_ns();
    for (i = 0; i < n; i++) {
        struct event *ev = (struct event *)(void *)(evs + (size_t)i * sz);
        struct timeval tv;
        tv.tv_sec = d[i] / 1000;
        tv.tv_usec = (suseconds_t)(d[i] % 1000) * 1000;
        event_assign(ev, base, -1, 0, on_timer, (void *)(uintptr_t)d[i]);
        evtimer_add(ev, &tv);
    }
    ta = now_ns();
    event_base_dispatch(base);
    t1 = now_ns();
    c1 = cpu_ns();
    if (fired != n || sum != expect) return 1;
    snprintf(ck, sizeof ck, "%llu", (unsigned long long)sum);
    report("timers", "libevent", n, ((double)(t1 - t0) - 100e6) / (double)n, ck,
           "wall_ms=%.1f cpu_ns_per_op=%.1f arm_ms=%.1f", (double)(t1 - t0) / 1e6,
           (double)(c1 - c0) / (double)n, (double)(ta - t0) / 1e6);
    return 0;
}
