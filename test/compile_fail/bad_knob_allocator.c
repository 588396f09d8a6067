/* The allocator knobs come in pairs: CORO_MALLOC without CORO_FREE is an
 * #error (coro_config.h). */
/* expect: define both CORO_MALLOC */
#include <stdlib.h>
#ifndef CORO_CF_OK
#define CORO_MALLOC(ctx, size) ((void)(ctx), malloc(size))
#endif
#include "coro.h"

int keep_it;
