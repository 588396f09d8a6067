/*
 * event.c - interrupt-safe events: how an interrupt handler, a signal handler
 * or another thread wakes tasks.
 *
 * The setter only stores two flags, the event's and the loop's, and on POSIX
 * writes a byte to the loop's self-pipe so that a blocked poll() returns.
 * Everything else happens in the loop: when its flag is up, it scans the
 * events that have waiters (a short list: only events someone awaits) and
 * queues the waiters of those that were set.  The loop's flag is cleared
 * before the scan and each event's flag before its waiters are queued, so a
 * set that races with the scan is either seen by it or leaves the loop's flag
 * up for the next iteration: it is never lost.  Sets that arrive before the
 * waiters run coalesce into one wake-up: a woken task's step clears the
 * event's flag again (task.c), unless other tasks wait for it by then.
 *
 * On bare metal, loop.c/io.c check the loop's flag with interrupts masked
 * (CORO_CRITICAL_ENTER) right before CORO_IDLE, which sleeps in a way that
 * wakes on an interrupt that became pending after the check.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "coro_internal.h"

#if CORO_POSIX
#include <errno.h>
#include <unistd.h>
#endif

#define TASK_OF_NODE(n) ((struct coro__task *)(void *)((char *)(n) - offsetof(struct coro__task, node)))

int coro_event_init(coro_event *ev, coro_loop *loop)
{
    if (ev == NULL || loop == NULL) return CORO_EINVAL;
    ev->set = 0;
    ev->loop = loop;
    ev->next = NULL;
    ev->waiters = NULL;
    ev->fd = -1;
    loop->ev_poll = coro__event_poll;
    loop->ev_unwait = coro__event_unwait;
#if CORO_POSIX
    ev->fd = coro__wake_fd(loop);
    if (ev->fd < 0) {
        ev->loop = NULL;
        return CORO_ENOMEM;
    }
#endif
    return 0;
}

void coro_event_set(coro_event *ev)
{
#if CORO_POSIX
    int saved = errno;
    char byte = 0;
#endif
    ev->set = 1;
    if (ev->loop == NULL) return;
    ev->loop->evset = 1;
#if CORO_POSIX
    /* A full pipe already holds a wake-up; the loop reads it. */
    if (write(ev->fd, &byte, 1) < 0) {
    }
    errno = saved;
#endif
}

int coro__await_event(coro_frame *co, coro_event *ev)
{
    struct coro__task *t = CORO__FRAME_TASK(co);
    coro_loop *loop = t->f.loop;
    if (ev == NULL || ev->loop != loop) {
        t->f.err = CORO_EINVAL;
        t->f.v.msg = "awaited an event not initialised for this loop";
        return 0;
    }
    t->f.err = 0;
    t->f.v.result = NULL;
    if (ev->set && ev->waiters == NULL) {
        ev->set = 0;                        /* consumed: continue at once */
        return 0;
    }
    /* With waiters, a pending set belongs to them all: join them, and the
     * loop's next scan wakes everyone, this task included. */
    /* Append to the ring (FIFO wake-up order); arm the event on first use. */
    if (ev->waiters == NULL) {
        t->node.n.next = &t->node.n;
        ev->next = loop->events;
        loop->events = ev;
    } else {
        t->node.n.next = ev->waiters->next;
        ev->waiters->next = &t->node.n;
    }
    ev->waiters = &t->node.n;
    loop->nwaiters++;
    t->node.u.ev = ev;
    CORO__SETWAIT(t, CORO__W_EVENT);
    return 1;
}

/* Take `ev` off the loop's list of events with waiters: O(that list). */
static void disarm(coro_loop *loop, coro_event *ev)
{
    coro_event **pp;
    for (pp = &loop->events; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == ev) {
            *pp = ev->next;
            break;
        }
    }
    ev->next = NULL;
}

void coro__event_unwait(struct coro__task *t)
{
    coro_event *ev = t->node.u.ev;
    struct coro__node *n = &t->node.n, *prev = ev->waiters;
    while (prev->next != n) prev = prev->next;   /* O(waiters of this event) */
    if (prev == n) {
        ev->waiters = NULL;
        disarm(t->f.loop, ev);
    } else {
        prev->next = n->next;
        if (ev->waiters == n) ev->waiters = prev;
    }
    t->f.loop->nwaiters--;
    t->node.u.ev = NULL;
    CORO__SETWAIT(t, CORO__W_NONE);
}

void coro__event_poll(coro_loop *loop)
{
    coro_event **pp = &loop->events, *ev;
    loop->evset = 0;
    while ((ev = *pp) != NULL) {
        struct coro__node *n, *next, *tail;
        if (!ev->set) {
            pp = &ev->next;
            continue;
        }
        ev->set = 0;
        *pp = ev->next;
        ev->next = NULL;
        CORO_TRACE_EVENT_WAKE(ev);
        tail = ev->waiters;
        ev->waiters = NULL;
        n = tail->next;
        for (;;) {
            struct coro__task *t = TASK_OF_NODE(n);
            next = n->next;
            loop->nwaiters--;
            t->f.tb |= CORO__T_EVWAKE;        /* task.c: sets until its step coalesce */
            coro__task_wake(t, 0, NULL);
            if (n == tail) break;
            n = next;
        }
    }
}
