/* support.c - see support.h. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "support.h"

coro_time T0;

/* Each block carries a header with its size and a magic word, so a free
 * with the wrong size (or a double free) fails the test at once. */
#define MAGIC 0xC0C0A11Cul
union header {
    struct { size_t size; unsigned long magic; } h;   /* long: 32 bits even on AVR */
    long double align;
    void *p;
};

static size_t outstanding, count;
static long fail_at, failures;
static int locked;

static void *t_alloc(void *ctx, size_t size)
{
    union header *b;
    (void)ctx;
    if (locked) fail_msg("allocation of %lu bytes while the heap is locked", (unsigned long)size);
    count++;
    if (fail_at > 0 && --fail_at == 0) {
        failures++;
        return NULL;
    }
    b = malloc(sizeof *b + size);
    if (b == NULL) return NULL;
    b->h.size = size;
    b->h.magic = MAGIC;
    outstanding++;
    return b + 1;
}

static void t_release(void *ctx, void *p, size_t size)
{
    union header *b = (union header *)p - 1;
    (void)ctx;
    if (b->h.magic != MAGIC) fail_msg("free of a block that is not live (double free?)");
    if (b->h.size != size)
        fail_msg("free with size %lu of a block of %lu bytes", (unsigned long)size,
                 (unsigned long)b->h.size);
    b->h.magic = 0;
    outstanding--;
    free(b);
}

size_t test_alloc_outstanding(void) { return outstanding; }
size_t test_alloc_count(void) { return count; }
void test_alloc_fail_at(long n) { fail_at = n; }
long test_alloc_failures(void) { return failures; }
void test_alloc_lock(int on) { locked = on; }

struct test_report test_reports[TEST_MAX_REPORTS];
int test_nreports;

void test_handler(coro_loop *loop, const char *message, coro_future *f, int err, void *arg)
{
    struct test_report *r;
    (void)loop;
    (void)arg;
    if (test_nreports >= TEST_MAX_REPORTS) return;
    r = &test_reports[test_nreports++];
    snprintf(r->message, sizeof r->message, "%s", message);
    r->err = err;
    r->has_future = f != NULL;
    r->repr[0] = '\0';
    if (f != NULL) coro_task_repr(f, r->repr, sizeof r->repr);
}

int test_count_reports(const char *prefix)
{
    int i, n = 0;
    for (i = 0; i < test_nreports; i++)
        if (strncmp(test_reports[i].message, prefix, strlen(prefix)) == 0) n++;
    return n;
}

#ifndef TEST_LOG_SIZE
#define TEST_LOG_SIZE 4096
#endif
static char logbuf[TEST_LOG_SIZE];
static size_t loglen;

void test_log(const char *s) { test_logf("%s", s); }

void test_logf(const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(logbuf + loglen, sizeof logbuf - loglen - 1, fmt, ap);
    va_end(ap);
    if (n > 0) loglen += (size_t)n;
    if (loglen > sizeof logbuf - 2) loglen = sizeof logbuf - 2;
    logbuf[loglen++] = ' ';
    logbuf[loglen] = '\0';
}

const char *test_log_str(void) { return logbuf; }

static struct { coro_loop *loop; const char *prefix; int n, max; } ticker;

static void tick(void *arg)
{
    (void)arg;
    test_logf("%s%d", ticker.prefix, ++ticker.n);
    if (ticker.n < ticker.max)
        assert_int_equal(coro_call_soon(ticker.loop, tick, NULL, NULL), 0);
}

void test_start_ticker(coro_loop *loop, const char *prefix, int max)
{
    ticker.loop = loop;
    ticker.prefix = prefix;
    ticker.n = 0;
    ticker.max = max;
    assert_int_equal(coro_call_soon(loop, tick, NULL, NULL), 0);
}

coro_loop *test_loop(void)
{
    coro_loop *loop = coro_loop_new_virtual(T0);
    assert_non_null(loop);
    coro_set_exception_handler(loop, test_handler, NULL);
    return loop;
}

int test_setup(void **state)
{
    const char *s = getenv("CORO_TEST_START");
    (void)state;
#ifndef CORO_TEST_START_DEFAULT
#define CORO_TEST_START_DEFAULT 0
#endif
    T0 = s ? (coro_time)strtoul(s, NULL, 0) : (coro_time)(CORO_TEST_START_DEFAULT);
    outstanding = count = 0;
    fail_at = failures = 0;
    locked = 0;
    test_nreports = 0;
    loglen = 0;
    logbuf[0] = '\0';
    coro_set_allocator(t_alloc, t_release, NULL);
    return 0;
}

int test_teardown(void **state)
{
    (void)state;
    locked = 0;
    coro_set_allocator(NULL, NULL, NULL);
    if (outstanding != 0) fail_msg("%lu allocations still outstanding", (unsigned long)outstanding);
    return 0;
}
