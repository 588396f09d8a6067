/*
 * cancel_task.c - asyncio_cancel_task.py in C: cancel a task before the loop
 * has started it.  Its body never runs, and awaiting it raises the
 * cancellation (CORO_ECANCELED) in the awaiter.
 */
#include <stdio.h>
#include "coro.h"

static int task_func(coro_frame *co)
{
    CORO_BEGIN(co);
    puts("in task_func");           /* never printed */
    CORO_RETURN(co, "the result");
    CORO_END(co);
}

struct main_frame {
    coro_frame co;
    coro_future *task;
};

static int main_co(coro_frame *co)
{
    struct main_frame *f = (struct main_frame *)co;
    coro_frame no_args = {0};
    char repr[128];
    CORO_BEGIN(co);
    puts("creating task");
    f->task = coro_create_task(coro_loop_of(co), task_func, &no_args, sizeof no_args);
    if (f->task == NULL) CORO_RAISE(co, CORO_ENOMEM, NULL);
    puts("canceling task");
    coro_cancel(f->task, NULL);
    /* Only requested so far: the repr says "cancelling" until it has ended. */
    coro_task_repr(f->task, repr, sizeof repr);
    printf("canceled task %s\n", repr);
    /* try: await task / except CancelledError.  The _TRY form does not
     * propagate the error; we test it ourselves. */
    CORO_AWAIT_TRY(co, f->task);
    if (coro_last_error(co) == CORO_ECANCELED)
        puts("caught error from canceled task");
    else
        printf("task result: %s\n", (const char *)coro_last_result(co));
    CORO_FINALLY(co);
    coro_unref(f->task);
    CORO_END(co);
}

int main(void)
{
    coro_loop *loop = coro_loop_new();
    struct main_frame args = {0};
    coro_future *task;
    int err;
    if (loop == NULL) return 1;
    task = coro_create_task(loop, main_co, &args, sizeof args);   /* Task-1 */
    err = coro_run_until_complete(loop, task);
    coro_unref(task);
    coro_loop_free(loop);
    return err != 0;
}
