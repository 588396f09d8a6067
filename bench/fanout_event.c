/* W5 fan-out, libevent: event_new(EV_READ|EV_PERSIST) per watched fd. */
#include <event2/event.h>
#include "bench.h"

static int *fd, *peer;
static long m, k, ops;
static uint64_t sum;
static struct event_base *base;

static void on_readable(evutil_socket_t s, short what, void *arg)
{
    long j = (long)(intptr_t)arg;
    char c;
    (void)s; (void)what;
    if (read(fd[j], &c, 1) != 1) die("read");
    sum += (uint64_t)j;
    if (++ops == m) {
        event_base_loopbreak(base);
        return;
    }
    j = (long)(splitmix64() % (uint64_t)k);
    if (write(peer[j], &c, 1) != 1) die("write");
}

int main(int argc, char **argv)
{
    uint64_t t0, t1;
    long j;
    char ck[32], c = 'x';
    m = arg_long(argc, argv, 1, 100000);
    k = arg_long(argc, argv, 2, 1000);
    fanout_pairs(k, &fd, &peer);
    base = event_base_new();
    for (j = 0; j < k; j++)
        event_add(event_new(base, fd[j], EV_READ | EV_PERSIST, on_readable, (void *)(intptr_t)j), NULL);
    event_base_loop(base, EVLOOP_NONBLOCK);     /* set-up: the fds reach epoll */
    t0 = bench_start();
    j = (long)(splitmix64() % (uint64_t)k);
    if (write(peer[j], &c, 1) != 1) die("write");
    event_base_dispatch(base);
    t1 = bench_stop();
    snprintf(ck, sizeof ck, "%llu", (unsigned long long)sum);
    report("fanout", "libevent", m, (double)(t1 - t0) / (double)m, ck, "k=%ld backend=%s", k,
           event_base_get_method(base));
    return 0;
}
