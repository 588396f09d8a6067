/* test_cancel_depth.c - cancellation through gathers, found by the fuzzer.
 *
 * DESIGN.md: "Cancellation never recurses through C".  coro__task_cancel
 * walks a chain of tasks iteratively, but a task waiting on a gather
 * cancels it with coro_cancel -> gather_cancel -> coro_cancel(child) ->
 * coro__task_cancel -> cancel_wait -> coro_cancel(gather) ... was a C
 * recursion as deep as the chain, and a cycle through a gather (a task
 * awaiting a gather that contains it: a deadlock the user made; 3.11
 * raises RecursionError) recursed without end.  coro_cancel now keeps the
 * gathers being cancelled on a stack threaded through them (task.c).
 */
#define _POSIX_C_SOURCE 200809L     /* pthreads under -std=c99 */
#include <pthread.h>
#include <string.h>
#include "support.h"

#define CHAIN 10000

struct link {
    coro_frame co;
    coro_future **next;         /* the task below, or the bottom future */
    int leaf;
};

static int fins;

static int link_co(coro_frame *co)
{
    struct link *f = (struct link *)co;
    CORO_BEGIN(co);
    CORO_YIELD(co);
    if (f->leaf) {
        CORO_AWAIT(co, *f->next);
    } else {
        CORO_AWAIT_TAKE(co, coro_gather(coro_loop_of(co), 1, f->next, 0));
    }
    CORO_FINALLY(co);
    fins++;
    CORO_END(co);
}

struct chain {
    coro_loop *loop;
    coro_future *t[CHAIN], *bottom;
    int ret;
};

static void *cancel_thread(void *arg)
{
    struct chain *c = (struct chain *)arg;
    c->ret = coro_cancel(c->t[0], "deep");
    return NULL;
}

static void on_small_stack(void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    pthread_t th;
    assert_int_equal(pthread_attr_init(&attr), 0);
    assert_int_equal(pthread_attr_setstacksize(&attr, 64 * 1024), 0);
    assert_int_equal(pthread_create(&th, &attr, fn, arg), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    pthread_attr_destroy(&attr);
}

static void cancel_through_a_chain_of_gathers_on_small_stack(void **state)
{
    static struct chain c;
    struct link init;
    coro_future *one;
    int i;
    (void)state;
    c.loop = test_loop();
    c.bottom = coro_future_new(c.loop);
    for (i = CHAIN - 1; i >= 0; i--) {
        memset(&init, 0, sizeof init);
        init.leaf = i == CHAIN - 1;
        init.next = init.leaf ? &c.bottom : &c.t[i + 1];
        c.t[i] = coro_create_task(c.loop, link_co, &init, sizeof init);
        assert_non_null(c.t[i]);
    }
    one = coro_sleep(c.loop, 1);
    assert_int_equal(coro_run_until_complete(c.loop, one), 0);     /* all wait now */
    coro_unref(one);
    fins = 0;
    on_small_stack(cancel_thread, &c);
    assert_int_equal(c.ret, 1);
    assert_true(coro_cancelled(c.bottom));
    assert_int_equal(coro_run_until_complete(c.loop, c.t[0]), CORO_ECANCELED);
    assert_int_equal(fins, CHAIN);
    for (i = 0; i < CHAIN; i++) coro_unref(c.t[i]);
    coro_unref(c.bottom);
    coro_loop_free(c.loop);
}

struct selfish {
    coro_frame co;
    coro_future *g;
};

static coro_future *cycle_task;
static int seen;

static int cycle_co(coro_frame *co)
{
    struct selfish *f = (struct selfish *)co;
    CORO_BEGIN(co);
    f->g = coro_gather(coro_loop_of(co), 1, &cycle_task, 0);    /* contains this task */
    CORO_AWAIT_TRY(co, f->g);
    seen = coro_last_error(co);
    coro_unref(f->g);
    CORO_END(co);
}

static void cancel_of_an_await_cycle_through_a_gather_returns(void **state)
{
    coro_loop *loop;
    coro_future *one;
    struct selfish init;
    (void)state;
    loop = test_loop();
    memset(&init, 0, sizeof init);
    cycle_task = coro_create_task(loop, cycle_co, &init, sizeof init);
    one = coro_sleep(loop, 1);
    assert_int_equal(coro_run_until_complete(loop, one), 0);        /* it awaits its gather */
    coro_unref(one);
    seen = 0;
    assert_int_equal(coro_cancel(cycle_task, NULL), 1);
    /* the cancel reaches the task at its await (which swallows it: a _TRY
     * form), so the task ends with its own outcome */
    assert_int_equal(coro_run_until_complete(loop, cycle_task), 0);
    assert_int_equal(seen, CORO_ECANCELED);
    coro_unref(cycle_task);
    coro_loop_free(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(cancel_through_a_chain_of_gathers_on_small_stack),
        CORO_TEST(cancel_of_an_await_cycle_through_a_gather_returns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
