/*
 * io_poll.c - the poll() backend (the POSIX default).
 *
 * The pollfd array is kept between calls and edited in place when watches
 * change (append, update, or swap-remove with an fd -> index map), so it is
 * never rebuilt per iteration.  poll() costs O(watched fds) per call, which
 * is fine for a handful of fds; CORO_BACKEND_EPOLL=1 selects io_epoll.c.
 *
 * A dropped watch is only disabled in place (poll() ignores a negative fd)
 * and removed right before the next poll.  A task woken for an fd usually
 * waits on it again within the same step: it then finds its entry where it
 * was, and nothing moves.  This also keeps the array in fd order for the
 * kernel, as a hand-written poll loop has it.
 *
 * EINTR is retried with the remaining timeout, so a signal makes no timer
 * fire early or late.  A closed fd (POLLNVAL) is reported as an error once;
 * the fd layer then drops it from the set, so it never spins.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "coro_internal.h"

#if CORO_POSIX && !CORO_BACKEND_EPOLL
#include <errno.h>
#include <poll.h>
#include <string.h>

struct pollio {
    struct pollfd *pfd;
    int *map;               /* fd -> index in pfd (live or disabled), or -1 */
    size_t n, cap;
    size_t ndead;           /* disabled entries (fd < 0), removed before polling */
    int nmap;
};

/* The slow paths stay out of line, so that the fast path of coro__bk_set
 * (re-enabling an entry) saves no registers. */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

const char *coro__bk_name(void) { return "poll"; }

int coro__bk_init(coro_loop *loop)
{
    struct pollio *io = (struct pollio *)coro__alloc(sizeof *io);
    if (io == NULL) return CORO_ENOMEM;
    memset(io, 0, sizeof *io);
    loop->io = io;
    return 0;
}

void coro__bk_free(coro_loop *loop)
{
    struct pollio *io = (struct pollio *)loop->io;
    if (io == NULL) return;
    coro__free(io->pfd, io->cap * sizeof *io->pfd);
    coro__free(io->map, (size_t)io->nmap * sizeof *io->map);
    coro__free(io, sizeof *io);
    loop->io = NULL;
}

static short pevents(unsigned ev)
{
    return (short)(((ev & CORO__EV_READ) ? POLLIN : 0) | ((ev & CORO__EV_WRITE) ? POLLOUT : 0));
}

/* Grow both tables before touching either, so a failure changes nothing. */
static NOINLINE int reserve(struct pollio *io, int fd)
{
    if (fd >= io->nmap) {
        int n = io->nmap ? io->nmap : 16, i;
        int *map;
        while (n <= fd) n = n > 0x3FFFFFFF ? fd + 1 : n * 2;
        map = (int *)coro__alloc((size_t)n * sizeof *map);
        if (map == NULL) return CORO_ENOMEM;
        for (i = 0; i < n; i++) map[i] = i < io->nmap ? io->map[i] : -1;
        coro__free(io->map, (size_t)io->nmap * sizeof *map);
        io->map = map;
        io->nmap = n;
    }
    if (io->n == io->cap) {
        size_t cap = io->cap ? io->cap * 2 : 8;
        struct pollfd *p = (struct pollfd *)coro__alloc(cap * sizeof *p);
        if (p == NULL) return CORO_ENOMEM;
        if (io->n) memcpy(p, io->pfd, io->n * sizeof *p);
        coro__free(io->pfd, io->cap * sizeof *p);
        io->pfd = p;
        io->cap = cap;
    }
    return 0;
}

/* A new entry at the end (out of line: see NOINLINE). */
static NOINLINE int append(struct pollio *io, int fd, unsigned ev)
{
    size_t i;
    if ((fd >= io->nmap || io->n == io->cap) && reserve(io, fd) != 0) return CORO_ENOMEM;
    i = io->n++;
    io->pfd[i].fd = fd;
    io->pfd[i].events = pevents(ev);
    io->pfd[i].revents = 0;
    io->map[fd] = (int)i;
    return 0;
}

int coro__bk_set(coro_loop *loop, int fd, unsigned oldev, unsigned newev)
{
    struct pollio *io = (struct pollio *)loop->io;
    int i;
    if (oldev == 0) {
        if (newev == 0) return 0;
        i = fd < io->nmap ? io->map[fd] : -1;
        if (i < 0) return append(io, fd, newev);
        /* dropped since the last poll: enable it again where it is */
        io->pfd[i].fd = fd;
        io->pfd[i].events = pevents(newev);
        io->ndead--;
        return 0;
    }
    i = io->map[fd];
    if (newev != 0) {
        io->pfd[i].events = pevents(newev);
        return 0;
    }
    io->pfd[i].fd = -1 - fd;        /* disabled: poll() skips negative fds */
    io->pfd[i].revents = 0;
    io->ndead++;
    return 0;
}

/* Remove the disabled entries.  Walking down, every entry above `i` is
 * live, so the last entry can always fill the hole at `i`. */
static void compact(struct pollio *io)
{
    size_t i = io->n;
    while (io->ndead > 0 && i-- > 0) {
        if (io->pfd[i].fd >= 0) continue;
        io->map[-1 - io->pfd[i].fd] = -1;
        if (i != --io->n) {
            io->pfd[i] = io->pfd[io->n];
            io->map[io->pfd[i].fd] = (int)i;
        }
        io->ndead--;
    }
}

int coro__bk_wait(coro_loop *loop, long timeout_ms)
{
    struct pollio *io = (struct pollio *)loop->io;
    coro_time start = 0;
    size_t i;
    int r;
    if (io->ndead) compact(io);
    if (timeout_ms > 0) start = coro__clock();
    for (;;) {
        r = poll(io->pfd, (nfds_t)io->n, timeout_ms > 0x7FFFFFFF ? 0x7FFFFFFF : (int)timeout_ms);
        if (r >= 0) break;
        if (errno != EINTR || !coro__timeout_left(&timeout_ms, &start)) return 0;
    }
    /* Delivering may drop entries (disable them), never move them; a
     * callback does not run here, so nothing is added.  Stop after the r
     * entries poll() reported. */
    for (i = 0; r > 0 && i < io->n; i++) {
        short re = io->pfd[i].revents;
        unsigned ev = 0;
        if (re == 0) continue;
        r--;
        io->pfd[i].revents = 0;
        if (re & POLLNVAL) {
            ev = CORO__EV_ERROR;
        } else {
            /* As asyncio's PollSelector: anything but POLLOUT counts as
             * readable, anything but POLLIN as writable (so POLLHUP wakes both). */
            if (re & ~POLLOUT) ev |= CORO__EV_READ;
            if (re & ~POLLIN) ev |= CORO__EV_WRITE;
        }
        coro__fd_event(loop, io->pfd[i].fd, ev);
    }
    return 0;
}

#endif
