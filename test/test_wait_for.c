/* test_wait_for.c - coro_wait_for: results, timeouts that cancel and wait
 * for the inner future, a timeout of 0, cancelling the wait_for,
 * CORO_FOREVER.
 *
 * coro_wait_for(fut, t) behaves as 3.11's ensure_future(wait_for(fut, t)),
 * except where DESIGN.md's wait_for rules differ.  Expected orders come from
 * CPython 3.11 on a virtual clock: test/asyncio/wait_for.py prints them. */
#include <string.h>
#include "support.h"

static unsigned long now(coro_loop *loop)
{
    return (unsigned long)(coro_time)(coro_loop_time(loop) - T0);
}

enum { ON_CANCEL_RAISE, ON_CANCEL_SWALLOW, ON_CANCEL_ERROR };

/* The inner task: sleeps `ms` and returns `ret`.  When cancelled it cleans
 * up for 5 ms (awaiting), then re-raises the cancel, returns 42 or raises
 * 77, per `on_cancel`. */
struct inner {
    coro_frame co;
    coro_time ms;
    int on_cancel;
    intptr_t ret;
    const char *msg;
};

static int inner(coro_frame *co)
{
    struct inner *f = (struct inner *)co;
    CORO_BEGIN(co);
    test_logf("inner-start@%lu", now(coro_loop_of(co)));
    CORO_SLEEP_TRY(co, f->ms);
    if (coro_last_error(co) == CORO_ECANCELED) {
        f->msg = coro_last_message(co);
        test_logf("cleanup-start(%s)@%lu", f->msg ? f->msg : "", now(coro_loop_of(co)));
        CORO_SLEEP(co, 5);
        test_logf("cleanup-end@%lu", now(coro_loop_of(co)));
        if (f->on_cancel == ON_CANCEL_SWALLOW) CORO_RETURN(co, 42);
        if (f->on_cancel == ON_CANCEL_ERROR) CORO_RAISE(co, 77, "cleanup failed");
        CORO_RAISE(co, CORO_ECANCELED, f->msg);
    }
    test_logf("inner-end@%lu", now(coro_loop_of(co)));
    CORO_RETURN(co, f->ret);
    CORO_END(co);
}

static coro_future *start_inner(coro_loop *loop, coro_time ms, int on_cancel)
{
    struct inner init;
    coro_future *t;
    memset(&init, 0, sizeof init);
    init.ms = ms;
    init.on_cancel = on_cancel;
    init.ret = 7;
    t = coro_create_task(loop, inner, &init, sizeof init);
    assert_non_null(t);
    return t;
}

/* Run until `w` is done and log its outcome as wait_for.py does. */
static int outcome(coro_loop *loop, coro_future *w)
{
    int err = coro_run_until_complete(loop, w);
    const char *msg = coro_message(w);
    if (err == 0)
        test_logf("w-result=%d@%lu", (int)(intptr_t)coro_result(w), now(loop));
    else if (coro_cancelled(w))
        test_logf("w-cancelled(%s)@%lu", msg ? msg : "", now(loop));
    else if (coro_errname(err))
        test_logf("w-%s@%lu", coro_errname(err), now(loop));
    else
        test_logf("w-error(%d)@%lu", err, now(loop));
    return err;
}

static void timeline(coro_time inner_ms, coro_time timeout, int on_cancel, int expect_err,
                     const char *expect)
{
    coro_loop *loop = test_loop();
    coro_future *i = start_inner(loop, inner_ms, on_cancel), *w;
    w = coro_wait_for(loop, i, timeout);
    assert_non_null(w);
    assert_ptr_not_equal(w, i);
    assert_int_equal(outcome(loop, w), expect_err);
    assert_string_equal(test_log_str(), expect);
    assert_true(coro_done(i));              /* never left running */
    coro_unref(w);
    coro_unref(i);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

/* wait_for.py "result passes": inner-start@0 inner-end@10 w-result=7@10 */
static void result_passes_through(void **state)
{
    (void)state;
    timeline(10, 50, ON_CANCEL_RAISE, 0, "inner-start@0 inner-end@10 w-result=7@10 ");
}

static void error_passes_through(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop), *w;
    (void)state;
    w = coro_wait_for(loop, f, 50);
    coro_set_error(f, 9, "inner failed");
    assert_int_equal(coro_run_until_complete(loop, w), 9);
    assert_string_equal(coro_message(w), "inner failed");
    assert_false(coro_cancelled(w));
    assert_int_equal(coro_loop_time(loop), T(0));
    coro_unref(w);
    coro_unref(f);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);     /* the wait_for observed f's error */
}

/* wait_for.py "timeout":
 * inner-start@0 cleanup-start()@10 cleanup-end@15 w-TimeoutError@15 */
static void timeout_cancels_and_waits_for_cleanup(void **state)
{
    (void)state;
    timeline(100, 10, ON_CANCEL_RAISE, CORO_ETIMEDOUT,
             "inner-start@0 cleanup-start()@10 cleanup-end@15 w-CORO_ETIMEDOUT@15 ");
}

/* wait_for.py "timeout, inner swallows":
 * inner-start@0 cleanup-start()@10 cleanup-end@15 w-result=42@15 */
static void timeout_inner_swallows_value_wins(void **state)
{
    (void)state;
    timeline(100, 10, ON_CANCEL_SWALLOW, 0,
             "inner-start@0 cleanup-start()@10 cleanup-end@15 w-result=42@15 ");
}

/* wait_for.py "timeout, inner raises":
 * inner-start@0 cleanup-start()@10 cleanup-end@15 w-ValueError@15 */
static void timeout_inner_raises_error_wins(void **state)
{
    (void)state;
    timeline(100, 10, ON_CANCEL_ERROR, 77,
             "inner-start@0 cleanup-start()@10 cleanup-end@15 w-error(77)@15 ");
}

/* A plain future that nobody completes: cancelled on timeout. */
static void timeout_cancels_plain_future(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop), *w;
    (void)state;
    w = coro_wait_for(loop, f, 20);
    assert_int_equal(coro_run_until_complete(loop, w), CORO_ETIMEDOUT);
    assert_int_equal(coro_loop_time(loop), T(20));
    assert_false(coro_cancelled(w));
    assert_true(coro_cancelled(f));
    coro_unref(w);
    coro_unref(f);
    coro_loop_free(loop);
}

/* Timeout 0 cancels fut inside the call: a task not started never runs. */
static void timeout_zero_not_started_never_runs(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *i = start_inner(loop, 100, ON_CANCEL_SWALLOW), *w;
    (void)state;
    w = coro_wait_for(loop, i, 0);
    assert_non_null(w);
    assert_int_equal(coro_cancelling(i), 1);    /* already requested */
    assert_int_equal(outcome(loop, w), CORO_ETIMEDOUT);
    assert_string_equal(test_log_str(), "w-CORO_ETIMEDOUT@0 ");
    assert_true(coro_cancelled(i));
    coro_unref(w);
    coro_unref(i);
    coro_loop_free(loop);
}

/* Timeout 0 on a task that is sleeping: cancelled, cleanup awaited.
 * wait_for.py "timeout 0, started inner":
 * inner-start@0 cleanup-start()@10 cleanup-end@15 w-TimeoutError@15 */
static void timeout_zero_started_task(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *i = start_inner(loop, 100, ON_CANCEL_RAISE), *w, *s = coro_sleep(loop, 10);
    (void)state;
    assert_int_equal(coro_run_until_complete(loop, s), 0);
    w = coro_wait_for(loop, i, 0);
    assert_int_equal(outcome(loop, w), CORO_ETIMEDOUT);
    assert_string_equal(test_log_str(),
                        "inner-start@0 cleanup-start()@10 cleanup-end@15 w-CORO_ETIMEDOUT@15 ");
    coro_unref(s);
    coro_unref(w);
    coro_unref(i);
    coro_loop_free(loop);
}

/* Timeout 0 on a done future returns its outcome. */
static void timeout_zero_done_future_returns_outcome(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop), *g = coro_future_new(loop), *w;
    int x = 5;
    (void)state;
    coro_set_result(f, &x);
    w = coro_wait_for(loop, f, 0);
    assert_int_equal(coro_run_until_complete(loop, w), 0);
    assert_ptr_equal(coro_result(w), &x);
    assert_false(coro_cancelled(f));
    coro_unref(w);
    coro_set_error(g, 12, "early");
    w = coro_wait_for(loop, g, 0);
    assert_int_equal(coro_run_until_complete(loop, w), 12);
    assert_string_equal(coro_message(w), "early");
    coro_unref(w);
    coro_unref(f);
    coro_unref(g);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

static void cancel_cb(void *arg) { coro_cancel((coro_future *)arg, "bye"); }

/* Cancelling the wait_for cancels fut (the message travels), waits for its
 * cleanup and ends cancelled.  wait_for.py "cancel wait_for":
 * inner-start@0 cleanup-start()@10 cleanup-end@15 w-cancelled('bye',)@15
 * (3.11 cancels fut without the message; coro passes it on) */
static void cancel_cancels_fut_and_waits(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *i = start_inner(loop, 100, ON_CANCEL_RAISE), *w;
    (void)state;
    w = coro_wait_for(loop, i, 1000);
    coro_call_later(loop, 10, cancel_cb, w, NULL);
    assert_int_equal(outcome(loop, w), CORO_ECANCELED);
    assert_string_equal(test_log_str(),
                        "inner-start@0 cleanup-start(bye)@10 cleanup-end@15 w-cancelled(bye)@15 ");
    assert_true(coro_cancelled(w));
    assert_true(coro_cancelled(i));
    assert_string_equal(coro_message(i), "bye");
    coro_unref(w);
    coro_unref(i);
    coro_loop_free(loop);
}

/* Cancelled before its first step, the wait_for still cancels fut and
 * waits for it (3.11's ensure_future(wait_for(...)) would never run its
 * body and leave fut running; DESIGN.md: cancelling the wait_for cancels
 * fut). */
static void cancel_before_first_step_still_cancels_fut(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *i = start_inner(loop, 100, ON_CANCEL_RAISE), *w;
    (void)state;
    w = coro_wait_for(loop, i, 1000);
    assert_int_equal(coro_cancel(w, "early"), 1);
    assert_int_equal(outcome(loop, w), CORO_ECANCELED);
    assert_string_equal(test_log_str(), "inner-start@0 cleanup-start(early)@0 cleanup-end@5 "
                                        "w-cancelled(early)@5 ");
    assert_true(coro_cancelled(i));
    coro_unref(w);
    coro_unref(i);
    coro_loop_free(loop);
}

/* The cancel reaches the wait_for through a task that awaits it. */
struct awaiter {
    coro_frame co;
    coro_future *w;
};

static int awaiter(coro_frame *co)
{
    struct awaiter *f = (struct awaiter *)co;
    CORO_BEGIN(co);
    CORO_AWAIT(co, f->w);
    test_log("not reached");
    CORO_FINALLY(co);
    test_logf("awaiter-fin(%s)@%lu", coro_errname(coro_last_error(co)), now(coro_loop_of(co)));
    CORO_END(co);
}

static void cancelling_the_awaiting_task_cancels_fut(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *i = start_inner(loop, 100, ON_CANCEL_RAISE), *m;
    struct awaiter init;
    (void)state;
    memset(&init, 0, sizeof init);
    init.w = coro_wait_for(loop, i, 1000);
    m = coro_create_task(loop, awaiter, &init, sizeof init);
    coro_call_later(loop, 10, cancel_cb, m, NULL);
    assert_int_equal(coro_run_until_complete(loop, m), CORO_ECANCELED);
    assert_true(coro_cancelled(m));
    assert_true(coro_cancelled(init.w));
    assert_true(coro_cancelled(i));
    assert_string_equal(test_log_str(), "inner-start@0 cleanup-start(bye)@10 cleanup-end@15 "
                                        "awaiter-fin(CORO_ECANCELED)@15 ");
    coro_unref(m);
    coro_unref(init.w);
    coro_unref(i);
    coro_loop_free(loop);
}

/* The cancel arrives in the same iteration as fut's completion: the
 * wait_for still ends cancelled.  3.11 loses that cancel (gh-86296):
 * wait_for.py "same iteration" prints w-result=5@10 for both orders. */
struct same {
    coro_future *f, *w;
    int cancel_first;
};

static int five = 5;

static void set_and_cancel(void *arg)
{
    struct same *s = (struct same *)arg;
    if (s->cancel_first) assert_int_equal(coro_cancel(s->w, NULL), 1);
    assert_int_equal(coro_set_result(s->f, &five), 0);
    if (!s->cancel_first) assert_int_equal(coro_cancel(s->w, NULL), 1);
}

static void cancel_in_same_iteration_as_completion(void **state)
{
    int order;
    (void)state;
    for (order = 0; order < 2; order++) {
        coro_loop *loop = test_loop();
        struct same s;
        s.f = coro_future_new(loop);
        s.w = coro_wait_for(loop, s.f, 1000);
        s.cancel_first = order;
        coro_call_later(loop, 10, set_and_cancel, &s, NULL);
        assert_int_equal(coro_run_until_complete(loop, s.w), CORO_ECANCELED);
        assert_true(coro_cancelled(s.w));
        assert_int_equal(coro_loop_time(loop), T(10));
        assert_ptr_equal(coro_result(s.f), &five);      /* fut keeps its result */
        coro_unref(s.w);
        coro_unref(s.f);
        coro_loop_free(loop);
    }
}

/* The same with a task as fut: it returns in iteration X+1 and the cancel
 * is made later in X+1, by a callback queued behind its step.
 * wait_for.py "same iteration, task" (3.11 loses the cancel):
 * inner-start@0 inner-end@10 cancel w-result=7@10 */
static void soon_cancel(void *arg)
{
    void **ctx = (void **)arg;
    test_log("cancel");
    assert_int_equal(coro_cancel((coro_future *)ctx[1], "late"), 1);
}

static void later_cb(void *arg)
{
    void **ctx = (void **)arg;
    coro_call_soon((coro_loop *)ctx[0], soon_cancel, arg, NULL);
}

static void arm_cb(void *arg)
{
    void **ctx = (void **)arg;
    /* started after the inner's sleep, so it fires after it at T(10) */
    coro_call_later((coro_loop *)ctx[0], 10, later_cb, arg, NULL);
}

static void cancel_in_same_iteration_as_task_completion(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *i = start_inner(loop, 10, ON_CANCEL_RAISE), *w;
    void *ctx[2];
    (void)state;
    w = coro_wait_for(loop, i, 1000);
    ctx[0] = loop;
    ctx[1] = w;
    coro_call_soon(loop, arm_cb, ctx, NULL);
    assert_int_equal(coro_run_until_complete(loop, w), CORO_ECANCELED);
    assert_true(coro_cancelled(w));
    assert_string_equal(coro_message(w), "late");
    assert_false(coro_cancelled(i));
    assert_int_equal((intptr_t)coro_result(i), 7);      /* i had finished */
    assert_string_equal(test_log_str(), "inner-start@0 inner-end@10 cancel ");
    coro_unref(w);
    coro_unref(i);
    coro_loop_free(loop);
}

/* Completion reaches the wait_for's done-callbacks after as many iterations
 * as in 3.11.  wait_for.py "iterations": t1 set t2 t3 t4 w-done */

static void set_cb(void *arg)
{
    test_log("set");
    coro_set_result((coro_future *)arg, NULL);
}

static void log_done(coro_future *f, void *arg)
{
    (void)f;
    test_log((const char *)arg);
}

static void iterations_match_3_11(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop), *w;
    (void)state;
    w = coro_wait_for(loop, f, 1000);
    coro_add_done_callback(w, log_done, "w-done");
    test_start_ticker(loop, "t", 8);
    coro_call_soon(loop, set_cb, f, NULL);
    assert_int_equal(coro_run_until_complete(loop, w), 0);
    assert_string_equal(test_log_str(), "t1 set t2 t3 t4 w-done ");
    coro_unref(w);
    coro_unref(f);
    coro_loop_free(loop);
}

/* CORO_FOREVER: fut itself, with a new reference. */
static void forever_returns_fut_itself(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop), *w;
    int x = 3;
    (void)state;
    w = coro_wait_for(loop, f, CORO_FOREVER);
    assert_ptr_equal(w, f);
    coro_unref(f);                      /* w's reference keeps it alive */
    assert_false(coro_done(w));
    assert_int_equal(coro_set_result(w, &x), 0);
    assert_int_equal(coro_run_until_complete(loop, w), 0);
    assert_ptr_equal(coro_result(w), &x);
    coro_unref(w);
    coro_loop_free(loop);
}

static void bad_arguments_give_null(void **state)
{
    coro_loop *loop = test_loop(), *other = test_loop();
    coro_future *f = coro_future_new(loop), *x = coro_future_new(other), *w;
    (void)state;
    assert_null(coro_wait_for(NULL, f, 10));
    assert_null(coro_wait_for(loop, NULL, 10));
    assert_null(coro_wait_for(loop, x, 10));
    assert_null(coro_wait_for(loop, f, CORO_MAX_DELAY + 1));
    assert_null(coro_wait_for(loop, f, CORO_FOREVER - 1));
    assert_false(coro_cancelled(f));
    w = coro_wait_for(loop, f, CORO_MAX_DELAY);
    assert_non_null(w);
    coro_set_result(f, NULL);
    assert_int_equal(coro_run_until_complete(loop, w), 0);
    coro_unref(w);
    coro_unref(f);
    coro_unref(x);
    coro_loop_free(loop);
    coro_loop_free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(result_passes_through),
        CORO_TEST(error_passes_through),
        CORO_TEST(timeout_cancels_and_waits_for_cleanup),
        CORO_TEST(timeout_inner_swallows_value_wins),
        CORO_TEST(timeout_inner_raises_error_wins),
        CORO_TEST(timeout_cancels_plain_future),
        CORO_TEST(timeout_zero_not_started_never_runs),
        CORO_TEST(timeout_zero_started_task),
        CORO_TEST(timeout_zero_done_future_returns_outcome),
        CORO_TEST(cancel_cancels_fut_and_waits),
        CORO_TEST(cancel_before_first_step_still_cancels_fut),
        CORO_TEST(cancelling_the_awaiting_task_cancels_fut),
        CORO_TEST(cancel_in_same_iteration_as_completion),
        CORO_TEST(cancel_in_same_iteration_as_task_completion),
        CORO_TEST(iterations_match_3_11),
        CORO_TEST(forever_returns_fut_itself),
        CORO_TEST(bad_arguments_give_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
