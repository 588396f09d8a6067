/*
 * runner.c - runs a cmocka group without cmocka (see cmocka.h here).  The
 * same code runs on the host and on the emulated microcontrollers, and the
 * two outputs are compared line by line (mk/mcu.mk), so it prints nothing
 * that depends on the target: no pointers, no sizes, no times.
 *
 * CORO_MCU_SKIP, when defined, is a string of test names separated by
 * spaces that this build skips (a test that cannot fit a target's memory);
 * a skipped test prints a SKIPPED line and does not count as passed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>
#include "cmocka.h"

static jmp_buf escape;
static const char *file_name;
static int skipped_now;

static void leave(void) { longjmp(escape, 1); }

void coro_mcu_fail(int line, const char *what)
{
    printf("[   LINE   ] --- %s:%d: %s\n", file_name, line, what);
    leave();
}

void coro_mcu_fail_msg(const char *fmt, ...)
{
    va_list ap;
    printf("[   LINE   ] --- %s: ", file_name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    leave();
}

void coro_mcu_skip(int line)
{
    (void)line;
    skipped_now = 1;
    leave();
}

void coro_mcu_int(LargestIntegralType a, LargestIntegralType b, int eq, int line)
{
    if ((a == b) == eq) return;
    /* long is enough for the values the tests compare, and every printf
     * (avr-libc's included) prints it. */
    printf("[   LINE   ] --- %s:%d: %ld %s %ld\n", file_name, line, (long)a, eq ? "!=" : "==",
           (long)b);
    leave();
}

void coro_mcu_ptr(const void *a, const void *b, int eq, int line)
{
    if ((a == b) == eq) return;
    coro_mcu_fail(line, eq ? "pointers differ" : "pointers are equal");
}

void coro_mcu_str(const char *a, const char *b, int eq, int line)
{
    int same = (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
    if (same == eq) return;
    printf("[   LINE   ] --- %s:%d: \"%s\" %s \"%s\"\n", file_name, line, a ? a : "(null)",
           eq ? "!=" : "==", b ? b : "(null)");
    leave();
}

void coro_mcu_mem(const void *a, const void *b, size_t n, int eq, int line)
{
    if ((memcmp(a, b, n) == 0) == eq) return;
    coro_mcu_fail(line, eq ? "memory differs" : "memory is equal");
}

void coro_mcu_range(LargestIntegralType v, LargestIntegralType lo, LargestIntegralType hi,
                    int in, int line)
{
    if ((v >= lo && v <= hi) == in) return;
    printf("[   LINE   ] --- %s:%d: %ld %s [%ld, %ld]\n", file_name, line, (long)v,
           in ? "not in" : "in", (long)lo, (long)hi);
    leave();
}

static int listed(const char *name)
{
#ifdef CORO_MCU_SKIP
    const char *p = CORO_MCU_SKIP;
    size_t n = strlen(name);
    while ((p = strstr(p, name)) != NULL) {
        if ((p == CORO_MCU_SKIP || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return 1;
        p += n;
    }
#else
    (void)name;
#endif
    return 0;
}

/* Run one fixture or test under the escape hatch: 0 if it passed. */
static int guarded_fixture(CMFixtureFunction f, void **state)
{
    if (f == NULL) return 0;
    if (setjmp(escape) != 0) return 1;
    return f(state) != 0;
}

static int guarded_test(CMUnitTestFunction f, void **state)
{
    if (setjmp(escape) != 0) return 1;
    f(state);
    return 0;
}

int coro_mcu_run(const char *file, const struct CMUnitTest *tests, size_t n,
                 CMFixtureFunction setup, CMFixtureFunction teardown)
{
    size_t i;
    unsigned passed = 0, failed = 0, skipped = 0;
    void *group_state = NULL;
    const char *base = strrchr(file, '/');
    file_name = base ? base + 1 : file;
    printf("[==========] Running %u test(s).\n", (unsigned)n);
    if (guarded_fixture(setup, &group_state)) {
        printf("[  ERROR   ] group setup failed\n");
        return 1;
    }
    for (i = 0; i < n; i++) {
        const struct CMUnitTest *t = &tests[i];
        void *state = t->initial_state;
        int bad;
        if (listed(t->name)) {
            printf("[  SKIPPED ] %s (does not fit this target)\n", t->name);
            skipped++;
            continue;
        }
        printf("[ RUN      ] %s\n", t->name);
        skipped_now = 0;
        bad = guarded_fixture(t->setup_func, &state);
        if (!bad) bad = guarded_test(t->test_func, &state) && !skipped_now;
        if (guarded_fixture(t->teardown_func, &state)) bad = 1;
        if (bad) {
            printf("[  FAILED  ] %s\n", t->name);
            failed++;
        } else if (skipped_now) {
            printf("[  SKIPPED ] %s\n", t->name);
            skipped++;
        } else {
            printf("[       OK ] %s\n", t->name);
            passed++;
        }
    }
    if (guarded_fixture(teardown, &group_state)) failed++;
    printf("[==========] %u test(s) run.\n", (unsigned)(n - skipped));
    printf("[  PASSED  ] %u test(s).\n", passed);
    if (skipped) printf("[  SKIPPED ] %u test(s).\n", skipped);
    if (failed) printf("[  FAILED  ] %u test(s).\n", failed);
    return (int)failed;
}
