/* CORO_END without CORO_BEGIN must not compile. */
/* expect: error */
#include "coro.h"

static int co_fn(coro_frame *co)
{
#ifdef CORO_CF_OK
    CORO_BEGIN(co);
#else
    (void)co;
#endif
    CORO_END(co);
}

coro_fn keep_co_fn = co_fn;
