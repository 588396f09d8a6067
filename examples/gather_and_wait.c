/*
 * gather_and_wait.c - gather_and_wait.py in C: the two ways to run several
 * tasks and wait for them, gather (a future) and wait, then gather with
 * CORO_RETURN_EXCEPTIONS.
 *
 * Results are small integers: CORO_RETURN stores them in the result pointer
 * (through intptr_t), and RESULT() reads them back.
 */
#include <stdint.h>
#include <stdio.h>
#include "coro.h"

#define RESULT(t) ((int)(intptr_t)coro_result(t))

/* Our own error code: any non-zero int that is not a CORO_E* code. */
enum { VALUE_ERROR = 1 };

static int func1(coro_frame *co)
{
    CORO_BEGIN(co);
    puts("func1 start");
    CORO_SLEEP(co, 20);
    puts("func1 done");
    CORO_RETURN(co, 1);
    CORO_END(co);
}

static int func2(coro_frame *co)
{
    CORO_BEGIN(co);
    puts("func2 start");
    CORO_SLEEP(co, 10);
    puts("func2 done");
    CORO_RETURN(co, 2);
    CORO_END(co);
}

static int fails(coro_frame *co)
{
    CORO_BEGIN(co);
    CORO_SLEEP(co, 10);
    CORO_RAISE(co, VALUE_ERROR, "boom");    /* raise ValueError('boom') */
    CORO_END(co);
}

/* asyncio.ensure_future(fn(), loop=loop) */
static coro_future *spawn(coro_loop *loop, coro_fn fn)
{
    coro_frame no_args = {0};
    return coro_create_task(loop, fn, &no_args, sizeof no_args);
}

/* repr() of a finished task's outcome: its value, or the exception that
 * Python would show for our error code. */
static void print_outcome(coro_future *t)
{
    int err = coro_error(t);
    if (err == 0)
        printf("%d", RESULT(t));
    else if (err == VALUE_ERROR)
        printf("ValueError('%s')", coro_message(t));
    else
        printf("%s", coro_strerror(err));
}

static void unref_all(size_t n, coro_future *const futs[])
{
    size_t i;
    for (i = 0; i < n; i++) coro_unref(futs[i]);
}

int main(void)
{
    coro_loop *loop = coro_loop_new();
    coro_future *t[2], *g;
    size_t i, done;
    if (loop == NULL) return 1;

    /* gather returns a future; it completes when every child has.  Its own
     * result is NULL: read each child, which it keeps alive. */
    t[0] = spawn(loop, func1);
    t[1] = spawn(loop, func2);
    g = coro_gather(loop, 2, t, 0);
    coro_run_until_complete(loop, g);
    printf("gather: [%d, %d]\n", RESULT(t[0]), RESULT(t[1]));
    coro_unref(g);
    unref_all(2, t);

    /* wait never fails and never cancels: it only says when to look, and
     * the caller counts what is done (asyncio's done/pending sets). */
    t[0] = spawn(loop, func1);
    t[1] = spawn(loop, func2);
    g = coro_wait(loop, 2, t, CORO_ALL_COMPLETED, CORO_FOREVER);
    coro_run_until_complete(loop, g);
    for (i = done = 0; i < 2; i++) done += (size_t)coro_done(t[i]);
    printf("wait: done %u pending %u\n", (unsigned)done, (unsigned)(2 - done));
    printf("wait: results [%d, %d]\n", RESULT(t[0]), RESULT(t[1]));
    coro_unref(g);
    unref_all(2, t);

    /* With CORO_RETURN_EXCEPTIONS an error is a child's outcome like a
     * value, and the gather waits for every child instead of failing. */
    t[0] = spawn(loop, func2);
    t[1] = spawn(loop, fails);
    g = coro_gather(loop, 2, t, CORO_RETURN_EXCEPTIONS);
    coro_run_until_complete(loop, g);
    printf("return_exceptions: [");
    print_outcome(t[0]);
    printf(", ");
    print_outcome(t[1]);
    printf("]\n");
    coro_unref(g);
    unref_all(2, t);

    coro_loop_free(loop);
    return 0;
}
