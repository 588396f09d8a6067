/*
 * size_core.c - what the size table measures (make size).  Linked alone,
 * without libc and with --gc-sections, it keeps exactly the library code it
 * uses, and test/mcu/size.sh adds up the sections that came from the
 * library's objects.
 *
 *   SIZE_FULL 0: the core the size target is about: futures, tasks, the
 *                loop without fds, gather and wait.
 *   SIZE_FULL 1: every function of a bare-metal build (everything but the
 *                fd functions): also wait_for, shield, sleep futures,
 *                call_soon/later/at, handles, names and reprs, events,
 *                coro_run and the default exception handler.
 */
#include "coro.h"

struct frame {
    coro_frame co;
    coro_future *f;
};

static int body(coro_frame *co)
{
    struct frame *fr = (struct frame *)co;
    CORO_BEGIN(co);
    CORO_SLEEP(co, 1);
    CORO_AWAIT(co, fr->f);
    CORO_RETURN(co, 1);
    CORO_END(co);
}

#if SIZE_FULL
static coro_event ev;
static void cb(void *arg) { (void)arg; }
static void done(coro_future *f, void *arg) { (void)f; (void)arg; }

static int full(coro_frame *co)
{
    CORO_BEGIN(co);
    CORO_AWAIT_EVENT(co, &ev);
    CORO_AWAIT_TAKE(co, coro_sleep(coro_loop_of(co), 1));
    CORO_FINALLY(co);
    CORO_END(co);
}
#endif

int size_main(void);
int size_main(void)
{
    coro_loop *loop = coro_loop_new();
    coro_future *fut = coro_future_new(loop), *t[2], *g, *w;
    struct frame init;
    int err;
    init.f = fut;
    t[0] = coro_create_task(loop, body, &init, sizeof init);
    t[1] = coro_create_task(loop, body, &init, sizeof init);
    g = coro_gather(loop, 2, t, 0);
    w = coro_wait(loop, 2, t, CORO_FIRST_COMPLETED, 100);
    coro_set_result(fut, NULL);
    err = coro_run_until_complete(loop, g);
    coro_cancel(t[1], NULL);
    err += coro_error(w) + coro_done(t[0]) + coro_cancelled(t[1]) + (coro_result(t[0]) != NULL);
#if SIZE_FULL
    {
        coro_handle h;
        char buf[80];
        coro_frame none = {0};
        coro_future *x = coro_wait_for(loop, t[0], 10), *s = coro_shield(loop, t[1]);
        coro_event_init(&ev, loop);
        coro_event_set(&ev);
        coro_call_soon(loop, cb, NULL, &h);
        coro_call_later(loop, 5, cb, NULL, NULL);
        coro_call_at(loop, coro_loop_time(loop) + 5, cb, NULL, NULL);
        coro_handle_cancel(h);
        coro_add_done_callback(x, done, NULL);
        coro_remove_done_callback(x, done, NULL);
        coro_set_error(coro_future_new(loop), 1, "e");
        coro_task_set_name(t[0], "n");
        err += coro_task_repr(t[0], buf, sizeof buf) + coro_cancelling(t[0]) + coro_uncancel(t[0]);
        err += (coro_task_name(t[1]) != NULL) + (int)coro_task_count(loop);
        err += (coro_current_task(loop) != NULL) + (coro_message(x) != NULL);
        coro_all_tasks(loop, done, NULL);
        coro_set_exception_handler(loop, NULL, NULL);
        coro_stop(loop);
        err += coro_run_forever(loop);
        err += coro_run(full, &none, sizeof none);
        err += (coro_strerror(err) != NULL) + (coro_errname(err) != NULL);
        coro_unref(x);
        coro_unref(s);
        coro_loop_free(coro_loop_new_virtual(0));
        coro_set_allocator(NULL, NULL, NULL);
    }
#endif
    coro_unref(fut);
    coro_unref(g);
    coro_unref(w);
    coro_unref(t[0]);
    coro_unref(t[1]);
    coro_loop_free(loop);
    return err;
}
