/*
 * coro_port.h - coro's knobs for RISC-V in machine mode, bare metal (built
 * by make test-mcu-compile for rv64imac with picolibc; not run).
 * Use it with -DCORO_USER_CONFIG='"coro_port.h"' -Iport/riscv.
 *
 * The clock is a millisecond counter that the machine timer interrupt
 * increments (re-arming mtimecmp 1 ms ahead each time).  WFI resumes when an
 * interrupt is pending and enabled in mie, even while mstatus.MIE is clear,
 * so the loop checks for work with MIE clear and sleeps with WFI; the
 * handler runs when CORO_CRITICAL_EXIT sets MIE again.
 */
#ifndef CORO_PORT_RISCV_H
#define CORO_PORT_RISCV_H

#include <stdint.h>

#define CORO_POSIX 0

extern volatile uint32_t coro_port_ms;
#define CORO_CLOCK() (coro_port_ms)

/* Clear mstatus.MIE (bit 3), remembering it; EXIT restores it. */
#define CORO_CRITICAL_ENTER()                                                 \
    {                                                                         \
        unsigned long coro_port_mstatus_;                                     \
        __asm__ volatile("csrrci %0, mstatus, 8" : "=r"(coro_port_mstatus_) : : "memory")
#define CORO_CRITICAL_EXIT()                                                  \
        __asm__ volatile("csrs mstatus, %0" : : "r"(coro_port_mstatus_ & 8ul) : "memory"); \
    }

#define CORO_IDLE(timeout_ms)                                                 \
    do {                                                                      \
        (void)(timeout_ms);                                                   \
        __asm__ volatile("wfi" : : : "memory");                               \
    } while (0)

#endif
