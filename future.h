/*
 * future.h - coro's futures: a placeholder for a result that arrives later.
 *
 * A future holds either a result (void *) or an error (a non-zero int plus an
 * optional static message), and a list of done-callbacks.  It is reference
 * counted: whoever makes one (coro_future_new, coro_create_task, the
 * combinators) owns one reference and drops it with coro_unref.
 *
 * Done-callbacks always run from the loop, in registration order, and never
 * inside the call that completed the future.  This header is self-contained;
 * coro.h includes it and declares the rest of the API.
 */
#ifndef CORO_FUTURE_H
#define CORO_FUTURE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The event loop (see coro.h). */
typedef struct coro_loop coro_loop;
/** A future.  A task is a future too. */
typedef struct coro_future coro_future;
/** Milliseconds on the loop's clock.  It wraps; coro compares it wrap-safe. */
typedef uint32_t coro_time;
/** A done-callback: receives the (borrowed) future and its argument. */
typedef void (*coro_done_fn)(coro_future *f, void *arg);

/** Make a pending future bound to `loop`.  New reference; NULL if out of
 *  memory or `loop` is NULL. */
coro_future *coro_future_new(coro_loop *loop);

/** Take one more reference to `f` (NULL is ignored). */
void coro_ref(coro_future *f);

/** Drop one reference.  The last one frees `f`; if `f` failed and nobody ever
 *  looked at its error, the loop's exception handler reports it first ("Future
 *  exception was never retrieved").  NULL is ignored. */
void coro_unref(coro_future *f);

/** 1 if `f` has a result, an error or was cancelled; else 0. */
int coro_done(const coro_future *f);

/** 1 only if `f` was ended by a cancellation (coro_cancel, or a task whose
 *  coroutine finished with CORO_ECANCELED).  coro_set_error(f, CORO_ECANCELED)
 *  leaves it 0, as asyncio does. */
int coro_cancelled(const coro_future *f);

/** The result: NULL unless `f` is done without error.  Marks an error as
 *  retrieved. */
void *coro_result(coro_future *f);

/** 0 if `f` finished with a result, its error code, CORO_ECANCELED if it was
 *  cancelled, or CORO_EINVAL while it is pending.  Marks the error as
 *  retrieved. */
int coro_error(coro_future *f);

/** The message of `f`'s error or cancellation (a static string), or NULL. */
const char *coro_message(const coro_future *f);

/** Complete `f` with `value`.  CORO_EINVAL if `f` is already done (the value
 *  is then left unchanged). */
int coro_set_result(coro_future *f, void *value);

/** Fail `f` with `err` and an optional static message `msg`.  CORO_EINVAL if
 *  `f` is done or `err` is 0. */
int coro_set_error(coro_future *f, int err, const char *msg);

/** Request cancellation (asyncio's Future.cancel / Task.cancel).  Returns 1 if
 *  the request was accepted, 0 if `f` is already done (or is a gather none of
 *  whose children took it), CORO_EINVAL if `f` is NULL.  On a task the
 *  coroutine sees CORO_ECANCELED at its next resume; see coro.h. */
int coro_cancel(coro_future *f, const char *msg);

/** Call `cb(f, arg)` from the loop once `f` is done; at once (from the loop,
 *  in the next iteration) if it is done already.  0, CORO_EINVAL for a NULL
 *  future or callback, or CORO_ENOMEM. */
int coro_add_done_callback(coro_future *f, coro_done_fn cb, void *arg);

/** Remove every pending registration of (cb, arg); returns how many were
 *  removed.  Callbacks already scheduled by completion are not pending any
 *  more: they still run and are not counted.  CORO_EINVAL if `f` is NULL. */
int coro_remove_done_callback(coro_future *f, coro_done_fn cb, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* CORO_FUTURE_H */
