/* Static mode: CORO_POOL_ASSERT_TASK_FITS rejects, at file scope, a frame
 * type too large for the pool's task block. */
/* expect: negative|size of (unnamed )?array */
#include "../../port/coro_pool.h"

struct big { coro_frame co; char buf[200]; };
struct small { coro_frame co; int x; };
#define TASK_BLOCK CORO_POOL_TASK_BYTES(struct small)

#ifdef CORO_CF_OK
CORO_POOL_ASSERT_TASK_FITS(struct small, TASK_BLOCK);
#else
CORO_POOL_ASSERT_TASK_FITS(struct big, TASK_BLOCK);
#endif
