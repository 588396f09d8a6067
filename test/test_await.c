/* test_await.c - awaiting: done and pending futures, CORO_AWAIT_TAKE, NULL,
 * CORO_AWAIT_CALL, CORO_FINALLY, the _TRY forms, the statement macros and
 * the resume-point backends.
 *
 * Expected event orders come from CPython 3.11.7 runs of the equivalent
 * asyncio programs; each test quotes what the Python program printed.  A
 * "tick" callback that re-arms itself with call_soon marks the iterations,
 * in Python as here; the task is created first, then the ticker. */
#define _POSIX_C_SOURCE 200809L     /* alarm() under -std=c99 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "support.h"

#define NOW(loop) ((unsigned long)(coro_time)(coro_loop_time(loop) - T0))
#define MSG(m) ((m) ? (m) : "-")

/* An error's name: the library's CORO_E* name, else its number. */
static const char *ename(int err)
{
    static char buf[4][16];
    static int i;
    const char *name = coro_errname(err);
    if (name != NULL) return name;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%d", err);
    return buf[i];
}

static void cancel_cb(void *arg) { coro_cancel((coro_future *)arg, "c"); }

static void set_cb(void *arg)
{
    test_log("set");
    coro_set_result((coro_future *)arg, NULL);
}

struct frame {
    coro_frame co;
    coro_future *a, *b, *c;
    int k;
    int mode;
    coro_future *task;      /* the task the frame is expected to run in */
};

static coro_future *spawn(coro_loop *loop, coro_fn fn, coro_future *a, coro_future *b,
                          coro_future *c, int k, int mode)
{
    struct frame f;
    coro_future *t;
    memset(&f, 0, sizeof f);
    f.a = a;
    f.b = b;
    f.c = c;
    f.k = k;
    f.mode = mode;
    t = coro_create_task(loop, fn, &f, sizeof f);
    assert_non_null(t);
    return t;
}

static coro_future *failed_future(coro_loop *loop, int err, const char *msg)
{
    coro_future *f = coro_future_new(loop);
    assert_int_equal(coro_set_error(f, err, msg), 0);
    return f;
}

/* ---------------------------------------------------- awaiting futures */

static int await_done(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
    test_log("a");
    CORO_AWAIT(co, f->a);
    test_logf("b=%d", *(int *)coro_last_result(co));
    CORO_AWAIT_TRY(co, f->b);
    test_logf("c=%s/%s", ename(coro_last_error(co)), MSG(coro_last_message(co)));
    CORO_AWAIT_TRY(co, f->c);
    test_logf("d=%s/%s", ename(coro_last_error(co)), MSG(coro_last_message(co)));
    CORO_AWAIT(co, f->a);
    test_logf("e=%s", ename(coro_last_error(co)));
    CORO_END(co);
}

/* Python: f done, g failed; L("a"); await f; L("b"); try: await g except:
 * L("c"); await f; L("d")  ->  "a b c d tick1 tick2". */
static void await_done_future_continues_without_loop_trip(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *ok = coro_future_new(loop), *bad = failed_future(loop, 5, "bad");
    coro_future *gone = coro_future_new(loop), *t;
    int seven = 7;
    (void)state;
    coro_set_result(ok, &seven);
    coro_cancel(gone, "gone");
    t = spawn(loop, await_done, ok, bad, gone, 0, 0);
    test_start_ticker(loop, "tick", 8);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(),
                        "a b=7 c=5/bad d=CORO_ECANCELED/gone e=0 tick1 tick2 ");
    coro_unref(t);
    coro_unref(ok);
    coro_unref(bad);            /* the await retrieved its error */
    coro_unref(gone);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

static int await_pending(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
    test_log("a");
    coro_call_soon(coro_loop_of(co), set_cb, f->a, NULL);
    CORO_AWAIT(co, f->a);
    test_log("b");
    CORO_END(co);
}

/* Python: L("a"); call_soon(f.set_result); await f; L("b")  ->
 * "a tick1 set tick2 b tick3 tick4". */
static void await_pending_future_resumes_after_its_callbacks(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *fut = coro_future_new(loop), *t;
    (void)state;
    t = spawn(loop, await_pending, fut, NULL, NULL, 0, 0);
    test_start_ticker(loop, "tick", 8);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "a tick1 set tick2 b tick3 tick4 ");
    coro_unref(t);
    coro_unref(fut);
    coro_loop_free(loop);
}

/* ------------------------------------------------------ CORO_AWAIT_TAKE */

static size_t before[4], after[4];
static coro_time take_time;

static int take_coro(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
    before[0] = test_alloc_outstanding();
    CORO_AWAIT_TAKE(co, f->a);                  /* done */
    after[0] = test_alloc_outstanding();
    coro_call_soon(coro_loop_of(co), set_cb, f->b, NULL);
    before[1] = test_alloc_outstanding();
    CORO_AWAIT_TAKE(co, f->b);                  /* pending */
    after[1] = test_alloc_outstanding();
    before[2] = test_alloc_outstanding();
    CORO_AWAIT_TAKE(co, coro_sleep(coro_loop_of(co), 10));
    after[2] = test_alloc_outstanding();
    take_time = coro_loop_time(coro_loop_of(co));
    before[3] = test_alloc_outstanding();
    CORO_AWAIT_TAKE(co, f->c);                  /* failed: propagates */
    test_log("unreachable");
    CORO_FINALLY(co);
    after[3] = test_alloc_outstanding();
    test_logf("fin=%s/%s", ename(coro_last_error(co)), MSG(coro_last_message(co)));
    CORO_END(co);
}

/* The test never drops its references to a, b, c: each CORO_AWAIT_TAKE
 * does, and the counting allocator sees each future freed at its await. */
static void await_take_drops_the_reference(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *a = coro_future_new(loop), *b = coro_future_new(loop);
    coro_future *c = failed_future(loop, 9, "nine"), *t;
    (void)state;
    coro_set_result(a, NULL);
    t = spawn(loop, take_coro, a, b, c, 0, 0);
    assert_int_equal(coro_run_until_complete(loop, t), 9);
    assert_string_equal(test_log_str(), "set fin=9/nine ");
#if CORO_SLAB != 2
    /* (with CORO_SLAB=2 a freed future goes back to the loop's slab, which
     * the test allocator cannot see) */
    assert_int_equal(after[0], before[0] - 1);
    assert_int_equal(after[1], before[1] - 1);
    assert_int_equal(after[2], before[2]);      /* made and freed in the await */
    assert_int_equal(after[3], before[3] - 1);
#endif
    assert_int_equal(take_time, T(10));
    coro_unref(t);
    coro_loop_free(loop);
    assert_int_equal(test_alloc_outstanding(), 0);
    assert_int_equal(test_nreports, 0);         /* c's error was retrieved */
}

static int raiser6(coro_frame *co);

static int take_new(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    coro_frame child;
    CORO_BEGIN(co);
    memset(&child, 0, sizeof child);
    /* a new task, awaited and released in one statement */
    CORO_AWAIT_TAKE(co, coro_create_task(coro_loop_of(co), raiser6, &child, sizeof child));
    test_log("unreachable");
    CORO_FINALLY(co);
    test_logf("task=%s/%s", ename(coro_last_error(co)), MSG(coro_last_message(co)));
    if (f->mode == 1) {
        /* the gather cannot be made: CORO_ENOMEM, and nothing leaks */
        test_alloc_fail_at(1);
        CORO_AWAIT_TAKE(co, coro_gather(coro_loop_of(co), 1, &f->a, 0));
    }
    CORO_END(co);
}

static void await_take_of_a_new_task_or_gather(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t, *done = coro_future_new(loop);
    (void)state;
    coro_set_result(done, NULL);
    t = spawn(loop, take_new, done, NULL, NULL, 0, 0);
    assert_int_equal(coro_run_until_complete(loop, t), 6);
    coro_unref(t);
    t = spawn(loop, take_new, done, NULL, NULL, 0, 1);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ENOMEM);
    test_alloc_fail_at(0);
    assert_int_equal(test_alloc_failures(), 1);
    coro_unref(t);
    assert_string_equal(test_log_str(), "task=6/six task=6/six ");
    assert_int_equal(coro_task_count(loop), 0);
    coro_unref(done);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);     /* the child's error was retrieved */
}

/* ---------------------------------------------------------- await NULL */

static int await_null(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
    CORO_AWAIT_TRY(co, NULL);
    test_logf("try=%s", ename(coro_last_error(co)));
    if (f->mode == 0) {
        test_alloc_fail_at(1);                  /* coro_sleep fails: NULL */
        CORO_AWAIT_TAKE(co, coro_sleep(coro_loop_of(co), 5));
    } else {
        CORO_AWAIT(co, NULL);
    }
    test_log("unreachable");
    CORO_FINALLY(co);
    test_alloc_fail_at(0);
    test_logf("fin=%s", ename(coro_last_error(co)));
    CORO_END(co);
}

static void awaiting_null_raises_enomem(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    t = spawn(loop, await_null, NULL, NULL, NULL, 0, 0);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ENOMEM);
    assert_string_equal(test_log_str(), "try=CORO_ENOMEM fin=CORO_ENOMEM ");
    assert_int_equal(test_alloc_failures(), 1);
    coro_unref(t);
    t = spawn(loop, await_null, NULL, NULL, NULL, 0, 1);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ENOMEM);
    assert_false(coro_cancelled(t));
    coro_unref(t);
    coro_loop_free(loop);
}

/* ------------------------------------------------------ CORO_AWAIT_CALL */

static int child_sum(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    struct frame sub;
    CORO_BEGIN(co);
    test_logf("c%d", f->k);
    if (coro_current_task(coro_loop_of(co)) != f->task) test_log("WRONG-TASK");
    if (f->k > 0) {
        sub = *f;
        sub.k = f->k - 1;
        CORO_AWAIT_CALL(co, child_sum, &sub, sizeof sub);
        CORO_RETURN(co, (intptr_t)coro_last_result(co) + f->k);
    }
    CORO_RETURN(co, 0);
    CORO_END(co);
}

static int call_parent(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    struct frame sub;
    CORO_BEGIN(co);
    test_log("p1");
    memset(&sub, 0, sizeof sub);
    sub.k = f->k;
    sub.task = f->task = coro_current_task(coro_loop_of(co));
    CORO_AWAIT_CALL(co, child_sum, &sub, sizeof sub);
    test_logf("p2 r=%d err=%d", (int)(intptr_t)coro_last_result(co), coro_last_error(co));
    if (coro_current_task(coro_loop_of(co)) != f->task) test_log("WRONG-TASK");
    CORO_RETURN(co, coro_last_result(co));
    CORO_END(co);
}

/* Python: async def child(k): L(f"c{k}"); return await child(k-1) + k if k
 * else 0; L("p1"); r = await child(3); L("p2 r=6")  ->
 * "p1 c3 c2 c1 c0 p2 r=6 tick1 tick2": all in one step, in the same task. */
static void await_call_runs_child_at_once_in_same_task(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    t = spawn(loop, call_parent, NULL, NULL, NULL, 3, 0);
    test_start_ticker(loop, "tick", 8);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "p1 c3 c2 c1 c0 p2 r=6 err=0 tick1 tick2 ");
    assert_int_equal((intptr_t)coro_result(t), 6);
    coro_unref(t);
    /* deeper: 50 levels, still one step */
    t = spawn(loop, call_parent, NULL, NULL, NULL, 50, 0);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal((intptr_t)coro_result(t), 50 * 51 / 2);
    assert_null(strstr(test_log_str(), "WRONG-TASK"));
    coro_unref(t);
    coro_loop_free(loop);
}

static int child_raise(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    struct frame sub;
    CORO_BEGIN(co);
    if (f->k > 0) {
        sub = *f;
        sub.k = f->k - 1;
        CORO_AWAIT_CALL(co, child_raise, &sub, sizeof sub);
        test_log("unreachable");
    } else {
        CORO_YIELD(co);
        CORO_RAISE(co, 9, "deep");
    }
    CORO_FINALLY(co);
    test_logf("fin%d=%s/%s", f->k, ename(coro_last_error(co)), MSG(coro_last_message(co)));
    CORO_END(co);
}

static int raise_parent(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    struct frame sub;
    CORO_BEGIN(co);
    memset(&sub, 0, sizeof sub);
    sub.k = f->k;
    if (f->mode == 1) {
        CORO_AWAIT_CALL_TRY(co, child_raise, &sub, sizeof sub);
        test_logf("try=%s/%s", ename(coro_last_error(co)), MSG(coro_last_message(co)));
        CORO_RETURN(co, 1);
    }
    CORO_AWAIT_CALL(co, child_raise, &sub, sizeof sub);
    test_log("unreachable");
    CORO_FINALLY(co);
    test_logf("main-fin=%s/%s", ename(coro_last_error(co)), MSG(coro_last_message(co)));
    CORO_END(co);
}

static void await_call_propagates_error_through_each_finally(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    t = spawn(loop, raise_parent, NULL, NULL, NULL, 3, 0);
    assert_int_equal(coro_run_until_complete(loop, t), 9);
    assert_string_equal(coro_message(t), "deep");
    assert_string_equal(test_log_str(),
                        "fin0=9/deep fin1=9/deep fin2=9/deep fin3=9/deep main-fin=9/deep ");
    coro_unref(t);
    t = spawn(loop, raise_parent, NULL, NULL, NULL, 1, 1);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal((intptr_t)coro_result(t), 1);
    assert_string_equal(test_log_str(), "fin0=9/deep fin1=9/deep fin2=9/deep fin3=9/deep "
                                        "main-fin=9/deep fin0=9/deep fin1=9/deep try=9/deep main-fin=0/- ");
    coro_unref(t);
    coro_loop_free(loop);
}

static int cfin(coro_frame *co)
{
    CORO_BEGIN(co);
    CORO_YIELD(co);
    test_log("body");
    CORO_RETURN(co, 42);
    CORO_FINALLY(co);
    test_log("fin");
    CORO_YIELD(co);
    test_log("fin2");
    CORO_END(co);
}

static int cfin_parent(coro_frame *co)
{
    coro_frame child;
    CORO_BEGIN(co);
    memset(&child, 0, sizeof child);
    CORO_AWAIT_CALL(co, cfin, &child, sizeof child);
    test_logf("r=%d", (int)(intptr_t)coro_last_result(co));
    CORO_RETURN(co, coro_last_result(co));
    CORO_END(co);
}

/* Python: async def cfin(): try: await sleep(0); L("body"); return 42
 * finally: L("fin"); await sleep(0); L("fin2"); r = await cfin() ->
 * "tick1 body fin tick2 fin2 r=42 tick3 tick4": a child that suspends, a
 * finally block that awaits, the return value kept through it, and the
 * parent continuing in the child's last step. */
static void await_call_child_suspends_and_finally_awaits(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    t = spawn(loop, cfin_parent, NULL, NULL, NULL, 0, 0);
    test_start_ticker(loop, "tick", 8);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "tick1 body fin tick2 fin2 r=42 tick3 tick4 ");
    assert_int_equal((intptr_t)coro_result(t), 42);
    coro_unref(t);
    coro_loop_free(loop);
}

static int call_bad(coro_frame *co)
{
    coro_frame child;
    CORO_BEGIN(co);
    memset(&child, 0, sizeof child);
    CORO_AWAIT_CALL_TRY(co, NULL, &child, sizeof child);
    test_logf("null-fn=%s", ename(coro_last_error(co)));
    CORO_AWAIT_CALL_TRY(co, cfin, &child, sizeof child - 1);
    test_logf("small=%s", ename(coro_last_error(co)));
    test_alloc_fail_at(1);
    CORO_AWAIT_CALL_TRY(co, cfin, &child, sizeof child);
    test_alloc_fail_at(0);
    test_logf("oom=%s", ename(coro_last_error(co)));
    CORO_AWAIT_CALL(co, NULL, &child, sizeof child);
    test_log("unreachable");
    CORO_END(co);
}

static void await_call_bad_arguments(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    t = spawn(loop, call_bad, NULL, NULL, NULL, 0, 0);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_EINVAL);
    assert_string_equal(test_log_str(), "null-fn=CORO_EINVAL small=CORO_EINVAL oom=CORO_ENOMEM ");
    coro_unref(t);
    coro_loop_free(loop);
}

/* --------------------------------------------------------- CORO_FINALLY */

enum { M_RETURN, M_RAISE, M_CANCEL, M_FALL_OFF, M_TRY_THEN_RETURN };

static int fin_coro(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
    if (f->mode == M_RETURN) CORO_RETURN(co, 7);
    if (f->mode == M_RAISE) CORO_RAISE(co, 5, "bad");
    if (f->mode == M_CANCEL) CORO_SLEEP(co, 100);
    if (f->mode == M_TRY_THEN_RETURN) {
        CORO_AWAIT_TRY(co, f->a);               /* fails with 6 */
        CORO_RETURN(co, 8);
    }
    CORO_FINALLY(co);
    test_logf("fin@%lu=%s/%s", NOW(coro_loop_of(co)), ename(coro_last_error(co)),
              MSG(coro_last_message(co)));
    CORO_END(co);
}

static void finally_runs_on_return_error_and_cancel(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t, *bad = failed_future(loop, 6, "six");
    (void)state;
    t = spawn(loop, fin_coro, NULL, NULL, NULL, 0, M_RETURN);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal((intptr_t)coro_result(t), 7);
    coro_unref(t);
    t = spawn(loop, fin_coro, NULL, NULL, NULL, 0, M_RAISE);
    assert_int_equal(coro_run_until_complete(loop, t), 5);
    coro_unref(t);
    t = spawn(loop, fin_coro, NULL, NULL, NULL, 0, M_CANCEL);
    assert_int_equal(coro_call_later(loop, 10, cancel_cb, t, NULL), 0);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
    assert_true(coro_cancelled(t));
    coro_unref(t);
    t = spawn(loop, fin_coro, NULL, NULL, NULL, 0, M_FALL_OFF);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_null(coro_result(t));
    coro_unref(t);
    /* the last await failed, but the coroutine returns normally: the
     * unwinding error is 0, not the await's 6 */
    t = spawn(loop, fin_coro, bad, NULL, NULL, 0, M_TRY_THEN_RETURN);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal((intptr_t)coro_result(t), 8);
    coro_unref(t);
    assert_string_equal(test_log_str(), "fin@0=0/- fin@0=5/bad fin@10=CORO_ECANCELED/c "
                                        "fin@10=0/- fin@10=0/- ");
    coro_unref(bad);
    coro_loop_free(loop);
}

static int fin_runs;

enum { E_BODY_RAISES, E_BODY_RETURNS, E_FIN_AWAIT_FAILS, E_FIN_YIELDS };

static int fin_raiser(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
    if (f->mode == E_BODY_RETURNS) CORO_RETURN(co, 1);
    CORO_RAISE(co, 5, "body");
    CORO_FINALLY(co);
    fin_runs++;
    test_logf("e1=%s", ename(coro_last_error(co)));
    if (f->mode == E_FIN_AWAIT_FAILS) CORO_AWAIT(co, f->a);    /* fails with 6 */
    if (f->mode == E_FIN_YIELDS) {
        CORO_YIELD(co);
        test_logf("e2=%s", ename(coro_last_error(co)));     /* the yield's outcome */
    }
    CORO_RAISE(co, 8, "fin");
    CORO_END(co);
}

static void error_in_finally_ends_the_coroutine(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t, *bad = failed_future(loop, 6, "six");
    static const int want_err[] = {8, 8, 6, 8};
    static const char *const want_msg[] = {"fin", "fin", "six", "fin"};
    int mode;
    (void)state;
    alarm(10);      /* a finally block that loops would hang: SIGALRM fails it */
    for (mode = E_BODY_RAISES; mode <= E_FIN_YIELDS; mode++) {
        fin_runs = 0;
        t = spawn(loop, fin_raiser, bad, NULL, NULL, 0, mode);
        assert_int_equal(coro_run_until_complete(loop, t), want_err[mode]);
        assert_string_equal(coro_message(t), want_msg[mode]);
        assert_int_equal(fin_runs, 1);                  /* never loops back */
        coro_unref(t);
    }
    alarm(0);
    assert_string_equal(test_log_str(), "e1=5 e1=0 e1=5 e1=5 e2=0 ");
    coro_unref(bad);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

static int fin_returner(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
    if (f->mode == 0) CORO_RAISE(co, 5, "body");
    CORO_SLEEP(co, 100);                        /* mode 1: cancelled here */
    CORO_FINALLY(co);
    test_logf("fin=%s", ename(coro_last_error(co)));
    CORO_RETURN(co, 7);
    CORO_END(co);
}

/* Python: try: await sleep(1) finally: return 7, cancelled -> "7 False". */
static void return_in_finally_replaces_the_error(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    t = spawn(loop, fin_returner, NULL, NULL, NULL, 0, 0);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal((intptr_t)coro_result(t), 7);
    coro_unref(t);
    t = spawn(loop, fin_returner, NULL, NULL, NULL, 0, 1);
    assert_int_equal(coro_call_later(loop, 10, cancel_cb, t, NULL), 0);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal((intptr_t)coro_result(t), 7);
    assert_false(coro_cancelled(t));
    coro_unref(t);
    assert_string_equal(test_log_str(), "fin=5 fin=CORO_ECANCELED ");
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

static int fin_sleeper(coro_frame *co)
{
    CORO_BEGIN(co);
    CORO_RETURN(co, 1);
    CORO_FINALLY(co);
    CORO_SLEEP(co, 100);
    test_log("after");
    CORO_END(co);
}

/* Python: try: return 1 finally: await sleep(1); print("after"), cancelled
 * during that sleep -> "d cancelled True", no "after". */
static void cancel_during_await_in_finally(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    coro_frame fr;
    (void)state;
    memset(&fr, 0, sizeof fr);
    t = coro_create_task(loop, fin_sleeper, &fr, sizeof fr);
    assert_int_equal(coro_call_later(loop, 10, cancel_cb, t, NULL), 0);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
    assert_true(coro_cancelled(t));
    assert_string_equal(coro_message(t), "c");
    assert_int_equal(coro_loop_time(loop), T(10));
    assert_string_equal(test_log_str(), "");
    coro_unref(t);
    coro_loop_free(loop);
}

/* ------------------------------------------------------------ _TRY forms */

static int raiser6(coro_frame *co)
{
    CORO_BEGIN(co);
    CORO_RAISE(co, 6, "six");
    CORO_END(co);
}

static int try_all(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    coro_frame child;
    CORO_BEGIN(co);
    CORO_AWAIT_TRY(co, f->a);
    test_logf("await=%s", ename(coro_last_error(co)));
    memset(&child, 0, sizeof child);
    CORO_AWAIT_CALL_TRY(co, raiser6, &child, sizeof child);
    test_logf("call=%s", ename(coro_last_error(co)));
    CORO_SLEEP_TRY(co, CORO_MAX_DELAY + 1);
    test_logf("sleep=%s", ename(coro_last_error(co)));
    coro_cancel(coro_current_task(coro_loop_of(co)), NULL);
    CORO_SLEEP_TRY(co, 10);
    test_logf("sleep@%lu=%s", NOW(coro_loop_of(co)), ename(coro_last_error(co)));
    coro_cancel(coro_current_task(coro_loop_of(co)), NULL);
    CORO_YIELD_TRY(co);
    test_logf("yield=%s", ename(coro_last_error(co)));
#if CORO_POSIX
    CORO_READABLE_TRY(co, -1);
    test_logf("readable=%s", ename(coro_last_error(co)));
    CORO_WRITABLE_TRY(co, -1);
    test_logf("writable=%s", ename(coro_last_error(co)));
#endif
    CORO_RETURN(co, 1);
    CORO_FINALLY(co);
    test_logf("fin=%s", ename(coro_last_error(co)));
    CORO_END(co);
}

static void try_forms_never_propagate(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t, *bad = failed_future(loop, 5, "five");
    (void)state;
    t = spawn(loop, try_all, bad, NULL, NULL, 0, 0);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
#if CORO_POSIX
#define FD_LOG " readable=CORO_EBADF writable=CORO_EBADF"
#else
#define FD_LOG ""
#endif
    assert_string_equal(test_log_str(), "await=5 call=6 sleep=CORO_EINVAL sleep@0=CORO_ECANCELED "
                                        "yield=CORO_ECANCELED" FD_LOG " fin=0 ");
    assert_int_equal((intptr_t)coro_result(t), 1);
    assert_false(coro_cancelled(t));
    assert_int_equal(coro_cancelling(t), 2);
    coro_unref(t);
    coro_unref(bad);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

static int propagating(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
    if (f->mode == 0) CORO_SLEEP(co, CORO_MAX_DELAY + 1);
#if CORO_POSIX
    if (f->mode == 1) CORO_READABLE(co, -1);
#endif
    test_log("unreachable");
    CORO_END(co);
}

static void non_try_forms_propagate(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    t = spawn(loop, propagating, NULL, NULL, NULL, 0, 0);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_EINVAL);
    coro_unref(t);
#if CORO_POSIX
    t = spawn(loop, propagating, NULL, NULL, NULL, 0, 1);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_EBADF);
    coro_unref(t);
#endif
    assert_string_equal(test_log_str(), "");
    coro_loop_free(loop);
}

/* --------------------------------------- statement macros after an if */

static int unbraced(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
    if (f->mode == 0)
        CORO_AWAIT(co, f->a);
    else
        CORO_SLEEP(co, 10);
    test_logf("a@%lu", NOW(coro_loop_of(co)));
    if (f->mode == 0)
        CORO_YIELD(co);
    else
        CORO_AWAIT_TRY(co, f->b);
    test_logf("b=%s", ename(coro_last_error(co)));
    if (f->mode != 0)
        CORO_AWAIT_TAKE(co, coro_sleep(coro_loop_of(co), 5));
    else
        CORO_SLEEP_TRY(co, 20);
    test_logf("c@%lu", NOW(coro_loop_of(co)));
    if (f->mode == 0)
        CORO_RETURN(co, 1);
    else
        CORO_RAISE(co, 3, "else");
    test_log("unreachable");
    CORO_END(co);
}

static void statement_macros_after_unbraced_if_else(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *ok = coro_future_new(loop), *bad = failed_future(loop, 4, NULL), *t;
    (void)state;
    coro_set_result(ok, NULL);
    t = spawn(loop, unbraced, ok, bad, NULL, 0, 0);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal((intptr_t)coro_result(t), 1);
    coro_unref(t);
    t = spawn(loop, unbraced, ok, bad, NULL, 0, 1);
    assert_int_equal(coro_run_until_complete(loop, t), 3);
    assert_string_equal(coro_message(t), "else");
    coro_unref(t);
    assert_string_equal(test_log_str(), "a@0 b=0 c@20 a@30 b=4 c@35 ");
    coro_unref(ok);
    coro_unref(bad);
    coro_loop_free(loop);
}

/* --------------------------------------------- an await inside a switch */

static int switch_coro(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
    switch (f->mode) {
    case 1:
        CORO_SLEEP(co, 10);
        test_logf("after@%lu", NOW(coro_loop_of(co)));
        break;
    default:
        break;
    }
    CORO_RETURN(co, 5);
    CORO_FINALLY(co);
    test_log("fin");
    CORO_END(co);
}

static void await_inside_a_user_switch(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    t = spawn(loop, switch_coro, NULL, NULL, NULL, 0, 1);
#if CORO_USE_LABELS
    /* labels-as-values: the resume point is an address, a switch is fine */
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal((intptr_t)coro_result(t), 5);
    assert_string_equal(test_log_str(), "after@10 fin ");
    assert_int_equal(test_nreports, 0);
#else
    /* switch backend: the resume point became a case of the user's switch,
     * so the resume finds an unknown state: never silently ignored */
    assert_int_equal(coro_run_until_complete(loop, t), CORO_EINVAL);
    assert_int_equal(coro_loop_time(loop), T(10));
    assert_null(strstr(test_log_str(), "after"));
    assert_int_equal(test_nreports, 1);
    assert_int_equal(test_reports[0].err, CORO_EINVAL);
    assert_true(test_reports[0].has_future);
    assert_non_null(strstr(test_reports[0].message, "unknown state"));
    assert_non_null(strstr(test_reports[0].repr, "<Task pending name='Task-1' coro=<switch_coro() running at "));
#endif
    coro_unref(t);
    /* the same coroutine without the await path works on both backends */
    t = spawn(loop, switch_coro, NULL, NULL, NULL, 0, 0);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal((intptr_t)coro_result(t), 5);
    coro_unref(t);
    coro_loop_free(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(await_done_future_continues_without_loop_trip),
        CORO_TEST(await_pending_future_resumes_after_its_callbacks),
        CORO_TEST(await_take_drops_the_reference),
        CORO_TEST(await_take_of_a_new_task_or_gather),
        CORO_TEST(awaiting_null_raises_enomem),
        CORO_TEST(await_call_runs_child_at_once_in_same_task),
        CORO_TEST(await_call_propagates_error_through_each_finally),
        CORO_TEST(await_call_child_suspends_and_finally_awaits),
        CORO_TEST(await_call_bad_arguments),
        CORO_TEST(finally_runs_on_return_error_and_cancel),
        CORO_TEST(error_in_finally_ends_the_coroutine),
        CORO_TEST(return_in_finally_replaces_the_error),
        CORO_TEST(cancel_during_await_in_finally),
        CORO_TEST(try_forms_never_propagate),
        CORO_TEST(non_try_forms_propagate),
        CORO_TEST(statement_macros_after_unbraced_if_else),
        CORO_TEST(await_inside_a_user_switch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
