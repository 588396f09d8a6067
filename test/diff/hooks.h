/* hooks.h - force-included (-include) into the library objects of the
 * differential interpreter: counts loop iterations through coro's trace
 * hook, so traces can be compared iteration for iteration with asyncio. */
#ifndef CORO_DIFF_HOOKS_H
#define CORO_DIFF_HOOKS_H
extern unsigned long coro_diff_iters;
#define CORO_TRACE_LOOP_IDLE(ms) ((void)(ms), coro_diff_iters++)
#endif
