/*
 * io_epoll.c - the Linux epoll backend, selected by CORO_BACKEND_EPOLL=1.
 *
 * The same private interface as io_poll.c (coro__bk_*).  The kernel keeps the
 * interest set, so a wait costs O(ready fds) instead of O(watched fds): at
 * 1000 watched fds that is some 50 times cheaper than poll().
 *
 * System calls are the cost that matters here, so interest changes are
 * lazy.  coro__bk_set records what the fd layer wants; the kernel is brought
 * up to date (EPOLL_CTL_ADD/MOD/DEL) in one pass right before epoll_wait, and
 * only for fds whose wanted events differ from what the kernel has.  The
 * common case, a task woken for fd X that reads and waits on X again in the
 * same step, costs no epoll_ctl at all: its one-shot wait is dropped while the
 * event is delivered and re-armed before the next wait, so the two changes
 * cancel out.  The one exception is a removal outside event delivery
 * (coro_remove_reader/writer, cancelling a waiting task): it is applied at
 * once, so that "remove, then close" leaves nothing in the kernel.
 *
 * Remove before close.  epoll registers the open file, not the fd number,
 * which is why asyncio's selector loops have the same rule:
 *   - call coro_remove_reader/coro_remove_writer, or cancel (or let wake) the
 *     task waiting on the fd, before closing it.  A watched fd that is closed
 *     is not reported (the poll backend wakes its waiter with CORO_EBADF); its
 *     waiter would wait forever.
 *   - a task woken for fd X keeps X registered until the next poll, so that
 *     waiting on X again is free.  If it closes X, it must not wait on a new fd
 *     that reuses the number X before it suspends once (any await): the loop
 *     would take the new file for the old one.  Another task or a callback
 *     that watches the reused number is told apart and handled correctly.
 * An fd that epoll refuses (a regular file, or one already closed) wakes its
 * waiter with CORO_EBADF once, as with the poll backend.  Events for a stale
 * registration (a file closed while still watched, and kept open elsewhere
 * by a dup or a fork) make the backend rebuild its epoll set, as libev does,
 * so they cannot make the loop spin.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "coro_internal.h"

#if CORO_POSIX && CORO_BACKEND_EPOLL
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#define NEVENTS 64          /* events taken per epoll_wait; the rest wait for the next */

/* fdst.flags */
#define QUEUED 1u           /* in the change list */
#define LAZY 2u             /* a one-shot wait was dropped while delivering; the kernel still has it */
#define FORCE 4u            /* the kernel's registration may be stale: re-register */

struct fdst {
    void *lazy;             /* LAZY: the node whose wait was dropped, or NULL if unknown */
    unsigned char kev;      /* events the kernel has (CORO__EV_*); 0 = not registered */
    unsigned char want;     /* events the fd layer wants */
    unsigned char lazyev;   /* LAZY: the events that were dropped */
    unsigned char flags;
};

struct epio {
    int epfd;
    int cur_fd;             /* the fd coro__bk_wait is delivering, or -1 */
    struct coro__node *cur_rd, *cur_wr;     /* its reader and writer before delivery */
    int errors;             /* errors reported while applying changes */
    struct fdst *st;        /* indexed by fd */
    int *chg;               /* fds with pending changes; room for nst */
    int nst, nchg;
    struct epoll_event ev[NEVENTS];
};

const char *coro__bk_name(void) { return "epoll"; }

int coro__bk_init(coro_loop *loop)
{
    struct epio *io = (struct epio *)coro__alloc(sizeof *io);
    if (io == NULL) return CORO_ENOMEM;
    memset(io, 0, sizeof *io);
    io->cur_fd = -1;
    io->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (io->epfd < 0) {
        coro__free(io, sizeof *io);
        return CORO_ENOMEM;
    }
    loop->io = io;
    return 0;
}

void coro__bk_free(coro_loop *loop)
{
    struct epio *io = (struct epio *)loop->io;
    if (io == NULL) return;
    close(io->epfd);
    coro__free(io->st, (size_t)io->nst * sizeof *io->st);
    coro__free(io->chg, (size_t)io->nst * sizeof *io->chg);
    coro__free(io, sizeof *io);
    loop->io = NULL;
}

/* Growth stays out of line, so that the hot path of coro__bk_set saves no
 * registers for it. */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

/* Room for `fd` (>= nst) in both tables, allocated before either is
 * touched. */
static NOINLINE int grow(struct epio *io, int fd)
{
    struct fdst *st;
    int *chg;
    int n;
    n = io->nst ? io->nst : 16;
    while (n <= fd) n = n > 0x3FFFFFFF ? fd + 1 : n * 2;
    st = (struct fdst *)coro__alloc((size_t)n * sizeof *st);
    chg = (int *)coro__alloc((size_t)n * sizeof *chg);
    if (st == NULL || chg == NULL) {
        coro__free(st, (size_t)n * sizeof *st);
        coro__free(chg, (size_t)n * sizeof *chg);
        return CORO_ENOMEM;
    }
    memset(st, 0, (size_t)n * sizeof *st);
    if (io->nst) {
        memcpy(st, io->st, (size_t)io->nst * sizeof *st);
        memcpy(chg, io->chg, (size_t)io->nchg * sizeof *chg);
    }
    coro__free(io->st, (size_t)io->nst * sizeof *st);
    coro__free(io->chg, (size_t)io->nst * sizeof *chg);
    io->st = st;
    io->chg = chg;
    io->nst = n;
    return 0;
}

static uint32_t epevents(unsigned ev)
{
    return ((ev & CORO__EV_READ) ? (uint32_t)EPOLLIN : 0u) | ((ev & CORO__EV_WRITE) ? (uint32_t)EPOLLOUT : 0u);
}

static int ctl(struct epio *io, int op, int fd, unsigned ev)
{
    struct epoll_event e;
    memset(&e, 0, sizeof e);
    e.events = epevents(ev);
    e.data.fd = fd;
    return epoll_ctl(io->epfd, op, fd, &e);
}

/* Make the kernel's registration of `fd` what the fd layer wants.  0, or -1
 * if epoll refused the fd (not open, or not pollable). */
static int apply(struct epio *io, int fd)
{
    struct fdst *s = &io->st[fd];
    unsigned want = s->want;
    int r = 0;
    if (want == 0) {
        /* Errors mean the kernel has already forgotten it (fd closed). */
        if (s->kev != 0 || (s->flags & FORCE)) (void)ctl(io, EPOLL_CTL_DEL, fd, 0);
    } else if (s->kev == 0) {
        r = ctl(io, EPOLL_CTL_ADD, fd, want);
        if (r != 0 && errno == EEXIST) r = ctl(io, EPOLL_CTL_MOD, fd, want);
    } else if (s->kev != want || (s->flags & FORCE)) {
        r = ctl(io, EPOLL_CTL_MOD, fd, want);
        if (r != 0 && errno == ENOENT) r = ctl(io, EPOLL_CTL_ADD, fd, want);
    }
    s->kev = (unsigned char)(r == 0 ? want : 0u);
    s->flags &= QUEUED;             /* still listed if it was */
    s->lazy = NULL;
    return r;
}

static void queue(struct epio *io, int fd)
{
    if (io->st[fd].flags & QUEUED) return;
    io->st[fd].flags |= QUEUED;
    io->chg[io->nchg++] = fd;       /* each fd at most once: nchg <= nst */
}

/* The slow paths of coro__bk_set, out of line and reached by tail calls. */
static NOINLINE int grow_and_set(coro_loop *loop, int fd, unsigned oldev, unsigned newev)
{
    if (grow((struct epio *)loop->io, fd) != 0) return CORO_ENOMEM;   /* never when shrinking */
    return coro__bk_set(loop, fd, oldev, newev);
}

static NOINLINE int remove_now(struct epio *io, int fd)
{
    (void)apply(io, fd);            /* fails only if the fd was closed while watched */
    return 0;
}

int coro__bk_set(coro_loop *loop, int fd, unsigned oldev, unsigned newev)
{
    struct epio *io = (struct epio *)loop->io;
    struct fdst *s;
    unsigned added = newev & ~oldev;
    if (fd >= io->nst) return grow_and_set(loop, fd, oldev, newev);
    s = &io->st[fd];
    s->want = (unsigned char)newev;
    if (added == 0) {
        unsigned gone = oldev & ~newev;
        if (fd == io->cur_fd) {
            /* A one-shot wait ended with its event, which coro__bk_wait is
             * delivering: keep the kernel's registration until the next
             * poll, and note whose wait it was, so that the same waiter may
             * take it over without a system call. */
            if (s->flags & LAZY) {
                s->lazy = NULL;             /* two waits ended: no single owner */
                s->lazyev = (unsigned char)(s->lazyev | gone);
            } else {
                s->flags |= LAZY;
                s->lazyev = (unsigned char)gone;
                s->lazy = gone == CORO__EV_READ ? io->cur_rd : gone == CORO__EV_WRITE ? io->cur_wr : NULL;
            }
            queue(io, fd);
        } else if (s->kev & gone) {
            /* A removal by the user (or a cancel): at once, so that the fd
             * may be closed right after. */
            return remove_now(io, fd);
        }
        return 0;
    }
    if (s->flags & LAZY) {
        /* The kernel still has this fd from a wait that ended in this
         * iteration.  Only the same waiter, back for the same events, may
         * take that registration over as it is; anyone else may be watching
         * a new file that reuses the number, so it is registered again. */
        struct coro__fdslot *slot = &loop->fds[fd];
        struct coro__node *n = added == CORO__EV_READ ? slot->rd : added == CORO__EV_WRITE ? slot->wr : NULL;
        if (n == NULL || n != s->lazy || (added & ~s->lazyev)) s->flags |= FORCE;
    }
    if (s->want != s->kev || (s->flags & FORCE)) queue(io, fd);
    return 0;
}

/* Rebuild the kernel's set from scratch (after events for a registration
 * nobody can name any more). */
static void rebuild(struct epio *io)
{
    int fd, epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) return;           /* keep the old set; try again next time */
    close(io->epfd);
    io->epfd = epfd;
    io->nchg = 0;
    for (fd = 0; fd < io->nst; fd++) {
        struct fdst *s = &io->st[fd];
        s->kev = 0;
        s->flags = FORCE;
        if (s->want) queue(io, fd);
        else s->flags = 0;
    }
}

/* Apply every pending change.  An fd epoll refuses is reported to its
 * waiters as an error, once. */
static void flush(coro_loop *loop, struct epio *io)
{
    int i;
    for (i = 0; i < io->nchg; i++) {    /* reporting may queue more */
        int fd = io->chg[i];
        struct fdst *s = &io->st[fd];
        if (s->want == s->kev && !(s->flags & FORCE)) {
            s->flags = 0;           /* e.g. a waiter took its registration back */
            s->lazy = NULL;
            continue;
        }
        s->flags &= ~QUEUED;
        if (apply(io, fd) != 0) {
            io->errors++;
            coro__fd_event(loop, fd, CORO__EV_ERROR);
        }
    }
    io->nchg = 0;
}

int coro__bk_wait(coro_loop *loop, long timeout_ms)
{
    struct epio *io = (struct epio *)loop->io;
    coro_time start = 0;
    int i, r, stale = 0;
    io->errors = 0;
    if (io->nchg) flush(loop, io);
    if (io->errors) timeout_ms = 0;     /* a waiter was just woken with an error */
    if (timeout_ms > 0) start = coro__clock();
    for (;;) {
        r = epoll_wait(io->epfd, io->ev, NEVENTS,
                       timeout_ms > 0x7FFFFFFF ? 0x7FFFFFFF : (int)timeout_ms);
        if (r >= 0) break;
        if (errno != EINTR || !coro__timeout_left(&timeout_ms, &start)) return 0;
    }
    for (i = 0; i < r; i++) {
        int fd = io->ev[i].data.fd;
        uint32_t re = io->ev[i].events;
        unsigned ev = 0, want;
        if (fd < 0 || fd >= io->nst || (want = io->st[fd].want) == 0) {
            /* Nobody wants it: a registration left from a closed fd whose
             * file lives on elsewhere.  Drop it, or rebuild if we cannot. */
            if (fd < 0 || fd >= io->nst || ctl(io, EPOLL_CTL_DEL, fd, 0) != 0) stale = 1;
            else io->st[fd].kev = 0;
            continue;
        }
        /* As asyncio's EpollSelector: anything but EPOLLOUT counts as
         * readable, anything but EPOLLIN as writable (so a hang-up or an
         * error wakes both). */
        if (re & ~(uint32_t)EPOLLOUT) ev |= CORO__EV_READ;
        if (re & ~(uint32_t)EPOLLIN) ev |= CORO__EV_WRITE;
        io->cur_fd = fd;
        io->cur_rd = loop->fds[fd].rd;
        io->cur_wr = loop->fds[fd].wr;
        coro__fd_event(loop, fd, ev & want);
    }
    io->cur_fd = -1;
    if (stale) rebuild(io);
    return 0;
}

#endif
