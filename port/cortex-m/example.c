/*
 * example.c - a complete bare-metal coro program for a Cortex-M: a task that
 * blinks an LED, a task that processes samples that a timer interrupt
 * delivers through a coro_event, and main.  docs/porting.md walks through
 * it; make test-mcu runs it on QEMU's mps2-an385, whose board file
 * (mps2_an385.c) provides the vector table, the reset handler, the SysTick
 * clock (coro_port_ms) and semihosting for printf.
 *
 * Build (as mk/mcu.mk does):
 *   arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -Os -Iport/cortex-m \
 *       -DCORO_USER_CONFIG='"coro_port.h"' -I. -Dmain=coro_mcu_main \
 *       port/cortex-m/example.c port/cortex-m/mps2_an385.c *.c \
 *       --specs=rdimon.specs -nostartfiles -Tport/cortex-m/mps2_an385.ld
 */
#include <stdint.h>
#include <stdio.h>
#include "coro.h"

/* ---------------------------------------------- the interrupt handler */

/* A CMSDK APB timer (IRQ 8) stands in for an ADC: every 10 ms its handler
 * "reads a sample" into a small ring and sets the event.  An interrupt
 * handler may call coro_event_set and nothing else of coro. */
#define TIMER0_CTRL (*(volatile uint32_t *)0x40000000u)
#define TIMER0_RELOAD (*(volatile uint32_t *)0x40000008u)
#define TIMER0_INTCLEAR (*(volatile uint32_t *)0x4000000Cu)
#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)

static coro_event sample_ready;
static volatile uint16_t ring[8];
static volatile uint8_t ring_head;          /* written by the handler only */
static uint16_t next_value = 100;

void TIMER0_IRQHandler(void);
void TIMER0_IRQHandler(void)
{
    TIMER0_INTCLEAR = 1;
    ring[ring_head % 8] = next_value++;
    ring_head = (uint8_t)(ring_head + 1);
    coro_event_set(&sample_ready);          /* sets coalesce: drain the ring */
}

static void sampler_start(void)
{
    TIMER0_RELOAD = 25000000u / 100u;       /* 25 MHz / 100 = every 10 ms */
    NVIC_ISER0 = 1u << 8;
    TIMER0_CTRL = 1u | 8u;                  /* enable, interrupt enable */
}

static void sampler_stop(void) { TIMER0_CTRL = 0; }

/* ------------------------------------------------------------ the tasks */

static volatile int led;

struct blink {
    coro_frame co;                          /* first: the frame header */
    coro_time period;                       /* a local that survives awaits */
};

static int blink(coro_frame *co)
{
    struct blink *b = (struct blink *)co;
    CORO_BEGIN(co);
    for (;;) {
        led = !led;                         /* a GPIO write on real hardware */
        CORO_SLEEP(co, b->period);
    }
    CORO_FINALLY(co);
    led = 0;                                /* runs when the task is cancelled */
    CORO_END(co);
}

struct consumer {
    coro_frame co;
    uint8_t tail;                           /* next ring slot to read */
    int count, want;
};

static int consumer(coro_frame *co)
{
    struct consumer *c = (struct consumer *)co;
    CORO_BEGIN(co);
    while (c->count < c->want) {
        CORO_AWAIT_EVENT(co, &sample_ready);
        while (c->tail != ring_head && c->count < c->want) {
            printf("sample %d: %u\n", ++c->count, (unsigned)ring[c->tail % 8]);
            c->tail++;
        }
    }
    CORO_RETURN(co, c->count);
    CORO_END(co);
}

/* ------------------------------------------------------------------ main */

int main(void)
{
    struct blink b = {{0}, 250};
    struct consumer c = {{0}, 0, 0, 5};
    coro_loop *loop = coro_loop_new();      /* real clock: CORO_CLOCK() */
    coro_future *blinker, *samples;
    int err;
    if (loop == NULL || coro_event_init(&sample_ready, loop) != 0) return 1;
    blinker = coro_create_task(loop, blink, &b, sizeof b);
    samples = coro_create_task(loop, consumer, &c, sizeof c);
    if (blinker == NULL || samples == NULL) return 1;
    sampler_start();
    /* Runs tasks while there is work; otherwise sleeps in WFI until SysTick
     * or the sampler interrupts. */
    err = coro_run_until_complete(loop, samples);
    sampler_stop();
    printf("consumer: %s, %d samples\n", coro_strerror(err), (int)(intptr_t)coro_result(samples));
    coro_cancel(blinker, NULL);
    coro_run_until_complete(loop, blinker);
    printf("blinker: %s, led %d\n", coro_cancelled(blinker) ? "cancelled" : "?", led);
    coro_unref(blinker);
    coro_unref(samples);
    coro_loop_free(loop);
    return err;
}
