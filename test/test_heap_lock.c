/* test_heap_lock.c - the steady state allocates nothing.
 *
 * After set-up (tasks, futures and a pipe made, one warm-up period run so
 * that the heap, the callback pool and the fd tables have grown), the heap
 * is locked: any allocation fails the test.  Under the lock, tasks keep
 * sleeping, yielding, awaiting futures and tasks, waiting on fds, completing
 * futures, cancelling each other (a sleep, an awaited future), and timers
 * fire (call_later callbacks re-arming themselves, done-callbacks).
 */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <unistd.h>
#include "support.h"
#include "invariants.h"

#define NF 400          /* futures used up by the steady state */

static coro_future *fs[NF], *gs[NF], *kids[NF];
static int p[2];
static long n_sleep, n_yield, n_await, n_set, n_read, n_write, n_cancel, n_caught, n_timer,
    n_done, n_kid;
static coro_loop *L;
static coro_handle h;

struct w {
    coro_frame co;
    int i;
    coro_future *victim, *victim2;
};

static int sleeper(coro_frame *co)
{
    CORO_BEGIN(co);
    for (;;) {
        CORO_SLEEP(co, 3);
        n_sleep++;
        CORO_YIELD(co);
        n_yield++;
    }
    CORO_END(co);
}

static void on_done(coro_future *f, void *arg)
{
    (void)f;
    (void)arg;
    n_done++;
}

/* Completes fs[i] (result or error), cancels gs[i]'s awaiter's future. */
static int setter(coro_frame *co)
{
    struct w *f = (struct w *)co;
    CORO_BEGIN(co);
    for (f->i = 0; f->i < NF; f->i++) {
        CORO_SLEEP(co, 2);
        assert_int_equal(coro_add_done_callback(fs[f->i], on_done, NULL), 0);
        if (f->i % 3 == 0) coro_set_error(fs[f->i], 7, "seven");
        else coro_set_result(fs[f->i], (void *)(intptr_t)f->i);
        n_set++;
    }
    CORO_END(co);
}

static int awaiter(coro_frame *co)
{
    struct w *f = (struct w *)co;
    CORO_BEGIN(co);
    for (f->i = 0; f->i < NF; f->i++) {
        CORO_AWAIT_TRY(co, fs[f->i]);
        if (coro_last_error(co) == CORO_ECANCELED) break;      /* tear-down */
        assert_int_equal(coro_last_error(co), f->i % 3 == 0 ? 7 : 0);
        n_await++;
        CORO_AWAIT(co, kids[f->i]);             /* a task that completes */
        n_kid++;
    }
    CORO_END(co);
}

static int kid(coro_frame *co)
{
    CORO_BEGIN(co);
    CORO_SLEEP(co, 1);
    CORO_RETURN(co, 1);
    CORO_END(co);
}

static int reader(coro_frame *co)
{
    char c;
    CORO_BEGIN(co);
    for (;;) {
        CORO_READABLE(co, p[0]);
        if (read(p[0], &c, 1) == 1) n_read++;
    }
    CORO_END(co);
}

static int writer(coro_frame *co)
{
    char c = 'x';
    CORO_BEGIN(co);
    for (;;) {
        CORO_SLEEP(co, 4);
        CORO_WRITABLE(co, p[1]);
        if (write(p[1], &c, 1) == 1) n_write++;
    }
    CORO_END(co);
}

/* Sleeps that get cancelled, and swallows the cancel. */
static int victim(coro_frame *co)
{
    CORO_BEGIN(co);
    for (;;) {
        CORO_SLEEP_TRY(co, 1000);
        if (coro_last_error(co) == CORO_ECANCELED) {
            n_caught++;
            coro_uncancel(coro_current_task(coro_loop_of(co)));
        }
    }
    CORO_END(co);
}

/* Awaits gs[i], which its cancellation cancels. */
static int victim2(coro_frame *co)
{
    struct w *f = (struct w *)co;
    CORO_BEGIN(co);
    for (f->i = 0; f->i < NF; f->i++) {
        CORO_AWAIT_TRY(co, gs[f->i]);
        if (coro_last_error(co) == CORO_ECANCELED && coro_cancelled(gs[f->i])) n_caught++;
        coro_uncancel(coro_current_task(coro_loop_of(co)));
    }
    CORO_END(co);
}

static int canceller(coro_frame *co)
{
    struct w *f = (struct w *)co;
    CORO_BEGIN(co);
    for (;;) {
        CORO_SLEEP(co, 5);
        if (coro_cancel(f->victim, NULL) == 1) n_cancel++;
        if (coro_cancel(f->victim2, NULL) == 1) n_cancel++;
    }
    CORO_END(co);
}

static void tick(void *arg)
{
    (void)arg;
    n_timer++;
    assert_int_equal(coro_call_later(L, 3, tick, NULL, &h), 0);
}

static void steady_state_allocates_nothing(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t[8], *warm, *end;
    struct w init;
    int i, nt = 0;
    size_t before;
    (void)state;
    L = loop;
    assert_int_equal(pipe(p), 0);
    for (i = 0; i < NF; i++) {
        fs[i] = coro_future_new(loop);
        gs[i] = coro_future_new(loop);
        assert_non_null(fs[i]);
        assert_non_null(gs[i]);
    }
    memset(&init, 0, sizeof init);
    for (i = 0; i < NF; i++) kids[i] = coro_create_task(loop, kid, &init, sizeof init);
    t[nt++] = coro_create_task(loop, sleeper, &init, sizeof init);
    t[nt++] = coro_create_task(loop, setter, &init, sizeof init);
    t[nt++] = coro_create_task(loop, awaiter, &init, sizeof init);
    t[nt++] = coro_create_task(loop, reader, &init, sizeof init);
    t[nt++] = coro_create_task(loop, writer, &init, sizeof init);
    t[nt++] = coro_create_task(loop, victim, &init, sizeof init);
    t[nt++] = coro_create_task(loop, victim2, &init, sizeof init);
    init.victim = t[5];
    init.victim2 = t[6];
    t[nt++] = coro_create_task(loop, canceller, &init, sizeof init);
    assert_int_equal(coro_call_later(loop, 3, tick, NULL, &h), 0);
    warm = coro_sleep(loop, 50);
    end = coro_sleep(loop, 750);
    /* warm-up: the pool, the heap and the fd tables reach their size */
    assert_int_equal(coro_run_until_complete(loop, warm), 0);
    n_sleep = n_yield = n_await = n_set = n_read = n_write = n_cancel = n_caught = n_timer = 0;
    n_done = n_kid = 0;
    before = test_alloc_count();
    test_alloc_lock(1);
    assert_int_equal(coro_run_until_complete(loop, end), 0);
    test_alloc_lock(0);
    assert_int_equal(test_alloc_count(), before);
    assert_int_equal(coro_loop_time(loop), T(750));
    assert_null(coro_check_loop(loop));
    /* every kind of work happened while locked */
    assert_true(n_sleep > 100 && n_yield > 100);
    assert_true(n_set > 200 && n_await > 200 && n_kid > 200 && n_done > 200);
    assert_true(n_read > 100 && n_write > 100);
    assert_true(n_cancel > 200 && n_caught > 200);
    assert_true(n_timer > 200);
    /* tear down */
    coro_handle_cancel(h);
    for (i = 0; i < nt; i++) coro_cancel(t[i], NULL);
    coro_cancel(t[5], NULL);
    coro_run_until_complete(loop, warm);
    for (i = 0; i < nt; i++) coro_unref(t[i]);
    for (i = 0; i < NF; i++) {
        coro_error(fs[i]);
        coro_unref(fs[i]);
        coro_unref(gs[i]);
        coro_unref(kids[i]);
    }
    coro_unref(warm);
    coro_unref(end);
    coro_loop_free(loop);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(steady_state_allocates_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
