/* test_shield.c - coro_shield: cancelling the shield leaves the inner future
 * alone; the inner's outcome (result, error, cancellation) passes through.
 *
 * Expected orders come from CPython 3.11 on a virtual clock:
 * test/asyncio/shield.py prints them (python3 shield.py). */
#include <string.h>
#include "support.h"

static unsigned long now(coro_loop *loop)
{
    return (unsigned long)(coro_time)(coro_loop_time(loop) - T0);
}

/* The inner task: sleeps `ms`, then raises `err` or returns 5. */
struct inner {
    coro_frame co;
    coro_time ms;
    int err;
};

static int inner(coro_frame *co)
{
    struct inner *f = (struct inner *)co;
    CORO_BEGIN(co);
    test_logf("inner-start@%lu", now(coro_loop_of(co)));
    CORO_SLEEP(co, f->ms);
    if (f->err) {
        test_logf("inner-raise@%lu", now(coro_loop_of(co)));
        CORO_RAISE(co, f->err, "inner failed");
    }
    test_logf("inner-end@%lu", now(coro_loop_of(co)));
    CORO_RETURN(co, 5);
    CORO_END(co);
}

static coro_future *start_inner(coro_loop *loop, coro_time ms, int err)
{
    struct inner init;
    coro_future *t;
    memset(&init, 0, sizeof init);
    init.ms = ms;
    init.err = err;
    t = coro_create_task(loop, inner, &init, sizeof init);
    assert_non_null(t);
    return t;
}

static void run_until(coro_loop *loop, coro_time ms)
{
    coro_future *s = coro_sleep(loop, (coro_time)(T(ms) - coro_loop_time(loop)));
    assert_non_null(s);
    assert_int_equal(coro_run_until_complete(loop, s), 0);
    coro_unref(s);
}

static void cancelling_the_shield_leaves_inner_alone(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *i = start_inner(loop, 20, 0), *s;
    (void)state;
    s = coro_shield(loop, i);
    assert_non_null(s);
    assert_ptr_not_equal(s, i);
    run_until(loop, 5);
    assert_int_equal(coro_cancel(s, "outer"), 1);
    assert_true(coro_cancelled(s));
    assert_string_equal(coro_message(s), "outer");
    assert_false(coro_done(i));
    assert_int_equal(coro_cancelling(i), 0);
    assert_int_equal(coro_run_until_complete(loop, i), 0);
    assert_int_equal(coro_loop_time(loop), T(20));
    assert_int_equal((intptr_t)coro_result(i), 5);
    assert_true(coro_cancelled(s));         /* unchanged by the inner's result */
    assert_string_equal(test_log_str(), "inner-start@0 inner-end@20 ");
    coro_unref(s);
    coro_unref(i);
    coro_loop_free(loop);
}

/* A task awaiting the shield is cancelled: it sees CORO_ECANCELED at once,
 * the inner completes.  shield.py "awaiter cancelled":
 * inner-start@0 main-cancelled@5 inner-end@20 | i.result()=5 */
struct awaiter {
    coro_frame co;
    coro_future *inner, *s;
};

static int awaiter(coro_frame *co)
{
    struct awaiter *f = (struct awaiter *)co;
    CORO_BEGIN(co);
    f->s = coro_shield(coro_loop_of(co), f->inner);
    CORO_AWAIT_TRY(co, f->s);
    if (coro_last_error(co) == CORO_ECANCELED) test_logf("main-cancelled@%lu", now(coro_loop_of(co)));
    CORO_RAISE(co, coro_last_error(co), coro_last_message(co));
    CORO_FINALLY(co);
    coro_unref(f->s);
    CORO_END(co);
}

static void cancel_cb(void *arg) { coro_cancel((coro_future *)arg, NULL); }

static void awaiter_cancelled_inner_completes(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *m;
    struct awaiter init;
    (void)state;
    memset(&init, 0, sizeof init);
    init.inner = start_inner(loop, 20, 0);
    m = coro_create_task(loop, awaiter, &init, sizeof init);
    coro_call_later(loop, 5, cancel_cb, m, NULL);
    assert_int_equal(coro_run_until_complete(loop, m), CORO_ECANCELED);
    assert_true(coro_cancelled(m));
    assert_int_equal(coro_loop_time(loop), T(5));
    assert_int_equal(coro_run_until_complete(loop, init.inner), 0);
    assert_int_equal((intptr_t)coro_result(init.inner), 5);
    assert_string_equal(test_log_str(), "inner-start@0 main-cancelled@5 inner-end@20 ");
    coro_unref(m);
    coro_unref(init.inner);
    coro_loop_free(loop);
}

/* Iteration counting, as in shield.py. */

static void log_done(coro_future *f, void *arg)
{
    (void)arg;
    if (coro_cancelled(f)) test_log("s-done cancelled");
    else test_logf("s-done result=%d", (int)(intptr_t)coro_result(f));
}

static void cancel_inner_cb(void *arg)
{
    test_log("cancel");
    coro_cancel((coro_future *)arg, "inner msg");
}

static int five = 5;

static void set_inner_cb(void *arg)
{
    test_log("set");
    coro_set_result((coro_future *)arg, (void *)(intptr_t)five);
}

/* The inner is cancelled: the shield ends cancelled, with the inner's
 * message.  shield.py "inner cancelled": t1 cancel t2 t3 s-done cancelled=True
 * (3.11 drops the message; coro keeps it) */
static void inner_cancelled_cancels_shield_with_its_message(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop), *s;
    (void)state;
    s = coro_shield(loop, f);
    coro_add_done_callback(s, log_done, NULL);
    test_start_ticker(loop, "t", 5);
    coro_call_soon(loop, cancel_inner_cb, f, NULL);
    assert_int_equal(coro_run_until_complete(loop, s), CORO_ECANCELED);
    assert_string_equal(test_log_str(), "t1 cancel t2 t3 s-done cancelled ");
    assert_true(coro_cancelled(s));
    assert_string_equal(coro_message(s), "inner msg");
    coro_unref(s);
    coro_unref(f);
    coro_loop_free(loop);
}

/* shield.py "result iterations": t1 set t2 t3 s-done result=5 */
static void result_passes_through(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop), *s;
    (void)state;
    s = coro_shield(loop, f);
    coro_add_done_callback(s, log_done, NULL);
    test_start_ticker(loop, "t", 5);
    coro_call_soon(loop, set_inner_cb, f, NULL);
    assert_int_equal(coro_run_until_complete(loop, s), 0);
    assert_string_equal(test_log_str(), "t1 set t2 t3 s-done result=5 ");
    assert_false(coro_cancelled(s));
    coro_unref(s);
    coro_unref(f);
    coro_loop_free(loop);
}

static void error_passes_through(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *i = start_inner(loop, 10, 9), *s;
    (void)state;
    s = coro_shield(loop, i);
    assert_int_equal(coro_run_until_complete(loop, s), 9);
    assert_string_equal(coro_message(s), "inner failed");
    assert_false(coro_cancelled(s));
    assert_int_equal(coro_loop_time(loop), T(10));
    coro_unref(i);
    coro_unref(s);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);     /* the shield observed i's error */
}

/* The shield was cancelled and the inner fails later: as in 3.11 (whose
 * outer done-callback removes the inner's callback), nobody observed that
 * error, so it is reported once.  shield.py "inner fails after the cancel":
 * inner-start@0 inner-raise@10 REPORT: Task exception was never retrieved */
static void inner_error_after_shield_cancel_is_reported(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *i = start_inner(loop, 10, 9), *s;
    (void)state;
    s = coro_shield(loop, i);
    run_until(loop, 5);
    coro_cancel(s, NULL);
    run_until(loop, 20);
    assert_true(coro_done(i));
    coro_unref(s);
    coro_unref(i);
    assert_int_equal(test_nreports, 1);
    assert_string_equal(test_reports[0].message, "Task exception was never retrieved");
    assert_int_equal(test_reports[0].err, 9);
    coro_loop_free(loop);
    assert_string_equal(test_log_str(), "inner-start@0 inner-raise@10 ");
}

/* The inner fails in the same iteration as the shield's cancel, before or
 * after it: 3.11's inner done-callback still runs and marks the error as
 * retrieved (shield.py "same iteration, ...": no report for either order).
 * Before the fix, coro unlinked at cancel time and reported the
 * cancel-then-fail order. */
struct fail_cancel {
    coro_future *f, *s;
    int cancel_first;
};

static void fail_and_cancel(void *arg)
{
    struct fail_cancel *fc = (struct fail_cancel *)arg;
    if (fc->cancel_first) assert_int_equal(coro_cancel(fc->s, NULL), 1);
    assert_int_equal(coro_set_error(fc->f, 9, NULL), 0);
    if (!fc->cancel_first) assert_int_equal(coro_cancel(fc->s, NULL), 1);
}

static void inner_error_in_cancel_iteration_is_retrieved(void **state)
{
    int order;
    (void)state;
    for (order = 0; order < 2; order++) {
        coro_loop *loop = test_loop();
        struct fail_cancel fc;
        fc.f = coro_future_new(loop);
        fc.s = coro_shield(loop, fc.f);
        fc.cancel_first = order;
        coro_call_soon(loop, fail_and_cancel, &fc, NULL);
        run_until(loop, 5);
        assert_true(coro_cancelled(fc.s));
        coro_unref(fc.s);
        coro_unref(fc.f);
        coro_loop_free(loop);
        assert_int_equal(test_nreports, 0);
    }
}

static void shielding_a_done_future_returns_it(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop), *g = coro_future_new(loop), *s;
    int x = 1;
    (void)state;
    coro_set_result(f, &x);
    s = coro_shield(loop, f);
    assert_ptr_equal(s, f);
    coro_unref(f);                          /* s is a reference of its own */
    assert_ptr_equal(coro_result(s), &x);
    coro_unref(s);
    coro_cancel(g, "gone");
    s = coro_shield(loop, g);
    assert_ptr_equal(s, g);
    assert_true(coro_cancelled(s));
    coro_unref(s);
    coro_unref(g);
    coro_loop_free(loop);
}

/* The shield may be released before the inner completes. */
static void shield_freed_before_inner_completes(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *i = start_inner(loop, 10, 0), *s;
    (void)state;
    s = coro_shield(loop, i);
    coro_unref(s);
    assert_int_equal(coro_run_until_complete(loop, i), 0);
    coro_unref(i);
    coro_loop_free(loop);
}

static void bad_arguments_give_null(void **state)
{
    coro_loop *loop = test_loop(), *other = test_loop();
    coro_future *x = coro_future_new(other);
    (void)state;
    assert_null(coro_shield(NULL, x));
    assert_null(coro_shield(loop, NULL));
    assert_null(coro_shield(loop, x));
    coro_unref(x);
    coro_loop_free(loop);
    coro_loop_free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(cancelling_the_shield_leaves_inner_alone),
        CORO_TEST(awaiter_cancelled_inner_completes),
        CORO_TEST(inner_cancelled_cancels_shield_with_its_message),
        CORO_TEST(result_passes_through),
        CORO_TEST(error_passes_through),
        CORO_TEST(inner_error_after_shield_cancel_is_reported),
        CORO_TEST(inner_error_in_cancel_iteration_is_retrieved),
        CORO_TEST(shielding_a_done_future_returns_it),
        CORO_TEST(shield_freed_before_inner_completes),
        CORO_TEST(bad_arguments_give_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
