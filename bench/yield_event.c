/* W2 yield, libevent: an event re-activates itself with event_active N
 * times.  libevent runs the re-activated event in the same pass over its
 * active queue, so it does not poll between turns. */
#include <event2/event.h>
#include "bench.h"

static long n, i;

static void on_active(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what;
    if (++i < n) event_active((struct event *)arg, EV_READ, 0);
}

int main(int argc, char **argv)
{
    struct event_base *base = event_base_new();
    struct event *ev;
    uint64_t t0, t1;
    char ck[32];
    n = arg_long(argc, argv, 1, 10000000);
    ev = event_new(base, -1, 0, on_active, event_self_cbarg());
    t0 = bench_start();
    event_active(ev, EV_READ, 0);
    event_base_dispatch(base);
    t1 = bench_stop();
    snprintf(ck, sizeof ck, "%ld", i);
    report("yield", "libevent", n, (double)(t1 - t0) / (double)n, ck, "polls_each_turn=0");
    event_free(ev);
    event_base_free(base);
    return 0;
}
