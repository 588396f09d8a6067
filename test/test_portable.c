/* test_portable.c - timers, the virtual clock, cancellation and the
 * combinators, compact enough for an 8 KB microcontroller.  The detailed
 * suites (test_timers.c, test_task_cancel.c, ...) also test these, but some
 * need POSIX (alarm, threads); this file runs everywhere, so the emulated
 * targets of make test-mcu check the same semantics.  Pure C99: no fds, no
 * signals, no threads. */
#include <string.h>
#include "support.h"

/* ------------------------------------------------------------- helpers */

static coro_loop *cur_loop;

static void log_cb(void *arg)
{
    test_logf("%s@%lu", (const char *)arg, (unsigned long)(coro_loop_time(cur_loop) - T0));
}

/* Run the loop until `ms` of virtual time have passed. */
static void run_for(coro_loop *loop, coro_time ms)
{
    coro_future *s = coro_sleep(loop, ms);
    assert_non_null(s);
    assert_int_equal(coro_run_until_complete(loop, s), 0);
    coro_unref(s);
}

struct sleeper {
    coro_frame co;
    const char *name;
    coro_time ms;
    int swallow;                /* catch a cancel and return 42 */
};

static int sleeper(coro_frame *co)
{
    struct sleeper *s = (struct sleeper *)co;
    CORO_BEGIN(co);
    test_logf("%s:start", s->name);
    if (s->swallow) {
        CORO_SLEEP_TRY(co, s->ms);
        if (coro_last_error(co) == CORO_ECANCELED) {
            test_logf("%s:caught", s->name);
            CORO_RETURN(co, 42);
        }
    } else {
        CORO_SLEEP(co, s->ms);
    }
    test_logf("%s:done@%lu", s->name, (unsigned long)(coro_loop_time(coro_loop_of(co)) - T0));
    CORO_RETURN(co, s->ms);
    CORO_FINALLY(co);
    if (coro_last_error(co) != 0) test_logf("%s:finally:%s", s->name, coro_errname(coro_last_error(co)));
    CORO_END(co);
}

static coro_future *spawn_sleeper(coro_loop *loop, const char *name, coro_time ms, int swallow)
{
    struct sleeper init;
    coro_future *t;
    memset(&init, 0, sizeof init);
    init.name = name;
    init.ms = ms;
    init.swallow = swallow;
    t = coro_create_task(loop, sleeper, &init, sizeof init);
    assert_non_null(t);
    return t;
}

/* --------------------------------------------------------------- timers */

static void timers_fire_by_deadline_then_start_order(void **state)
{
    coro_loop *loop = test_loop();
    (void)state;
    cur_loop = loop;
    assert_int_equal(coro_call_later(loop, 30, log_cb, "c", NULL), 0);
    assert_int_equal(coro_call_later(loop, 10, log_cb, "a1", NULL), 0);
    assert_int_equal(coro_call_later(loop, 10, log_cb, "a2", NULL), 0);
    assert_int_equal(coro_call_at(loop, T(20), log_cb, "b", NULL), 0);
    assert_int_equal(coro_call_later(loop, 0, log_cb, "z", NULL), 0);
    assert_int_equal(coro_call_soon(loop, log_cb, "soon", NULL), 0);
    run_for(loop, 40);
    assert_string_equal(test_log_str(), "soon@0 z@0 a1@10 a2@10 b@20 c@30 ");
    assert_int_equal(coro_loop_time(loop), T(40));
    coro_loop_free(loop);
}

static void cancelled_handles_never_run(void **state)
{
    coro_loop *loop = test_loop();
    coro_handle h1, h2, h3;
    (void)state;
    cur_loop = loop;
    assert_int_equal(coro_call_later(loop, 5, log_cb, "x", &h1), 0);
    assert_int_equal(coro_call_later(loop, 5, log_cb, "y", &h2), 0);
    assert_int_equal(coro_call_soon(loop, log_cb, "s", &h3), 0);
    assert_int_equal(coro_handle_cancel(h1), 1);
    assert_int_equal(coro_handle_cancel(h1), 0);        /* twice is safe */
    assert_int_equal(coro_handle_cancel(h3), 1);        /* queued: skipped */
    run_for(loop, 10);
    assert_string_equal(test_log_str(), "y@5 ");
    assert_int_equal(coro_handle_cancel(h2), 0);        /* it ran: stale, still safe */
    coro_loop_free(loop);
}

/* asyncio: the sleep's timer fires in iteration X, the task resumes in X+1,
 * so a plain callback due at the same time runs first. */
static void sleeping_task_resumes_after_callback_due_with_it(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    cur_loop = loop;
    t = spawn_sleeper(loop, "t", 10, 0);
    assert_int_equal(coro_call_later(loop, 10, log_cb, "cb", NULL), 0);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "t:start cb@10 t:done@10 ");
    assert_int_equal((int)(intptr_t)coro_result(t), 10);
    coro_unref(t);
    coro_loop_free(loop);
}

struct yielder {
    coro_frame co;
    int i;
};

static int yielder(coro_frame *co)
{
    struct yielder *y = (struct yielder *)co;
    CORO_BEGIN(co);
    for (y->i = 0; y->i < 3; y->i++) {
        CORO_YIELD(co);
        test_logf("y@%lu", (unsigned long)(coro_loop_time(coro_loop_of(co)) - T0));
    }
    CORO_SLEEP(co, 100000);                             /* 100 s, virtually */
    test_logf("slept@%lu", (unsigned long)(coro_loop_time(coro_loop_of(co)) - T0));
    CORO_END(co);
}

static void virtual_clock_moves_only_when_idle(void **state)
{
    coro_loop *loop = test_loop();
    struct yielder init;
    coro_future *t;
    (void)state;
    memset(&init, 0, sizeof init);
    t = coro_create_task(loop, yielder, &init, sizeof init);
    assert_non_null(t);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "y@0 y@0 y@0 slept@100000 ");
    coro_unref(t);
    coro_loop_free(loop);
}

static void delays_out_of_range_are_rejected(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    cur_loop = loop;
    assert_int_equal(coro_call_later(loop, CORO_MAX_DELAY + 1, log_cb, "x", NULL), CORO_EINVAL);
    assert_int_equal(coro_call_at(loop, T(0) + CORO_MAX_DELAY + 1, log_cb, "x", NULL), CORO_EINVAL);
    assert_int_equal(coro_call_at(loop, T(0) - CORO_MAX_DELAY - 1, log_cb, "x", NULL), CORO_EINVAL);
    assert_null(coro_sleep(loop, CORO_MAX_DELAY + 1));
    t = spawn_sleeper(loop, "big", CORO_MAX_DELAY + 1, 0);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_EINVAL);
    coro_unref(t);
    coro_loop_free(loop);
}

/* Whatever T0 is, timers on both sides of the 32-bit wrap keep their order. */
static void timers_order_across_the_wrap(void **state)
{
    coro_loop *loop = coro_loop_new_virtual(0xFFFFFFF0u);
    (void)state;
    assert_non_null(loop);
    coro_set_exception_handler(loop, test_handler, NULL);
    cur_loop = loop;
    T0 = 0xFFFFFFF0u;
    coro_call_later(loop, 40, log_cb, "d", NULL);      /* after the wrap */
    coro_call_later(loop, 5, log_cb, "a", NULL);       /* before it */
    coro_call_at(loop, 0x00000002u, log_cb, "c", NULL);    /* 18 ms in, after it */
    coro_call_later(loop, 16, log_cb, "b", NULL);      /* exactly at 0 */
    run_for(loop, 50);
    assert_string_equal(test_log_str(), "a@5 b@16 c@18 d@40 ");
    assert_int_equal(coro_loop_time(loop), 0x00000022u);
    coro_loop_free(loop);
}

/* --------------------------------------------------------- cancellation */

static void cancel_before_start_never_runs_the_body(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    t = spawn_sleeper(loop, "t", 10, 0);
    assert_int_equal(coro_cancel(t, "early"), 1);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
    assert_true(coro_cancelled(t));
    assert_string_equal(coro_message(t), "early");
    assert_string_equal(test_log_str(), "");
    coro_unref(t);
    coro_loop_free(loop);
}

static void cancel_while_sleeping_runs_finally(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    t = spawn_sleeper(loop, "t", 100, 0);
    run_for(loop, 10);
    assert_int_equal(coro_cancel(t, "stop"), 1);
    assert_int_equal(coro_cancelling(t), 1);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
    assert_true(coro_cancelled(t));
    assert_string_equal(coro_message(t), "stop");
    assert_string_equal(test_log_str(), "t:start t:finally:CORO_ECANCELED ");
    assert_int_equal(coro_loop_time(loop), T(10));
    coro_unref(t);
    coro_loop_free(loop);
}

static void swallowed_cancel_returns_a_value(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    t = spawn_sleeper(loop, "t", 100, 1);
    run_for(loop, 1);
    coro_cancel(t, NULL);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_false(coro_cancelled(t));
    assert_int_equal((int)(intptr_t)coro_result(t), 42);
    assert_int_equal(coro_cancelling(t), 1);
    assert_int_equal(coro_uncancel(t), 0);
    assert_string_equal(test_log_str(), "t:start t:caught ");
    coro_unref(t);
    coro_loop_free(loop);
}

/* A chain of tasks, each awaiting the next: cancelling the top one cancels
 * down the chain, and every task ends cancelled. */
#define CHAIN 24

struct link {
    coro_frame co;
    int depth;
    coro_future *next;
};

static int chain_link(coro_frame *co)
{
    struct link *l = (struct link *)co;
    CORO_BEGIN(co);
    if (l->depth == 0) {
        CORO_SLEEP(co, 1000);
    } else {
        struct link child;
        memset(&child, 0, sizeof child);
        child.depth = l->depth - 1;
        l->next = coro_create_task(coro_loop_of(co), chain_link, &child, sizeof child);
        CORO_AWAIT(co, l->next);
    }
    CORO_FINALLY(co);
    if (l->depth == 0) test_logf("bottom:%s", coro_errname(coro_last_error(co)));
    coro_unref(l->next);
    CORO_END(co);
}

static void cancel_travels_down_a_chain_of_tasks(void **state)
{
    coro_loop *loop = test_loop();
    struct link init;
    coro_future *top;
    (void)state;
    memset(&init, 0, sizeof init);
    init.depth = CHAIN - 1;
    top = coro_create_task(loop, chain_link, &init, sizeof init);
    assert_non_null(top);
    run_for(loop, 1);
    assert_int_equal(coro_task_count(loop), CHAIN);
    assert_int_equal(coro_cancel(top, "down"), 1);
    assert_int_equal(coro_run_until_complete(loop, top), CORO_ECANCELED);
    assert_string_equal(coro_message(top), "down");
    assert_string_equal(test_log_str(), "bottom:CORO_ECANCELED ");
    run_for(loop, 1);
    assert_int_equal(coro_task_count(loop), 0);
    coro_unref(top);
    coro_loop_free(loop);
}

/* ---------------------------------------------------------- combinators */

struct failer {
    coro_frame co;
    coro_time ms;
};

static int failer(coro_frame *co)
{
    struct failer *f = (struct failer *)co;
    CORO_BEGIN(co);
    CORO_SLEEP(co, f->ms);
    CORO_RAISE(co, 7, "boom");
    CORO_END(co);
}

static void gather_fails_fast_and_the_others_go_on(void **state)
{
    coro_loop *loop = test_loop();
    struct failer fi = {{0}, 5};
    coro_future *t[3], *g;
    int i;
    (void)state;
    t[0] = spawn_sleeper(loop, "a", 10, 0);
    t[1] = coro_create_task(loop, failer, &fi, sizeof fi);
    t[2] = spawn_sleeper(loop, "c", 20, 0);
    g = coro_gather(loop, 3, t, 0);
    assert_non_null(g);
    assert_int_equal(coro_run_until_complete(loop, g), 7);
    assert_string_equal(coro_message(g), "boom");
    assert_int_equal(coro_loop_time(loop), T(5));
    assert_false(coro_done(t[0]));                      /* still running */
    run_for(loop, 20);
    assert_int_equal((int)(intptr_t)coro_result(t[0]), 10);
    assert_int_equal((int)(intptr_t)coro_result(t[2]), 20);
    coro_unref(g);
    for (i = 0; i < 3; i++) coro_unref(t[i]);
    coro_loop_free(loop);
}

static void wait_first_completed_and_timeout(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t[2], *w;
    (void)state;
    t[0] = spawn_sleeper(loop, "a", 10, 0);
    t[1] = spawn_sleeper(loop, "b", 30, 0);
    w = coro_wait(loop, 2, t, CORO_FIRST_COMPLETED, CORO_FOREVER);
    assert_int_equal(coro_run_until_complete(loop, w), 0);
    assert_true(coro_done(t[0]));
    assert_false(coro_done(t[1]));
    coro_unref(w);
    w = coro_wait(loop, 2, t, CORO_ALL_COMPLETED, 5);   /* times out at 15 */
    assert_int_equal(coro_run_until_complete(loop, w), 0);
    assert_int_equal(coro_loop_time(loop), T(15));
    assert_false(coro_done(t[1]));                      /* wait never cancels */
    coro_unref(w);
    assert_int_equal(coro_run_until_complete(loop, t[1]), 0);
    coro_unref(t[0]);
    coro_unref(t[1]);
    coro_loop_free(loop);
}

static void wait_for_times_out_and_shield_protects(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *a, *wf, *b, *sh;
    (void)state;
    a = spawn_sleeper(loop, "a", 100, 0);
    wf = coro_wait_for(loop, a, 10);
    assert_int_equal(coro_run_until_complete(loop, wf), CORO_ETIMEDOUT);
    assert_int_equal(coro_loop_time(loop), T(10));
    assert_true(coro_cancelled(a));
    b = spawn_sleeper(loop, "b", 20, 0);
    sh = coro_shield(loop, b);
    assert_int_equal(coro_cancel(sh, NULL), 1);
    assert_int_equal(coro_run_until_complete(loop, b), 0);  /* b was not cancelled */
    assert_true(coro_cancelled(sh));
    assert_int_equal((int)(intptr_t)coro_result(b), 20);
    assert_string_equal(test_log_str(), "a:start a:finally:CORO_ECANCELED b:start b:done@30 ");
    coro_unref(a);
    coro_unref(wf);
    coro_unref(b);
    coro_unref(sh);
    coro_loop_free(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(timers_fire_by_deadline_then_start_order),
        CORO_TEST(cancelled_handles_never_run),
        CORO_TEST(sleeping_task_resumes_after_callback_due_with_it),
        CORO_TEST(virtual_clock_moves_only_when_idle),
        CORO_TEST(delays_out_of_range_are_rejected),
        CORO_TEST(timers_order_across_the_wrap),
        CORO_TEST(cancel_before_start_never_runs_the_body),
        CORO_TEST(cancel_while_sleeping_runs_finally),
        CORO_TEST(swallowed_cancel_returns_a_value),
        CORO_TEST(cancel_travels_down_a_chain_of_tasks),
        CORO_TEST(gather_fails_fast_and_the_others_go_on),
        CORO_TEST(wait_first_completed_and_timeout),
        CORO_TEST(wait_for_times_out_and_shield_protects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
