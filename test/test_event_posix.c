/* test_event_posix.c - coro_event_set from a signal handler that interrupts
 * the loop at random moments (in poll(), between its check and poll(), in
 * the middle of a step), and a loop blocked in poll() with no timer that
 * only an event set from another thread can wake.  POSIX only. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "support.h"

static coro_event sig_event;
static volatile sig_atomic_t sig_count;
static pthread_t main_thread;
static unsigned sig_total;

static void on_usr1(int sig)
{
    (void)sig;
    sig_count = sig_count + 1;
    coro_event_set(&sig_event);
}

/* Signals the main thread `sig_total` times after random gaps of 0-300 us. */
static void *kicker(void *arg)
{
    unsigned i, r = 2024;
    (void)arg;
    for (i = 0; i < sig_total; i++) {
        struct timespec ts = {0, 0};
        r = r * 1103515245u + 12345u;
        ts.tv_nsec = (long)((r >> 8) % 301) * 1000;
        if ((r >> 4) % 4 != 0) nanosleep(&ts, NULL);
        pthread_kill(main_thread, SIGUSR1);
        /* Let the handler run before the next signal: a signal that is
         * still pending would merge with it and never be counted. */
        while ((unsigned)sig_count != i + 1) {
            struct timespec spin = {0, 10000};
            nanosleep(&spin, NULL);
        }
    }
    return NULL;
}

struct consumer {
    coro_frame co;
    unsigned seen, wakes, r;
};

static int consumer(coro_frame *co)
{
    struct consumer *c = (struct consumer *)co;
    CORO_BEGIN(co);
    while (c->seen < sig_total) {
        CORO_AWAIT_EVENT(co, &sig_event);
        c->seen = (unsigned)sig_count;
        c->wakes++;
        c->r = c->r * 1103515245u + 12345u;
        if ((c->r >> 8) % 3 == 1) {
            CORO_YIELD(co);
        } else if ((c->r >> 8) % 3 == 2) {
            CORO_SLEEP(co, 1);
        }
    }
    CORO_END(co);
}

static void signal_handler_sets_at_random_moments(void **state)
{
    coro_loop *loop = coro_loop_new();
    struct sigaction sa, old;
    struct consumer init;
    coro_future *t;
    pthread_t th;
    (void)state;
    assert_non_null(loop);
    coro_set_exception_handler(loop, test_handler, NULL);
    assert_int_equal(coro_event_init(&sig_event, loop), 0);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;                    /* no SA_RESTART: poll() sees EINTR */
    assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
    memset(&init, 0, sizeof init);
    init.r = 5;
    sig_total = 1000;
    sig_count = 0;
    t = coro_create_task(loop, consumer, &init, sizeof init);
    assert_non_null(t);
    main_thread = pthread_self();
    alarm(60);
    assert_int_equal(pthread_create(&th, NULL, kicker, NULL), 0);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    pthread_join(th, NULL);
    alarm(0);
    sigaction(SIGUSR1, &old, NULL);
    assert_int_equal((unsigned)sig_count, sig_total);
    coro_unref(t);
    coro_loop_free(loop);
}

static coro_event thread_event;

static void *late_setter(void *arg)
{
    struct timespec ts = {0, 50 * 1000000L};
    (void)arg;
    nanosleep(&ts, NULL);
    coro_event_set(&thread_event);
    return NULL;
}

struct one {
    coro_frame co;
};

static int await_once(coro_frame *co)
{
    CORO_BEGIN(co);
    CORO_AWAIT_EVENT(co, &thread_event);
    CORO_RETURN(co, 42);
    CORO_END(co);
}

static void thread_wakes_loop_blocked_without_timers(void **state)
{
    coro_loop *loop = coro_loop_new();
    struct one init;
    coro_future *t;
    pthread_t th;
    coro_time start;
    (void)state;
    assert_non_null(loop);
    coro_set_exception_handler(loop, test_handler, NULL);
    assert_int_equal(coro_event_init(&thread_event, loop), 0);
    memset(&init, 0, sizeof init);
    t = coro_create_task(loop, await_once, &init, sizeof init);
    assert_non_null(t);
    start = coro_loop_time(loop);
    alarm(20);
    assert_int_equal(pthread_create(&th, NULL, late_setter, NULL), 0);
    /* No timer and no fd: only the waiter keeps this from CORO_EDEADLK. */
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    pthread_join(th, NULL);
    alarm(0);
    assert_int_equal((int)(intptr_t)coro_result(t), 42);
    assert_true(coro_loop_time(loop) - start >= 40);   /* it really blocked */
    coro_unref(t);
    coro_loop_free(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(signal_handler_sets_at_random_moments),
        CORO_TEST(thread_wakes_loop_blocked_without_timers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
