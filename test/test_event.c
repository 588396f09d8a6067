/* test_event.c - interrupt-safe events: latch, coalescing, broadcast,
 * cancellation, teardown, and sets from an asynchronous source at random
 * moments (a thread on the host, a timer interrupt on the MCU targets).
 * Portable: it also runs on the emulated microcontrollers (make test-mcu;
 * coro-mcu: portable, although it includes pthread.h on POSIX hosts). */
#if defined(__unix__) || defined(__APPLE__)
#define EVENT_THREADS 1
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#endif
#include <string.h>
#include "support.h"
#include "irq.h"

/* ------------------------------------------------------------- helpers */

struct waiter {
    coro_frame co;
    coro_event *ev;
    const char *name;
    int n, i;
};

/* Await `ev` n times, logging name@time after each wake-up. */
static int waiter(coro_frame *co)
{
    struct waiter *w = (struct waiter *)co;
    CORO_BEGIN(co);
    for (w->i = 0; w->i < w->n; w->i++) {
        CORO_AWAIT_EVENT(co, w->ev);
        test_logf("%s@%lu", w->name, (unsigned long)(coro_loop_time(coro_loop_of(co)) - T0));
    }
    CORO_RETURN(co, w->i);
    CORO_END(co);
}

/* The same with the _TRY form: a cancel is logged and the loop goes on. */
static int try_waiter(coro_frame *co)
{
    struct waiter *w = (struct waiter *)co;
    CORO_BEGIN(co);
    for (w->i = 0; w->i < w->n; w->i++) {
        CORO_AWAIT_EVENT_TRY(co, w->ev);
        if (coro_last_error(co) != 0)
            test_logf("%s:%s", w->name, coro_errname(coro_last_error(co)));
        else
            test_logf("%s@%lu", w->name, (unsigned long)(coro_loop_time(coro_loop_of(co)) - T0));
    }
    CORO_RETURN(co, w->i);
    CORO_END(co);
}

static coro_future *spawn(coro_loop *loop, coro_fn fn, coro_event *ev, const char *name, int n)
{
    struct waiter init;
    coro_future *t;
    memset(&init, 0, sizeof init);
    init.ev = ev;
    init.name = name;
    init.n = n;
    t = coro_create_task(loop, fn, &init, sizeof init);
    assert_non_null(t);
    return t;
}

static void set_cb(void *arg)
{
    test_log("set");
    coro_event_set((coro_event *)arg);
}

static void cancel_cb(void *arg)
{
    test_log("cancel");
    coro_cancel((coro_future *)arg, NULL);
}

/* A pending future that nothing completes: run_until_complete on it tells
 * whether the loop still counts a waiter (it blocks) or not (CORO_EDEADLK). */
static int deadlocks(coro_loop *loop)
{
    coro_future *f = coro_future_new(loop);
    int err;
    assert_non_null(f);
#ifdef EVENT_THREADS
    alarm(10);          /* a miscounted waiter would block here forever */
#endif
    err = coro_run_until_complete(loop, f);
#ifdef EVENT_THREADS
    alarm(0);
#endif
    coro_unref(f);
    return err == CORO_EDEADLK;
}

/* --------------------------------------------------------------- tests */

static void set_before_await_is_consumed_at_once(void **state)
{
    coro_loop *loop = test_loop();
    coro_event ev;
    coro_future *a, *b;
    (void)state;
    assert_int_equal(coro_event_init(&ev, loop), 0);
    coro_event_set(&ev);
    coro_event_set(&ev);                        /* two sets, one latch */
    a = spawn(loop, waiter, &ev, "a", 1);
    assert_int_equal(coro_run_until_complete(loop, a), 0);
    assert_string_equal(test_log_str(), "a@0 ");
    /* The latch was consumed: the next awaiter sleeps until the next set. */
    b = spawn(loop, waiter, &ev, "b", 1);
    assert_int_equal(coro_call_later(loop, 5, set_cb, &ev, NULL), 0);
    assert_int_equal(coro_run_until_complete(loop, b), 0);
    assert_string_equal(test_log_str(), "a@0 set b@5 ");
    assert_int_equal((int)(intptr_t)coro_result(b), 1);
    coro_unref(a);
    coro_unref(b);
    coro_loop_free(loop);
}

static void repeated_sets_coalesce(void **state)
{
    coro_loop *loop = test_loop();
    coro_event ev;
    coro_future *a;
    (void)state;
    assert_int_equal(coro_event_init(&ev, loop), 0);
    a = spawn(loop, waiter, &ev, "a", 2);
    coro_call_later(loop, 10, set_cb, &ev, NULL);
    coro_call_later(loop, 10, set_cb, &ev, NULL);
    coro_call_later(loop, 10, set_cb, &ev, NULL);
    coro_call_later(loop, 20, set_cb, &ev, NULL);
    assert_int_equal(coro_run_until_complete(loop, a), 0);
    /* Three sets before the waiter ran are one wake-up; its second await
     * needs the set at 20. */
    assert_string_equal(test_log_str(), "set set set a@10 set a@20 ");
    coro_unref(a);
    coro_loop_free(loop);
}

/* Set, and set again in the next iteration just before the woken waiter
 * runs: the second set is part of the same wake-up. */
struct setter {
    coro_loop *loop;
    coro_event *ev;
};

static void set_then_again_cb(void *arg)
{
    struct setter *s = (struct setter *)arg;
    set_cb(s->ev);
    coro_call_soon(s->loop, set_cb, s->ev, NULL);
}

static void sets_until_the_waiter_runs_coalesce(void **state)
{
    coro_loop *loop = test_loop();
    coro_event ev;
    coro_future *a;
    struct setter s;
    (void)state;
    s.loop = loop;
    s.ev = &ev;
    assert_int_equal(coro_event_init(&ev, loop), 0);
    a = spawn(loop, waiter, &ev, "a", 2);
    coro_call_later(loop, 10, set_then_again_cb, &s, NULL);
    coro_call_later(loop, 20, set_cb, &ev, NULL);
    assert_int_equal(coro_run_until_complete(loop, a), 0);
    /* The second set ran in the iteration that resumed a, before a: one
     * wake-up, so a's second await needs the set at 20. */
    assert_string_equal(test_log_str(), "set set a@10 set a@20 ");
    coro_unref(a);
    coro_loop_free(loop);
}

static void set_wakes_waiter_in_next_iteration(void **state)
{
    coro_loop *loop = test_loop();
    coro_event ev;
    coro_future *a, *sl;
    (void)state;
    assert_int_equal(coro_event_init(&ev, loop), 0);
    a = spawn(loop, waiter, &ev, "a", 1);
    sl = coro_sleep(loop, 0);                   /* done after one iteration */
    assert_int_equal(coro_run_until_complete(loop, sl), 0);   /* a is waiting now */
    coro_event_set(&ev);
    assert_false(coro_done(a));
    assert_string_equal(test_log_str(), "");    /* never inside coro_event_set */
    assert_int_equal(coro_run_until_complete(loop, a), 0);
    assert_string_equal(test_log_str(), "a@0 ");
    coro_unref(sl);
    coro_unref(a);
    coro_loop_free(loop);
}

static void one_set_wakes_every_waiter_in_order(void **state)
{
    coro_loop *loop = test_loop();
    coro_event ev;
    coro_future *t[5], *g;
    int i;
    (void)state;
    assert_int_equal(coro_event_init(&ev, loop), 0);
    t[0] = spawn(loop, waiter, &ev, "a", 1);
    t[1] = spawn(loop, waiter, &ev, "b", 1);
    t[2] = spawn(loop, waiter, &ev, "c", 1);
    coro_call_later(loop, 10, set_cb, &ev, NULL);
    g = coro_gather(loop, 3, t, 0);
    assert_int_equal(coro_run_until_complete(loop, g), 0);
    assert_string_equal(test_log_str(), "set a@10 b@10 c@10 ");
    coro_unref(g);
    /* A set with nobody waiting latches once: d continues at once, e waits. */
    coro_event_set(&ev);
    t[3] = spawn(loop, waiter, &ev, "d", 1);
    t[4] = spawn(loop, waiter, &ev, "e", 1);
    coro_call_later(loop, 5, set_cb, &ev, NULL);
    g = coro_gather(loop, 2, t + 3, 0);
    assert_int_equal(coro_run_until_complete(loop, g), 0);
    assert_string_equal(test_log_str(), "set a@10 b@10 c@10 d@10 set e@15 ");
    coro_unref(g);
    for (i = 0; i < 5; i++) coro_unref(t[i]);
    coro_loop_free(loop);
}

/* A set wakes every task that was waiting, even when another task awaits the
 * event after the set and before the loop saw it: the newcomer must not
 * take the set for itself and leave the first waiter asleep. */
static void late_awaiter_does_not_steal_the_set(void **state)
{
    coro_loop *loop = test_loop();
    coro_event ev;
    coro_future *t[2], *g, *sl;
    (void)state;
    assert_int_equal(coro_event_init(&ev, loop), 0);
    t[0] = spawn(loop, waiter, &ev, "a", 1);
    sl = coro_sleep(loop, 0);
    assert_int_equal(coro_run_until_complete(loop, sl), 0);     /* a waits */
    coro_unref(sl);
    assert_int_equal(coro_call_soon(loop, set_cb, &ev, NULL), 0);
    t[1] = spawn(loop, waiter, &ev, "b", 1);   /* its first step runs right after the set */
    coro_call_later(loop, 10, set_cb, &ev, NULL);
    g = coro_gather(loop, 2, t, 0);
    assert_int_equal(coro_run_until_complete(loop, g), 0);
    assert_string_equal(test_log_str(), "set a@0 b@0 ");
    coro_unref(g);
    coro_unref(t[0]);
    coro_unref(t[1]);
    coro_loop_free(loop);
}

static void cancelled_waiter_leaves_the_others(void **state)
{
    coro_loop *loop = test_loop();
    coro_event ev;
    coro_future *a, *b;
    (void)state;
    assert_int_equal(coro_event_init(&ev, loop), 0);
    a = spawn(loop, waiter, &ev, "a", 1);
    b = spawn(loop, waiter, &ev, "b", 1);
    coro_call_later(loop, 5, cancel_cb, a, NULL);
    coro_call_later(loop, 10, set_cb, &ev, NULL);
    assert_int_equal(coro_run_until_complete(loop, b), 0);
    assert_string_equal(test_log_str(), "cancel set b@10 ");
    assert_true(coro_cancelled(a));
    assert_int_equal(coro_error(a), CORO_ECANCELED);
    /* Nobody waits any more, so nothing can complete a new future. */
    assert_true(deadlocks(loop));
    coro_unref(a);
    coro_unref(b);
    coro_loop_free(loop);
}

static void try_form_swallows_the_cancel(void **state)
{
    coro_loop *loop = test_loop();
    coro_event ev;
    coro_future *a;
    (void)state;
    assert_int_equal(coro_event_init(&ev, loop), 0);
    a = spawn(loop, try_waiter, &ev, "a", 2);
    coro_call_later(loop, 5, cancel_cb, a, NULL);
    coro_call_later(loop, 10, set_cb, &ev, NULL);
    assert_int_equal(coro_run_until_complete(loop, a), 0);
    assert_string_equal(test_log_str(), "cancel a:CORO_ECANCELED set a@10 ");
    assert_false(coro_cancelled(a));
    assert_int_equal(coro_cancelling(a), 1);
    coro_unref(a);
    coro_loop_free(loop);
}

static void wait_for_an_event_times_out(void **state)
{
    coro_loop *loop = test_loop();
    coro_event ev;
    coro_future *a, *w;
    (void)state;
    assert_int_equal(coro_event_init(&ev, loop), 0);
    a = spawn(loop, waiter, &ev, "a", 1);
    w = coro_wait_for(loop, a, 10);
    assert_non_null(w);
    assert_int_equal(coro_run_until_complete(loop, w), CORO_ETIMEDOUT);
    assert_int_equal(coro_loop_time(loop), T(10));
    assert_true(coro_cancelled(a));
    assert_true(deadlocks(loop));               /* the waiter count went back to 0 */
    /* The event still works afterwards. */
    coro_unref(a);
    a = spawn(loop, waiter, &ev, "b", 1);
    coro_call_later(loop, 1, set_cb, &ev, NULL);
    assert_int_equal(coro_run_until_complete(loop, a), 0);
    assert_string_equal(test_log_str(), "set b@11 ");
    coro_unref(a);
    coro_unref(w);
    coro_loop_free(loop);
}

static void loop_freed_while_a_task_waits(void **state)
{
    coro_loop *loop = test_loop();
    coro_event ev;
    coro_future *a, *sl;
    (void)state;
    assert_int_equal(coro_event_init(&ev, loop), 0);
    a = spawn(loop, waiter, &ev, "a", 1);
    sl = coro_sleep(loop, 1);
    assert_int_equal(coro_run_until_complete(loop, sl), 0);
    coro_unref(sl);
    coro_unref(a);
    coro_loop_free(loop);
    assert_int_equal(test_count_reports("Task was destroyed but it is pending!"), 1);
    /* The event can be bound to another loop. */
    loop = test_loop();
    assert_int_equal(coro_event_init(&ev, loop), 0);
    coro_event_set(&ev);
    a = spawn(loop, waiter, &ev, "b", 1);
    assert_int_equal(coro_run_until_complete(loop, a), 0);
    assert_string_equal(test_log_str(), "b@0 ");
    coro_unref(a);
    coro_loop_free(loop);
}

static void bad_arguments_get_einval(void **state)
{
    coro_loop *loop = test_loop(), *other = test_loop();
    coro_event ev, foreign;
    coro_future *a, *b;
    (void)state;
    assert_int_equal(coro_event_init(NULL, loop), CORO_EINVAL);
    assert_int_equal(coro_event_init(&ev, NULL), CORO_EINVAL);
    assert_int_equal(coro_event_init(&foreign, other), 0);
    a = spawn(loop, try_waiter, &foreign, "a", 1);
    b = spawn(loop, waiter, NULL, "b", 1);
    assert_int_equal(coro_run_until_complete(loop, a), 0);
    assert_string_equal(test_log_str(), "a:CORO_EINVAL ");
    assert_int_equal(coro_run_until_complete(loop, b), CORO_EINVAL);
    assert_non_null(coro_message(b));
    coro_unref(a);
    coro_unref(b);
    coro_loop_free(loop);
    coro_loop_free(other);
}

/* ----------------------------------------------- an asynchronous source */

#ifdef EVENT_THREADS
/* The host's source: a thread that sets the event after random gaps. */
static pthread_t irq_thread;
static volatile unsigned irq_count;
static struct { coro_event *ev; unsigned count, max_gap_us, seed; } irq_args;

static void *irq_main(void *arg)
{
    unsigned i, r = irq_args.seed;
    (void)arg;
    for (i = 1; i <= irq_args.count; i++) {
        struct timespec ts;
        r = r * 1103515245u + 12345u;
        ts.tv_sec = 0;
        ts.tv_nsec = (long)((r >> 8) % (irq_args.max_gap_us + 1)) * 1000;
        if ((r >> 4) % 4 != 0) nanosleep(&ts, NULL);   /* a quarter come back to back */
        irq_count = i;
        coro_event_set(irq_args.ev);
    }
    return NULL;
}

int test_irq_start(coro_event *ev, unsigned count, unsigned max_gap_us, unsigned seed)
{
    irq_args.ev = ev;
    irq_args.count = count;
    irq_args.max_gap_us = max_gap_us;
    irq_args.seed = seed;
    irq_count = 0;
    return pthread_create(&irq_thread, NULL, irq_main, NULL) == 0 ? 0 : -1;
}

unsigned test_irq_count(void) { return irq_count; }

void test_irq_stop(void) { pthread_join(irq_thread, NULL); }

#define IRQ_SETS 3000u
#define IRQ_GAP_US 200u
#else
#define IRQ_SETS 300u
#define IRQ_GAP_US 2000u
#endif

struct stats {
    unsigned seen, wakes;
    int backwards;
};

struct consumer {
    coro_frame co;
    coro_event *ev;
    struct stats *st;
    unsigned total, r;
};

/* Await the event until every set was seen.  Between awaits it does random
 * things (nothing, a yield, a 1 ms sleep), so sets land while it waits, while
 * it runs, while the loop sleeps and between the loop's check and its sleep.
 * A lost wake-up leaves it waiting forever: no timer would wake it. */
static int consumer(coro_frame *co)
{
    struct consumer *c = (struct consumer *)co;
    CORO_BEGIN(co);
    while (c->st->seen < c->total) {
        CORO_AWAIT_EVENT(co, c->ev);
        {
            unsigned now = test_irq_count();
            if (now < c->st->seen) c->st->backwards = 1;
            c->st->seen = now;
            c->st->wakes++;
        }
        c->r = c->r * 1103515245u + 12345u;
        if ((c->r >> 8) % 3 == 1) {
            CORO_YIELD(co);
        } else if ((c->r >> 8) % 3 == 2) {
            CORO_SLEEP(co, 1);
        }
    }
    CORO_END(co);
}

static void run_async(unsigned seed)
{
    coro_loop *loop = coro_loop_new();         /* real clock: real sleeps */
    coro_event ev;
    struct consumer init;
    struct stats st;
    coro_future *t;
    assert_non_null(loop);
    coro_set_exception_handler(loop, test_handler, NULL);
    assert_int_equal(coro_event_init(&ev, loop), 0);
    memset(&init, 0, sizeof init);
    memset(&st, 0, sizeof st);
    init.ev = &ev;
    init.st = &st;
    init.total = IRQ_SETS;
    init.r = seed;
    t = coro_create_task(loop, consumer, &init, sizeof init);
    assert_non_null(t);
#ifdef EVENT_THREADS
    alarm(60);          /* a lost wake-up fails the test instead of hanging */
#endif
    assert_int_equal(test_irq_start(&ev, IRQ_SETS, IRQ_GAP_US, seed), 0);
    /* While the consumer waits it owns no timer: the loop must block, not
     * report CORO_EDEADLK, because a task awaits an event. */
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    test_irq_stop();
#ifdef EVENT_THREADS
    alarm(0);
#endif
    assert_int_equal(test_irq_count(), IRQ_SETS);
    assert_int_equal(st.seen, IRQ_SETS);        /* a wake-up followed the last set */
    assert_false(st.backwards);
    assert_true(st.wakes >= 1);
    assert_true(st.wakes <= IRQ_SETS);          /* never more wake-ups than sets */
    assert_int_equal(test_nreports, 0);
    coro_unref(t);
    coro_loop_free(loop);
}

static void async_sets_at_random_moments_are_never_lost(void **state)
{
    (void)state;
    run_async(12345u);
    run_async(777u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(set_before_await_is_consumed_at_once),
        CORO_TEST(repeated_sets_coalesce),
        CORO_TEST(sets_until_the_waiter_runs_coalesce),
        CORO_TEST(set_wakes_waiter_in_next_iteration),
        CORO_TEST(one_set_wakes_every_waiter_in_order),
        CORO_TEST(late_awaiter_does_not_steal_the_set),
        CORO_TEST(cancelled_waiter_leaves_the_others),
        CORO_TEST(try_form_swallows_the_cancel),
        CORO_TEST(wait_for_an_event_times_out),
        CORO_TEST(loop_freed_while_a_task_waits),
        CORO_TEST(bad_arguments_get_einval),
        CORO_TEST(async_sets_at_random_moments_are_never_lost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
