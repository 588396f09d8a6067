/*
 * support.h - shared by every cmocka test file.
 *
 * - A counting allocator, installed with coro_set_allocator for every test:
 *   it checks that each free passes the size that was allocated, can fail the
 *   N-th allocation, and can forbid allocation altogether (heap lock).
 * - test_teardown asserts that nothing is left allocated, so every test ends
 *   with its loop freed and 0 outstanding allocations.
 * - A recording exception handler.
 * - T0: the virtual clock's start.  It comes from the environment variable
 *   CORO_TEST_START (default 0, or CORO_TEST_START_DEFAULT where there is no
 *   environment, as on the microcontrollers), so the whole suite can run 10 s
 *   before the 32-bit millisecond wrap; tests assert times relative to it
 *   with T(ms).
 */
#ifndef CORO_TEST_SUPPORT_H
#define CORO_TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "coro.h"

extern coro_time T0;
#define T(ms) ((coro_time)(T0 + (coro_time)(ms)))

/* A virtual loop starting at T0 whose exception handler records reports. */
coro_loop *test_loop(void);

size_t test_alloc_outstanding(void);   /* live allocations */
size_t test_alloc_count(void);         /* allocations since the test began */
void test_alloc_fail_at(long n);       /* fail the n-th allocation from now (1 = next); 0 = never */
long test_alloc_failures(void);        /* allocations failed so far in this test */
void test_alloc_lock(int on);          /* while on, any allocation fails the test */

int test_setup(void **state);          /* per test: allocator, reports reset */
int test_teardown(void **state);       /* per test: asserts 0 outstanding */

#define CORO_TEST(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)

/* The sizes can be made smaller for the 8 KB microcontroller (mk/mcu.mk). */
#ifndef TEST_REPORT_MESSAGE
#define TEST_REPORT_MESSAGE 128
#endif
#ifndef TEST_REPORT_REPR
#define TEST_REPORT_REPR 256
#endif
struct test_report {
    char message[TEST_REPORT_MESSAGE];
    char repr[TEST_REPORT_REPR];
    int err;
    int has_future;
};
#ifndef TEST_MAX_REPORTS
#define TEST_MAX_REPORTS 64
#endif
extern struct test_report test_reports[TEST_MAX_REPORTS];
extern int test_nreports;
void test_handler(coro_loop *loop, const char *message, coro_future *f, int err, void *arg);
/* Number of recorded reports whose message starts with `prefix`. */
int test_count_reports(const char *prefix);

/* An event log for ordering tests: test_log("a1") appends "a1 " to a buffer. */
void test_log(const char *s);
void test_logf(const char *fmt, ...);
const char *test_log_str(void);        /* e.g. "a1 b1 a2 " */

/* An iteration ticker for ordering tests: a callback that re-arms itself
 * with coro_call_soon, so it runs once per loop iteration and logs
 * "<prefix>1", "<prefix>2", ... up to "<prefix><max>". */
void test_start_ticker(coro_loop *loop, const char *prefix, int max);

#endif
