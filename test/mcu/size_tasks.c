/*
 * size_tasks.c - how many tasks fit in an ATmega2560's 8 KB, measured by
 * running them (make size, on simavr).
 *
 * Each task has the smallest useful frame, a coro_frame and a 2-byte id. It
 * sleeps 1 to 3 ms, then counts itself.  Tasks are created until creation
 * fails (the program keeps no reference: the loop holds its tasks); then
 * the loop runs until nothing is left (CORO_EDEADLK), and the program checks
 * that every task ran to its end, undisturbed by the failed creation.
 *
 *   SIZE_STATIC 0: the default allocator, avr-libc's malloc, over all the
 *                  RAM that .data, .bss and the stack leave.
 *   SIZE_STATIC 1: static mode: the same RAM carved into block pools
 *                  (port/coro_pool.c), with the library built with
 *                  CORO_HEAP_INIT = SIZE_HEAP so that the timer heap is one
 *                  block.  The program prints the SIZE_HEAP that would use
 *                  the RAM best, and make size builds it a second time with
 *                  that value.
 */
#include <stdio.h>
#include <stdlib.h>
#include "coro.h"
#if SIZE_STATIC
#include "../../port/coro_pool.c"
#endif

struct tiny {
    coro_frame co;
    int id;
};

static unsigned finished;

static int tiny(coro_frame *co)
{
    struct tiny *t = (struct tiny *)co;
    CORO_BEGIN(co);
    CORO_SLEEP(co, (coro_time)(1 + t->id % 3));
    finished++;
    CORO_END(co);
}

#define MAX_TASKS 2000

/* Stack kept free below the heap while the loop runs (and printf): avr-libc's
 * malloc lets the heap come within __malloc_margin bytes of the stack
 * pointer, and the stack is deeper when tasks run than when they are made. */
#define STACK_RESERVE 256

#if SIZE_STATIC
#ifdef __AVR__
extern char __heap_start;
extern char *__brkval;
/* Bytes between the end of the heap and the stack, minus what the stack
 * still needs while the loop runs. */
static size_t free_ram(void)
{
    char here;
    char *top = __brkval ? __brkval : &__heap_start;
    return (size_t)(&here - top) - STACK_RESERVE;
}
#else
static size_t free_ram(void) { return 8192; }
#endif
#endif

int main(void)
{
    coro_loop *loop;
    struct tiny init;
    coro_future *t;
    unsigned n;
    int err;
#if defined(__AVR__) && !SIZE_STATIC
    __malloc_margin = STACK_RESERVE;
#endif
#if SIZE_STATIC
    /* One pool per kind of block, so that nothing is wasted: the loop's, the
     * timer heap's and the tasks'.  The loop is allocated first and takes
     * the loop pool's one block. */
    static coro_pool looppool, taskpool, heappool;
    size_t ram = free_ram();
    size_t task_block = CORO_POOL_ROUND(CORO_POOL_TASK_BYTES(struct tiny));
    size_t heap_block = CORO_POOL_ROUND(SIZE_HEAP * sizeof(struct coro__timer));
    size_t loop_block = CORO_POOL_ROUND(sizeof(coro_loop));
    char *mem = (char *)malloc(ram);            /* all of it, once, at start-up */
    if (mem == NULL || ram < loop_block + heap_block + task_block ||
        coro_pool_init(&heappool, mem, heap_block, heap_block, NULL) != 0 ||
        coro_pool_init(&taskpool, mem + heap_block, ram - heap_block - loop_block, task_block,
                       &heappool) != 0 ||
        coro_pool_init(&looppool, mem + ram - loop_block, loop_block, loop_block, &taskpool) != 0) {
        printf("size_tasks: no memory for the pools\n");
        return 1;
    }
    coro_set_allocator(coro_pool_alloc, coro_pool_release, &looppool);
    /* The heap size that fits the most tasks: the loop takes its block,
     * every task a task block and a heap entry. */
    printf("best SIZE_HEAP %u\n",
           (unsigned)((ram - loop_block - sizeof(union coro_pool_align)) /
                      (task_block + sizeof(struct coro__timer))));
#endif
    loop = coro_loop_new();
    if (loop == NULL) {
        printf("size_tasks: no loop\n");
        return 1;
    }
    for (n = 0; n < MAX_TASKS; n++) {
        init.id = (int)n;
        t = coro_create_task(loop, tiny, &init, sizeof init);
        if (t == NULL) break;
        coro_unref(t);
    }
    err = coro_run_forever(loop);                  /* until every task is done */
    coro_loop_free(loop);
    printf("tasks %u ran %u\n", n, finished);
    return (err == CORO_EDEADLK && finished == n && n > 0) ? 0 : 1;
}
