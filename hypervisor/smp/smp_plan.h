/*
 * smp_plan.h - which processors Skiff starts, and where their start code
 * goes: the choices made before any IPI is sent, as portable C so host
 * tests can check them against crafted MADTs and memory maps.
 */
#ifndef SKIFF_SMP_PLAN_H
#define SKIFF_SMP_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "hypervisor/acpi/acpi.h"
#include "hypervisor/boot/multiboot2.h"

#define SMP_MAX_CPUS 64            /* CPUs Skiff runs on, the boot CPU included */
#define SMP_XAPIC_MAX_ID 0xfeu     /* 0xff is the xAPIC broadcast destination */
#define SMP_TRAMPOLINE_LOW 0x1000u /* below: real-mode IVT and BIOS data */
#define SMP_TRAMPOLINE_HIGH 0xa0000u /* at and above: VGA memory and ROMs */

/* Why a processor of the MADT is not in the plan. */
enum smp_skip {
	SMP_SKIP_NONE = 0,
	SMP_SKIP_DISABLED,        /* only online-capable: not present now */
	SMP_SKIP_CAP,             /* beyond cpus= (or SMP_MAX_CPUS) */
	SMP_SKIP_UNREACHABLE,     /* APIC ID above what xAPIC IPIs can name */
};

/* The processors to run on: cpus[0] is the boot CPU, then the APs to start. */
struct smp_plan {
	unsigned madt_count;            /* usable processors in the MADT (enabled) */
	unsigned count;                 /* entries of apic_ids[] */
	uint32_t apic_ids[SMP_MAX_CPUS];
	bool bsp_in_madt;               /* false: the MADT did not list the boot CPU */
	unsigned skipped[4];            /* by enum smp_skip */
};

/*
 * smp_plan_make: from the MADT's processors (acpi->cpus, acpi->have_madt;
 * an absent MADT gives the boot CPU alone), the boot CPU's APIC ID and the
 * cap (cpus=, 1..; 0 counts as 1) fill *plan: the boot CPU first, then the
 * enabled processors in MADT order, at most min(cap, SMP_MAX_CPUS) in all.
 * Online-capable (not enabled) processors and APIC IDs above
 * SMP_XAPIC_MAX_ID (Skiff sends IPIs in xAPIC mode) are counted in
 * skipped[] and left out. Never fails.
 */
void smp_plan_make(const struct acpi_info *acpi, uint32_t bsp_apic_id, unsigned cap,
		   struct smp_plan *plan);

/*
 * smp_trampoline_page: the lowest 4 KiB page in [SMP_TRAMPOLINE_LOW,
 * SMP_TRAMPOLINE_HIGH) that lies wholly in usable RAM (type 1) of info's
 * memory map and overlaps neither the multiboot2 information nor a module.
 * Returns its address, or 0 when there is none (no AP can be started).
 */
uint64_t smp_trampoline_page(const struct boot_info *info);

/* smp_skip_name: a short phrase for why ("only online-capable", ...). */
const char *smp_skip_name(enum smp_skip why);

#endif
