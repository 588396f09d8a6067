/* W2 yield, libuv: an idle handle runs N times.  While an idle handle is
 * active libuv polls with a zero timeout on every turn. */
#include <uv.h>
#include "bench.h"

static long n, i;

static void on_idle(uv_idle_t *h)
{
    if (++i == n) uv_idle_stop(h);
}

int main(int argc, char **argv)
{
    uv_loop_t *loop = uv_default_loop();
    uv_idle_t idle;
    uint64_t t0, t1;
    char ck[32];
    n = arg_long(argc, argv, 1, 10000000);
    uv_idle_init(loop, &idle);
    uv_idle_start(&idle, on_idle);
    t0 = bench_start();
    uv_run(loop, UV_RUN_DEFAULT);
    t1 = bench_stop();
    snprintf(ck, sizeof ck, "%ld", i);
    report("yield", "libuv", n, (double)(t1 - t0) / (double)n, ck, "polls_each_turn=1");
    return 0;
}
