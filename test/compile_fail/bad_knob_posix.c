/* CORO_POSIX must be 0 or 1 (coro_config.h). */
/* expect: CORO_POSIX must be 0 */
#ifndef CORO_CF_OK
#define CORO_POSIX 2
#endif
#include "coro.h"

int keep_it;
