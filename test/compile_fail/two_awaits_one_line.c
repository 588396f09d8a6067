/* Two awaits on one line must not compile: each resume point is named by
 * __LINE__, so the second would silently resume at the first. */
/* expect: duplicate (case value|label) */
#include "coro.h"

static int co_fn(coro_frame *co)
{
    CORO_BEGIN(co);
#ifdef CORO_CF_OK
    CORO_YIELD(co);
    CORO_YIELD(co);
#else
    CORO_YIELD(co); CORO_YIELD(co);
#endif
    CORO_END(co);
}

coro_fn keep_co_fn = co_fn;
