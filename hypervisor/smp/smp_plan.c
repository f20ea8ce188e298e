/*
 * smp_plan.c - choosing the processors and the trampoline page (smp_plan.h).
 */
#include "hypervisor/smp/smp_plan.h"

#define PAGE 0x1000u
#define MB2_USABLE 1u

const char *smp_skip_name(enum smp_skip why)
{
	switch (why) {
	case SMP_SKIP_DISABLED: return "only online-capable";
	case SMP_SKIP_CAP: return "beyond the cpus= cap";
	case SMP_SKIP_UNREACHABLE: return "APIC ID above 254 needs x2APIC mode";
	default: return "used";
	}
}

/* why_not: why cpu cannot join a plan that already has count entries. */
static enum smp_skip why_not(const struct acpi_cpu *cpu, unsigned count, unsigned cap)
{
	if (!cpu->enabled)
		return SMP_SKIP_DISABLED;
	if (cpu->apic_id > SMP_XAPIC_MAX_ID)
		return SMP_SKIP_UNREACHABLE;
	if (count >= cap)
		return SMP_SKIP_CAP;
	return SMP_SKIP_NONE;
}

void smp_plan_make(const struct acpi_info *acpi, uint32_t bsp_apic_id, unsigned cap,
		   struct smp_plan *plan)
{
	*plan = (struct smp_plan){ .count = 1, .apic_ids = { bsp_apic_id } };
	if (cap == 0)
		cap = 1;
	if (cap > SMP_MAX_CPUS)
		cap = SMP_MAX_CPUS;
	if (!acpi->have_madt) {
		plan->madt_count = 1;   /* the boot CPU exists even without a table */
		return;
	}
	for (unsigned i = 0; i < acpi->cpu_count; i++) {
		const struct acpi_cpu *cpu = &acpi->cpus[i];
		enum smp_skip why;

		if (cpu->enabled)
			plan->madt_count++;
		if (cpu->apic_id == bsp_apic_id) {
			plan->bsp_in_madt = true;
			continue;
		}
		why = why_not(cpu, plan->count, cap);
		if (why != SMP_SKIP_NONE) {
			plan->skipped[why]++;
			continue;
		}
		plan->apic_ids[plan->count++] = cpu->apic_id;
	}
	if (!plan->bsp_in_madt)
		plan->madt_count++;  /* it runs this code, so it exists */
}

/* overlaps: do [a, a + alen) and [b, b_end) share a byte? */
static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t b_end)
{
	return a < b_end && b < a + alen;
}

/* page_usable: is the page at p wholly inside one usable region? */
static bool page_usable(const struct boot_info *info, uint64_t p)
{
	for (unsigned i = 0; i < info->region_count; i++) {
		const struct mb2_region *r = &info->regions[i];

		if (r->type == MB2_USABLE && r->base <= p && r->length >= PAGE &&
		    p - r->base <= r->length - PAGE)
			return true;
	}
	return false;
}

/* page_taken: does the page at p hold the boot information or a module? */
static bool page_taken(const struct boot_info *info, uint64_t p)
{
	if (overlaps(p, PAGE, info->info_start, info->info_end))
		return true;
	for (unsigned i = 0; i < info->module_count; i++)
		if (overlaps(p, PAGE, info->modules[i].start, info->modules[i].end))
			return true;
	return false;
}

uint64_t smp_trampoline_page(const struct boot_info *info)
{
	for (uint64_t p = SMP_TRAMPOLINE_LOW; p < SMP_TRAMPOLINE_HIGH; p += PAGE)
		if (page_usable(info, p) && !page_taken(info, p))
			return p;
	return 0;
}
