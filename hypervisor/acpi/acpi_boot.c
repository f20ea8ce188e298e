/*
 * acpi_boot.c - the ACPI tables in the running hypervisor (acpi_boot.h):
 * physical memory through Skiff's identity map, refusals into the log, and
 * the power-off and reset writes themselves.
 */
#include "hypervisor/acpi/acpi_boot.h"

#include "hypervisor/console.h"
#include "hypervisor/cpu.h"
#include "hypervisor/time/time.h"

#define IDENTITY_MAP_END (UINT64_C(4) << 30)   /* boot/entry.S maps 0..4 GiB */
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN (1u << 13)
#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc
#define WAIT_NS UINT64_C(1000000000)
#define WAIT_TICKS_UNCALIBRATED UINT64_C(3000000000)

struct acpi_info acpi_info;

static const void *map_identity(void *ctx, uint64_t phys, uint64_t len)
{
	(void)ctx;
	if (phys >= IDENTITY_MAP_END || len > IDENTITY_MAP_END - phys)
		return NULL;
	return (const void *)(uintptr_t)phys;
}

static void note_to_log(void *ctx, const char *text)
{
	(void)ctx;
	log_printf("%s", text);
}

static const char *space_name(uint8_t space)
{
	return space == ACPI_SPACE_IO ? "I/O port" :
	       space == ACPI_SPACE_MEMORY ? "memory" : "PCI config";
}

static void log_found(const struct acpi_info *a)
{
	if (a->can_power_off)
		log_printf("acpi: power-off through PM1a control 0x%x, PM1b 0x%x (SLP_TYPa %u, SLP_TYPb %u)",
			   a->pm1a_control, a->pm1b_control, a->slp_typ_a, a->slp_typ_b);
	if (a->can_reset)
		log_printf("acpi: reset through %s 0x%lx value 0x%x",
			   space_name(a->reset_register.space),
			   (unsigned long)a->reset_register.address, a->reset_value);
	else
		log_printf("acpi: no reset register");
	if (a->have_madt)
		log_printf("acpi: %u processors (first APIC ID %u), local APIC at 0x%lx",
			   a->cpu_count, a->cpu_count ? a->cpus[0].apic_id : 0,
			   (unsigned long)a->local_apic_address);
}

void acpi_init(const struct boot_info *info)
{
	struct acpi_env env = { .map = map_identity, .note = note_to_log };
	const void *rsdp = map_identity(NULL, info->acpi_rsdp, info->acpi_rsdp_len);

	if (info->acpi_rsdp == 0) {
		log_printf("acpi: the boot loader passed no RSDP; power-off and reset use fallbacks");
		return;
	}
	if (!rsdp) {
		log_printf("acpi: RSDP copy at 0x%lx is outside mapped memory",
			   (unsigned long)info->acpi_rsdp);
		return;
	}
	acpi_parse(&env, rsdp, info->acpi_rsdp_len, &acpi_info);
	log_found(&acpi_info);
}

/* wait_a_while: about a second by the TSC (a fixed count before calibration). */
static void wait_a_while(void)
{
	uint64_t ticks = tsc_hz() ? ns_to_tsc(WAIT_NS) : WAIT_TICKS_UNCALIBRATED;
	uint64_t start = tsc_read();

	while (tsc_read() - start < ticks)
		__asm__ volatile("pause");
}

static uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* sleep_write: SLP_TYP into one PM1 control register, then SLP_TYP | SLP_EN. */
static void sleep_write(uint16_t port, uint8_t slp_typ)
{
	uint16_t value = (uint16_t)((inw(port) & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN)) |
				    ((unsigned)slp_typ << PM1_SLP_TYP_SHIFT));

	outw(port, value);
	outw(port, (uint16_t)(value | PM1_SLP_EN));
}

void acpi_power_off(void)
{
	if (!acpi_info.can_power_off)
		return;
	/* ACPI 6.5, 7.4.2: PM1b (when present) takes its own SLP_TYP too. */
	if (acpi_info.pm1b_control)
		sleep_write(acpi_info.pm1b_control, acpi_info.slp_typ_b);
	sleep_write(acpi_info.pm1a_control, acpi_info.slp_typ_a);
	wait_a_while();
}

/* pci_config_write8: one byte into PCI configuration space (bus 0) by the legacy ports. */
static void pci_config_write8(uint64_t gas_address, uint8_t value)
{
	uint32_t device = (uint32_t)(gas_address >> 32) & 0x1f;
	uint32_t function = (uint32_t)(gas_address >> 16) & 0x7;
	uint32_t offset = (uint32_t)gas_address & 0xff;

	outl(PCI_CONFIG_ADDRESS, 0x80000000u | device << 11 | function << 8 | (offset & 0xfc));
	outb((uint16_t)(PCI_CONFIG_DATA + (offset & 3)), value);
}

void acpi_reset(void)
{
	const struct acpi_gas *reg = &acpi_info.reset_register;

	if (!acpi_info.can_reset)
		return;
	if (reg->space == ACPI_SPACE_IO)
		outb((uint16_t)reg->address, acpi_info.reset_value);
	else if (reg->space == ACPI_SPACE_PCI_CONFIG)
		pci_config_write8(reg->address, acpi_info.reset_value);
	else if (reg->address < IDENTITY_MAP_END)
		*(volatile uint8_t *)(uintptr_t)reg->address = acpi_info.reset_value;
	wait_a_while();
}
