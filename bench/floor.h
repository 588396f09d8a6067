/*
 * floor.h - the floor: the least code that can run a coroutine.  A bare
 * switch coroutine (protothread style) in a malloc'd frame, and a FIFO run
 * queue.  No loop, no timers, no cancellation, no reference counts: what is
 * left is the cost every framework has to pay at least.
 */
#ifndef FLOOR_H
#define FLOOR_H

#include <stdlib.h>

enum { FL_DONE, FL_YIELD, FL_SUSPEND };

struct fl_task {
    struct fl_task *next;               /* FIFO or waiter-list link */
    int (*fn)(struct fl_task *t);
    int lc;                             /* resume point */
    long i;                             /* argument */
    long result;
};

struct fl_fifo { struct fl_task *head, *tail; };

static inline void fl_push(struct fl_fifo *q, struct fl_task *t)
{
    t->next = NULL;
    if (q->tail) q->tail->next = t;
    else q->head = t;
    q->tail = t;
}

static inline struct fl_task *fl_pop(struct fl_fifo *q)
{
    struct fl_task *t = q->head;
    if (t && (q->head = t->next) == NULL) q->tail = NULL;
    return t;
}

/* Run until the queue is empty.  A finished task's result is added to *sum
 * (the "gather") and its frame freed. */
static inline void fl_run(struct fl_fifo *q, long *sum, long *ndone)
{
    struct fl_task *t;
    while ((t = fl_pop(q)) != NULL) {
        switch (t->fn(t)) {
        case FL_DONE:
            *sum += t->result;
            ++*ndone;
            free(t);
            break;
        case FL_YIELD:
            fl_push(q, t);
            break;
        default:    /* FL_SUSPEND: the task put itself on a waiter list */
            break;
        }
    }
}

static inline struct fl_task *fl_new(int (*fn)(struct fl_task *), long i)
{
    struct fl_task *t = (struct fl_task *)malloc(sizeof *t);
    if (t == NULL) abort();
    t->fn = fn;
    t->lc = 0;
    t->i = i;
    t->result = 0;
    return t;
}

#endif
