/*
 * power.c - ending the machine (power.h).
 */
#include "hypervisor/power.h"

#include "hypervisor/acpi/acpi_boot.h"
#include "hypervisor/console.h"
#include "hypervisor/cpu.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4    /* -device isa-debug-exit,iobase=0xf4 */
#define BOCHS_SHUTDOWN_PORT 0x8900   /* Bochs exits on the bytes "Shutdown" */
#define KBC_STATUS 0x64
#define KBC_INPUT_FULL 0x02
#define KBC_PULSE_RESET 0xfe
#define KBC_WAIT_READS 100000

void power_halt(void)
{
	console_flush();
	for (;;)
		__asm__ volatile("cli; hlt");
}

void power_off(uint8_t code)
{
	static const char bochs_shutdown[] = "Shutdown";

	/* The machine may stop at once: let the UARTs finish the last log line. */
	console_flush();
	if (acpi_info.can_power_off) {
		acpi_power_off();
		log_printf("power: ACPI power-off did not take effect; trying emulator exits");
	}
	console_flush();
	/* QEMU exits here with status (code << 1) | 1; elsewhere a no-op. */
	outb(QEMU_DEBUG_EXIT_PORT, code);
	for (const char *p = bochs_shutdown; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	log_printf("power: no way to power off; halting");
	power_halt();
}

/* triple_fault: an exception with an empty IDT resets the processor. */
__attribute__((noreturn)) static void triple_fault(void)
{
	static const struct __attribute__((packed)) { uint16_t limit; uint64_t base; } none = { 0, 0 };

	__asm__ volatile("lidt %0\n\t"     /* an IDT with no entries */
			 "int3"            /* #BP -> #GP -> #DF -> shutdown, i.e. reset */
			 : : "m"(none));
	power_halt();
}

void power_reboot(void)
{
	console_flush();
	if (acpi_info.can_reset) {
		acpi_reset();
		log_printf("power: ACPI reset did not take effect; trying the keyboard controller");
	}
	console_flush();
	for (unsigned i = 0; i < KBC_WAIT_READS && (inb(KBC_STATUS) & KBC_INPUT_FULL); i++)
		;
	outb(KBC_STATUS, KBC_PULSE_RESET);
	for (unsigned i = 0; i < KBC_WAIT_READS; i++)
		(void)inb(KBC_STATUS);
	log_printf("power: the keyboard controller did not reset; triple fault");
	console_flush();
	triple_fault();
}

void power_end(enum skiff_on_end on_end, uint8_t code)
{
	if (on_end == ON_END_REBOOT)
		power_reboot();
	if (on_end == ON_END_HALT)
		power_halt();
	power_off(code);
}
