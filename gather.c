/*
 * gather.c - the combinators: gather, wait, wait_for, shield and sleep.
 *
 * Each is a future built on done-callback nodes embedded in its own
 * allocation, so after creation nothing allocates.  The nodes go through the
 * ready queue like asyncio's callbacks, so completions reach the awaiter after
 * the same number of iterations as in CPython 3.11 (docs/design.md), even when
 * the children are already done.
 *
 * Combinators hold a reference to each child.  Their nodes registered on a
 * pending child do not hold the combinator; a queued node does (CORO__HOLD),
 * and a combinator unregisters its nodes when it is freed.
 */
#include <string.h>
#include "coro_internal.h"

#define CONTAINER(p, type, member) ((type *)(void *)((char *)(p) - offsetof(type, member)))
#define PENDING(f) (CORO__FSTATE(f) == CORO__PENDING)

static void retrieve(coro_future *f) { f->flags &= (unsigned char)~CORO__LOGTB; }

static void finish(coro_future *f, unsigned state, int err, const char *msg, void *result)
{
    union coro__val v;
    if (err) v.msg = msg;
    else v.result = result;
    coro__complete(f, state, err, v);
}

/* Validate an array of children and count the distinct ones, using the MARK
 * bit so that duplicates cost O(n).  0 if any child is NULL or foreign. */
static size_t count_unique(coro_loop *loop, size_t n, coro_future *const futs[])
{
    size_t i, u = 0, bad = 0;
    for (i = 0; i < n; i++) {
        if (futs[i] == NULL || futs[i]->loop != loop) {
            bad = 1;
            break;
        }
        if (!(futs[i]->flags & CORO__MARK)) {
            futs[i]->flags |= CORO__MARK;
            u++;
        }
    }
    while (i-- > 0) futs[i]->flags &= (unsigned char)~CORO__MARK;
    return bad ? 0 : u;
}

/* ---------------------------------------------------------------- gather */

struct gnode {
    struct coro__node n;
    struct gather *g;
    coro_future *child;
};

struct gather {
    coro_future f;          /* while pending, f.v.msg is the cancel message */
    struct coro__group grp; /* the children (grp.n entries, after the nodes) */
    size_t nuniq, nfinished;
    int flags;
    struct gnode nodes[];   /* nuniq entries */
};

static size_t gather_size(size_t n, size_t u)
{
    return offsetof(struct gather, nodes) + u * sizeof(struct gnode) + n * sizeof(coro_future *);
}

static void gather_child_done(struct gather *g, coro_future *child)
{
    coro_future *f = &g->f;
    size_t i;
    g->nfinished++;
    if (!PENDING(f)) {
        if (!coro_cancelled(child)) retrieve(child);
        return;
    }
    if (!(g->flags & CORO_RETURN_EXCEPTIONS) && child->err != 0) {
        retrieve(child);
        if (coro_cancelled(child) && g->grp.cancelreq)
            finish(f, CORO__CANCELLED, CORO_ECANCELED, f->v.msg, NULL);
        else
            finish(f, CORO__FINISHED, child->err, child->v.msg, NULL);
        return;
    }
    if (g->nfinished < g->nuniq) return;
    for (i = 0; i < g->grp.n; i++) retrieve(g->grp.children[i]);
    if (g->grp.cancelreq) finish(f, CORO__CANCELLED, CORO_ECANCELED, f->v.msg, NULL);
    else finish(f, CORO__FINISHED, 0, NULL, NULL);
}

static void gnode_fn(coro_loop *loop, struct coro__node *n, int op)
{
    struct gnode *gn = (struct gnode *)(void *)n;
    (void)loop;
    if (op == CORO__HOLD) {
        coro_ref(&gn->g->f);
        return;
    }
    if (op == CORO__RUN) gather_child_done(gn->g, gn->child);
    coro_unref(&gn->g->f);
}

static struct coro__group *gather_group(coro_future *f)
{
    return &((struct gather *)(void *)f)->grp;
}

static void gather_release(coro_future *f)
{
    struct gather *g = (struct gather *)(void *)f;
    size_t i;
    for (i = 0; i < g->nuniq; i++)
        if (PENDING(g->nodes[i].child)) coro__unlink_node(g->nodes[i].child, &g->nodes[i].n);
    coro__future_free_cbs(f);
    for (i = 0; i < g->grp.n; i++) coro_unref(g->grp.children[i]);
    coro__lfree(f->loop, g, gather_size(g->grp.n, g->nuniq));
}

static const struct coro__futops gather_ops = {coro__cancel, gather_release, gather_group};

coro_future *coro_gather(coro_loop *loop, size_t n, coro_future *const futs[], int flags)
{
    struct gather *g;
    size_t i, u, k;
    if (loop == NULL || loop->closing || (n > 0 && futs == NULL)) return NULL;
    if (n == 0) {
        coro_future *f = coro_future_new(loop);
        if (f != NULL) coro_set_result(f, NULL);
        return f;
    }
    u = count_unique(loop, n, futs);
    if (u == 0) return NULL;
    if (n > ((size_t)-1 - sizeof *g) / (sizeof(struct gnode) + sizeof(coro_future *))) return NULL;
    g = (struct gather *)coro__lalloc(loop, gather_size(n, u));
    if (g == NULL) return NULL;
    coro__future_init(&g->f, loop, CORO__K_GATHER, &gather_ops);
    g->grp.cancelreq = 0;
    g->grp.n = n;
    g->nuniq = u;
    g->nfinished = 0;
    g->flags = flags;
    g->grp.children = (coro_future **)(void *)&g->nodes[u];
    for (i = 0, k = 0; i < n; i++) {
        coro_future *c = futs[i];
        g->grp.children[i] = c;
        coro_ref(c);
        if (c->flags & CORO__MARK) continue;        /* duplicate: one node only */
        c->flags |= CORO__MARK;
        g->nodes[k].n.fn = gnode_fn;
        g->nodes[k].g = g;
        g->nodes[k].child = c;
        if (PENDING(c)) coro__add_node(c, &g->nodes[k].n);
        else coro__push(loop, &g->nodes[k].n);
        k++;
    }
    for (i = 0; i < n; i++) futs[i]->flags &= (unsigned char)~CORO__MARK;
    return &g->f;
}

/* ------------------------------------------------------------------ wait */

struct waitf;
struct wnode {
    struct coro__node n;
    struct waitf *w;
    coro_future *child;
};

struct waitf {
    coro_future f;
    struct coro__tnode timer;   /* the timeout; fn is NULL without one */
    size_t n, counter;
    int mode;
    struct wnode nodes[];       /* n entries, one per distinct child */
};

static size_t wait_size(size_t n) { return offsetof(struct waitf, nodes) + n * sizeof(struct wnode); }

/* Stop listening: what 3.11's wait does in its finally block. */
static void wait_detach(struct waitf *w)
{
    size_t i;
    if (w->timer.u.hidx != CORO__NOHEAP) coro__timer_stop(w->f.loop, &w->timer);
    for (i = 0; i < w->n; i++)
        if (PENDING(w->nodes[i].child)) coro__unlink_node(w->nodes[i].child, &w->nodes[i].n);
}

static void wait_release_waiter(struct waitf *w)
{
    if (!PENDING(&w->f)) return;
    finish(&w->f, CORO__FINISHED, 0, NULL, NULL);
    wait_detach(w);
}

static void wnode_fn(coro_loop *loop, struct coro__node *n, int op)
{
    struct wnode *wn = (struct wnode *)(void *)n;
    struct waitf *w = wn->w;
    coro_future *c = wn->child;
    (void)loop;
    if (op == CORO__HOLD) {
        coro_ref(&w->f);
        return;
    }
    if (op == CORO__RUN) {
        w->counter--;
        if (w->counter == 0 || w->mode == CORO_FIRST_COMPLETED ||
            (w->mode == CORO_FIRST_EXCEPTION && !coro_cancelled(c) && coro_error(c) != 0))
            wait_release_waiter(w);
    }
    coro_unref(&w->f);
}

static void wtimer_fn(coro_loop *loop, struct coro__node *n, int op)
{
    struct waitf *w = CONTAINER(n, struct waitf, timer);
    (void)loop;
    if (op == CORO__HOLD) {
        coro_ref(&w->f);
        return;
    }
    if (op == CORO__RUN) wait_release_waiter(w);
    coro_unref(&w->f);
}

static int wait_cancel(coro_future *f, const char *msg)
{
    int r = coro__future_cancel(f, msg);
    if (r == 1) wait_detach((struct waitf *)(void *)f);
    return r;
}

static void wait_release(coro_future *f)
{
    struct waitf *w = (struct waitf *)(void *)f;
    size_t i;
    wait_detach(w);
    coro__future_free_cbs(f);
    for (i = 0; i < w->n; i++) coro_unref(w->nodes[i].child);
    if (w->timer.n.fn != NULL) coro__heap_unreserve(f->loop);
    coro__lfree(f->loop, w, wait_size(w->n));
}

static const struct coro__futops wait_ops = {wait_cancel, wait_release, NULL};

coro_future *coro_wait(coro_loop *loop, size_t n, coro_future *const futs[], int mode,
                       coro_time timeout)
{
    struct waitf *w;
    size_t i, u, k;
    if (loop == NULL || loop->closing || n == 0 || futs == NULL) return NULL;
    if (mode != CORO_FIRST_COMPLETED && mode != CORO_FIRST_EXCEPTION && mode != CORO_ALL_COMPLETED)
        return NULL;
    if (timeout != CORO_FOREVER && !coro__valid_delay(timeout)) return NULL;
    u = count_unique(loop, n, futs);
    if (u == 0 || u > ((size_t)-1 - sizeof *w) / sizeof(struct wnode)) return NULL;
    if (timeout != CORO_FOREVER && coro__heap_reserve(loop) != 0) return NULL;
    w = (struct waitf *)coro__lalloc(loop, wait_size(u));
    if (w == NULL) {
        if (timeout != CORO_FOREVER) coro__heap_unreserve(loop);
        return NULL;
    }
    coro__future_init(&w->f, loop, CORO__K_WAIT, &wait_ops);
    w->n = w->counter = u;
    w->mode = mode;
    w->timer.n.fn = NULL;
    w->timer.u.hidx = CORO__NOHEAP;
    for (i = 0, k = 0; i < n; i++) {
        coro_future *c = futs[i];
        if (c->flags & CORO__MARK) continue;        /* asyncio makes a set of them */
        c->flags |= CORO__MARK;
        coro_ref(c);
        w->nodes[k].n.fn = wnode_fn;
        w->nodes[k].w = w;
        w->nodes[k].child = c;
        if (PENDING(c)) coro__add_node(c, &w->nodes[k].n);
        else coro__push(loop, &w->nodes[k].n);
        k++;
    }
    for (i = 0; i < n; i++) futs[i]->flags &= (unsigned char)~CORO__MARK;
    if (timeout != CORO_FOREVER) {
        w->timer.n.fn = wtimer_fn;
        coro__timer_start(loop, &w->timer, coro__now(loop) + timeout);
    }
    return &w->f;
}

/* ---------------------------------------------------------------- shield */

struct shield {
    coro_future f;
    coro_future *inner;
    struct coro__node n;        /* on inner's callbacks */
    struct coro__node on;       /* on its own callbacks: 3.11's _outer_done_callback */
};

static void shield_fn(coro_loop *loop, struct coro__node *n, int op)
{
    struct shield *s = CONTAINER(n, struct shield, n);
    coro_future *in = s->inner;
    (void)loop;
    if (op == CORO__HOLD) {
        coro_ref(&s->f);
        return;
    }
    if (op == CORO__RUN) {
        if (!PENDING(&s->f)) {
            if (!coro_cancelled(in)) retrieve(in);
        } else if (coro_cancelled(in)) {
            coro__future_cancel(&s->f, in->v.msg);  /* keeps the inner's message */
        } else {
            retrieve(in);
            finish(&s->f, CORO__FINISHED, in->err, in->v.msg, in->v.result);
        }
    }
    coro_unref(&s->f);
}

/* The shield is done: stop listening to the inner, one iteration later as
 * 3.11 does.  Unlinking at cancel time instead would miss an inner that fails
 * in that same iteration, whose error 3.11 marks as retrieved. */
static void shield_on_fn(coro_loop *loop, struct coro__node *n, int op)
{
    struct shield *s = CONTAINER(n, struct shield, on);
    (void)loop;
    if (op == CORO__HOLD) {
        coro_ref(&s->f);
        return;
    }
    if (op == CORO__RUN && PENDING(s->inner)) coro__unlink_node(s->inner, &s->n);
    coro_unref(&s->f);
}

static void shield_release(coro_future *f)
{
    struct shield *s = (struct shield *)(void *)f;
    if (PENDING(s->inner)) coro__unlink_node(s->inner, &s->n);
    coro__future_free_cbs(f);
    coro_unref(s->inner);
    coro__lfree(f->loop, s, sizeof *s);
}

static const struct coro__futops shield_ops = {coro__future_cancel, shield_release, NULL};

coro_future *coro_shield(coro_loop *loop, coro_future *fut)
{
    struct shield *s;
    if (loop == NULL || fut == NULL || fut->loop != loop || loop->closing) return NULL;
    if (!PENDING(fut)) {
        coro_ref(fut);
        return fut;
    }
    s = (struct shield *)coro__lalloc(loop, sizeof *s);
    if (s == NULL) return NULL;
    coro__future_init(&s->f, loop, CORO__K_SHIELD, &shield_ops);
    s->inner = fut;
    coro_ref(fut);
    s->n.fn = shield_fn;
    coro__add_node(fut, &s->n);
    s->on.fn = shield_on_fn;
    coro__add_node(&s->f, &s->on);
    return &s->f;
}

/* ----------------------------------------------------------------- sleep */

struct sleepf {
    coro_future f;
    struct coro__tnode t;
};

static void sleep_fn(coro_loop *loop, struct coro__node *n, int op)
{
    struct sleepf *s = CONTAINER(n, struct sleepf, t);
    (void)loop;
    if (op == CORO__HOLD) {
        coro_ref(&s->f);
        return;
    }
    if (op == CORO__RUN && PENDING(&s->f)) finish(&s->f, CORO__FINISHED, 0, NULL, NULL);
    coro_unref(&s->f);
}

static int sleep_cancel(coro_future *f, const char *msg)
{
    struct sleepf *s = (struct sleepf *)(void *)f;
    int r = coro__future_cancel(f, msg);
    if (r == 1 && s->t.u.hidx != CORO__NOHEAP) coro__timer_stop(f->loop, &s->t);
    return r;
}

static void sleep_release(coro_future *f)
{
    struct sleepf *s = (struct sleepf *)(void *)f;
    if (s->t.u.hidx != CORO__NOHEAP) coro__timer_stop(f->loop, &s->t);
    coro__heap_unreserve(f->loop);
    coro__future_free_cbs(f);
    coro__lfree(f->loop, s, sizeof *s);
}

static const struct coro__futops sleep_ops = {sleep_cancel, sleep_release, NULL};

coro_future *coro_sleep(coro_loop *loop, coro_time ms)
{
    struct sleepf *s;
    if (loop == NULL || loop->closing || !coro__valid_delay(ms)) return NULL;
    if (coro__heap_reserve(loop) != 0) return NULL;
    s = (struct sleepf *)coro__lalloc(loop, sizeof *s);
    if (s == NULL) {
        coro__heap_unreserve(loop);
        return NULL;
    }
    coro__future_init(&s->f, loop, CORO__K_SLEEP, &sleep_ops);
    s->t.n.fn = sleep_fn;
    s->t.u.hidx = CORO__NOHEAP;
    coro__timer_start(loop, &s->t, coro__now(loop) + ms);
    return &s->f;
}

/* -------------------------------------------------------------- wait_for */

/* coro_wait_for is a task that runs 3.11's wait_for (so it behaves as
 * ensure_future(wait_for(fut, timeout))).  Its waiter future, the timer and
 * the callback it puts on `fut` live in its frame. */
enum { WF_DONE = 1, WF_TIMEOUT, WF_CANCELLED };

struct wf {
    coro_frame co;
    coro_future *fut;
    const char *msg;            /* message of the cancel that reached us */
    struct coro__tnode timer;   /* the timeout: releases the waiter */
    struct coro__node rel;      /* on fut's callbacks: releases the waiter */
    coro_future waiter;         /* embedded: never freed by its refcount */
    coro_time timeout;
    int err;
    unsigned char state, was_done, cancel_sent, rel_reg;
};

static void wf_release_waiter(struct wf *w)
{
    if (PENDING(&w->waiter)) finish(&w->waiter, CORO__FINISHED, 0, NULL, NULL);
}

static void wf_node(struct wf *w, int op)
{
    if (op == CORO__HOLD) {
        coro_ref(&CORO__FRAME_TASK(&w->co)->f);
        return;
    }
    if (op == CORO__RUN) wf_release_waiter(w);
    coro_unref(&CORO__FRAME_TASK(&w->co)->f);
}

static void wf_rel_fn(coro_loop *loop, struct coro__node *n, int op)
{
    struct wf *w = CONTAINER(n, struct wf, rel);
    (void)loop;
    if (op == CORO__HOLD) w->rel_reg = 0;           /* fut completed: no longer registered */
    wf_node(w, op);
}

static void wf_timer_fn(coro_loop *loop, struct coro__node *n, int op)
{
    struct wf *w = CONTAINER(n, struct wf, timer);
    (void)loop;
    /* 3.11 cancels the timeout handle only in wait_for's finally, so after
     * a cancel it stays armed through _cancel_and_wait; firing then only
     * "releases" the first waiter, which is done: a no-op here too (the
     * embedded waiter is being reused). */
    if (op == CORO__RUN && w->state != 0) op = CORO__DROP;
    wf_node(w, op);
}

/* fut.add_done_callback(_release_waiter) */
static void wf_watch(struct wf *w)
{
    if (PENDING(w->fut)) {
        coro__add_node(w->fut, &w->rel);
        w->rel_reg = 1;
    } else {
        coro__push(w->fut->loop, &w->rel);
    }
}

/* fut.remove_done_callback(_release_waiter) and timeout_handle.cancel() */
static void wf_unwatch(struct wf *w)
{
    if (w->rel_reg) coro__unlink_node(w->fut, &w->rel);
    w->rel_reg = 0;
    if (w->timer.u.hidx != CORO__NOHEAP) coro__timer_stop(w->fut->loop, &w->timer);
}

static int wf_co(coro_frame *co)
{
    struct wf *w = (struct wf *)co;
    CORO_BEGIN(co);
    if (coro_last_error(co) == CORO_ECANCELED) {
        /* cancelled before its first step: still cancel fut and wait for it */
        w->state = WF_CANCELLED;
        w->msg = coro_last_message(co);
    } else if (w->timeout == 0) {
        /* coro_wait_for already cancelled fut, unless it was done */
        w->state = w->was_done ? WF_DONE : WF_TIMEOUT;
    } else {
        coro__timer_start(w->fut->loop, &w->timer, coro__now(w->fut->loop) + w->timeout);
        wf_watch(w);
        CORO_AWAIT_TRY(co, &w->waiter);
        if (w->rel_reg) coro__unlink_node(w->fut, &w->rel);    /* the timer stays (see wf_timer_fn) */
        w->rel_reg = 0;
        if (coro_last_error(co) == CORO_ECANCELED) {
            w->state = WF_CANCELLED;    /* even if fut is done too (gh-86296) */
            w->msg = coro_last_message(co);
        } else {
            w->state = coro_done(w->fut) ? WF_DONE : WF_TIMEOUT;
        }
    }
    if (w->state == WF_TIMEOUT || (w->state == WF_CANCELLED && !coro_done(w->fut))) {
        /* 3.11's _cancel_and_wait: cancel fut and wait until it is done */
        w->waiter.flags = CORO__EMBEDDED;               /* pending again */
        wf_watch(w);
        if (!w->cancel_sent) coro_cancel(w->fut, w->state == WF_CANCELLED ? w->msg : NULL);
        CORO_AWAIT_TRY(co, &w->waiter);
        wf_unwatch(w);
        if (coro_last_error(co) == CORO_ECANCELED) {
            /* cancelled (again) while waiting: as in 3.11, this cancel's
             * CancelledError is the one that escapes, with its message */
            w->state = WF_CANCELLED;
            w->msg = coro_last_message(co);
        }
    }
    wf_unwatch(w);                                      /* finally: timeout_handle.cancel() */
    if (w->state == WF_CANCELLED) CORO_RAISE(co, CORO_ECANCELED, w->msg);
    w->err = coro_error(w->fut);
    if (w->state == WF_TIMEOUT && coro_cancelled(w->fut)) CORO_RAISE(co, CORO_ETIMEDOUT, NULL);
    if (w->err != 0) CORO_RAISE(co, w->err, coro_message(w->fut));
    CORO_RETURN(co, coro_result(w->fut));
    CORO_END(co);
}

static void wf_release(coro_future *f)
{
    struct wf *w = (struct wf *)(void *)CORO__ROOT((struct coro__task *)(void *)f);
    wf_unwatch(w);
    coro_unref(w->fut);
    coro__task_release(f);
}

static const struct coro__futops wf_ops = {coro__cancel, wf_release, NULL};

coro_future *coro_wait_for(coro_loop *loop, coro_future *fut, coro_time timeout)
{
    struct wf init;
    struct wf *w;
    coro_future *t;
    if (loop == NULL || fut == NULL || fut->loop != loop) return NULL;
    if (timeout == CORO_FOREVER) {
        coro_ref(fut);
        return fut;
    }
    if (!coro__valid_delay(timeout)) return NULL;
    memset(&init, 0, sizeof init);
    t = coro__task_new(loop, wf_co, &init, sizeof init, CORO__K_WAITFOR, &wf_ops);
    if (t == NULL) return NULL;
    ((struct coro__task *)(void *)t)->f.tb |= CORO__T_RUNBODY;
    w = (struct wf *)(void *)CORO__ROOT((struct coro__task *)(void *)t);
    w->fut = fut;
    coro_ref(fut);
    w->timeout = timeout;
    w->was_done = (unsigned char)!PENDING(fut);
    w->timer.n.fn = wf_timer_fn;
    w->timer.u.hidx = CORO__NOHEAP;
    w->rel.fn = wf_rel_fn;
    coro__future_init(&w->waiter, loop, CORO__K_PLAIN, NULL);
    w->waiter.flags = CORO__EMBEDDED;
    if (timeout == 0 && !w->was_done) {
        coro_cancel(fut, NULL);     /* at once: a task not started never runs */
        w->cancel_sent = 1;
    }
    return t;
}
