/*
 * fuzz_loop.c - libFuzzer (and AFL++) harness for the loop.
 *
 * The input is decoded, one byte op at a time, into operations on a
 * virtual loop: futures made, completed, cancelled and released;
 * done-callbacks added and removed; call_soon / call_later / call_at and
 * handle cancels; tasks running small scripts (sleep, yield, await a future
 * or a task, gather, wait, wait_for, shield, cancel, set, raise, return,
 * CORO_AWAIT_CALL, CORO_FINALLY); and loop runs of one iteration or until a
 * virtual deadline.  After every op the loop's internal invariants are
 * checked (test/invariants.h: heap order and indexes, ready queue, task
 * list, fd watch count), and as callbacks run:
 *   - every callback runs at most once, never after a cancel that returned 1,
 *     and a done-callback only for a done future;
 *   - a call_later/call_at callback runs exactly at its deadline (virtual
 *     time), in (deadline, start order);
 * At the end the loop runs until idle, and then:
 *   - every done-callback of a done future that was not removed has run,
 *     every timer callback not cancelled has run;
 *   - no task waits on a future that is done (a lost wake-up);
 * and after releasing everything and freeing the loop, nothing is left
 * allocated (refcounts balance; the allocator also checks free sizes and
 * double frees).  Any violation aborts, which the fuzzer reports.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "coro.h"
#include "invariants.h"

#define CHECK(c, msg)                                                          \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "fuzz_loop: %s (%s:%d)\n", (msg), __FILE__, __LINE__); \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* ------------------------------------------------------------- allocator */

struct hdr { size_t size; unsigned magic; long double align; };
#define MAGIC 0xF022u
static long outstanding;
static long fail_at;        /* fail the n-th allocation (0: never) */

static void *a_alloc(void *ctx, size_t size)
{
    struct hdr *h;
    (void)ctx;
    if (fail_at > 0 && --fail_at == 0) return NULL;
    h = (struct hdr *)malloc(sizeof *h + size);
    if (h == NULL) return NULL;
    h->size = size;
    h->magic = MAGIC;
    outstanding++;
    return h + 1;
}

static void a_release(void *ctx, void *p, size_t size)
{
    struct hdr *h = (struct hdr *)p - 1;
    (void)ctx;
    CHECK(h->magic == MAGIC, "free of a block that is not live");
    CHECK(h->size == size, "free with the wrong size");
    h->magic = 0;
    outstanding--;
    free(h);
}

/* ----------------------------------------------------------------- input */

static const uint8_t *in;
static size_t inlen, inpos;

static unsigned byte(void) { return inpos < inlen ? in[inpos++] : 0u; }

/* ------------------------------------------------------------------ state */

#define NF 16       /* future slots (plain futures, tasks, combinators) */
#define NCB 64      /* callback records */
#define NS 12       /* ops per task script */

static coro_loop *loop;
static coro_future *slot[NF];

struct cbrec {
    int used, kind;             /* 1 done-callback, 2 call_soon, 3 timer */
    int ran, removed, cancelled;
    coro_future *fut;           /* done-callback: its future (borrowed, kept alive by us) */
    coro_handle h;
    coro_time when;
    unsigned long order;        /* start order of timers */
};
static struct cbrec cbs[NCB];
static unsigned long timer_order, last_fired_order;
static coro_time last_fired_when;
static int any_fired;

/* Futures a done-callback watches are kept alive (they must be, for
 * coro_remove_done_callback), so hold a reference per record. */

static void on_done(coro_future *f, void *arg)
{
    struct cbrec *c = (struct cbrec *)arg;
    CHECK(c->kind == 1, "done-callback record");
    CHECK(!c->ran, "a done-callback ran twice");
    CHECK(!c->removed, "a removed done-callback ran");
    CHECK(f == c->fut, "a done-callback got another future");
    CHECK(coro_done(f), "a done-callback ran for a pending future");
    c->ran = 1;
}

static void on_call(void *arg)
{
    struct cbrec *c = (struct cbrec *)arg;
    CHECK(!c->ran, "a callback ran twice");
    CHECK(!c->cancelled, "a cancelled callback ran");
    c->ran = 1;
    if (c->kind == 3) {
        CHECK(coro_loop_time(loop) == c->when, "a timer fired off its deadline");
        if (any_fired) {
            int32_t d = (int32_t)(c->when - last_fired_when);
            CHECK(d > 0 || (d == 0 && c->order > last_fired_order), "timers fired out of order");
        }
        any_fired = 1;
        last_fired_when = c->when;
        last_fired_order = c->order;
    }
}

static struct cbrec *new_rec(int kind)
{
    int i;
    for (i = 0; i < NCB; i++)
        if (!cbs[i].used) {
            memset(&cbs[i], 0, sizeof cbs[i]);
            cbs[i].used = 1;
            cbs[i].kind = kind;
            return &cbs[i];
        }
    return NULL;
}

static void put(coro_future *f)
{
    int i;
    if (f == NULL) return;
    for (i = 0; i < NF; i++)
        if (slot[i] == NULL) {
            slot[i] = f;
            return;
        }
    coro_unref(f);              /* no room: drop it */
}

static coro_future *pick(void) { return slot[byte() % NF]; }

/* Await cycles are kept out (cancelling one recurses without end: the bug
 * test_cancel_depth.c records): every future gets a rank, and a task only
 * awaits a future of lower rank, or itself (CORO_EDEADLK at once).  Plain
 * futures and tasks are ranked in creation order; a combinator ranks just
 * above its highest child.  The table is keyed by address, so a reused
 * address is simply re-ranked. */
#define NRANK 4096
static struct { const coro_future *f; unsigned long r; } ranks[NRANK];
static int nranks;
static unsigned long rank_counter;

static unsigned long rank_of(const coro_future *f)
{
    int i;
    for (i = nranks; i-- > 0;)
        if (ranks[i].f == f) return ranks[i].r;
    return 0;
}

static const coro_future *ranked(const coro_future *f, unsigned long r)
{
    int i;
    if (f == NULL) return NULL;
    for (i = nranks; i-- > 0;)
        if (ranks[i].f == f) {
            ranks[i].r = r;
            return f;
        }
    if (nranks < NRANK) {
        ranks[nranks].f = f;
        ranks[nranks++].r = r;
    }
    return f;
}

static unsigned long next_rank(void) { return rank_counter += 4; }

static unsigned long above(const coro_future *a, const coro_future *b, const coro_future *c)
{
    unsigned long r = rank_of(a);
    if (b != NULL && rank_of(b) > r) r = rank_of(b);
    if (c != NULL && rank_of(c) > r) r = rank_of(c);
    return r + 1;
}

/* May the task `self` await `f`? */
static int may_await(const coro_future *self, const coro_future *f)
{
    return f != NULL && (f == self || rank_of(f) < rank_of(self));
}

/* Combinators made by tasks are owned here, not by the task: a task freed
 * with the loop never runs its finally. */
#define NHELD 1024
static coro_future *held[NHELD];
static int nheld;

static coro_future *hold(coro_future *f)
{
    if (f == NULL || nheld < NHELD) return f != NULL ? (held[nheld++] = f) : NULL;
    coro_unref(f);
    return NULL;                /* awaiting NULL: CORO_ENOMEM */
}

/* ----------------------------------------------------------------- tasks */

struct tf {
    coro_frame co;
    uint8_t script[NS];
    uint8_t arg[NS];
    int pc, depth;
};

static int task_co(coro_frame *co);

static coro_future *slot_at(unsigned k) { return slot[k % NF]; }

static void spawn(int depth)
{
    struct tf init;
    int i;
    memset(&init, 0, sizeof init);
    for (i = 0; i < NS; i++) {
        init.script[i] = (uint8_t)byte();
        init.arg[i] = (uint8_t)byte();
    }
    init.depth = depth;
    put((coro_future *)ranked(coro_create_task(loop, task_co, &init, sizeof init), next_rank()));
}

#define OPC (f->script[f->pc] % 16)
#define ARG (f->arg[f->pc])

static int task_co(coro_frame *co)
{
    struct tf *f = (struct tf *)co;
    CORO_BEGIN(co);
    for (f->pc = 0; f->pc < NS; f->pc++) {
        if (OPC == 0) {
            CORO_SLEEP_TRY(co, ARG % 8);
        } else if (OPC == 1) {
            CORO_YIELD_TRY(co);
        } else if (OPC == 2 || OPC == 3) {
            /* await a future or task of the pool (maybe itself: EDEADLK) */
            if (may_await(coro_current_task(coro_loop_of(co)), slot_at(ARG))) {
                CORO_AWAIT_TRY(co, slot_at(ARG));      /* the task holds it while waiting */
            }
        } else if (OPC == 4) {
            coro_future *k[3];
            k[0] = slot_at(ARG);
            k[1] = slot_at(ARG >> 4);
            k[2] = slot_at(ARG + 5);
            if (may_await(coro_current_task(coro_loop_of(co)), k[0]) && may_await(coro_current_task(coro_loop_of(co)), k[1]) && may_await(coro_current_task(coro_loop_of(co)), k[2]) &&
                k[0] != coro_current_task(coro_loop_of(co)) && k[1] != coro_current_task(coro_loop_of(co)) && k[2] != coro_current_task(coro_loop_of(co))) {
                CORO_AWAIT_TRY(co, hold(coro_gather(coro_loop_of(co), 3, k, ARG & 1 ? CORO_RETURN_EXCEPTIONS : 0)));
            }
        } else if (OPC == 5) {
            coro_future *k[2];
            k[0] = slot_at(ARG);
            k[1] = slot_at(ARG >> 3);
            if (may_await(coro_current_task(coro_loop_of(co)), k[0]) && may_await(coro_current_task(coro_loop_of(co)), k[1]) &&
                k[0] != coro_current_task(coro_loop_of(co)) && k[1] != coro_current_task(coro_loop_of(co))) {
                CORO_AWAIT_TRY(co, hold(coro_wait(coro_loop_of(co), 2, k, 1 + ARG % 3, ARG & 64 ? CORO_FOREVER : ARG % 5)));
            }
        } else if (OPC == 6) {
            if (may_await(coro_current_task(coro_loop_of(co)), slot_at(ARG)) && slot_at(ARG) != coro_current_task(coro_loop_of(co))) {
                CORO_AWAIT_TRY(co, hold(coro_wait_for(coro_loop_of(co), slot_at(ARG), ARG & 128 ? CORO_FOREVER : (ARG >> 4) % 6)));
            }
        } else if (OPC == 7) {
            if (may_await(coro_current_task(coro_loop_of(co)), slot_at(ARG)) && slot_at(ARG) != coro_current_task(coro_loop_of(co))) {
                CORO_AWAIT_TRY(co, hold(coro_shield(coro_loop_of(co), slot_at(ARG))));
            }
        } else if (OPC == 8) {
            coro_cancel(slot_at(ARG), NULL);
        } else if (OPC == 9) {
            if (slot_at(ARG) != NULL) coro_set_result(slot_at(ARG), (void *)(uintptr_t)ARG);
        } else if (OPC == 10) {
            CORO_RAISE(co, 1 + ARG % 3, "fuzz");
        } else if (OPC == 11) {
            CORO_RETURN(co, ARG);
        } else if (OPC == 12 && f->depth < 3) {
            struct tf init;
            memcpy(&init, f, sizeof init);          /* the rest of the script, one level down */
            init.depth = f->depth + 1;
            init.pc = 0;
            CORO_AWAIT_CALL_TRY(co, task_co, &init, sizeof init);
        } else if (OPC == 13) {
            coro_uncancel(coro_current_task(coro_loop_of(co)));
        } else if (OPC == 14) {
            CORO_SLEEP_TRY(co, CORO_MAX_DELAY + 1u);        /* CORO_EINVAL */
        }
        /* an error propagates when the arg's top bit says so */
        if (coro_last_error(co) != 0 && (ARG & 0x80) && OPC < 8)
            CORO_RAISE(co, coro_last_error(co), coro_last_message(co));
    }
    CORO_FINALLY(co);
    if (f->depth == 0 && (f->arg[0] & 3) == 0) {
        CORO_YIELD_TRY(co);     /* a finally that awaits */
    }
    CORO_END(co);
}

/* ------------------------------------------------------------------ runs */

static void stopper(void *arg)
{
    (void)arg;
    coro_stop(loop);
}

static void run_one_iteration(void)
{
    if (coro_call_soon(loop, stopper, NULL, NULL) == 0) coro_run_forever(loop);
}

static void run_for(coro_time ms)
{
    coro_future *s = coro_sleep(loop, ms);
    if (s != NULL) {
        coro_run_until_complete(loop, s);
        coro_unref(s);
    }
}

static void check_loop(void)
{
    const char *bad = coro_check_loop(loop);
    if (bad != NULL) {
        fprintf(stderr, "fuzz_loop: invariant: %s\n", bad);
        abort();
    }
}

static void handler(coro_loop *l, const char *m, coro_future *f, int e, void *a)
{
    (void)l; (void)f; (void)e; (void)a;
    CHECK(strstr(m, "unknown resume") == NULL, "unknown resume state");
}

/* A task still waiting on a done future was never woken. */
static void no_lost_wakeup(coro_future *t, void *arg)
{
    const struct coro__task *task = (const struct coro__task *)(const void *)t;
    (void)arg;
    if (CORO__WAIT(task) == CORO__W_FUTURE)
        CHECK(!coro_done(task->node.u.fut), "a task waits on a done future (lost wake-up)");
    CHECK(CORO__WAIT(task) != CORO__W_READY, "a task is ready after the loop went idle");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int i, drain;
    struct cbrec *c;
    coro_future *f;
    in = data;
    inlen = size;
    inpos = 0;
    outstanding = 0;
    fail_at = 0;
    memset(slot, 0, sizeof slot);
    memset(cbs, 0, sizeof cbs);
    nheld = 0;
    nranks = 0;
    rank_counter = 0;
    timer_order = last_fired_order = 0;
    any_fired = 0;
    coro_set_allocator(a_alloc, a_release, NULL);
    drain = (int)(byte() & 1);
    if (byte() == 0xA5) fail_at = byte() + 1;      /* now and then, one allocation fails */
    loop = coro_loop_new_virtual((coro_time)(0xFFFFFF00u + byte()));
    if (loop == NULL) {
        coro_set_allocator(NULL, NULL, NULL);
        CHECK(outstanding == 0, "leak after a failed loop creation");
        return 0;
    }
    coro_set_exception_handler(loop, handler, NULL);
    while (inpos < inlen) {
        unsigned op = byte() % 20;
        switch (op) {
        case 0:
            put((coro_future *)ranked(coro_future_new(loop), next_rank()));
            break;
        case 1:
            coro_set_result(pick(), (void *)1);
            break;
        case 2:
            coro_set_error(pick(), 2, "err");
            break;
        case 3:
            coro_cancel(pick(), byte() & 1 ? "msg" : NULL);
            break;
        case 4:
            f = pick();
            if (f != NULL && (c = new_rec(1)) != NULL) {
                if (coro_add_done_callback(f, on_done, c) == 0) {
                    coro_ref(f);
                    c->fut = f;
                } else {
                    c->used = 0;
                }
            }
            break;
        case 5:
            c = &cbs[byte() % NCB];
            if (c->used && c->kind == 1 && !c->ran && !c->removed) {
                int n = coro_remove_done_callback(c->fut, on_done, c);
                CHECK(n == 0 || n == 1, "remove_done_callback count");
                if (n == 1) c->removed = 1;
                else CHECK(coro_done(c->fut), "a pending callback was not found");
            }
            break;
        case 6:
            if ((c = new_rec(2)) != NULL && coro_call_soon(loop, on_call, c, &c->h) != 0) c->used = 0;
            break;
        case 7:
        case 8:
            if ((c = new_rec(3)) != NULL) {
                coro_time ms = byte() % 16;
                int r;
                c->when = coro_loop_time(loop) + ms;
                c->order = ++timer_order;
                r = op == 7 ? coro_call_later(loop, ms, on_call, c, &c->h)
                            : coro_call_at(loop, c->when, on_call, c, &c->h);
                if (r != 0) c->used = 0;
            }
            break;
        case 9:
            c = &cbs[byte() % NCB];
            if (c->used && c->kind != 1) {
                int r = coro_handle_cancel(c->h);
                CHECK(r == 0 || r == 1, "handle_cancel result");
                if (r == 1) {
                    CHECK(!c->ran && !c->cancelled, "cancelled a callback that ran or was cancelled");
                    c->cancelled = 1;
                }
            }
            break;
        case 10:
        case 11:
            spawn(0);
            break;
        case 12: {
            coro_future *k[2];
            k[0] = pick();
            k[1] = pick();
            if (k[0] && k[1]) put((coro_future *)ranked(coro_gather(loop, 2, k, byte() & 1), above(k[0], k[1], NULL)));
            break;
        }
        case 13:
            f = pick();
            if (f != NULL) put((coro_future *)ranked(coro_wait_for(loop, f, byte() % 6), above(f, NULL, NULL)));
            break;
        case 14:
            f = pick();
            if (f != NULL) put((coro_future *)ranked(coro_shield(loop, f), above(f, NULL, NULL)));
            break;
        case 15:
            put((coro_future *)ranked(coro_sleep(loop, byte() % 8), next_rank()));
            break;
        case 16:
            i = (int)(byte() % NF);     /* drop our reference */
            coro_unref(slot[i]);
            slot[i] = NULL;
            break;
        case 17:
            run_one_iteration();
            break;
        case 18:
            run_for(byte() % 12);
            break;
        default:
            f = pick();
            if (f != NULL) {
                char buf[160];
                coro_task_repr(f, buf, sizeof buf);
                coro_cancelling(f);
            }
            break;
        }
        check_loop();
    }
    fail_at = 0;
    if (drain) {
        /* until idle: every wake-up and callback that can happen happens */
        CHECK(coro_run_forever(loop) == CORO_EDEADLK, "run_forever did not end idle");
        check_loop();
        for (i = 0; i < NCB; i++) {
            c = &cbs[i];
            if (!c->used) continue;
            if (c->kind == 1 && coro_done(c->fut) && !c->removed)
                CHECK(c->ran, "a done future's callback never ran");
            if (c->kind != 1 && !c->cancelled) CHECK(c->ran, "a scheduled callback never ran");
        }
        coro_all_tasks(loop, no_lost_wakeup, NULL);
    }
    for (i = 0; i < NCB; i++)
        if (cbs[i].used && cbs[i].kind == 1) coro_unref(cbs[i].fut);
    for (i = 0; i < NF; i++) coro_unref(slot[i]);
    while (nheld > 0) coro_unref(held[--nheld]);
    coro_loop_free(loop);
    coro_set_allocator(NULL, NULL, NULL);
    CHECK(outstanding == 0, "allocations outstanding after coro_loop_free (refcounts do not balance)");
    return 0;
}
