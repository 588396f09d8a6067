/* W5 fan-out, coro: K watcher tasks, each loops on CORO_READABLE(fd[j]) and
 * reads one byte; then the driver writes the next byte to peer[rng() % K]. */
#include "coro_bench.h"

static coro_loop *loop;
static int *fd, *peer;
static long m, k, ops;
static uint64_t sum;

struct watcher { coro_frame co; long j; };

static void drive(void)
{
    long next = (long)(splitmix64() % (uint64_t)k);
    char c = 'x';
    if (write(peer[next], &c, 1) != 1) die("write");
}

static int watcher(coro_frame *co)
{
    struct watcher *w = (struct watcher *)co;
    char c;
    CORO_BEGIN(co);
    for (;;) {
        CORO_READABLE(co, fd[w->j]);
        if (read(fd[w->j], &c, 1) != 1) die("read");
        sum += (uint64_t)w->j;
        if (++ops == m) coro_stop(loop);
        else drive();
    }
    CORO_END(co);
}

int main(int argc, char **argv)
{
    long j;
    uint64_t t0, t1;
    char ck[32];
    struct watcher init;
    m = arg_long(argc, argv, 1, 100000);
    k = arg_long(argc, argv, 2, 1000);
    fanout_pairs(k, &fd, &peer);
    loop = coro_loop_new();
    coro_set_exception_handler(loop, quiet_handler, NULL);
    memset(&init, 0, sizeof init);
    for (j = 0; j < k; j++) {
        coro_future *t;
        init.j = j;
        if ((t = coro_create_task(loop, watcher, &init, sizeof init)) == NULL) die("create");
        coro_unref(t);
    }
    /* Set-up: one iteration lets every watcher register its fd. */
    {
        coro_future *f = coro_sleep(loop, 0);
        coro_run_until_complete(loop, f);
        coro_unref(f);
    }
    t0 = bench_start();
    drive();
    if (coro_run_forever(loop) != 0) die("run");
    t1 = bench_stop();
    coro_loop_free(loop);
    snprintf(ck, sizeof ck, "%llu", (unsigned long long)sum);
    report("fanout", CORO_IMPL(""), m, (double)(t1 - t0) / (double)m, ck, "k=%ld backend=%s", k,
           CORO_BACKEND);
    return 0;
}
