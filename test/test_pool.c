/* test_pool.c - static (zero-malloc) mode: the block pools of
 * port/coro_pool.c as coro's only allocator.  An exhausted pool gives
 * CORO_ENOMEM to the call that needed memory and leaves running tasks alone.
 * Portable: it also runs on the emulated microcontrollers. */
#include <string.h>
#include "support.h"
#include "../port/coro_pool.c"     /* the pool is a port helper, not in libcoro */

struct ticker {
    coro_frame co;
    const char *name;
    coro_time delay;
    int i;
};

/* Sleep `delay` three times, logging name@time each time. */
static int ticker(coro_frame *co)
{
    struct ticker *t = (struct ticker *)co;
    CORO_BEGIN(co);
    for (t->i = 0; t->i < 3; t->i++) {
        CORO_SLEEP(co, t->delay);
        test_logf("%s@%lu", t->name, (unsigned long)(coro_loop_time(coro_loop_of(co)) - T0));
    }
    CORO_RETURN(co, t->delay);
    CORO_END(co);
}

struct child {
    coro_frame co;
    int x;
};

static int child(coro_frame *co)
{
    struct child *c = (struct child *)co;
    CORO_BEGIN(co);
    CORO_RETURN(co, c->x + 1);
    CORO_END(co);
}

/* While the pool is full: a child frame, a gather, a callback and a future
 * all fail with CORO_ENOMEM, and the task carries on. */
struct starved {
    coro_frame co;
    coro_future *kids[2];
    int got;
};

static void nothing(void *arg) { (void)arg; }

static int starved(coro_frame *co)
{
    struct starved *s = (struct starved *)co;
    struct child c;
    CORO_BEGIN(co);
    c.x = 41;
    CORO_AWAIT_CALL_TRY(co, child, &c, sizeof c);
    test_logf("call:%s", coro_errname(coro_last_error(co)));
    CORO_AWAIT_TRY(co, coro_future_new(coro_loop_of(co)));      /* NULL: CORO_ENOMEM */
    test_logf("future:%s", coro_errname(coro_last_error(co)));
    test_logf("soon:%s", coro_errname(coro_call_soon(coro_loop_of(co), nothing, NULL, NULL)));
    CORO_SLEEP(co, 25);                                          /* allocates nothing */
    /* By now the tickers have finished and given their blocks back. */
    c.x = 41;                   /* a C local: set again after the await */
    CORO_AWAIT_CALL(co, child, &c, sizeof c);
    s->got = (int)(intptr_t)coro_last_result(co);
    test_logf("call:%d", s->got);
    CORO_RETURN(co, s->got);
    CORO_END(co);
}

/* The pools.  TASK_BLOCK fits the largest task frame used here, checked at
 * compile time; BIG_BLOCK the loop, a timer heap of HEAP entries, or the
 * backend's state. */
#define NTASKS 6
#define HEAP 16
#define SMALL_BLOCK 64
union any_task { struct ticker a; struct starved b; };   /* the larger of the two */
#define TASK_BLOCK CORO_POOL_TASK_BYTES(union any_task)
#if CORO_BACKEND_EPOLL
#define BACKEND_BYTES 1024      /* the epoll backend keeps its event array in its state */
#else
#define BACKEND_BYTES 0
#endif
#define MAX2(a, b) ((a) > (b) ? (a) : (b))
#define BIG_BLOCK MAX2(MAX2(sizeof(coro_loop), HEAP * sizeof(struct coro__timer)), BACKEND_BYTES)
CORO_POOL_ASSERT_TASK_FITS(struct ticker, TASK_BLOCK);
CORO_POOL_ASSERT_TASK_FITS(struct starved, TASK_BLOCK);
CORO_POOL_ASSERT_FRAME_FITS(struct child, SMALL_BLOCK);

CORO_POOL_STORAGE(small_mem, SMALL_BLOCK, 8);
CORO_POOL_STORAGE(task_mem, TASK_BLOCK, NTASKS);
CORO_POOL_STORAGE(big_mem, BIG_BLOCK, 3);
static coro_pool small, tasks, big;

static void pools_init(void)
{
    assert_int_equal(coro_pool_init(&big, big_mem, sizeof big_mem, BIG_BLOCK, NULL), 0);
    assert_int_equal(coro_pool_init(&tasks, task_mem, sizeof task_mem, TASK_BLOCK, &big), 0);
    assert_int_equal(coro_pool_init(&small, small_mem, sizeof small_mem, SMALL_BLOCK, &tasks), 0);
    coro_set_allocator(coro_pool_alloc, coro_pool_release, &small);
}

/* Everything went back to its pool. */
static void pools_check_empty(void)
{
    assert_int_equal(small.nfree, 8);
    assert_int_equal(tasks.nfree, NTASKS);
    assert_int_equal(big.nfree, 3);
    assert_int_equal(test_alloc_count(), 0);      /* the C heap was never used */
}

static coro_loop *pool_loop(void)
{
    coro_loop *loop = coro_loop_new_virtual(T0);
    assert_non_null(loop);
    coro_set_exception_handler(loop, test_handler, NULL);
    return loop;
}

static void blocks_spill_into_larger_pools_and_come_back(void **state)
{
    static union coro_pool_align a_mem[8], b_mem[8];
    coro_pool a, b;
    void *p[5];
    (void)state;
    assert_int_equal(coro_pool_init(&b, b_mem, sizeof b_mem, sizeof b_mem / 2, NULL), 0);
    assert_int_equal(coro_pool_init(&a, a_mem, sizeof a_mem, sizeof a_mem / 4, &b), 0);
    assert_int_equal(coro_pool_init(&a, a_mem, 1, 8, NULL), CORO_EINVAL);   /* no block fits */
    assert_int_equal(coro_pool_init(&a, a_mem, sizeof a_mem, sizeof a_mem / 4, &b), 0);
    assert_int_equal(a.nfree, 4);
    assert_int_equal(b.nfree, 2);
    assert_null(coro_pool_alloc(&a, sizeof b_mem));           /* larger than any block */
    p[0] = coro_pool_alloc(&a, 1);
    p[1] = coro_pool_alloc(&a, sizeof a_mem / 4);
    p[2] = coro_pool_alloc(&a, sizeof a_mem / 4 + 1);         /* only b's blocks fit */
    assert_non_null(p[0]);
    assert_non_null(p[1]);
    assert_non_null(p[2]);
    assert_int_equal(a.nfree, 2);
    assert_int_equal(b.nfree, 1);
    p[3] = coro_pool_alloc(&a, 1);
    p[4] = coro_pool_alloc(&a, 1);
    assert_int_equal(a.nfree, 0);
    assert_non_null(coro_pool_alloc(&a, 1));                  /* spills into b */
    assert_int_equal(b.nfree, 0);
    assert_null(coro_pool_alloc(&a, 1));                      /* all full */
    coro_pool_release(&a, p[2], sizeof a_mem / 4 + 1);
    assert_int_equal(b.nfree, 1);
    coro_pool_release(&a, p[0], 1);
    assert_int_equal(a.nfree, 1);
    assert_int_equal(a.lowest, 0);
    assert_ptr_equal(coro_pool_alloc(&a, 1), p[0]);           /* last freed, first reused */
}

#define MAXTRY 32

static void tasks_run_from_the_pool_until_it_is_full(void **state)
{
    static const char *names[] = {"a", "b", "c"};
    coro_future *t[MAXTRY];
    coro_loop *loop;
    struct ticker init;
    int n, i;
    (void)state;
    pools_init();
    loop = pool_loop();
    memset(&init, 0, sizeof init);
    /* Make tasks until the pools are empty. */
    for (n = 0; n < MAXTRY; n++) {
        init.name = names[n % 3];
        init.delay = (coro_time)(10 + 5 * (n % 3));
        t[n] = coro_create_task(loop, ticker, &init, sizeof init);
        if (t[n] == NULL) break;
    }
    assert_true(n >= NTASKS);           /* every task block was usable */
    assert_true(n < MAXTRY);            /* and then it failed instead of growing */
    assert_int_equal(coro_task_count(loop), n);
    /* The failure changed nothing: every task runs to its end. */
    for (i = 0; i < n; i++) assert_int_equal(coro_run_until_complete(loop, t[i]), 0);
    assert_int_equal(coro_loop_time(loop), T(60));
    for (i = 0; i < n; i++) {
        assert_int_equal((int)(intptr_t)coro_result(t[i]), 10 + 5 * (i % 3));
        coro_unref(t[i]);
    }
    assert_int_equal(coro_task_count(loop), 0);
    /* Blocks came back: a new task fits again. */
    t[0] = coro_create_task(loop, ticker, &init, sizeof init);
    assert_non_null(t[0]);
    assert_int_equal(coro_run_until_complete(loop, t[0]), 0);
    coro_unref(t[0]);
    coro_loop_free(loop);
    pools_check_empty();
}

static void exhausted_pool_gives_enomem_and_running_tasks_go_on(void **state)
{
    coro_future *t[MAXTRY], *s;
    coro_loop *loop;
    struct ticker tick;
    struct starved st;
    void *hog[MAXTRY];
    int n = 0, h = 0, i;
    (void)state;
    pools_init();
    loop = pool_loop();
    memset(&st, 0, sizeof st);
    memset(&tick, 0, sizeof tick);
    s = coro_create_task(loop, starved, &st, sizeof st);
    assert_non_null(s);
    tick.name = "t";
    tick.delay = 5;
    while (n < 3 && (t[n] = coro_create_task(loop, ticker, &tick, sizeof tick)) != NULL) n++;
    assert_int_equal(n, 3);
    /* Take every block that is left, so the next allocation fails. */
    while (h < MAXTRY && (hog[h] = coro_pool_alloc(&small, 1)) != NULL) h++;
    assert_true(h < MAXTRY);
    assert_null(coro_pool_alloc(&small, 1));
    assert_null(coro_create_task(loop, ticker, &tick, sizeof tick));
    assert_int_equal(coro_call_later(loop, 1, nothing, NULL, NULL), CORO_ENOMEM);
    /* Run until the tickers are done (15 ms); the starved task got its
     * errors meanwhile and is still sleeping. */
    for (i = 0; i < n; i++) assert_int_equal(coro_run_until_complete(loop, t[i]), 0);
    assert_false(coro_done(s));
    for (i = 0; i < h; i++) coro_pool_release(&small, hog[i], 1);
    assert_int_equal(coro_run_until_complete(loop, s), 0);
    assert_int_equal((int)(intptr_t)coro_result(s), 42);
    assert_true(strstr(test_log_str(), "call:CORO_ENOMEM future:CORO_ENOMEM soon:CORO_ENOMEM ") ==
                test_log_str());
    assert_non_null(strstr(test_log_str(), "t@15 "));
    assert_non_null(strstr(test_log_str(), "call:42 "));
    for (i = 0; i < n; i++) coro_unref(t[i]);
    coro_unref(s);
    coro_loop_free(loop);
    pools_check_empty();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CORO_TEST(blocks_spill_into_larger_pools_and_come_back),
    };
    /* Static mode means every object comes from the pools, one call each.
     * With CORO_SLAB=2 the loop would ask them for 16 KiB slab chunks, which
     * fixed-size pools cannot give; the default (CORO_SLAB=1) keeps the slab
     * off under any allocator but malloc, pools included. */
    const struct CMUnitTest loops[] = {
        CORO_TEST(tasks_run_from_the_pool_until_it_is_full),
        CORO_TEST(exhausted_pool_gives_enomem_and_running_tasks_go_on),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
#if CORO_SLAB == 2
    (void)loops;
#else
    failed += cmocka_run_group_tests_name("loops on static pools", loops, NULL, NULL);
#endif
    return failed;
}
