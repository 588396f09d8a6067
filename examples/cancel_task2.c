/*
 * cancel_task2.c - asyncio_cancel_task2.py in C: cancel a task while it
 * sleeps.  The cancellation arrives as CORO_ECANCELED at the await; the task
 * prints, then re-raises it, so it ends cancelled and its awaiter sees that.
 */
#include <stdio.h>
#include "coro.h"

static int task_func(coro_frame *co)
{
    CORO_BEGIN(co);
    puts("in task_func, sleeping");
    CORO_SLEEP_TRY(co, 1000);       /* try: await asyncio.sleep(1) */
    if (coro_last_error(co) == CORO_ECANCELED) {    /* except CancelledError: */
        puts("task_func was canceled");
        CORO_RAISE(co, CORO_ECANCELED, coro_last_message(co));   /* raise */
    }
    CORO_RETURN(co, "the result");
    CORO_END(co);
}

/* A plain callback, run by the loop (loop.call_soon). */
static void task_canceller(void *task)
{
    puts("in task_canceller");
    coro_cancel((coro_future *)task, NULL);
    puts("canceled the task");
}

struct main_frame {
    coro_frame co;
    coro_future *task;
};

static int main_co(coro_frame *co)
{
    struct main_frame *f = (struct main_frame *)co;
    coro_frame no_args = {0};
    CORO_BEGIN(co);
    puts("creating task");
    f->task = coro_create_task(coro_loop_of(co), task_func, &no_args, sizeof no_args);
    if (f->task == NULL) CORO_RAISE(co, CORO_ENOMEM, NULL);
    /* We hold a reference to the task until CORO_FINALLY, so the callback's
     * pointer stays valid. */
    coro_call_soon(coro_loop_of(co), task_canceller, f->task, NULL);
    CORO_AWAIT_TRY(co, f->task);
    if (coro_last_error(co) == CORO_ECANCELED)
        puts("main() also sees task as canceled");
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
