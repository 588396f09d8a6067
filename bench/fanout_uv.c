/* W5 fan-out, libuv: a uv_poll_t per watched fd. */
#include <uv.h>
#include "bench.h"

static int *fd, *peer;
static long m, k, ops;
static uint64_t sum;
static uv_poll_t *polls;

static void on_readable(uv_poll_t *h, int status, int events)
{
    long j = (long)(intptr_t)h->data;
    char c;
    (void)status; (void)events;
    if (read(fd[j], &c, 1) != 1) die("read");
    sum += (uint64_t)j;
    if (++ops == m) {
        uv_stop(h->loop);
        return;
    }
    j = (long)(splitmix64() % (uint64_t)k);
    if (write(peer[j], &c, 1) != 1) die("write");
}

int main(int argc, char **argv)
{
    uv_loop_t *loop = uv_default_loop();
    uint64_t t0, t1;
    long j;
    char ck[32], c = 'x';
    m = arg_long(argc, argv, 1, 100000);
    k = arg_long(argc, argv, 2, 1000);
    fanout_pairs(k, &fd, &peer);
    polls = (uv_poll_t *)calloc((size_t)k, sizeof *polls);
    for (j = 0; j < k; j++) {
        uv_poll_init(loop, &polls[j], fd[j]);
        polls[j].data = (void *)(intptr_t)j;
        uv_poll_start(&polls[j], UV_READABLE, on_readable);
    }
    uv_run(loop, UV_RUN_NOWAIT);    /* set-up: the fds reach epoll */
    t0 = bench_start();
    j = (long)(splitmix64() % (uint64_t)k);
    if (write(peer[j], &c, 1) != 1) die("write");
    uv_run(loop, UV_RUN_DEFAULT);
    t1 = bench_stop();
    snprintf(ck, sizeof ck, "%llu", (unsigned long long)sum);
    report("fanout", "libuv", m, (double)(t1 - t0) / (double)m, ck, "k=%ld backend=epoll", k);
    return 0;
}
