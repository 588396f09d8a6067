/* W2 yield, the floor: one bare switch coroutine yields N times through a
 * FIFO.  With -DPOLL_EACH_TURN the scheduler also calls poll() with a zero
 * timeout on one idle pipe each turn, as a loop that polls every turn does. */
#include <poll.h>
#include "bench.h"
#include "floor.h"

static long n;

static int yielder(struct fl_task *t)
{
    switch (t->lc) {
    case 0:
        for (t->i = 0; t->i < n; t->i++) {
            t->lc = 1;
            return FL_YIELD;
    case 1:;
        }
    }
    t->result = t->i;
    return FL_DONE;
}

int main(int argc, char **argv)
{
    struct fl_fifo q = {NULL, NULL};
    struct fl_task *t;
    long sum = 0;
    char ck[32];
    uint64_t t0, t1;
#ifdef POLL_EACH_TURN
    struct pollfd pfd;
    int p[2];
    if (pipe(p) != 0) die("pipe");
    pfd.fd = p[0];
    pfd.events = POLLIN;
#endif
    n = arg_long(argc, argv, 1, 10000000);
    fl_push(&q, fl_new(yielder, 0));
    t0 = bench_start();
    while ((t = fl_pop(&q)) != NULL) {
#ifdef POLL_EACH_TURN
        if (poll(&pfd, 1, 0) < 0) die("poll");
#endif
        if (t->fn(t) == FL_YIELD) {
            fl_push(&q, t);
        } else {
            sum += t->result;
            free(t);
        }
    }
    t1 = bench_stop();
    snprintf(ck, sizeof ck, "%ld", sum);
#ifdef POLL_EACH_TURN
    report("yield", "floor-poll", n, (double)(t1 - t0) / (double)n, ck, "polls_each_turn=1");
#else
    report("yield", "floor", n, (double)(t1 - t0) / (double)n, ck, "polls_each_turn=0");
#endif
    return 0;
}
