/* W3 timers, the floor: a binary min-heap of (deadline, id) stored by value,
 * and a loop that sleeps in poll() until the earliest deadline. */
#include <poll.h>
#include "bench.h"

struct ent { uint32_t when, id; };

static struct ent *heap;
static long nheap;

static uint32_t clock_ms(void) { return (uint32_t)(now_ns() / 1000000u); }

static int less(struct ent a, struct ent b)
{
    int32_t d = (int32_t)(a.when - b.when);
    return d < 0 || (d == 0 && a.id < b.id);
}

static void push(struct ent e)
{
    long i = nheap++;
    while (i > 0 && less(e, heap[(i - 1) / 2])) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = e;
}

static struct ent pop(void)
{
    struct ent top = heap[0], e = heap[--nheap];
    long i = 0;
    for (;;) {
        long c = 2 * i + 1;
        if (c >= nheap) break;
        if (c + 1 < nheap && less(heap[c + 1], heap[c])) c++;
        if (!less(heap[c], e)) break;
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = e;
    return top;
}

int main(int argc, char **argv)
{
    long n = arg_long(argc, argv, 1, 1000000), i, fired = 0;
    uint64_t expect, sum = 0, t0, t1, c0, c1, tarm;
    uint32_t *d = timer_offsets_ms(n, &expect), start;
    char ck[32];
    heap = (struct ent *)malloc((size_t)n * sizeof *heap);
    if (heap == NULL) die("malloc");
    t0 = now_ns();
    c0 = cpu_ns();
    start = clock_ms();
    for (i = 0; i < n; i++) {
        struct ent e;
        e.when = start + d[i];
        e.id = (uint32_t)i;
        push(e);
    }
    tarm = now_ns();
    while (nheap > 0) {
        uint32_t now = clock_ms();
        int32_t wait = (int32_t)(heap[0].when - now);
        if (wait > 0) {
            poll(NULL, 0, (int)wait);
            continue;
        }
        while (nheap > 0 && (int32_t)(heap[0].when - now) <= 0) {
            struct ent e = pop();
            sum += d[e.id];
            fired++;
        }
    }
    t1 = now_ns();
    c1 = cpu_ns();
    if (fired != n || sum != expect) return 1;
    snprintf(ck, sizeof ck, "%llu", (unsigned long long)sum);
    report("timers", "floor", n, ((double)(t1 - t0) - 100e6) / (double)n, ck,
           "wall_ms=%.1f cpu_ns_per_op=%.1f arm_ms=%.1f", (double)(t1 - t0) / 1e6,
           (double)(c1 - c0) / (double)n, (double)(tarm - t0) / 1e6);
    return 0;
}
