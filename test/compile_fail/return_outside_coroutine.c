/* CORO_RETURN outside a coroutine body (no CORO_BEGIN) must not compile. */
/* expect: (coro__top|not within a switch|not in switch) */
#include "coro.h"

static int co_fn(coro_frame *co)
{
#ifdef CORO_CF_OK
    CORO_BEGIN(co);
    CORO_RETURN(co, 1);
    CORO_END(co);
#else
    CORO_RETURN(co, 1);
    return CORO__DONE;
#endif
}

coro_fn keep_co_fn = co_fn;
