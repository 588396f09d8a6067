/* hooks.h - force-included (-include) into the library objects of the
 * differential interpreter: counts loop iterations through coro's
 * CORO_TRACE_LOOP_ITER hook, so traces can be compared iteration for iteration with asyncio, and
 * checks the loop's invariants (test/invariants.h) at every iteration.  The
 * hook expands at the top of each iteration in loop.c's run(). */
#ifndef CORO_DIFF_HOOKS_H
#define CORO_DIFF_HOOKS_H
struct coro_loop;
void coro_diff_iteration(struct coro_loop *loop);
#define CORO_TRACE_LOOP_ITER(l) coro_diff_iteration(l)
#endif
