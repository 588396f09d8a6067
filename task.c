/*
 * task.c - tasks: a future that drives a chain of coroutine frames.
 *
 * A task owns its root frame (in the same allocation) and, while it awaits a
 * sub-coroutine, the child frames above it; task->top is the frame to resume,
 * so a resume is O(1) whatever the depth.  The task's one node is its
 * wake-up: it sits in the ready queue, in the callback list of the awaited
 * future, in the timer heap (sleep) or in an fd slot, never in two at once.
 *
 * Cancellation follows asyncio 3.11's Task.cancel: the request cancels what
 * the task waits for (recursively, but iterating down chains of tasks so the
 * C stack stays flat), or is remembered (MUSTCANCEL) and delivered as
 * CORO_ECANCELED at the next resume.
 */
#include <limits.h>
#include <string.h>
#include "coro_internal.h"

#define TASK(f) ((struct coro__task *)(void *)(f))
#define TASK_OF_NODE(n) ((struct coro__task *)(void *)((char *)(n) - offsetof(struct coro__task, node)))

static void task_step(coro_loop *loop, struct coro__task *t);

/* Free the child frame on top of `t` and return to its caller. */
static void pop_child(struct coro__task *t)
{
    struct coro__child *c = CORO__CHILD_OF(t->top);
    t->top = c->parent;
    coro__lfree(t->f.loop, c, c->size);
}

static void set_last(struct coro__task *t, int err, const char *msg)
{
    t->f.err = err;
    if (err) t->f.v.msg = msg;
    else t->f.v.result = NULL;
}

/* Wake `t` in the next iteration with outcome (err, msg).  This is the hot
 * path of every yield and fd wake-up.  A task's node takes no reference when
 * it is queued (the loop holds every pending task: task_node_fn ignores
 * CORO__HOLD), so it is appended here directly instead of through
 * coro__push, which would make that indirect call. */
void coro__task_wake(struct coro__task *t, int err, const char *msg)
{
    coro_loop *loop = t->f.loop;
    set_last(t, err, msg);
    CORO__SETWAIT(t, CORO__W_READY);
    t->node.n.next = NULL;
    if (loop->rq_tail) loop->rq_tail->next = &t->node.n;
    else loop->rq_head = &t->node.n;
    loop->rq_tail = &t->node.n;
}

static void task_node_fn(coro_loop *loop, struct coro__node *n, int op)
{
    struct coro__task *t = TASK_OF_NODE(n);
    coro_future *f;
    if (op != CORO__RUN) return;            /* the loop keeps pending tasks alive */
    switch (CORO__WAIT(t)) {
    case CORO__W_TIMER:
        /* The sleep's timer fired this iteration; like asyncio's sleep future
         * the task itself resumes in the next one. */
        CORO__SETWAIT(t, CORO__W_READY);
        coro__push(loop, n);
        return;
    case CORO__W_FUTURE:
        f = t->node.u.fut;
        t->node.u.fut = NULL;
        t->f.err = f->err;
        t->f.v = f->v;
        f->flags &= (unsigned char)~CORO__LOGTB;    /* an await retrieves the error */
        coro_unref(f);
        break;
    default:
        break;
    }
    task_step(loop, t);
}

static void task_finish(coro_loop *loop, struct coro__task *t)
{
    unsigned state = CORO__FINISHED;
    int err = t->f.err;
    union coro__val v = t->f.v;
    if (err == 0 && (t->f.tb & CORO__T_MUSTCANCEL)) {
        /* cancelled right before the coroutine returned */
        state = CORO__CANCELLED;
        err = CORO_ECANCELED;
        v.msg = t->cancel_msg;
    } else if (err == CORO_ECANCELED) {
        state = CORO__CANCELLED;
    }
    t->f.tb &= (unsigned char)~CORO__T_MUSTCANCEL;
    CORO__SETWAIT(t, CORO__W_NONE);
    coro__task_unlink(loop, t);
    coro__heap_unreserve(loop);
    coro__complete(&t->f, state, err, v);
    coro_unref(&t->f);                      /* the loop's reference */
}

/* Ask the current wait of `t` to take a cancellation.  1 if it did (the
 * coroutine will see CORO_ECANCELED through it), 0 if the request must be
 * remembered until the next resume. */
static int cancel_wait(struct coro__task *t, const char *msg)
{
    coro_loop *loop = t->f.loop;
    switch (CORO__WAIT(t)) {
    case CORO__W_FUTURE:
        if (CORO__FSTATE(t->node.u.fut) != CORO__PENDING) return 0;
        return coro_cancel(t->node.u.fut, msg) == 1;
    case CORO__W_TIMER:
        if (t->node.u.hidx == CORO__NOHEAP) {
            /* fired and queued: the sleep "future" is still pending until the
             * node runs, so it can take the cancel once */
            if (t->f.err == CORO_ECANCELED) return 0;
            set_last(t, CORO_ECANCELED, msg);
            return 1;
        }
        coro__timer_stop(loop, &t->node);
        coro__task_wake(t, CORO_ECANCELED, msg);
        return 1;
#if CORO_POSIX
    case CORO__W_FD:
        coro__fd_unwatch_task(loop, t);
        coro__task_wake(t, CORO_ECANCELED, msg);
        return 1;
#endif
    case CORO__W_EVENT:
        t->f.loop->ev_unwait(t);
        coro__task_wake(t, CORO_ECANCELED, msg);
        return 1;
    default:
        return 0;
    }
}

/* The rare cases at the start of a step: an event wake-up, a cancel to
 * deliver, an error thrown into a coroutine that never started.  1 if the
 * task finished here. */
static int step_preamble(coro_loop *loop, struct coro__task *t)
{
    coro_frame *root = CORO__ROOT(t);
    if (t->f.tb & CORO__T_EVWAKE) {
        /* Woken by an event: sets that came after the wake-up was queued
         * coalesce into this step (the task reads the event's data now),
         * unless other tasks wait for the event again: theirs, then. */
        t->f.tb &= (unsigned char)~CORO__T_EVWAKE;
        if (t->node.u.ev->waiters == NULL) t->node.u.ev->set = 0;
    }
    if (t->f.tb & CORO__T_MUSTCANCEL) {
        t->f.tb &= (unsigned char)~CORO__T_MUSTCANCEL;
        if (t->f.err != CORO_ECANCELED) set_last(t, CORO_ECANCELED, t->cancel_msg);
    }
    if (t->f.err != 0 && t->top == root && root->phase == CORO__BODY && root->lc == 0 &&
        !(t->f.tb & CORO__T_RUNBODY)) {
        /* An error (a cancel) thrown into a coroutine that never started:
         * it ends with that error and its body never runs, as in asyncio. */
        task_finish(loop, t);
        return 1;
    }
    return 0;
}

static void task_step(coro_loop *loop, struct coro__task *t)
{
    struct coro__task *prev = loop->current;
    coro_frame *fr;
    int st;

    CORO__SETWAIT(t, CORO__W_NONE);
    if (((t->f.tb & (CORO__T_EVWAKE | CORO__T_MUSTCANCEL)) || t->f.err != 0) &&
        step_preamble(loop, t))
        return;
    loop->current = t;
    CORO_TRACE_TASK_STEP(t);
    for (;;) {
        fr = t->top;
        st = fr->fn(fr);
        if (st == CORO__SUSPEND) break;
        if (st == CORO__CALL) continue;     /* a child frame was pushed */
        /* CORO__DONE: the frame's outcome becomes its caller's last outcome */
        t->f.err = fr->err;
        t->f.v = fr->val;
        if (!(fr->phase & CORO__CHILD)) {
            loop->current = prev;
            task_finish(loop, t);
            return;
        }
        pop_child(t);
    }
    loop->current = prev;
    if ((t->f.tb & CORO__T_MUSTCANCEL) && cancel_wait(t, t->cancel_msg))
        t->f.tb &= (unsigned char)~CORO__T_MUSTCANCEL;
}

/* Stop `t` waiting for its future and wake it with CORO_ECANCELED: how a
 * cancel breaks a cycle of awaits (3.11 would raise RecursionError). */
static void break_wait(struct coro__task *t, const char *msg)
{
    coro_future *fut = t->node.u.fut;
    if (CORO__FSTATE(fut) == CORO__PENDING) coro__unlink_node(fut, &t->node.n);
    t->node.u.fut = NULL;
    coro__task_wake(t, CORO_ECANCELED, msg);
    coro_unref(fut);
}

#define GROUP(f) (CORO__KIND(f) != CORO__K_PLAIN && CORO__OPS(f)->group != NULL)

/* Task.cancel, down a chain of tasks each awaiting the next (Task.cancel of a
 * pending task always returns 1, so the walk needs no recursion).  Returns
 * 0 or 1; or -1 when the chain ends at task *tp awaiting the pending group
 * *gp, which the caller must cancel before deciding *tp's fate. */
static int task_walk(coro_future *f, const char *msg, coro_future **gp, struct coro__task **tp)
{
    struct coro__task *t = TASK(f);
    int r = 1;
    f->flags &= (unsigned char)~CORO__LOGTB;
    if (CORO__FSTATE(f) != CORO__PENDING) return 0;
    for (;;) {
        coro_future *next;
        if (t->f.ncancel < (coro__ncancel_t)-1) t->f.ncancel++;
        t->f.flags |= CORO__MARK;           /* on the walk: meeting it again is a cycle */
        next = CORO__WAIT(t) == CORO__W_FUTURE ? t->node.u.fut : NULL;
        if (next != NULL && CORO__FSTATE(next) == CORO__PENDING &&
            (CORO__ISTASKF(next) || GROUP(next))) {
            if (next->flags & CORO__MARK) {
                break_wait(t, msg);         /* a cycle of awaits closes at t */
            } else if (CORO__ISTASKF(next)) {
                t = TASK(next);
                continue;
            } else {
                *gp = next;
                *tp = t;
                r = -1;
            }
        } else if (!cancel_wait(t, msg) && !(t->f.tb & CORO__T_MUSTCANCEL)) {
            t->f.tb |= CORO__T_MUSTCANCEL;
            t->cancel_msg = msg;            /* a later cancel keeps this message */
        }
        break;
    }
    /* clear the marks along the same path */
    for (t = TASK(f); t->f.flags & CORO__MARK; t = TASK(t->node.u.fut)) {
        t->f.flags &= (unsigned char)~CORO__MARK;
        if (CORO__WAIT(t) != CORO__W_FUTURE || !CORO__ISTASKF(t->node.u.fut)) break;
    }
    return r;
}

/* coro_cancel for tasks and groups (gathers).  asyncio recurses here: a
 * task cancels what it awaits, a gather cancels each child.  coro keeps the
 * groups being cancelled on a stack threaded through the groups themselves,
 * so the C stack stays flat however deep the nesting.  A group met again
 * while it is on the stack closes a cycle: the task awaiting it stops
 * waiting and sees the cancellation. */
int coro__cancel(coro_future *f, const char *msg)
{
    struct coro__group *top = NULL, *g;
    struct coro__task *t = NULL;
    coro_future *x = f, *grp = NULL;
    int r;
    for (;;) {
        /* cancel x, or push the group to cancel */
        if (GROUP(x)) {
            x->flags &= (unsigned char)~CORO__LOGTB;
            r = CORO__FSTATE(x) == CORO__PENDING ? -1 : 0;
            grp = x;
            t = NULL;
        } else if (CORO__ISTASKF(x)) {
            r = task_walk(x, msg, &grp, &t);
        } else {
            r = coro_cancel(x, msg);        /* a leaf: never calls back here */
        }
        if (r < 0) {
            g = CORO__OPS(grp)->group(grp);
            grp->flags |= CORO__MARK;
            g->up = top;
            g->awaiter = t;
            g->self = grp;
            g->i = 0;
            g->ret = 0;
            top = g;
        }
        /* hand results down the stack until a group has a child left */
        for (;;) {
            if (top == NULL) return r;
            if (r == 1) top->ret = 1;
            if (top->i < top->n) {
                x = top->children[top->i++];
                break;
            }
            g = top;
            top = g->up;
            x = g->self;
            x->flags &= (unsigned char)~CORO__MARK;
            r = g->ret;
            if (r && CORO__FSTATE(x) == CORO__PENDING && !g->cancelreq) {
                g->cancelreq = 1;               /* the group ends cancelled */
                x->v.msg = msg;
            }
            if (g->awaiter != NULL) {
                /* the end of Task.cancel for the task that awaited the group */
                t = g->awaiter;
                if (!r && !(t->f.tb & CORO__T_MUSTCANCEL)) {
                    t->f.tb |= CORO__T_MUSTCANCEL;
                    t->cancel_msg = msg;
                }
                r = 1;
            }
        }
    }
}

void coro__task_release(coro_future *f)
{
    struct coro__task *t = TASK(f);
    coro__future_free_cbs(f);
    if (t->f.tb & CORO__T_NAMED) coro__free(t->id.name, strlen(t->id.name) + 1);
    coro__lfree(t->f.loop, t, t->f.tsize);
}

/* Loop teardown of a pending task: undo its wait and free its child frames.
 * Its finally blocks do not run. */
void coro__task_destroy(struct coro__task *t)
{
    coro_frame *root = CORO__ROOT(t);
    switch (CORO__WAIT(t)) {
    case CORO__W_FUTURE:
        if (CORO__FSTATE(t->node.u.fut) == CORO__PENDING) coro__unlink_node(t->node.u.fut, &t->node.n);
        coro_unref(t->node.u.fut);
        t->node.u.fut = NULL;
        break;
    case CORO__W_TIMER:
        if (t->node.u.hidx != CORO__NOHEAP) coro__timer_stop(t->f.loop, &t->node);
        break;
#if CORO_POSIX
    case CORO__W_FD:
        coro__fd_unwatch_task(t->f.loop, t);
        break;
#endif
    case CORO__W_EVENT:
        t->f.loop->ev_unwait(t);
        break;
    default:
        break;
    }
    CORO__SETWAIT(t, CORO__W_NONE);
    while (t->top != root) pop_child(t);
}

const struct coro__futops coro__task_ops = {coro__cancel, coro__task_release, NULL};

coro_future *coro__task_new(coro_loop *loop, coro_fn fn, const void *init, size_t size,
                            unsigned kind, const struct coro__futops *ops)
{
    struct coro__task *t;
    coro_frame *root;
    size_t total;
    if (loop == NULL || fn == NULL || size < sizeof(coro_frame) || loop->closing) return NULL;
    if (size > (size_t)UINT_MAX - CORO__ROOT_OFFSET) return NULL;
    total = CORO__ROOT_OFFSET + size;
    /* Every task may sleep: reserve its heap slot now so sleeping never allocates. */
    if (coro__heap_reserve(loop) != 0) return NULL;
    t = (struct coro__task *)coro__lalloc(loop, total);
    if (t == NULL) {
        coro__heap_unreserve(loop);
        return NULL;
    }
    coro__future_init(&t->f, loop, kind, ops);
    t->f.refs = 2;                          /* the caller's and the loop's */
    t->node.n.fn = task_node_fn;
    t->node.u.fut = NULL;
    root = t->top = CORO__ROOT(t);
    if (init != NULL) memcpy(root, init, size);
    else memset(root, 0, size);
    root->fn = fn;
    root->val.result = NULL;
    t->f.tsize = (unsigned)total;
    root->lc = 0;
    root->err = 0;
    root->phase = CORO__BODY;
    t->cancel_msg = NULL;
    t->id.num = ++loop->taskno;
    t->f.ncancel = 0;
    coro__task_link(loop, t);
    CORO__SETWAIT(t, CORO__W_READY);                /* first step: tail of the ready queue */
    coro__push(loop, &t->node.n);
    return &t->f;
}

coro_future *coro_create_task(coro_loop *loop, coro_fn fn, const void *init, size_t size)
{
    return coro__task_new(loop, fn, init, size, CORO__K_TASK, &coro__task_ops);
}

/* ----------------------------------------------------- the await helpers */


int coro__await(coro_frame *co, coro_future *fut, int take)
{
    struct coro__task *t = CORO__FRAME_TASK(co);
    if (fut == NULL) {
        set_last(t, CORO_ENOMEM, "awaited a NULL future");
        return 0;
    }
    if (CORO__FSTATE(fut) != CORO__PENDING) {
        /* done: continue at once, with no loop trip */
        t->f.err = fut->err;
        t->f.v = fut->v;
        fut->flags &= (unsigned char)~CORO__LOGTB;
        if (take) coro_unref(fut);
        return 0;
    }
    if (fut->loop != t->f.loop) {
        set_last(t, CORO_EINVAL, "awaited a future of another loop");
        if (take) coro_unref(fut);
        return 0;
    }
    if (fut == &t->f) {
        if (take) coro_unref(fut);
        coro__task_wake(t, CORO_EDEADLK, "a task cannot await itself");
        return 1;
    }
    if (!take) coro_ref(fut);               /* the task holds a reference while it waits */
    t->node.u.fut = fut;
    CORO__SETWAIT(t, CORO__W_FUTURE);
    coro__add_node(fut, &t->node.n);
    return 1;
}

int coro__call(coro_frame *co, coro_fn fn, const void *init, size_t size)
{
    struct coro__task *t = CORO__FRAME_TASK(co);
    struct coro__child *c;
    coro_frame *fr;
    if (fn == NULL || size < sizeof(coro_frame) || size > (size_t)-1 - CORO__CHILD_OFFSET) {
        set_last(t, CORO_EINVAL, "CORO_AWAIT_CALL: NULL function or size below sizeof(coro_frame)");
        return 0;
    }
    c = (struct coro__child *)coro__lalloc(t->f.loop, CORO__CHILD_OFFSET + size);
    if (c == NULL) {
        set_last(t, CORO_ENOMEM, NULL);
        return 0;
    }
    c->parent = co;
    c->task = &t->f;
    c->size = CORO__CHILD_OFFSET + size;
    fr = (coro_frame *)(void *)((char *)c + CORO__CHILD_OFFSET);
    if (init != NULL) memcpy(fr, init, size);
    else memset(fr, 0, size);
    fr->fn = fn;
    fr->val.result = NULL;
    fr->lc = 0;
    fr->err = 0;
    fr->phase = CORO__BODY | CORO__CHILD;
    t->top = fr;
    return 1;
}

int coro__sleep(coro_frame *co, coro_time ms)
{
    struct coro__task *t = CORO__FRAME_TASK(co);
    coro_loop *loop = t->f.loop;
    if (ms > CORO_MAX_DELAY) {              /* !coro__valid_delay(ms), without a call */
        set_last(t, CORO_EINVAL, "sleep delay above CORO_MAX_DELAY");
        return 0;
    }
    if (ms == 0) {
        coro__task_wake(t, 0, NULL);        /* a bare yield: next iteration */
        return 1;
    }
    set_last(t, 0, NULL);
    CORO__SETWAIT(t, CORO__W_TIMER);
    coro__timer_start(loop, &t->node, coro__now(loop) + ms);
    return 1;
}

int coro__yield(coro_frame *co)
{
    coro__task_wake(CORO__FRAME_TASK(co), 0, NULL);    /* asyncio's bare yield: next iteration */
    return 1;
}

int coro__failed(coro_frame *co)
{
    struct coro__task *t = CORO__FRAME_TASK(co);
    if (t->f.err == 0) return 0;
    co->err = t->f.err;
    co->val.msg = t->f.v.msg;
    return 1;
}

int coro__unwind(coro_frame *co)
{
    if (CORO__PHASE(co) != CORO__BODY) return 0;  /* raised in the finally block: end */
    co->phase |= CORO__FINALLY;                 /* keeps the CORO__CHILD bit */
    co->lc = 0;
    return 1;
}

void coro__finally(coro_frame *co)
{
    struct coro__task *t = CORO__FRAME_TASK(co);
    if (CORO__PHASE(co) == CORO__FINALLY && co->lc != 0) return;  /* resuming inside it */
    co->phase = (unsigned char)((co->phase & ~3u) | CORO__FINALLY);
    co->lc = 0;
    t->f.err = co->err;                     /* coro_last_error: the error unwinding */
    t->f.v = co->val;
}

void coro__return(coro_frame *co, void *value)
{
    co->err = 0;
    co->val.result = value;
}

void coro__raise(coro_frame *co, int err, const char *msg)
{
    if (err == 0) {
        err = CORO_EINVAL;
        msg = "CORO_RAISE with error 0";
    }
    co->err = err;
    co->val.msg = msg;
}

int coro__bad_resume(coro_frame *co)
{
    co->err = CORO_EINVAL;
    co->val.msg = "unknown resume state (an await inside a switch?)";
    coro__report(CORO__FRAME_TASK(co)->f.loop,
                 "coroutine resumed at an unknown state: an await inside a switch "
                 "needs CORO_USE_LABELS=1",
                 &CORO__FRAME_TASK(co)->f, CORO_EINVAL);
    return CORO__DONE;
}

coro_loop *coro_loop_of(coro_frame *co) { return co ? CORO__FRAME_TASK(co)->f.loop : NULL; }

void *coro_last_result(coro_frame *co)
{
    if (co == NULL || CORO__FRAME_TASK(co)->f.err != 0) return NULL;
    return CORO__FRAME_TASK(co)->f.v.result;
}

int coro_last_error(coro_frame *co) { return co ? CORO__FRAME_TASK(co)->f.err : CORO_EINVAL; }

const char *coro_last_message(coro_frame *co)
{
    if (co == NULL || CORO__FRAME_TASK(co)->f.err == 0) return NULL;
    return CORO__FRAME_TASK(co)->f.v.msg;
}

/* ------------------------------------------------------ the tasks list */

void coro__task_link(coro_loop *loop, struct coro__task *t)
{
    t->next = NULL;
    t->prev = loop->tasks_tail;
    if (loop->tasks_tail) loop->tasks_tail->next = t;
    else loop->tasks = t;
    loop->tasks_tail = t;
    loop->ntasks++;
}

void coro__task_unlink(coro_loop *loop, struct coro__task *t)
{
    if (t->prev) t->prev->next = t->next;
    else loop->tasks = t->next;
    if (t->next) t->next->prev = t->prev;
    else loop->tasks_tail = t->prev;
    t->prev = t->next = NULL;
    loop->ntasks--;
}

coro_future *coro_current_task(coro_loop *loop)
{
    return loop && loop->current ? &loop->current->f : NULL;
}

void coro_all_tasks(coro_loop *loop, coro_done_fn cb, void *arg)
{
    struct coro__task *t, *next, *last;
    if (loop == NULL || cb == NULL || loop->tasks == NULL) return;
    /* Tasks created by cb are appended after `last` and not visited. */
    last = loop->tasks_tail;
    for (t = loop->tasks; t != NULL; t = next) {
        next = t->next;
        cb(&t->f, arg);
        if (t == last) break;
    }
}

size_t coro_task_count(coro_loop *loop) { return loop ? loop->ntasks : 0; }

int coro_cancelling(const coro_future *task)
{
    if (task == NULL || !CORO__ISTASKF(task)) return CORO_EINVAL;
    return task->ncancel;
}

int coro_uncancel(coro_future *task)
{
    struct coro__task *t = TASK(task);
    if (task == NULL || !CORO__ISTASKF(task)) return CORO_EINVAL;
    if (t->f.ncancel > 0) t->f.ncancel--;
    return t->f.ncancel;
}

/* ------------------------------------------------------------ names, repr */

/* Write `prefix`, a '-' if `neg`, and the decimal digits of `u` into buf,
 * which has room for them; returns the length.  Not sprintf: on a
 * microcontroller that would link all of printf into every program that
 * names a task. */
static size_t fmt_num(char *buf, const char *prefix, int neg, unsigned long u)
{
    char digits[3 * sizeof u];
    size_t n = strlen(prefix), k = 0;
    memcpy(buf, prefix, n);
    if (neg) buf[n++] = '-';
    do {
        digits[k++] = (char)('0' + u % 10u);
        u /= 10u;
    } while (u != 0);
    while (k > 0) buf[n++] = digits[--k];
    buf[n] = '\0';
    return n;
}

const char *coro_task_name(const coro_future *task)
{
    struct coro__task *t = TASK(task);
    char buf[24];
    char *name;
    size_t len;
    if (task == NULL || !CORO__ISTASKF(task)) return NULL;
    if (t->f.tb & CORO__T_NAMED) return t->id.name;
    /* Default names are formatted on first use and then kept. */
    len = fmt_num(buf, "Task-", 0, (unsigned long)t->id.num) + 1;
    name = (char *)coro__alloc(len);
    if (name == NULL) return NULL;
    memcpy(name, buf, len);
    t->id.name = name;
    t->f.tb |= CORO__T_NAMED;
    return name;
}

int coro_task_set_name(coro_future *task, const char *name)
{
    struct coro__task *t = TASK(task);
    size_t len;
    char *copy;
    if (task == NULL || name == NULL || !CORO__ISTASKF(task)) return CORO_EINVAL;
    len = strlen(name) + 1;
    copy = (char *)coro__alloc(len);
    if (copy == NULL) return CORO_ENOMEM;
    memcpy(copy, name, len);
    if (t->f.tb & CORO__T_NAMED) coro__free(t->id.name, strlen(t->id.name) + 1);
    t->id.name = copy;
    t->f.tb |= CORO__T_NAMED;
    return 0;
}

/* Ask the root coroutine who it is: call it once in the describe phase,
 * which CORO_BEGIN answers before touching the body, then restore the
 * header. */
static const struct coro__desc *describe(struct coro__task *t)
{
    coro_frame *root = CORO__ROOT(t);
    coro_frame saved = *root;
    const struct coro__desc *d = NULL;
    root->phase = CORO__DESCRIBE;
    if (root->fn(root) == CORO__DESCRIBED) d = root->val.desc;
    *root = saved;
    return d;
}

/* snprintf-style appending that tolerates running out of room. */
struct sbuf { char *p; size_t len, n; };

static void put(struct sbuf *b, const char *s)
{
    size_t k = strlen(s);
    if (b->n + 1 < b->len) {
        size_t room = b->len - 1 - b->n;
        memcpy(b->p + b->n, s, k < room ? k : room);
    }
    b->n += k;
}

static void put_outcome(struct sbuf *b, const coro_future *f)
{
    const char *name;
    char tmp[24];
    if (CORO__FSTATE(f) != CORO__FINISHED || f->err == 0) return;
    name = coro_errname(f->err);
    if (name == NULL) {
        size_t n = fmt_num(tmp, "error(", f->err < 0,
                           f->err < 0 ? 0ul - (unsigned long)f->err : (unsigned long)f->err);
        tmp[n] = ')';
        tmp[n + 1] = '\0';
        name = tmp;
    }
    put(b, " exception=");
    put(b, name);
    put(b, f->v.msg ? "('" : "(");
    if (f->v.msg) put(b, f->v.msg);
    put(b, f->v.msg ? "')" : ")");
}

int coro_task_repr(const coro_future *f, char *buf, size_t len)
{
    struct sbuf b;
    static const char *states[] = {"pending", "finished", "cancelled"};
    const char *state;
    if (f == NULL || (buf == NULL && len > 0)) return CORO_EINVAL;
    b.p = buf;
    b.len = len;
    b.n = 0;
    state = states[CORO__FSTATE(f)];
    if (!CORO__ISTASKF(f)) {
        put(&b, "<Future ");
        put(&b, state);
        put_outcome(&b, f);
    } else {
        struct coro__task *t = TASK(f);
        const struct coro__desc *d = describe(t);
        const char *name = coro_task_name(f);
        unsigned long line = d ? d->line : 0;
        if (CORO__FSTATE(f) == CORO__PENDING && t->f.ncancel > 0) state = "cancelling";
        put(&b, "<Task ");
        put(&b, state);
        put(&b, " name='");
        put(&b, name ? name : "?");
        put(&b, "' coro=<");
        put(&b, d ? d->func : "?");
        if (CORO__FSTATE(f) == CORO__PENDING) {
#if !CORO_USE_LABELS
            if (CORO__ROOT(t)->lc != 0) line = CORO__ROOT(t)->lc;
#endif
            put(&b, "() running at ");
        } else {
            put(&b, "() done, defined at ");
        }
        put(&b, d ? d->file : "?");
        {
            char tmp[4 * sizeof line];
            fmt_num(tmp, ":", 0, line);
            put(&b, tmp);
        }
        put(&b, ">");
        put_outcome(&b, f);
    }
    put(&b, ">");
    if (len > 0) b.p[b.n < len ? b.n : len - 1] = '\0';
    return b.n > INT_MAX ? INT_MAX : (int)b.n;
}
