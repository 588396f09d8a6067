/*
 * future_set_result.c - future_set_result.py in C: a bare future, a
 * placeholder that a coroutine fills in later (like a JavaScript Promise).
 * Running the loop until the future is done gives its result.
 */
#include <stdio.h>
#include "coro.h"

/* async def main(f): the future is passed in the frame. */
struct main_frame {
    coro_frame co;
    coro_future *f;
};

static int main_co(coro_frame *co)
{
    struct main_frame *m = (struct main_frame *)co;
    CORO_BEGIN(co);
    CORO_SLEEP(co, 1000);           /* await asyncio.sleep(1) */
    coro_set_result(m->f, "I have finished");
    CORO_END(co);
}

/* print(bool): Python spells it True/False. */
static const char *py_bool(int b) { return b ? "True" : "False"; }

int main(void)
{
    coro_loop *loop = coro_loop_new();
    coro_future *fut = coro_future_new(loop);   /* loop.create_future() */
    struct main_frame args = {0};
    int err;
    if (fut == NULL) {
        coro_loop_free(loop);
        return 1;
    }
    puts(py_bool(coro_done(fut)));
    /* loop.create_task(main(fut)).  We drop our reference at once: the loop
     * holds every unfinished task, so, unlike in asyncio, an unreferenced
     * task cannot vanish.  `fut` outlives the task: we hold it to the end. */
    args.f = fut;
    coro_unref(coro_create_task(loop, main_co, &args, sizeof args));
    err = coro_run_until_complete(loop, fut);
    if (err == 0) puts((const char *)coro_result(fut));
    puts(py_bool(coro_done(fut)));
    if (err == 0) puts((const char *)coro_result(fut));
    coro_unref(fut);
    coro_loop_free(loop);
    return err != 0;
}
