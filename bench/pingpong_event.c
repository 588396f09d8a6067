/* W4 ping-pong, libevent: event_new(EV_READ|EV_PERSIST) on each end. */
#include <event2/event.h>
#include "bench.h"

static int sv[2];
static long n, i;
static uint64_t sum;
static struct event *ea, *eb;

static void on_b(evutil_socket_t fd, short what, void *arg)
{
    unsigned char c;
    (void)fd; (void)what; (void)arg;
    if (read(sv[1], &c, 1) != 1) die("read");
    if (write(sv[1], &c, 1) != 1) die("write");
}

static void on_a(evutil_socket_t fd, short what, void *arg)
{
    unsigned char c;
    (void)fd; (void)what; (void)arg;
    if (read(sv[0], &c, 1) != 1) die("read");
    sum += c;
    if (++i == n) {
        event_del(ea);
        event_del(eb);
        return;
    }
    c = (unsigned char)i;
    if (write(sv[0], &c, 1) != 1) die("write");
}

int main(int argc, char **argv)
{
    struct event_base *base = event_base_new();
    uint64_t t0, t1;
    unsigned char c = 0;
    char ck[32];
    n = arg_long(argc, argv, 1, 200000);
    nb_socketpair(sv);
    ea = event_new(base, sv[0], EV_READ | EV_PERSIST, on_a, NULL);
    eb = event_new(base, sv[1], EV_READ | EV_PERSIST, on_b, NULL);
    event_add(ea, NULL);
    event_add(eb, NULL);
    t0 = bench_start();
    if (write(sv[0], &c, 1) != 1) die("write");
    event_base_dispatch(base);
    t1 = bench_stop();
    snprintf(ck, sizeof ck, "%llu", (unsigned long long)sum);
    report("pingpong", "libevent", n, (double)(t1 - t0) / (double)n, ck, "backend=%s",
           event_base_get_method(base));
    event_free(ea);
    event_free(eb);
    event_base_free(base);
    return 0;
}
