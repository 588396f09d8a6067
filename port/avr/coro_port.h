/*
 * coro_port.h - coro's knobs for 8-bit AVR (ATmega), bare metal.
 * Use it with -DCORO_USER_CONFIG='"coro_port.h"' -Iport/avr.
 *
 * The clock is a 32-bit millisecond counter that a 1 kHz timer interrupt
 * increments (the board file sets up timer 0); an AVR loads it one byte at a
 * time, so it is read with interrupts masked.  The idle hook is the classic
 * avr-libc sequence "sleep_enable; sei; sleep_cpu": the instruction after
 * SEI always runs before any interrupt, so an interrupt that became pending
 * after the loop's last check (made with interrupts off) wakes the SLEEP
 * instead of slipping in before it.
 */
#ifndef CORO_PORT_AVR_H
#define CORO_PORT_AVR_H

#include <stdint.h>
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>

#define CORO_POSIX 0

extern volatile uint32_t coro_port_ms;
static inline uint32_t coro_port_clock(void)
{
    uint8_t sreg = SREG;
    uint32_t ms;
    cli();
    ms = coro_port_ms;
    SREG = sreg;
    return ms;
}
#define CORO_CLOCK() coro_port_clock()

/* Save SREG (with its I bit) in a local and mask interrupts; EXIT restores
 * it.  The two form one block (coro_config.h allows that). */
#define CORO_CRITICAL_ENTER()                                                 \
    {                                                                         \
        uint8_t coro_port_sreg_ = SREG;                                       \
        cli()
#define CORO_CRITICAL_EXIT()                                                  \
        SREG = coro_port_sreg_;                                               \
    }

/* Idle sleep mode keeps the timers running.  The 1 kHz clock interrupt
 * wakes it every millisecond, so the timeout needs no timer of its own. */
#define CORO_IDLE(timeout_ms)                                                 \
    do {                                                                      \
        (void)(timeout_ms);                                                   \
        sleep_enable();                                                       \
        sei();                                                                \
        sleep_cpu();                                                          \
        sleep_disable();                                                      \
    } while (0)

#endif
