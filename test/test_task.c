/* test_task.c - tasks: creation, lifetime, current/all tasks, names, repr,
 * unretrieved errors and "destroyed but pending".
 *
 * Expected event orders come from CPython 3.11.7 runs of the equivalent
 * asyncio programs; each test quotes what the Python program printed. */
#include <stdio.h>
#include <string.h>
#include "support.h"

#define NOW(loop) ((unsigned long)(coro_time)(coro_loop_time(loop) - T0))

static void cb_log(void *arg) { test_log((const char *)arg); }
static void done_log(coro_future *f, void *arg)
{
    (void)f;
    test_log((const char *)arg);
}
static void stop_cb(void *arg) { coro_stop((coro_loop *)arg); }

/* Run exactly one loop iteration. */
static void run_one(coro_loop *loop)
{
    assert_int_equal(coro_call_soon(loop, stop_cb, loop, NULL), 0);
    assert_int_equal(coro_run_forever(loop), 0);
}

/* ------------------------------------------------------------ coroutines */

/* Logs `name`, optionally sleeps `ms`, logs again, returns `ret`; its finally
 * block logs "fin:<name>". */
struct args {
    coro_frame co;
    const char *name;
    coro_time ms;
    int ret;
};

static int log_coro(coro_frame *co)
{
    struct args *f = (struct args *)co;
    CORO_BEGIN(co);
    test_log(f->name);
    CORO_RETURN(co, f->ret);
    CORO_END(co);
}

static int sleeper(coro_frame *co)
{
    struct args *f = (struct args *)co;
    CORO_BEGIN(co);
    CORO_SLEEP(co, f->ms);
    test_logf("%s@%lu", f->name, NOW(coro_loop_of(co)));
    CORO_RETURN(co, f->ret);
    CORO_FINALLY(co);
    test_logf("fin:%s", f->name);
    CORO_END(co);
}

static unsigned long raiser_begin_line;

/* Sleeps `ms` if non-zero, then raises error `ret` with message `name`. */
static int raiser(coro_frame *co)
{
    struct args *f = (struct args *)co;
    CORO_BEGIN(co); raiser_begin_line = __LINE__;
    if (f->ms > 0) CORO_SLEEP(co, f->ms);
    CORO_RAISE(co, f->ret, f->name);
    CORO_END(co);
}

static struct args mk(const char *name, coro_time ms, int ret)
{
    struct args a;
    memset(&a, 0, sizeof a);
    a.name = name;
    a.ms = ms;
    a.ret = ret;
    return a;
}

static coro_future *spawn(coro_loop *loop, coro_fn fn, const char *name, coro_time ms, int ret)
{
    struct args a = mk(name, ms, ret);
    coro_future *t = coro_create_task(loop, fn, &a, sizeof a);
    assert_non_null(t);
    return t;
}

/* ----------------------------------------------------------- create_task */

/* Python: loop.call_soon(cb1); t = loop.create_task(c()); loop.call_soon(cb2);
 * loop.run_until_complete(t)  ->  "cb1 t cb2". */
static void first_step_goes_to_tail_of_ready_queue(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    assert_int_equal(coro_call_soon(loop, cb_log, "cb1", NULL), 0);
    t = spawn(loop, log_coro, "t", 0, 3);
    assert_string_equal(test_log_str(), "");       /* create_task never runs the body */
    assert_false(coro_done(t));
    assert_int_equal(coro_call_soon(loop, cb_log, "cb2", NULL), 0);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "cb1 t cb2 ");
    assert_int_equal((intptr_t)coro_result(t), 3);
    coro_unref(t);
    coro_loop_free(loop);
}

static int spawner(coro_frame *co)
{
    CORO_BEGIN(co);
    test_log("a1");
    coro_unref(spawn(coro_loop_of(co), log_coro, "b", 0, 0));
    test_log("a2");
    CORO_END(co);
}

/* Python: a() logs a1, create_task(b()), logs a2; task a, then a ticker:
 * "a1 a2 tick1 b tick2". */
static void task_created_by_a_task_starts_next_iteration(void **state)
{
    coro_loop *loop = test_loop();
    coro_frame fr;
    coro_future *t;
    (void)state;
    memset(&fr, 0, sizeof fr);
    t = coro_create_task(loop, spawner, &fr, sizeof fr);
    test_start_ticker(loop, "tick", 8);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "a1 a2 tick1 b tick2 ");
    assert_int_equal(coro_task_count(loop), 0);
    coro_unref(t);
    coro_loop_free(loop);
}

struct big {
    coro_frame co;
    const char *name;
    int x;
    unsigned char blob[300];
};

static int big_coro(coro_frame *co)
{
    struct big *f = (struct big *)co;
    size_t i;
    CORO_BEGIN(co);
    CORO_YIELD(co);             /* the copy must survive a suspension */
    for (i = 0; i < sizeof f->blob; i++)
        if (f->blob[i] != (unsigned char)(i * 7)) CORO_RAISE(co, 99, "blob corrupted");
    test_logf("%s:%d", f->name, f->x);
    CORO_RETURN(co, f->x);
    CORO_END(co);
}

static void init_is_copied_and_header_ignored(void **state)
{
    coro_loop *loop = test_loop();
    struct big init;
    coro_future *t;
    size_t i;
    (void)state;
    memset(&init, 0xA5, sizeof init);          /* garbage coro_frame part */
    init.name = "copy";
    init.x = 7;
    for (i = 0; i < sizeof init.blob; i++) init.blob[i] = (unsigned char)(i * 7);
    t = coro_create_task(loop, big_coro, &init, sizeof init);
    assert_non_null(t);
    /* The task works on its own copy. */
    init.name = "changed";
    init.x = 99;
    memset(init.blob, 0, sizeof init.blob);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "copy:7 ");
    assert_int_equal((intptr_t)coro_result(t), 7);
    coro_unref(t);
    coro_loop_free(loop);
}

static int bare_coro(coro_frame *co)
{
    CORO_BEGIN(co);
    test_log("bare");
    CORO_END(co);
}

static void create_task_rejects_bad_arguments(void **state)
{
    coro_loop *loop = test_loop();
    struct args a = mk("x", 0, 0);
    coro_frame fr;
    coro_future *t;
    size_t before;
    long n;
    (void)state;
    /* Warm up: the loop keeps the timer heap it grows for its first task. */
    t = coro_create_task(loop, bare_coro, &a, sizeof a);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    coro_unref(t);
    test_alloc_fail_at(0);
    before = test_alloc_outstanding();
    assert_null(coro_create_task(NULL, log_coro, &a, sizeof a));
    assert_null(coro_create_task(loop, NULL, &a, sizeof a));
    assert_null(coro_create_task(loop, log_coro, &a, 0));
    assert_null(coro_create_task(loop, log_coro, &a, sizeof(coro_frame) - 1));
    assert_int_equal(test_alloc_outstanding(), before);
    assert_int_equal(coro_task_count(loop), 0);
    /* Out of memory at each allocation in turn: NULL, nothing leaked,
     * nothing registered; then it succeeds. */
    memset(&fr, 0, sizeof fr);
    for (n = 1;; n++) {
        test_alloc_fail_at(n);
        t = coro_create_task(loop, bare_coro, &fr, sizeof fr);
        test_alloc_fail_at(0);
        if (t != NULL) break;
        assert_true(n < 10);
        assert_int_equal(test_alloc_outstanding(), before);
        assert_int_equal(coro_task_count(loop), 0);
    }
    assert_true(test_alloc_failures() >= 1);
    /* exactly sizeof(coro_frame) is a valid frame */
    assert_int_equal(coro_task_count(loop), 1);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_string_equal(test_log_str(), "bare bare ");
    assert_null(coro_result(t));            /* falling off the end returns NULL */
    coro_unref(t);
    coro_loop_free(loop);
    /* On a fresh loop the first failure is growing the timer heap. */
    loop = test_loop();
    test_alloc_fail_at(1);
    assert_null(coro_create_task(loop, bare_coro, &fr, sizeof fr));
    assert_int_equal(coro_task_count(loop), 0);
    coro_loop_free(loop);
}

/* --------------------------------------------------------------- lifetime */

static void loop_keeps_running_task_alive(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *a, *b;
    (void)state;
    a = spawn(loop, sleeper, "a", 10, 0);
    b = spawn(loop, log_coro, "b", 0, 0);
    coro_unref(a);                  /* dropped before its first step */
    coro_unref(b);
    assert_int_equal(coro_task_count(loop), 2);
    run_one(loop);
    assert_string_equal(test_log_str(), "b ");
    assert_int_equal(coro_task_count(loop), 1);     /* a sleeps, held by the loop */
    /* Nothing left afterwards: run_forever reports the deadlock. */
    assert_int_equal(coro_run_forever(loop), CORO_EDEADLK);
    assert_string_equal(test_log_str(), "b a@10 fin:a ");
    assert_int_equal(coro_loop_time(loop), T(10));
    assert_int_equal(coro_task_count(loop), 0);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

/* ---------------------------------------------------------- current_task */

static coro_future *seen[8];
static int nseen;

static void record_current(void *arg) { seen[nseen++] = coro_current_task((coro_loop *)arg); }
static void record_current_done(coro_future *f, void *arg)
{
    (void)f;
    seen[nseen++] = coro_current_task((coro_loop *)arg);
}

static int current_child(coro_frame *co)
{
    CORO_BEGIN(co);
    seen[nseen++] = coro_current_task(coro_loop_of(co));
    CORO_YIELD(co);
    seen[nseen++] = coro_current_task(coro_loop_of(co));
    CORO_END(co);
}

static int current_coro(coro_frame *co)
{
    coro_frame child;
    CORO_BEGIN(co);
    seen[nseen++] = coro_current_task(coro_loop_of(co));
    coro_call_soon(coro_loop_of(co), record_current, coro_loop_of(co), NULL);
    CORO_YIELD(co);
    seen[nseen++] = coro_current_task(coro_loop_of(co));
    memset(&child, 0, sizeof child);
    CORO_AWAIT_CALL(co, current_child, &child, sizeof child);
    seen[nseen++] = coro_current_task(coro_loop_of(co));
    CORO_END(co);
}

static void current_task_inside_and_outside(void **state)
{
    coro_loop *loop = test_loop();
    coro_frame fr;
    coro_future *t, *u;
    int i;
    (void)state;
    nseen = 0;
    memset(&fr, 0, sizeof fr);
    assert_null(coro_current_task(loop));
    assert_null(coro_current_task(NULL));
    t = coro_create_task(loop, current_coro, &fr, sizeof fr);
    assert_null(coro_current_task(loop));   /* created, not running */
    assert_int_equal(coro_add_done_callback(t, record_current_done, loop), 0);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    assert_null(coro_current_task(loop));
    coro_run_until_complete(loop, t);       /* let the done callback run */
    /* task step 1, call_soon callback, step 2, child (twice), step 3, done cb */
    assert_int_equal(nseen, 7);
    assert_ptr_equal(seen[0], t);
    assert_null(seen[1]);                   /* a plain callback: no task */
    for (i = 2; i < 6; i++) assert_ptr_equal(seen[i], t);
    assert_null(seen[6]);                   /* a done callback: no task */
    /* a second task sees itself, not the first */
    nseen = 0;
    u = coro_create_task(loop, current_child, &fr, sizeof fr);
    assert_int_equal(coro_run_until_complete(loop, u), 0);
    assert_int_equal(nseen, 2);
    assert_ptr_equal(seen[0], u);
    assert_ptr_equal(seen[1], u);
    coro_unref(t);
    coro_unref(u);
    coro_loop_free(loop);
}

/* ------------------------------------------------------- all_tasks, count */

static void collect_name(coro_future *t, void *arg)
{
    (void)arg;
    test_log(coro_task_name(t));
}

static void cancel_each(coro_future *t, void *arg)
{
    test_logf("cancel:%s=%d", coro_task_name(t), coro_cancel(t, (const char *)arg));
}

static void all_tasks_oldest_first_unfinished_only(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *a, *b, *c;
    (void)state;
    coro_all_tasks(loop, collect_name, NULL);      /* none: cb not called */
    coro_all_tasks(NULL, collect_name, NULL);
    coro_all_tasks(loop, NULL, NULL);
    assert_string_equal(test_log_str(), "");
    assert_int_equal(coro_task_count(loop), 0);
    assert_int_equal(coro_task_count(NULL), 0);
    a = spawn(loop, log_coro, "ran", 0, 0);
    b = spawn(loop, sleeper, "b", 10, 0);
    c = spawn(loop, sleeper, "c", 20, 0);
    assert_int_equal(coro_task_count(loop), 3);
    coro_all_tasks(loop, collect_name, NULL);
    assert_string_equal(test_log_str(), "Task-1 Task-2 Task-3 ");
    assert_int_equal(coro_run_until_complete(loop, a), 0);
    assert_int_equal(coro_task_count(loop), 2);     /* a finished, still referenced */
    coro_all_tasks(loop, collect_name, NULL);
    assert_string_equal(test_log_str(), "Task-1 Task-2 Task-3 ran Task-2 Task-3 ");
    /* The callback may cancel the tasks it is given. */
    coro_all_tasks(loop, cancel_each, "all");
    assert_string_equal(test_log_str(),
                        "Task-1 Task-2 Task-3 ran Task-2 Task-3 cancel:Task-2=1 cancel:Task-3=1 ");
    assert_int_equal(coro_task_count(loop), 2);     /* cancelling, not finished yet */
    assert_int_equal(coro_run_forever(loop), CORO_EDEADLK);
    assert_true(coro_cancelled(b));
    assert_true(coro_cancelled(c));
    assert_string_equal(coro_message(c), "all");
    assert_int_equal(coro_loop_time(loop), T(0));   /* both cancelled before sleeping out */
    assert_int_equal(coro_task_count(loop), 0);
    coro_all_tasks(loop, collect_name, NULL);
    assert_string_equal(test_log_str(), "Task-1 Task-2 Task-3 ran Task-2 Task-3 cancel:Task-2=1 "
                                        "cancel:Task-3=1 fin:b fin:c ");
    coro_unref(a);
    coro_unref(b);
    coro_unref(c);
    coro_loop_free(loop);
}

/* ------------------------------------------------------------------ names */

static void default_names_count_per_loop_and_set_name_copies(void **state)
{
    coro_loop *l1 = test_loop(), *l2 = test_loop();
    coro_future *t1, *t2, *u1, *t3, *plain;
    char buf[16];
    (void)state;
    t1 = spawn(l1, log_coro, "x", 0, 0);
    t2 = spawn(l1, log_coro, "x", 0, 0);
    u1 = spawn(l2, log_coro, "x", 0, 0);
    t3 = spawn(l1, log_coro, "x", 0, 0);
    plain = coro_future_new(l1);
    assert_string_equal(coro_task_name(t1), "Task-1");
    assert_string_equal(coro_task_name(t2), "Task-2");
    assert_string_equal(coro_task_name(u1), "Task-1");
    assert_string_equal(coro_task_name(t3), "Task-3");
    strcpy(buf, "worker");
    assert_int_equal(coro_task_set_name(t1, buf), 0);
    strcpy(buf, "XXXXXX");                  /* the name was copied */
    assert_string_equal(coro_task_name(t1), "worker");
    assert_int_equal(coro_task_set_name(t1, "w2"), 0);
    assert_string_equal(coro_task_name(t1), "w2");
    assert_int_equal(coro_task_set_name(t2, ""), 0);
    assert_string_equal(coro_task_name(t2), "");
    assert_int_equal(coro_task_set_name(t1, NULL), CORO_EINVAL);
    assert_int_equal(coro_task_set_name(NULL, "n"), CORO_EINVAL);
    assert_int_equal(coro_task_set_name(plain, "n"), CORO_EINVAL);
    assert_null(coro_task_name(plain));
    assert_null(coro_task_name(NULL));
    assert_string_equal(coro_task_name(t1), "w2");
    /* the name outlives the task's end */
    assert_int_equal(coro_run_until_complete(l1, t3), 0);
    assert_string_equal(coro_task_name(t1), "w2");
    assert_string_equal(coro_task_name(t3), "Task-3");
    coro_unref(t1);
    coro_unref(t2);
    coro_unref(t3);
    coro_unref(u1);
    coro_unref(plain);
    coro_loop_free(l1);
    coro_loop_free(l2);
}

/* ------------------------------------------------------------------- repr */

static unsigned long repr_begin_line, repr_await_line;

static int repr_coro(coro_frame *co)
{
    struct args *f = (struct args *)co;
    CORO_BEGIN(co); repr_begin_line = __LINE__;
    repr_await_line = __LINE__ + 1;
    CORO_SLEEP(co, f->ms);
    CORO_END(co);
}

static void expect_repr(const coro_future *t, const char *fmt, const char *name,
                        const char *func, unsigned long line)
{
    char want[256], got[256];
    int n;
    snprintf(want, sizeof want, fmt, name, func, __FILE__, line);
    n = coro_task_repr(t, got, sizeof got);
    assert_string_equal(got, want);
    assert_int_equal(n, (int)strlen(want));
}

#define PENDING_FMT "<Task pending name='%s' coro=<%s() running at %s:%lu>>"
#define CANCELLING_FMT "<Task cancelling name='%s' coro=<%s() running at %s:%lu>>"
#define FINISHED_FMT "<Task finished name='%s' coro=<%s() done, defined at %s:%lu>>"
#define CANCELLED_FMT "<Task cancelled name='%s' coro=<%s() done, defined at %s:%lu>>"

/* Python's seed asyncio_cancel_task.py prints, for a task cancelled before it
 * started: <Task cancelling name='Task-2' coro=<task_func() running at
 * asyncio_cancel_task.py:5>>, line 5 being its "async def" line. */
static void repr_four_forms(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t, *u, *e;
    char before[256], cancelling_early[256], want[256];
    (void)state;
    repr_begin_line = repr_await_line = 0;
    t = spawn(loop, repr_coro, "r", 50, 0);
    /* Before the first step: the function name and the CORO_BEGIN line,
     * which is learnt when the body runs, so compare afterwards. */
    assert_true(coro_task_repr(t, before, sizeof before) > 0);
    u = spawn(loop, repr_coro, "r", 0, 0);
    assert_int_equal(coro_cancel(u, NULL), 1);
    assert_true(coro_task_repr(u, cancelling_early, sizeof cancelling_early) > 0);
    run_one(loop);
    assert_true(repr_begin_line > 0);
    snprintf(want, sizeof want, PENDING_FMT, "Task-1", "repr_coro", __FILE__, repr_begin_line);
    assert_string_equal(before, want);
    snprintf(want, sizeof want, CANCELLING_FMT, "Task-2", "repr_coro", __FILE__, repr_begin_line);
    assert_string_equal(cancelling_early, want);
    /* u never ran (cancelled before its first step) and is done now */
    expect_repr(u, CANCELLED_FMT, "Task-2", "repr_coro", repr_begin_line);
    assert_int_equal(coro_cancel(t, "stop"), 1);
    assert_int_equal(coro_task_repr(t, want, sizeof want) > 0, 1);
    assert_non_null(strstr(want, "<Task cancelling name='Task-1' coro=<repr_coro() running at "));
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
    expect_repr(t, CANCELLED_FMT, "Task-1", "repr_coro", repr_begin_line);
    coro_unref(t);
    coro_unref(u);
    /* finished with a result, then finished with an error */
    t = spawn(loop, repr_coro, "r", 5, 0);
    assert_int_equal(coro_task_set_name(t, "sleepy"), 0);
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    expect_repr(t, FINISHED_FMT, "sleepy", "repr_coro", repr_begin_line);
    e = spawn(loop, raiser, "bad", 0, 7);
    assert_int_equal(coro_run_until_complete(loop, e), 7);
    snprintf(want, sizeof want,
             "<Task finished name='Task-4' coro=<raiser() done, defined at %s:%lu> "
             "exception=error(7)('bad')>",
             __FILE__, raiser_begin_line);
    {
        char got[256];
        coro_task_repr(e, got, sizeof got);
        assert_string_equal(got, want);
    }
    coro_unref(t);
    coro_unref(e);
    coro_loop_free(loop);
}

/* asyncio's repr shows the line where the root coroutine is suspended.  With
 * the labels backend the resume point is an address, so coro shows the
 * CORO_BEGIN line instead (docs/design.md). */
static void repr_running_at_shows_await_line(void **state)
{
    coro_loop *loop;
    coro_future *t;
#if CORO_USE_LABELS
    const unsigned long line = repr_begin_line;
#else
    const unsigned long line = repr_await_line;
#endif
    (void)state;
    loop = test_loop();
    t = spawn(loop, repr_coro, "r", 50, 0);
    run_one(loop);
    assert_true(repr_await_line > repr_begin_line);
    expect_repr(t, PENDING_FMT, "Task-1", "repr_coro", line);
    coro_cancel(t, NULL);
    expect_repr(t, CANCELLING_FMT, "Task-1", "repr_coro", line);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_ECANCELED);
    coro_unref(t);
    coro_loop_free(loop);
}

static void repr_is_snprintf_style(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t = spawn(loop, repr_coro, "r", 0, 0), *plain = coro_future_new(loop);
    char full[256], buf[256];
    int n;
    size_t len;
    (void)state;
    n = coro_task_repr(t, full, sizeof full);
    assert_int_equal(n, (int)strlen(full));
    assert_true(n > 20);
    assert_int_equal(coro_task_repr(t, NULL, 0), n);        /* just measure */
    for (len = 1; len <= (size_t)n + 1; len += (len < 12 ? 1 : 17)) {
        memset(buf, 'Z', sizeof buf);
        assert_int_equal(coro_task_repr(t, buf, len), n);
        assert_int_equal(strlen(buf), len - 1);
        assert_memory_equal(buf, full, len - 1);
        assert_int_equal(buf[len], 'Z');                    /* nothing written past len */
    }
    memset(buf, 'Z', sizeof buf);
    assert_int_equal(coro_task_repr(t, buf, (size_t)n), n);  /* one short */
    assert_int_equal(strlen(buf), (size_t)n - 1);
    assert_int_equal(coro_task_repr(t, buf, (size_t)n + 1), n);
    assert_string_equal(buf, full);
    memset(buf, 'Z', sizeof buf);
    assert_int_equal(coro_task_repr(t, buf, 0), n);         /* len 0: untouched */
    assert_int_equal(buf[0], 'Z');
    assert_int_equal(coro_task_repr(NULL, buf, sizeof buf), CORO_EINVAL);
    assert_int_equal(coro_task_repr(t, NULL, 5), CORO_EINVAL);
    /* plain futures */
    coro_task_repr(plain, buf, sizeof buf);
    assert_string_equal(buf, "<Future pending>");
    coro_cancel(plain, NULL);
    coro_task_repr(plain, buf, sizeof buf);
    assert_string_equal(buf, "<Future cancelled>");
    assert_int_equal(coro_run_until_complete(loop, t), 0);
    coro_unref(t);
    coro_unref(plain);
    coro_loop_free(loop);
}

/* ---------------------------------------------------- unretrieved errors */

static void unretrieved_error_reported_when_last_ref_drops(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    char want[256];
    (void)state;
    t = spawn(loop, raiser, "nobody looked", 0, 7);
    assert_int_equal(coro_run_forever(loop), CORO_EDEADLK);   /* does not retrieve */
    assert_true(coro_done(t));
    assert_int_equal(test_nreports, 0);     /* still referenced */
    coro_ref(t);
    coro_unref(t);
    assert_int_equal(test_nreports, 0);
    coro_unref(t);
    assert_int_equal(test_nreports, 1);
    assert_string_equal(test_reports[0].message, "Task exception was never retrieved");
    assert_int_equal(test_reports[0].err, 7);
    assert_true(test_reports[0].has_future);
    snprintf(want, sizeof want,
             "<Task finished name='Task-1' coro=<raiser() done, defined at %s:%lu> "
             "exception=error(7)('nobody looked')>",
             __FILE__, raiser_begin_line);
    assert_string_equal(test_reports[0].repr, want);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 1);     /* exactly once */
}

static void unretrieved_error_of_dropped_task_reported_once(void **state)
{
    coro_loop *loop = test_loop();
    (void)state;
    coro_unref(spawn(loop, raiser, "dropped", 0, CORO_EBUSY));
    assert_int_equal(coro_run_forever(loop), CORO_EDEADLK);
    /* the loop dropped the last reference when the task finished */
    assert_int_equal(test_nreports, 1);
    assert_string_equal(test_reports[0].message, "Task exception was never retrieved");
    assert_int_equal(test_reports[0].err, CORO_EBUSY);
    assert_non_null(strstr(test_reports[0].repr, " exception=CORO_EBUSY('dropped')>"));
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 1);
}

static void unretrieved_error_reported_at_loop_free(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t;
    (void)state;
    /* The stop runs first in iteration 1, then the task fails; its done
     * callback is queued for iteration 2, which never comes: the queued
     * callback holds the last reference until coro_loop_free drops it. */
    assert_int_equal(coro_call_soon(loop, stop_cb, loop, NULL), 0);
    t = spawn(loop, raiser, "late", 0, 5);
    assert_int_equal(coro_add_done_callback(t, done_log, "cb"), 0);
    coro_unref(t);
    assert_int_equal(coro_run_forever(loop), 0);
    assert_int_equal(coro_task_count(loop), 0);
    assert_int_equal(test_nreports, 0);
    coro_loop_free(loop);
    assert_string_equal(test_log_str(), "");    /* the callback never ran */
    assert_int_equal(test_nreports, 1);
    assert_string_equal(test_reports[0].message, "Task exception was never retrieved");
    assert_int_equal(test_reports[0].err, 5);
}

struct awaiter {
    coro_frame co;
    coro_future *target;
};

static int try_awaiter(coro_frame *co)
{
    struct awaiter *f = (struct awaiter *)co;
    CORO_BEGIN(co);
    CORO_AWAIT_TRY(co, f->target);
    test_logf("saw:%d", coro_last_error(co));
    CORO_END(co);
}

static void done_error(coro_future *f, void *arg)
{
    (void)arg;
    test_logf("cb:%d", coro_error(f));
}

static coro_future *failed_task(coro_loop *loop, int err)
{
    coro_future *t = spawn(loop, raiser, "x", 0, err);
    assert_int_equal(coro_run_forever(loop), CORO_EDEADLK);
    assert_true(coro_done(t));
    return t;
}

static void retrieved_errors_are_never_reported(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t, *g, *w;
    struct awaiter aw;
    (void)state;
    /* coro_error */
    t = failed_task(loop, 1);
    assert_int_equal(coro_error(t), 1);
    coro_unref(t);
    /* coro_result */
    t = failed_task(loop, 2);
    assert_null(coro_result(t));
    coro_unref(t);
    /* coro_cancel on the done task */
    t = failed_task(loop, 3);
    assert_int_equal(coro_cancel(t, NULL), 0);
    coro_unref(t);
    /* the outcome of run_until_complete */
    t = spawn(loop, raiser, "x", 0, 4);
    assert_int_equal(coro_run_until_complete(loop, t), 4);
    coro_unref(t);
    /* an await (a task awaiting a failed task, and one awaiting a pending one) */
    t = failed_task(loop, 5);
    memset(&aw, 0, sizeof aw);
    aw.target = t;
    w = coro_create_task(loop, try_awaiter, &aw, sizeof aw);
    assert_int_equal(coro_run_until_complete(loop, w), 0);
    coro_unref(t);
    coro_unref(w);
    t = spawn(loop, raiser, "x", 10, 6);     /* fails while awaited */
    aw.target = t;
    w = coro_create_task(loop, try_awaiter, &aw, sizeof aw);
    coro_unref(t);                          /* the loop, then the awaiter, hold it */
    assert_int_equal(coro_run_until_complete(loop, w), 0);
    coro_unref(w);
    /* a combinator (gather) observing it */
    t = spawn(loop, raiser, "x", 0, 7);
    g = coro_gather(loop, 1, &t, 0);
    assert_non_null(g);
    coro_unref(t);
    assert_int_equal(coro_run_until_complete(loop, g), 7);
    coro_unref(g);
    /* a done callback that looks at the error, after the user dropped the
     * task (Python: add_done_callback(lambda t: t.exception())) */
    t = spawn(loop, raiser, "x", 0, 8);
    assert_int_equal(coro_add_done_callback(t, done_error, NULL), 0);
    coro_unref(t);
    assert_int_equal(coro_run_forever(loop), CORO_EDEADLK);
    assert_string_equal(test_log_str(), "saw:5 saw:6 cb:8 ");
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

/* ---------------------------------------------------- destroyed pending */

struct nest {
    coro_frame co;
    int depth;
    coro_future *fut;
};

static int nested_sleeper(coro_frame *co)
{
    struct nest *f = (struct nest *)co;
    struct nest child;
    CORO_BEGIN(co);
    if (f->depth > 0) {
        child = *f;
        child.depth = f->depth - 1;
        CORO_AWAIT_CALL(co, nested_sleeper, &child, sizeof child);
    } else if (f->fut != NULL) {
        CORO_AWAIT(co, f->fut);
    } else {
        CORO_SLEEP(co, 100);
    }
    test_log("woke");
    CORO_FINALLY(co);
    test_logf("fin%d", f->depth);
    CORO_END(co);
}

static void pending_task_destroyed_with_loop(void **state)
{
    coro_loop *loop = test_loop();
    coro_future *t1, *t2, *t3, *t4, *fut;
    struct nest n;
    int i;
    (void)state;
    memset(&n, 0, sizeof n);
    t1 = coro_create_task(loop, nested_sleeper, &n, sizeof n);      /* sleeping */
    n.depth = 3;
    t2 = coro_create_task(loop, nested_sleeper, &n, sizeof n);      /* 3 child frames */
    fut = coro_future_new(loop);
    n.depth = 1;
    n.fut = fut;
    t3 = coro_create_task(loop, nested_sleeper, &n, sizeof n);      /* awaiting fut */
    run_one(loop);
    t4 = spawn(loop, sleeper, "never", 0, 0);                       /* not started */
    assert_int_equal(coro_task_count(loop), 4);
    coro_unref(t1);
    coro_unref(t2);
    coro_unref(t3);
    coro_unref(t4);
    coro_unref(fut);            /* t3 still holds it */
    assert_int_equal(test_nreports, 0);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 4);
    for (i = 0; i < 4; i++) {
        char name[64];
        assert_string_equal(test_reports[i].message, "Task was destroyed but it is pending!");
        assert_int_equal(test_reports[i].err, 0);
        assert_true(test_reports[i].has_future);
        snprintf(name, sizeof name, "<Task pending name='Task-%d' coro=<", i + 1);
        assert_memory_equal(test_reports[i].repr, name, strlen(name));
    }
    assert_non_null(strstr(test_reports[3].repr, "coro=<sleeper() running at "));
    /* no finally block ran, no body continued; teardown proves the child
     * frames and the awaited future were freed */
    assert_string_equal(test_log_str(), "");
}

/* ------------------------------------------------------------ self-await */

/* Python: async def selfaw(): loop.call_soon(L, "cb"); await current_task()
 * -> "cb", then RuntimeError "Task cannot await on itself" (the error is
 * delivered through call_soon, after the callback queued before it). */
static int self_awaiter(coro_frame *co)
{
    CORO_BEGIN(co);
    coro_call_soon(coro_loop_of(co), cb_log, "cb", NULL);
    CORO_AWAIT_TRY(co, coro_current_task(coro_loop_of(co)));
    test_logf("try:%s", coro_errname(coro_last_error(co)));
    CORO_AWAIT(co, coro_current_task(coro_loop_of(co)));
    test_log("unreachable");
    CORO_FINALLY(co);
    test_logf("fin:%s", coro_errname(coro_last_error(co)));
    CORO_END(co);
}

static void task_awaiting_itself_gets_edeadlk(void **state)
{
    coro_loop *loop = test_loop();
    coro_frame fr;
    coro_future *t;
    (void)state;
    memset(&fr, 0, sizeof fr);
    t = coro_create_task(loop, self_awaiter, &fr, sizeof fr);
    assert_int_equal(coro_run_until_complete(loop, t), CORO_EDEADLK);
    assert_string_equal(test_log_str(), "cb try:CORO_EDEADLK fin:CORO_EDEADLK ");
    assert_false(coro_cancelled(t));
    coro_unref(t);
    coro_loop_free(loop);
    assert_int_equal(test_nreports, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(first_step_goes_to_tail_of_ready_queue),
        CORO_TEST(task_created_by_a_task_starts_next_iteration),
        CORO_TEST(init_is_copied_and_header_ignored),
        CORO_TEST(create_task_rejects_bad_arguments),
        CORO_TEST(loop_keeps_running_task_alive),
        CORO_TEST(current_task_inside_and_outside),
        CORO_TEST(all_tasks_oldest_first_unfinished_only),
        CORO_TEST(default_names_count_per_loop_and_set_name_copies),
        CORO_TEST(repr_four_forms),
        CORO_TEST(repr_running_at_shows_await_line),
        CORO_TEST(repr_is_snprintf_style),
        CORO_TEST(unretrieved_error_reported_when_last_ref_drops),
        CORO_TEST(unretrieved_error_of_dropped_task_reported_once),
        CORO_TEST(unretrieved_error_reported_at_loop_free),
        CORO_TEST(retrieved_errors_are_never_reported),
        CORO_TEST(pending_task_destroyed_with_loop),
        CORO_TEST(task_awaiting_itself_gets_edeadlk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
