/* test_wrap.c - the 32-bit millisecond wrap and CORO_MAX_DELAY.
 *
 * coro_time wraps every 49.7 days.  Deadlines compare by signed difference,
 * so any two live deadlines order correctly across the wrap as long as
 * delays stay within CORO_MAX_DELAY; anything beyond it is rejected.  These
 * tests start virtual loops just before the wrap themselves; `make
 * test-wrap` also runs the whole suite with T0 = CORO_TEST_START =
 * 0xFFFFD8F0 (10 s before the wrap) and the POSIX clock shifted there.
 */
#include <string.h>
#include "support.h"

#define NEAR_WRAP ((coro_time)0xFFFFFFF0u)      /* 16 ms before the wrap */

static coro_loop *loop_at(coro_time start)
{
    coro_loop *loop = coro_loop_new_virtual(start);
    assert_non_null(loop);
    coro_set_exception_handler(loop, test_handler, NULL);
    return loop;
}

static coro_loop *L;
static void stamp(void *arg)
{
    test_logf("%s@%lu", (const char *)arg, (unsigned long)coro_loop_time(L));
}

static void timers_order_across_the_wrap(void **state)
{
    coro_loop *loop = L = loop_at(NEAR_WRAP);
    coro_future *s;
    (void)state;
    assert_int_equal(coro_call_later(loop, 30, stamp, "c", NULL), 0);   /* 14 after the wrap */
    assert_int_equal(coro_call_later(loop, 10, stamp, "a", NULL), 0);   /* 6 before */
    assert_int_equal(coro_call_later(loop, 16, stamp, "w", NULL), 0);   /* at 0 */
    assert_int_equal(coro_call_later(loop, 20, stamp, "b", NULL), 0);   /* 4 after */
    assert_int_equal(coro_call_later(loop, 16, stamp, "w2", NULL), 0);  /* tie: start order */
    s = coro_sleep(loop, 40);
    assert_int_equal(coro_run_until_complete(loop, s), 0);
    assert_string_equal(test_log_str(), "a@4294967290 w@0 w2@0 b@4 c@14 ");
    assert_int_equal(coro_loop_time(loop), 24);
    coro_unref(s);
    coro_loop_free(loop);
}

static void call_at_across_the_wrap(void **state)
{
    coro_loop *loop = L = loop_at(NEAR_WRAP);
    coro_future *s;
    (void)state;
    assert_int_equal(coro_call_at(loop, 5, stamp, "after", NULL), 0);           /* after the wrap */
    assert_int_equal(coro_call_at(loop, NEAR_WRAP - 5, stamp, "past", NULL), 0);  /* due at once */
    assert_int_equal(coro_call_at(loop, NEAR_WRAP + 3, stamp, "before", NULL), 0);
    s = coro_sleep(loop, 30);
    assert_int_equal(coro_run_until_complete(loop, s), 0);
    assert_string_equal(test_log_str(), "past@4294967280 before@4294967283 after@5 ");
    coro_unref(s);
    coro_loop_free(loop);
}

struct sf {
    coro_frame co;
    int i;
    coro_time last;
};

static int hopper(coro_frame *co)
{
    struct sf *f = (struct sf *)co;
    CORO_BEGIN(co);
    f->last = coro_loop_time(coro_loop_of(co));
    for (f->i = 0; f->i < 25; f->i++) {
        CORO_SLEEP(co, 1000);
        /* every sleep takes exactly 1000 ms, across the wrap too */
        if ((coro_time)(coro_loop_time(coro_loop_of(co)) - f->last) != 1000) CORO_RAISE(co, 99, "bad");
        f->last = coro_loop_time(coro_loop_of(co));
    }
    CORO_RETURN(co, 1);
    CORO_END(co);
}

static void sleeps_across_the_wrap(void **state)
{
    coro_loop *loop = loop_at((coro_time)0xFFFFD8F0u);
    coro_future *t;
    struct sf init;
    (void)state;
    memset(&init, 0, sizeof init);
    t = coro_create_task(loop, hopper, &init, sizeof init);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal(coro_loop_time(loop), (coro_time)(0xFFFFD8F0u + 25000u));
    assert_true(coro_loop_time(loop) < 20000);          /* it did wrap */
    coro_unref(t);
    coro_loop_free(loop);
}

static void longest_and_shortest_timers_near_the_wrap(void **state)
{
    coro_loop *loop = L = loop_at((coro_time)0xFFFFFFFFu);
    coro_future *s;
    (void)state;
    assert_int_equal(coro_call_later(loop, CORO_MAX_DELAY, stamp, "max", NULL), 0);
    assert_int_equal(coro_call_later(loop, 1, stamp, "one", NULL), 0);
    assert_int_equal(coro_call_later(loop, CORO_MAX_DELAY / 2, stamp, "half", NULL), 0);
    s = coro_sleep(loop, CORO_MAX_DELAY);
    assert_int_equal(coro_run_until_complete(loop, s), 0);
    assert_string_equal(test_log_str(), "one@0 half@536870910 max@1073741822 ");
    coro_unref(s);
    coro_loop_free(loop);
}

struct df {
    coro_frame co;
    coro_time ms;
};

static int sleep_co(coro_frame *co)
{
    struct df *f = (struct df *)co;
    CORO_BEGIN(co);
    CORO_SLEEP(co, f->ms);
    CORO_RETURN(co, 1);
    CORO_END(co);
}

static void check_limits(coro_time start)
{
    coro_loop *loop = L = loop_at(start);
    coro_future *f, *x, *t;
    coro_future *kids[1];
    struct df init;
    coro_time now = coro_loop_time(loop);
    f = coro_future_new(loop);
    kids[0] = f;
    /* the limit itself is accepted */
    x = coro_sleep(loop, CORO_MAX_DELAY);
    assert_non_null(x);
    coro_unref(x);
    x = coro_wait(loop, 1, kids, CORO_ALL_COMPLETED, CORO_MAX_DELAY);
    assert_non_null(x);
    coro_unref(x);
    x = coro_wait_for(loop, f, CORO_MAX_DELAY);
    assert_non_null(x);
    coro_unref(x);
    assert_int_equal(coro_call_later(loop, CORO_MAX_DELAY, stamp, "x", NULL), 0);
    assert_int_equal(coro_call_at(loop, now + CORO_MAX_DELAY, stamp, "x", NULL), 0);
    assert_int_equal(coro_call_at(loop, now - CORO_MAX_DELAY, stamp, "x", NULL), 0);
    /* one more is CORO_EINVAL (or NULL) */
    assert_null(coro_sleep(loop, CORO_MAX_DELAY + 1));
    assert_null(coro_wait(loop, 1, kids, CORO_ALL_COMPLETED, CORO_MAX_DELAY + 1));
    assert_null(coro_wait_for(loop, f, CORO_MAX_DELAY + 1));
    assert_int_equal(coro_call_later(loop, CORO_MAX_DELAY + 1, stamp, "x", NULL), CORO_EINVAL);
    assert_int_equal(coro_call_later(loop, CORO_FOREVER - 1, stamp, "x", NULL), CORO_EINVAL);
    assert_int_equal(coro_call_at(loop, now + CORO_MAX_DELAY + 1, stamp, "x", NULL), CORO_EINVAL);
    assert_int_equal(coro_call_at(loop, now - CORO_MAX_DELAY - 1, stamp, "x", NULL), CORO_EINVAL);
    assert_int_equal(coro_call_at(loop, now + 0x80000000u, stamp, "x", NULL), CORO_EINVAL);
    /* CORO_SLEEP raises it */
    memset(&init, 0, sizeof init);
    init.ms = CORO_MAX_DELAY + 1;
    t = coro_create_task(loop, sleep_co, &init, sizeof init);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_EINVAL);
    coro_unref(t);
    coro_cancel(f, NULL);
    coro_unref(f);
    coro_loop_free(loop);
}

static void delay_beyond_max_is_einval(void **state)
{
    (void)state;
    check_limits(T0);
    check_limits(NEAR_WRAP);
    check_limits((coro_time)0x7FFFFFF0u);   /* the signed midpoint */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(timers_order_across_the_wrap),
        CORO_TEST(call_at_across_the_wrap),
        CORO_TEST(sleeps_across_the_wrap),
        CORO_TEST(longest_and_shortest_timers_near_the_wrap),
        CORO_TEST(delay_beyond_max_is_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
