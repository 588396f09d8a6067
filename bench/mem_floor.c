/* mem_suspended, the floor: N bare coroutines wait on one shared "future"
 * (an intrusive waiter list); a counter stands in for the gather. */
#include "bench.h"
#include "floor.h"

static struct fl_task *waiters;     /* the shared future's waiters (LIFO is fine) */

static int child(struct fl_task *t)
{
    switch (t->lc) {
    case 0:
        t->lc = 1;
        t->next = waiters;
        waiters = t;
        return FL_SUSPEND;
    case 1:
        t->result = t->i;
        return FL_DONE;
    }
    return FL_DONE;
}

int main(int argc, char **argv)
{
    long n = arg_long(argc, argv, 1, 1000000), i, sum = 0, ndone = 0, rss0, rss1;
    struct fl_fifo q = {NULL, NULL};
    char ck[32];
    uint64_t t0, t1;
    rss0 = rss_kb();
    t0 = bench_start();
    for (i = 0; i < n; i++) fl_push(&q, fl_new(child, i));
    fl_run(&q, &sum, &ndone);
    rss1 = rss_kb();
    while (waiters) {   /* set_result: every waiter is ready again */
        struct fl_task *t = waiters;
        waiters = t->next;
        fl_push(&q, t);
    }
    fl_run(&q, &sum, &ndone);
    t1 = bench_stop();
    if (ndone != n) return 1;
    snprintf(ck, sizeof ck, "%ld", sum);
    report("mem_suspended", "floor", n, (double)(t1 - t0) / (double)n, ck, "bytes_per_task=%.1f",
           (double)(rss1 - rss0) * 1024.0 / (double)n);
    return 0;
}
