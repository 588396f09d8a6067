/* test_loop.c - the loop: run_until_complete and its errors, run_forever and
 * stop, the iteration after which a run returns, the exception handler,
 * coro_loop_free and coro_set_allocator.
 *
 * Expected orders come from CPython 3.11 on a virtual clock:
 * test/asyncio/loop.py prints them (python3 loop.py). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "support.h"

static void log_plain(void *arg) { test_log((const char *)arg); }

static void stop_cb(void *arg) { coro_stop((coro_loop *)arg); }

static void set_cb(void *arg) { coro_set_result((coro_future *)arg, NULL); }

/* A task that sleeps `ms`, then raises `err` or returns `ret`; its finally
 * logs "<name>-fin". */
struct job {
    coro_frame co;
    const char *name;
    coro_time ms;
    int err;
    intptr_t ret;
    coro_future *await;         /* awaited after the sleep, if set */
    int fd;                     /* awaited readable after that, if >= 0 */
};

static int job(coro_frame *co)
{
    struct job *f = (struct job *)co;
    CORO_BEGIN(co);
    if (f->ms) CORO_SLEEP(co, f->ms);
    if (f->await) CORO_AWAIT(co, f->await);
    if (f->fd >= 0) CORO_READABLE(co, f->fd);
    if (f->err) CORO_RAISE(co, f->err, "job failed");
    CORO_RETURN(co, f->ret);
    CORO_FINALLY(co);
    test_logf("%s-fin", f->name);
    CORO_END(co);
}

static coro_future *start_job(coro_loop *loop, const char *name, coro_time ms, int err,
                              coro_future *await, int fd)
{
    struct job init;
    coro_future *t;
    memset(&init, 0, sizeof init);
    init.name = name;
    init.ms = ms;
    init.err = err;
    init.ret = 11;
    init.await = await;
    init.fd = fd;
    t = coro_create_task(loop, job, &init, sizeof init);
    assert_non_null(t);
    return t;
}

/* ------------------------------------------------------------------ */

static void returns_error_or_zero_and_counts_as_retrieval(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop), *ok, *bad;
    (void)state;
    coro_set_error(f, 9, "x");
    assert_int_equal(coro_run_until_complete(loop, f), 9);
    ok = start_job(loop, "ok", 10, 0, NULL, -1);
    bad = start_job(loop, "bad", 20, 7, NULL, -1);
    assert_int_equal(coro_run_until_complete(loop, ok), 0);
    assert_int_equal(coro_loop_time(loop), T(10));
    assert_int_equal(coro_run_until_complete(loop, bad), 7);
    assert_int_equal(coro_loop_time(loop), T(20));
    coro_unref(f);
    coro_unref(ok);
    coro_unref(bad);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);     /* each error was the run's outcome */
    assert_string_equal(test_log_str(), "ok-fin bad-fin ");
}

static void edeadlk_when_nothing_can_complete(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *f = coro_future_new(loop), *t;
    (void)state;
    assert_int_equal(coro_run_until_complete(loop, f), CORO_EDEADLK);
    assert_int_equal(coro_loop_time(loop), T(0));
    /* a task that sleeps and then awaits f: deadlock once the sleep is over */
    t = start_job(loop, "t", 10, 0, f, -1);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_EDEADLK);
    assert_int_equal(coro_loop_time(loop), T(10));
    assert_false(coro_done(t));
    /* the loop is still usable: a timer that completes f is no deadlock */
    coro_call_later(loop, 5, set_cb, f, NULL);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_int_equal(coro_loop_time(loop), T(15));
    assert_int_equal(coro_run_until_complete(loop, f), 0);
    coro_unref(t);
    coro_unref(f);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

/* Re-entering the running loop gives CORO_ERUNNING. */
struct reenter {
    coro_loop *loop;
    coro_future *other;
};

static void reenter_cb(void *arg)
{
    struct reenter *r = (struct reenter *)arg;
    test_log("cb");
    assert_int_equal(coro_run_until_complete(r->loop, r->other), CORO_ERUNNING);
    assert_int_equal(coro_run_forever(r->loop), CORO_ERUNNING);
}

struct reenter_task {
    coro_frame co;
    coro_future *other;
};

static int reenter_task(coro_frame *co)
{
    struct reenter_task *f = (struct reenter_task *)co;
    CORO_BEGIN(co);
    test_log("task");
    assert_int_equal(coro_run_until_complete(coro_loop_of(co), f->other), CORO_ERUNNING);
    CORO_END(co);
}

static void erunning_when_reentered(void **state)
{
    coro_loop *loop = test_loop();
    struct reenter r;
    struct reenter_task init;
    coro_future *t;
    (void)state;
    r.loop = loop;
    r.other = coro_future_new(loop);
    coro_set_result(r.other, NULL);
    memset(&init, 0, sizeof init);
    init.other = r.other;
    coro_call_soon(loop, reenter_cb, &r, NULL);
    t = coro_create_task(loop, reenter_task, &init, sizeof init);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "cb task ");
    coro_unref(t);
    coro_unref(r.other);
    coro_loop_free(loop);
}

static void einval_when_stop_ended_the_run(void **state)
{
    coro_loop *loop = test_loop(), *other = test_loop();
    coro_future *f = coro_future_new(loop), *x = coro_future_new(other);
    (void)state;
    coro_call_later(loop, 10, stop_cb, loop, NULL);
    coro_call_later(loop, 20, set_cb, f, NULL);
    assert_int_equal(coro_run_until_complete(loop, f), CORO_EINVAL);
    assert_int_equal(coro_loop_time(loop), T(10));
    assert_false(coro_done(f));
    assert_int_equal(coro_run_until_complete(loop, f), 0);    /* the next run goes on */
    assert_int_equal(coro_loop_time(loop), T(20));
    coro_unref(f);
    /* stop before the run: one iteration, then CORO_EINVAL */
    f = coro_future_new(loop);
    coro_call_soon(loop, log_plain, "one", NULL);
    coro_call_later(loop, 5, set_cb, f, NULL);
    coro_stop(loop);
    assert_int_equal(coro_run_until_complete(loop, f), CORO_EINVAL);
    assert_string_equal(test_log_str(), "one ");
    assert_int_equal(coro_loop_time(loop), T(20));
    assert_int_equal(coro_run_until_complete(loop, f), 0);
    assert_int_equal(coro_loop_time(loop), T(25));
    /* bad arguments */
    assert_int_equal(coro_run_until_complete(NULL, f), CORO_EINVAL);
    assert_int_equal(coro_run_until_complete(loop, NULL), CORO_EINVAL);
    assert_int_equal(coro_run_until_complete(loop, x), CORO_EINVAL);
    assert_int_equal(coro_run_forever(NULL), CORO_EINVAL);
    coro_unref(f);
    coro_unref(x);
    coro_loop_free(loop);
    coro_loop_free(other);
}

/* coro_stop before coro_run_forever runs exactly one iteration, as asyncio.
 * loop.py stop_before_run: A | B | C */
static void chain_c(void *arg)
{
    (void)arg;
    test_log("C");
}

static void chain_b(void *arg)
{
    test_log("B");
    coro_call_soon((coro_loop *)arg, chain_c, arg, NULL);
}

static void chain_a(void *arg)
{
    test_log("A");
    coro_call_soon((coro_loop *)arg, chain_b, arg, NULL);
}

static void stop_before_run_forever_runs_one_iteration(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *z;
    (void)state;
    coro_call_soon(loop, chain_a, loop, NULL);
    coro_stop(loop);
    assert_int_equal(coro_run_forever(loop), 0);
    test_log("|");
    coro_stop(loop);
    assert_int_equal(coro_run_forever(loop), 0);
    test_log("|");
    z = coro_sleep(loop, 0);
    assert_int_equal(coro_run_until_complete(loop, z), 0);
    assert_string_equal(test_log_str(), "A | B | C ");
    coro_unref(z);
    coro_loop_free(loop);
}

/* coro_stop from a callback: the rest of the iteration still runs.
 * loop.py stop_inside: A B | later */
static void stop_and_queue(void *arg)
{
    coro_loop *loop = (coro_loop *)arg;
    test_log("A");
    coro_stop(loop);
    coro_call_soon(loop, log_plain, "later", NULL);
}

static void stop_inside_finishes_the_iteration(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *z;
    (void)state;
    coro_call_soon(loop, stop_and_queue, loop, NULL);
    coro_call_soon(loop, log_plain, "B", NULL);
    assert_int_equal(coro_run_forever(loop), 0);
    test_log("|");
    z = coro_sleep(loop, 0);
    assert_int_equal(coro_run_until_complete(loop, z), 0);
    assert_string_equal(test_log_str(), "A B | later ");
    coro_unref(z);
    coro_loop_free(loop);
}

static void run_forever_with_nothing_to_do_is_a_deadlock(void **state)
{
    coro_loop *loop = test_loop();
    (void)state;
    assert_int_equal(coro_run_forever(loop), CORO_EDEADLK);
    coro_call_later(loop, 30, log_plain, "late", NULL);
    assert_int_equal(coro_run_forever(loop), CORO_EDEADLK);     /* after the timer */
    assert_int_equal(coro_loop_time(loop), T(30));
    assert_string_equal(test_log_str(), "late ");
    coro_loop_free(loop);
}

/* run_until_complete returns after the iteration in which f's done-callback
 * stops the loop.  loop.py run_until_complete_iteration: X f-cb Y | Z | */
static void y_cb(void *arg)
{
    test_log("Y");
    coro_call_soon((coro_loop *)arg, log_plain, "Z", NULL);
}

struct xarg {
    coro_loop *loop;
    coro_future *f;
};

static void x_cb(void *arg)
{
    struct xarg *x = (struct xarg *)arg;
    test_log("X");
    coro_set_result(x->f, NULL);
    coro_call_soon(x->loop, y_cb, x->loop, NULL);
}

static void log_done(coro_future *f, void *arg)
{
    (void)f;
    test_log((const char *)arg);
}

static void returns_after_the_same_iteration_as_3_11(void **state)
{
    coro_loop *loop = test_loop();
    struct xarg x;
    (void)state;
    x.loop = loop;
    x.f = coro_future_new(loop);
    coro_add_done_callback(x.f, log_done, "f-cb");
    coro_call_soon(loop, x_cb, &x, NULL);
    assert_int_equal(coro_run_until_complete(loop, x.f), 0);
    test_log("|");
    assert_int_equal(coro_run_until_complete(loop, x.f), 0);
    test_log("|");
    assert_string_equal(test_log_str(), "X f-cb Y | Z | ");
    coro_unref(x.f);
    coro_loop_free(loop);
}

/* The same for a task.  loop.py task_result_iteration: t1 t t2 after-t | */

struct quick {
    coro_frame co;
};

static int quick(coro_frame *co)
{
    CORO_BEGIN(co);
    test_log("t");
    coro_call_soon(coro_loop_of(co), log_plain, "after-t", NULL);
    CORO_RETURN(co, 1);
    CORO_END(co);
}

static void task_returns_after_the_same_iteration_as_3_11(void **state)
{
    coro_loop *loop = test_loop();
    struct quick init;
    coro_future *t;
    (void)state;
    test_start_ticker(loop, "t", 5);
    memset(&init, 0, sizeof init);
    t = coro_create_task(loop, quick, &init, sizeof init);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    test_log("|");
    assert_string_equal(test_log_str(), "t1 t t2 after-t | ");
    coro_unref(t);
    coro_loop_free(loop);
}

/* ------------------------------------------------------ exception handler */

/* Run `fn` with stderr redirected into a pipe; return what it printed. */
static char captured[4096];

static const char *capture_stderr(void (*fn)(void))
{
    int p[2], saved;
    size_t len = 0;
    ssize_t r;
    fflush(stderr);
    assert_int_equal(pipe(p), 0);
    saved = dup(2);
    assert_true(saved >= 0);
    assert_true(dup2(p[1], 2) >= 0);
    close(p[1]);
    fn();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    while (len < sizeof captured - 1 &&
           (r = read(p[0], captured + len, sizeof captured - 1 - len)) > 0)
        len += (size_t)r;
    close(p[0]);
    captured[len] = '\0';
    return captured;
}

static void default_handler_program(void)
{
    coro_loop *loop = coro_loop_new_virtual(T0);      /* no handler installed */
    coro_future *f = coro_future_new(loop);
    coro_future *t = start_job(loop, "pending", 100, 0, NULL, -1);
    coro_set_error(f, 9, "lost");
    coro_unref(f);                          /* never retrieved */
    coro_unref(t);
    coro_loop_free(loop);                   /* t is destroyed pending */
}

static void default_handler_prints_to_stderr(void **state)
{
    const char *out;
    (void)state;
    out = capture_stderr(default_handler_program);
    assert_non_null(strstr(out, "Future exception was never retrieved\n"));
    assert_non_null(strstr(out, "<Future finished exception=error(9)('lost')>"));
    assert_non_null(strstr(out, "Task was destroyed but it is pending!\n"));
    assert_non_null(strstr(out, "<Task pending name='Task-1' coro=<job() running at "));
    assert_true(strstr(out, "Future exception") < strstr(out, "Task was destroyed"));
    assert_string_equal(test_log_str(), "");            /* no finally ran */
}

struct got {
    coro_loop *loop;
    char message[128];
    char repr[256];
    int err, calls;
};

static void my_handler(coro_loop *loop, const char *message, coro_future *f, int err, void *arg)
{
    struct got *g = (struct got *)arg;
    g->calls++;
    assert_ptr_equal(loop, g->loop);
    snprintf(g->message, sizeof g->message, "%s", message);
    g->repr[0] = '\0';
    if (f) coro_task_repr(f, g->repr, sizeof g->repr);
    g->err = err;
}

static void custom_handler_receives_message_future_err(void **state)
{
    coro_loop *loop = test_loop();
    struct got g;
    coro_future *t;
    (void)state;
    memset(&g, 0, sizeof g);
    g.loop = loop;
    coro_set_exception_handler(loop, my_handler, &g);
    t = start_job(loop, "bad", 10, 9, NULL, -1);
    assert_int_equal(coro_task_set_name(t, "worker"), 0);
    {
        coro_future *s = coro_sleep(loop, 20);
        coro_run_until_complete(loop, s);
        coro_unref(s);
    }
    assert_int_equal(g.calls, 0);
    coro_unref(t);                          /* its error was never retrieved */
    assert_int_equal(g.calls, 1);
    assert_string_equal(g.message, "Task exception was never retrieved");
    assert_int_equal(g.err, 9);
    assert_non_null(strstr(g.repr, "<Task finished name='worker' coro=<job() done, defined at "));
    assert_non_null(strstr(g.repr, "exception=error(9)('job failed')>"));
    coro_loop_free(loop);
    assert_int_equal(g.calls, 1);
    assert_int_equal(test_nreports, 0);     /* the test handler was replaced */
}

/* ------------------------------------------------------------- loop free */

static void loop_free_frees_everything_and_reports_pending_tasks(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *user = coro_future_new(loop), *a, *b, *d, *e, *fut[8], *g, *sl, *wf, *sh;
    int sv[2], n = 0, i;
    (void)state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    a = start_job(loop, "A", 1000, 0, NULL, -1);            /* sleeping */
    b = start_job(loop, "B", 0, 0, user, -1);               /* awaiting a future */
    d = start_job(loop, "D", 0, 0, NULL, sv[0]);            /* awaiting an fd */
    e = start_job(loop, "E", 0, 0, a, -1);                  /* awaiting a task */
    g = coro_gather(loop, 1, &a, 0);
    fut[n++] = start_job(loop, "F", 0, 0, g, -1);           /* awaiting a gather */
    sl = coro_sleep(loop, 500);
    wf = coro_wait_for(loop, user, 700);                    /* a task too */
    sh = coro_shield(loop, user);
    coro_add_done_callback(user, log_done, "user-cb");
    coro_add_done_callback(sh, log_done, "sh-cb");
    coro_call_later(loop, 300, log_plain, "timer", NULL);
    coro_call_later(loop, 400, log_plain, "timer2", NULL);
    assert_int_equal(coro_add_reader(loop, sv[1], log_plain, "reader"), 0);
    assert_int_equal(coro_add_writer(loop, sv[1], log_plain, "writer"), 0);
    {
        coro_future *s = coro_sleep(loop, 10);
        coro_run_until_complete(loop, s);   /* everything has started */
        coro_unref(s);
    }
    fut[n++] = start_job(loop, "C", 0, 0, NULL, -1);        /* never started */
    coro_call_soon(loop, log_plain, "queued", NULL);
    assert_int_equal(coro_task_count(loop), 7);
    /* release every reference of ours first */
    coro_unref(user);
    coro_unref(a);
    coro_unref(b);
    coro_unref(d);
    coro_unref(e);
    coro_unref(g);
    coro_unref(sl);
    coro_unref(wf);
    coro_unref(sh);
    for (i = 0; i < n; i++) coro_unref(fut[i]);
    assert_int_equal(test_nreports, 0);
    {
        /* the writer fired each iteration, the reader never */
        const char *log = test_log_str();
        assert_non_null(strstr(log, "writer"));
        assert_null(strstr(log, "reader"));
    }
    coro_loop_free(loop);
    assert_int_equal(test_alloc_outstanding(), 0);
    assert_int_equal(test_nreports, 7);
    for (i = 0; i < test_nreports; i++) {
        assert_string_equal(test_reports[i].message, "Task was destroyed but it is pending!");
        assert_true(test_reports[i].has_future);
        assert_non_null(strstr(test_reports[i].repr, "<Task pending name='Task-"));
    }
    /* no finally ran, no callback ran during the teardown */
    assert_null(strstr(test_log_str(), "-fin"));
    assert_null(strstr(test_log_str(), "queued"));
    assert_null(strstr(test_log_str(), "-cb"));
    close(sv[0]);
    close(sv[1]);
}

/* ------------------------------------------------------------- allocator */

union hdr {
    size_t size;
    long double align;
    void *p;
};

struct counts {
    size_t live, total, bad_free;
};

static void *my_alloc(void *ctx, size_t size)
{
    struct counts *c = (struct counts *)ctx;
    union hdr *h = (union hdr *)malloc(sizeof *h + size);
    if (h == NULL) return NULL;
    h->size = size;
    c->live++;
    c->total++;
    return h + 1;
}

static void my_release(void *ctx, void *p, size_t size)
{
    struct counts *c = (struct counts *)ctx;
    union hdr *h = (union hdr *)p - 1;
    if (h->size != size) c->bad_free++;
    c->live--;
    free(h);
}

static void set_allocator_routes_every_allocation(void **state)
{
    struct counts c;
    coro_loop *loop;
    coro_future *k[2], *g, *w, *s;
    int sv[2];
    (void)state;
    memset(&c, 0, sizeof c);
    coro_set_allocator(my_alloc, my_release, &c);
    loop = coro_loop_new_virtual(T0);
    assert_non_null(loop);
    coro_set_exception_handler(loop, test_handler, NULL);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    k[0] = start_job(loop, "a", 10, 0, NULL, -1);
    k[1] = start_job(loop, "b", 0, 0, NULL, sv[0]);
    assert_non_null(coro_task_name(k[0]));
    assert_int_equal(coro_task_set_name(k[1], "reader-task"), 0);
    g = coro_gather(loop, 2, k, 0);
    w = coro_wait(loop, 2, k, CORO_ALL_COMPLETED, 50);
    s = coro_shield(loop, g);
    coro_call_later(loop, 5, log_plain, "later", NULL);
    coro_add_done_callback(g, log_done, "g-done");
    assert_int_equal(coro_add_writer(loop, sv[1], log_plain, "w"), 0);
    assert_true(c.live > 0);
    assert_int_equal(write(sv[1], "x", 1), 1);
    assert_int_equal(coro_run_until_complete(loop, s), 0);
    assert_true(c.live > 0);
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_unref(g);
    coro_unref(w);
    coro_unref(s);
    coro_loop_free(loop);
    close(sv[0]);
    close(sv[1]);
    assert_true(c.total > 8);
    assert_int_equal(c.live, 0);
    assert_int_equal(c.bad_free, 0);
    assert_int_equal(test_alloc_count(), 0);    /* the test's allocator never saw one */
    coro_set_allocator(NULL, NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(returns_error_or_zero_and_counts_as_retrieval),
        CORO_TEST(edeadlk_when_nothing_can_complete),
        CORO_TEST(erunning_when_reentered),
        CORO_TEST(einval_when_stop_ended_the_run),
        CORO_TEST(stop_before_run_forever_runs_one_iteration),
        CORO_TEST(stop_inside_finishes_the_iteration),
        CORO_TEST(run_forever_with_nothing_to_do_is_a_deadlock),
        CORO_TEST(returns_after_the_same_iteration_as_3_11),
        CORO_TEST(task_returns_after_the_same_iteration_as_3_11),
        CORO_TEST(default_handler_prints_to_stderr),
        CORO_TEST(custom_handler_receives_message_future_err),
        CORO_TEST(loop_free_frees_everything_and_reports_pending_tasks),
        CORO_TEST(set_allocator_routes_every_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
