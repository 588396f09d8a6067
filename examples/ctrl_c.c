/*
 * ctrl_c.c - ctrl_c.py in C: workers that run until Ctrl-C (SIGINT), then
 * shut down cleanly: every task is cancelled and the loop keeps running until
 * their cleanup has run, so no "Task was destroyed but it is pending!"
 * appears.  Run it and press Ctrl-C.
 *
 * coro_run is asyncio.run: SIGINT cancels the main task.  main shields the
 * workers' gather, so the interrupt reaches main alone and main speaks first;
 * then it cancels every other task itself, waits for them and returns
 * normally, so the exit status is 0.
 */
#include <stdio.h>
#include "coro.h"

struct worker {
    coro_frame co;
    const char *name;
    coro_time delay;                /* ms */
};

static int worker(coro_frame *co)
{
    struct worker *w = (struct worker *)co;
    CORO_BEGIN(co);
    for (;;) {
        printf("%s: working\n", w->name);
        CORO_SLEEP(co, w->delay);   /* a cancel raises here: on to CORO_FINALLY */
    }
    CORO_FINALLY(co);
    /* Python's "except CancelledError: ...; raise" plus "finally:".  The
     * error being unwound is in coro_last_error, and it carries on after
     * the finally block by itself: no re-raise needed. */
    if (coro_last_error(co) == CORO_ECANCELED)
        printf("%s: cancelled, cleaning up\n", w->name);
    printf("%s: closed\n", w->name);
    CORO_END(co);
}

struct main_frame {
    coro_frame co;
    coro_future *tasks[2];
    coro_future *everything;        /* gather(*tasks) */
    coro_future *shield;
};

/* The tasks to wait for at shutdown: every task but main (two here). */
struct others {
    coro_future *self;
    coro_future *t[8];
    size_t n;
};

/* for task in all_tasks(loop): task.cancel() (skipping ourselves) */
static void cancel_other(coro_future *task, void *arg)
{
    struct others *o = (struct others *)arg;
    if (task == o->self || o->n == sizeof o->t / sizeof o->t[0]) return;
    coro_cancel(task, NULL);
    o->t[o->n++] = task;            /* borrowed: coro_gather takes its own reference */
}

/* repr() of the exception a future ended with. */
static void print_exception(coro_future *f)
{
    int err = coro_error(f);
    if (err == CORO_ECANCELED && coro_message(f) == NULL)
        printf("CancelledError()");
    else if (err == CORO_ECANCELED)
        printf("CancelledError('%s')", coro_message(f));
    else
        printf("%s", coro_strerror(err));
}

static int main_co(coro_frame *co)
{
    struct main_frame *m = (struct main_frame *)co;
    coro_loop *loop = coro_loop_of(co);
    struct worker a = {{0}, "a", 500}, b = {{0}, "b", 700};
    struct others others = {0};     /* used between two awaits only: a local */
    CORO_BEGIN(co);
    m->tasks[0] = coro_create_task(loop, worker, &a, sizeof a);
    m->tasks[1] = coro_create_task(loop, worker, &b, sizeof b);
    m->everything = coro_gather(loop, 2, m->tasks, 0);
    /* Ctrl-C cancels main.  Cancelling a task cancels what it awaits, so
     * without the shield it would reach the workers through the gather
     * before main could say anything. */
    m->shield = coro_shield(loop, m->everything);
    CORO_AWAIT_TRY(co, m->shield);  /* run_until_complete(everything) */
    if (coro_last_error(co) != CORO_ECANCELED)  /* not Ctrl-C: a real error */
        CORO_RAISE(co, coro_last_error(co), coro_last_message(co));

    /* except KeyboardInterrupt: main catches the interrupt and handles it */
    puts("KeyboardInterrupt: cancelling all tasks");
    others.self = coro_current_task(loop);
    coro_all_tasks(loop, cancel_other, &others);
    /* run until they have all finished: their cleanup runs now */
    CORO_AWAIT_TAKE(co, coro_gather(loop, others.n, others.t, CORO_RETURN_EXCEPTIONS));
    printf("gather ended with ");
    print_exception(m->everything); /* everything.exception()!r */
    printf("\n");
    CORO_FINALLY(co);
    coro_unref(m->shield);
    coro_unref(m->everything);
    coro_unref(m->tasks[0]);
    coro_unref(m->tasks[1]);
    CORO_END(co);                   /* main returns normally: exit status 0 */
}

int main(void)
{
    struct main_frame args = {0};
    setvbuf(stdout, NULL, _IOLBF, 0);   /* print(..., flush=True) */
    /* asyncio.run(main()): 0 here, since main handles the interrupt; 130 if
     * it had let the cancellation end it. */
    return coro_run(main_co, &args, sizeof args);
}
