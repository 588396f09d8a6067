/*
 * coro_config.h - the porting knobs of coro, in the style of Lua's luaconf.h.
 *
 * Every knob is guarded by #ifndef: define it before including coro.h (or with
 * -D on the command line) to override it.  A knob that is set to something
 * unusable fails the build with an #error that says how to fix it.
 *
 * With no knob set, a Unix build gets the POSIX port: poll() for fds,
 * clock_gettime(CLOCK_MONOTONIC) for time, malloc/free for memory.
 * docs/porting.md walks through a bare-metal configuration.
 */
#ifndef CORO_CONFIG_H
#define CORO_CONFIG_H

/* CORO_POSIX: 1 = POSIX port (poll, clock_gettime, fd functions, SIGINT in
 * coro_run); 0 = bare metal (user clock and idle hook, no fd functions).
 * Default: 1 on Unix-like hosts, else 0. */
#ifndef CORO_POSIX
#if defined(__unix__) || defined(__unix) || defined(__APPLE__)
#define CORO_POSIX 1
#else
#define CORO_POSIX 0
#endif
#endif
#if CORO_POSIX != 0 && CORO_POSIX != 1
#error "CORO_POSIX must be 0 (bare metal) or 1 (POSIX port)"
#endif

/* CORO_USE_LABELS: 0 = resume points are switch/case __LINE__ (portable C99);
 * 1 = GCC/Clang labels-as-values, which lets an await sit inside a user
 * switch.  Default: 0. */
#ifndef CORO_USE_LABELS
#define CORO_USE_LABELS 0
#endif
#if CORO_USE_LABELS != 0 && CORO_USE_LABELS != 1
#error "CORO_USE_LABELS must be 0 (switch backend) or 1 (labels-as-values)"
#endif
#if CORO_USE_LABELS && !defined(__GNUC__)
#error "CORO_USE_LABELS=1 needs GCC or Clang; set CORO_USE_LABELS to 0"
#endif

/* CORO_BACKEND_EPOLL: 1 = Linux epoll backend instead of poll().  With epoll,
 * remove a watched fd before closing it (as asyncio's selector loops require).
 * Default: 0 (poll). */
#ifndef CORO_BACKEND_EPOLL
#define CORO_BACKEND_EPOLL 0
#endif
#if CORO_BACKEND_EPOLL && (!CORO_POSIX || !defined(__linux__))
#error "CORO_BACKEND_EPOLL=1 needs Linux with CORO_POSIX=1; set it to 0"
#endif

/* CORO_POLL_EVERY: fd fairness.  While callbacks or tasks are ready, the
 * loop skips the poll (a system call on POSIX) and polls fds, with a zero
 * timeout, only once at least this many ready items have run since the last
 * poll; when nothing is ready it always polls.  A ready fd is therefore
 * served within CORO_POLL_EVERY iterations, and a busy loop makes one poll
 * per CORO_POLL_EVERY items instead of one per iteration.  1 polls on every
 * iteration, as asyncio does.  Default: 64. */
#ifndef CORO_POLL_EVERY
#define CORO_POLL_EVERY 64
#endif
#if CORO_POLL_EVERY < 1
#error "CORO_POLL_EVERY must be at least 1 (1 polls fds on every iteration, as asyncio does)"
#endif

/* CORO_MALLOC(ctx, size) / CORO_FREE(ctx, ptr, size): the default allocator
 * pair, used until coro_set_allocator installs another.  The size is passed
 * on free so that pool allocators need no header.  Default: malloc/free. */
#if defined(CORO_MALLOC) != defined(CORO_FREE)
#error "define both CORO_MALLOC(ctx, size) and CORO_FREE(ctx, ptr, size), or neither"
#endif
#ifndef CORO_MALLOC
#define CORO_MALLOC(ctx, size) ((void)(ctx), malloc(size))
#define CORO_FREE(ctx, ptr, size) ((void)(ctx), (void)(size), free(ptr))
#define CORO_MALLOC_STDLIB 1
#endif

/* CORO_CLOCK(): current time in milliseconds as a coro_time (uint32_t) that
 * may wrap.  Default on POSIX: clock_gettime(CLOCK_MONOTONIC).  Bare metal
 * must define it (a SysTick counter, say). */
#if !CORO_POSIX && !defined(CORO_CLOCK)
#error "bare-metal build: define CORO_CLOCK() to return milliseconds as uint32_t (see docs/porting.md)"
#endif

/* CORO_CLOCK_START: POSIX only.  When defined, the POSIX clock is shifted so
 * that its first reading is this value, e.g. 0xFFFFD8F0 starts it 10 s before
 * the 32-bit wrap.  Default: undefined (no shift). */

/* CORO_IDLE(timeout_ms): bare metal only.  Called with interrupts disabled
 * (inside CORO_CRITICAL_ENTER) when nothing is ready; it must sleep until an
 * interrupt or until timeout_ms (-1 = no timeout) has passed, re-enabling
 * interrupts atomically with the sleep (e.g. "cpsie i; wfi").  Default: a busy
 * wait, which is correct but wastes power. */
#ifndef CORO_IDLE
#define CORO_IDLE(timeout_ms) ((void)(timeout_ms))
#endif

/* CORO_CRITICAL_ENTER() / CORO_CRITICAL_EXIT(): mask the interrupts that may
 * call coro_event_set.  Default: nothing (POSIX uses a self-pipe instead). */
#if defined(CORO_CRITICAL_ENTER) != defined(CORO_CRITICAL_EXIT)
#error "define both CORO_CRITICAL_ENTER() and CORO_CRITICAL_EXIT(), or neither"
#endif
#ifndef CORO_CRITICAL_ENTER
#define CORO_CRITICAL_ENTER() ((void)0)
#define CORO_CRITICAL_EXIT() ((void)0)
#endif

/* CORO_ASSERT(x): checks internal invariants, compiled in only with
 * CORO_DEBUG.  Documented bad input never reaches it: it gets an error code.
 * Default: nothing without CORO_DEBUG, assert() with it. */
#ifndef CORO_ASSERT
#ifdef CORO_DEBUG
#include <assert.h>
#define CORO_ASSERT(x) assert(x)
#else
#define CORO_ASSERT(x) ((void)0)
#endif
#endif

/* Trace hooks, empty by default.  f is a coro_future *, t a task. */
#ifndef CORO_TRACE_TASK_STEP
#define CORO_TRACE_TASK_STEP(t) ((void)0)     /* a task is about to run a step */
#endif
#ifndef CORO_TRACE_FUTURE_DONE
#define CORO_TRACE_FUTURE_DONE(f) ((void)0)   /* a future just completed */
#endif
#ifndef CORO_TRACE_LOOP_IDLE
#define CORO_TRACE_LOOP_IDLE(ms) ((void)0)    /* the loop is about to wait ms (-1: forever) */
#endif

#endif /* CORO_CONFIG_H */
