/*
 * create_task.c - asyncio_create_task.py in C: start a task, wait for it and
 * read its result.
 *
 * asyncio's run_until_complete(main(loop)) wraps main in a task, Task-1, so
 * the task that main creates is Task-2.  Here main is a task too, for the
 * same reason and with the same names.
 */
#include <stdio.h>
#include "coro.h"

/* async def task_func(): no arguments and no state, so its frame is just
 * the coro_frame header. */
static int task_func(coro_frame *co)
{
    CORO_BEGIN(co);
    puts("in task_func");
    CORO_RETURN(co, "the result");  /* a static string: never point into the frame */
    CORO_END(co);
}

/* async def main(loop).  `task` is used after an await, so it lives in the
 * frame: C locals do not survive an await. */
struct main_frame {
    coro_frame co;
    coro_future *task;
};

static int main_co(coro_frame *co)
{
    struct main_frame *f = (struct main_frame *)co;
    coro_frame no_args = {0};
    char repr[128];                 /* refilled before each use: may be a local */
    CORO_BEGIN(co);
    puts("creating task");
    f->task = coro_create_task(coro_loop_of(co), task_func, &no_args, sizeof no_args);
    if (f->task == NULL) CORO_RAISE(co, CORO_ENOMEM, NULL);
    coro_task_repr(f->task, repr, sizeof repr);         /* f'{task}' */
    printf("waiting for %s\n", repr);
    CORO_AWAIT(co, f->task);        /* return_value = await task */
    coro_task_repr(f->task, repr, sizeof repr);
    printf("task completed %s\n", repr);
    printf("return value: %s\n", (const char *)coro_last_result(co));
    CORO_FINALLY(co);
    coro_unref(f->task);            /* ours; the loop held its own while it ran */
    CORO_END(co);
}

int main(void)
{
    coro_loop *loop = coro_loop_new();      /* asyncio.new_event_loop() */
    struct main_frame args = {0};
    coro_future *task;
    int err;
    if (loop == NULL) return 1;
    task = coro_create_task(loop, main_co, &args, sizeof args);   /* Task-1 */
    err = coro_run_until_complete(loop, task);
    coro_unref(task);
    coro_loop_free(loop);                   /* event_loop.close() */
    return err != 0;
}
