/* W2 yield, coro: one task does CORO_YIELD N times.  With -DWATCH_FD an idle
 * pipe is also watched (coro_add_reader), so the loop's fd-fairness policy
 * decides how often it polls while the task keeps it busy. */
#include "coro_bench.h"

#ifndef CORO_POLL_EVERY
#define CORO_POLL_EVERY 1   /* a library without the fairness policy polls every turn */
#endif

struct yielder { coro_frame co; long i, n; };

static int yielder(coro_frame *co)
{
    struct yielder *y = (struct yielder *)co;
    CORO_BEGIN(co);
    for (y->i = 0; y->i < y->n; y->i++) CORO_YIELD(co);
    CORO_RETURN(co, y->i);
    CORO_END(co);
}

#ifdef WATCH_FD
static void never(void *arg) { (void)arg; }
#endif

int main(int argc, char **argv)
{
    long n = arg_long(argc, argv, 1, 10000000);
    coro_loop *loop = coro_loop_new();
    struct yielder init;
    coro_future *t;
    char ck[32];
    uint64_t t0, t1;
#ifdef WATCH_FD
    int p[2];
    if (pipe(p) != 0 || coro_add_reader(loop, p[0], never, NULL) != 0) die("pipe");
#endif
    memset(&init, 0, sizeof init);
    init.n = n;
    t = coro_create_task(loop, yielder, &init, sizeof init);
    t0 = bench_start();
    if (coro_run_until_complete(loop, t) != 0) die("run");
    t1 = bench_stop();
    snprintf(ck, sizeof ck, "%ld", (long)(intptr_t)coro_result(t));
    coro_unref(t);
#ifdef WATCH_FD
    coro_remove_reader(loop, p[0]);
#endif
    coro_loop_free(loop);
#ifdef WATCH_FD
    report("yield", CORO_IMPL("-fd"), n, (double)(t1 - t0) / (double)n, ck,
           "polls_each_turn=0 poll_every=%d", (int)CORO_POLL_EVERY);
#else
    report("yield", CORO_IMPL(""), n, (double)(t1 - t0) / (double)n, ck, "polls_each_turn=0");
#endif
    return 0;
}
