/*
 * io.c - fd readiness on the POSIX port, and the idle wait on bare metal.
 *
 * Each fd has a slot with at most one reader and one writer.  A slot entry is
 * either a task's node (CORO_READABLE / CORO_WRITABLE, one-shot) or a pooled
 * callback node (coro_add_reader / coro_add_writer, persistent).  The backend
 * (io_poll.c or io_epoll.c) only keeps the interest set; it reports events
 * through coro__fd_event.
 *
 * The loop's self-pipe (created on demand) lets a signal handler, or an
 * interrupt-safe event (event.c), wake a loop that is blocked in the backend.  It does
 * not count as a user watch, so it never hides a deadlock.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <string.h>
#include "coro_internal.h"

#if CORO_POSIX
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#define TASK_OF_NODE(n) ((struct coro__task *)(void *)((char *)(n) - offsetof(struct coro__task, node)))

static unsigned interest(const struct coro__fdslot *s)
{
    return (s->rd ? CORO__EV_READ : 0u) | (s->wr ? CORO__EV_WRITE : 0u);
}

/* Slow paths stay out of line, so that the hot ones (slot_add) save no
 * registers for them. */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

/* Make room for `fd` in the slot table.  It only grows, so a steady state of
 * fd waits allocates nothing.  Call it only when fd >= loop->nfds. */
static NOINLINE int fd_grow(coro_loop *loop, int fd)
{
    struct coro__fdslot *s;
    int n;
    n = loop->nfds ? loop->nfds : 16;
    while (n <= fd) n = n > 0x3FFFFFFF ? fd + 1 : n * 2;
    s = (struct coro__fdslot *)coro__alloc((size_t)n * sizeof *s);
    if (s == NULL) return CORO_ENOMEM;
    memset(s, 0, (size_t)n * sizeof *s);
    if (loop->nfds) memcpy(s, loop->fds, (size_t)loop->nfds * sizeof *s);
    coro__free(loop->fds, (size_t)loop->nfds * sizeof *s);
    loop->fds = s;
    loop->nfds = n;
    return 0;
}

/* Put `n` in the slot for `fd` (direction `ev`).  0, CORO_EBUSY or
 * CORO_ENOMEM; nothing changes on failure. */
static inline int slot_add(coro_loop *loop, int fd, unsigned ev, struct coro__node *n)
{
    struct coro__fdslot *s;
    struct coro__node **pp;
    unsigned old;
    if (fd >= loop->nfds && fd_grow(loop, fd) != 0) return CORO_ENOMEM;
    s = &loop->fds[fd];
    pp = ev == CORO__EV_READ ? &s->rd : &s->wr;
    if (*pp != NULL) return CORO_EBUSY;
    old = interest(s);
    *pp = n;
    if (coro__bk_set(loop, fd, old, old | ev) != 0) {
        *pp = NULL;
        return CORO_ENOMEM;
    }
    return 0;
}

static inline void slot_clear(coro_loop *loop, int fd, struct coro__node **pp)
{
    struct coro__fdslot *s = &loop->fds[fd];
    unsigned old = interest(s);
    *pp = NULL;
    coro__bk_set(loop, fd, old, interest(s));     /* shrinking never allocates */
}

int coro__wait_fd(coro_frame *co, int fd, int events)
{
    struct coro__task *t = CORO__FRAME_TASK(co);
    coro_loop *loop = t->f.loop;
    int err = fd < 0 ? CORO_EBADF
                     : slot_add(loop, fd, events == 1 ? CORO__EV_READ : CORO__EV_WRITE, &t->node.n);
    if (err != 0) {
        t->f.err = err;
        t->f.v.msg = err == CORO_EBUSY ? "fd already has a waiter" : NULL;
        return 0;
    }
    loop->nwatch++;
    t->node.u.fd = fd;
    CORO__SETWAIT(t, CORO__W_FD);
    t->f.err = 0;
    t->f.v.result = NULL;
    return 1;
}

void coro__fd_unwatch_task(coro_loop *loop, struct coro__task *t)
{
    struct coro__fdslot *s = &loop->fds[t->node.u.fd];
    slot_clear(loop, t->node.u.fd, s->rd == &t->node.n ? &s->rd : &s->wr);
    loop->nwatch--;
}

/* Deliver readiness (err 0) or a closed fd (CORO_EBADF) to one slot entry. */
static inline void deliver(coro_loop *loop, int fd, struct coro__node **pp, int err)
{
    struct coro__node *n = *pp;
    if (n == &loop->wake_node) {
        if (!loop->wake_queued) coro__push(loop, n);
        return;
    }
    if (n->fn == coro__cb_fn) {
        struct coro__cb *c = (struct coro__cb *)(void *)n;
        if (err != 0) {
            /* a closed fd: call the callback once so its read() sees the
             * error, then forget the watch */
            slot_clear(loop, fd, pp);
            loop->nwatch--;
            c->state = (unsigned char)((c->state & ~CORO__CB_REG) | CORO__CB_ONCE);
        }
        if (!(c->state & CORO__CB_QUEUED)) coro__push(loop, n);
        return;
    }
    slot_clear(loop, fd, pp);
    loop->nwatch--;
    coro__task_wake(TASK_OF_NODE(n), err, err ? "fd closed while watched" : NULL);
}

void coro__fd_event(coro_loop *loop, int fd, unsigned ev)
{
    struct coro__fdslot *s;
    if (fd < 0 || fd >= loop->nfds) return;
    s = &loop->fds[fd];
    if (ev & CORO__EV_ERROR) {
        if (s->rd) deliver(loop, fd, &s->rd, CORO_EBADF);
        if (s->wr) deliver(loop, fd, &s->wr, CORO_EBADF);
        return;
    }
    if ((ev & CORO__EV_READ) && s->rd) deliver(loop, fd, &s->rd, 0);
    if ((ev & CORO__EV_WRITE) && s->wr) deliver(loop, fd, &s->wr, 0);
}

static int add_cb(coro_loop *loop, int fd, unsigned ev, coro_callback cb, void *arg)
{
    struct coro__cb *c;
    int err;
    if (loop == NULL || cb == NULL || loop->closing) return CORO_EINVAL;
    if (fd < 0 || (fcntl(fd, F_GETFD) == -1 && errno == EBADF)) return CORO_EBADF;
    c = coro__cb_get(loop);
    if (c == NULL) return CORO_ENOMEM;
    c->kind = CORO__CB_FD;
    c->fn.call = cb;
    c->arg = arg;
    c->state = CORO__CB_REG;
    err = slot_add(loop, fd, ev, &c->t.n);
    if (err != 0) {
        coro__cb_put(loop, c);
        return err;
    }
    loop->nwatch++;
    return 0;
}

static int remove_cb(coro_loop *loop, int fd, unsigned ev)
{
    struct coro__node **pp;
    struct coro__cb *c;
    if (loop == NULL) return CORO_EINVAL;
    if (fd < 0) return CORO_EBADF;
    if (fd >= loop->nfds) return 0;
    pp = ev == CORO__EV_READ ? &loop->fds[fd].rd : &loop->fds[fd].wr;
    if (*pp == NULL || (*pp)->fn != coro__cb_fn) return 0;  /* tasks are not removed */
    c = (struct coro__cb *)(void *)*pp;
    slot_clear(loop, fd, pp);
    loop->nwatch--;
    c->state &= (unsigned char)~CORO__CB_REG;
    if (!(c->state & (CORO__CB_QUEUED | CORO__CB_RUNNING))) coro__cb_put(loop, c);
    return 1;
}

int coro_add_reader(coro_loop *loop, int fd, coro_callback cb, void *arg)
{
    return add_cb(loop, fd, CORO__EV_READ, cb, arg);
}

int coro_add_writer(coro_loop *loop, int fd, coro_callback cb, void *arg)
{
    return add_cb(loop, fd, CORO__EV_WRITE, cb, arg);
}

int coro_remove_reader(coro_loop *loop, int fd) { return remove_cb(loop, fd, CORO__EV_READ); }

int coro_remove_writer(coro_loop *loop, int fd) { return remove_cb(loop, fd, CORO__EV_WRITE); }

/* A backend's wait was interrupted by a signal (EINTR): take the time spent
 * since *start off *timeout_ms and say whether to wait again (1), so that a
 * signal makes no timer fire early or late.  A timeout of 0 or -1 (block)
 * is waited again as it is. */
int coro__timeout_left(long *timeout_ms, coro_time *start)
{
    coro_time spent;
    if (*timeout_ms <= 0) return 1;
    spent = coro__clock() - *start;
    if ((long)spent >= *timeout_ms) return 0;
    *timeout_ms -= (long)spent;
    *start += spent;
    return 1;
}

/* ------------------------------------------------------------ self-pipe */

static void wake_fn(coro_loop *loop, struct coro__node *n, int op)
{
    char buf[64];
    (void)n;
    if (op == CORO__HOLD) {
        loop->wake_queued = 1;
        return;
    }
    loop->wake_queued = 0;
    if (op != CORO__RUN) return;
    while (read(loop->wake_rd, buf, sizeof buf) > 0) {
    }
    if (loop->on_wake) loop->on_wake(loop);
}

static int set_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1) return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int coro__wake_fd(coro_loop *loop)
{
    int p[2];
    if (loop->wake_wr >= 0) return loop->wake_wr;
    if (pipe(p) != 0) return -1;
    if (set_flags(p[0]) != 0 || set_flags(p[1]) != 0) goto fail;
    loop->wake_node.fn = wake_fn;
    if (slot_add(loop, p[0], CORO__EV_READ, &loop->wake_node) != 0) goto fail;
    loop->wake_rd = p[0];
    loop->wake_wr = p[1];
    return p[1];
fail:
    close(p[0]);
    close(p[1]);
    return -1;
}

/* ------------------------------------------------------------- the wait */

int coro__io_wait(coro_loop *loop, long timeout_ms)
{
    /* With no fd watched and a zero timeout, no syscall.  (Set events are
     * handled by the loop right after this returns.) */
    if (timeout_ms == 0 && loop->nwatch == 0 && loop->wake_rd < 0) return 0;
    return coro__bk_wait(loop, timeout_ms);
}

void coro__io_free(coro_loop *loop)
{
    int fd;
    for (fd = 0; fd < loop->nfds; fd++) {
        struct coro__fdslot *s = &loop->fds[fd];
        if (s->rd && s->rd->fn == coro__cb_fn) coro__cb_put(loop, (struct coro__cb *)(void *)s->rd);
        if (s->wr && s->wr->fn == coro__cb_fn) coro__cb_put(loop, (struct coro__cb *)(void *)s->wr);
    }
    if (loop->wake_rd >= 0) {
        close(loop->wake_rd);
        close(loop->wake_wr);
    }
    coro__bk_free(loop);
    coro__free(loop->fds, (size_t)loop->nfds * sizeof *loop->fds);
    loop->fds = NULL;
    loop->nfds = 0;
}

#else /* bare metal: no fds; the wait is the idle hook */

int coro__bk_init(coro_loop *loop)
{
    (void)loop;
    return 0;
}

int coro__io_wait(coro_loop *loop, long timeout_ms)
{
    if (timeout_ms != 0) {
        /* The wake-up protocol (docs/porting.md): with interrupts masked,
         * check that no interrupt-safe event was set since the timeout was
         * computed, then sleep.  CORO_IDLE wakes on an interrupt that became
         * pending after the check, so no coro_event_set is lost in between. */
        CORO_CRITICAL_ENTER();
        if (loop->rq_head == NULL && !loop->evset) CORO_IDLE(timeout_ms);
        CORO_CRITICAL_EXIT();
    }
    return 0;
}

void coro__io_free(coro_loop *loop) { (void)loop; }

#endif
