/*
 * coro_pool.c - fixed-capacity block pools for coro's static mode (see
 * coro_pool.h).  About fifty lines: a free list per pool, and a walk down
 * the chain to find the first pool that can serve a request.
 */
#include <stdint.h>
#include "coro_pool.h"

int coro_pool_init(coro_pool *p, void *mem, size_t bytes, size_t block, coro_pool *next)
{
    size_t n, i;
    if (p == NULL || mem == NULL || block == 0) return CORO_EINVAL;
    block = CORO_POOL_ROUND(block);
    n = bytes / block;
    if (n == 0) return CORO_EINVAL;
    p->next = next;
    p->mem = (unsigned char *)mem;
    p->end = p->mem + n * block;
    p->block = block;
    p->nfree = p->lowest = n;
    p->free = NULL;
    for (i = n; i-- > 0;) {         /* the first block ends up first in the list */
        void **b = (void **)(void *)(p->mem + i * block);
        *b = p->free;
        p->free = b;
    }
    return 0;
}

void *coro_pool_alloc(void *ctx, size_t size)
{
    coro_pool *p;
    for (p = (coro_pool *)ctx; p != NULL; p = p->next) {
        void **b;
        if (size > p->block || p->free == NULL) continue;
        b = (void **)p->free;
        p->free = *b;
        if (--p->nfree < p->lowest) p->lowest = p->nfree;
        return b;
    }
    return NULL;
}

void coro_pool_release(void *ctx, void *ptr, size_t size)
{
    coro_pool *p;
    uintptr_t a = (uintptr_t)ptr;
    (void)size;
    for (p = (coro_pool *)ctx; p != NULL; p = p->next) {
        if (a >= (uintptr_t)p->mem && a < (uintptr_t)p->end) {
            void **b = (void **)ptr;
            *b = p->free;
            p->free = b;
            p->nfree++;
            return;
        }
    }
}
