/*
 * power.h - ending the machine.
 */
#ifndef SKIFF_POWER_H
#define SKIFF_POWER_H

#include <stdint.h>

/*
 * power_off: stop the machine. Under QEMU through the debug-exit port 0xf4
 * (QEMU then exits with (code << 1) | 1), under Bochs through its shutdown
 * port 0x8900, else halt forever with interrupts off.
 */
__attribute__((noreturn)) void power_off(uint8_t code);

#endif
