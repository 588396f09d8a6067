/* test_task_cancel.c - Task.cancel as asyncio 3.11 (DESIGN.md "Tasks").
 *
 * Expected event orders come from CPython 3.11.7 runs of the equivalent
 * asyncio programs; each test quotes what the Python program printed.  A
 * "tick" callback that re-arms itself with call_soon marks the iterations,
 * in Python as here. */
#define _POSIX_C_SOURCE 200809L     /* pthreads under -std=c99 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "support.h"

#define NOW(loop) ((unsigned long)(coro_time)(coro_loop_time(loop) - T0))
#define NAME(err) ((err) == 0 ? "0" : coro_errname(err) ? coro_errname(err) : "user")
#define MSG(m) ((m) ? (m) : "-")

static void stop_cb(void *arg) { coro_stop((coro_loop *)arg); }

/* Run exactly one loop iteration. */
static void run_one(coro_loop *loop)
{
    assert_int_equal(coro_call_soon(loop, stop_cb, loop, NULL), 0);
    assert_int_equal(coro_run_forever(loop), 0);
}

/* A cancel request, made from a callback at a chosen time. */
struct canceller {
    coro_loop *loop;
    coro_future *task;
    const char *msg;
    coro_future *watch;     /* logged: is it cancelled right after the call? */
};

static void cancel_cb(void *arg)
{
    struct canceller *c = (struct canceller *)arg;
    int r = coro_cancel(c->task, c->msg);
    if (c->watch) test_logf("cancel@%lu=%d watched=%d", NOW(c->loop), r, coro_cancelled(c->watch));
    else test_logf("cancel@%lu=%d", NOW(c->loop), r);
}

/* ------------------------------------------------------------ coroutines */

struct frame {
    coro_frame co;
    const char *name;
    coro_future *fut;       /* what to await */
    coro_time ms;           /* or how long to sleep */
    int mode;
};

static struct frame mk(const char *name, coro_future *fut, coro_time ms, int mode)
{
    struct frame f;
    memset(&f, 0, sizeof f);
    f.name = name;
    f.fut = fut;
    f.ms = ms;
    f.mode = mode;
    return f;
}

static coro_future *spawn(coro_loop *loop, coro_fn fn, const char *name, coro_future *fut,
                          coro_time ms, int mode)
{
    struct frame f = mk(name, fut, ms, mode);
    coro_future *t = coro_create_task(loop, fn, &f, sizeof f);
    assert_non_null(t);
    return t;
}

/* Awaits `fut` (or sleeps `ms`), logs "<name>:after", returns 1.  Its
 * finally block logs the unwinding error and message with the time. */
static int waiter(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
    test_logf("%s:start", f->name);
    if (f->fut != NULL)
        CORO_AWAIT(co, f->fut);
    else
        CORO_SLEEP(co, f->ms);
    test_logf("%s:after", f->name);
    CORO_RETURN(co, 1);
    CORO_FINALLY(co);
    test_logf("%s:fin@%lu=%s/%s", f->name, NOW(coro_loop_of(co)), NAME(coro_last_error(co)),
              MSG(coro_last_message(co)));
    CORO_END(co);
}

/* ------------------------------------------------ before the first step */

/* Python (seed asyncio_cancel_task.py): a task cancelled before the loop
 * starts it never prints "in task_func" and ends cancelled. */
static void cancel_before_first_step_body_never_runs(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    t = spawn(loop, waiter, "t", NULL, 10, 0);
    assert_int_equal(coro_cancel(t, "early"), 1);
    assert_int_equal(coro_cancelling(t), 1);
    assert_false(coro_done(t));             /* cancelled only once it has finished */
    assert_false(coro_cancelled(t));
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
    assert_string_equal(test_log_str(), "");    /* neither the body nor the finally block */
    assert_true(coro_cancelled(t));
    assert_string_equal(coro_message(t), "early");
    assert_int_equal(coro_loop_time(loop), T(0));
    coro_unref(t);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

/* --------------------------------------------------------- while waiting */

/* Python: task awaits a future; call_later(0.01, t.cancel("m")) -> cancel
 * returns True and the future is cancelled at once; "cancel@10 fin@10". */
static void cancel_while_awaiting_future(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *fut = coro_future_new(loop), *t;
    struct canceller c;
    (void)state;
    t = spawn(loop, waiter, "t", fut, 0, 0);
    c.loop = loop;
    c.task = t;
    c.msg = "m";
    c.watch = fut;
    assert_int_equal(coro_call_later(loop, 10, cancel_cb, &c, NULL), 0);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
    assert_string_equal(test_log_str(),
                        "t:start cancel@10=1 watched=1 t:fin@10=CORO_ECANCELED/m ");
    assert_true(coro_cancelled(fut));
    assert_string_equal(coro_message(fut), "m");
    assert_true(coro_cancelled(t));
    assert_string_equal(coro_message(t), "m");
    assert_int_equal(coro_cancelling(t), 1);
    coro_unref(t);
    coro_unref(fut);
    coro_loop_free(loop);
}

static void cancel_while_sleeping(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    struct canceller c;
    (void)state;
    t = spawn(loop, waiter, "t", NULL, 100, 0);
    c.loop = loop;
    c.task = t;
    c.msg = NULL;
    c.watch = NULL;
    assert_int_equal(coro_call_later(loop, 10, cancel_cb, &c, NULL), 0);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
    assert_string_equal(test_log_str(), "t:start cancel@10=1 t:fin@10=CORO_ECANCELED/- ");
    assert_true(coro_cancelled(t));
    assert_null(coro_message(t));
    /* The sleep's timer is gone: nothing is left, and time did not jump to
     * the old deadline. */
    assert_int_equal(coro_run_forever(loop), CORO_EDEADLK);
    assert_int_equal(coro_loop_time(loop), T(10));
    coro_unref(t);
    coro_loop_free(loop);
}

/* Python: sleep(0.01) and call_later(0.01, t.cancel), the cancel's timer
 * started before the sleep's, then after it: both runs print "sleep
 * cancelled" (('a',) then ('b',)) at the deadline. */
static void cancel_at_the_sleep_deadline_both_orders(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    struct canceller c;
    (void)state;
    c.loop = loop;
    c.msg = "a";
    c.watch = NULL;
    /* the cancel's timer first: it runs before the fired sleep timer */
    assert_int_equal(coro_call_later(loop, 10, cancel_cb, &c, NULL), 0);
    c.task = t = spawn(loop, waiter, "a", NULL, 10, 0);
    run_one(loop);                  /* t sleeps from T0: deadline T(10) too */
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
    assert_string_equal(test_log_str(), "a:start cancel@10=1 a:fin@10=CORO_ECANCELED/a ");
    coro_unref(t);
    /* the sleep's timer first: the cancel finds it fired but not resumed */
    test_nreports = 0;
    c.msg = "b";
    c.task = t = spawn(loop, waiter, "b", NULL, 10, 0);
    run_one(loop);
    assert_int_equal(coro_call_later(loop, 10, cancel_cb, &c, NULL), 0);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
    assert_string_equal(test_log_str(), "a:start cancel@10=1 a:fin@10=CORO_ECANCELED/a "
                                        "b:start cancel@20=1 b:fin@20=CORO_ECANCELED/b ");
    assert_true(coro_cancelled(t));
    coro_unref(t);
    coro_loop_free(loop);
}

/* Python: f completes (set_result), then t.cancel("late") in the same
 * iteration before t resumes -> the coroutine sees CancelledError('late')
 * at its await, although f has a result. */
static int swallow_at_await(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
    CORO_AWAIT_TRY(co, f->fut);
    test_logf("saw:%s/%s", NAME(coro_last_error(co)), MSG(coro_last_message(co)));
    CORO_RETURN(co, 3);
    CORO_END(co);
}

static void cancel_after_the_wakeup_is_queued(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *fut = coro_future_new(loop), *t;
    int x;
    (void)state;
    t = spawn(loop, swallow_at_await, "t", fut, 0, 0);
    run_one(loop);
    assert_int_equal(coro_set_result(fut, &x), 0);
    assert_int_equal(coro_cancel(t, "late"), 1);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "saw:CORO_ECANCELED/late ");
    assert_int_equal((intptr_t)coro_result(t), 3);
    assert_false(coro_cancelled(t));
    assert_false(coro_cancelled(fut));
    coro_unref(t);
    coro_unref(fut);
    coro_loop_free(loop);
}

/* ------------------------------------------------------ swallowed cancel */

static int swallower(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
    CORO_SLEEP_TRY(co, f->ms);
    if (coro_last_error(co) == CORO_ECANCELED)
        test_logf("caught:%s@%lu", MSG(coro_last_message(co)), NOW(coro_loop_of(co)));
    CORO_RETURN(co, 42);
    CORO_END(co);
}

/* Python: try: await sleep(0.1) except CancelledError: return 42, cancelled
 * with "x" at 10 ms -> "cancel=True caught('x',)@10 r=42 cancelled=False
 * cancelling=1 uncancel=0 uncancel=0". */
static void swallowed_cancel_returns_value(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    struct canceller c;
    (void)state;
    t = spawn(loop, swallower, "t", NULL, 100, 0);
    c.loop = loop;
    c.task = t;
    c.msg = "x";
    c.watch = NULL;
    assert_int_equal(coro_call_later(loop, 10, cancel_cb, &c, NULL), 0);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "cancel@10=1 caught:x@10 ");
    assert_int_equal((intptr_t)coro_result(t), 42);
    assert_false(coro_cancelled(t));
    assert_null(coro_message(t));
    assert_int_equal(coro_cancelling(t), 1);        /* stays until uncancel */
    assert_int_equal(coro_uncancel(t), 0);
    assert_int_equal(coro_cancelling(t), 0);
    assert_int_equal(coro_uncancel(t), 0);          /* never below 0 */
    assert_int_equal(coro_loop_time(loop), T(10));
    coro_unref(t);
    coro_loop_free(loop);
}

/* --------------------------------------------------------- self-cancel */

enum { SELF_RETURN, SELF_RAISE, SELF_AWAIT, SELF_SLEEP };

static int self_canceller(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
    test_logf("c=%d", coro_cancel(coro_current_task(coro_loop_of(co)), "self"));
    if (f->mode == SELF_RETURN) CORO_RETURN(co, 5);
    if (f->mode == SELF_RAISE) CORO_RAISE(co, 77, "other");
    if (f->mode == SELF_AWAIT) {
        CORO_AWAIT_TRY(co, f->fut);
    } else {
        CORO_SLEEP_TRY(co, 1000);
    }
    test_logf("saw:%s/%s@%lu", NAME(coro_last_error(co)), MSG(coro_last_message(co)),
              NOW(coro_loop_of(co)));
    CORO_RETURN(co, 1);
    CORO_END(co);
}

/* Python (3.11): cancel() of the current task, then
 *   return 5               -> CancelledError('self'), cancelled() True
 *   raise ValueError       -> ValueError('other'), cancelled() False
 *   await f (try/except)   -> "await saw ('self',) f.cancelled=True", r=1
 *   await sleep(1) (try)   -> "sleep saw ('self',) @0", r=1 */
static void self_cancel_then_return_ends_cancelled(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    t = spawn(loop, self_canceller, "t", NULL, 0, SELF_RETURN);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
    assert_string_equal(test_log_str(), "c=1 ");
    assert_true(coro_cancelled(t));
    assert_string_equal(coro_message(t), "self");
    assert_null(coro_result(t));
    coro_unref(t);
    coro_loop_free(loop);
}

static void self_cancel_then_raise_ends_with_that_error(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    t = spawn(loop, self_canceller, "t", NULL, 0, SELF_RAISE);
    assert_int_equal(coro_run_until_complete(loop, t), 77);
    assert_false(coro_cancelled(t));
    assert_string_equal(coro_message(t), "other");
    coro_unref(t);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

static void self_cancel_then_await_delivers_there(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *fut = coro_future_new(loop), *t;
    (void)state;
    t = spawn(loop, self_canceller, "t", fut, 0, SELF_AWAIT);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "c=1 saw:CORO_ECANCELED/self@0 ");
    assert_true(coro_cancelled(fut));       /* the await took the request */
    assert_string_equal(coro_message(fut), "self");
    assert_false(coro_cancelled(t));
    assert_int_equal((intptr_t)coro_result(t), 1);
    coro_unref(t);
    coro_unref(fut);
    /* and at a sleep: at once, not after the delay */
    t = spawn(loop, self_canceller, "t", NULL, 0, SELF_SLEEP);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "c=1 saw:CORO_ECANCELED/self@0 c=1 saw:CORO_ECANCELED/self@0 ");
    assert_int_equal(coro_loop_time(loop), T(0));
    assert_int_equal(coro_run_forever(loop), CORO_EDEADLK);     /* no timer left */
    coro_unref(t);
    coro_loop_free(loop);
}

/* ------------------------------------------------------- chains of tasks */

/* Python: inner awaits f, outer awaits inner, a ticker, then a callback
 * calls outer.cancel("m"):
 *   tick1 cancel fut.cancelled=True ti.cancelling=1 to.cancelling=1
 *   tick2 inner-fin tick3 outer-fin tick4, outer raises CancelledError('m') */

struct chain_cancel {
    coro_future *outer, *inner, *fut;
};

static void chain_cancel_cb(void *arg)
{
    struct chain_cancel *c = (struct chain_cancel *)arg;
    test_logf("cancel=%d", coro_cancel(c->outer, "m"));
    test_logf("fut.cancelled=%d inner.cancelling=%d outer.cancelling=%d", coro_cancelled(c->fut),
              coro_cancelling(c->inner), coro_cancelling(c->outer));
}

static int quiet_waiter(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
    CORO_AWAIT(co, f->fut);
    test_log("unreachable");
    CORO_FINALLY(co);
    test_logf("%s-fin=%s/%s", f->name, NAME(coro_last_error(co)), MSG(coro_last_message(co)));
    CORO_END(co);
}

static void cancel_travels_down_a_task_chain(void **state)
{
    coro_loop *loop = test_loop();
    struct chain_cancel c;
    (void)state;
    c.fut = coro_future_new(loop);
    c.inner = spawn(loop, quiet_waiter, "inner", c.fut, 0, 0);
    c.outer = spawn(loop, quiet_waiter, "outer", c.inner, 0, 0);
    test_start_ticker(loop, "tick", 20);
    assert_int_equal(coro_call_soon(loop, chain_cancel_cb, &c, NULL), 0);
    assert_int_equal(coro_run_until_complete(loop, c.outer), CORO_ECANCELED);
    assert_string_equal(test_log_str(),
                        "tick1 cancel=1 fut.cancelled=1 inner.cancelling=1 outer.cancelling=1 "
                        "tick2 inner-fin=CORO_ECANCELED/m tick3 outer-fin=CORO_ECANCELED/m tick4 ");
    assert_true(coro_cancelled(c.fut));
    assert_true(coro_cancelled(c.inner));
    assert_true(coro_cancelled(c.outer));
    /* the message of the cancellation that reached the coroutine, on the
     * task and on its awaiter (3.11 loses it on a second inner.result()) */
    assert_string_equal(coro_message(c.inner), "m");
    assert_string_equal(coro_message(c.outer), "m");
    coro_unref(c.outer);
    coro_unref(c.inner);
    coro_unref(c.fut);
    coro_loop_free(loop);
}

/* Awaiting a task that is already being cancelled: the cancel of the awaiter
 * still goes down to it (Task.cancel of a cancelling task returns True). */
static void cancel_reaches_a_task_that_swallows(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *inner, *outer;
    struct frame f;
    (void)state;
    inner = spawn(loop, swallower, "inner", NULL, 100, 0);
    f = mk("outer", inner, 0, 0);
    outer = coro_create_task(loop, swallow_at_await, &f, sizeof f);
    run_one(loop);
    assert_int_equal(coro_cancel(outer, "down"), 1);
    assert_int_equal(coro_cancelling(inner), 1);
    assert_int_equal(coro_cancelling(outer), 1);
    /* inner swallows and returns 42: outer's await gets 42, not a cancel,
     * as in 3.11 where outer's fut_waiter.cancel() was accepted */
    assert_int_equal(coro_run_until_complete(loop, outer), 0);
    assert_string_equal(test_log_str(), "caught:down@0 saw:0/- ");
    assert_int_equal((intptr_t)coro_result(inner), 42);
    assert_int_equal((intptr_t)coro_result(outer), 3);
    assert_false(coro_cancelled(outer));
    coro_unref(inner);
    coro_unref(outer);
    coro_loop_free(loop);
}

/* Python: the future a task awaits is cancelled by someone else ->
 * "cancelled True 0 ('ext',)": the task ends cancelled, with no request. */
static void awaited_future_cancelled_elsewhere_ends_task_cancelled(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *fut = coro_future_new(loop), *t;
    (void)state;
    t = spawn(loop, quiet_waiter, "t", fut, 0, 0);
    run_one(loop);
    assert_int_equal(coro_cancel(fut, "ext"), 1);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
    assert_string_equal(test_log_str(), "t-fin=CORO_ECANCELED/ext ");
    assert_true(coro_cancelled(t));
    assert_int_equal(coro_cancelling(t), 0);
    assert_string_equal(coro_message(t), "ext");
    coro_unref(t);
    coro_unref(fut);
    coro_loop_free(loop);
}

struct cycle {
    coro_frame co;
    coro_future **other;
};

static int cycle_coro(coro_frame *co)
{
    struct cycle *f = (struct cycle *)co;
    CORO_BEGIN(co);
    CORO_YIELD(co);
    CORO_AWAIT(co, *f->other);
    CORO_END(co);
}

/* Two tasks awaiting each other (a deadlock the user made).  3.11's
 * Task.cancel recurses a -> b -> a ... and raises RecursionError; coro's
 * walk stops where the cycle closes and wakes that task (b) with the
 * cancellation, which then unwinds a too.  SIGALRM ends the run if it spins. */
static void cancel_of_an_await_cycle_returns(void **state)
{
    coro_loop *loop;
    coro_future *a, *b;
    struct cycle ca, cb;
    (void)state;
    loop = test_loop();
    memset(&ca, 0, sizeof ca);
    memset(&cb, 0, sizeof cb);
    ca.other = &b;
    cb.other = &a;
    a = coro_create_task(loop, cycle_coro, &ca, sizeof ca);
    b = coro_create_task(loop, cycle_coro, &cb, sizeof cb);
    run_one(loop);
    run_one(loop);              /* a awaits b, b awaits a */
    assert_int_equal(coro_run_until_complete(loop, a), CORO_EDEADLK);
    alarm(5);
    assert_int_equal(coro_cancel(a, "x"), 1);
    alarm(0);
    assert_int_equal(coro_cancelling(a), 1);
    assert_int_equal(coro_cancelling(b), 1);
    assert_int_equal(coro_run_until_complete(loop, a), CORO_ECANCELED);
    assert_true(coro_cancelled(a));
    assert_true(coro_cancelled(b));
    assert_string_equal(coro_message(b), "x");
    assert_string_equal(coro_message(a), "x");
    coro_unref(a);
    coro_unref(b);
    coro_loop_free(loop);
}

/* A task awaiting a gather that lists the task itself: cancelling the task
 * cancels the gather, which cancels the task again while the first cancel is
 * still walking.  That must end, and break the deadlock. */
struct gcycle {
    coro_frame co;
    coro_future *g;
};

static int gcycle_coro(coro_frame *co)
{
    struct gcycle *f = (struct gcycle *)co;
    coro_future *self;
    CORO_BEGIN(co);
    self = coro_current_task(coro_loop_of(co));
    f->g = coro_gather(coro_loop_of(co), 1, &self, 0);
    CORO_AWAIT_TRY(co, f->g);
    test_logf("woke=%s", coro_errname(coro_last_error(co)));
    CORO_FINALLY(co);
    coro_unref(f->g);
    CORO_END(co);
}

static void cancel_of_a_task_in_its_own_gather_returns(void **state)
{
    coro_loop *loop = test_loop();
    struct gcycle init;
    coro_future *t;
    (void)state;
    memset(&init, 0, sizeof init);
    t = coro_create_task(loop, gcycle_coro, &init, sizeof init);
    run_one(loop);
    alarm(5);
    assert_int_equal(coro_cancel(t, NULL), 1);
    alarm(0);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "woke=CORO_ECANCELED ");
    coro_unref(t);
    coro_loop_free(loop);
}

/* -------------------------------------------------------------- messages */

/* Python (3.11), t.cancel("first"); t.cancel("second"):
 *   before the first step -> cancelling=2, CancelledError('second')
 *   while it sleeps       -> "fin", CancelledError('first')
 * coro keeps the first message in both cases (DESIGN.md). */
static void second_cancel_keeps_first_message(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    t = spawn(loop, waiter, "a", NULL, 1000, 0);
    assert_int_equal(coro_cancel(t, "first"), 1);
    assert_int_equal(coro_cancel(t, "second"), 1);
    assert_int_equal(coro_cancelling(t), 2);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
    assert_string_equal(coro_message(t), "first");
    assert_string_equal(test_log_str(), "");
    coro_unref(t);
    t = spawn(loop, waiter, "b", NULL, 1000, 0);
    run_one(loop);
    assert_int_equal(coro_cancel(t, "first"), 1);
    assert_int_equal(coro_cancel(t, "second"), 1);
    assert_int_equal(coro_cancelling(t), 2);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
    assert_string_equal(coro_message(t), "first");
    assert_string_equal(test_log_str(), "b:start b:fin@0=CORO_ECANCELED/first ");
    coro_unref(t);
    /* while awaiting a future: the first cancel already cancelled it */
    {
        coro_future *fut = coro_future_new(loop);
        t = spawn(loop, waiter, "c", fut, 0, 0);
        run_one(loop);
        assert_int_equal(coro_cancel(t, "first"), 1);
        assert_int_equal(coro_cancel(t, "second"), 1);
        assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
        assert_string_equal(coro_message(t), "first");
        assert_string_equal(coro_message(fut), "first");
        coro_unref(fut);
        coro_unref(t);
    }
    coro_loop_free(loop);
}

static int reraiser(coro_frame *co)
{
    CORO_BEGIN(co);
    CORO_SLEEP_TRY(co, 1000);
    if (coro_last_error(co) == CORO_ECANCELED) CORO_RAISE(co, CORO_ECANCELED, "mine");
    CORO_END(co);
}

/* A second awaiter reads the message of a cancelled task. */
static int message_reader(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
    CORO_AWAIT_TRY(co, f->fut);
    test_logf("%s:%s/%s", f->name, NAME(coro_last_error(co)), MSG(coro_last_message(co)));
    CORO_END(co);
}

/* Python: except CancelledError: raise CancelledError("mine"), cancelled
 * with "theirs" -> "('mine',) cancelled=True". */
static void reraised_cancel_carries_its_own_message(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t, *r;
    (void)state;
    t = spawn(loop, reraiser, "t", NULL, 0, 0);
    r = spawn(loop, message_reader, "reader", t, 0, 0);
    run_one(loop);
    assert_int_equal(coro_cancel(t, "theirs"), 1);
    assert_int_equal(coro_run_until_complete(loop, r), 0);
    assert_string_equal(test_log_str(), "reader:CORO_ECANCELED/mine ");
    assert_true(coro_cancelled(t));
    assert_int_equal(coro_error(t), CORO_ECANCELED);
    assert_string_equal(coro_message(t), "mine");
    coro_unref(t);
    coro_unref(r);
    coro_loop_free(loop);
}

/* ------------------------------------------------ return values, counts */

static void cancel_return_values_and_counts(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t, *plain = coro_future_new(loop);
    (void)state;
    t = spawn(loop, swallower, "t", NULL, 1000, 0);
    assert_int_equal(coro_cancelling(t), 0);
    run_one(loop);
    assert_int_equal(coro_cancel(t, NULL), 1);
    assert_int_equal(coro_cancel(t, NULL), 1);
    assert_int_equal(coro_cancel(t, NULL), 1);
    assert_int_equal(coro_cancelling(t), 3);
    assert_int_equal(coro_uncancel(t), 2);
    assert_int_equal(coro_cancelling(t), 2);
    assert_false(coro_done(t));
    assert_int_equal(coro_error(t), CORO_EINVAL);       /* still pending */
    assert_int_equal(coro_run_until_complete(loop, t), 0);     /* swallowed: 42 */
    assert_int_equal(coro_cancelling(t), 2);
    /* a done task: 0, and the count does not move (3.11 returns False before
     * counting) */
    assert_int_equal(coro_cancel(t, NULL), 0);
    assert_int_equal(coro_cancelling(t), 2);
    assert_int_equal(coro_uncancel(t), 1);
    assert_int_equal(coro_uncancel(t), 0);
    assert_int_equal(coro_uncancel(t), 0);
    assert_int_equal((intptr_t)coro_result(t), 42);
    /* bad input */
    assert_int_equal(coro_cancel(NULL, NULL), CORO_EINVAL);
    assert_int_equal(coro_cancelling(NULL), CORO_EINVAL);
    assert_int_equal(coro_uncancel(NULL), CORO_EINVAL);
    assert_int_equal(coro_cancelling(plain), CORO_EINVAL);
    assert_int_equal(coro_uncancel(plain), CORO_EINVAL);
    coro_unref(t);
    coro_unref(plain);
    coro_loop_free(loop);
}

/* ------------------------------------------ 10,000 tasks on a small stack */

#define CHAIN_LEN 10000
#define SMALL_STACK (64 * 1024)

struct link {
    coro_frame co;
    coro_future *next;
};

static unsigned long chain_fins;

static int chain_link(coro_frame *co)
{
    struct link *f = (struct link *)co;
    CORO_BEGIN(co);
    CORO_AWAIT(co, f->next);
    CORO_FINALLY(co);
    if (coro_last_error(co) == CORO_ECANCELED && coro_last_message(co) != NULL &&
        strcmp(coro_last_message(co), "deep") == 0)
        chain_fins++;
    CORO_END(co);
}

struct chain {
    coro_loop *loop;
    coro_future *top, *bottom, *fut;
    int cancel_ret, err, bottom_cancelling, fut_cancelled;
};

/* Build top -> ... -> bottom -> fut and run one iteration, so that every
 * task awaits the next. */
static void build_chain(struct chain *c)
{
    struct link l;
    coro_future *next;
    size_t i;
    memset(&l, 0, sizeof l);
    c->loop = test_loop();
    c->fut = coro_future_new(c->loop);
    next = c->fut;
    for (i = 0; i < CHAIN_LEN; i++) {
        coro_future *t;
        l.next = next;
        t = coro_create_task(c->loop, chain_link, &l, sizeof l);
        assert_non_null(t);
        if (i == 0) c->bottom = t;
        if (next != c->fut) coro_unref(next);   /* the loop holds pending tasks */
        next = t;
    }
    c->top = next;
    run_one(c->loop);
    assert_int_equal(coro_task_count(c->loop), CHAIN_LEN);
}

/* Runs on a small stack: no assertion here (cmocka's longjmp must stay on
 * the main thread), results are checked after the join. */
static void *chain_cancel_thread(void *arg)
{
    struct chain *c = (struct chain *)arg;
    c->cancel_ret = coro_cancel(c->top, "deep");
    c->bottom_cancelling = coro_cancelling(c->bottom);     /* borrowed: still pending */
    c->fut_cancelled = coro_cancelled(c->fut);
    c->err = coro_run_until_complete(c->loop, c->top);
    return NULL;
}

static void *chain_free_thread(void *arg)
{
    struct chain *c = (struct chain *)arg;
    coro_loop_free(c->loop);
    return NULL;
}

static void run_on_small_stack(void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    pthread_t th;
    size_t size = SMALL_STACK;
    assert_int_equal(pthread_attr_init(&attr), 0);
#ifdef PTHREAD_STACK_MIN
    if (size < (size_t)PTHREAD_STACK_MIN) size = (size_t)PTHREAD_STACK_MIN;
#endif
    assert_int_equal(pthread_attr_setstacksize(&attr, size), 0);
    assert_int_equal(pthread_create(&th, &attr, fn, arg), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    pthread_attr_destroy(&attr);
}

/* Recursing once per task would need far more than 64 KiB for 10,000 tasks
 * and crash the thread; the cancel walks the chain and the loop unwinds it
 * one task per iteration. */
static void cancel_chain_of_10000_tasks_on_small_stack(void **state)
{
    struct chain c;
    (void)state;
    chain_fins = 0;
    build_chain(&c);
    run_on_small_stack(chain_cancel_thread, &c);
    assert_int_equal(c.cancel_ret, 1);
    assert_int_equal(c.bottom_cancelling, 1);
    assert_true(c.fut_cancelled);
    assert_int_equal(c.err, CORO_ECANCELED);
    assert_int_equal(chain_fins, CHAIN_LEN);
    assert_true(coro_cancelled(c.top));
    assert_int_equal(coro_cancelling(c.top), 1);
    assert_string_equal(coro_message(c.top), "deep");
    assert_int_equal(coro_task_count(c.loop), 0);
    assert_int_equal(coro_loop_time(c.loop), T(0));
    coro_unref(c.top);
    coro_unref(c.fut);
    coro_loop_free(c.loop);
    assert_int_equal(test_nreports, 0);
}

/* The same chain left pending and freed with its loop: also flat. */
static void pending_chain_of_10000_tasks_freed_on_small_stack(void **state)
{
    struct chain c;
    (void)state;
    chain_fins = 0;
    build_chain(&c);
    coro_unref(c.top);
    coro_unref(c.fut);
    run_on_small_stack(chain_free_thread, &c);
    assert_int_equal(chain_fins, 0);        /* no finally block ran */
    assert_int_equal(test_count_reports("Task was destroyed but it is pending!"),
                     TEST_MAX_REPORTS);     /* the recorder keeps the first 64 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(cancel_before_first_step_body_never_runs),
        CORO_TEST(cancel_while_awaiting_future),
        CORO_TEST(cancel_while_sleeping),
        CORO_TEST(cancel_at_the_sleep_deadline_both_orders),
        CORO_TEST(cancel_after_the_wakeup_is_queued),
        CORO_TEST(swallowed_cancel_returns_value),
        CORO_TEST(self_cancel_then_return_ends_cancelled),
        CORO_TEST(self_cancel_then_raise_ends_with_that_error),
        CORO_TEST(self_cancel_then_await_delivers_there),
        CORO_TEST(cancel_travels_down_a_task_chain),
        CORO_TEST(cancel_reaches_a_task_that_swallows),
        CORO_TEST(awaited_future_cancelled_elsewhere_ends_task_cancelled),
        CORO_TEST(cancel_of_an_await_cycle_returns),
        CORO_TEST(cancel_of_a_task_in_its_own_gather_returns),
        CORO_TEST(second_cancel_keeps_first_message),
        CORO_TEST(reraised_cancel_carries_its_own_message),
        CORO_TEST(cancel_return_values_and_counts),
        CORO_TEST(cancel_chain_of_10000_tasks_on_small_stack),
        CORO_TEST(pending_chain_of_10000_tasks_freed_on_small_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
