/*
 * irq_atmega2560.c - test/irq.h on an ATmega2560: timer 1 (CTC, 2 MHz)
 * interrupts at pseudo-random intervals and its handler calls
 * coro_event_set, as a driver's interrupt handler would.
 */
#include <stdint.h>
#include <avr/interrupt.h>
#include <avr/io.h>
#include "irq.h"

static coro_event *irq_event;
static volatile unsigned irq_count;
static unsigned irq_total, irq_gap, irq_seed;

static uint16_t next_compare(void)
{
    irq_seed = irq_seed * 25173u + 13849u;
    if ((irq_seed >> 4) % 4 == 0) return 40u;                         /* 20 us */
    return (uint16_t)(2u * (1u + (irq_seed >> 6) % irq_gap));        /* 1 us .. gap */
}

ISR(TIMER1_COMPA_vect)
{
    if (irq_count >= irq_total) return;
    irq_count++;
    coro_event_set(irq_event);
    if (irq_count == irq_total) TIMSK1 = 0;
    else OCR1A = next_compare();
}

int test_irq_start(coro_event *ev, unsigned count, unsigned max_gap_us, unsigned seed)
{
    uint8_t sreg = SREG;
    cli();
    irq_event = ev;
    irq_total = count;
    irq_gap = max_gap_us ? (max_gap_us < 30000u ? max_gap_us : 30000u) : 1u;
    irq_seed = seed;
    irq_count = 0;
    TCCR1A = 0;
    TCNT1 = 0;
    OCR1A = next_compare();
    TCCR1B = _BV(WGM12) | _BV(CS11);    /* CTC on OCR1A, clk/8 = 2 MHz */
    TIFR1 = _BV(OCF1A);
    TIMSK1 = _BV(OCIE1A);
    SREG = sreg;
    return 0;
}

unsigned test_irq_count(void)
{
    uint8_t sreg = SREG;
    unsigned n;
    cli();
    n = irq_count;
    SREG = sreg;
    return n;
}

void test_irq_stop(void)
{
    TIMSK1 = 0;
    TCCR1B = 0;
}
