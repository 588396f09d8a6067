/* W4 ping-pong, libuv: a uv_poll_t on each end of the socketpair. */
#include <uv.h>
#include "bench.h"

static int sv[2];
static long n, i;
static uint64_t sum;
static uv_poll_t pa, pb;

static void on_b(uv_poll_t *h, int status, int events)
{
    unsigned char c;
    (void)h; (void)status; (void)events;
    if (read(sv[1], &c, 1) != 1) die("read");
    if (write(sv[1], &c, 1) != 1) die("write");
}

static void on_a(uv_poll_t *h, int status, int events)
{
    unsigned char c;
    (void)h; (void)status; (void)events;
    if (read(sv[0], &c, 1) != 1) die("read");
    sum += c;
    if (++i == n) {
        uv_poll_stop(&pa);
        uv_poll_stop(&pb);
        return;
    }
    c = (unsigned char)i;
    if (write(sv[0], &c, 1) != 1) die("write");
}

int main(int argc, char **argv)
{
    uv_loop_t *loop = uv_default_loop();
    uint64_t t0, t1;
    unsigned char c = 0;
    char ck[32];
    n = arg_long(argc, argv, 1, 200000);
    nb_socketpair(sv);
    uv_poll_init(loop, &pa, sv[0]);
    uv_poll_init(loop, &pb, sv[1]);
    uv_poll_start(&pa, UV_READABLE, on_a);
    uv_poll_start(&pb, UV_READABLE, on_b);
    t0 = bench_start();
    if (write(sv[0], &c, 1) != 1) die("write");
    uv_run(loop, UV_RUN_DEFAULT);
    t1 = bench_stop();
    snprintf(ck, sizeof ck, "%llu", (unsigned long long)sum);
    report("pingpong", "libuv", n, (double)(t1 - t0) / (double)n, ck, "backend=epoll");
    return 0;
}
