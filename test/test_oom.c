/* test_oom.c - allocation-failure sweep.
 *
 * Each scenario is run with its N-th allocation failing, for N = 1, 2, ...
 * until it runs with no failure at all.  Every failure must reach the caller
 * as NULL or CORO_ENOMEM (inside a task: as the error of an await), leave
 * nothing half registered (white-box snapshot of the loop: tasks, heap
 * reservations, armed timers, fd watches, ready queue), keep the loop usable
 * (the scenario retries and completes), and leave 0 allocations outstanding.
 */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <unistd.h>
#include "support.h"
#include "invariants.h"

typedef void (*scenario)(void);

static void check(const coro_loop *loop)
{
    const char *bad = coro_check_loop(loop);
    if (bad != NULL) fail_msg("loop invariant: %s", bad);
}

static void check_same(coro_loop *loop, const struct coro_check_snap *before, const char *what)
{
    struct coro_check_snap now = coro_check_snapshot(loop);
    const char *bad = coro_check_same(before, &now);
    if (bad != NULL) fail_msg("%s failed with CORO_ENOMEM but %s", what, bad);
    check(loop);
}

static long sweep_n;   /* the N of the current run, for messages */

static void sweep(scenario sc, const char *name)
{
    long n;
    for (n = 1; n < 20000; n++) {
        long before = test_alloc_failures();
        sweep_n = n;
        test_alloc_fail_at(n);
        sc();
        test_alloc_fail_at(0);
        if (test_alloc_outstanding() != 0)
            fail_msg("%s, allocation %ld failed: %lu allocations outstanding", name, n,
                     (unsigned long)test_alloc_outstanding());
        if (test_alloc_failures() == before) return;    /* ran clean: every N was tried */
    }
    fail_msg("%s: still failing after %ld allocations", name, n);
}

static coro_loop *new_loop(void)
{
    coro_loop *loop = coro_loop_new_virtual(T0);
    if (loop != NULL) coro_set_exception_handler(loop, test_handler, NULL);
    return loop;
}

/* ------------------------------------------------------- loop creation */

static void sc_loop(void)
{
    coro_loop *v = coro_loop_new_virtual(T0), *r = coro_loop_new();
    if (v != NULL) check(v);
    if (r != NULL) check(r);
    coro_loop_free(v);
    coro_loop_free(r);
}

static void oom_loop_creation(void **state)
{
    (void)state;
    sweep(sc_loop, "loop creation");
}

/* ------------------------------------------------------- task creation */

struct tf {
    coro_frame co;
    coro_future *fut;
    int depth;
};

/* A child coroutine called with CORO_AWAIT_CALL (its frame is allocated). */
static int child_co(coro_frame *co)
{
    struct tf *f = (struct tf *)co;
    CORO_BEGIN(co);
    CORO_YIELD(co);
    CORO_RETURN(co, f->depth);
    CORO_END(co);
}

static int task_co(coro_frame *co)
{
    struct tf *f = (struct tf *)co;
    struct tf init;
    CORO_BEGIN(co);
    CORO_SLEEP(co, 5);
    if (f->fut != NULL) CORO_AWAIT(co, f->fut);
    memset(&init, 0, sizeof init);
    init.depth = 7;
    CORO_AWAIT_CALL(co, child_co, &init, sizeof init);   /* CORO_ENOMEM propagates */
    CORO_RETURN(co, (intptr_t)coro_last_result(co) + 1);
    CORO_END(co);
}

static void sc_task(void)
{
    coro_loop *loop = new_loop();
    coro_future *t;
    struct coro_check_snap s;
    struct tf init;
    int err;
    if (loop == NULL) return;
    memset(&init, 0, sizeof init);
    s = coro_check_snapshot(loop);
    t = coro_create_task(loop, task_co, &init, sizeof init);
    if (t == NULL) {
        check_same(loop, &s, "coro_create_task");
        t = coro_create_task(loop, task_co, &init, sizeof init);
        assert_non_null(t);
    }
    if (coro_task_set_name(t, "worker") != 0) assert_string_equal(coro_task_name(t) ? "x" : "x", "x");
    err = coro_run_until_complete(loop, t);
    if (err == 0) assert_int_equal((intptr_t)coro_result(t), 8);
    else assert_int_equal(err, CORO_ENOMEM);                /* the child frame */
    check(loop);
    coro_unref(t);
    coro_loop_free(loop);
}

static void oom_task_creation(void **state)
{
    (void)state;
    sweep(sc_task, "task creation");
}

/* --------------------------------------------------------------- gather */

static void sc_gather(void)
{
    coro_loop *loop = new_loop();
    coro_future *k[3] = {NULL, NULL, NULL}, *g = NULL;
    struct tf init;
    struct coro_check_snap s;
    int i;
    if (loop == NULL) return;
    memset(&init, 0, sizeof init);
    k[0] = coro_future_new(loop);
    k[1] = coro_future_new(loop);
    k[2] = coro_create_task(loop, task_co, &init, sizeof init);
    if (k[0] == NULL || k[1] == NULL || k[2] == NULL) goto out;
    s = coro_check_snapshot(loop);
    g = coro_gather(loop, 3, k, CORO_RETURN_EXCEPTIONS);
    if (g == NULL) {
        check_same(loop, &s, "coro_gather");
        assert_null(k[0]->cbs);                 /* no callback left on a child */
        assert_null(k[1]->cbs);
        assert_null(k[2]->cbs);
        g = coro_gather(loop, 3, k, CORO_RETURN_EXCEPTIONS);
        assert_non_null(g);
    }
    coro_set_result(k[0], (void *)1);
    coro_set_error(k[1], 5, NULL);
    assert_int_equal(coro_run_until_complete(loop, g), 0);
    assert_true(coro_done(k[2]));
    assert_int_equal(coro_error(k[1]), 5);
    check(loop);
out:
    coro_unref(g);
    for (i = 0; i < 3; i++) coro_unref(k[i]);
    coro_loop_free(loop);
}

static void oom_gather(void **state)
{
    (void)state;
    sweep(sc_gather, "gather");
}

/* ----------------------------------------------------------------- wait */

static void sc_wait(void)
{
    coro_loop *loop = new_loop();
    coro_future *k[2] = {NULL, NULL}, *w = NULL;
    struct coro_check_snap s;
    if (loop == NULL) return;
    k[0] = coro_future_new(loop);
    k[1] = coro_sleep(loop, 20);
    if (k[0] == NULL || k[1] == NULL) goto out;
    s = coro_check_snapshot(loop);
    w = coro_wait(loop, 2, k, CORO_FIRST_COMPLETED, 10);
    if (w == NULL) {
        check_same(loop, &s, "coro_wait");
        assert_null(k[0]->cbs);
        w = coro_wait(loop, 2, k, CORO_FIRST_COMPLETED, 10);
        assert_non_null(w);
    }
    assert_int_equal(coro_run_until_complete(loop, w), 0);
    assert_int_equal(coro_loop_time(loop), T(10));          /* the timeout */
    assert_false(coro_done(k[0]));
    assert_int_equal(coro_run_until_complete(loop, k[1]), 0);
    assert_int_equal(coro_loop_time(loop), T(20));
    check(loop);
out:
    coro_unref(w);
    coro_unref(k[0]);
    coro_unref(k[1]);
    coro_loop_free(loop);
}

static void oom_wait(void **state)
{
    (void)state;
    sweep(sc_wait, "wait");
}

/* ------------------------------------------------------------- wait_for */

static void sc_wait_for(void)
{
    coro_loop *loop = new_loop();
    coro_future *slow = NULL, *wf = NULL, *fast = NULL, *wf2 = NULL;
    struct tf init;
    struct coro_check_snap s;
    if (loop == NULL) return;
    memset(&init, 0, sizeof init);
    slow = coro_future_new(loop);
    fast = coro_create_task(loop, task_co, &init, sizeof init);
    if (slow == NULL || fast == NULL) goto out;
    s = coro_check_snapshot(loop);
    wf = coro_wait_for(loop, slow, 0);  /* timeout 0: cancels at once, but only once made */
    if (wf == NULL) {
        check_same(loop, &s, "coro_wait_for");
        assert_false(coro_done(slow));  /* not cancelled by a failed call */
        wf = coro_wait_for(loop, slow, 0);
        assert_non_null(wf);
    }
    assert_true(coro_cancelled(slow));
    assert_int_equal(coro_run_until_complete(loop, wf), CORO_ETIMEDOUT);
    s = coro_check_snapshot(loop);
    wf2 = coro_wait_for(loop, fast, 100);
    if (wf2 == NULL) {
        check_same(loop, &s, "coro_wait_for");
        wf2 = coro_wait_for(loop, fast, 100);
        assert_non_null(wf2);
    }
    assert_true(coro_run_until_complete(loop, wf2) == 0 ||
                coro_error(wf2) == CORO_ENOMEM);              /* the task's child frame */
    check(loop);
out:
    coro_unref(wf);
    coro_unref(wf2);
    coro_unref(slow);
    coro_unref(fast);
    coro_loop_free(loop);
}

static void oom_wait_for(void **state)
{
    (void)state;
    sweep(sc_wait_for, "wait_for");
}

/* --------------------------------------------------------------- shield */

static void sc_shield(void)
{
    coro_loop *loop = new_loop();
    coro_future *in = NULL, *sh = NULL;
    struct coro_check_snap s;
    if (loop == NULL) return;
    in = coro_future_new(loop);
    if (in == NULL) goto out;
    s = coro_check_snapshot(loop);
    sh = coro_shield(loop, in);
    if (sh == NULL) {
        check_same(loop, &s, "coro_shield");
        assert_null(in->cbs);
        sh = coro_shield(loop, in);
        assert_non_null(sh);
    }
    assert_int_equal(coro_cancel(sh, NULL), 1);
    assert_false(coro_done(in));
    coro_set_result(in, (void *)3);
    assert_int_equal(coro_run_until_complete(loop, in), 0);
    check(loop);
out:
    coro_unref(sh);
    coro_unref(in);
    coro_loop_free(loop);
}

static void oom_shield(void **state)
{
    (void)state;
    sweep(sc_shield, "shield");
}

/* ----------------------------------------------------------- call_later */

static int calls;
static void count_call(void *arg)
{
    (void)arg;
    calls++;
}

static void sc_call_later(void)
{
    coro_loop *loop = new_loop();
    coro_future *done = NULL;
    coro_handle h;
    struct coro_check_snap s;
    int err, i;
    if (loop == NULL) return;
    calls = 0;
    /* several, so that the heap and the pool grow under the sweep */
    for (i = 0; i < 10; i++) {
        s = coro_check_snapshot(loop);
        err = coro_call_later(loop, (coro_time)(5 + i), count_call, NULL, &h);
        if (err != 0) {
            assert_int_equal(err, CORO_ENOMEM);
            check_same(loop, &s, "coro_call_later");
            assert_int_equal(coro_call_later(loop, (coro_time)(5 + i), count_call, NULL, &h), 0);
        }
    }
    s = coro_check_snapshot(loop);
    err = coro_call_soon(loop, count_call, NULL, NULL);
    if (err != 0) {
        assert_int_equal(err, CORO_ENOMEM);
        check_same(loop, &s, "coro_call_soon");
        assert_int_equal(coro_call_soon(loop, count_call, NULL, NULL), 0);
    }
    done = coro_sleep(loop, 30);
    if (done != NULL) {
        assert_int_equal(coro_run_until_complete(loop, done), 0);
        assert_int_equal(calls, 11);
    }
    check(loop);
    coro_unref(done);
    coro_loop_free(loop);
}

static void oom_call_later(void **state)
{
    (void)state;
    sweep(sc_call_later, "call_later");
}

/* ----------------------------------------------------------- add_reader */

struct rf {
    coro_frame co;
    int fd;
};

static int rdfd;
static void read_call(void *arg)
{
    char c;
    (void)arg;
    if (read(rdfd, &c, 1) == 1) calls++;
}

static int reader_co(coro_frame *co)
{
    struct rf *f = (struct rf *)co;
    CORO_BEGIN(co);
    CORO_READABLE_TRY(co, f->fd);
    if (coro_last_error(co) == CORO_ENOMEM) {
        calls += 100;
        CORO_READABLE(co, f->fd);       /* the loop is still usable */
    }
    CORO_RETURN(co, 1);
    CORO_END(co);
}

static void sc_add_reader(void)
{
    coro_loop *loop = new_loop();
    coro_future *t = NULL;
    struct coro_check_snap s;
    struct rf init;
    int p[2], q[2], err;
    char c = 'x';
    if (loop == NULL) return;
    assert_int_equal(pipe(p), 0);
    assert_int_equal(pipe(q), 0);
    calls = 0;
    rdfd = p[0];
    s = coro_check_snapshot(loop);
    err = coro_add_reader(loop, p[0], read_call, NULL);
    if (err != 0) {
        assert_int_equal(err, CORO_ENOMEM);
        check_same(loop, &s, "coro_add_reader");
        assert_int_equal(coro_remove_reader(loop, p[0]), 0);       /* nothing registered */
        assert_int_equal(coro_add_reader(loop, p[0], read_call, NULL), 0);
    }
    err = coro_add_reader(loop, p[0], read_call, NULL);     /* a second reader */
    assert_true(err == CORO_EBUSY || err == CORO_ENOMEM);  /* its pool node may fail first */
    check(loop);
    memset(&init, 0, sizeof init);
    init.fd = q[0];
    s = coro_check_snapshot(loop);
    t = coro_create_task(loop, reader_co, &init, sizeof init);
    if (t == NULL) {
        check_same(loop, &s, "coro_create_task");
        t = coro_create_task(loop, reader_co, &init, sizeof init);
        assert_non_null(t);
    }
    assert_int_equal(write(p[1], &c, 1), 1);
    assert_int_equal(write(q[1], &c, 1), 1);
    err = coro_run_until_complete(loop, t);
    if (err != 0) fail_msg("N=%ld: reader task: %s", sweep_n, coro_strerror(err));
    if (!(calls == 1 || calls == 101)) fail_msg("N=%ld calls=%d", sweep_n, calls);
    assert_int_equal(coro_remove_reader(loop, p[0]), 1);
    check(loop);
    coro_unref(t);
    coro_loop_free(loop);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
}

static void oom_add_reader(void **state)
{
    (void)state;
    sweep(sc_add_reader, "add_reader");
}

/* -------------------------------------------------------- mixed program */

struct mf {
    coro_frame co;
    coro_future *a, *b, *kids[3], *g, *w, *sh;
    int i;
};

static void set_later(void *arg)
{
    coro_set_result((coro_future *)arg, (void *)9);
    coro_unref((coro_future *)arg);     /* the callback's reference */
}
static void on_done(coro_future *f, void *arg)
{
    (void)f;
    (void)arg;
    calls++;
}

static int mixed_main(coro_frame *co)
{
    struct mf *f = (struct mf *)co;
    coro_loop *loop = coro_loop_of(co);
    struct tf init;
    CORO_BEGIN(co);
    memset(&init, 0, sizeof init);
    coro_task_set_name(coro_current_task(coro_loop_of(co)), "main");
    f->a = coro_future_new(loop);
    f->b = coro_future_new(loop);
    if (f->a == NULL || f->b == NULL) CORO_RAISE(co, CORO_ENOMEM, "future");
    coro_ref(f->a);
    if (coro_call_later(loop, 3, set_later, f->a, NULL) != 0) {
        coro_unref(f->a);
        CORO_RAISE(co, CORO_ENOMEM, "later");
    }
    if (coro_add_done_callback(f->a, on_done, NULL) != 0) CORO_RAISE(co, CORO_ENOMEM, "cb");
    for (f->i = 0; f->i < 3; f->i++) {
        init.fut = f->i == 1 ? f->a : NULL;
        f->kids[f->i] = coro_create_task(loop, task_co, &init, sizeof init);
        if (f->kids[f->i] == NULL) CORO_RAISE(co, CORO_ENOMEM, "task");
    }
    f->g = coro_gather(loop, 3, f->kids, 0);
    CORO_AWAIT(co, f->g);
    f->sh = coro_shield(loop, f->b);
    f->w = coro_wait_for(loop, f->sh, 5);
    CORO_AWAIT_TRY(co, f->w);
    if (coro_last_error(co) != CORO_ETIMEDOUT) CORO_RAISE(co, coro_last_error(co), NULL);
    CORO_YIELD(co);
    CORO_AWAIT_TAKE(co, coro_sleep(loop, 2));
    CORO_AWAIT_CALL(co, child_co, &init, sizeof init);
    CORO_RETURN(co, 1);
    CORO_FINALLY(co);
    for (f->i = 0; f->i < 3; f->i++) coro_unref(f->kids[f->i]);
    coro_unref(f->g);
    coro_unref(f->w);
    coro_unref(f->sh);
    coro_unref(f->a);
    coro_unref(f->b);
    CORO_END(co);
}

static void cancel_it(coro_future *t, void *arg)
{
    (void)arg;
    coro_cancel(t, NULL);
}

static void sc_mixed(void)
{
    coro_loop *loop = new_loop();
    coro_future *t, *rest;
    struct mf init;
    int err;
    if (loop == NULL) return;
    memset(&init, 0, sizeof init);
    calls = 0;
    t = coro_create_task(loop, mixed_main, &init, sizeof init);
    if (t != NULL) {
        err = coro_run_until_complete(loop, t);
        if (err != 0) assert_int_equal(err, CORO_ENOMEM);
        else assert_int_equal(calls, 1);
        check(loop);
        coro_unref(t);
    }
    /* whatever a failure left behind is cancelled and run out, as coro_run does */
    coro_all_tasks(loop, cancel_it, NULL);
    rest = coro_sleep(loop, 100);
    if (rest != NULL) coro_run_until_complete(loop, rest);
    coro_unref(rest);
    check(loop);
    coro_loop_free(loop);
}

static void oom_mixed_program(void **state)
{
    (void)state;
    sweep(sc_mixed, "mixed program");
}

/* ------------------------------------------------------------- coro_run */

static int fin_ran;

static int lingering_co(coro_frame *co)
{
    CORO_BEGIN(co);
    CORO_SLEEP(co, 1000);
    CORO_FINALLY(co);
    fin_ran = 1;
    CORO_END(co);
}

static int run_main(coro_frame *co)
{
    struct tf init;
    coro_future *t;
    CORO_BEGIN(co);
    memset(&init, 0, sizeof init);
    t = coro_create_task(coro_loop_of(co), lingering_co, &init, sizeof init);
    if (t == NULL) CORO_RAISE(co, CORO_ENOMEM, NULL);
    coro_unref(t);                      /* left running: coro_run must cancel it */
    CORO_YIELD(co);
    CORO_END(co);
}

static void sc_run(void)
{
    struct tf init;
    int r;
    memset(&init, 0, sizeof init);
    fin_ran = 0;
    r = coro_run(run_main, &init, sizeof init);
    assert_true(r == 0 || r == 1);
    /* main finished: the task it left is cancelled and its finally runs,
     * even when coro_run's own shutdown bookkeeping cannot allocate */
    if (r == 0 && !fin_ran) fail_msg("N=%ld: a remaining task was destroyed, its finally never ran", sweep_n);
}

static void oom_coro_run(void **state)
{
    (void)state;
    sweep(sc_run, "coro_run");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(oom_loop_creation),
        CORO_TEST(oom_task_creation),
        CORO_TEST(oom_gather),
        CORO_TEST(oom_wait),
        CORO_TEST(oom_wait_for),
        CORO_TEST(oom_shield),
        CORO_TEST(oom_call_later),
        CORO_TEST(oom_add_reader),
        CORO_TEST(oom_mixed_program),
        CORO_TEST(oom_coro_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
