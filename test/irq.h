/*
 * irq.h - an asynchronous source of coro_event_set calls for the event
 * tests: a real timer interrupt on the microcontroller targets (port/), a
 * thread on the POSIX host (test_event.c).
 *
 * test_irq_start makes the source call coro_event_set(ev) `count` times,
 * each after a pseudo-random gap of 0 to about `max_gap_us` microseconds
 * (seeded by `seed`), incrementing its counter right before each set.  It
 * returns at once; the sets happen at moments the loop does not control.
 */
#ifndef CORO_TEST_IRQ_H
#define CORO_TEST_IRQ_H

#include "coro.h"

int test_irq_start(coro_event *ev, unsigned count, unsigned max_gap_us, unsigned seed);
unsigned test_irq_count(void);      /* sets so far (read atomically) */
void test_irq_stop(void);           /* wait for the source to finish and release it */

#endif
