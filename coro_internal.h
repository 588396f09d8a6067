/*
 * coro_internal.h - the structures shared by coro's .c files.  Not part of the
 * API: users include coro.h only.
 *
 * The core is built from one intrusive link, the node.  A node sits in at most
 * one place at a time: a future's callback list, the ready queue, the timer
 * heap (through a tnode) or an fd slot.  Completion moves a future's whole
 * callback list into the ready queue, so completing never allocates.
 *
 * Lifetime rule: a node registered somewhere (callback list, heap, fd slot)
 * does not keep its owner alive; the owner unregisters it when it is freed.
 * A node entering the ready queue gets a CORO__HOLD call, where it takes the
 * references it needs until its CORO__RUN (or CORO__DROP at loop teardown).
 */
#ifndef CORO_INTERNAL_H
#define CORO_INTERNAL_H

#include <limits.h>
#include "coro.h"

/* ------------------------------------------------------------------ nodes */

enum { CORO__RUN, CORO__HOLD, CORO__DROP };

struct coro__node {
    struct coro__node *next;
    void (*fn)(coro_loop *loop, struct coro__node *n, int op);
};

/* A node that can also sit in the timer heap.  A task's node also says
 * what the task waits for: the index is only needed while it sleeps. */
struct coro__tnode {
    struct coro__node n;
    union {
        size_t hidx;                /* index in loop->heap, or CORO__NOHEAP */
        coro_future *fut;           /* task: the awaited future (CORO__W_FUTURE) */
        int fd;                     /* task: the fd (CORO__W_FD) */
        struct coro_event *ev;      /* task: the event (CORO__W_EVENT) */
    } u;
};
#define CORO__NOHEAP ((size_t)-1)

#define CORO__HEAP_D 4                  /* the timer heap's arity (loop.c) */

/* A heap entry, stored by value: the deadline and start order sit next to
 * each other so that sifting touches only the heap array. */
struct coro__timer {
    coro_time when;
    uint32_t seq;
    struct coro__tnode *node;
};

/* ---------------------------------------------------------------- futures */

struct coro__group;
struct coro__futops {
    int (*cancel)(coro_future *f, const char *msg);
    void (*release)(coro_future *f);    /* last reference dropped */
    /* Non-NULL for a future whose cancel is "cancel every child" (gather):
     * coro_cancel then walks the children itself, without C recursion. */
    struct coro__group *(*group)(coro_future *f);
};

/* The children of a group future, and the scratch a cancel in progress
 * keeps there: the groups being cancelled form a stack through `up`, so
 * cancelling nested gathers and tasks needs no recursion and no
 * allocation. */
struct coro__group {
    coro_future **children;
    size_t n;
    struct coro__group *up;             /* the group below on the stack */
    struct coro__task *awaiter;         /* the task whose wait led here, or NULL */
    coro_future *self;
    size_t i;                           /* next child to cancel */
    unsigned char ret;                  /* some child took the cancel */
    unsigned char cancelreq;            /* some child took a cancel: end cancelled */
};

/* future flags: the state, three flags and the kind, in one byte */
#define CORO__STATE 3u                  /* mask: */
#define CORO__PENDING 0u
#define CORO__FINISHED 1u
#define CORO__CANCELLED 2u
#define CORO__LOGTB 4u                  /* error not retrieved yet */
#define CORO__MARK 8u                   /* scratch bit: gather's dedup, cancel's walk */
#define CORO__EMBEDDED 16u              /* storage owned by another object */
#define CORO__KIND_SHIFT 5              /* bits 5-7: the kind */

/* Kinds of future.  A kind's operations are registered in coro__ops by the
 * constructor of its first future, so a program links only the kinds it
 * uses (a microcontroller build without shield carries no shield code). */
enum {
    CORO__K_PLAIN, CORO__K_TASK, CORO__K_WAITFOR, CORO__K_GATHER,
    CORO__K_WAIT, CORO__K_SHIELD, CORO__K_SLEEP, CORO__NKINDS
};
extern const struct coro__futops *coro__ops[8];

#if UINT_MAX > 0xFFFFu
typedef unsigned short coro__ncancel_t;
#else
typedef unsigned char coro__ncancel_t;  /* 16-bit int targets: saturates at 255 */
#endif

struct coro_future {
    coro_loop *loop;
    struct coro__node *cbs;             /* circular list; points at the TAIL */
    union coro__val v;                  /* result, or error/cancel message */
    int err;
    unsigned refs;
    unsigned char flags;
    /* A task's own small fields, kept here where they cost no padding: */
    unsigned char tb;                   /* its wait state and flags (CORO__T_*) */
    coro__ncancel_t ncancel;            /* Task.cancelling() */
    unsigned tsize;                     /* bytes of its allocation (with the root frame) */
};

#define CORO__FSTATE(f) ((f)->flags & CORO__STATE)
#define CORO__KIND(f) ((unsigned)(f)->flags >> CORO__KIND_SHIFT)
#define CORO__OPS(f) (coro__ops[CORO__KIND(f)])
#define CORO__ISTASKF(f) (CORO__KIND(f) == CORO__K_TASK || CORO__KIND(f) == CORO__K_WAITFOR)

/* Initialise a pending future of `kind`, registering its operations. */
void coro__future_init(coro_future *f, coro_loop *loop, unsigned kind,
                       const struct coro__futops *ops);
void coro__complete(coro_future *f, unsigned state, int err, union coro__val v);
void coro__add_node(coro_future *f, struct coro__node *n);     /* append to callbacks */
int coro__unlink_node(coro_future *f, struct coro__node *n);   /* 1 if found */
int coro__future_cancel(coro_future *f, const char *msg);      /* Future.cancel */
void coro__future_free_cbs(coro_future *f);                    /* recycle user callbacks */

/* ------------------------------------------------------------------ tasks */

/* What a task's node is doing: its wait state, the low bits of f.tb. */
enum {
    CORO__W_NONE,       /* running, or finished */
    CORO__W_READY,      /* queued for a step; outcome already in f.err/f.v */
    CORO__W_FUTURE,     /* registered on (or woken by) node.u.fut */
    CORO__W_TIMER,      /* in the heap (node.u.hidx) or fired and queued (CORO__NOHEAP) */
    CORO__W_FD,         /* registered in an fd slot (node.u.fd) */
    CORO__W_EVENT       /* in the waiter ring of node.u.ev */
};
#define CORO__WAIT(t) ((t)->f.tb & 7u)
#define CORO__SETWAIT(t, w) ((t)->f.tb = (unsigned char)(((t)->f.tb & ~7u) | (w)))

/* task flags, the high bits of f.tb */
#define CORO__T_MUSTCANCEL 8u           /* cancel not yet delivered to an await */
#define CORO__T_NAMED 16u               /* id.name is an allocated string */
#define CORO__T_RUNBODY 32u             /* run the body even if cancelled first (wait_for) */
#define CORO__T_EVWAKE 64u              /* woken by the event u.ev: its step absorbs later sets */

struct coro__task {
    coro_future f;                      /* first: a task is a future.  While the
                                           task runs, f.err/f.v hold the outcome
                                           of its last await. */
    struct coro__tnode node;            /* its wake-up; node.u: what it waits for */
    struct coro__task *prev, *next;     /* the loop's unfinished tasks */
    coro_frame *top;                    /* frame to resume */
    const char *cancel_msg;             /* message of a cancel not yet delivered */
    union { char *name; unsigned num; } id;
};

/* The root frame follows the task in the same allocation; a child frame
 * follows a coro__child prefix in its own.  Both offsets round up to the
 * strictest alignment a frame may need. */
union coro__align { void *p; long l; double d; long double ld; void (*fp)(void); };
struct coro__alignof { char c; union coro__align u; };
#define CORO__ALIGN offsetof(struct coro__alignof, u)
#define CORO__ROUND(n) (((n) + CORO__ALIGN - 1) / CORO__ALIGN * CORO__ALIGN)
#define CORO__ROOT_OFFSET CORO__ROUND(sizeof(struct coro__task))
#define CORO__ROOT(t) ((coro_frame *)((char *)(t) + CORO__ROOT_OFFSET))

struct coro__child {
    coro_frame *parent;                 /* the caller's frame */
    coro_future *task;
    size_t size;                        /* bytes of this allocation */
};
#define CORO__CHILD_OFFSET CORO__ROUND(sizeof(struct coro__child))
#define CORO__CHILD_OF(co) ((struct coro__child *)(void *)((char *)(co) - CORO__CHILD_OFFSET))

/* The task running frame `co`, in O(1). */
#define CORO__FRAME_TASK(co)                                                  \
    ((struct coro__task *)(void *)(((co)->phase & CORO__CHILD)                \
        ? (char *)CORO__CHILD_OF(co)->task : (char *)(co) - CORO__ROOT_OFFSET))

extern const struct coro__futops coro__task_ops;
coro_future *coro__task_new(coro_loop *loop, coro_fn fn, const void *init,
                            size_t size, unsigned kind, const struct coro__futops *ops);
void coro__task_release(coro_future *f);
void coro__task_destroy(struct coro__task *t);   /* loop teardown of a pending task */
void coro__task_wake(struct coro__task *t, int err, const char *msg);
int coro__cancel(coro_future *f, const char *msg);    /* tasks and groups */

/* ------------------------------------------------------------------- loop */

/* A pooled callback node: call_soon/later/at, done-callbacks, fd callbacks.
 * Pool nodes are recycled, never freed before the loop, so a stale
 * coro_handle always points at valid memory. */
enum { CORO__CB_CALL, CORO__CB_DONE, CORO__CB_FD };
struct coro__cb {
    struct coro__tnode t;
    coro_loop *loop;
    union { coro_callback call; coro_done_fn done; } fn;
    void *arg;
    coro_future *fut;                   /* CORO__CB_DONE: the future */
    uint32_t seq;                       /* handle id while cancellable, else 0 */
    unsigned char kind;
    unsigned char state;                /* CORO__CB_* bits below */
};
#define CORO__CB_REG 1u                 /* fd callback: registered in its slot */
#define CORO__CB_QUEUED 2u              /* in the ready queue */
#define CORO__CB_RUNNING 4u             /* its callback is running */
#define CORO__CB_ONCE 8u                /* fd closed: call once more, then drop */

struct coro__fdslot { struct coro__node *rd, *wr; };

/* The slab (loop.c): size classes of CORO__SLAB_GRAIN bytes. */
#define CORO__SLAB_GRAIN 16
#define CORO__SLAB_CLASSES 16           /* objects up to 256 bytes */
struct coro__slabclass {
    void *free;                         /* recycled objects */
    char *bump;                         /* the rest of the newest chunk */
    size_t left;                        /* bytes left there */
};

struct coro_loop {
    struct coro__node *rq_head, *rq_tail;   /* ready queue (next iteration) */
    struct coro__timer *heap;
    size_t nheap, capheap, reserved;        /* reserved: objects that may arm a timer */
    uint32_t seq;                           /* timer start order and handle ids */
    coro_time now;
    unsigned char virt, now_ok, running, stopping, closing;
    struct coro__task *tasks, *tasks_tail;  /* unfinished tasks, oldest first */
    size_t ntasks;
    unsigned taskno;
    struct coro__task *current;
    struct coro__cb *pool;                  /* free pooled nodes */
    coro_exception_handler handler;
    void *handler_arg;
    /* fds (POSIX port) */
    struct coro__fdslot *fds;
    int nfds;                               /* size of fds[] */
    size_t nwatch;                          /* user watches (tasks and callbacks) */
    size_t nwaiters;                        /* waiters on interrupt-safe events */
    struct coro_event *events;              /* events with waiters */
    /* event.c's entry points, installed by coro_event_init, so that a
     * program without events does not link event.c */
    void (*ev_poll)(coro_loop *loop);
    void (*ev_unwait)(struct coro__task *t);
    coro__flag evset;                       /* an event was set: scan them */
    void *io;                               /* backend state */
    int wake_rd, wake_wr;                   /* self-pipe, -1 until needed */
    struct coro__node wake_node;            /* its reader */
    unsigned char wake_queued;
    void (*on_wake)(coro_loop *loop);       /* called when the self-pipe fires */
    void *on_wake_arg;
    size_t since_poll;                      /* ready items run since the last poll (CORO_POLL_EVERY) */
#if CORO_SLAB
    unsigned char slab_on;
    void *chunks;                           /* every slab chunk, to free them */
    struct coro__slabclass slab[CORO__SLAB_CLASSES];
#endif
};

void *coro__alloc(size_t size);
void coro__free(void *p, size_t size);
int coro__default_allocator(void);          /* 1 while malloc/free are in use */
/* Allocation for objects that belong to `loop`: from its slab when it has
 * one (CORO_SLAB), else from the allocator. */
#if CORO_SLAB
void *coro__lalloc(coro_loop *loop, size_t size);
void coro__lfree(coro_loop *loop, void *p, size_t size);
#else
#define coro__lalloc(loop, size) ((void)(loop), coro__alloc(size))
#define coro__lfree(loop, p, size) ((void)(loop), coro__free((p), (size)))
#endif
#if CORO_POSIX
void coro__print_stderr(const char *s);     /* CORO_PRINT's POSIX default */
#endif

void coro__push(coro_loop *loop, struct coro__node *n);
coro_time coro__now(coro_loop *loop);
coro_time coro__clock(void);            /* the raw clock, uncached */
int coro__heap_reserve(coro_loop *loop);
void coro__heap_unreserve(coro_loop *loop);
void coro__timer_start(coro_loop *loop, struct coro__tnode *tn, coro_time when);
void coro__timer_stop(coro_loop *loop, struct coro__tnode *tn);
struct coro__cb *coro__cb_get(coro_loop *loop);
void coro__cb_put(coro_loop *loop, struct coro__cb *c);
void coro__cb_fn(coro_loop *loop, struct coro__node *n, int op);
void coro__report(coro_loop *loop, const char *message, coro_future *f, int err);
void coro__task_link(coro_loop *loop, struct coro__task *t);
void coro__task_unlink(coro_loop *loop, struct coro__task *t);
int coro__valid_delay(coro_time ms);

/* ------------------------------------------------- events (event.c) */

void coro__event_poll(coro_loop *loop);             /* queue the waiters of set events */
void coro__event_unwait(struct coro__task *t);      /* a waiting task leaves (cancel, teardown) */

/* ------------------------------------------------------- fd layer (io.c) */

int coro__io_wait(coro_loop *loop, long timeout_ms);   /* poll and queue ready fds */
void coro__io_free(coro_loop *loop);
void coro__fd_unwatch_task(coro_loop *loop, struct coro__task *t);
int coro__wake_fd(coro_loop *loop);     /* the self-pipe's write end, made on demand; -1 on failure */
int coro__timeout_left(long *timeout_ms, coro_time *start);   /* EINTR: wait again? */

/* The backend interface (io_poll.c, io_epoll.c): a few functions, as in
 * Redis' ae.  Events are CORO__EV_READ | CORO__EV_WRITE. */
#define CORO__EV_READ 1u
#define CORO__EV_WRITE 2u
#define CORO__EV_ERROR 4u               /* fd not open (POLLNVAL) */
int coro__bk_init(coro_loop *loop);
void coro__bk_free(coro_loop *loop);
int coro__bk_set(coro_loop *loop, int fd, unsigned oldev, unsigned newev);
int coro__bk_wait(coro_loop *loop, long timeout_ms);   /* calls coro__fd_event */
void coro__fd_event(coro_loop *loop, int fd, unsigned ev);
const char *coro__bk_name(void);

#endif /* CORO_INTERNAL_H */
