/* test_fd_faults.c - bad fds on the poll() backend, on the real clock.
 *
 * - A watched fd that gets closed wakes its waiter once with CORO_EBADF (a
 *   reader callback is called once), is then unwatched, and nothing spins.
 * - An fd number reused after a close starts clean.
 * - POLLHUP without POLLIN counts as readable (as asyncio's PollSelector).
 * - EINTR during poll() makes no timer fire early or late.
 * - A second reader on one fd gets CORO_EBUSY.
 * These need real time, so bounds are generous and every test runs under an
 * alarm(): a regression fails instead of hanging.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "support.h"
#include "invariants.h"

static coro_loop *real_loop(void)
{
    coro_loop *loop = coro_loop_new();
    assert_non_null(loop);
    coro_set_exception_handler(loop, test_handler, NULL);
    alarm(20);                  /* never hang: SIGALRM's default action fails the run */
    return loop;
}

static void free_loop(coro_loop *loop)
{
    assert_null(coro_check_loop(loop));
    coro_loop_free(loop);
    alarm(0);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

struct rf {
    coro_frame co;
    int fd;
    int events;         /* 1 read, 2 write */
    int err;
    int wakes;
};

static int waiter_co(coro_frame *co)
{
    struct rf *f = (struct rf *)co;
    CORO_BEGIN(co);
    if (f->events == 1) {
        CORO_READABLE_TRY(co, f->fd);
    } else {
        CORO_WRITABLE_TRY(co, f->fd);
    }
    f->wakes++;
    f->err = coro_last_error(co);
    CORO_RETURN(co, (intptr_t)f->err);
    CORO_END(co);
}

static coro_future *wait_task(coro_loop *loop, int fd, int events)
{
    struct rf init;
    memset(&init, 0, sizeof init);
    init.fd = fd;
    init.events = events;
    return coro_create_task(loop, waiter_co, &init, sizeof init);
}

struct closer {
    coro_frame co;
    int fd;
};

/* Closes an fd after one iteration, i.e. after the waiter registered. */
static int closer_co(coro_frame *co)
{
    struct closer *f = (struct closer *)co;
    CORO_BEGIN(co);
    CORO_YIELD(co);
    close(f->fd);
    CORO_END(co);
}

static coro_future *close_later(coro_loop *loop, int fd)
{
    struct closer init;
    memset(&init, 0, sizeof init);
    init.fd = fd;
    return coro_create_task(loop, closer_co, &init, sizeof init);
}

static int calls, last_read_errno;
static int cb_fd;

static void read_cb(void *arg)
{
    char buf[8];
    (void)arg;
    calls++;
    last_read_errno = read(cb_fd, buf, sizeof buf) < 0 ? errno : 0;
}

/* ------------------------------------------------------ closed while watched */

static void closed_watched_fd_wakes_task_once(void **state)
{
    coro_loop *loop = real_loop();
    coro_future *t, *c, *never;
    int p[2];
    double cpu;
    (void)state;
    assert_int_equal(pipe(p), 0);
    t = wait_task(loop, p[0], 1);
    c = close_later(loop, p[0]);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal((intptr_t)coro_result(t), CORO_EBADF);    /* woken with the error */
    /* unwatched: nothing is left that could wake the loop */
    never = coro_future_new(loop);
    cpu = cpu_ms();
    assert_int_equal(coro_run_until_complete(loop, never), CORO_EDEADLK);
    assert_true(cpu_ms() - cpu < 50.0);
    coro_unref(never);
    coro_unref(t);
    coro_unref(c);
    close(p[1]);
    free_loop(loop);
}

static void closed_watched_fd_calls_reader_once(void **state)
{
    coro_loop *loop = real_loop();
    coro_future *c, *nap;
    int p[2];
    double cpu, t0;
    (void)state;
    assert_int_equal(pipe(p), 0);
    calls = 0;
    cb_fd = p[0];
    assert_int_equal(coro_add_reader(loop, p[0], read_cb, NULL), 0);
    c = close_later(loop, p[0]);
    /* 150 ms of real time with the fd closed: one call, and no busy loop */
    nap = coro_sleep(loop, 150);
    cpu = cpu_ms();
    t0 = now_ms();
    assert_int_equal(coro_run_until_complete(loop, nap), 0);
    assert_true(now_ms() - t0 >= 149.0);
    assert_true(cpu_ms() - cpu < 60.0);
    assert_int_equal(calls, 1);
    assert_int_equal(last_read_errno, EBADF);   /* its read() saw the error */
    assert_int_equal(coro_remove_reader(loop, p[0]), 0);       /* already dropped */
    coro_unref(nap);
    nap = coro_future_new(loop);
    assert_int_equal(coro_run_until_complete(loop, nap), CORO_EDEADLK);
    coro_unref(nap);
    coro_unref(c);
    close(p[1]);
    free_loop(loop);
}

static void closed_fd_is_rejected(void **state)
{
    coro_loop *loop = real_loop();
    coro_future *t;
    int p[2];
    (void)state;
    assert_int_equal(pipe(p), 0);
    close(p[0]);
    assert_int_equal(coro_add_reader(loop, p[0], read_cb, NULL), CORO_EBADF);
    assert_int_equal(coro_add_writer(loop, p[0], read_cb, NULL), CORO_EBADF);
    assert_int_equal(coro_add_reader(loop, -1, read_cb, NULL), CORO_EBADF);
    t = wait_task(loop, p[0], 1);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal((intptr_t)coro_result(t), CORO_EBADF);
    coro_unref(t);
    t = wait_task(loop, -1, 2);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal((intptr_t)coro_result(t), CORO_EBADF);
    coro_unref(t);
    close(p[1]);
    free_loop(loop);
}

/* ------------------------------------------------------------ fd reuse */

static int calls2;
static void read_cb2(void *arg)
{
    char buf[8];
    calls2++;
    if (read(*(int *)arg, buf, sizeof buf) <= 0) calls2 += 100;
}

static void fd_number_reused_after_close(void **state)
{
    coro_loop *loop = real_loop();
    coro_future *c, *t, *nap;
    int a[2], b[2], old;
    char x = 'x';
    (void)state;
    assert_int_equal(pipe(a), 0);
    old = a[0];
    calls = calls2 = 0;
    cb_fd = a[0];
    assert_int_equal(coro_add_reader(loop, a[0], read_cb, NULL), 0);
    c = close_later(loop, a[0]);
    nap = coro_sleep(loop, 20);
    assert_int_equal(coro_run_until_complete(loop, nap), 0);
    coro_unref(nap);
    assert_int_equal(calls, 1);
    /* the lowest free number comes back */
    assert_int_equal(pipe(b), 0);
    assert_int_equal(b[0], old);
    assert_int_equal(coro_add_reader(loop, b[0], read_cb2, &b[0]), 0);   /* not EBUSY */
    assert_int_equal(write(b[1], &x, 1), 1);
    nap = coro_sleep(loop, 20);
    assert_int_equal(coro_run_until_complete(loop, nap), 0);
    coro_unref(nap);
    assert_int_equal(calls, 1);         /* the old callback is gone */
    assert_int_equal(calls2, 1);        /* the new one got the data */
    assert_int_equal(coro_remove_reader(loop, b[0]), 1);
    /* and a task can wait on the number again, after remove + close + reuse */
    close(b[0]);
    close(b[1]);
    assert_int_equal(pipe(b), 0);
    assert_int_equal(b[0], old);
    t = wait_task(loop, b[0], 1);
    assert_int_equal(write(b[1], &x, 1), 1);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal((intptr_t)coro_result(t), 0);
    coro_unref(t);
    coro_unref(c);
    close(a[1]);
    close(b[0]);
    close(b[1]);
    free_loop(loop);
}

/* ---------------------------------------------------------------- POLLHUP */

static void pollhup_without_pollin_is_readable(void **state)
{
    coro_loop *loop = real_loop();
    coro_future *t;
    int p[2];
    char buf[4] = {0, 0, 0, 0};
    struct sigaction sa, old;
    (void)state;
    assert_int_equal(pipe(p), 0);
    close(p[1]);                        /* no data, no writer: POLLHUP only */
    t = wait_task(loop, p[0], 1);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal((intptr_t)coro_result(t), 0);
    assert_int_equal(read(p[0], buf, sizeof buf), 0);       /* EOF */
    coro_unref(t);
    /* a persistent reader is called (and sees EOF) until it removes itself */
    calls2 = 0;
    assert_int_equal(coro_add_reader(loop, p[0], read_cb2, &p[0]), 0);
    t = coro_sleep(loop, 10);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    coro_unref(t);
    assert_true(calls2 >= 101);
    assert_int_equal(coro_remove_reader(loop, p[0]), 1);
    close(p[0]);
    /* the write end of a pipe whose reader is gone (POLLERR) is writable */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, &old);
    assert_int_equal(pipe(p), 0);
    close(p[0]);
    t = wait_task(loop, p[1], 2);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal((intptr_t)coro_result(t), 0);
    assert_int_equal(write(p[1], buf, 1), -1);
    assert_int_equal(errno, EPIPE);
    sigaction(SIGPIPE, &old, NULL);
    coro_unref(t);
    close(p[1]);
    free_loop(loop);
}

/* ------------------------------------------------------------------ EINTR */

static volatile sig_atomic_t interrupts;
static void on_usr1(int sig)
{
    (void)sig;
    interrupts = interrupts + 1;
}

static double fired[3];
static double start;
static void mark(void *arg) { fired[(intptr_t)arg] = now_ms() - start; }

static void eintr_makes_no_timer_early_or_late(void **state)
{
    coro_loop *loop = real_loop();
    coro_future *nap;
    struct sigaction sa, old;
    struct sigevent ev;
    struct itimerspec its;
    timer_t tid;
    int p[2];
    double took;
    (void)state;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;                    /* no SA_RESTART: poll() sees EINTR */
    assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR1;
    assert_int_equal(timer_create(CLOCK_MONOTONIC, &ev, &tid), 0);
    memset(&its, 0, sizeof its);
    its.it_value.tv_nsec = 3000000;     /* every 7 ms from 3 ms on */
    its.it_interval.tv_nsec = 7000000;
    /* an fd is watched too, so the poll has a set to wait on */
    assert_int_equal(pipe(p), 0);
    calls2 = 0;
    assert_int_equal(coro_add_reader(loop, p[0], read_cb2, &p[0]), 0);
    fired[0] = fired[1] = fired[2] = -1;
    interrupts = 0;
    start = now_ms();
    assert_int_equal(coro_call_later(loop, 120, mark, (void *)1, NULL), 0);
    assert_int_equal(coro_call_later(loop, 60, mark, (void *)0, NULL), 0);
    assert_int_equal(coro_call_later(loop, 200, mark, (void *)2, NULL), 0);
    nap = coro_sleep(loop, 200);
    assert_int_equal(timer_settime(tid, 0, &its, NULL), 0);
    assert_int_equal(coro_run_until_complete(loop, nap), 0);
    took = now_ms() - start;
    memset(&its, 0, sizeof its);
    timer_settime(tid, 0, &its, NULL);
    timer_delete(tid);
    sigaction(SIGUSR1, &old, NULL);
    if (interrupts < 5) fail_msg("only %d interrupts", (int)interrupts);   /* the polls really were interrupted */
    /* no timer early (a ms of clock granularity allowed), none late (generous) */
    assert_true(fired[0] >= 59.0 && fired[0] < 60.0 + 80.0);
    assert_true(fired[1] >= 119.0 && fired[1] < 120.0 + 80.0);
    assert_true(fired[2] >= 199.0 && fired[2] < 200.0 + 80.0);
    assert_true(fired[0] < fired[1] && fired[1] < fired[2]);
    assert_true(took >= 199.0 && took < 200.0 + 100.0);
    assert_int_equal(calls2, 0);        /* and no spurious readiness */
    assert_int_equal(coro_remove_reader(loop, p[0]), 1);
    coro_unref(nap);
    close(p[0]);
    close(p[1]);
    free_loop(loop);
}

/* ------------------------------------------------------------ two readers */

static void second_reader_gets_ebusy(void **state)
{
    coro_loop *loop = real_loop();
    coro_future *t1, *t2, *t3;
    int p[2];
    char x = 'x';
    (void)state;
    assert_int_equal(pipe(p), 0);
    assert_int_equal(coro_add_reader(loop, p[0], read_cb, NULL), 0);
    assert_int_equal(coro_add_reader(loop, p[0], read_cb, NULL), CORO_EBUSY);
    assert_int_equal(coro_add_writer(loop, p[0], read_cb, NULL), 0);      /* other direction */
    assert_int_equal(coro_add_writer(loop, p[0], read_cb, NULL), CORO_EBUSY);
    /* a task cannot wait on an fd that has a reader callback */
    t1 = wait_task(loop, p[0], 1);
    assert_int_equal(coro_run_until_complete(loop, t1), 0);
    assert_int_equal((intptr_t)coro_result(t1), CORO_EBUSY);
    coro_unref(t1);
    assert_int_equal(coro_remove_reader(loop, p[0]), 1);
    assert_int_equal(coro_remove_writer(loop, p[0]), 1);
    /* two tasks on one fd: the second gets CORO_EBUSY, the first the data */
    t1 = wait_task(loop, p[0], 1);
    t2 = wait_task(loop, p[0], 1);
    assert_int_equal(coro_run_until_complete(loop, t2), 0);
    assert_int_equal((intptr_t)coro_result(t2), CORO_EBUSY);
    assert_false(coro_done(t1));
    /* and a callback cannot join a task either */
    assert_int_equal(coro_add_reader(loop, p[0], read_cb, NULL), CORO_EBUSY);
    assert_int_equal(write(p[1], &x, 1), 1);
    assert_int_equal(coro_run_until_complete(loop, t1), 0);
    assert_int_equal((intptr_t)coro_result(t1), 0);
    /* after the first is done the fd is free again */
    t3 = wait_task(loop, p[0], 1);
    assert_int_equal(coro_run_until_complete(loop, t3), 0);
    assert_int_equal((intptr_t)coro_result(t3), 0);         /* the byte is still there */
    coro_unref(t1);
    coro_unref(t2);
    coro_unref(t3);
    close(p[0]);
    close(p[1]);
    free_loop(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(closed_watched_fd_wakes_task_once),
        CORO_TEST(closed_watched_fd_calls_reader_once),
        CORO_TEST(closed_fd_is_rejected),
        CORO_TEST(fd_number_reused_after_close),
        CORO_TEST(pollhup_without_pollin_is_readable),
        CORO_TEST(eintr_makes_no_timer_early_or_late),
        CORO_TEST(second_reader_gets_ebusy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
