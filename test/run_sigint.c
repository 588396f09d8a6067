/*
 * run_sigint.c - a coro_run program whose main does NOT catch Ctrl-C; driven
 * by test/sigint.sh, which sends the SIGINTs and checks the transcript.
 *
 *     run_sigint CLEANUP_MS [main=MS] [ignore] [no-timers]
 *
 * main starts its workers without keeping them, prints "main: ready", then
 * sleeps MS, or without main=, waits for a future nobody completes (the
 * "wait until Ctrl-C" idiom).  The workers wait in three different ways: a
 * timer loop ("sleeper", left out with no-timers), a future nobody completes
 * ("waiter"), and a child coroutine with its own finally block that waits for
 * such a future ("nested").  Each worker's finally block prints, then spends
 * CLEANUP_MS cleaning up (it awaits), then prints "cleaned up".
 *
 * Expected: the first SIGINT cancels main alone; coro_run then cancels the
 * workers and runs the loop until every finally block has finished, and
 * returns 130.  A second SIGINT during that cleanup stops at once (130).  With
 * "ignore", SIGINT is ignored when coro_run starts, so coro_run must leave it
 * alone: main runs to its end and coro_run returns 0.  With no-timers nothing
 * but a SIGINT can ever wake the loop, which must then wait for it.
 *
 * alarm() bounds the run: a coro_run that never returns dies of SIGALRM
 * (exit status 142) instead of hanging the test.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "coro.h"

#define ALARM_S 10u

static coro_time cleanup_ms;

/* The child of "nested": waits for a future nobody completes; its finally
 * block runs before its parent's. */
struct child {
    coro_frame co;
    coro_future *never;
};

static int child(coro_frame *co)
{
    struct child *c = (struct child *)co;
    CORO_BEGIN(co);
    c->never = coro_future_new(coro_loop_of(co));
    CORO_AWAIT(co, c->never);
    CORO_FINALLY(co);
    printf("nested/child: finally (%s)\n", coro_strerror(coro_last_error(co)));
    coro_unref(c->never);
    CORO_END(co);
}

struct worker {
    coro_frame co;
    const char *name;
    coro_future *never;             /* "waiter": a future nobody completes */
};

static int worker(coro_frame *co)
{
    struct worker *w = (struct worker *)co;
    struct child call = {0};
    CORO_BEGIN(co);
    if (strcmp(w->name, "waiter") == 0) {
        w->never = coro_future_new(coro_loop_of(co));
        CORO_AWAIT(co, w->never);
    } else if (strcmp(w->name, "nested") == 0) {
        CORO_AWAIT_CALL(co, child, &call, sizeof call);
    } else {
        for (;;) CORO_SLEEP(co, 50);
    }
    CORO_FINALLY(co);
    printf("%s: finally (%s)\n", w->name, coro_strerror(coro_last_error(co)));
    CORO_SLEEP_TRY(co, cleanup_ms); /* cleanup that takes time */
    printf("%s: cleaned up\n", w->name);
    coro_unref(w->never);
    CORO_END(co);
}

struct main_frame {
    coro_frame co;
    coro_time main_ms;              /* 0: wait for a future nobody completes */
    int timers;                     /* start the "sleeper" */
    coro_future *never;
};

static int main_co(coro_frame *co)
{
    struct main_frame *m = (struct main_frame *)co;
    static const char *const names[] = {"sleeper", "waiter", "nested"};
    struct worker w = {0};
    size_t i;
    CORO_BEGIN(co);
    for (i = m->timers ? 0 : 1; i < 3; i++) {
        w.name = names[i];
        /* not kept: the loop holds unfinished tasks, coro_run cancels them */
        coro_unref(coro_create_task(coro_loop_of(co), worker, &w, sizeof w));
    }
    CORO_YIELD(co);                 /* the workers run their first step */
    puts("main: ready");            /* now a SIGINT finds them all waiting */
    if (m->main_ms == 0) {          /* no _TRY: a cancel ends main */
        m->never = coro_future_new(coro_loop_of(co));
        CORO_AWAIT(co, m->never);
    } else {
        CORO_SLEEP(co, m->main_ms);
    }
    puts("main: done");
    CORO_FINALLY(co);
    printf("main: finally (%s)\n", coro_strerror(coro_last_error(co)));
    coro_unref(m->never);
    CORO_END(co);
}

int main(int argc, char **argv)
{
    struct main_frame args = {0};
    struct sigaction sa;
    int ignore = 0, status, i;
    if (argc < 2) {
        fprintf(stderr, "usage: run_sigint CLEANUP_MS [main=MS] [ignore] [no-timers]\n");
        return 2;
    }
    cleanup_ms = (coro_time)strtoul(argv[1], NULL, 10);
    args.timers = 1;
    for (i = 2; i < argc; i++) {
        if (strncmp(argv[i], "main=", 5) == 0) args.main_ms = (coro_time)strtoul(argv[i] + 5, NULL, 10);
        else if (strcmp(argv[i], "ignore") == 0) ignore = 1;
        else if (strcmp(argv[i], "no-timers") == 0) args.timers = 0;
    }
    /* A shell starts background jobs with SIGINT ignored: set the disposition
     * under test explicitly (default, as from a terminal, or ignored). */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = ignore ? SIG_IGN : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);   /* the driver watches the transcript */
    alarm(ALARM_S);
    status = coro_run(main_co, &args, sizeof args);
    sigaction(SIGINT, NULL, &sa);
    printf("coro_run returned %d, SIGINT disposition %s\n", status,
           sa.sa_handler == (ignore ? SIG_IGN : SIG_DFL) ? "restored" : "NOT restored");
    return status;
}
