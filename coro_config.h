/*
 * coro_config.h - the porting knobs of coro, in the style of Lua's luaconf.h.
 *
 * Every knob is guarded by #ifndef: define it before including coro.h, with
 * -D on the command line, or in a header named by CORO_USER_CONFIG.  A knob
 * that is set to something unusable fails the build with an #error that says
 * how to fix it.
 *
 * With no knob set, a Unix build gets the POSIX port: poll() for fds,
 * clock_gettime(CLOCK_MONOTONIC) for time, malloc/free for memory.
 * docs/porting.md walks through a bare-metal configuration.
 */
#ifndef CORO_CONFIG_H
#define CORO_CONFIG_H

/* CORO_USER_CONFIG: a header included first, where a port defines its knobs,
 * e.g. -DCORO_USER_CONFIG='"my_coro_port.h"'.  Default: none. */
#ifdef CORO_USER_CONFIG
#include CORO_USER_CONFIG
#endif

/* CORO_POSIX: 1 = POSIX port (poll, clock_gettime, fd functions, SIGINT in
 * coro_run); 0 = bare metal (user clock and idle hook, no fd functions).
 * Default: 1 on Unix-like hosts, else 0. */
#ifndef CORO_POSIX
#if defined(__unix__) || defined(__unix) || defined(__APPLE__)
#define CORO_POSIX 1                /* default on Unix: the POSIX port */
#else
#define CORO_POSIX 0                /* default elsewhere: bare metal */
#endif
#endif
#if CORO_POSIX != 0 && CORO_POSIX != 1
#error "CORO_POSIX must be 0 (bare metal) or 1 (POSIX port)"
#endif

/* CORO_USE_LABELS: 0 = resume points are switch/case __LINE__ (portable C99);
 * 1 = GCC/Clang labels-as-values, which lets an await sit inside a user
 * switch.  Default: 0. */
#ifndef CORO_USE_LABELS
#define CORO_USE_LABELS 0           /* default: switch/case resume points */
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
#define CORO_BACKEND_EPOLL 0        /* default: poll() */
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
#define CORO_MALLOC(ctx, size) ((void)(ctx), malloc(size))             /* default: malloc */
#define CORO_FREE(ctx, ptr, size) ((void)(ctx), (void)(size), free(ptr)) /* default: free */
#define CORO_MALLOC_STDLIB 1
#endif

/* CORO_SLAB: per-loop slabs for the small objects coro makes and frees
 * often (tasks, child frames, futures, callback nodes): they come from 16 KiB
 * chunks, are recycled within the loop and go back to the allocator when the
 * loop is freed.  0 = off; 1 = on when the default allocator (malloc) is in
 * use, so a custom allocator or a static pool still sees one call per
 * object; 2 = on with any allocator (for testing).  Default: 1 on the POSIX
 * port, 0 on bare metal (16 KiB chunks do not suit a microcontroller). */
#ifndef CORO_SLAB
#define CORO_SLAB CORO_POSIX
#endif
#if CORO_SLAB < 0 || CORO_SLAB > 2
#error "CORO_SLAB must be 0 (off), 1 (with the default allocator) or 2 (always)"
#endif

/* CORO_CLOCK(): current time in milliseconds as a coro_time (uint32_t) that
 * may wrap.  Default on POSIX: clock_gettime(CLOCK_MONOTONIC).  Bare metal
 * must define it (a counter that a 1 ms SysTick interrupt increments, say);
 * reading it must be atomic with respect to that interrupt. */
#if !CORO_POSIX && !defined(CORO_CLOCK)
#error "bare-metal build: define CORO_CLOCK() to return milliseconds as uint32_t (see docs/porting.md)"
#endif

/* CORO_CLOCK_START: when defined, the clock is shifted so that its first
 * reading is this value, e.g. 0xFFFFD8F0 starts it 10 s before the 32-bit
 * wrap (the test suite runs a second time so).  Default: undefined. */
#if defined(CORO_CLOCK_START) && (CORO_CLOCK_START) > 0xFFFFFFFF
#error "CORO_CLOCK_START is a 32-bit millisecond count: use a value below 2^32"
#endif

/* CORO_IDLE(timeout_ms): bare metal only.  The loop calls it when nothing is
 * ready, inside CORO_CRITICAL_ENTER/EXIT (interrupts masked) and only after
 * checking that no interrupt-safe event was set.  It must sleep until an
 * interrupt is pending, or until about timeout_ms (a long; -1 = no timeout)
 * has passed, in a way that cannot miss an interrupt that became pending
 * after the check: "wfi" with PRIMASK set on Cortex-M, "sei; sleep" on AVR.
 * Returning early is always fine: the loop checks again.  Default: return at
 * once (a busy wait: correct, but it never saves power). */
#if CORO_POSIX && defined(CORO_IDLE)
#error "CORO_IDLE is for bare-metal builds (CORO_POSIX 0); the POSIX port waits in poll()"
#endif
#ifndef CORO_IDLE
#define CORO_IDLE(timeout_ms) ((void)(timeout_ms))  /* default: busy wait */
#define CORO_IDLE_BUSY 1
#endif

/* CORO_CRITICAL_ENTER() / CORO_CRITICAL_EXIT(): mask and unmask the
 * interrupts whose handlers call coro_event_set.  The loop uses them once, in
 * one function, around "is anything ready? then CORO_IDLE", so ENTER may open
 * a block that saves the interrupt state in a local and EXIT may close it.
 * Bare metal only (POSIX wakes poll() through a self-pipe).  Default: no
 * masking, which is only safe with the default busy CORO_IDLE. */
#if defined(CORO_CRITICAL_ENTER) != defined(CORO_CRITICAL_EXIT)
#error "define both CORO_CRITICAL_ENTER() and CORO_CRITICAL_EXIT(), or neither"
#endif
#if CORO_POSIX && defined(CORO_CRITICAL_ENTER)
#error "CORO_CRITICAL_ENTER/EXIT are for bare-metal builds (CORO_POSIX 0); on POSIX coro_event_set wakes poll() through a self-pipe"
#endif
#if !CORO_POSIX && !defined(CORO_IDLE_BUSY) && !defined(CORO_CRITICAL_ENTER)
#error "a sleeping CORO_IDLE needs CORO_CRITICAL_ENTER()/EXIT() that mask interrupts, or a wake-up can be lost between the ready check and the sleep"
#endif
#ifndef CORO_CRITICAL_ENTER
#define CORO_CRITICAL_ENTER() ((void)0)     /* default: no masking */
#define CORO_CRITICAL_EXIT() ((void)0)      /* default: no masking */
#endif

/* CORO_ASSERT(x): checks internal invariants.  It is compiled in only with
 * CORO_DEBUG; documented bad input never reaches it: it gets an error code.
 * Default: assert() with CORO_DEBUG, nothing without. */
#if defined(CORO_ASSERT) && !defined(CORO_DEBUG)
#error "CORO_ASSERT is only used with CORO_DEBUG: define CORO_DEBUG too, or leave CORO_ASSERT undefined"
#endif
#ifndef CORO_ASSERT
#ifdef CORO_DEBUG
#include <assert.h>
#define CORO_ASSERT(x) assert(x)    /* default with CORO_DEBUG: assert() */
#else
#define CORO_ASSERT(x) ((void)0)    /* default: compiled out */
#endif
#endif

/* CORO_PRINT(s): how the default exception handler writes the string s (a
 * few calls per report; newlines are included in s).  Define it to your
 * UART's puts to see reports on bare metal; it must then be declared by the
 * time coro_config.h is read (from CORO_USER_CONFIG, say).  Default: fputs to
 * stderr on POSIX; on bare metal, nothing, so that stdio is not linked in. */
#ifndef CORO_PRINT
#if CORO_POSIX
#define CORO_PRINT(s) coro__print_stderr(s)     /* default on POSIX: stderr */
#else
#define CORO_PRINT(s) ((void)(s))   /* default on bare metal: silent */
#define CORO_PRINT_NONE 1
#endif
#endif

/* CORO_HEAP_INIT: the capacity, in entries, of the timer heap when it is
 * first allocated.  It doubles when full (every task and timer reserves an
 * entry).  A static-mode build sets it to its most tasks plus timers, so that
 * the heap is allocated once and never needs the old and the new array at
 * the same time.  Default: 8. */
#ifndef CORO_HEAP_INIT
#define CORO_HEAP_INIT 8            /* default: 8 entries */
#endif
#if (CORO_HEAP_INIT) < 1
#error "CORO_HEAP_INIT is the timer heap's first capacity: set it to 1 or more"
#endif

/* Trace hooks, empty by default.  f is a coro_future *, t a task. */
#ifndef CORO_TRACE_TASK_STEP
#define CORO_TRACE_TASK_STEP(t) ((void)0)     /* a task is about to run a step */
#endif
#ifndef CORO_TRACE_FUTURE_DONE
#define CORO_TRACE_FUTURE_DONE(f) ((void)0)   /* a future just completed */
#endif
#ifndef CORO_TRACE_LOOP_ITER
#define CORO_TRACE_LOOP_ITER(loop) ((void)0)  /* an iteration goes ahead (after its timeout is known) */
#endif
#ifndef CORO_TRACE_LOOP_IDLE
#define CORO_TRACE_LOOP_IDLE(ms) ((void)0)    /* the loop is about to wait ms (-1: forever) */
#endif
#ifndef CORO_TRACE_EVENT_WAKE
#define CORO_TRACE_EVENT_WAKE(ev) ((void)0)   /* a set coro_event wakes its waiters */
#endif

#endif /* CORO_CONFIG_H */
