/* Static mode: a task whose frame does not fit the pool's task block must
 * not compile (CORO_POOL_ASSERT_TASK_FITS and CORO_POOL_CREATE_TASK). */
/* expect: negative|size of (unnamed )?array */
#include "../../port/coro_pool.h"

struct big { coro_frame co; char buf[200]; };
struct small { coro_frame co; int x; };
#define TASK_BLOCK CORO_POOL_TASK_BYTES(struct small)

static int fn(coro_frame *co)
{
    CORO_BEGIN(co);
    CORO_END(co);
}

#ifdef CORO_CF_OK
CORO_POOL_ASSERT_TASK_FITS(struct small, TASK_BLOCK);
coro_future *spawn(coro_loop *loop, struct small *init);
coro_future *spawn(coro_loop *loop, struct small *init)
{
    return CORO_POOL_CREATE_TASK(TASK_BLOCK, loop, fn, init);
}
#else
coro_future *spawn(coro_loop *loop, struct big *init);
coro_future *spawn(coro_loop *loop, struct big *init)
{
    return CORO_POOL_CREATE_TASK(TASK_BLOCK, loop, fn, init);
}
#endif
