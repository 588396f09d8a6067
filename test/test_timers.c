/* test_timers.c - call_soon/call_later/call_at, handles, delay limits,
 * iteration order (re-arming callbacks, yield, sleep), the virtual clock and
 * the 32-bit wrap.
 *
 * Expected orders come from CPython 3.11 on a virtual clock:
 * test/asyncio/timers.py prints them (python3 timers.py). */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "support.h"

/* Milliseconds since the loop's start, which log_at uses as its origin. */
static coro_time origin;
static coro_loop *cur;

static unsigned long now(coro_loop *loop)
{
    return (unsigned long)(coro_time)(coro_loop_time(loop) - origin);
}

static coro_loop *new_loop(void)
{
    cur = test_loop();
    origin = T0;
    return cur;
}

/* Log "<name>@<ms>" for callbacks. */
static void log_at(void *arg) { test_logf("%s@%lu", (const char *)arg, now(cur)); }

static void log_plain(void *arg) { test_log((const char *)arg); }

static void stop_cb(void *arg) { coro_stop((coro_loop *)arg); }

/* timers.py order_and_times: s@0 a@10 b@20 c@30 */
static void soon_later_at_order_and_times(void **state)
{
    coro_loop *loop = new_loop();
    (void)state;
    assert_int_equal(coro_call_later(loop, 30, log_at, "c", NULL), 0);
    assert_int_equal(coro_call_later(loop, 10, log_at, "a", NULL), 0);
    assert_int_equal(coro_call_at(loop, T(20), log_at, "b", NULL), 0);
    assert_int_equal(coro_call_soon(loop, log_at, "s", NULL), 0);
    assert_int_equal(coro_call_later(loop, 40, stop_cb, loop, NULL), 0);
    assert_string_equal(test_log_str(), "");        /* nothing runs before the loop */
    assert_int_equal(coro_run_forever(loop), 0);
    assert_string_equal(test_log_str(), "s@0 a@10 b@20 c@30 ");
    assert_int_equal(coro_loop_time(loop), T(40));
    coro_loop_free(loop);
}

/* Equal deadlines fire in start order, including a timer started later (at
 * T(5)) for the same deadline.  (3.11's heap is not stable: timers.py
 * equal_deadlines prints z@10 x@10 y@10 w@10; coro guarantees start order.) */
static void later_5(void *arg) { coro_call_later((coro_loop *)arg, 5, log_at, "w", NULL); }

static void equal_deadlines_fire_in_start_order(void **state)
{
    coro_loop *loop = new_loop();
    (void)state;
    coro_call_later(loop, 10, log_at, "x", NULL);
    coro_call_at(loop, T(10), log_at, "y", NULL);
    coro_call_later(loop, 10, log_at, "z", NULL);
    coro_call_later(loop, 5, later_5, loop, NULL);
    coro_call_later(loop, 20, stop_cb, loop, NULL);
    assert_int_equal(coro_run_forever(loop), 0);
    assert_string_equal(test_log_str(), "x@10 y@10 z@10 w@10 ");
    coro_loop_free(loop);
}

/* Timers already due run after the callbacks already queued, in deadline
 * order.  timers.py soon_before_due_timer: s@0 p-5@0 p0@0 */
static void due_timers_follow_queued_callbacks(void **state)
{
    coro_loop *loop = new_loop();
    (void)state;
    coro_call_later(loop, 0, log_at, "p0", NULL);
    assert_int_equal(coro_call_at(loop, T(0) - 5, log_at, "p-5", NULL), 0);
    coro_call_soon(loop, log_at, "s", NULL);
    coro_call_soon(loop, stop_cb, loop, NULL);
    assert_int_equal(coro_run_forever(loop), 0);
    assert_string_equal(test_log_str(), "s@0 p-5@0 p0@0 ");
    coro_loop_free(loop);
}

static void handle_cancel(void **state)
{
    coro_loop *loop = new_loop();
    coro_handle h1, h2, h3, zero;
    (void)state;
    memset(&zero, 0, sizeof zero);
    assert_int_equal(coro_handle_cancel(zero), 0);      /* a zeroed handle is safe */
    assert_int_equal(coro_call_later(loop, 10, log_at, "later", &h1), 0);
    assert_int_equal(coro_call_soon(loop, log_at, "soon", &h2), 0);
    assert_int_equal(coro_call_soon(loop, log_at, "runs", &h3), 0);
    assert_int_equal(coro_handle_cancel(h1), 1);
    assert_int_equal(coro_handle_cancel(h1), 0);
    assert_int_equal(coro_handle_cancel(h2), 1);
    assert_int_equal(coro_handle_cancel(h2), 0);
    coro_call_later(loop, 20, stop_cb, loop, NULL);
    assert_int_equal(coro_run_forever(loop), 0);
    assert_string_equal(test_log_str(), "runs@0 ");
    assert_int_equal(coro_handle_cancel(h3), 0);        /* after it ran */
    assert_int_equal(coro_handle_cancel(h1), 0);
    coro_loop_free(loop);
}

/* Cancelled timers (handles, released sleeps) no longer keep the loop
 * alive: a future nobody sets is a deadlock at once, at the same time. */
static void cancelled_timers_do_not_keep_the_loop_alive(void **state)
{
    coro_loop *loop = new_loop();
    coro_future *never = coro_future_new(loop), *s;
    coro_handle h;
    (void)state;
    assert_int_equal(coro_call_later(loop, 100, log_plain, "x", &h), 0);
    s = coro_sleep(loop, 200);
    coro_unref(s);
    assert_int_equal(coro_handle_cancel(h), 1);
    assert_int_equal(coro_run_until_complete(loop, never), CORO_EDEADLK);
    assert_int_equal(coro_loop_time(loop), T(0));
    assert_string_equal(test_log_str(), "");
    coro_unref(never);
    coro_loop_free(loop);
}

/* A stale handle whose pooled node now carries another callback cancels
 * nothing. */
static void stale_handle_does_not_cancel_a_new_callback(void **state)
{
    coro_loop *loop = new_loop();
    coro_handle old, fresh;
    (void)state;
    coro_call_soon(loop, log_plain, "first", &old);
    coro_call_soon(loop, stop_cb, loop, NULL);
    coro_run_forever(loop);
    coro_call_later(loop, 5, log_plain, "second", &fresh);   /* reuses a pooled node */
    coro_call_later(loop, 10, log_plain, "third", NULL);
    assert_int_equal(coro_handle_cancel(old), 0);
    coro_call_later(loop, 20, stop_cb, loop, NULL);
    coro_run_forever(loop);
    assert_string_equal(test_log_str(), "first second third ");
    assert_int_equal(coro_handle_cancel(fresh), 0);
    coro_loop_free(loop);
}

/* A due timer cancelled by another callback of its iteration is skipped
 * (3.11 skips cancelled handles in the ready queue). */
struct pair {
    coro_handle victim;
};

static void cancel_victim(void *arg)
{
    struct pair *p = (struct pair *)arg;
    test_log("killer");
    assert_int_equal(coro_handle_cancel(p->victim), 1);
}

static void cancel_a_queued_timer(void **state)
{
    coro_loop *loop = new_loop();
    struct pair p;
    (void)state;
    coro_call_later(loop, 10, cancel_victim, &p, NULL);
    coro_call_later(loop, 10, log_plain, "victim", &p.victim);
    coro_call_later(loop, 10, log_plain, "other", NULL);
    coro_call_later(loop, 20, stop_cb, loop, NULL);
    coro_run_forever(loop);
    assert_string_equal(test_log_str(), "killer other ");
    coro_loop_free(loop);
}

struct sleeper {
    coro_frame co;
    coro_time ms;
};

static int sleep_try(coro_frame *co)
{
    struct sleeper *f = (struct sleeper *)co;
    CORO_BEGIN(co);
    CORO_SLEEP_TRY(co, f->ms);
    test_logf("try=%s", coro_errname(coro_last_error(co)));
    CORO_SLEEP(co, f->ms);
    test_log("not reached");
    CORO_END(co);
}

static void delays_above_max_are_rejected(void **state)
{
    coro_loop *loop = new_loop();
    coro_handle h;
    coro_future *s, *t;
    struct sleeper init;
    (void)state;
    assert_int_equal(coro_call_later(loop, CORO_MAX_DELAY + 1, log_plain, "x", NULL), CORO_EINVAL);
    assert_int_equal(coro_call_later(loop, CORO_FOREVER, log_plain, "x", NULL), CORO_EINVAL);
    assert_int_equal(coro_call_at(loop, T(0) + CORO_MAX_DELAY + 1, log_plain, "x", NULL), CORO_EINVAL);
    assert_int_equal(coro_call_at(loop, T(0) - CORO_MAX_DELAY - 1, log_plain, "x", NULL), CORO_EINVAL);
    assert_int_equal(coro_call_at(loop, T(0) + 0x80000000u, log_plain, "x", NULL), CORO_EINVAL);
    /* the limits themselves are accepted */
    assert_int_equal(coro_call_later(loop, CORO_MAX_DELAY, log_plain, "x", &h), 0);
    assert_int_equal(coro_handle_cancel(h), 1);
    assert_int_equal(coro_call_at(loop, T(0) + CORO_MAX_DELAY, log_plain, "x", &h), 0);
    assert_int_equal(coro_handle_cancel(h), 1);
    assert_int_equal(coro_call_at(loop, T(0) - CORO_MAX_DELAY, log_plain, "past", NULL), 0);
    /* bad arguments */
    assert_int_equal(coro_call_soon(NULL, log_plain, "x", NULL), CORO_EINVAL);
    assert_int_equal(coro_call_soon(loop, NULL, "x", NULL), CORO_EINVAL);
    assert_int_equal(coro_call_later(NULL, 1, log_plain, "x", NULL), CORO_EINVAL);
    assert_int_equal(coro_call_later(loop, 1, NULL, "x", NULL), CORO_EINVAL);
    assert_int_equal(coro_call_at(NULL, T(0), log_plain, "x", NULL), CORO_EINVAL);
    assert_int_equal(coro_call_at(loop, T(0), NULL, "x", NULL), CORO_EINVAL);
    /* coro_sleep */
    assert_null(coro_sleep(loop, CORO_MAX_DELAY + 1));
    assert_null(coro_sleep(NULL, 1));
    s = coro_sleep(loop, CORO_MAX_DELAY);
    assert_non_null(s);
    coro_unref(s);
    /* CORO_SLEEP raises CORO_EINVAL */
    memset(&init, 0, sizeof init);
    init.ms = CORO_MAX_DELAY + 1;
    t = coro_create_task(loop, sleep_try, &init, sizeof init);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_EINVAL);
    assert_int_equal(coro_loop_time(loop), T(0));
    /* the only callback that ran is the one scheduled in the past; as a due
     * timer it comes after the task's step, which was queued */
    assert_string_equal(test_log_str(), "try=CORO_EINVAL past ");
    coro_unref(t);
    coro_loop_free(loop);
}

/* The heap under load: 600 timers with pseudo-random deadlines (many
 * equal), a third of them cancelled, some started from callbacks while the
 * loop runs.  They fire in (deadline, start order), the cancelled ones never,
 * and each exactly at its deadline. */
#define NSTRESS 600
struct stress {
    coro_loop *loop;
    coro_handle h[NSTRESS];
    coro_time when[NSTRESS];
    unsigned seq[NSTRESS];
    int id[NSTRESS], cancelled[NSTRESS], fired[NSTRESS], order[NSTRESS];
    int nfired, nstarted;
    unsigned rng;
    unsigned long bad;
};
static struct stress st;

static unsigned rnd(void)
{
    st.rng = st.rng * 1103515245u + 12345u;
    return (st.rng >> 16) & 0x7FFFu;
}

static void stress_fire(void *arg);

static void stress_start(coro_time delay)
{
    int i = st.nstarted++;
    st.id[i] = i;
    st.when[i] = coro_loop_time(st.loop) + delay;
    st.seq[i] = (unsigned)i;
    assert_int_equal(coro_call_later(st.loop, delay, stress_fire, &st.id[i], &st.h[i]), 0);
}

static void stress_fire(void *arg)
{
    int i = *(int *)arg;
    if (st.cancelled[i] || st.fired[i] || coro_loop_time(st.loop) != st.when[i]) st.bad++;
    st.fired[i] = 1;
    st.order[st.nfired++] = i;
    /* now and then, start more timers, with delay 0 included */
    if (st.nstarted < NSTRESS && rnd() % 3 == 0) stress_start((coro_time)(rnd() % 40));
}

static void heap_order_under_load(void **state)
{
    int i, k, p;
    coro_time start[2];
    (void)state;
    start[0] = T0;
    start[1] = 0xFFFFFFF0u;                 /* deadlines straddle the wrap */
    for (p = 0; p < 2; p++) {
        memset(&st, 0, sizeof st);
        st.rng = 12345u;
        st.loop = coro_loop_new_virtual(start[p]);
        assert_non_null(st.loop);
        coro_set_exception_handler(st.loop, test_handler, NULL);
        for (i = 0; i < NSTRESS / 2; i++) stress_start((coro_time)(rnd() % 50));
        for (i = 0; i < NSTRESS / 2; i += 3) {
            st.cancelled[i] = 1;
            assert_int_equal(coro_handle_cancel(st.h[i]), 1);
        }
        while (st.nstarted < NSTRESS) {
            /* run a little, start more from outside the loop too */
            coro_future *s = coro_sleep(st.loop, 7);
            assert_int_equal(coro_run_until_complete(st.loop, s), 0);
            coro_unref(s);
            for (k = 0; k < 20 && st.nstarted < NSTRESS; k++) stress_start((coro_time)(rnd() % 60));
            for (k = 0; k < 5; k++) {
                int j = (int)(rnd() % (unsigned)st.nstarted);
                if (!st.fired[j] && !st.cancelled[j]) {
                    st.cancelled[j] = 1;
                    assert_int_equal(coro_handle_cancel(st.h[j]), 1);
                }
            }
        }
        {
            coro_future *s = coro_sleep(st.loop, 100);
            assert_int_equal(coro_run_until_complete(st.loop, s), 0);
            coro_unref(s);
        }
        assert_int_equal(st.bad, 0);
        for (i = 0; i < NSTRESS; i++) assert_int_equal(st.fired[i], !st.cancelled[i]);
        for (k = 1; k < st.nfired; k++) {
            int a = st.order[k - 1], b = st.order[k];
            int32_t d = (int32_t)(st.when[b] - st.when[a]);
            assert_true(d > 0 || (d == 0 && st.seq[b] > st.seq[a]));
        }
        assert_true(st.nfired > NSTRESS / 2);
        assert_int_equal(coro_run_until_complete(st.loop, NULL), CORO_EINVAL);
        coro_loop_free(st.loop);
    }
}

/* Callbacks that re-arm themselves with 0 delay, with call_soon (A) and
 * call_later(0) (B), run once per iteration and let the others run.
 * timers.py rearm: A1 B1 A2 B2 C A3 B3 A4 B4 T@10 */
static int na, nb;

static void rearm_a(void *arg)
{
    coro_loop *loop = (coro_loop *)arg;
    test_logf("A%d@%lu", ++na, now(loop));
    if (na == 2) coro_call_soon(loop, log_plain, "C", NULL);
    if (na < 4) assert_int_equal(coro_call_soon(loop, rearm_a, loop, NULL), 0);
}

static void rearm_b(void *arg)
{
    coro_loop *loop = (coro_loop *)arg;
    test_logf("B%d", ++nb);
    if (nb < 4) assert_int_equal(coro_call_later(loop, 0, rearm_b, loop, NULL), 0);
}

static void rearming_runs_once_per_iteration(void **state)
{
    coro_loop *loop = new_loop();
    (void)state;
    na = nb = 0;
    coro_call_soon(loop, rearm_a, loop, NULL);
    coro_call_later(loop, 0, rearm_b, loop, NULL);
    coro_call_later(loop, 10, log_at, "T", NULL);
    coro_call_later(loop, 20, stop_cb, loop, NULL);
    assert_int_equal(coro_run_forever(loop), 0);
    /* the virtual clock does not move while callbacks are ready */
    assert_string_equal(test_log_str(), "A1@0 B1 A2@0 B2 C A3@0 B3 A4@0 B4 T@10 ");
    coro_loop_free(loop);
}

/* On the real clock, endless 0-delay re-arming (both kinds) does not
 * starve a timer that is 20 ms away. */
struct starve {
    coro_loop *loop;
    coro_future *done;
    long a, b;
};

static void forever_a(void *arg)
{
    struct starve *s = (struct starve *)arg;
    s->a++;
    if (!coro_done(s->done)) coro_call_soon(s->loop, forever_a, s, NULL);
}

static void forever_b(void *arg)
{
    struct starve *s = (struct starve *)arg;
    s->b++;
    if (!coro_done(s->done)) coro_call_later(s->loop, 0, forever_b, s, NULL);
}

static void timer_fires(void *arg)
{
    struct starve *s = (struct starve *)arg;
    coro_set_result(s->done, NULL);
}

static void rearming_does_not_starve_a_real_timer(void **state)
{
    struct starve s;
    coro_time start;
    (void)state;
    alarm(20);                                  /* never hang */
    s.loop = coro_loop_new();
    assert_non_null(s.loop);
    coro_set_exception_handler(s.loop, test_handler, NULL);
    s.done = coro_future_new(s.loop);
    s.a = s.b = 0;
    start = coro_loop_time(s.loop);
    coro_call_soon(s.loop, forever_a, &s, NULL);
    coro_call_later(s.loop, 0, forever_b, &s, NULL);
    coro_call_later(s.loop, 20, timer_fires, &s, NULL);
    assert_int_equal(coro_run_until_complete(s.loop, s.done), 0);
    alarm(0);
    assert_true((coro_time)(coro_loop_time(s.loop) - start) >= 20);
    assert_true(s.a > 1);
    assert_true(s.a - s.b >= -1 && s.a - s.b <= 1);     /* in lockstep: once per iteration */
    coro_unref(s.done);
    coro_loop_free(s.loop);
}

/* CORO_YIELD lets the callbacks queued before it run first.
 * timers.py yield_lets_queued_run: t1 c1 c2 t2 */
struct yielder {
    coro_frame co;
};

static int yielder(coro_frame *co)
{
    CORO_BEGIN(co);
    test_log("t1");
    coro_call_soon(coro_loop_of(co), log_plain, "c2", NULL);
    CORO_YIELD(co);
    test_log("t2");
    CORO_END(co);
}

static void yield_lets_earlier_callbacks_run_first(void **state)
{
    coro_loop *loop = new_loop();
    struct yielder init;
    coro_future *t;
    (void)state;
    memset(&init, 0, sizeof init);
    t = coro_create_task(loop, yielder, &init, sizeof init);
    coro_call_soon(loop, log_plain, "c1", NULL);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "t1 c1 c2 t2 ");
    assert_int_equal(coro_loop_time(loop), T(0));
    coro_unref(t);
    coro_loop_free(loop);
}

/* A sleeping task resumes in the iteration after its timer fired: X, whose
 * timer has the same deadline but was started later, runs first, and Y,
 * which X queues, runs right after the task.
 * timers.py sleep_resumes_after_timer: T-sleep@0 X@10 T@10 Y@10 */
static int sleeping(coro_frame *co)
{
    struct sleeper *f = (struct sleeper *)co;
    CORO_BEGIN(co);
    test_logf("T-sleep@%lu", now(coro_loop_of(co)));
    CORO_SLEEP(co, f->ms);
    test_logf("T@%lu", now(coro_loop_of(co)));
    CORO_END(co);
}

static void x_cb(void *arg)
{
    log_at("X");
    coro_call_soon((coro_loop *)arg, log_at, "Y", NULL);
}

static void arm_x(void *arg) { coro_call_later((coro_loop *)arg, 10, x_cb, arg, NULL); }

static void sleeping_task_resumes_after_its_timer(void **state)
{
    coro_loop *loop = new_loop();
    struct sleeper init;
    coro_future *t, *z;
    (void)state;
    memset(&init, 0, sizeof init);
    init.ms = 10;
    t = coro_create_task(loop, sleeping, &init, sizeof init);
    coro_call_soon(loop, arm_x, loop, NULL);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    z = coro_sleep(loop, 0);
    assert_int_equal(coro_run_until_complete(loop, z), 0);
    assert_string_equal(test_log_str(), "T-sleep@0 X@10 T@10 Y@10 ");
    coro_unref(z);
    coro_unref(t);
    coro_loop_free(loop);
}

/* The virtual clock jumps straight to the next timer: five hours pass at
 * once, and each callback sees exactly its deadline. */
static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void virtual_clock_jumps_to_next_timer(void **state)
{
    coro_loop *loop = new_loop();
    double t0 = wall_ms();
    (void)state;
    coro_call_later(loop, 18000000, log_at, "five-hours", NULL);
    coro_call_later(loop, 1000, log_at, "one-second", NULL);
    coro_call_later(loop, 1001, log_at, "plus-1ms", NULL);
    coro_call_later(loop, 18000000, stop_cb, loop, NULL);
    assert_int_equal(coro_run_forever(loop), 0);
    assert_string_equal(test_log_str(), "one-second@1000 plus-1ms@1001 five-hours@18000000 ");
    assert_int_equal(coro_loop_time(loop), T(18000000));
    assert_true(wall_ms() - t0 < 1000.0);
    coro_loop_free(loop);
}

/* The same program started at 0 and 10 s before the 32-bit wrap: same
 * order, same relative times.  timers.py wrap_scenario:
 * a0@3000 b0@4999 a1@6000 a2@9000 b1@9998 before@9999 wrap@10000
 * wrap-at@10000 after@10001 a3@12000 b2@14997 a4@15000 */
struct multi {
    coro_frame co;
    const char *name;
    coro_time ms;
    int n, i;
};

static int multi_sleeper(coro_frame *co)
{
    struct multi *f = (struct multi *)co;
    CORO_BEGIN(co);
    for (f->i = 0; f->i < f->n; f->i++) {
        CORO_SLEEP(co, f->ms);
        test_logf("%s%d@%lu", f->name, f->i, now(coro_loop_of(co)));
    }
    CORO_END(co);
}

static void wrap_program(coro_time start)
{
    coro_loop *loop = coro_loop_new_virtual(start);
    struct multi init;
    coro_future *k[2], *g;
    assert_non_null(loop);
    coro_set_exception_handler(loop, test_handler, NULL);
    cur = loop;
    origin = start;
    memset(&init, 0, sizeof init);
    init.name = "a";
    init.ms = 3000;
    init.n = 5;
    k[0] = coro_create_task(loop, multi_sleeper, &init, sizeof init);
    init.name = "b";
    init.ms = 4999;
    init.n = 3;
    k[1] = coro_create_task(loop, multi_sleeper, &init, sizeof init);
    coro_call_later(loop, 10000, log_at, "wrap", NULL);
    coro_call_at(loop, start + 10000, log_at, "wrap-at", NULL);
    coro_call_later(loop, 9999, log_at, "before", NULL);
    coro_call_later(loop, 10001, log_at, "after", NULL);
    g = coro_gather(loop, 2, k, 0);
    assert_int_equal(coro_run_until_complete(loop, g), 0);
    assert_int_equal(coro_loop_time(loop), (coro_time)(start + 15000));
    test_log("|");
    coro_unref(g);
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_loop_free(loop);
}

static void same_order_ten_seconds_before_the_wrap(void **state)
{
#define WRAP_EXPECT "a0@3000 b0@4999 a1@6000 a2@9000 b1@9998 before@9999 wrap@10000 " \
                    "wrap-at@10000 after@10001 a3@12000 b2@14997 a4@15000 | "
    (void)state;
    wrap_program(0);
    wrap_program(0xFFFFD8F0u);
    assert_string_equal(test_log_str(), WRAP_EXPECT WRAP_EXPECT);
#undef WRAP_EXPECT
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(soon_later_at_order_and_times),
        CORO_TEST(equal_deadlines_fire_in_start_order),
        CORO_TEST(due_timers_follow_queued_callbacks),
        CORO_TEST(handle_cancel),
        CORO_TEST(cancelled_timers_do_not_keep_the_loop_alive),
        CORO_TEST(stale_handle_does_not_cancel_a_new_callback),
        CORO_TEST(cancel_a_queued_timer),
        CORO_TEST(delays_above_max_are_rejected),
        CORO_TEST(heap_order_under_load),
        CORO_TEST(rearming_runs_once_per_iteration),
        CORO_TEST(rearming_does_not_starve_a_real_timer),
        CORO_TEST(yield_lets_earlier_callbacks_run_first),
        CORO_TEST(sleeping_task_resumes_after_its_timer),
        CORO_TEST(virtual_clock_jumps_to_next_timer),
        CORO_TEST(same_order_ten_seconds_before_the_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
