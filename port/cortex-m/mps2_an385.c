/*
 * mps2_an385.c - a minimal board file for QEMU's mps2-an385 (Cortex-M3 at
 * 25 MHz): vector table, reset, the SysTick millisecond clock that
 * coro_port.h reads, and the program's exit through semihosting.
 *
 * Built with newlib's rdimon (--specs=rdimon.specs -nostartfiles): stdout
 * and exit() go to the host through semihosting, and QEMU exits with the
 * program's status.  The program proper is coro_mcu_main(): a test or an
 * example whose main() was renamed with -Dmain=coro_mcu_main.  After it
 * returns, a marker line says PASS or FAIL.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "coro_port.h"

#ifndef CORO_PORT_TICK_START
#define CORO_PORT_TICK_START 0u     /* 0xFFFFD8F0u: the tick wraps 10 s in */
#endif
#define SYSCLK_HZ 25000000u

volatile uint32_t coro_port_ms = CORO_PORT_TICK_START;

int coro_mcu_main(void);
void initialise_monitor_handles(void);
void Reset_Handler(void);
void SysTick_Handler(void);
void Default_Handler(void);
void TIMER0_IRQHandler(void) __attribute__((weak, alias("Default_Handler")));
void TIMER1_IRQHandler(void) __attribute__((weak, alias("Default_Handler")));

extern uint32_t __data_load, __data_start, __data_end, __bss_start__, __bss_end__, __stack_top;

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

void SysTick_Handler(void) { coro_port_ms++; }

void Default_Handler(void)
{
    printf("CORO-MCU: FAIL (unexpected exception)\n");
    exit(99);
}

typedef void (*vector)(void);

/* 16 system exceptions, then the external interrupts the board uses
 * (CMSDK APB timer 0 and 1 are IRQ 8 and 9). */
__attribute__((section(".vectors"), used)) static const vector vectors[16 + 10] = {
    (vector)(uintptr_t)&__stack_top, Reset_Handler,
    Default_Handler,    /* NMI */
    Default_Handler,    /* HardFault */
    Default_Handler,    /* MemManage */
    Default_Handler,    /* BusFault */
    Default_Handler,    /* UsageFault */
    0, 0, 0, 0,
    Default_Handler,    /* SVCall */
    Default_Handler,    /* DebugMon */
    0,
    Default_Handler,    /* PendSV */
    SysTick_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler,   /* IRQ 0-3 */
    Default_Handler, Default_Handler, Default_Handler, Default_Handler,   /* IRQ 4-7 */
    TIMER0_IRQHandler, TIMER1_IRQHandler,                                /* IRQ 8-9 */
};

/* newlib's __libc_init_array wants these; nothing to construct here. */
void _init(void) {}
void _fini(void) {}

int main(void)
{
    int status;
    SYST_RVR = SYSCLK_HZ / 1000u - 1u;      /* 1 ms */
    SYST_CVR = 0;
    SYST_CSR = 7;                           /* processor clock, interrupt, enable */
    status = coro_mcu_main();
    printf("CORO-MCU: %s\n", status == 0 ? "PASS" : "FAIL");
    return status;
}

void Reset_Handler(void)
{
    memcpy(&__data_start, &__data_load, (size_t)((char *)&__data_end - (char *)&__data_start));
    memset(&__bss_start__, 0, (size_t)((char *)&__bss_end__ - (char *)&__bss_start__));
    initialise_monitor_handles();
    exit(main());
}
