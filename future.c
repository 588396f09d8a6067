/*
 * future.c - futures, done-callbacks, reference counting, the allocator and
 * the error table.
 *
 * A future's callbacks form a circular singly linked list of nodes, with the
 * future pointing at the tail: appending is O(1) and completion moves the
 * whole list into the loop's ready queue in one splice, without allocating.
 */
#include <stdlib.h>
#include <string.h>
#include "coro_internal.h"

/* -------------------------------------------------------------- allocator */

static void *default_alloc(void *ctx, size_t size) { return CORO_MALLOC(ctx, size); }
static void default_release(void *ctx, void *p, size_t size) { CORO_FREE(ctx, p, size); }

static void *(*alloc_fn)(void *, size_t) = default_alloc;
static void (*release_fn)(void *, void *, size_t) = default_release;
static void *alloc_ctx;

void coro_set_allocator(void *(*alloc)(void *ctx, size_t size),
                        void (*release)(void *ctx, void *p, size_t size), void *ctx)
{
    if (alloc == NULL || release == NULL) {
        alloc_fn = default_alloc;
        release_fn = default_release;
        alloc_ctx = NULL;
    } else {
        alloc_fn = alloc;
        release_fn = release;
        alloc_ctx = ctx;
    }
}

void *coro__alloc(size_t size) { return alloc_fn(alloc_ctx, size); }

int coro__default_allocator(void) { return alloc_fn == default_alloc; }

void coro__free(void *p, size_t size)
{
    if (p != NULL) release_fn(alloc_ctx, p, size);
}

/* ----------------------------------------------------------------- errors */

#define CORO__ERR_TEXT(name, value, text) case value: return text;
#define CORO__ERR_NAME(name, value, text) case value: return "CORO_" #name;

const char *coro_strerror(int err)
{
    switch (err) {
    case 0: return "success";
    CORO_ERRORS(CORO__ERR_TEXT)
    default: return "unknown error";
    }
}

const char *coro_errname(int err)
{
    switch (err) {
    CORO_ERRORS(CORO__ERR_NAME)
    default: return NULL;
    }
}

/* ---------------------------------------------------------------- futures */

const struct coro__futops *coro__ops[8];

void coro__future_init(coro_future *f, coro_loop *loop, unsigned kind,
                       const struct coro__futops *ops)
{
    coro__ops[kind] = ops;
    f->loop = loop;
    f->cbs = NULL;
    f->v.result = NULL;
    f->err = 0;
    f->refs = 1;
    f->flags = (unsigned char)(CORO__PENDING | kind << CORO__KIND_SHIFT);
    f->tb = 0;
    f->ncancel = 0;
}

coro_future *coro_future_new(coro_loop *loop)
{
    coro_future *f;
    if (loop == NULL) return NULL;
    f = (coro_future *)coro__lalloc(loop, sizeof *f);
    if (f != NULL) coro__future_init(f, loop, CORO__K_PLAIN, NULL);
    return f;
}

void coro_ref(coro_future *f)
{
    if (f != NULL) f->refs++;
}

void coro_unref(coro_future *f)
{
    if (f == NULL || --f->refs != 0) return;
    if (f->flags & CORO__EMBEDDED) return;
    if (f->flags & CORO__LOGTB) {
        f->flags &= (unsigned char)~CORO__LOGTB;
        f->refs = 1;    /* the handler borrows it */
        coro__report(f->loop, CORO__ISTASKF(f) ? "Task exception was never retrieved"
                                               : "Future exception was never retrieved",
                     f, f->err);
        f->refs = 0;
    }
    if (CORO__KIND(f) != CORO__K_PLAIN) {
        CORO__OPS(f)->release(f);
    } else {
        coro__future_free_cbs(f);
        coro__lfree(f->loop, f, sizeof *f);
    }
}

int coro_done(const coro_future *f)
{
    return f != NULL && CORO__FSTATE(f) != CORO__PENDING;
}

int coro_cancelled(const coro_future *f)
{
    return f != NULL && CORO__FSTATE(f) == CORO__CANCELLED;
}

void *coro_result(coro_future *f)
{
    if (f == NULL || CORO__FSTATE(f) == CORO__PENDING) return NULL;
    f->flags &= (unsigned char)~CORO__LOGTB;
    return f->err == 0 ? f->v.result : NULL;
}

int coro_error(coro_future *f)
{
    if (f == NULL || CORO__FSTATE(f) == CORO__PENDING) return CORO_EINVAL;
    f->flags &= (unsigned char)~CORO__LOGTB;
    return f->err;
}

const char *coro_message(const coro_future *f)
{
    if (f == NULL || CORO__FSTATE(f) == CORO__PENDING || f->err == 0) return NULL;
    return f->v.msg;
}

/* Complete `f` and move its callbacks to the ready queue.  Each node gets a
 * CORO__HOLD so that what it needs stays alive until it runs. */
void coro__complete(coro_future *f, unsigned state, int err, union coro__val v)
{
    struct coro__node *head, *n;
    coro_loop *loop = f->loop;

    f->flags = (unsigned char)((f->flags & ~CORO__STATE) | state);
    f->err = err;
    f->v = v;
    if (state == CORO__FINISHED && err != 0) f->flags |= CORO__LOGTB;
    CORO_TRACE_FUTURE_DONE(f);
    if (f->cbs == NULL) return;
    head = f->cbs->next;
    f->cbs->next = NULL;
    for (n = head; n != NULL; n = n->next) n->fn(loop, n, CORO__HOLD);
    if (loop->rq_tail != NULL) loop->rq_tail->next = head;
    else loop->rq_head = head;
    loop->rq_tail = f->cbs;
    f->cbs = NULL;
}

void coro__add_node(coro_future *f, struct coro__node *n)
{
    if (f->cbs == NULL) {
        n->next = n;
    } else {
        n->next = f->cbs->next;
        f->cbs->next = n;
    }
    f->cbs = n;
}

int coro__unlink_node(coro_future *f, struct coro__node *n)
{
    struct coro__node *prev = f->cbs, *cur;
    if (prev == NULL) return 0;
    do {
        cur = prev->next;
        if (cur == n) {
            if (cur == prev) f->cbs = NULL;           /* only node */
            else {
                prev->next = cur->next;
                if (f->cbs == cur) f->cbs = prev;
            }
            n->next = NULL;
            return 1;
        }
        prev = cur;
    } while (prev != f->cbs);
    return 0;
}

/* Free the user callbacks still registered on a future being freed.  Other
 * registered nodes belong to objects that hold a reference to `f`, so there
 * are none left by the time it is freed. */
void coro__future_free_cbs(coro_future *f)
{
    while (f->cbs != NULL) {
        struct coro__node *n = f->cbs->next;
        coro__unlink_node(f, n);
        if (n->fn == coro__cb_fn) coro__cb_put(f->loop, (struct coro__cb *)n);
    }
}

int coro_set_result(coro_future *f, void *value)
{
    union coro__val v;
    if (f == NULL || CORO__FSTATE(f) != CORO__PENDING || CORO__ISTASKF(f)) return CORO_EINVAL;
    v.result = value;
    coro__complete(f, CORO__FINISHED, 0, v);
    return 0;
}

int coro_set_error(coro_future *f, int err, const char *msg)
{
    union coro__val v;
    if (f == NULL || err == 0 || CORO__FSTATE(f) != CORO__PENDING || CORO__ISTASKF(f))
        return CORO_EINVAL;
    v.msg = msg;
    coro__complete(f, CORO__FINISHED, err, v);
    return 0;
}

int coro__future_cancel(coro_future *f, const char *msg)
{
    union coro__val v;
    f->flags &= (unsigned char)~CORO__LOGTB;
    if (CORO__FSTATE(f) != CORO__PENDING) return 0;
    v.msg = msg;
    coro__complete(f, CORO__CANCELLED, CORO_ECANCELED, v);
    return 1;
}

int coro_cancel(coro_future *f, const char *msg)
{
    if (f == NULL) return CORO_EINVAL;
    if (CORO__KIND(f) != CORO__K_PLAIN) return CORO__OPS(f)->cancel(f, msg);
    return coro__future_cancel(f, msg);
}

int coro_add_done_callback(coro_future *f, coro_done_fn cb, void *arg)
{
    struct coro__cb *c;
    if (f == NULL || cb == NULL) return CORO_EINVAL;
    c = coro__cb_get(f->loop);
    if (c == NULL) return CORO_ENOMEM;
    c->kind = CORO__CB_DONE;
    c->fn.done = cb;
    c->arg = arg;
    c->fut = f;
    if (CORO__FSTATE(f) == CORO__PENDING) coro__add_node(f, &c->t.n);
    else coro__push(f->loop, &c->t.n);
    return 0;
}

int coro_remove_done_callback(coro_future *f, coro_done_fn cb, void *arg)
{
    struct coro__node *tail, *prev, *cur;
    int count = 0, last = 0;
    if (f == NULL) return CORO_EINVAL;
    /* One walk around the ring, unlinking matches behind `prev`: O(n). */
    tail = prev = f->cbs;
    while (!last && f->cbs != NULL) {
        struct coro__cb *c = (struct coro__cb *)(void *)prev->next;
        cur = prev->next;
        last = (cur == tail);
        if (cur->fn == coro__cb_fn && c->kind == CORO__CB_DONE && c->fn.done == cb &&
            c->arg == arg) {
            if (cur == prev) {
                f->cbs = NULL;
            } else {
                prev->next = cur->next;
                if (f->cbs == cur) f->cbs = prev;
            }
            coro__cb_put(f->loop, c);
            count++;
        } else {
            prev = cur;
        }
    }
    return count;
}
