/*
 * run.c - coro_run, asyncio.run for C.
 *
 * It runs `main` as a task, then cancels every task still pending and runs
 * the loop until they have finished, so their CORO_FINALLY blocks run and no
 * "Task was destroyed but it is pending!" appears; then it frees the loop.
 *
 * SIGINT (POSIX port), as 3.11's asyncio.Runner: the first one cancels the
 * main task; a second one, or one after main has finished, stops at once.
 * The signal handler only counts and writes one byte to the loop's self-pipe
 * (saving errno); the loop reads the pipe and does the rest outside signal
 * context.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "coro_internal.h"

#if CORO_POSIX
#include <errno.h>
#include <signal.h>
#include <unistd.h>

static volatile sig_atomic_t sigint_count;
static volatile sig_atomic_t sigint_fd = -1;

static void on_sigint(int sig)
{
    int saved = errno;
    char byte = 0;
    (void)sig;
    sigint_count = sigint_count + 1;
    if (sigint_fd >= 0 && write((int)sigint_fd, &byte, 1) < 0) {
        /* a full pipe already holds a wake-up */
    }
    errno = saved;
}
#endif

struct runner {
    coro_future *main;
    int seen;           /* interrupts handled so far */
    int abort;          /* stop at once */
};

#if CORO_POSIX
static void on_wake(coro_loop *loop)
{
    struct runner *r = (struct runner *)loop->on_wake_arg;
    int n = (int)sigint_count;
    if (n == r->seen) return;
    if (r->seen == 0 && !coro_done(r->main)) coro_cancel(r->main, NULL);
    else r->abort = 1;
    if (n >= 2) r->abort = 1;
    r->seen = n;
    if (r->abort) coro_stop(loop);
}
#endif

struct taskvec {
    coro_future **a;
    size_t n, cap;
};

static void collect(coro_future *t, void *arg)
{
    struct taskvec *v = (struct taskvec *)arg;
    if (v->n == v->cap) return;
    coro_ref(t);
    v->a[v->n++] = t;
    coro_cancel(t, NULL);
}

static void cancel_one(coro_future *t, void *arg)
{
    (void)arg;
    coro_cancel(t, NULL);
}

/* Without memory for the task vector or the gather, still run every
 * remaining task to its end, so their finally blocks run: run the oldest
 * one until it is done, again and again.  This allocates nothing. */
static void drain(coro_loop *loop)
{
    while (loop->tasks != NULL) {
        coro_future *t = &loop->tasks->f;
        int err;
        coro_ref(t);
        err = coro_run_until_complete(loop, t);
        coro_unref(t);
        if (err == CORO_EDEADLK || err == CORO_EINVAL) break;    /* stuck, or stopped */
    }
}

/* Cancel what is left and run until it has finished (3.11's
 * _cancel_all_tasks).  Errors other than the cancellation go to the
 * exception handler. */
static void cancel_all(coro_loop *loop, struct runner *r)
{
    struct taskvec v;
    coro_future *g;
    size_t i;
    v.cap = coro_task_count(loop);
    v.n = 0;
    if (v.cap == 0) return;
    v.a = (coro_future **)coro__alloc(v.cap * sizeof *v.a);
    if (v.a == NULL) {
        coro_all_tasks(loop, cancel_one, NULL);
        drain(loop);
        return;
    }
    coro_all_tasks(loop, collect, &v);
    g = coro_gather(loop, v.n, v.a, CORO_RETURN_EXCEPTIONS);
    if (g != NULL) {
        coro_run_until_complete(loop, g);
        coro_unref(g);
    } else {
        drain(loop);
    }
    for (i = 0; i < v.n; i++) {
        coro_future *t = v.a[i];
        if (!r->abort && coro_done(t) && !coro_cancelled(t) && coro_error(t) != 0)
            coro__report(loop, "unhandled exception during coro_run() shutdown", t, t->err);
        coro_unref(t);
    }
    coro__free(v.a, v.cap * sizeof *v.a);
}

int coro_run(coro_fn main, const void *init, size_t size)
{
    static int active;
    struct runner r;
    coro_loop *loop;
    int err, code;
#if CORO_POSIX
    struct sigaction sa, old;
    int installed = 0;
#endif
    if (active) return 1;           /* not from inside another coro_run */
    loop = coro_loop_new();
    if (loop == NULL) return 1;
    r.main = coro_create_task(loop, main, init, size);
    r.seen = r.abort = 0;
    if (r.main == NULL) {
        coro_loop_free(loop);
        return 1;
    }
    active = 1;
#if CORO_POSIX
    if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler != SIG_IGN) {
        int fd = coro__wake_fd(loop);
        if (fd >= 0) {
            loop->on_wake = on_wake;
            loop->on_wake_arg = &r;
            sigint_count = 0;
            sigint_fd = fd;
            sa.sa_handler = on_sigint;
            sigemptyset(&sa.sa_mask);
            sa.sa_flags = 0;
            installed = sigaction(SIGINT, &sa, NULL) == 0;
        }
    }
#endif
#if CORO_POSIX
    /* While main runs, our SIGINT handler is an event source: a main that
     * only waits for Ctrl-C (awaits a future nothing else completes) must
     * wait for it, as asyncio.run does, not end at once with CORO_EDEADLK. */
    if (installed) loop->nwaiters++;
#endif
    err = coro_run_until_complete(loop, r.main);
#if CORO_POSIX
    if (installed) loop->nwaiters--;
#endif
    if (!r.abort) cancel_all(loop, &r);
    if (r.abort) code = 130;
    else if (err == 0) code = 0;
    else if (coro_cancelled(r.main) && r.seen > 0 && coro_uncancel(r.main) == 0) code = 130;
    else code = 1;
    coro_unref(r.main);
#if CORO_POSIX
    if (installed) {
        sigint_fd = -1;
        sigaction(SIGINT, &old, NULL);
    }
#endif
    coro_loop_free(loop);
    active = 0;
    return code;
}
