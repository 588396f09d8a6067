/* test_io.c - fd readiness with the poll() backend: reader/writer callbacks,
 * CORO_READABLE / CORO_WRITABLE in tasks, cancellation of an fd wait, and a
 * watched fd that gets closed.
 *
 * Expected orders come from CPython 3.11 on a virtual clock with real
 * socketpairs: test/asyncio/fds.py prints them (python3 fds.py).  The
 * real-time parts use generous bounds and alarm(), so they never hang. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "support.h"

static unsigned long now(coro_loop *loop)
{
    return (unsigned long)(coro_time)(coro_loop_time(loop) - T0);
}

static int sv[2];

/* Every test gets a non-blocking socketpair and a 20 s alarm: a hang fails
 * the run instead of blocking it. */
static void pair(void)
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK), 0);
    assert_int_equal(fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK), 0);
    alarm(20);
}

static void unpair(void)
{
    alarm(0);
    if (sv[0] >= 0) close(sv[0]);
    if (sv[1] >= 0) close(sv[1]);
}

static void log_plain(void *arg) { test_log((const char *)arg); }

static void cancel_cb(void *arg) { coro_cancel((coro_future *)arg, NULL); }

/* ------------------------------------------------------------ callbacks */

/* Level-triggered and persistent until removed; the reader reads one byte
 * per call except the first.  fds.py reader_writer_persist:
 * r1 w1 r2 w2 r3 w3 remove_writer=True r4 remove_reader=True | again=False @0 */
struct rw {
    coro_loop *loop;
    coro_future *done;
    int r, w;
};

static void wcb(void *arg)
{
    struct rw *s = (struct rw *)arg;
    test_logf("w%d", ++s->w);
    if (s->w == 3) test_logf("remove_writer=%d", coro_remove_writer(s->loop, sv[0]));
}

static void rcb(void *arg)
{
    struct rw *s = (struct rw *)arg;
    char c;
    test_logf("r%d", ++s->r);
    if (s->r >= 2) assert_int_equal(read(sv[0], &c, 1), 1);
    if (s->r == 4) {
        test_logf("remove_reader=%d", coro_remove_reader(s->loop, sv[0]));
        coro_set_result(s->done, NULL);
    }
}

static void reader_and_writer_callbacks_persist_until_removed(void **state)
{
    coro_loop *loop = test_loop();
    struct rw s;
    (void)state;
    pair();
    s.loop = loop;
    s.done = coro_future_new(loop);
    s.r = s.w = 0;
    assert_int_equal(coro_add_writer(loop, sv[0], wcb, &s), 0);
    assert_int_equal(coro_add_reader(loop, sv[0], rcb, &s), 0);
    assert_int_equal(write(sv[1], "xyz", 3), 3);
    assert_int_equal(coro_run_until_complete(loop, s.done), 0);
    test_logf("| again=%d @%lu", coro_remove_reader(loop, sv[0]), now(loop));
    assert_string_equal(test_log_str(), "r1 w1 r2 w2 r3 w3 remove_writer=1 r4 remove_reader=1 "
                                        "| again=0 @0 ");
    assert_int_equal(coro_remove_writer(loop, sv[0]), 0);
    /* nothing is watched any more: a future nobody sets is a deadlock */
    {
        coro_future *never = coro_future_new(loop);
        assert_int_equal(coro_run_until_complete(loop, never), CORO_EDEADLK);
        coro_unref(never);
    }
    coro_unref(s.done);
    coro_loop_free(loop);
    unpair();
}

static void errors_busy_badf_and_bad_arguments(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f;
    int closed, high;
    (void)state;
    pair();
    assert_int_equal(coro_add_reader(loop, sv[0], log_plain, "first"), 0);
    assert_int_equal(coro_add_reader(loop, sv[0], log_plain, "second"), CORO_EBUSY);
    assert_int_equal(coro_add_writer(loop, sv[0], log_plain, "writer"), 0);   /* other direction */
    assert_int_equal(coro_add_writer(loop, sv[0], log_plain, "writer2"), CORO_EBUSY);
    assert_int_equal(coro_add_reader(loop, -1, log_plain, "x"), CORO_EBADF);
    assert_int_equal(coro_add_writer(loop, -5, log_plain, "x"), CORO_EBADF);
    closed = dup(sv[1]);
    close(closed);
    assert_int_equal(coro_add_reader(loop, closed, log_plain, "x"), CORO_EBADF);
    assert_int_equal(coro_add_reader(loop, sv[1], NULL, NULL), CORO_EINVAL);
    assert_int_equal(coro_add_reader(NULL, sv[1], log_plain, "x"), CORO_EINVAL);
    assert_int_equal(coro_remove_reader(loop, sv[1]), 0);      /* never registered */
    assert_int_equal(coro_remove_writer(loop, 100000), 0);
    assert_true(coro_remove_reader(loop, -1) < 0);
    assert_true(coro_remove_writer(NULL, sv[1]) < 0);
    /* an fd far above the first slot table */
    high = dup2(sv[1], 200);
    assert_int_equal(high, 200);
    assert_int_equal(coro_add_writer(loop, high, log_plain, "high"), 0);
    /* the first reader was kept: it is the one called */
    assert_int_equal(write(sv[1], "x", 1), 1);
    f = coro_sleep(loop, 0);
    assert_int_equal(coro_run_until_complete(loop, f), 0);
    /* (the order across fds is not specified: fd readiness is outside the
     * iteration-equivalence rule) */
    assert_non_null(strstr(test_log_str(), "first "));
    assert_non_null(strstr(test_log_str(), "writer "));
    assert_non_null(strstr(test_log_str(), "high "));
    assert_null(strstr(test_log_str(), "second"));
    assert_null(strstr(test_log_str(), "writer2"));
    assert_int_equal(coro_remove_reader(loop, sv[0]), 1);
    assert_int_equal(coro_remove_writer(loop, sv[0]), 1);
    assert_int_equal(coro_remove_writer(loop, high), 1);
    close(high);
    coro_unref(f);
    coro_loop_free(loop);
    unpair();
}

/* A callback removed while it is already queued for this iteration does
 * not run, and a new one added in its place runs next time.
 * fds.py removed_while_queued: reader remove_writer=True w2 */
struct rq {
    coro_loop *loop;
    coro_future *done;
};

static void w1(void *arg)
{
    (void)arg;
    test_log("w1");
}

static void w2(void *arg)
{
    struct rq *r = (struct rq *)arg;
    test_log("w2");
    assert_int_equal(coro_remove_writer(r->loop, sv[0]), 1);
    coro_set_result(r->done, NULL);
}

static void reader_removes_writer(void *arg)
{
    struct rq *r = (struct rq *)arg;
    char c;
    test_log("reader");
    assert_int_equal(read(sv[0], &c, 1), 1);
    assert_int_equal(coro_remove_reader(r->loop, sv[0]), 1);
    test_logf("remove_writer=%d", coro_remove_writer(r->loop, sv[0]));
    assert_int_equal(coro_add_writer(r->loop, sv[0], w2, r), 0);
}

static void removed_while_queued_does_not_run(void **state)
{
    coro_loop *loop = test_loop();
    struct rq r;
    (void)state;
    pair();
    r.loop = loop;
    r.done = coro_future_new(loop);
    assert_int_equal(coro_add_reader(loop, sv[0], reader_removes_writer, &r), 0);
    assert_int_equal(coro_add_writer(loop, sv[0], w1, &r), 0);
    assert_int_equal(write(sv[1], "x", 1), 1);
    assert_int_equal(coro_run_until_complete(loop, r.done), 0);
    assert_string_equal(test_log_str(), "reader remove_writer=1 w2 ");
    coro_unref(r.done);
    coro_loop_free(loop);
    unpair();
}

/* ------------------------------------------------------------- in tasks */

/* A task waiting CORO_READABLE holds the fd's reader slot. */
struct waiter {
    coro_frame co;
    int fd;
    const char *name;
};

static int read_waiter(coro_frame *co)
{
    struct waiter *f = (struct waiter *)co;
    CORO_BEGIN(co);
    CORO_READABLE(co, f->fd);
    test_logf("%s-readable@%lu", f->name, now(coro_loop_of(co)));
    CORO_FINALLY(co);
    test_logf("%s-fin=%s@%lu", f->name,
              coro_last_error(co) ? coro_errname(coro_last_error(co)) : "0", now(coro_loop_of(co)));
    CORO_END(co);
}

static coro_future *start_waiter(coro_loop *loop, const char *name, int fd)
{
    struct waiter init;
    coro_future *t;
    memset(&init, 0, sizeof init);
    init.fd = fd;
    init.name = name;
    t = coro_create_task(loop, read_waiter, &init, sizeof init);
    assert_non_null(t);
    return t;
}

static void task_and_callback_share_the_slot(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *a, *b, *z;
    (void)state;
    pair();
    a = start_waiter(loop, "a", sv[0]);
    z = coro_sleep(loop, 0);
    coro_run_until_complete(loop, z);           /* a now waits */
    coro_unref(z);
    assert_int_equal(coro_add_reader(loop, sv[0], log_plain, "cb"), CORO_EBUSY);
    assert_int_equal(coro_remove_reader(loop, sv[0]), 0);      /* a task's wait is not removable */
    b = start_waiter(loop, "b", sv[0]);         /* a second waiter: CORO_EBUSY */
    assert_int_equal(coro_run_until_complete(loop, b), CORO_EBUSY);
    assert_int_equal(write(sv[1], "x", 1), 1);
    assert_int_equal(coro_run_until_complete(loop, a), 0);
    assert_string_equal(test_log_str(), "b-fin=CORO_EBUSY@0 a-readable@0 a-fin=0@0 ");
    /* the slot is free again */
    assert_int_equal(coro_add_reader(loop, sv[0], log_plain, "cb"), 0);
    assert_int_equal(coro_remove_reader(loop, sv[0]), 1);
    coro_unref(a);
    coro_unref(b);
    coro_loop_free(loop);
    unpair();
}

/* Two tasks ping-pong a few bytes with CORO_WRITABLE / CORO_READABLE.
 * fds.py ping_pong: sent-ping0@0 got-ping0@0 got-pong0@0 sent-ping1@0 ... */
struct pp {
    coro_frame co;
    int fd, i, ping;
    char buf[16];
};

static int pingpong(coro_frame *co)
{
    struct pp *f = (struct pp *)co;
    ssize_t n;
    CORO_BEGIN(co);
    for (f->i = 0; f->i < 3; f->i++) {
        if (!f->ping) {
            CORO_READABLE(co, f->fd);
            n = read(f->fd, f->buf, sizeof f->buf - 1);
            assert_true(n > 0);
            f->buf[n] = '\0';
            test_logf("got-%s@%lu", f->buf, now(coro_loop_of(co)));
        }
        CORO_WRITABLE(co, f->fd);
        snprintf(f->buf, sizeof f->buf, "%s%d", f->ping ? "ping" : "pong", f->i);
        assert_int_equal(write(f->fd, f->buf, strlen(f->buf)), (ssize_t)strlen(f->buf));
        if (f->ping) {
            test_logf("sent-%s@%lu", f->buf, now(coro_loop_of(co)));
            CORO_READABLE(co, f->fd);
            n = read(f->fd, f->buf, sizeof f->buf - 1);
            assert_true(n > 0);
            f->buf[n] = '\0';
            test_logf("got-%s@%lu", f->buf, now(coro_loop_of(co)));
        }
    }
    CORO_END(co);
}

static void tasks_ping_pong(void **state)
{
    coro_loop *loop = test_loop();
    struct pp init;
    coro_future *k[2], *g;
    (void)state;
    pair();
    memset(&init, 0, sizeof init);
    init.fd = sv[0];
    init.ping = 1;
    k[0] = coro_create_task(loop, pingpong, &init, sizeof init);
    init.fd = sv[1];
    init.ping = 0;
    k[1] = coro_create_task(loop, pingpong, &init, sizeof init);
    g = coro_gather(loop, 2, k, 0);
    assert_int_equal(coro_run_until_complete(loop, g), 0);
    assert_string_equal(test_log_str(),
                        "sent-ping0@0 got-ping0@0 got-pong0@0 sent-ping1@0 got-ping1@0 got-pong1@0 "
                        "sent-ping2@0 got-ping2@0 got-pong2@0 ");
    coro_unref(g);
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_loop_free(loop);
    unpair();
}

/* Cancelling a task blocked in CORO_READABLE wakes it with CORO_ECANCELED
 * and unwatches the fd. */
static void cancel_wakes_readable_and_unwatches(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t, *never;
    (void)state;
    pair();
    t = start_waiter(loop, "t", sv[0]);
    coro_call_later(loop, 10, cancel_cb, t, NULL);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
    assert_true(coro_cancelled(t));
    assert_string_equal(test_log_str(), "t-fin=CORO_ECANCELED@10 ");
    /* unwatched: nothing left that could wake the loop (no hang), and the
     * reader slot is free */
    never = coro_future_new(loop);
    assert_int_equal(coro_run_until_complete(loop, never), CORO_EDEADLK);
    assert_int_equal(coro_add_reader(loop, sv[0], log_plain, "cb"), 0);
    assert_int_equal(coro_remove_reader(loop, sv[0]), 1);
    coro_unref(never);
    coro_unref(t);
    coro_loop_free(loop);
    unpair();
}

/* ------------------------------------------------------------ closed fd */

static void close_cb(void *arg)
{
    int *fd = (int *)arg;
    test_log("close");
    close(*fd);
    *fd = -1;
}

/* A task waiting CORO_READABLE_TRY on an fd that gets closed sees
 * CORO_EBADF, once; the closed fd is then unwatched. */
struct once {
    coro_frame co;
    int *fd, n;
};

static int readable_once(coro_frame *co)
{
    struct once *f = (struct once *)co;
    CORO_BEGIN(co);
    CORO_READABLE_TRY(co, *f->fd);
    test_logf("wake=%s@%lu", coro_errname(coro_last_error(co)), now(coro_loop_of(co)));
    CORO_END(co);
}

static void closed_fd_wakes_readable_with_ebadf_once(void **state)
{
    coro_loop *loop = test_loop();
    struct once init;
    coro_future *t, *never;
    int fd;
    (void)state;
    pair();
    fd = sv[0];
    memset(&init, 0, sizeof init);
    init.fd = &fd;
    t = coro_create_task(loop, readable_once, &init, sizeof init);
    coro_call_later(loop, 10, close_cb, &fd, NULL);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    sv[0] = -1;
    assert_string_equal(test_log_str(), "close wake=CORO_EBADF@10 ");
    /* exactly once, and nothing is watched any more: no spin, no hang */
    never = coro_future_new(loop);
    assert_int_equal(coro_run_until_complete(loop, never), CORO_EDEADLK);
    assert_string_equal(test_log_str(), "close wake=CORO_EBADF@10 ");
    coro_unref(never);
    coro_unref(t);
    coro_loop_free(loop);
    unpair();
}

/* A reader task and a writer task on the same fd (its send buffer full, so
 * the writer really waits): closing it wakes both with CORO_EBADF, once. */
struct dir {
    coro_frame co;
    int fd, write;
};

static int wait_dir(coro_frame *co)
{
    struct dir *f = (struct dir *)co;
    CORO_BEGIN(co);
    if (f->write) CORO_WRITABLE_TRY(co, f->fd);
    else CORO_READABLE_TRY(co, f->fd);
    test_logf("%s=%s@%lu", f->write ? "writer" : "reader",
              coro_last_error(co) ? coro_errname(coro_last_error(co)) : "0", now(coro_loop_of(co)));
    CORO_END(co);
}

static void closed_fd_wakes_reader_and_writer_tasks(void **state)
{
    coro_loop *loop = test_loop();
    struct dir init;
    coro_future *k[2], *g, *never;
    char buf[4096];
    int fd;
    (void)state;
    pair();
    memset(buf, 'x', sizeof buf);
    while (write(sv[0], buf, sizeof buf) > 0) {
    }
    assert_int_equal(errno, EAGAIN);
    fd = sv[0];
    memset(&init, 0, sizeof init);
    init.fd = fd;
    k[0] = coro_create_task(loop, wait_dir, &init, sizeof init);
    init.write = 1;
    k[1] = coro_create_task(loop, wait_dir, &init, sizeof init);
    coro_call_later(loop, 10, close_cb, &fd, NULL);
    g = coro_gather(loop, 2, k, 0);
    assert_int_equal(coro_run_until_complete(loop, g), 0);
    sv[0] = -1;
    assert_string_equal(test_log_str(), "close reader=CORO_EBADF@10 writer=CORO_EBADF@10 ");
    never = coro_future_new(loop);
    assert_int_equal(coro_run_until_complete(loop, never), CORO_EDEADLK);
    coro_unref(never);
    coro_unref(g);
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_loop_free(loop);
    unpair();
}

/* CORO_READABLE on a bad fd: -1 raises CORO_EBADF at once, a closed fd
 * number after one poll; neither hangs. */
static void readable_on_bad_fd_raises_ebadf(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *a, *b;
    int closed;
    (void)state;
    pair();
    closed = dup(sv[0]);
    close(closed);
    a = start_waiter(loop, "minus1", -1);
    b = start_waiter(loop, "closed", closed);
    assert_int_equal(coro_run_until_complete(loop, a), CORO_EBADF);
    assert_int_equal(coro_run_until_complete(loop, b), CORO_EBADF);
    assert_string_equal(test_log_str(), "minus1-fin=CORO_EBADF@0 closed-fin=CORO_EBADF@0 ");
    coro_unref(a);
    coro_unref(b);
    coro_loop_free(loop);
    unpair();
}

/* The peer hanging up is readiness, not an error: the reader wakes and its
 * read() sees end of file. */
static void close_peer(void *arg)
{
    (void)arg;
    test_log("hangup");
    close(sv[1]);
    sv[1] = -1;
}

static void peer_hangup_wakes_readable(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    char c;
    (void)state;
    pair();
    t = start_waiter(loop, "t", sv[0]);
    coro_call_later(loop, 10, close_peer, NULL, NULL);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "hangup t-readable@10 t-fin=0@10 ");
    assert_int_equal(read(sv[0], &c, 1), 0);
    coro_unref(t);
    coro_loop_free(loop);
    unpair();
}

/* The reader callback of a closed fd is called exactly once, so that its
 * read() sees the error; then the watch is gone. */
struct closed_reader {
    int fd, calls, err;
};

static void closed_rcb(void *arg)
{
    struct closed_reader *c = (struct closed_reader *)arg;
    char b;
    c->calls++;
    errno = 0;
    if (read(c->fd, &b, 1) < 0) c->err = errno;
    test_logf("reader-%d", c->calls);
}

static void close_reader_fd(void *arg)
{
    struct closed_reader *c = (struct closed_reader *)arg;
    test_log("close");
    close(sv[0]);
    sv[0] = -1;
    (void)c;
}

static void closed_fd_reader_called_once(void **state)
{
    coro_loop *loop = test_loop();
    struct closed_reader c;
    coro_future *s, *never;
    (void)state;
    pair();
    c.fd = sv[0];
    c.calls = 0;
    c.err = 0;
    assert_int_equal(coro_add_reader(loop, sv[0], closed_rcb, &c), 0);
    coro_call_later(loop, 10, close_reader_fd, &c, NULL);
    s = coro_sleep(loop, 50);
    assert_int_equal(coro_run_until_complete(loop, s), 0);
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.err, EBADF);
    assert_string_equal(test_log_str(), "close reader-1 ");
    assert_int_equal(coro_remove_reader(loop, c.fd), 0);   /* already dropped */
    never = coro_future_new(loop);
    assert_int_equal(coro_run_until_complete(loop, never), CORO_EDEADLK);
    assert_int_equal(c.calls, 1);
    coro_unref(never);
    coro_unref(s);
    coro_loop_free(loop);
    unpair();
}

/* On the real clock: the fd is closed by a signal handler while the loop is
 * blocked in poll() (which also exercises the EINTR retry).  The waiter wakes
 * with CORO_EBADF promptly, and the loop then blocks again instead of
 * spinning: the CPU time used while it waits for a 300 ms timer stays small. */
static volatile sig_atomic_t close_fd = -1;

static void on_alarm(int sig)
{
    struct sigaction sa;
    (void)sig;
    if (close_fd >= 0) close((int)close_fd);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGALRM, &sa, NULL);
    alarm(20);                              /* the safety net again */
}

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

static void closed_while_polling_real_clock_no_spin(void **state)
{
    coro_loop *loop;
    struct sigaction sa;
    struct itimerval it;
    struct once init;
    coro_future *t, *s;
    int fd;
    double w0, w1, c1;
    (void)state;
    pair();
    loop = coro_loop_new();
    assert_non_null(loop);
    coro_set_exception_handler(loop, test_handler, NULL);
    fd = sv[0];
    memset(&init, 0, sizeof init);
    init.fd = &fd;
    t = coro_create_task(loop, readable_once, &init, sizeof init);
    s = coro_sleep(loop, 2000);             /* keeps the loop blocked in poll() */
    close_fd = sv[0];
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;               /* no SA_RESTART */
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
    memset(&it, 0, sizeof it);
    it.it_value.tv_usec = 50000;            /* 50 ms */
    w0 = wall_ms();
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    w1 = wall_ms();
    sv[0] = -1;
    assert_non_null(strstr(test_log_str(), "wake=CORO_EBADF"));
    assert_true(w1 - w0 >= 40.0);           /* it did wait for the close */
    assert_true(w1 - w0 < 1500.0);          /* and woke long before the 2 s timer */
    coro_unref(s);
    s = coro_sleep(loop, 300);
    c1 = cpu_ms();
    w1 = wall_ms();
    assert_int_equal(coro_run_until_complete(loop, s), 0);
    assert_true(wall_ms() - w1 >= 250.0);
    assert_true(cpu_ms() - c1 < 150.0);     /* blocked, not spinning */
    alarm(0);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGALRM, &sa, NULL);
    close_fd = -1;
    coro_unref(s);
    coro_unref(t);
    coro_loop_free(loop);
    unpair();
}

/* A callback that re-arms itself with call_soon does not starve a ready fd:
 * the fd fairness policy serves it within CORO_POLL_EVERY iterations
 * (docs/design.md), not after the 1000 re-arms. */
struct starve {
    coro_loop *loop;
    int a, stop, a_at_read;
};

static void rearm(void *arg)
{
    struct starve *s = (struct starve *)arg;
    test_logf("A%d", ++s->a);
    if (!s->stop && s->a < 1000) coro_call_soon(s->loop, rearm, s, NULL);
}

static void starved_reader(void *arg)
{
    struct starve *s = (struct starve *)arg;
    test_log("R");
    s->a_at_read = s->a;
    s->stop = 1;
    coro_remove_reader(s->loop, sv[0]);
}

static void rearming_callback_does_not_starve_an_fd(void **state)
{
    coro_loop *loop = test_loop();
    struct starve s;
    coro_future *z;
    (void)state;
    pair();
    s.loop = loop;
    s.a = 0;
    s.stop = 0;
    coro_call_soon(loop, rearm, &s, NULL);
    assert_int_equal(write(sv[1], "x", 1), 1);
    assert_int_equal(coro_add_reader(loop, sv[0], starved_reader, &s), 0);
    z = coro_sleep(loop, 1);
    assert_int_equal(coro_run_until_complete(loop, z), 0);
    assert_true(s.stop);
    /* iteration k runs re-arm k, so the reader ran in iteration a_at_read */
    assert_true(s.a_at_read >= 1 && s.a_at_read <= CORO_POLL_EVERY + 1);   /* not after 1000 */
    assert_non_null(strstr(test_log_str(), " R "));
    coro_unref(z);
    coro_loop_free(loop);
    unpair();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(reader_and_writer_callbacks_persist_until_removed),
        CORO_TEST(errors_busy_badf_and_bad_arguments),
        CORO_TEST(removed_while_queued_does_not_run),
        CORO_TEST(task_and_callback_share_the_slot),
        CORO_TEST(tasks_ping_pong),
        CORO_TEST(cancel_wakes_readable_and_unwatches),
        CORO_TEST(readable_on_bad_fd_raises_ebadf),
        CORO_TEST(peer_hangup_wakes_readable),
        CORO_TEST(rearming_callback_does_not_starve_an_fd),
    };
    /* These close an fd while it is watched.  The poll backend reports that
     * once (CORO_EBADF); the epoll backend documents "remove before close"
     * instead (docs/design.md): a closed fd leaves an epoll set without any
     * event, so they would wait forever there. */
    const struct CMUnitTest poll_only[] = {
        CORO_TEST(closed_fd_wakes_readable_with_ebadf_once),
        CORO_TEST(closed_fd_wakes_reader_and_writer_tasks),
        CORO_TEST(closed_fd_reader_called_once),
        CORO_TEST(closed_while_polling_real_clock_no_spin),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
#if CORO_BACKEND_EPOLL
    (void)poll_only;
#else
    failed += cmocka_run_group_tests_name("poll backend only", poll_only, NULL, NULL);
#endif
    return failed;
}
