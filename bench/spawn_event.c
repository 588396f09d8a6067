/* W1 spawn, libevent: event_base_once with a zero timeout (activated at
 * once, not put on the timer heap) stands in for a task. */
#include <event2/event.h>
#include "bench.h"

static long sum, ndone;

static void on_once(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what;
    sum += (long)(intptr_t)arg;
    ndone++;
}

int main(int argc, char **argv)
{
    long n = arg_long(argc, argv, 1, 1000000), i;
    struct event_base *base = event_base_new();
    struct timeval tv0 = {0, 0};
    uint64_t t0, t1;
    char ck[32];
    t0 = bench_start();
    for (i = 0; i < n; i++)
        if (event_base_once(base, -1, EV_TIMEOUT, on_once, (void *)(intptr_t)i, &tv0) != 0) die("once");
    event_base_dispatch(base);
    t1 = bench_stop();
    if (ndone != n) return 1;
    snprintf(ck, sizeof ck, "%ld", sum);
    report("spawn", "libevent", n, (double)(t1 - t0) / (double)n, ck, "analogue=event_base_once");
    event_base_free(base);
    return 0;
}
