/* W5 fan-out, libev: an ev_io per watched fd. */
#include <ev.h>
#include "bench.h"

static int *fd, *peer;
static long m, k, ops;
static uint64_t sum;

static void on_readable(struct ev_loop *loop, ev_io *w, int revents)
{
    long j = (long)(intptr_t)w->data;
    char c;
    (void)revents;
    if (read(fd[j], &c, 1) != 1) die("read");
    sum += (uint64_t)j;
    if (++ops == m) {
        ev_break(loop, EVBREAK_ALL);
        return;
    }
    j = (long)(splitmix64() % (uint64_t)k);
    if (write(peer[j], &c, 1) != 1) die("write");
}

int main(int argc, char **argv)
{
    struct ev_loop *loop = ev_default_loop(0);
    ev_io *ws;
    uint64_t t0, t1;
    long j;
    char ck[32], c = 'x';
    m = arg_long(argc, argv, 1, 100000);
    k = arg_long(argc, argv, 2, 1000);
    fanout_pairs(k, &fd, &peer);
    ws = (ev_io *)calloc((size_t)k, sizeof *ws);
    for (j = 0; j < k; j++) {
        ev_io_init(&ws[j], on_readable, fd[j], EV_READ);
        ws[j].data = (void *)(intptr_t)j;
        ev_io_start(loop, &ws[j]);
    }
    ev_run(loop, EVRUN_NOWAIT);     /* set-up: the fds reach epoll */
    t0 = bench_start();
    j = (long)(splitmix64() % (uint64_t)k);
    if (write(peer[j], &c, 1) != 1) die("write");
    ev_run(loop, 0);
    t1 = bench_stop();
    snprintf(ck, sizeof ck, "%llu", (unsigned long long)sum);
    report("fanout", "libev", m, (double)(t1 - t0) / (double)m, ck, "k=%ld backend=%s", k,
           ev_backend(loop) == EVBACKEND_EPOLL ? "epoll" : "other");
    return 0;
}
