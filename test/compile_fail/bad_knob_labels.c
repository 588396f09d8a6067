/* A port knob set to something unusable fails with an #error that says how
 * to fix it (coro_config.h). */
/* expect: CORO_USE_LABELS must be 0 */
#ifndef CORO_CF_OK
#define CORO_USE_LABELS 2
#endif
#include "coro.h"

int keep_it;
