/*
 * ensure_future.c - asyncio_ensure_future.py in C: a task handed to code that
 * only awaits it.
 *
 * asyncio.ensure_future(x) wraps a coroutine in a task and returns a future
 * unchanged.  In C the type already tells which one you hold, so there is no
 * ensure_future: a coroutine (a coro_fn and its frame) goes to
 * coro_create_task, and a future is passed on as it is.  inner() below takes
 * any coro_future: it neither knows nor cares that it is a task.
 */
#include <stdio.h>
#include "coro.h"

static int wrapped(coro_frame *co)
{
    CORO_BEGIN(co);
    puts("wrapped");
    CORO_RETURN(co, "result");
    CORO_END(co);
}

/* async def inner(task): its argument is a frame field, filled in by the
 * caller before the call. */
struct inner_frame {
    coro_frame co;
    coro_future *task;
};

static int inner(coro_frame *co)
{
    struct inner_frame *f = (struct inner_frame *)co;
    char repr[128];
    CORO_BEGIN(co);
    puts("inner: starting");
    coro_task_repr(f->task, repr, sizeof repr);
    printf("inner: waiting for %s\n", repr);
    CORO_AWAIT(co, f->task);        /* result = await task */
    printf("inner: task returned %s\n", (const char *)coro_last_result(co));
    CORO_END(co);
}

struct starter_frame {
    coro_frame co;
    coro_future *task;
};

static int starter(coro_frame *co)
{
    struct starter_frame *f = (struct starter_frame *)co;
    coro_frame no_args = {0};
    struct inner_frame call = {0};  /* copied by CORO_AWAIT_CALL: may be a local */
    CORO_BEGIN(co);
    puts("starter: creating task");
    f->task = coro_create_task(coro_loop_of(co), wrapped, &no_args, sizeof no_args);
    if (f->task == NULL) CORO_RAISE(co, CORO_ENOMEM, NULL);
    puts("starter: waiting for inner");
    call.task = f->task;
    /* await inner(task): runs inner at once, inside this task (no new task,
     * no loop trip), and resumes here when it returns. */
    CORO_AWAIT_CALL(co, inner, &call, sizeof call);
    puts("starter: inner returned");
    CORO_FINALLY(co);
    coro_unref(f->task);
    CORO_END(co);
}

int main(void)
{
    coro_loop *loop = coro_loop_new();
    struct starter_frame args = {0};
    coro_future *task;
    int err;
    if (loop == NULL) return 1;
    puts("entering event loop");
    task = coro_create_task(loop, starter, &args, sizeof args);   /* Task-1 */
    err = coro_run_until_complete(loop, task);
    coro_unref(task);
    coro_loop_free(loop);
    return err != 0;
}
