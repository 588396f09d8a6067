/* W1 spawn, the floor: N bare switch coroutines, each returns i at once. */
#include "bench.h"
#include "floor.h"

static int child(struct fl_task *t)
{
    switch (t->lc) {
    case 0:
        t->result = t->i;
        return FL_DONE;
    }
    return FL_DONE;
}

int main(int argc, char **argv)
{
    long n = arg_long(argc, argv, 1, 1000000), i, sum = 0, ndone = 0;
    struct fl_fifo q = {NULL, NULL};
    char ck[32];
    uint64_t t0, t1;
    t0 = bench_start();
    for (i = 0; i < n; i++) fl_push(&q, fl_new(child, i));
    fl_run(&q, &sum, &ndone);
    t1 = bench_stop();
    if (ndone != n) return 1;
    snprintf(ck, sizeof ck, "%ld", sum);
    report("spawn", "floor", n, (double)(t1 - t0) / (double)n, ck, NULL);
    return 0;
}
