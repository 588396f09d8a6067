/* mem_suspended, coro: N tasks child(i): await fut; return i, on one shared
 * future, under one gather, all suspended at once. */
#include "coro_bench.h"

static coro_future *shared;
static long rss0, rss1;

struct child { coro_frame co; long i; };

static int child(coro_frame *co)
{
    struct child *c = (struct child *)co;
    CORO_BEGIN(co);
    CORO_AWAIT(co, shared);
    CORO_RETURN(co, c->i);
    CORO_END(co);
}

/* Created last, so its first step runs after every child has suspended. */
static int measure(coro_frame *co)
{
    CORO_BEGIN(co);
    rss1 = rss_kb();
    coro_set_result(shared, NULL);
    CORO_END(co);
}

int main(int argc, char **argv)
{
    long n = arg_long(argc, argv, 1, 1000000), i, sum = 0;
    coro_loop *loop = coro_loop_new();
    coro_future **futs = (coro_future **)malloc((size_t)n * sizeof *futs), *g, *m;
    struct child init;
    coro_frame minit;
    char ck[32];
    uint64_t t0, t1;
    if (loop == NULL || futs == NULL) die("setup");
    memset(futs, 0, (size_t)n * sizeof *futs);     /* the caller's array: in the baseline */
    memset(&init, 0, sizeof init);
    memset(&minit, 0, sizeof minit);
    shared = coro_future_new(loop);
    rss0 = rss_kb();
    t0 = bench_start();
    for (i = 0; i < n; i++) {
        init.i = i;
        if ((futs[i] = coro_create_task(loop, child, &init, sizeof init)) == NULL) die("create");
    }
    g = coro_gather(loop, (size_t)n, futs, 0);
    m = coro_create_task(loop, measure, &minit, sizeof minit);
    if (coro_run_until_complete(loop, g) != 0) die("run");
    for (i = 0; i < n; i++) {
        sum += (long)(intptr_t)coro_result(futs[i]);
        coro_unref(futs[i]);
    }
    coro_unref(g);
    coro_unref(m);
    t1 = bench_stop();
    coro_unref(shared);
    coro_loop_free(loop);
    snprintf(ck, sizeof ck, "%ld", sum);
    report("mem_suspended", CORO_IMPL(""), n, (double)(t1 - t0) / (double)n, ck,
           "bytes_per_task=%.1f", (double)(rss1 - rss0) * 1024.0 / (double)n);
    return 0;
}
