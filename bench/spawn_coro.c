/* W1 spawn, coro: create N tasks that return i without suspending, gather
 * them, sum the results, release everything. */
#include "coro_bench.h"

struct child { coro_frame co; long i; };

static int child(coro_frame *co)
{
    struct child *c = (struct child *)co;
    CORO_BEGIN(co);
    CORO_RETURN(co, c->i);
    CORO_END(co);
}

int main(int argc, char **argv)
{
    long n = arg_long(argc, argv, 1, 1000000), i, sum = 0;
    coro_loop *loop = coro_loop_new();
    coro_future **futs = (coro_future **)malloc((size_t)n * sizeof *futs), *g;
    struct child init;
    char ck[32];
    uint64_t t0, t1;
    if (loop == NULL || futs == NULL) die("setup");
    memset(futs, 0, (size_t)n * sizeof *futs);     /* the caller's array: not timed */
    memset(&init, 0, sizeof init);
    t0 = bench_start();
    for (i = 0; i < n; i++) {
        init.i = i;
        if ((futs[i] = coro_create_task(loop, child, &init, sizeof init)) == NULL) die("create");
    }
    g = coro_gather(loop, (size_t)n, futs, 0);
    if (coro_run_until_complete(loop, g) != 0) die("run");
    for (i = 0; i < n; i++) {
        sum += (long)(intptr_t)coro_result(futs[i]);
        coro_unref(futs[i]);
    }
    coro_unref(g);
    t1 = bench_stop();
    coro_loop_free(loop);
    snprintf(ck, sizeof ck, "%ld", sum);
    report("spawn", CORO_IMPL(""), n, (double)(t1 - t0) / (double)n, ck, NULL);
    return 0;
}
