/*
 * coro_pool.h - static (zero-malloc) mode: fixed-capacity block pools that
 * coro allocates from, installed with coro_set_allocator.
 *
 * A pool is an array of equal blocks, from memory you provide (a static
 * array, typically).  Pools chain from the smallest block size to the
 * largest; an allocation takes a block from the first pool whose blocks are
 * big enough and that has one free, so a full small pool spills into the
 * next one.  Allocating and freeing are O(1) plus the length of the chain.
 * Nothing is ever taken from the C heap: when every pool that could serve
 * a request is empty, the request fails and coro reports CORO_ENOMEM to the
 * call that needed it (coro_create_task returns NULL, CORO_AWAIT_CALL raises
 * CORO_ENOMEM, ...), while tasks already running are unaffected: nothing
 * on the completion path, a sleep or an await allocates.
 *
 * A typical configuration (docs/porting.md has a complete one):
 *
 *     #define TASK_SLOT CORO_POOL_TASK_BYTES(struct blink)   // task + frame
 *     CORO_POOL_STORAGE(small_mem, 32, 16);      // futures, callbacks
 *     CORO_POOL_STORAGE(task_mem, TASK_SLOT, 8); // tasks
 *     CORO_POOL_STORAGE(big_mem, 160, 2);        // the loop, the timer heap
 *     static coro_pool small, tasks, big;
 *     coro_pool_init(&big, big_mem, sizeof big_mem, 160, NULL);
 *     coro_pool_init(&tasks, task_mem, sizeof task_mem, TASK_SLOT, &big);
 *     coro_pool_init(&small, small_mem, sizeof small_mem, 32, &tasks);
 *     coro_set_allocator(coro_pool_alloc, coro_pool_release, &small);
 *
 * Build with CORO_HEAP_INIT set to the largest number of tasks and timers,
 * so the timer heap is allocated once (and give it a block that size).
 *
 * Not thread- or interrupt-safe: coro allocates only from the loop.
 */
#ifndef CORO_POOL_H
#define CORO_POOL_H

#include "coro_internal.h"      /* the task header size, for the checks */

#ifdef __cplusplus
extern "C" {
#endif

/** A pool of equal blocks.  Fields are private, except the counters, which
 *  you may read to size your pools. */
typedef struct coro_pool {
    struct coro_pool *next;     /* next pool in the chain (larger blocks) */
    void *free;                 /* free blocks, linked through their first word */
    unsigned char *mem, *end;   /* the blocks */
    size_t block;               /* bytes per block */
    size_t nfree;               /* free blocks now */
    size_t lowest;              /* fewest free blocks ever: the headroom left */
} coro_pool;

/** Alignment of every block, and the unit block sizes are rounded up to. */
union coro_pool_align { void *p; long l; long double ld; void (*fp)(void); };
#define CORO_POOL_ROUND(n)                                                    \
    (((n) + sizeof(union coro_pool_align) - 1) / sizeof(union coro_pool_align) * \
     sizeof(union coro_pool_align))

/** Bytes that one task takes, for a frame type or a frame size: the task
 *  header and its root frame share one block. */
#define CORO_POOL_TASK_BYTES(frame_type) (CORO__ROOT_OFFSET + sizeof(frame_type))
#define CORO_POOL_TASK_BYTES_N(frame_size) (CORO__ROOT_OFFSET + (frame_size))

/** Static storage for `count` blocks of `block` bytes, aligned for any use:
 *  `static` array `name` (pass it and sizeof name to coro_pool_init). */
#define CORO_POOL_STORAGE(name, block, count)                                 \
    static union coro_pool_align name[(CORO_POOL_ROUND(block) * (count)) /    \
                                      sizeof(union coro_pool_align)]

/** Compile-time check that a task whose frame is `frame_type` fits a block
 *  of `block` bytes: the build fails (a negative array size) if it does
 *  not.  A typedef: put it at file scope (inside a function, gcc's
 *  -Wunused-local-typedefs would flag it). */
#define CORO_POOL_ASSERT_TASK_FITS(frame_type, block)                         \
    typedef char CORO__CAT(coro_pool_task_too_big_, __LINE__)                 \
        [(CORO_POOL_TASK_BYTES(frame_type) <= (size_t)(block)) ? 1 : -1]
/** The same for a frame started with CORO_AWAIT_CALL (no task header). */
#define CORO_POOL_ASSERT_FRAME_FITS(frame_type, block)                        \
    typedef char CORO__CAT(coro_pool_frame_too_big_, __LINE__)                \
        [(sizeof(frame_type) <= (size_t)(block)) ? 1 : -1]

/** coro_create_task for a pool-backed build, checked at compile time: fails
 *  to compile if a task with `*init`'s frame type cannot fit `block`. */
#define CORO_POOL_CREATE_TASK(block, loop, fn, init)                          \
    ((void)sizeof(char[(CORO_POOL_TASK_BYTES(*(init)) <= (size_t)(block)) ? 1 : -1]), \
     coro_create_task((loop), (fn), (init), sizeof *(init)))

/** Make `p` a pool of `bytes / block` blocks (block rounded up to the
 *  alignment) in `mem`, chained to `next` (NULL for the last pool).  `mem`
 *  must be aligned as union coro_pool_align (CORO_POOL_STORAGE is).  0, or
 *  CORO_EINVAL if not even one block fits or the arguments are NULL. */
int coro_pool_init(coro_pool *p, void *mem, size_t bytes, size_t block, coro_pool *next);

/** The allocator pair for coro_set_allocator; `ctx` is the first pool of
 *  the chain.  Freeing finds the owner block by address. */
void *coro_pool_alloc(void *ctx, size_t size);
void coro_pool_release(void *ctx, void *p, size_t size);

#ifdef __cplusplus
}
#endif

#endif
