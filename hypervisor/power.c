/*
 * power.c - ending the machine (power.h).
 */
#include "hypervisor/power.h"

#include "hypervisor/console.h"
#include "hypervisor/cpu.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4    /* -device isa-debug-exit,iobase=0xf4 */
#define BOCHS_SHUTDOWN_PORT 0x8900   /* Bochs exits on the bytes "Shutdown" */

void power_off(uint8_t code)
{
	static const char bochs_shutdown[] = "Shutdown";

	/* Emulators exit at once: let the UARTs finish the last log line. */
	console_flush();
	/* QEMU exits here with status (code << 1) | 1; elsewhere a no-op. */
	outb(QEMU_DEBUG_EXIT_PORT, code);
	for (const char *p = bochs_shutdown; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	/* Real hardware (no ACPI yet): stop for good. */
	for (;;)
		__asm__ volatile("cli; hlt");
}
