/* test_future.c - futures: results, errors, cancel, done-callbacks, refcounts. */
#include <string.h>
#include "support.h"

static void cb_log(coro_future *f, void *arg)
{
    (void)f;
    test_log((const char *)arg);
}

static void set_pending_value_then_done(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop);
    int x = 7;
    (void)state;
    assert_false(coro_done(f));
    assert_int_equal(coro_error(f), CORO_EINVAL);      /* reading a pending future */
    assert_null(coro_result(f));
    assert_null(coro_message(f));
    assert_int_equal(coro_set_result(f, &x), 0);
    assert_true(coro_done(f));
    assert_false(coro_cancelled(f));
    assert_ptr_equal(coro_result(f), &x);
    assert_int_equal(coro_error(f), 0);
    coro_unref(f);
    coro_loop_free(loop);
}

static void setting_a_done_future_fails_and_keeps_value(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop);
    int x = 1, y = 2;
    (void)state;
    assert_int_equal(coro_set_result(f, &x), 0);
    assert_int_equal(coro_set_result(f, &y), CORO_EINVAL);
    assert_int_equal(coro_set_error(f, 5, "late"), CORO_EINVAL);
    assert_int_equal(coro_cancel(f, NULL), 0);
    assert_ptr_equal(coro_result(f), &x);
    coro_unref(f);
    coro_loop_free(loop);
}

static void set_error_and_message(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop);
    (void)state;
    assert_int_equal(coro_set_error(f, 0, "zero is not an error"), CORO_EINVAL);
    assert_false(coro_done(f));
    assert_int_equal(coro_set_error(f, 42, "boom"), 0);
    assert_true(coro_done(f));
    assert_false(coro_cancelled(f));
    assert_null(coro_result(f));
    assert_int_equal(coro_error(f), 42);
    assert_string_equal(coro_message(f), "boom");
    coro_unref(f);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);     /* coro_error retrieved it */
}

static void set_error_canceled_is_not_cancelled(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop);
    (void)state;
    assert_int_equal(coro_set_error(f, CORO_ECANCELED, NULL), 0);
    assert_false(coro_cancelled(f));
    assert_int_equal(coro_error(f), CORO_ECANCELED);
    coro_unref(f);
    coro_loop_free(loop);
}

static void cancel_with_message(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop);
    (void)state;
    assert_int_equal(coro_cancel(f, "stop it"), 1);
    assert_true(coro_done(f));
    assert_true(coro_cancelled(f));
    assert_int_equal(coro_error(f), CORO_ECANCELED);
    assert_string_equal(coro_message(f), "stop it");
    assert_int_equal(coro_cancel(f, "again"), 0);
    assert_string_equal(coro_message(f), "stop it");
    coro_unref(f);
    coro_loop_free(loop);
}

static void callbacks_run_from_loop_in_order(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop);
    (void)state;
    assert_int_equal(coro_add_done_callback(f, cb_log, "a"), 0);
    assert_int_equal(coro_add_done_callback(f, cb_log, "b"), 0);
    assert_int_equal(coro_set_result(f, NULL), 0);
    assert_string_equal(test_log_str(), "");            /* never inside set_result */
    assert_int_equal(coro_add_done_callback(f, cb_log, "c"), 0);   /* after completion */
    assert_string_equal(test_log_str(), "");
    assert_int_equal(coro_run_until_complete(loop, f), 0);
    assert_string_equal(test_log_str(), "a b c ");
    coro_unref(f);
    coro_loop_free(loop);
}

static void remove_counts_every_match(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop);
    (void)state;
    coro_add_done_callback(f, cb_log, "a");
    coro_add_done_callback(f, cb_log, "b");
    coro_add_done_callback(f, cb_log, "a");
    coro_add_done_callback(f, cb_log, "c");
    coro_add_done_callback(f, cb_log, "a");
    assert_int_equal(coro_remove_done_callback(f, cb_log, "a"), 3);
    assert_int_equal(coro_remove_done_callback(f, cb_log, "a"), 0);
    assert_int_equal(coro_remove_done_callback(f, cb_log, "zzz"), 0);
    coro_set_result(f, NULL);
    assert_int_equal(coro_remove_done_callback(f, cb_log, "b"), 0);   /* scheduled: still runs */
    coro_run_until_complete(loop, f);
    assert_string_equal(test_log_str(), "b c ");
    coro_unref(f);
    coro_loop_free(loop);
}

struct remover {
    coro_future *f;
    const char *victim;
};

static void cb_remove_other(coro_future *f, void *arg)
{
    struct remover *r = (struct remover *)arg;
    test_log("remover");
    /* The list was dispatched at completion: nothing is pending any more. */
    assert_int_equal(coro_remove_done_callback(f, cb_log, (void *)r->victim), 0);
    assert_int_equal(coro_add_done_callback(f, cb_log, "added"), 0);
}

static void callback_that_removes_and_adds_skips_nothing(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop);
    struct remover r;
    (void)state;
    r.f = f;
    r.victim = "x";
    coro_add_done_callback(f, cb_log, "first");
    coro_add_done_callback(f, cb_remove_other, &r);
    coro_add_done_callback(f, cb_log, "x");
    coro_set_result(f, NULL);
    coro_run_until_complete(loop, f);
    /* run_until_complete stops after the iteration that ran the callbacks; the
     * one added from inside a callback runs in the next iteration */
    assert_string_equal(test_log_str(), "first remover x ");
    coro_run_until_complete(loop, f);
    assert_string_equal(test_log_str(), "first remover x added ");
    coro_unref(f);
    coro_loop_free(loop);
}

static void bad_arguments(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop);
    (void)state;
    assert_null(coro_future_new(NULL));
    assert_int_equal(coro_add_done_callback(f, NULL, NULL), CORO_EINVAL);
    assert_int_equal(coro_add_done_callback(NULL, cb_log, NULL), CORO_EINVAL);
    assert_int_equal(coro_remove_done_callback(NULL, cb_log, NULL), CORO_EINVAL);
    assert_int_equal(coro_cancel(NULL, NULL), CORO_EINVAL);
    assert_int_equal(coro_set_result(NULL, NULL), CORO_EINVAL);
    assert_int_equal(coro_set_error(NULL, 1, NULL), CORO_EINVAL);
    assert_int_equal(coro_error(NULL), CORO_EINVAL);
    assert_false(coro_done(NULL));
    coro_ref(NULL);
    coro_unref(NULL);
    coro_unref(f);
    coro_loop_free(loop);
}

static void unretrieved_error_reported_once(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop);
    (void)state;
    coro_ref(f);
    coro_set_error(f, 9, "nobody looked");
    coro_unref(f);
    assert_int_equal(test_nreports, 0);     /* not the last reference */
    coro_unref(f);
    assert_int_equal(test_nreports, 1);
    assert_string_equal(test_reports[0].message, "Future exception was never retrieved");
    assert_int_equal(test_reports[0].err, 9);
    assert_string_equal(test_reports[0].repr, "<Future finished exception=error(9)('nobody looked')>");
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 1);
}

static void cancel_and_result_count_as_retrieved(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *a = coro_future_new(loop), *b = coro_future_new(loop);
    (void)state;
    coro_set_error(a, 3, NULL);
    coro_set_error(b, 4, NULL);
    assert_int_equal(coro_cancel(a, NULL), 0);  /* cancel on a done future retrieves */
    assert_null(coro_result(b));                /* so does coro_result */
    coro_unref(a);
    coro_unref(b);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

static void future_lives_until_callbacks_ran(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop), *g = coro_future_new(loop);
    (void)state;
    coro_add_done_callback(f, cb_log, "ran");
    coro_set_result(f, NULL);
    coro_unref(f);                  /* only the scheduled callback holds it now */
    assert_int_equal(test_alloc_outstanding() > 0, 1);
    coro_set_result(g, NULL);
    coro_run_until_complete(loop, g);
    assert_string_equal(test_log_str(), "ran ");
    coro_unref(g);
    coro_loop_free(loop);
}

static void strerror_names_every_code(void **state)
{
    (void)state;
    assert_string_equal(coro_strerror(0), "success");
    assert_string_equal(coro_strerror(CORO_ECANCELED), "cancelled");
    assert_string_equal(coro_strerror(CORO_ERUNNING), "loop already running");
    assert_string_equal(coro_strerror(12345), "unknown error");
    assert_string_equal(coro_errname(CORO_ENOMEM), "CORO_ENOMEM");
    assert_null(coro_errname(7));
    assert_true(CORO_ECANCELED < 0 && CORO_ETIMEDOUT < 0 && CORO_ENOMEM < 0 && CORO_EINVAL < 0 &&
                CORO_EBADF < 0 && CORO_EBUSY < 0 && CORO_EDEADLK < 0 && CORO_ERUNNING < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(set_pending_value_then_done),
        CORO_TEST(setting_a_done_future_fails_and_keeps_value),
        CORO_TEST(set_error_and_message),
        CORO_TEST(set_error_canceled_is_not_cancelled),
        CORO_TEST(cancel_with_message),
        CORO_TEST(callbacks_run_from_loop_in_order),
        CORO_TEST(remove_counts_every_match),
        CORO_TEST(callback_that_removes_and_adds_skips_nothing),
        CORO_TEST(bad_arguments),
        CORO_TEST(unretrieved_error_reported_once),
        CORO_TEST(cancel_and_result_count_as_retrieved),
        CORO_TEST(future_lives_until_callbacks_ran),
        CORO_TEST(strerror_names_every_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
