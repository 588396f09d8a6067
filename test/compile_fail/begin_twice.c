/* A second CORO_BEGIN in one coroutine must not compile. */
/* expect: (duplicate label|redefinition of label|duplicate case value) */
#include "coro.h"

static int co_fn(coro_frame *co)
{
    CORO_BEGIN(co);
    CORO_YIELD(co);
#ifndef CORO_CF_OK
    CORO_BEGIN(co);
    CORO_YIELD(co);
    CORO_END(co);
#endif
    CORO_END(co);
}

coro_fn keep_co_fn = co_fn;
