/* coro_bench.h - naming for the coro benchmark programs: the impl name says
 * which backend the library was built with. */
#ifndef CORO_BENCH_H
#define CORO_BENCH_H
#include "coro.h"
#include "bench.h"

#if CORO_BACKEND_EPOLL
#define CORO_IMPL(suffix) "coro-epoll" suffix
#define CORO_BACKEND "epoll"
#else
#define CORO_IMPL(suffix) "coro" suffix
#define CORO_BACKEND "poll"
#endif

/* An exception handler that says nothing: W5 frees its loop with the
 * watcher tasks still pending, which is expected there. */
static BENCH_UNUSED void quiet_handler(coro_loop *loop, const char *message, coro_future *f,
                                       int err, void *arg)
{
    (void)loop; (void)message; (void)f; (void)err; (void)arg;
}
#endif
