/*
 * coro.h - asyncio's programming model as stackless C: coroutines, futures,
 * tasks, gather/wait and an event loop.  C99, libc only.
 *
 * CAVEATS - read these before writing a coroutine:
 *  1. C locals do not survive an await.  A value needed after an await must be
 *     a field of the frame.  (gcc -Wjump-misses-init flags an initialized
 *     local that lives across an await.)
 *  2. With the default switch backend, no `switch` of yours may enclose an
 *     await: the resume point is a `case` label.  Such a coroutine ends with
 *     CORO_EINVAL at run time.  Set CORO_USE_LABELS=1 (GCC/Clang) to lift this.
 *  3. One await per source line: each resume point is named by __LINE__.  Two
 *     on one line fail to compile.
 *  4. Only declarations may precede CORO_BEGIN; CORO_BEGIN, CORO_FINALLY and
 *     CORO_END bracket the body, at its top level.
 *  5. Never block (sleep(), blocking read()...) inside a coroutine: the whole
 *     loop stops.  Await CORO_SLEEP / CORO_READABLE instead.
 *
 * A complete example:
 *
 *     struct hello { coro_frame co; int i; };       // frame: coro_frame first
 *
 *     static int hello(coro_frame *co) {
 *         struct hello *f = (struct hello *)co;
 *         CORO_BEGIN(co);
 *         for (f->i = 0; f->i < 3; f->i++) {
 *             printf("hello %d\n", f->i);
 *             CORO_SLEEP(co, 100);                   // await asyncio.sleep(0.1)
 *         }
 *         CORO_RETURN(co, "done");
 *         CORO_FINALLY(co);                          // optional: runs on return,
 *         printf("cleanup\n");                       // error and cancellation
 *         CORO_END(co);
 *     }
 *
 *     int main(void) {
 *         coro_loop *loop = coro_loop_new();
 *         struct hello init = {0};
 *         coro_future *t = coro_create_task(loop, hello, &init, sizeof init);
 *         int err = coro_run_until_complete(loop, t);
 *         printf("%s\n", err ? coro_strerror(err) : (char *)coro_result(t));
 *         coro_unref(t);
 *         coro_loop_free(loop);
 *         return 0;
 *     }
 *
 * Errors are ints: 0 is success, the library's codes are the negative
 * CORO_E* constants below, and any other non-zero value is yours.
 */
#ifndef CORO_H
#define CORO_H

#include <stddef.h>
#include <stdint.h>
#include "coro_config.h"
#include "future.h"
#if CORO_POSIX
#include <signal.h>     /* sig_atomic_t, for coro_event */
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- errors */

/* The one table of error codes: X(name, value, description). */
#define CORO_ERRORS(X)                                                        \
    X(ECANCELED, -1001, "cancelled")                                          \
    X(ETIMEDOUT, -1002, "timed out")                                          \
    X(ENOMEM,    -1003, "out of memory")                                      \
    X(EINVAL,    -1004, "invalid argument or state")                          \
    X(EBADF,     -1005, "bad file descriptor")                                \
    X(EBUSY,     -1006, "already registered")                                 \
    X(EDEADLK,   -1007, "deadlock: nothing can complete the future")          \
    X(ERUNNING,  -1008, "loop already running")

#define CORO__ERR_ENUM(name, value, text) CORO_##name = (value),
/** Library error codes.  CORO_ECANCELED: asyncio's CancelledError;
 *  CORO_ETIMEDOUT: TimeoutError; CORO_ENOMEM: allocation failed and the
 *  operation did nothing; CORO_EINVAL: invalid state or argument;
 *  CORO_EBADF: fd not open or not watchable; CORO_EBUSY: already registered;
 *  CORO_EDEADLK: nothing could ever complete the future, or a task awaits
 *  itself; CORO_ERUNNING: the loop is already running. */
enum coro_error { CORO_ERRORS(CORO__ERR_ENUM) CORO__ERR_END = 0 };

/** A static description of `err` ("cancelled", ...); "success" for 0 and
 *  "unknown error" for codes that are not the library's. */
const char *coro_strerror(int err);

/** The code's name ("CORO_ECANCELED"), or NULL if it is not a library code. */
const char *coro_errname(int err);

/* ------------------------------------------------------- flags and limits */

/** coro_gather flag: child errors become results instead of failing it. */
#define CORO_RETURN_EXCEPTIONS 1
/** coro_wait modes (asyncio's return_when). */
#define CORO_FIRST_COMPLETED 1
#define CORO_FIRST_EXCEPTION 2
#define CORO_ALL_COMPLETED 3
/** No timeout. */
#define CORO_FOREVER ((coro_time)0xFFFFFFFFu)
/** Largest delay or timeout accepted: 2^30 - 1 ms, about 12.4 days. */
#define CORO_MAX_DELAY ((coro_time)0x3FFFFFFFu)

/* ------------------------------------------------------------------ types */

typedef struct coro_frame coro_frame;
/** A coroutine: resumable function over a heap frame whose first member is a
 *  coro_frame.  It returns a status for the scheduler, never a result. */
typedef int (*coro_fn)(coro_frame *co);
/** A plain callback (call_soon/call_later/call_at, fd readiness). */
typedef void (*coro_callback)(void *arg);
/** The exception handler: receives the loop, a message, the (borrowed)
 *  future concerned or NULL, its error and the handler's argument. */
typedef void (*coro_exception_handler)(coro_loop *loop, const char *message,
                                       coro_future *f, int err, void *arg);

/** A scheduled callback, copied by value.  A zeroed handle is valid and
 *  refers to nothing.  Fields are private. */
typedef struct coro_handle {
    void *node;
    uint32_t id;
} coro_handle;

#if CORO_USE_LABELS
typedef void *coro__lc_t;
#else
typedef unsigned int coro__lc_t;
#endif

/** The header of every coroutine frame.  Fields are private to coro; a user
 *  frame puts it first and adds its own fields after it.  It is small on
 *  purpose: a task's root frame sits at a fixed place after the task, and a
 *  child frame (CORO_AWAIT_CALL) keeps its caller, task and size in a private
 *  prefix, so none of them is stored here. */
struct coro_frame {
    coro_fn fn;             /* the coroutine that owns this frame */
    union coro__val {
        void *result;       /* value of CORO_RETURN */
        const char *msg;    /* message of the error being raised */
        const struct coro__desc *desc;   /* answer to the describe call */
    } val;
    coro__lc_t lc;          /* resume point inside the current phase; 0 = start */
    int err;                /* error being raised or unwound; 0 on return */
    unsigned char phase;    /* CORO__BODY, CORO__FINALLY or CORO__DESCRIBE, | CORO__CHILD */
};

/** What CORO_BEGIN tells coro about its function (for task reprs). */
struct coro__desc {
    const char *func;
    const char *file;
    unsigned long line;
};

/* A flag written by interrupt and signal handlers: one store of it is
 * atomic everywhere coro runs. */
#if CORO_POSIX
typedef volatile sig_atomic_t coro__flag;
#else
typedef volatile unsigned char coro__flag;
#endif

struct coro__node;

/** An interrupt-safe event: the way an interrupt handler (bare metal), a
 *  signal handler or another thread (POSIX) wakes tasks.  You allocate it
 *  (statically, typically), bind it to a loop once with coro_event_init, set
 *  it with coro_event_set and await it with CORO_AWAIT_EVENT.  Fields are
 *  private. */
typedef struct coro_event {
    coro__flag set;                 /* written by coro_event_set */
    coro_loop *loop;
    struct coro_event *next;        /* in the loop's list of awaited events */
    struct coro__node *waiters;     /* ring of waiting tasks; points at the tail */
    int fd;                         /* POSIX: the loop's wake-up pipe */
} coro_event;

/* ------------------------------------------------------ coroutine macros */

/* Scheduler statuses returned by coroutine functions. */
#define CORO__SUSPEND 1     /* waiting; the await helper registered the wake-up */
#define CORO__CALL 2        /* a child frame was pushed; run it now */
#define CORO__DONE 3        /* finished; outcome in co->err / co->val */
#define CORO__DESCRIBED 4   /* describe call answered */

/* Frame phases, in the low bits of coro_frame.phase. */
#define CORO__BODY 0
#define CORO__FINALLY 1
#define CORO__DESCRIBE 2
#define CORO__PHASE(co) ((co)->phase & 3u)
#define CORO__CHILD 4u      /* a child frame (CORO_AWAIT_CALL), not a task's root */

#define CORO__CAT2(a, b) a##b
#define CORO__CAT(a, b) CORO__CAT2(a, b)

/* The resume-point layer ("local continuations", as in protothreads).
 * CORO__LC_RESUME opens the dispatch, CORO__LC_SET records a point,
 * CORO__LC_LABEL marks it and CORO__LC_CLOSE closes the dispatch. */
#if CORO_USE_LABELS
#define CORO__NOPED_BEGIN                                                     \
    _Pragma("GCC diagnostic push")                                            \
    _Pragma("GCC diagnostic ignored \"-Wpedantic\"")
#define CORO__NOPED_END _Pragma("GCC diagnostic pop")
/* clang rejects an indirect goto in a function that takes no label's
 * address, which is every coroutine without an await; taking the address of
 * CORO_BEGIN's label keeps those valid and generates no code. */
#define CORO__LC_RESUME(co)                                                   \
    CORO__NOPED_BEGIN if ((co)->lc) goto *(co)->lc;                           \
    (void)&&coro__top; CORO__NOPED_END
#define CORO__LC_SET(co, line)                                                \
    CORO__NOPED_BEGIN (co)->lc = &&CORO__CAT(coro__lc_, line); CORO__NOPED_END
#define CORO__LC_LABEL(line) CORO__CAT(coro__lc_, line):
#define CORO__LC_CLOSE
#else
#define CORO__LC_RESUME(co)                                                   \
    switch ((co)->lc) {                                                       \
    default: return coro__bad_resume(co);                                     \
    case 0:
#define CORO__LC_SET(co, line) (co)->lc = (line)
#define CORO__LC_LABEL(line) case line:
#define CORO__LC_CLOSE }
#endif

/* Leave the current phase with the outcome already stored in the frame: from
 * the body go to CORO_FINALLY (or straight to the end if there is none), from
 * the finally block end the coroutine. */
#define CORO__UNWIND(co)                                                      \
    do {                                                                      \
        if (coro__unwind(co)) goto coro__top;                                 \
        return CORO__DONE;                                                    \
    } while (0)

/* Suspend if `start` (an await helper call) says so, and resume right here. */
#define CORO__SUSPEND_IF(co, start, status)                                   \
    do {                                                                      \
        if (start) {                                                          \
            CORO__LC_SET(co, __LINE__);                                       \
            return (status);                                                  \
            CORO__LC_LABEL(__LINE__);                                         \
        }                                                                     \
    } while (0)

/* The same, then propagate the outcome's error. */
#define CORO__AWAIT_RAISE(co, start, status)                                  \
    do {                                                                      \
        CORO__SUSPEND_IF(co, start, status);                                  \
        if (coro__failed(co)) CORO__UNWIND(co);                               \
    } while (0)

/** Open the body of a coroutine (async def).  Only declarations may precede
 *  it. */
#define CORO_BEGIN(co)                                                        \
    coro__top:                                                                \
    switch (CORO__PHASE(co)) {                                                \
    default:                                                                  \
        if (CORO__PHASE(co) == CORO__FINALLY) return CORO__DONE;              \
        return coro__bad_resume(co);                                          \
    case CORO__DESCRIBE: {                                                    \
        static const struct coro__desc coro__desc_ = {                        \
            __func__, __FILE__, __LINE__};                                    \
        (co)->val.desc = &coro__desc_;                                        \
        return CORO__DESCRIBED;                                               \
    }                                                                         \
    case CORO__BODY:                                                          \
        CORO__LC_RESUME(co)

/** finally: - runs after a normal end, a CORO_RETURN, an error or a
 *  cancellation, and may await.  Inside it coro_last_error(co) is the error
 *  being unwound (0 after a normal return).  An error raised inside it ends
 *  the coroutine; a CORO_RETURN inside it replaces the error.  Optional. */
#define CORO_FINALLY(co)                                                      \
    CORO__LC_CLOSE                                                            \
    if (0) {                                                                  \
    case CORO__FINALLY:;                                                      \
    }                                                                         \
    coro__finally(co);                                                        \
    CORO__LC_RESUME(co)

/** Close the body.  Falling off the end returns NULL. */
#define CORO_END(co)                                                          \
    CORO__LC_CLOSE                                                            \
    if (0) goto coro__top;                                                    \
    return CORO__DONE;                                                        \
    }

/** x = await fut.  The outcome is in coro_last_result / coro_last_error /
 *  coro_last_message; an error (cancellation included) propagates: the
 *  coroutine unwinds to CORO_FINALLY, or ends, with it.  A done future
 *  continues at once; a NULL future raises CORO_ENOMEM.  The task holds a
 *  reference to `fut` while it waits. */
#define CORO_AWAIT(co, fut) CORO__AWAIT_RAISE(co, coro__await((co), (fut), 0), CORO__SUSPEND)
/** try: await fut except: ... - no propagation; read coro_last_error(co). */
#define CORO_AWAIT_TRY(co, fut) CORO__SUSPEND_IF(co, coro__await((co), (fut), 0), CORO__SUSPEND)
/** CORO_AWAIT that also drops one reference to `fut` once it is done, so
 *  CORO_AWAIT_TAKE(co, coro_gather(...)) leaks nothing. */
#define CORO_AWAIT_TAKE(co, fut) CORO__AWAIT_RAISE(co, coro__await((co), (fut), 1), CORO__SUSPEND)
/** await child(): copies `size` bytes of `init` (a frame with its arguments
 *  filled in) into a new frame and runs `fn` at once, in the same task.  Its
 *  CORO_RETURN value becomes coro_last_result; its error propagates. */
#define CORO_AWAIT_CALL(co, fn, init, size)                                   \
    CORO__AWAIT_RAISE(co, coro__call((co), (fn), (init), (size)), CORO__CALL)
/** CORO_AWAIT_CALL without propagation. */
#define CORO_AWAIT_CALL_TRY(co, fn, init, size)                               \
    CORO__SUSPEND_IF(co, coro__call((co), (fn), (init), (size)), CORO__CALL)
/** await asyncio.sleep(ms / 1000), with no allocation.  A delay above
 *  CORO_MAX_DELAY raises CORO_EINVAL. */
#define CORO_SLEEP(co, ms) CORO__AWAIT_RAISE(co, coro__sleep((co), (ms)), CORO__SUSPEND)
#define CORO_SLEEP_TRY(co, ms) CORO__SUSPEND_IF(co, coro__sleep((co), (ms)), CORO__SUSPEND)
/** await asyncio.sleep(0): let everything already queued run first. */
#define CORO_YIELD(co) CORO__AWAIT_RAISE(co, coro__yield(co), CORO__SUSPEND)
#define CORO_YIELD_TRY(co) CORO__SUSPEND_IF(co, coro__yield(co), CORO__SUSPEND)
#if CORO_POSIX
/** Await readiness of `fd` for reading / writing (POSIX port only: a
 *  bare-metal build has no fd functions), with no allocation.  A closed fd raises CORO_EBADF; an fd that already has a
 *  reader (writer) raises CORO_EBUSY. */
#define CORO_READABLE(co, fd) CORO__AWAIT_RAISE(co, coro__wait_fd((co), (fd), 1), CORO__SUSPEND)
#define CORO_READABLE_TRY(co, fd) CORO__SUSPEND_IF(co, coro__wait_fd((co), (fd), 1), CORO__SUSPEND)
#define CORO_WRITABLE(co, fd) CORO__AWAIT_RAISE(co, coro__wait_fd((co), (fd), 2), CORO__SUSPEND)
#define CORO_WRITABLE_TRY(co, fd) CORO__SUSPEND_IF(co, coro__wait_fd((co), (fd), 2), CORO__SUSPEND)
#endif

/** Await an interrupt-safe event (see coro_event_set), with no allocation.
 *  A set that came while no task waited is consumed and the coroutine
 *  continues at once; otherwise the task sleeps until the loop sees a set
 *  (one already pending for other waiters wakes this task with them).  Raises
 *  CORO_ECANCELED if the task is cancelled while it waits, CORO_EINVAL if
 *  the event was not initialised for this task's loop. */
#define CORO_AWAIT_EVENT(co, ev) CORO__AWAIT_RAISE(co, coro__await_event((co), (ev)), CORO__SUSPEND)
#define CORO_AWAIT_EVENT_TRY(co, ev) CORO__SUSPEND_IF(co, coro__await_event((co), (ev)), CORO__SUSPEND)

/** return value.  `value` may be a pointer or an integer (it is converted
 *  through intptr_t); it must not point into the frame. */
#define CORO_RETURN(co, value)                                                \
    do {                                                                      \
        coro__return((co), (void *)(intptr_t)(value));                        \
        CORO__UNWIND(co);                                                     \
    } while (0)

/** raise: end with error `err` (non-zero) and static message `msg` (or
 *  NULL).  Raising CORO_ECANCELED ends a task cancelled. */
#define CORO_RAISE(co, err, msg)                                              \
    do {                                                                      \
        coro__raise((co), (err), (msg));                                      \
        CORO__UNWIND(co);                                                     \
    } while (0)

/** The loop running `co`'s task. */
coro_loop *coro_loop_of(coro_frame *co);
/** The result of the last await, or NULL if it failed. */
void *coro_last_result(coro_frame *co);
/** The error of the last await (0 on success).  In CORO_FINALLY, until the
 *  first await there, the error being unwound. */
int coro_last_error(coro_frame *co);
/** The message of the last await's error, or NULL. */
const char *coro_last_message(coro_frame *co);

/* Helpers behind the macros; not for direct use. */
int coro__await(coro_frame *co, coro_future *fut, int take);
int coro__call(coro_frame *co, coro_fn fn, const void *init, size_t size);
int coro__sleep(coro_frame *co, coro_time ms);
int coro__yield(coro_frame *co);
#if CORO_POSIX
int coro__wait_fd(coro_frame *co, int fd, int events);
#endif
int coro__await_event(coro_frame *co, coro_event *ev);
int coro__failed(coro_frame *co);
int coro__unwind(coro_frame *co);
void coro__finally(coro_frame *co);
void coro__return(coro_frame *co, void *value);
void coro__raise(coro_frame *co, int err, const char *msg);
int coro__bad_resume(coro_frame *co);

/* ------------------------------------------------------------------ tasks */

/** asyncio.create_task: copy `size` bytes of `init` (a frame with its
 *  arguments filled in; its coro_frame part is ignored) into a new task that
 *  runs `fn`.  Its first step goes to the tail of the ready queue.  New
 *  reference; the loop also holds the task until it finishes.  NULL if out of
 *  memory or on bad arguments (size < sizeof(coro_frame), NULL fn or loop). */
coro_future *coro_create_task(coro_loop *loop, coro_fn fn, const void *init, size_t size);
/** Number of pending cancellation requests (Task.cancelling).  CORO_EINVAL if
 *  `task` is not a task. */
int coro_cancelling(const coro_future *task);
/** Decrement the cancellation count; returns what remains (Task.uncancel).
 *  CORO_EINVAL if `task` is not a task. */
int coro_uncancel(coro_future *task);
/** The task running now on `loop`, or NULL.  Borrowed. */
coro_future *coro_current_task(coro_loop *loop);
/** Call cb(task, arg) for every unfinished task, oldest first.  The tasks are
 *  borrowed.  cb may cancel tasks; it must not run the loop. */
void coro_all_tasks(coro_loop *loop, coro_done_fn cb, void *arg);
/** Number of unfinished tasks. */
size_t coro_task_count(coro_loop *loop);
/** The task's name: "Task-N" (counted per loop) unless set.  NULL if `task`
 *  is not a task or out of memory. */
const char *coro_task_name(const coro_future *task);
/** Set the name (copied).  0, CORO_EINVAL or CORO_ENOMEM. */
int coro_task_set_name(coro_future *task, const char *name);
/** asyncio's repr, snprintf-style: writes at most `len` bytes (NUL included)
 *  and returns the length of the whole repr.  Plain futures get
 *  "<Future ...>".  CORO_EINVAL for a NULL future, or a NULL buf with len > 0. */
int coro_task_repr(const coro_future *task, char *buf, size_t len);

/* ----------------------------------------------------------- combinators */

/** asyncio.gather: completes when every child is done (result NULL: read
 *  each child).  Without CORO_RETURN_EXCEPTIONS the first child error,
 *  cancellation included, fails it at once.  Cancelling it cancels every
 *  unfinished child and it then ends cancelled.  `futs` is copied; duplicates
 *  count once.  n = 0 gives a done future.  New reference, or NULL. */
coro_future *coro_gather(coro_loop *loop, size_t n, coro_future *const futs[], int flags);
/** asyncio.wait: completes (result NULL) per `mode`, or after `timeout` ms
 *  (CORO_FOREVER: none).  It never fails because of a child and never cancels
 *  them; check coro_done on each child.  NULL for n = 0, a bad mode or
 *  timeout, or out of memory. */
coro_future *coro_wait(coro_loop *loop, size_t n, coro_future *const futs[], int mode, coro_time timeout);
/** asyncio.wait_for: `fut`'s outcome, or CORO_ETIMEDOUT after cancelling
 *  `fut` and waiting for it.  See docs/design.md for the exact rules.  With
 *  CORO_FOREVER it returns `fut` itself with a new reference. */
coro_future *coro_wait_for(coro_loop *loop, coro_future *fut, coro_time timeout);
/** asyncio.shield: cancelling the result does not cancel `fut`.  A done `fut`
 *  is returned itself with a new reference. */
coro_future *coro_shield(coro_loop *loop, coro_future *fut);
/** A future that completes with NULL after `ms`.  NULL if ms > CORO_MAX_DELAY. */
coro_future *coro_sleep(coro_loop *loop, coro_time ms);

/* ------------------------------------------------------------------- loop */

/** A new loop on the real clock.  NULL if out of memory. */
coro_loop *coro_loop_new(void);
/** A loop on a virtual clock that starts at `start` ms and moves only when the
 *  loop would otherwise wait: it jumps straight to the next timer. */
coro_loop *coro_loop_new_virtual(coro_time start);
/** Free the loop with every task, timer and handle it still holds.  Each
 *  pending task is reported ("Task was destroyed but it is pending!") and its
 *  finally blocks do not run.  Release your futures first. */
void coro_loop_free(coro_loop *loop);
/** Run until `f` is done; returns its error or 0.  CORO_EDEADLK if nothing
 *  could ever complete it, CORO_ERUNNING if the loop is running, CORO_EINVAL
 *  if coro_stop ended the run first. */
int coro_run_until_complete(coro_loop *loop, coro_future *f);
/** Run until coro_stop.  0, CORO_ERUNNING, or CORO_EDEADLK when nothing is
 *  left that could ever call coro_stop. */
int coro_run_forever(coro_loop *loop);
/** Stop after the current iteration. */
void coro_stop(coro_loop *loop);
/** The loop's time in ms, cached once per iteration. */
coro_time coro_loop_time(coro_loop *loop);
/** Run cb(arg) in the next iteration.  `out` (may be NULL) receives a handle.
 *  0, CORO_EINVAL or CORO_ENOMEM. */
int coro_call_soon(coro_loop *loop, coro_callback cb, void *arg, coro_handle *out);
/** Run cb(arg) after `ms` (at most CORO_MAX_DELAY, else CORO_EINVAL). */
int coro_call_later(coro_loop *loop, coro_time ms, coro_callback cb, void *arg, coro_handle *out);
/** Run cb(arg) at loop time `when`, which must be within CORO_MAX_DELAY of now. */
int coro_call_at(coro_loop *loop, coro_time when, coro_callback cb, void *arg, coro_handle *out);
/** Cancel a scheduled callback: 1 if it was pending, 0 if it had run or was
 *  cancelled.  Always safe while the loop exists. */
int coro_handle_cancel(coro_handle h);
#if CORO_POSIX
/** Call cb(arg) whenever `fd` is readable (persistent, like asyncio's
 *  add_reader).  0, CORO_EBADF, CORO_EBUSY if `fd` has a reader, CORO_EINVAL,
 *  CORO_ENOMEM.  POSIX port only: a bare-metal build has no fd functions. */
int coro_add_reader(coro_loop *loop, int fd, coro_callback cb, void *arg);
/** 1 if a reader callback was removed, 0 if there was none. */
int coro_remove_reader(coro_loop *loop, int fd);
/** As coro_add_reader, for writability. */
int coro_add_writer(coro_loop *loop, int fd, coro_callback cb, void *arg);
/** As coro_remove_reader, for the writer. */
int coro_remove_writer(coro_loop *loop, int fd);
#endif /* CORO_POSIX */
/** Install the exception handler (NULL: the default, which prints to
 *  stderr). */
void coro_set_exception_handler(coro_loop *loop, coro_exception_handler fn, void *arg);
/** asyncio.run: make a loop, run `main` as a task (copying `size` bytes of
 *  `init`), cancel and drain the remaining tasks, free the loop.  The first
 *  SIGINT cancels main, a second stops at once.  Returns 0 if main finished
 *  without error, 130 if it ended cancelled after SIGINT, 1 otherwise. */
int coro_run(coro_fn main, const void *init, size_t size);

/* ---------------------------------------------- interrupt-safe events */

/** Bind `ev` to `loop`, not set, with no waiters.  Call it from the loop's
 *  thread before any coro_event_set, and not again while a task awaits `ev`.
 *  It allocates nothing that `ev` owns: on POSIX it makes sure the loop has
 *  its wake-up pipe (freed with the loop).  0, CORO_EINVAL for a NULL
 *  argument, CORO_ENOMEM if the pipe cannot be made. */
int coro_event_init(coro_event *ev, coro_loop *loop);

/** Set `ev`: wake every task awaiting it, in the loop's next iteration; if
 *  none is waiting, the next CORO_AWAIT_EVENT continues at once.  Sets that
 *  come before the waiters run coalesce into one wake-up.  It never fails,
 *  never allocates and only stores two flags (and, on POSIX, writes one byte
 *  to the loop's self-pipe, saving errno), so it is safe from an interrupt
 *  handler, a signal handler or another thread.  A wake-up is never lost
 *  between the loop's "anything ready?" check and its sleep; bare-metal
 *  ports get that from CORO_CRITICAL_ENTER and CORO_IDLE (docs/porting.md).
 *  While a task awaits an event, the loop does not report CORO_EDEADLK. */
void coro_event_set(coro_event *ev);

/** Route every allocation of the library through alloc/release (`release`
 *  gets the size that was allocated).  Set it while no coro object exists;
 *  NULL restores the default (malloc/free). */
void coro_set_allocator(void *(*alloc)(void *ctx, size_t size),
                        void (*release)(void *ctx, void *p, size_t size), void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* CORO_H */
