/* Two awaits on one line must not compile with the labels-as-values
 * backend either: both would define the same label. */
/* flags: -DCORO_USE_LABELS=1 */
/* expect: (duplicate label|redefinition of label) */
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
