/* An initialized C local that lives across an await loses its value on
 * resume.  gcc's -Wjump-misses-init rejects it: the resume jumps past the
 * initialization. */
/* only: gcc */
/* flags: -Wjump-misses-init */
/* expect: jump-misses-init */
#include <stdio.h>
#include "coro.h"

struct frame { coro_frame co; int kept; };

static int co_fn(coro_frame *co)
{
    struct frame *f = (struct frame *)co;
    CORO_BEGIN(co);
#ifdef CORO_CF_OK
    f->kept = 5;            /* the right way: a frame field */
    CORO_YIELD(co);
    printf("%d\n", f->kept);
#else
    {
        int lost = 5;       /* wrong: a C local across an await */
        CORO_YIELD(co);
        printf("%d\n", lost);
    }
#endif
    CORO_END(co);
}

coro_fn keep_co_fn = co_fn;
