/*
 * loop.c - the event loop: a FIFO ready queue, a timer min-heap and one
 * iteration that is asyncio 3.11's _run_once (docs/design.md):
 *
 *   1. timeout = 0 if anything is ready or the loop is stopping, else until
 *      the next timer, else block (or CORO_EDEADLK if nothing could wake it);
 *   2. wait for fds (the backend) with that timeout; while work is ready
 *      this is done only every CORO_POLL_EVERY ready items (fd fairness);
 *   3. queue the fd callbacks;
 *   4. queue the due timers in (deadline, start order);
 *   5. run exactly what is queued now; what they schedule runs next time.
 *
 * The heap (4-ary) stores (deadline, sequence, node) by value, so sifting
 * only touches the array; each node remembers its index so that cancelling a
 * timer is O(log n).  Deadlines compare by signed 32-bit difference, which
 * orders any two live timers correctly across the millisecond wrap.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L     /* clock_gettime under -std=c99 */
#endif
#include <string.h>
#include "coro_internal.h"
#if CORO_POSIX
#include <stdio.h>
#include <time.h>
#endif

/* ------------------------------------------------------------------ clock */

#ifdef CORO_CLOCK
#define RAW_CLOCK() ((coro_time)(CORO_CLOCK()))
#else
static coro_time clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (coro_time)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}
#define RAW_CLOCK() clock_ms()
#endif

#ifdef CORO_CLOCK_START
/* Shift the clock so that its first reading is CORO_CLOCK_START. */
static coro_time shifted_clock(void)
{
    static int based;
    static coro_time base;
    coro_time ms = RAW_CLOCK();
    if (!based) {
        base = (coro_time)(CORO_CLOCK_START) - ms;
        based = 1;
    }
    return ms + base;
}
#define CLOCK() shifted_clock()
#else
#define CLOCK() RAW_CLOCK()
#endif

coro_time coro__clock(void) { return CLOCK(); }

coro_time coro__now(coro_loop *loop)
{
    if (!loop->now_ok) {
        loop->now = CLOCK();
        loop->now_ok = 1;
    }
    return loop->now;
}

coro_time coro_loop_time(coro_loop *loop) { return loop ? coro__now(loop) : 0; }

int coro__valid_delay(coro_time ms) { return ms <= CORO_MAX_DELAY; }

/* ------------------------------------------------------------ ready queue */

void coro__push(coro_loop *loop, struct coro__node *n)
{
    n->fn(loop, n, CORO__HOLD);
    n->next = NULL;
    if (loop->rq_tail) loop->rq_tail->next = n;
    else loop->rq_head = n;
    loop->rq_tail = n;
}

/* Unlink a queued node (rare: run_until_complete's stopper after a
 * coro_stop).  O(length of the queue). */
static void rq_remove(coro_loop *loop, struct coro__node *n)
{
    struct coro__node **pp, *prev = NULL;
    for (pp = &loop->rq_head; *pp != NULL; prev = *pp, pp = &(*pp)->next) {
        if (*pp == n) {
            *pp = n->next;
            if (loop->rq_tail == n) loop->rq_tail = prev;
            return;
        }
    }
}

/* ------------------------------------------------------------- timer heap */

static int tless(const struct coro__timer *a, const struct coro__timer *b)
{
    int32_t d = (int32_t)(a->when - b->when);
    return d < 0 || (d == 0 && (int32_t)(a->seq - b->seq) < 0);
}

static void heap_put(coro_loop *loop, size_t i, struct coro__timer e)
{
    loop->heap[i] = e;
    e.node->u.hidx = i;
}

/* A 4-ary heap: half the depth of a binary one, and a node's children are
 * adjacent in the array.  CORO__HEAP_D is in coro_internal.h. */
#define PARENT(i) (((i) - 1) / CORO__HEAP_D)

static void sift_up(coro_loop *loop, size_t i, struct coro__timer e)
{
    while (i > 0) {
        size_t p = PARENT(i);
        if (!tless(&e, &loop->heap[p])) break;
        heap_put(loop, i, loop->heap[p]);
        i = p;
    }
    heap_put(loop, i, e);
}

/* Remove entry i (Floyd's method): move the hole down to a leaf, always
 * filling it with the smallest child (one comparison among siblings per
 * level, none with the entry being placed), then put the last entry in the
 * hole and sift it up, which is usually a level or two.  This halves the
 * comparisons of a classic sift-down, whose moving entry, coming from the
 * bottom, nearly always goes back down anyway. */
static void heap_remove(coro_loop *loop, size_t i)
{
    size_t n = --loop->nheap;
    struct coro__timer last = loop->heap[n];
    if (i == n) return;
    for (;;) {
        size_t c = CORO__HEAP_D * i + 1, k, end, best = c;
        if (c >= n) break;
        end = c + CORO__HEAP_D < n ? c + CORO__HEAP_D : n;
        for (k = c + 1; k < end; k++)
            if (tless(&loop->heap[k], &loop->heap[best])) best = k;
        heap_put(loop, i, loop->heap[best]);
        i = best;
    }
    sift_up(loop, i, last);
}

/* Every object that may arm a timer reserves a slot first, where allocation
 * is allowed, so arming a timer (a sleep, say) never allocates. */
int coro__heap_reserve(coro_loop *loop)
{
    if (loop->reserved == loop->capheap) {
        size_t cap = loop->capheap ? loop->capheap * 2 : (size_t)(CORO_HEAP_INIT);
        struct coro__timer *h;
        if (cap > (size_t)-1 / sizeof *h) return CORO_ENOMEM;
        h = (struct coro__timer *)coro__alloc(cap * sizeof *h);
        if (h == NULL) return CORO_ENOMEM;
        if (loop->nheap) memcpy(h, loop->heap, loop->nheap * sizeof *h);
        coro__free(loop->heap, loop->capheap * sizeof *h);
        loop->heap = h;
        loop->capheap = cap;
    }
    loop->reserved++;
    return 0;
}

void coro__heap_unreserve(coro_loop *loop) { loop->reserved--; }

void coro__timer_start(coro_loop *loop, struct coro__tnode *tn, coro_time when)
{
    struct coro__timer e;
    e.when = when;
    if (++loop->seq == 0) loop->seq = 1;
    e.seq = loop->seq;
    e.node = tn;
    CORO_ASSERT(loop->nheap < loop->capheap);
    sift_up(loop, loop->nheap++, e);
}

void coro__timer_stop(coro_loop *loop, struct coro__tnode *tn)
{
    size_t i = tn->u.hidx;
    CORO_ASSERT(i < loop->nheap && loop->heap[i].node == tn);
    tn->u.hidx = CORO__NOHEAP;
    heap_remove(loop, i);
}

/* ------------------------------------------------------------------- slab */

#if CORO_SLAB
/* Small objects that come and go often are carved from 16 KiB chunks and
 * recycled through a free list per size class, so spawning a task costs no
 * malloc/free pair and its memory carries no malloc header.  Chunks are only
 * released with the loop: the memory stays at its high-water mark, as the
 * callback nodes' does. */
#define CHUNK_BYTES 16384
#define CHUNK_HEAD CORO__ROUND(sizeof(void *))
typedef char coro__slab_grain_ok[(CORO__SLAB_GRAIN % CORO__ALIGN == 0) ? 1 : -1];

void *coro__lalloc(coro_loop *loop, size_t size)
{
    size_t c = (size - 1) / CORO__SLAB_GRAIN, sz;
    struct coro__slabclass *sc;
    void *p;
    if (!loop->slab_on || c >= CORO__SLAB_CLASSES) return coro__alloc(size);
    sc = &loop->slab[c];
    if ((p = sc->free) != NULL) {
        sc->free = *(void **)p;
        return p;
    }
    sz = (c + 1) * CORO__SLAB_GRAIN;
    if (sc->left < sz) {
        char *chunk = (char *)coro__alloc(CHUNK_BYTES);
        if (chunk == NULL) return NULL;
        *(void **)(void *)chunk = loop->chunks;
        loop->chunks = chunk;
        sc->bump = chunk + CHUNK_HEAD;
        sc->left = CHUNK_BYTES - CHUNK_HEAD;
    }
    p = sc->bump;
    sc->bump += sz;
    sc->left -= sz;
    return p;
}

void coro__lfree(coro_loop *loop, void *p, size_t size)
{
    size_t c = (size - 1) / CORO__SLAB_GRAIN;
    if (p == NULL) return;
    if (!loop->slab_on || c >= CORO__SLAB_CLASSES) {
        coro__free(p, size);
        return;
    }
    *(void **)p = loop->slab[c].free;
    loop->slab[c].free = p;
}

static void slab_free_all(coro_loop *loop)
{
    while (loop->chunks != NULL) {
        void *next = *(void **)loop->chunks;
        coro__free(loop->chunks, CHUNK_BYTES);
        loop->chunks = next;
    }
}
#else
#define slab_free_all(loop) ((void)0)
#endif

/* ----------------------------------------------------- pooled callbacks */

struct coro__cb *coro__cb_get(coro_loop *loop)
{
    struct coro__cb *c = loop->pool;
    if (c != NULL) loop->pool = (struct coro__cb *)(void *)c->t.n.next;
    else if ((c = (struct coro__cb *)coro__lalloc(loop, sizeof *c)) == NULL) return NULL;
    c->t.n.fn = coro__cb_fn;
    c->t.u.hidx = CORO__NOHEAP;
    c->loop = loop;
    c->fut = NULL;
    c->seq = 0;
    c->state = 0;
    return c;
}

void coro__cb_put(coro_loop *loop, struct coro__cb *c)
{
    c->seq = 0;
    c->state = 0;
    c->t.n.next = (struct coro__node *)(void *)loop->pool;
    loop->pool = c;
}

void coro__cb_fn(coro_loop *loop, struct coro__node *n, int op)
{
    struct coro__cb *c = (struct coro__cb *)(void *)n;
    coro_future *f = c->fut;
    if (op == CORO__HOLD) {
        c->state |= CORO__CB_QUEUED;
        if (c->kind == CORO__CB_DONE) coro_ref(f);     /* alive until it has run */
        return;
    }
    c->state &= ~CORO__CB_QUEUED;
    switch (c->kind) {
    case CORO__CB_CALL:
        if (op == CORO__RUN && c->seq != 0) {       /* seq 0: cancelled */
            c->seq = 0;
            c->fn.call(c->arg);
        }
        coro__cb_put(loop, c);
        break;
    case CORO__CB_DONE: {
        coro_done_fn done = c->fn.done;
        void *arg = c->arg;
        coro__cb_put(loop, c);
        if (op == CORO__RUN) done(f, arg);
        coro_unref(f);
        break;
    }
    default: /* CORO__CB_FD */
        if (op == CORO__RUN && (c->state & (CORO__CB_REG | CORO__CB_ONCE))) {
            c->state = (c->state & ~CORO__CB_ONCE) | CORO__CB_RUNNING;
            c->fn.call(c->arg);
            c->state &= ~CORO__CB_RUNNING;
        }
        if (!(c->state & CORO__CB_REG)) coro__cb_put(loop, c);
        break;
    }
}

static int schedule(coro_loop *loop, int timer, coro_time when, coro_callback cb, void *arg,
                    coro_handle *out)
{
    struct coro__cb *c;
    if (loop == NULL || cb == NULL || loop->closing) return CORO_EINVAL;
    if (timer && coro__heap_reserve(loop) != 0) return CORO_ENOMEM;
    c = coro__cb_get(loop);
    if (c == NULL) {
        if (timer) coro__heap_unreserve(loop);
        return CORO_ENOMEM;
    }
    c->kind = CORO__CB_CALL;
    c->fn.call = cb;
    c->arg = arg;
    if (timer) {
        coro__timer_start(loop, &c->t, when);
        c->seq = loop->seq;
    } else {
        if (++loop->seq == 0) loop->seq = 1;
        c->seq = loop->seq;
        coro__push(loop, &c->t.n);
    }
    if (out) {
        out->node = c;
        out->id = c->seq;
    }
    return 0;
}

int coro_call_soon(coro_loop *loop, coro_callback cb, void *arg, coro_handle *out)
{
    return schedule(loop, 0, 0, cb, arg, out);
}

int coro_call_later(coro_loop *loop, coro_time ms, coro_callback cb, void *arg, coro_handle *out)
{
    if (loop == NULL || !coro__valid_delay(ms)) return CORO_EINVAL;
    return schedule(loop, 1, coro__now(loop) + ms, cb, arg, out);
}

int coro_call_at(coro_loop *loop, coro_time when, coro_callback cb, void *arg, coro_handle *out)
{
    int32_t d;
    if (loop == NULL) return CORO_EINVAL;
    d = (int32_t)(when - coro__now(loop));
    if (d > (int32_t)CORO_MAX_DELAY || d < -(int32_t)CORO_MAX_DELAY) return CORO_EINVAL;
    return schedule(loop, 1, when, cb, arg, out);
}

int coro_handle_cancel(coro_handle h)
{
    struct coro__cb *c = (struct coro__cb *)h.node;
    if (c == NULL || h.id == 0 || c->seq != h.id) return 0;
    c->seq = 0;                             /* if queued, its run is skipped */
    if (c->t.u.hidx != CORO__NOHEAP) {
        coro__timer_stop(c->loop, &c->t);
        coro__heap_unreserve(c->loop);
        coro__cb_put(c->loop, c);
    }
    return 1;
}

/* ------------------------------------------------------ exception handler */

#if CORO_POSIX
void coro__print_stderr(const char *s) { fputs(s, stderr); }
#endif

/* The default handler writes through CORO_PRINT; on bare metal that prints
 * nothing by default, and then neither stdio nor the repr code is linked. */
static void default_handler(coro_loop *loop, const char *message, coro_future *f, int err,
                            void *arg)
{
#ifdef CORO_PRINT_NONE
    (void)message;
    (void)f;
    (void)err;
#else
    char repr[256];
    CORO_PRINT(message);
    CORO_PRINT("\n");
    if (f != NULL) {
        coro_task_repr(f, repr, sizeof repr);
        CORO_PRINT(strncmp(message, "Task was destroyed", 18) ? "future: " : "task: ");
        CORO_PRINT(repr);
        CORO_PRINT("\n");
    } else if (err != 0) {
        CORO_PRINT("error: ");
        CORO_PRINT(coro_strerror(err));
        CORO_PRINT("\n");
    }
#endif
    (void)loop;
    (void)arg;
}

void coro_set_exception_handler(coro_loop *loop, coro_exception_handler fn, void *arg)
{
    if (loop == NULL) return;
    loop->handler = fn;
    loop->handler_arg = arg;
}

void coro__report(coro_loop *loop, const char *message, coro_future *f, int err)
{
    if (loop->handler) loop->handler(loop, message, f, err, loop->handler_arg);
    else default_handler(loop, message, f, err, NULL);
}

/* ---------------------------------------------------------------- running */

/* The iterations (asyncio's _run_once) are the body of one loop, so that a
 * busy loop (a CORO_YIELD, say) pays no function call per iteration. */
static int run(coro_loop *loop)
{
    int err = 0;
    loop->running = 1;
    do {
        long timeout;
        struct coro__node *n, *next;
        size_t nrun = 0;

        /* 1. the timeout */
        if (!loop->virt) loop->now_ok = 0;
        if (loop->rq_head != NULL || loop->stopping || loop->evset) {
            timeout = 0;
        } else if (loop->nheap > 0) {
            int32_t d = (int32_t)(loop->heap[0].when - coro__now(loop));
            timeout = d > 0 ? (long)d : 0;
            if (timeout > 0 && loop->virt) {
                loop->now = loop->heap[0].when;  /* virtual time jumps to the timer */
                timeout = 0;
            }
        } else {
            if (loop->nwatch == 0 && loop->nwaiters == 0) {
                err = CORO_EDEADLK;
                break;
            }
            timeout = -1;
        }
        CORO_TRACE_LOOP_ITER(loop);     /* the iteration goes ahead */
        /* 2-3. wait for fds and events; ready ones are queued.  fd fairness: while
         * work is ready the poll is skipped until CORO_POLL_EVERY ready
         * items have run since the last one, so a ready fd waits at most
         * CORO_POLL_EVERY iterations (docs/design.md). */
        if (loop->rq_head == NULL || loop->since_poll >= CORO_POLL_EVERY) {
            loop->since_poll = 0;
            CORO_TRACE_LOOP_IDLE(timeout);
            coro__io_wait(loop, timeout);
            /* Events set by an interrupt, a signal handler or another
             * thread, under the same fairness bound as fds: the flag is
             * raised before the self-pipe is written, so a wake-up the poll
             * saw is seen here, and one raised later keeps the flag up for
             * the next iteration. */
            if (loop->evset) loop->ev_poll(loop);
        }
        /* 4. due timers, in (deadline, start order) */
        if (!loop->virt && timeout != 0) loop->now_ok = 0;
        while (loop->nheap > 0 && (int32_t)(loop->heap[0].when - coro__now(loop)) <= 0) {
            struct coro__tnode *tn = loop->heap[0].node;
            coro__timer_stop(loop, tn);
            if (tn->n.fn == coro__cb_fn) coro__heap_unreserve(loop);
            coro__push(loop, &tn->n);
        }
        /* 5. run exactly what is queued now */
        n = loop->rq_head;
        loop->rq_head = loop->rq_tail = NULL;
        for (; n != NULL; n = next) {
            next = n->next;
            n->fn(loop, n, CORO__RUN);
            nrun++;
        }
        loop->since_poll += nrun;
    } while (!loop->stopping);
    loop->stopping = 0;
    loop->running = 0;
    if (!loop->virt) loop->now_ok = 0;  /* between runs, "now" must be read afresh */
    return err;
}

void coro_stop(coro_loop *loop)
{
    if (loop) loop->stopping = 1;
}

int coro_run_forever(coro_loop *loop)
{
    if (loop == NULL || loop->closing) return CORO_EINVAL;
    if (loop->running) return CORO_ERUNNING;
    return run(loop);
}

/* run_until_complete's done-callback, on the C stack of the call. */
struct stopper {
    struct coro__node n;
    int state;          /* 0 registered, 1 queued, 2 ran */
};

static void stopper_fn(coro_loop *loop, struct coro__node *n, int op)
{
    struct stopper *s = (struct stopper *)(void *)n;
    if (op == CORO__HOLD) {
        s->state = 1;
        return;
    }
    s->state = 2;
    if (op == CORO__RUN) loop->stopping = 1;
}

int coro_run_until_complete(coro_loop *loop, coro_future *f)
{
    struct stopper s;
    int err;
    if (loop == NULL || f == NULL || f->loop != loop || loop->closing) return CORO_EINVAL;
    if (loop->running) return CORO_ERUNNING;
    s.n.fn = stopper_fn;
    s.state = 0;
    coro_ref(f);
    if (CORO__FSTATE(f) == CORO__PENDING) coro__add_node(f, &s.n);
    else coro__push(loop, &s.n);
    err = run(loop);
    if (s.state == 0) coro__unlink_node(f, &s.n);
    else if (s.state == 1) rq_remove(loop, &s.n);
    if (err == 0) err = CORO__FSTATE(f) == CORO__PENDING ? CORO_EINVAL : coro_error(f);
    coro_unref(f);
    return err;
}

/* ------------------------------------------------------- create and free */

static coro_loop *loop_new(int virt, coro_time start)
{
    coro_loop *loop = (coro_loop *)coro__alloc(sizeof *loop);
    if (loop == NULL) return NULL;
    memset(loop, 0, sizeof *loop);
    loop->virt = (unsigned char)virt;
    loop->now = start;
    loop->now_ok = (unsigned char)virt;
    loop->wake_rd = loop->wake_wr = -1;
#if CORO_SLAB
    loop->slab_on = (unsigned char)(CORO_SLAB == 2 || coro__default_allocator());
#endif
    if (coro__bk_init(loop) != 0) {
        coro__free(loop, sizeof *loop);
        return NULL;
    }
    return loop;
}

coro_loop *coro_loop_new(void) { return loop_new(0, 0); }

coro_loop *coro_loop_new_virtual(coro_time start) { return loop_new(1, start); }

void coro_loop_free(coro_loop *loop)
{
    struct coro__task *t;
    struct coro__node *n;
    if (loop == NULL || loop->running || loop->closing) return;
    loop->closing = 1;
    /* 1. report pending tasks while everything is intact */
    for (t = loop->tasks; t != NULL; t = t->next)
        coro__report(loop, "Task was destroyed but it is pending!", &t->f, 0);
    /* 2. drop the ready queue: queued nodes release what they hold */
    while ((n = loop->rq_head) != NULL) {
        loop->rq_head = n->next;
        if (loop->rq_head == NULL) loop->rq_tail = NULL;
        n->fn(loop, n, CORO__DROP);
    }
    /* 3. undo the waits of pending tasks and free their child frames */
    for (t = loop->tasks; t != NULL; t = t->next) coro__task_destroy(t);
    /* 4. timers left in the heap; embedded ones belong to objects freed below */
    while (loop->nheap > 0) {
        struct coro__tnode *tn = loop->heap[0].node;
        coro__timer_stop(loop, tn);
        if (tn->n.fn == coro__cb_fn) {
            coro__heap_unreserve(loop);
            coro__cb_put(loop, (struct coro__cb *)(void *)tn);
        }
    }
    /* 5. fd watches, the backend, the self-pipe */
    coro__io_free(loop);
    /* 6. the loop's references to pending tasks */
    while ((t = loop->tasks) != NULL) {
        coro__task_unlink(loop, t);
        coro__heap_unreserve(loop);
        coro_unref(&t->f);
    }
    /* 7. what the loop owns */
    while (loop->pool != NULL) {
        struct coro__cb *c = loop->pool;
        loop->pool = (struct coro__cb *)(void *)c->t.n.next;
        coro__lfree(loop, c, sizeof *c);
    }
    slab_free_all(loop);
    coro__free(loop->heap, loop->capheap * sizeof *loop->heap);
    coro__free(loop, sizeof *loop);
}
