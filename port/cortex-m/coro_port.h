/*
 * coro_port.h - coro's knobs for ARM Cortex-M (M0/M0+/M3/M4/M7), bare metal.
 * Use it with -DCORO_USER_CONFIG='"coro_port.h"' -Iport/cortex-m.
 *
 * The clock is a millisecond counter that a 1 kHz SysTick interrupt
 * increments (the board file defines it and starts SysTick); a 32-bit
 * aligned load is atomic on every Cortex-M, so reading it needs no masking.
 * The idle hook is WFI, entered with PRIMASK set: WFI still wakes on an
 * interrupt that is pending but masked, and the handler runs as soon as
 * CORO_CRITICAL_EXIT restores PRIMASK.  So an interrupt that calls
 * coro_event_set after the loop's last check is never slept through.
 */
#ifndef CORO_PORT_CORTEX_M_H
#define CORO_PORT_CORTEX_M_H

#include <stdint.h>

#define CORO_POSIX 0

/* Milliseconds since start; incremented by SysTick_Handler. */
extern volatile uint32_t coro_port_ms;
#define CORO_CLOCK() (coro_port_ms)

/* Save PRIMASK in a local and mask interrupts; EXIT restores it.  The two
 * form one block (coro_config.h allows that). */
#define CORO_CRITICAL_ENTER()                                                 \
    {                                                                         \
        uint32_t coro_port_primask_;                                          \
        __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(coro_port_primask_) : : "memory")
#define CORO_CRITICAL_EXIT()                                                  \
        __asm__ volatile("msr primask, %0" : : "r"(coro_port_primask_) : "memory");           \
    }

/* Sleep until an interrupt is pending.  SysTick wakes it every millisecond,
 * so the timeout needs no timer of its own; a tickless port would program a
 * wake-up timer for timeout_ms here. */
#define CORO_IDLE(timeout_ms)                                                 \
    do {                                                                      \
        (void)(timeout_ms);                                                   \
        __asm__ volatile("wfi" : : : "memory");                               \
    } while (0)

#endif
