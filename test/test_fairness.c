/* test_fairness.c - fd fairness while the loop is busy (CORO_POLL_EVERY).
 *
 * While work is ready the loop skips the poll until CORO_POLL_EVERY ready
 * items have run since the last one (docs/design.md).  These tests measure,
 * in loop iterations, how long a ready fd waits: never more than
 * CORO_POLL_EVERY iterations, one iteration when every iteration runs that
 * many items, and none when the ready queue runs dry.  They count
 * iterations, not time, so they run on the virtual clock. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "support.h"

static coro_loop *loop;
static int p[2];
static long iter;           /* iterations seen by the spinner */
static long written_at;     /* iteration in which the byte was written, or -1 */
static long served_at;      /* iteration in which the fd was served, or -1 */
static long max_wait, nserved, nwrites;
static uint64_t rng = 12345;

static uint64_t next_rand(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return rng >> 33;
}

static void make_pipe(void)
{
    assert_int_equal(pipe(p), 0);
    assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
}

static void drain(void)
{
    char buf[16];
    while (read(p[0], buf, sizeof buf) > 0) {
    }
}

/* The reader: notes how many iterations the byte waited. */
static void on_readable(void *arg)
{
    (void)arg;
    drain();
    assert_true(written_at >= 0);
    served_at = iter;
    if (served_at - written_at > max_wait) max_wait = served_at - written_at;
    nserved++;
    written_at = -1;
}

/* One ready item per iteration, forever: it keeps the loop busy.  Every so
 * often (at a pseudo-random phase) it writes one byte to the pipe. */
static void spin(void *arg)
{
    (void)arg;
    iter++;
    if (written_at < 0 && nwrites < 200 && next_rand() % 7 == 0) {
        assert_int_equal(write(p[1], "x", 1), 1);
        written_at = iter;
        nwrites++;
    }
    if (nserved == 200 || iter > 1000000) {     /* the cap: a starved fd fails, not hangs */
        coro_stop(loop);
        return;
    }
    assert_int_equal(coro_call_soon(loop, spin, NULL, NULL), 0);
}

static void reset(void)
{
    iter = 0;
    written_at = served_at = -1;
    max_wait = nserved = nwrites = 0;
}

static void busy_loop_serves_fd_within_bound(void **state)
{
    (void)state;
    loop = test_loop();
    make_pipe();
    reset();
    assert_int_equal(coro_add_reader(loop, p[0], on_readable, NULL), 0);
    assert_int_equal(coro_call_soon(loop, spin, NULL, NULL), 0);
    assert_int_equal(coro_run_forever(loop), 0);
    assert_int_equal(nserved, 200);
    /* The bound: served within CORO_POLL_EVERY iterations of the write,
     * never in the iteration that wrote it (the poll comes first). */
    assert_true(max_wait >= 1);
    assert_true(max_wait <= CORO_POLL_EVERY);
#if CORO_POLL_EVERY > 1
    /* ... and the busy loop does skip polls: over 200 writes at random
     * phases some byte waited more than one iteration. */
    assert_true(max_wait > 1);
#endif
    assert_int_equal(coro_remove_reader(loop, p[0]), 1);
    coro_loop_free(loop);
    close(p[0]);
    close(p[1]);
}

/* CORO_POLL_EVERY spinners: each iteration runs that many items, so the loop
 * polls on every iteration and a byte waits exactly one. */
static void many_spin(void *arg)
{
    long id = (long)(intptr_t)arg;
    if (id == 0) {
        iter++;
        if (written_at < 0 && nwrites < 50) {
            assert_int_equal(write(p[1], "x", 1), 1);
            written_at = iter;
            nwrites++;
        }
        if (nserved == 50 || iter > 1000000) coro_stop(loop);
    }
    assert_int_equal(coro_call_soon(loop, many_spin, arg, NULL), 0);
}

static void full_iterations_poll_every_time(void **state)
{
    long i;
    (void)state;
    loop = test_loop();
    make_pipe();
    reset();
    assert_int_equal(coro_add_reader(loop, p[0], on_readable, NULL), 0);
    for (i = 0; i < CORO_POLL_EVERY; i++)
        assert_int_equal(coro_call_soon(loop, many_spin, (void *)(intptr_t)i, NULL), 0);
    assert_int_equal(coro_run_forever(loop), 0);
    assert_int_equal(nserved, 50);
    assert_int_equal(max_wait, 1);
    assert_int_equal(coro_remove_reader(loop, p[0]), 1);
    coro_loop_free(loop);
    close(p[0]);
    close(p[1]);
}

/* Nothing else ready: the fd is served in the first iteration. */
static void idle_loop_serves_fd_at_once(void **state)
{
    coro_future *f;
    (void)state;
    loop = test_loop();
    make_pipe();
    reset();
    assert_int_equal(coro_add_reader(loop, p[0], on_readable, NULL), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    written_at = 0;
    f = coro_sleep(loop, 0);            /* completes in the first iteration */
    assert_int_equal(coro_run_until_complete(loop, f), 0);
    assert_int_equal(nserved, 1);
    assert_int_equal(served_at, 0);
    coro_unref(f);
    assert_int_equal(coro_remove_reader(loop, p[0]), 1);
    coro_loop_free(loop);
    close(p[0]);
    close(p[1]);
}

/* The same bound for a task in CORO_READABLE while another task yields in a
 * loop: the reader resumes within CORO_POLL_EVERY of the yielder's turns. */
static long yields;

struct yielder { coro_frame co; };

static int yielder(coro_frame *co)
{
    CORO_BEGIN(co);
    for (;;) {
        yields++;
        if (yields == 10) {
            assert_int_equal(write(p[1], "x", 1), 1);
            written_at = yields;
        }
        if (served_at >= 0 || yields > 1000000) break;
        CORO_YIELD(co);
    }
    CORO_END(co);
}

static int reader(coro_frame *co)
{
    CORO_BEGIN(co);
    CORO_READABLE(co, p[0]);
    drain();
    served_at = yields;
    CORO_END(co);
}

static void readable_task_beside_a_yielding_task(void **state)
{
    struct yielder init;
    coro_future *y, *r;
    (void)state;
    loop = test_loop();
    make_pipe();
    reset();
    yields = 0;
    memset(&init, 0, sizeof init);
    r = coro_create_task(loop, reader, &init, sizeof init);
    y = coro_create_task(loop, yielder, &init, sizeof init);
    assert_int_equal(coro_run_until_complete(loop, y), 0);
    assert_true(coro_done(r));
    assert_true(served_at > written_at);
    assert_true(served_at - written_at <= CORO_POLL_EVERY);
    coro_unref(y);
    coro_unref(r);
    coro_loop_free(loop);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(busy_loop_serves_fd_within_bound),
        CORO_TEST(full_iterations_poll_every_time),
        CORO_TEST(idle_loop_serves_fd_at_once),
        CORO_TEST(readable_task_beside_a_yielding_task),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
