/*
 * cmocka.h - the part of cmocka that coro's tests use, for targets that have
 * no cmocka: the emulated microcontrollers (make test-mcu), and the host run
 * whose output theirs is compared with.  test/mcu/runner.c implements it.
 *
 * It is small on purpose: assertions do not keep the text of their
 * expression (on an AVR every string literal lives in the 8 KB of RAM); a
 * failure names the file, the line and the values.  A failed assertion
 * leaves the test with longjmp, as cmocka does.
 */
#ifndef CORO_MCU_CMOCKA_H
#define CORO_MCU_CMOCKA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef uintmax_t LargestIntegralType;
typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
    const char *name;
    CMUnitTestFunction test_func;
    CMFixtureFunction setup_func;
    CMFixtureFunction teardown_func;
    void *initial_state;
};

#define cmocka_unit_test(f) {#f, f, NULL, NULL, NULL}
#define cmocka_unit_test_setup(f, s) {#f, f, s, NULL, NULL}
#define cmocka_unit_test_teardown(f, t) {#f, f, NULL, t, NULL}
#define cmocka_unit_test_setup_teardown(f, s, t) {#f, f, s, t, NULL}
#define cmocka_unit_test_prestate(f, p) {#f, f, NULL, NULL, p}
#define cmocka_run_group_tests(group, setup, teardown)                       \
    coro_mcu_run(__FILE__, (group), sizeof(group) / sizeof((group)[0]), (setup), (teardown))
#define cmocka_run_group_tests_name(name, group, setup, teardown)            \
    coro_mcu_run((name), (group), sizeof(group) / sizeof((group)[0]), (setup), (teardown))

int coro_mcu_run(const char *file, const struct CMUnitTest *tests, size_t n,
                 CMFixtureFunction setup, CMFixtureFunction teardown);

/* What an assertion compares; the runner prints it on failure. */
enum { CORO_MCU_EQ = 1, CORO_MCU_NE = 0 };
void coro_mcu_fail(int line, const char *what);
void coro_mcu_fail_msg(const char *fmt, ...);
void coro_mcu_skip(int line);
void coro_mcu_int(LargestIntegralType a, LargestIntegralType b, int eq, int line);
void coro_mcu_ptr(const void *a, const void *b, int eq, int line);
void coro_mcu_str(const char *a, const char *b, int eq, int line);
void coro_mcu_mem(const void *a, const void *b, size_t n, int eq, int line);
void coro_mcu_range(LargestIntegralType v, LargestIntegralType lo, LargestIntegralType hi,
                    int in, int line);

#define assert_true(c) ((c) ? (void)0 : coro_mcu_fail(__LINE__, "false"))
#define assert_false(c) ((c) ? coro_mcu_fail(__LINE__, "true") : (void)0)
#define assert_null(p) ((p) == NULL ? (void)0 : coro_mcu_fail(__LINE__, "not NULL"))
#define assert_non_null(p) ((p) != NULL ? (void)0 : coro_mcu_fail(__LINE__, "NULL"))
#define assert_int_equal(a, b)                                                \
    coro_mcu_int((LargestIntegralType)(a), (LargestIntegralType)(b), CORO_MCU_EQ, __LINE__)
#define assert_int_not_equal(a, b)                                            \
    coro_mcu_int((LargestIntegralType)(a), (LargestIntegralType)(b), CORO_MCU_NE, __LINE__)
#define assert_ptr_equal(a, b) coro_mcu_ptr((const void *)(a), (const void *)(b), CORO_MCU_EQ, __LINE__)
#define assert_ptr_not_equal(a, b)                                            \
    coro_mcu_ptr((const void *)(a), (const void *)(b), CORO_MCU_NE, __LINE__)
#define assert_string_equal(a, b) coro_mcu_str((a), (b), CORO_MCU_EQ, __LINE__)
#define assert_string_not_equal(a, b) coro_mcu_str((a), (b), CORO_MCU_NE, __LINE__)
#define assert_memory_equal(a, b, n) coro_mcu_mem((a), (b), (n), CORO_MCU_EQ, __LINE__)
#define assert_memory_not_equal(a, b, n) coro_mcu_mem((a), (b), (n), CORO_MCU_NE, __LINE__)
#define assert_in_range(v, lo, hi)                                            \
    coro_mcu_range((LargestIntegralType)(v), (LargestIntegralType)(lo),       \
                   (LargestIntegralType)(hi), 1, __LINE__)
#define assert_not_in_range(v, lo, hi)                                        \
    coro_mcu_range((LargestIntegralType)(v), (LargestIntegralType)(lo),       \
                   (LargestIntegralType)(hi), 0, __LINE__)
#define assert_return_code(rc, err) ((rc) >= 0 ? (void)(err) : coro_mcu_fail(__LINE__, "rc < 0"))
#define fail() coro_mcu_fail(__LINE__, "fail()")
#define fail_msg(...) coro_mcu_fail_msg(__VA_ARGS__)
#define skip() coro_mcu_skip(__LINE__)
#define print_message(...) printf(__VA_ARGS__)
#define print_error(...) printf(__VA_ARGS__)

#endif
