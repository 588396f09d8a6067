/*
 * irq_mps2_an385.c - test/irq.h on QEMU's mps2-an385: the CMSDK APB timer 0
 * (IRQ 8, 25 MHz) interrupts at pseudo-random intervals and its handler
 * calls coro_event_set, as a driver's interrupt handler would.
 */
#include <stdint.h>
#include "irq.h"

#define TIMER0_CTRL (*(volatile uint32_t *)0x40000000u)
#define TIMER0_RELOAD (*(volatile uint32_t *)0x40000008u)
#define TIMER0_VALUE (*(volatile uint32_t *)0x40000004u)
#define TIMER0_INTCLEAR (*(volatile uint32_t *)0x4000000Cu)
#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)
#define NVIC_ICER0 (*(volatile uint32_t *)0xE000E180u)
#define TIMER0_IRQ 8u

static coro_event *irq_event;
static volatile unsigned irq_count;
static unsigned irq_total, irq_gap, irq_seed;

static uint32_t next_reload(void)
{
    irq_seed = irq_seed * 1103515245u + 12345u;
    if ((irq_seed >> 4) % 4 == 0) return 25u;              /* back to back */
    return 25u * (1u + (irq_seed >> 8) % irq_gap);          /* 1 us .. max gap */
}

void TIMER0_IRQHandler(void);
void TIMER0_IRQHandler(void)
{
    TIMER0_INTCLEAR = 1;
    if (irq_count >= irq_total) return;
    irq_count = irq_count + 1;
    coro_event_set(irq_event);
    if (irq_count == irq_total) TIMER0_CTRL = 0;
    else TIMER0_RELOAD = next_reload();
}

int test_irq_start(coro_event *ev, unsigned count, unsigned max_gap_us, unsigned seed)
{
    irq_event = ev;
    irq_total = count;
    irq_gap = max_gap_us ? max_gap_us : 1;
    irq_seed = seed;
    irq_count = 0;
    TIMER0_CTRL = 0;
    TIMER0_INTCLEAR = 1;
    TIMER0_RELOAD = next_reload();
    TIMER0_VALUE = TIMER0_RELOAD;
    NVIC_ISER0 = 1u << TIMER0_IRQ;
    TIMER0_CTRL = 1u | 8u;              /* enable, interrupt enable */
    return 0;
}

unsigned test_irq_count(void) { return irq_count; }     /* a 32-bit load is atomic */

void test_irq_stop(void)
{
    TIMER0_CTRL = 0;
    NVIC_ICER0 = 1u << TIMER0_IRQ;
}
