/*
 * power.h - ending the machine.
 *
 * Each way tries the real mechanism first and keeps the emulators' own
 * exits only as a fallback, so the same image ends cleanly on hardware,
 * in QEMU and in Bochs:
 *   power off: ACPI soft-off (acpi_boot.h), then QEMU's debug-exit port
 *              0xf4 (QEMU exits with (code << 1) | 1), then Bochs's
 *              shutdown port 0x8900, then halt;
 *   reboot:    the FADT reset register, then the keyboard controller's
 *              reset line, then a triple fault;
 *   halt:      interrupts off, HLT forever.
 * A fallback is logged ("skiff: power: ...") after the final status line.
 */
#ifndef SKIFF_POWER_H
#define SKIFF_POWER_H

#include <stdint.h>

#include "hypervisor/options.h"

/* power_off: power the machine off; code is the emulators' exit code. */
__attribute__((noreturn)) void power_off(uint8_t code);

/* power_reboot: reset the machine (under QEMU's -no-reboot: QEMU exits). */
__attribute__((noreturn)) void power_reboot(void);

/* power_halt: stop this CPU for good. */
__attribute__((noreturn)) void power_halt(void);

/* power_end: what on_end says, with code for power_off. */
__attribute__((noreturn)) void power_end(enum skiff_on_end on_end, uint8_t code);

#endif
