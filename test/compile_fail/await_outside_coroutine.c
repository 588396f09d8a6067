/* An await outside a coroutine body (no CORO_BEGIN) must not compile. */
/* expect: (not within a switch|not in switch|coro__top) */
#include "coro.h"

static int co_fn(coro_frame *co)
{
#ifdef CORO_CF_OK
    CORO_BEGIN(co);
    CORO_YIELD(co);
    CORO_END(co);
#else
    CORO_YIELD(co);
    return CORO__DONE;
#endif
}

coro_fn keep_co_fn = co_fn;
