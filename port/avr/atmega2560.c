/*
 * atmega2560.c - a minimal board file for an ATmega2560 at 16 MHz, as
 * simavr runs it: stdout and stderr on USART0, the timer 0 millisecond clock
 * that coro_port.h reads, and the end of the program.
 *
 * The program proper is coro_mcu_main(): a test or an example whose main()
 * was renamed with -Dmain=coro_mcu_main.  After it returns, a marker line
 * says PASS or FAIL, and the CPU sleeps with interrupts off, which is how a
 * program tells simavr to exit.
 */
#include <stdint.h>
#include <stdio.h>
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>
#include "coro_port.h"

#ifndef CORO_PORT_TICK_START
#define CORO_PORT_TICK_START 0u     /* 0xFFFFD8F0u: the tick wraps 10 s in */
#endif

volatile uint32_t coro_port_ms = CORO_PORT_TICK_START;

int coro_mcu_main(void);

ISR(TIMER0_COMPA_vect) { coro_port_ms++; }

static int uart_putchar(char c, FILE *f)
{
    (void)f;
    loop_until_bit_is_set(UCSR0A, UDRE0);
    UDR0 = (uint8_t)c;
    return 0;
}

static FILE uart = FDEV_SETUP_STREAM(uart_putchar, NULL, _FDEV_SETUP_WRITE);

int main(void)
{
    int status;
    stdout = stderr = &uart;
    UCSR0B = _BV(TXEN0);
    /* timer 0, CTC: 16 MHz / 64 / 250 = 1 kHz */
    TCCR0A = _BV(WGM01);
    OCR0A = 249;
    TCCR0B = _BV(CS01) | _BV(CS00);
    TIMSK0 = _BV(OCIE0A);
    sei();
    status = coro_mcu_main();
    printf("CORO-MCU: %s\n", status == 0 ? "PASS" : "FAIL");
    loop_until_bit_is_set(UCSR0A, UDRE0);
    cli();
    sleep_enable();
    for (;;) sleep_cpu();       /* simavr exits: sleeping with interrupts off */
}
