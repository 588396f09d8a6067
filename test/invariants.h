/*
 * invariants.h - white-box checks of a loop's internal structures, shared by
 * the reliability rig (test_oom.c, test_heap_lock.c, the fuzzer).  Header
 * only, so any test can include it; it reads coro_internal.h.
 *
 * coro_check_loop(loop) returns NULL when the loop is consistent, else a
 * static description of the first violation:
 *   - the timer heap is a min-heap in (deadline, start order), every entry's
 *     node knows its index, and nheap <= reserved <= capheap (so arming a
 *     reserved timer can never need memory);
 *   - the ready queue is a NULL-terminated list whose tail is rq_tail;
 *   - the task list is doubly linked, holds ntasks pending tasks, oldest
 *     first;
 *   - the pool of callback nodes is a finite list;
 *   - nwatch matches the user entries of the fd slots (POSIX port).
 */
#ifndef CORO_TEST_INVARIANTS_H
#define CORO_TEST_INVARIANTS_H

#include "coro_internal.h"

#define CORO_CHECK_LIMIT 10000000ul     /* longer than this is a cycle */

static inline int coro_check_tless(const struct coro__timer *a, const struct coro__timer *b)
{
    int32_t d = (int32_t)(a->when - b->when);
    return d < 0 || (d == 0 && (int32_t)(a->seq - b->seq) < 0);
}

static inline const char *coro_check_loop(const coro_loop *loop)
{
    size_t i, n;
    const struct coro__node *nd, *last = NULL;
    const struct coro__task *t, *prev = NULL;
    const struct coro__cb *c;

    if (loop == NULL) return "NULL loop";
    /* the timer heap */
    if (loop->nheap > loop->reserved) return "heap: more timers than reserved slots";
    if (loop->reserved > loop->capheap) return "heap: more reservations than capacity";
    for (i = 0; i < loop->nheap; i++) {
        if (loop->heap[i].node == NULL) return "heap: NULL node";
        if (loop->heap[i].node->u.hidx != i) return "heap: a node's hidx is not its index";
        if (i > 0 && coro_check_tless(&loop->heap[i], &loop->heap[(i - 1) / CORO__HEAP_D]))
            return "heap: a child orders before its parent";
    }
    /* the ready queue */
    for (n = 0, nd = loop->rq_head; nd != NULL; nd = nd->next) {
        if (++n > CORO_CHECK_LIMIT) return "ready queue: cycle";
        if (nd->fn == NULL) return "ready queue: node without a function";
        last = nd;
    }
    if (last != loop->rq_tail) return "ready queue: rq_tail is not the last node";
    /* unfinished tasks */
    for (n = 0, t = loop->tasks; t != NULL; t = t->next) {
        if (++n > CORO_CHECK_LIMIT) return "tasks: cycle";
        if (t->prev != prev) return "tasks: broken prev link";
        if (!CORO__ISTASKF(&t->f)) return "tasks: not a task";
        if (CORO__FSTATE(&t->f) != CORO__PENDING) return "tasks: a finished task is listed";
        if (t->f.refs == 0) return "tasks: a listed task has no reference";
        prev = t;
    }
    if (prev != loop->tasks_tail) return "tasks: tasks_tail is not the last task";
    if (n != loop->ntasks) return "tasks: ntasks does not match the list";
    /* the pool */
    for (n = 0, c = loop->pool; c != NULL; c = (const struct coro__cb *)(const void *)c->t.n.next)
        if (++n > CORO_CHECK_LIMIT) return "pool: cycle";
#if CORO_POSIX
    /* fd watches: every slot entry but the self-pipe's counts */
    {
        int fd;
        size_t w = 0;
        for (fd = 0; fd < loop->nfds; fd++) {
            if (loop->fds[fd].rd && loop->fds[fd].rd != &loop->wake_node) w++;
            if (loop->fds[fd].wr) w++;
        }
        if (w != loop->nwatch) return "fds: nwatch does not match the slots";
    }
#endif
    return NULL;
}

/* A snapshot of what a failed call must leave unchanged. */
struct coro_check_snap {
    size_t ntasks, reserved, nheap, nwatch, rqlen;
};

static inline struct coro_check_snap coro_check_snapshot(const coro_loop *loop)
{
    struct coro_check_snap s;
    const struct coro__node *nd;
    s.ntasks = loop->ntasks;
    s.reserved = loop->reserved;
    s.nheap = loop->nheap;
    s.nwatch = loop->nwatch;
    for (s.rqlen = 0, nd = loop->rq_head; nd != NULL; nd = nd->next) s.rqlen++;
    return s;
}

static inline const char *coro_check_same(const struct coro_check_snap *a, const struct coro_check_snap *b)
{
    if (a->ntasks != b->ntasks) return "the task count changed";
    if (a->reserved != b->reserved) return "the heap reservations changed";
    if (a->nheap != b->nheap) return "a timer was left armed";
    if (a->nwatch != b->nwatch) return "an fd watch was left registered";
    if (a->rqlen != b->rqlen) return "something was left queued";
    return NULL;
}

#endif
