/* test_gather.c - coro_gather: results per child, the first error, return
 * exceptions, cancellation, done children, duplicates, ownership.
 *
 * Expected orders come from CPython 3.11 on a virtual clock:
 * test/asyncio/gather.py prints them (python3 gather.py). */
#include <string.h>
#include "support.h"

/* Virtual ms since the test's start. */
static unsigned long now(coro_loop *loop)
{
    return (unsigned long)(coro_time)(coro_loop_time(loop) - T0);
}

/* A child task: logs "<name>-start", sleeps `ms`, then raises `err` or
 * returns `ret`.  A cancel is logged as "<name>-cancelled"; with `swallow`
 * it is caught and the child returns 42. */
struct child {
    coro_frame co;
    const char *name;
    coro_time ms;
    int err;
    const char *msg;
    intptr_t ret;
    int swallow;
};

static int child(coro_frame *co)
{
    struct child *f = (struct child *)co;
    CORO_BEGIN(co);
    test_logf("%s-start@%lu", f->name, now(coro_loop_of(co)));
    CORO_SLEEP_TRY(co, f->ms);
    if (coro_last_error(co) == CORO_ECANCELED) {
        test_logf("%s-cancelled@%lu", f->name, now(coro_loop_of(co)));
        if (f->swallow) CORO_RETURN(co, 42);
        CORO_RAISE(co, CORO_ECANCELED, coro_last_message(co));
    }
    if (f->err) {
        test_logf("%s-raise@%lu", f->name, now(coro_loop_of(co)));
        CORO_RAISE(co, f->err, f->msg);
    }
    test_logf("%s-end@%lu", f->name, now(coro_loop_of(co)));
    CORO_RETURN(co, f->ret);
    CORO_END(co);
}

static coro_future *spawn(coro_loop *loop, const char *name, coro_time ms, int err,
                          const char *msg, intptr_t ret)
{
    struct child init;
    coro_future *t;
    memset(&init, 0, sizeof init);
    init.name = name;
    init.ms = ms;
    init.err = err;
    init.msg = msg;
    init.ret = ret;
    t = coro_create_task(loop, child, &init, sizeof init);
    assert_non_null(t);
    return t;
}

static coro_future *done_future(coro_loop *loop, void *value)
{
    coro_future *f = coro_future_new(loop);
    assert_non_null(f);
    assert_int_equal(coro_set_result(f, value), 0);
    return f;
}

/* Run the loop until virtual time T(ms). */
static void run_until(coro_loop *loop, coro_time ms)
{
    coro_future *s = coro_sleep(loop, (coro_time)(T(ms) - coro_loop_time(loop)));
    assert_non_null(s);
    assert_int_equal(coro_run_until_complete(loop, s), 0);
    coro_unref(s);
    assert_int_equal(coro_loop_time(loop), T(ms));
}

/* A callback that re-arms itself with call_soon: logs t1, t2, ... once per
 * iteration, to count iterations as the Python reference does. */

static int marker;                      /* a result to point at */

static void log_done(coro_future *f, void *arg)
{
    (void)f;
    test_log((const char *)arg);
}

/* ------------------------------------------------------------------ */

static void results_readable_per_child(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *k[3], *g;
    (void)state;
    k[0] = spawn(loop, "a", 30, 0, NULL, 1);
    k[1] = spawn(loop, "b", 10, 0, NULL, 2);
    k[2] = spawn(loop, "c", 20, 0, NULL, 3);
    g = coro_gather(loop, 3, k, 0);
    assert_non_null(g);
    assert_false(coro_done(g));
    assert_int_equal(coro_run_until_complete(loop, g), 0);
    assert_int_equal(coro_loop_time(loop), T(30));
    assert_string_equal(test_log_str(),
                        "a-start@0 b-start@0 c-start@0 b-end@10 c-end@20 a-end@30 ");
    assert_false(coro_cancelled(g));
    assert_null(coro_result(g));            /* read each child instead */
    assert_int_equal((intptr_t)coro_result(k[0]), 1);
    assert_int_equal((intptr_t)coro_result(k[1]), 2);
    assert_int_equal((intptr_t)coro_result(k[2]), 3);
    coro_unref(g);
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_unref(k[2]);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

/* main awaits gather(a, b); a fails at 10, b runs on to 30. */
struct first_error {
    coro_frame co;
    coro_future *k[2], *g;
};

static int first_error_main(coro_frame *co)
{
    struct first_error *f = (struct first_error *)co;
    CORO_BEGIN(co);
    f->k[0] = spawn(coro_loop_of(co), "a", 10, 5, "boom", 0);
    f->k[1] = spawn(coro_loop_of(co), "b", 30, 0, NULL, 2);
    f->g = coro_gather(coro_loop_of(co), 2, f->k, 0);
    CORO_AWAIT_TRY(co, f->g);
    test_logf("gather-failed@%lu", now(coro_loop_of(co)));
    assert_int_equal(coro_last_error(co), 5);
    assert_string_equal(coro_last_message(co), "boom");
    assert_false(coro_cancelled(f->g));
    assert_false(coro_done(f->k[1]));       /* the sibling keeps running */
    CORO_AWAIT(co, f->k[1]);
    test_logf("b-awaited@%lu", now(coro_loop_of(co)));
    assert_int_equal((intptr_t)coro_last_result(co), 2);
    CORO_FINALLY(co);
    coro_unref(f->g);
    coro_unref(f->k[0]);
    coro_unref(f->k[1]);
    CORO_END(co);
}

static void first_error_fails_at_once_siblings_keep_running(void **state)
{
    coro_loop *loop = test_loop();
    struct first_error init;
    coro_future *m;
    (void)state;
    memset(&init, 0, sizeof init);
    m = coro_create_task(loop, first_error_main, &init, sizeof init);
    assert_int_equal(coro_run_until_complete(loop, m), 0);
    /* gather.py first_error:
     * a-start@0 b-start@0 a-raise@10 gather-failed@10 b-end@30 b-awaited@30 */
    assert_string_equal(test_log_str(), "a-start@0 b-start@0 a-raise@10 gather-failed@10 "
                                        "b-end@30 b-awaited@30 ");
    coro_unref(m);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);     /* the gather observed a's error */
}

static void return_exceptions_never_fails(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *k[3], *g;
    (void)state;
    k[0] = spawn(loop, "a", 10, 5, "boom", 0);
    k[1] = spawn(loop, "b", 15, 0, NULL, 0);
    k[2] = spawn(loop, "c", 20, 0, NULL, 3);
    g = coro_gather(loop, 3, k, CORO_RETURN_EXCEPTIONS);
    assert_int_equal(coro_cancel(k[1], "cb"), 1);   /* b never starts */
    assert_int_equal(coro_run_until_complete(loop, g), 0);
    assert_int_equal(coro_loop_time(loop), T(20));
    assert_string_equal(test_log_str(), "a-start@0 c-start@0 a-raise@10 c-end@20 ");
    assert_false(coro_cancelled(g));
    assert_null(coro_result(g));
    assert_int_equal(coro_error(k[0]), 5);
    assert_true(coro_cancelled(k[1]));
    assert_string_equal(coro_message(k[1]), "cb");
    assert_int_equal((intptr_t)coro_result(k[2]), 3);
    coro_unref(g);
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_unref(k[2]);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

/* Errors a gather observed count as retrieved, also those of children that
 * fail after the gather already failed; an unobserved one is still reported. */
static void errors_seen_by_gather_are_retrieved(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *k[2], *g, *lone;
    (void)state;
    k[0] = spawn(loop, "a", 10, 5, NULL, 0);
    k[1] = spawn(loop, "b", 20, 6, NULL, 0);
    lone = spawn(loop, "c", 5, 7, NULL, 0);
    g = coro_gather(loop, 2, k, 0);
    assert_int_equal(coro_run_until_complete(loop, g), 5);  /* retrieves g's error */
    run_until(loop, 30);                    /* b fails after the gather did */
    assert_true(coro_done(k[1]));
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_unref(g);
    assert_int_equal(test_nreports, 0);
    coro_unref(lone);
    assert_int_equal(test_nreports, 1);     /* control: nobody looked at c */
    assert_string_equal(test_reports[0].message, "Task exception was never retrieved");
    assert_int_equal(test_reports[0].err, 7);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 1);
}

static void cancel_cancels_every_unfinished_child(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *k[3], *g;
    (void)state;
    k[0] = spawn(loop, "a", 100, 0, NULL, 0);
    k[1] = coro_future_new(loop);
    k[2] = done_future(loop, &marker);
    g = coro_gather(loop, 3, k, 0);
    run_until(loop, 10);
    assert_int_equal(coro_cancel(g, "stop"), 1);
    assert_true(coro_cancelled(k[1]));      /* a plain future is cancelled at once */
    assert_string_equal(coro_message(k[1]), "stop");
    assert_int_equal(coro_run_until_complete(loop, g), CORO_ECANCELED);
    /* gather.py cancel_gather: a-start@0 a-cancelled@10 g-cancelled msg=('stop',)@10
     * (3.11 leaves g.cancelled() False; coro makes it True) */
    assert_string_equal(test_log_str(), "a-start@0 a-cancelled@10 ");
    assert_int_equal(coro_loop_time(loop), T(10));
    assert_true(coro_cancelled(g));
    assert_string_equal(coro_message(g), "stop");
    assert_int_equal(coro_run_until_complete(loop, k[0]), CORO_ECANCELED);
    assert_true(coro_cancelled(k[0]));
    assert_string_equal(coro_message(k[0]), "stop");
    assert_false(coro_cancelled(k[2]));     /* done children are left alone */
    assert_ptr_equal(coro_result(k[2]), &marker);
    assert_int_equal(coro_cancel(g, "again"), 0);
    coro_unref(g);
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_unref(k[2]);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

/* The only child swallows the cancel and returns 42: the gather still ends
 * cancelled (3.11 raises CancelledError from it too), with its message. */
static void cancelled_gather_ends_cancelled_when_child_swallows(void **state)
{
    coro_loop *loop = test_loop();
    struct child init;
    coro_future *k, *g;
    (void)state;
    memset(&init, 0, sizeof init);
    init.name = "a";
    init.ms = 100;
    init.swallow = 1;
    k = coro_create_task(loop, child, &init, sizeof init);
    g = coro_gather(loop, 1, &k, 0);
    run_until(loop, 10);
    assert_int_equal(coro_cancel(g, "m"), 1);
    assert_int_equal(coro_run_until_complete(loop, g), CORO_ECANCELED);
    assert_string_equal(test_log_str(), "a-start@0 a-cancelled@10 ");
    assert_true(coro_cancelled(g));
    assert_string_equal(coro_message(g), "m");
    assert_false(coro_cancelled(k));
    assert_int_equal((intptr_t)coro_result(k), 42);
    coro_unref(g);
    coro_unref(k);
    coro_loop_free(loop);
}

/* With CORO_RETURN_EXCEPTIONS too, a cancelled gather ends cancelled once
 * every child is done.  gather.py cancel_return_exceptions:
 * a-start@0 b-start@0 b-end@5 cancel->True@10 a-cancelled@10 g-cancelled msg=()@10
 * (3.11: a CancelledError without the message, cancelled() False) */
static void cancel_with_return_exceptions(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *k[2], *g;
    (void)state;
    k[0] = spawn(loop, "a", 100, 0, NULL, 1);
    k[1] = spawn(loop, "b", 5, 0, NULL, 2);
    g = coro_gather(loop, 2, k, CORO_RETURN_EXCEPTIONS);
    run_until(loop, 10);
    assert_int_equal(coro_cancel(g, "rx"), 1);
    assert_int_equal(coro_run_until_complete(loop, g), CORO_ECANCELED);
    assert_string_equal(test_log_str(), "a-start@0 b-start@0 b-end@5 a-cancelled@10 ");
    assert_true(coro_cancelled(g));
    assert_string_equal(coro_message(g), "rx");
    assert_true(coro_cancelled(k[0]));
    assert_int_equal((intptr_t)coro_result(k[1]), 2);
    coro_unref(g);
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_loop_free(loop);
}

/* Children done but their callbacks not run yet: no child takes the cancel,
 * so coro_cancel returns 0 and the gather completes normally (3.11 too). */
static void cancel_no_child_took_it(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *k = done_future(loop, NULL), *g;
    (void)state;
    g = coro_gather(loop, 1, &k, 0);
    assert_false(coro_done(g));
    assert_int_equal(coro_cancel(g, NULL), 0);
    assert_int_equal(coro_run_until_complete(loop, g), 0);
    assert_false(coro_cancelled(g));
    coro_unref(g);
    coro_unref(k);
    coro_loop_free(loop);
}

static void child_cancel_fails_gather_but_not_cancelled(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *k[2], *g;
    (void)state;
    k[0] = spawn(loop, "a", 100, 0, NULL, 0);
    k[1] = spawn(loop, "b", 30, 0, NULL, 2);
    g = coro_gather(loop, 2, k, 0);
    run_until(loop, 10);
    assert_int_equal(coro_cancel(k[0], "kid"), 1);
    assert_int_equal(coro_run_until_complete(loop, g), CORO_ECANCELED);
    assert_int_equal(coro_loop_time(loop), T(10));
    assert_false(coro_cancelled(g));        /* failed by a child, not cancelled */
    assert_string_equal(coro_message(g), "kid");
    assert_false(coro_done(k[1]));          /* the sibling keeps running */
    assert_int_equal(coro_run_until_complete(loop, k[1]), 0);
    /* gather.py child_cancelled:
     * a-start@0 b-start@0 a-cancelled@10 g-failed msg=('kid',) cancelled=False@10 b-end@30 */
    assert_string_equal(test_log_str(), "a-start@0 b-start@0 a-cancelled@10 b-end@30 ");
    coro_unref(g);
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

struct await_empty {
    coro_frame co;
};

static int await_empty(coro_frame *co)
{
    CORO_BEGIN(co);
    test_log("m1");
    CORO_AWAIT_TAKE(co, coro_gather(coro_loop_of(co), 0, NULL, 0));
    test_log("m2");
    CORO_END(co);
}

static void n_zero_completes(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *g, *any = coro_future_new(loop), *m;
    struct await_empty init;
    (void)state;
    g = coro_gather(loop, 0, NULL, 0);
    assert_non_null(g);
    assert_true(coro_done(g));
    assert_false(coro_cancelled(g));
    assert_int_equal(coro_error(g), 0);
    assert_null(coro_result(g));
    coro_unref(g);
    g = coro_gather(loop, 0, &any, CORO_RETURN_EXCEPTIONS);     /* futs ignored */
    assert_true(coro_done(g));
    coro_unref(g);
    /* Awaiting it continues at once.  gather.py n_zero: t1 m1 m2 t2 */
    memset(&init, 0, sizeof init);
    test_start_ticker(loop, "t", 3);
    m = coro_create_task(loop, await_empty, &init, sizeof init);
    assert_int_equal(coro_run_until_complete(loop, m), 0);
    assert_string_equal(test_log_str(), "t1 m1 m2 t2 ");
    coro_unref(m);
    coro_unref(any);
    coro_loop_free(loop);
}

static void duplicates_count_once(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *a = coro_future_new(loop), *b = coro_future_new(loop), *k[4], *g, *c;
    int x = 1, y = 2;
    (void)state;
    k[0] = a;
    k[1] = b;
    k[2] = a;
    k[3] = a;
    g = coro_gather(loop, 4, k, 0);
    coro_set_result(a, &x);
    coro_set_result(b, &y);
    assert_int_equal(coro_run_until_complete(loop, g), 0);   /* not CORO_EDEADLK */
    assert_true(coro_done(g));
    coro_unref(g);
    /* The same with a task: cancelling the gather cancels it once. */
    c = spawn(loop, "c", 100, 0, NULL, 0);
    k[0] = c;
    k[1] = c;
    g = coro_gather(loop, 2, k, 0);
    run_until(loop, 10);
    assert_int_equal(coro_cancel(g, NULL), 1);
    assert_int_equal(coro_run_until_complete(loop, g), CORO_ECANCELED);
    assert_true(coro_cancelled(g));
    assert_true(coro_cancelled(c));
    assert_string_equal(test_log_str(), "c-start@0 c-cancelled@10 ");
    coro_unref(g);
    coro_unref(c);
    coro_unref(a);
    coro_unref(b);
    coro_loop_free(loop);
}

/* The gather's callbacks go through the ready queue even when every child
 * is already done.  gather.py done_children_run_until_complete:
 * t1 t2 g-done */
static void done_children_complete_through_the_loop(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *k[2], *g;
    (void)state;
    k[0] = done_future(loop, NULL);
    k[1] = done_future(loop, NULL);
    test_start_ticker(loop, "t", 4);
    g = coro_gather(loop, 2, k, 0);
    assert_false(coro_done(g));
    coro_add_done_callback(g, log_done, "g-done");
    assert_int_equal(coro_run_until_complete(loop, g), 0);
    assert_string_equal(test_log_str(), "t1 t2 g-done ");
    coro_unref(g);
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_loop_free(loop);
}

struct await_done {
    coro_frame co;
    coro_future **k;
};

static int await_done(coro_frame *co)
{
    struct await_done *f = (struct await_done *)co;
    CORO_BEGIN(co);
    test_log("m-start");
    CORO_AWAIT_TAKE(co, coro_gather(coro_loop_of(co), 2, f->k, 0));
    test_log("m-end");
    CORO_END(co);
}

/* gather.py done_children_awaited: t1 m-start t2 t3 m-end t4 */
static void done_children_awaited_by_a_task(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *k[2], *m;
    struct await_done init;
    (void)state;
    k[0] = done_future(loop, NULL);
    k[1] = done_future(loop, NULL);
    memset(&init, 0, sizeof init);
    init.k = k;
    test_start_ticker(loop, "t", 6);
    m = coro_create_task(loop, await_done, &init, sizeof init);
    assert_int_equal(coro_run_until_complete(loop, m), 0);
    assert_string_equal(test_log_str(), "t1 m-start t2 t3 m-end t4 ");
    coro_unref(m);
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_loop_free(loop);
}

/* CORO_AWAIT_TAKE(co, coro_gather(...)): on success, on a child's error and
 * when coro_gather itself fails for lack of memory.  The teardown fails if
 * anything (the gather) is left allocated. */
struct take {
    coro_frame co;
    int fail;               /* 1: a child fails; 2: coro_gather runs out of memory */
    coro_future *k[2];
};

static int take_main(coro_frame *co)
{
    struct take *f = (struct take *)co;
    CORO_BEGIN(co);
    f->k[0] = spawn(coro_loop_of(co), "a", 10, f->fail == 1 ? 9 : 0, "child", 1);
    f->k[1] = spawn(coro_loop_of(co), "b", 20, 0, NULL, 2);
    if (f->fail == 2) test_alloc_fail_at(1);
    CORO_AWAIT_TAKE(co, coro_gather(coro_loop_of(co), 2, f->k, 0));
    test_logf("gathered@%lu", now(coro_loop_of(co)));
    CORO_RETURN(co, 7);
    CORO_FINALLY(co);
    test_logf("fin err=%d", coro_last_error(co));
    coro_unref(f->k[0]);
    coro_unref(f->k[1]);
    CORO_END(co);
}

static coro_future *start_take(coro_loop *loop, int fail)
{
    struct take init;
    coro_future *m;
    memset(&init, 0, sizeof init);
    init.fail = fail;
    m = coro_create_task(loop, take_main, &init, sizeof init);
    assert_non_null(m);
    return m;
}

static void await_take_gather_leaks_nothing(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *m = start_take(loop, 0);
    (void)state;
    assert_int_equal(coro_run_until_complete(loop, m), 0);
    assert_int_equal((intptr_t)coro_result(m), 7);
    coro_unref(m);
    assert_string_equal(test_log_str(),
                        "a-start@0 b-start@0 a-end@10 b-end@20 gathered@20 fin err=0 ");
    coro_loop_free(loop);
}

static void await_take_failed_gather_leaks_nothing(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *m = start_take(loop, 1);
    (void)state;
    assert_int_equal(coro_run_until_complete(loop, m), 9);
    assert_string_equal(coro_message(m), "child");
    coro_unref(m);
    assert_int_equal(coro_task_count(loop), 1);     /* b still runs */
    run_until(loop, 30);
    assert_int_equal(coro_task_count(loop), 0);
    assert_string_equal(test_log_str(), "a-start@0 b-start@0 a-raise@10 fin err=9 b-end@20 ");
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

/* coro_gather returns NULL for lack of memory: awaiting NULL raises
 * CORO_ENOMEM like any other error. */
static void await_take_gather_out_of_memory(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *m = start_take(loop, 2);
    (void)state;
    assert_int_equal(coro_run_until_complete(loop, m), CORO_ENOMEM);
    assert_int_equal(test_alloc_failures(), 1);
    coro_unref(m);
    run_until(loop, 30);
    assert_int_equal(coro_task_count(loop), 0);
    assert_string_equal(test_log_str(), "fin err=-1003 a-start@0 b-start@0 a-end@10 b-end@20 ");
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

static void bad_arguments_give_null(void **state)
{
    coro_loop *loop = test_loop(), *other = test_loop();
    coro_future *a = coro_future_new(loop), *b = coro_future_new(loop);
    coro_future *x = coro_future_new(other), *k[3], *g;
    (void)state;
    k[0] = a;
    k[1] = b;
    k[2] = NULL;
    assert_null(coro_gather(NULL, 2, k, 0));
    assert_null(coro_gather(loop, 2, NULL, 0));
    assert_null(coro_gather(loop, 3, k, 0));            /* a NULL child */
    k[2] = x;
    assert_null(coro_gather(loop, 3, k, 0));            /* a child of another loop */
    k[2] = a;
    k[0] = x;
    assert_null(coro_gather(loop, 3, k, 0));
    /* The failed calls left no mark behind: a valid gather of the same
     * futures counts each once and completes. */
    k[0] = a;
    g = coro_gather(loop, 3, k, 0);
    assert_non_null(g);
    coro_set_result(a, NULL);
    coro_set_result(b, NULL);
    assert_int_equal(coro_run_until_complete(loop, g), 0);
    coro_unref(g);
    coro_unref(a);
    coro_unref(b);
    coro_unref(x);
    coro_loop_free(loop);
    coro_loop_free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(results_readable_per_child),
        CORO_TEST(first_error_fails_at_once_siblings_keep_running),
        CORO_TEST(return_exceptions_never_fails),
        CORO_TEST(errors_seen_by_gather_are_retrieved),
        CORO_TEST(cancel_cancels_every_unfinished_child),
        CORO_TEST(cancelled_gather_ends_cancelled_when_child_swallows),
        CORO_TEST(cancel_with_return_exceptions),
        CORO_TEST(cancel_no_child_took_it),
        CORO_TEST(child_cancel_fails_gather_but_not_cancelled),
        CORO_TEST(n_zero_completes),
        CORO_TEST(duplicates_count_once),
        CORO_TEST(done_children_complete_through_the_loop),
        CORO_TEST(done_children_awaited_by_a_task),
        CORO_TEST(await_take_gather_leaks_nothing),
        CORO_TEST(await_take_failed_gather_leaks_nothing),
        CORO_TEST(await_take_gather_out_of_memory),
        CORO_TEST(bad_arguments_give_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
