/* test_wait.c - coro_wait: ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION,
 * timeouts, cancellation of the wait, bad arguments.
 *
 * Expected orders come from CPython 3.11 on a virtual clock:
 * test/asyncio/wait.py prints them (python3 wait.py). */
#include <string.h>
#include "support.h"

static unsigned long now(coro_loop *loop)
{
    return (unsigned long)(coro_time)(coro_loop_time(loop) - T0);
}

/* A child task: logs "<name>-start", sleeps `ms`, then raises `err` (logged
 * as "<name>-raise") or returns `ret` ("<name>-end"). */
struct child {
    coro_frame co;
    const char *name;
    coro_time ms;
    int err;
    intptr_t ret;
};

static int child(coro_frame *co)
{
    struct child *f = (struct child *)co;
    CORO_BEGIN(co);
    test_logf("%s-start@%lu", f->name, now(coro_loop_of(co)));
    CORO_SLEEP(co, f->ms);
    if (f->err) {
        test_logf("%s-raise@%lu", f->name, now(coro_loop_of(co)));
        CORO_RAISE(co, f->err, NULL);
    }
    test_logf("%s-end@%lu", f->name, now(coro_loop_of(co)));
    CORO_RETURN(co, f->ret);
    CORO_END(co);
}

static coro_future *spawn(coro_loop *loop, const char *name, coro_time ms, int err, intptr_t ret)
{
    struct child init;
    coro_future *t;
    memset(&init, 0, sizeof init);
    init.name = name;
    init.ms = ms;
    init.err = err;
    init.ret = ret;
    t = coro_create_task(loop, child, &init, sizeof init);
    assert_non_null(t);
    return t;
}

static void run_until(coro_loop *loop, coro_time ms)
{
    coro_future *s = coro_sleep(loop, (coro_time)(T(ms) - coro_loop_time(loop)));
    assert_non_null(s);
    assert_int_equal(coro_run_until_complete(loop, s), 0);
    coro_unref(s);
    assert_int_equal(coro_loop_time(loop), T(ms));
}

static void cancel_cb(void *arg) { coro_cancel((coro_future *)arg, NULL); }

/* The scenario of wait.py: main starts a (10 ms), b (20) and c (30), awaits
 * coro_wait, logs "wait-done" and which children are done, then cancels the
 * pending ones and waits for them all. */
struct wmain {
    coro_frame co;
    int mode;
    coro_time timeout;
    int errs[3];
    coro_time cancel_a_at;          /* 0: never */
    coro_future *k[3], *w;
};

static int wait_main(coro_frame *co)
{
    struct wmain *f = (struct wmain *)co;
    coro_loop *loop = coro_loop_of(co);
    char done[4];
    int i, n = 0;
    CORO_BEGIN(co);
    f->k[0] = spawn(loop, "a", 10, f->errs[0], 1);
    f->k[1] = spawn(loop, "b", 20, f->errs[1], 2);
    f->k[2] = spawn(loop, "c", 30, f->errs[2], 3);
    if (f->cancel_a_at) assert_int_equal(coro_call_later(loop, f->cancel_a_at, cancel_cb, f->k[0], NULL), 0);
    f->w = coro_wait(loop, 3, f->k, f->mode, f->timeout);
    assert_non_null(f->w);
    CORO_AWAIT(co, f->w);
    test_logf("wait-done@%lu", now(loop));
    assert_int_equal(coro_error(f->w), 0);  /* a wait never fails */
    assert_false(coro_cancelled(f->w));
    for (i = 0; i < 3; i++)
        if (coro_done(f->k[i])) done[n++] = (char)('a' + i);
    done[n] = '\0';
    test_logf("done=%s@%lu", done, now(loop));
    for (i = 0; i < 3; i++) {
        if (!coro_done(f->k[i])) {
            assert_false(coro_cancelled(f->k[i]));   /* the wait cancelled nothing */
            assert_int_equal(coro_cancelling(f->k[i]), 0);
            coro_cancel(f->k[i], NULL);
        }
    }
    CORO_AWAIT_TAKE(co, coro_gather(loop, 3, f->k, CORO_RETURN_EXCEPTIONS));
    CORO_FINALLY(co);
    coro_unref(f->w);
    for (i = 0; i < 3; i++) coro_unref(f->k[i]);
    CORO_END(co);
}

static const char *run_scenario(int mode, coro_time timeout, int err_b, coro_time cancel_a_at)
{
    coro_loop *loop = test_loop();
    struct wmain init;
    coro_future *m;
    memset(&init, 0, sizeof init);
    init.mode = mode;
    init.timeout = timeout;
    init.errs[1] = err_b;
    init.cancel_a_at = cancel_a_at;
    m = coro_create_task(loop, wait_main, &init, sizeof init);
    assert_int_equal(coro_run_until_complete(loop, m), 0);
    coro_unref(m);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
    return test_log_str();
}

/* wait.py all_completed:
 * a-start@0 b-start@0 c-start@0 a-end@10 b-end@20 c-end@30 wait-done@30 done=abc@30 */
static void all_completed(void **state)
{
    (void)state;
    assert_string_equal(run_scenario(CORO_ALL_COMPLETED, CORO_FOREVER, 0, 0),
                        "a-start@0 b-start@0 c-start@0 a-end@10 b-end@20 c-end@30 "
                        "wait-done@30 done=abc@30 ");
}

/* wait.py first_completed:
 * a-start@0 b-start@0 c-start@0 a-end@10 wait-done@10 done=a@10 */
static void first_completed(void **state)
{
    (void)state;
    assert_string_equal(run_scenario(CORO_FIRST_COMPLETED, CORO_FOREVER, 0, 0),
                        "a-start@0 b-start@0 c-start@0 a-end@10 wait-done@10 done=a@10 ");
}

/* a is cancelled at 5 (ignored), b raises at 20.  wait.py first_exception:
 * a-start@0 b-start@0 c-start@0 b-raise@20 wait-done@20 done=ab@20 */
static void first_exception_ignores_cancellations(void **state)
{
    (void)state;
    assert_string_equal(run_scenario(CORO_FIRST_EXCEPTION, CORO_FOREVER, 77, 5),
                        "a-start@0 b-start@0 c-start@0 b-raise@20 wait-done@20 done=ab@20 ");
}

/* No child fails: FIRST_EXCEPTION waits for all.  wait.py "first_exception, none". */
static void first_exception_without_errors_waits_for_all(void **state)
{
    (void)state;
    assert_string_equal(run_scenario(CORO_FIRST_EXCEPTION, CORO_FOREVER, 0, 0),
                        "a-start@0 b-start@0 c-start@0 a-end@10 b-end@20 c-end@30 "
                        "wait-done@30 done=abc@30 ");
}

/* wait.py "timeout 15": a-start@0 b-start@0 c-start@0 a-end@10 wait-done@15 done=a@15 */
static void timeout_in_a_task(void **state)
{
    (void)state;
    assert_string_equal(run_scenario(CORO_ALL_COMPLETED, 15, 0, 0),
                        "a-start@0 b-start@0 c-start@0 a-end@10 wait-done@15 done=a@15 ");
}

/* After a timeout the pending children are neither cancelled nor failed:
 * they run on and finish normally. */
static void timeout_neither_cancels_nor_fails(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *k[2], *w;
    (void)state;
    k[0] = spawn(loop, "a", 10, 0, 1);
    k[1] = spawn(loop, "b", 30, 0, 2);
    w = coro_wait(loop, 2, k, CORO_FIRST_EXCEPTION, 15);
    assert_non_null(w);
    assert_int_equal(coro_run_until_complete(loop, w), 0);
    assert_int_equal(coro_loop_time(loop), T(15));
    assert_false(coro_cancelled(w));
    assert_true(coro_done(k[0]));
    assert_false(coro_done(k[1]));
    assert_int_equal(coro_cancelling(k[1]), 0);
    assert_int_equal(coro_run_until_complete(loop, k[1]), 0);
    assert_int_equal(coro_loop_time(loop), T(30));
    assert_int_equal((intptr_t)coro_result(k[1]), 2);
    assert_string_equal(test_log_str(), "a-start@0 b-start@0 a-end@10 b-end@30 ");
    coro_unref(w);
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_loop_free(loop);
}

/* Timeout 0: the wait completes through the loop with nothing done. */
static void timeout_zero(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop), *w;
    (void)state;
    w = coro_wait(loop, 1, &f, CORO_FIRST_COMPLETED, 0);
    assert_false(coro_done(w));
    assert_int_equal(coro_run_until_complete(loop, w), 0);
    assert_int_equal(coro_loop_time(loop), T(0));
    assert_false(coro_done(f));
    coro_unref(w);
    coro_unref(f);
    coro_loop_free(loop);
}

static void n_zero_and_bad_arguments_give_null(void **state)
{
    coro_loop *loop = test_loop(), *other = test_loop();
    coro_future *f = coro_future_new(loop), *x = coro_future_new(other), *k[2];
    (void)state;
    k[0] = f;
    k[1] = NULL;
    assert_null(coro_wait(loop, 0, k, CORO_ALL_COMPLETED, CORO_FOREVER));
    assert_null(coro_wait(loop, 0, NULL, CORO_ALL_COMPLETED, CORO_FOREVER));
    assert_null(coro_wait(loop, 1, k, 0, CORO_FOREVER));
    assert_null(coro_wait(loop, 1, k, 4, CORO_FOREVER));
    assert_null(coro_wait(loop, 1, k, -1, CORO_FOREVER));
    assert_null(coro_wait(loop, 1, k, CORO_ALL_COMPLETED, CORO_MAX_DELAY + 1));
    assert_null(coro_wait(NULL, 1, k, CORO_ALL_COMPLETED, CORO_FOREVER));
    assert_null(coro_wait(loop, 1, NULL, CORO_ALL_COMPLETED, CORO_FOREVER));
    assert_null(coro_wait(loop, 2, k, CORO_ALL_COMPLETED, CORO_FOREVER));      /* NULL child */
    k[1] = x;
    assert_null(coro_wait(loop, 2, k, CORO_ALL_COMPLETED, CORO_FOREVER));      /* other loop */
    /* The largest timeout is accepted. */
    k[1] = f;
    k[0] = coro_wait(loop, 1, &f, CORO_ALL_COMPLETED, CORO_MAX_DELAY);
    assert_non_null(k[0]);
    coro_unref(k[0]);
    coro_unref(f);
    coro_unref(x);
    coro_loop_free(loop);
    coro_loop_free(other);
}

/* Cancelling the wait future does not cancel its children, and drops its
 * timer (no timer is left to keep the loop going). */
static void cancelling_the_wait_does_not_cancel_children(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *k[2], *w, *never = coro_future_new(loop);
    (void)state;
    k[0] = spawn(loop, "a", 10, 0, 1);
    k[1] = spawn(loop, "b", 20, 0, 2);
    w = coro_wait(loop, 2, k, CORO_ALL_COMPLETED, 100);
    run_until(loop, 5);
    assert_int_equal(coro_cancel(w, "x"), 1);
    assert_true(coro_cancelled(w));
    assert_string_equal(coro_message(w), "x");
    assert_false(coro_done(k[0]));
    assert_int_equal(coro_cancelling(k[0]), 0);
    assert_int_equal(coro_cancelling(k[1]), 0);
    assert_int_equal(coro_run_until_complete(loop, never), CORO_EDEADLK);
    assert_int_equal(coro_loop_time(loop), T(20));     /* not T(100) */
    assert_int_equal((intptr_t)coro_result(k[0]), 1);
    assert_int_equal((intptr_t)coro_result(k[1]), 2);
    assert_string_equal(test_log_str(), "a-start@0 b-start@0 a-end@10 b-end@20 ");
    coro_unref(w);
    coro_unref(never);
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_loop_free(loop);
}

/* A wait released before its children complete: they complete later
 * without touching it. */
static void wait_freed_before_children_complete(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *k[2], *w;
    (void)state;
    k[0] = spawn(loop, "a", 10, 0, 1);
    k[1] = spawn(loop, "b", 20, 0, 2);
    w = coro_wait(loop, 2, k, CORO_FIRST_COMPLETED, 15);
    coro_unref(w);
    assert_int_equal(coro_run_until_complete(loop, k[1]), 0);
    assert_int_equal(coro_loop_time(loop), T(20));
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_loop_free(loop);
}

static void duplicates_count_once(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *a = coro_future_new(loop), *b = coro_future_new(loop), *k[3], *w;
    (void)state;
    k[0] = a;
    k[1] = a;
    k[2] = b;
    w = coro_wait(loop, 3, k, CORO_ALL_COMPLETED, CORO_FOREVER);
    coro_set_result(a, NULL);
    coro_set_result(b, NULL);
    assert_int_equal(coro_run_until_complete(loop, w), 0);
    coro_unref(w);
    coro_unref(a);
    coro_unref(b);
    coro_loop_free(loop);
}

/* Callbacks go through the loop even when every child is done.
 * wait.py "done children": t1 m-start t2 t3 m-end t4 */

struct await_done {
    coro_frame co;
    coro_future **k;
};

static int await_done(coro_frame *co)
{
    struct await_done *f = (struct await_done *)co;
    CORO_BEGIN(co);
    test_log("m-start");
    CORO_AWAIT_TAKE(co, coro_wait(coro_loop_of(co), 2, f->k, CORO_ALL_COMPLETED, CORO_FOREVER));
    test_log("m-end");
    CORO_END(co);
}

static void done_children_complete_through_the_loop(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *k[2], *m;
    struct await_done init;
    (void)state;
    k[0] = coro_future_new(loop);
    k[1] = coro_future_new(loop);
    coro_set_result(k[0], NULL);
    coro_set_error(k[1], 3, NULL);
    test_start_ticker(loop, "t", 6);
    memset(&init, 0, sizeof init);
    init.k = k;
    m = coro_create_task(loop, await_done, &init, sizeof init);
    assert_int_equal(coro_run_until_complete(loop, m), 0);
    assert_string_equal(test_log_str(), "t1 m-start t2 t3 m-end t4 ");
    assert_int_equal(coro_error(k[1]), 3);
    coro_unref(m);
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_loop_free(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(all_completed),
        CORO_TEST(first_completed),
        CORO_TEST(first_exception_ignores_cancellations),
        CORO_TEST(first_exception_without_errors_waits_for_all),
        CORO_TEST(timeout_in_a_task),
        CORO_TEST(timeout_neither_cancels_nor_fails),
        CORO_TEST(timeout_zero),
        CORO_TEST(n_zero_and_bad_arguments_give_null),
        CORO_TEST(cancelling_the_wait_does_not_cancel_children),
        CORO_TEST(wait_freed_before_children_complete),
        CORO_TEST(duplicates_count_once),
        CORO_TEST(done_children_complete_through_the_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
