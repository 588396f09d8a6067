/* W4 ping-pong, libev: an ev_io on each end of the socketpair. */
#include <ev.h>
#include "bench.h"

static int sv[2];
static long n, i;
static uint64_t sum;
static ev_io wa, wb;

static void on_b(struct ev_loop *loop, ev_io *w, int revents)
{
    unsigned char c;
    (void)loop; (void)w; (void)revents;
    if (read(sv[1], &c, 1) != 1) die("read");
    if (write(sv[1], &c, 1) != 1) die("write");
}

static void on_a(struct ev_loop *loop, ev_io *w, int revents)
{
    unsigned char c;
    (void)w; (void)revents;
    if (read(sv[0], &c, 1) != 1) die("read");
    sum += c;
    if (++i == n) {
        ev_io_stop(loop, &wa);
        ev_io_stop(loop, &wb);
        return;
    }
    c = (unsigned char)i;
    if (write(sv[0], &c, 1) != 1) die("write");
}

static const char *backend_name(unsigned b)
{
    return b == EVBACKEND_EPOLL ? "epoll" : b == EVBACKEND_POLL ? "poll" : b == EVBACKEND_SELECT ? "select" : "other";
}

int main(int argc, char **argv)
{
    struct ev_loop *loop = ev_default_loop(0);
    uint64_t t0, t1;
    unsigned char c = 0;
    char ck[32];
    n = arg_long(argc, argv, 1, 200000);
    nb_socketpair(sv);
    ev_io_init(&wa, on_a, sv[0], EV_READ);
    ev_io_init(&wb, on_b, sv[1], EV_READ);
    ev_io_start(loop, &wa);
    ev_io_start(loop, &wb);
    t0 = bench_start();
    if (write(sv[0], &c, 1) != 1) die("write");
    ev_run(loop, 0);
    t1 = bench_stop();
    snprintf(ck, sizeof ck, "%llu", (unsigned long long)sum);
    report("pingpong", "libev", n, (double)(t1 - t0) / (double)n, ck, "backend=%s",
           backend_name(ev_backend(loop)));
    return 0;
}
