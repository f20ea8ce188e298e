/*
 * smp_test.c - which CPUs the MADT gives Skiff, where the start code goes,
 * and the start order with a faked machine: IPIs, arrivals and backend
 * results chosen per APIC ID, so a CPU that never answers or whose backend
 * refuses is seen reported and left out.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "hypervisor/smp/smp_bringup.h"
#include "hypervisor/smp/smp_plan.h"
#include "lib/errno.h"

static struct acpi_info madt(unsigned n, const uint32_t *ids, const bool *enabled)
{
	struct acpi_info a;

	memset(&a, 0, sizeof a);
	a.have_madt = true;
	a.cpu_count = n;
	for (unsigned i = 0; i < n; i++)
		a.cpus[i] = (struct acpi_cpu){ .apic_id = ids[i], .uid = i,
					       .enabled = enabled ? enabled[i] : true };
	return a;
}

static void test_plan(void)
{
	static const uint32_t ids[] = { 0, 1, 2, 3 };
	static const uint32_t odd[] = { 6, 2, 300, 4 };
	static const bool some[] = { true, false, true, true };
	struct acpi_info a = madt(4, ids, NULL);
	struct smp_plan p;

	smp_plan_make(&a, 0, 1, &p);          /* default: the boot CPU alone */
	CHECK(p.count == 1 && p.apic_ids[0] == 0 && p.madt_count == 4);
	CHECK(p.skipped[SMP_SKIP_CAP] == 3);
	smp_plan_make(&a, 0, 0, &p);          /* 0 counts as 1 */
	CHECK(p.count == 1);
	smp_plan_make(&a, 2, 4, &p);          /* boot CPU first, then MADT order */
	CHECK(p.count == 4 && p.apic_ids[0] == 2 && p.apic_ids[1] == 0 &&
	      p.apic_ids[2] == 1 && p.apic_ids[3] == 3 && p.bsp_in_madt);
	smp_plan_make(&a, 0, 3, &p);
	CHECK(p.count == 3 && p.apic_ids[2] == 2 && p.skipped[SMP_SKIP_CAP] == 1);
	smp_plan_make(&a, 0, 1000, &p);       /* a cap above the CPUs there are */
	CHECK(p.count == 4);

	a = madt(4, ids, some);               /* APIC ID 1 only online-capable */
	smp_plan_make(&a, 0, 8, &p);
	CHECK(p.count == 3 && p.apic_ids[1] == 2 && p.apic_ids[2] == 3);
	CHECK(p.madt_count == 3 && p.skipped[SMP_SKIP_DISABLED] == 1);

	a = madt(4, odd, NULL);               /* the boot CPU missing, an x2APIC-only ID */
	smp_plan_make(&a, 9, 8, &p);
	CHECK(!p.bsp_in_madt && p.madt_count == 5);
	CHECK(p.count == 4 && p.apic_ids[0] == 9 && p.apic_ids[1] == 6 &&
	      p.apic_ids[2] == 2 && p.apic_ids[3] == 4);
	CHECK(p.skipped[SMP_SKIP_UNREACHABLE] == 1);

	a.have_madt = false;                  /* no MADT: the boot CPU alone */
	smp_plan_make(&a, 5, 8, &p);
	CHECK(p.count == 1 && p.apic_ids[0] == 5 && p.madt_count == 1);
}

static void test_plan_limit(void)
{
	static struct acpi_info a;
	struct smp_plan p;

	memset(&a, 0, sizeof a);
	a.have_madt = true;
	a.cpu_count = 100;
	for (unsigned i = 0; i < 100; i++)
		a.cpus[i] = (struct acpi_cpu){ .apic_id = i, .enabled = true };
	smp_plan_make(&a, 0, 256, &p);
	CHECK(p.count == SMP_MAX_CPUS && p.madt_count == 100);
	CHECK(p.apic_ids[SMP_MAX_CPUS - 1] == SMP_MAX_CPUS - 1);
}

static void test_trampoline_page(void)
{
	static struct boot_info info;

	memset(&info, 0, sizeof info);
	info.region_count = 2;
	info.regions[0] = (struct mb2_region){ 0, 0x9fc00, 1 };
	info.regions[1] = (struct mb2_region){ 0x100000, 0x7f00000, 1 };
	CHECK(smp_trampoline_page(&info) == 0x1000);   /* never page 0 */
	info.info_start = 0x1800;                        /* the boot information */
	info.info_end = 0x2100;
	CHECK(smp_trampoline_page(&info) == 0x3000);
	info.module_count = 1;
	info.modules[0] = (struct mb2_module){ 0x3000, 0x3001, "" };
	CHECK(smp_trampoline_page(&info) == 0x4000);
	info.regions[0] = (struct mb2_region){ 0x1000, 0x1fff, 1 };  /* no whole page left */
	CHECK(smp_trampoline_page(&info) == 0);
	info.regions[0] = (struct mb2_region){ 0x9f000, 0x1000, 2 };   /* reserved only */
	CHECK(smp_trampoline_page(&info) == 0);
	info.regions[0] = (struct mb2_region){ 0x9e000, 0x10000, 1 };  /* runs into VGA memory */
	CHECK(smp_trampoline_page(&info) == 0x9e000);
	info.regions[0] = (struct mb2_region){ 0xa0000, 0x10000, 1 };  /* above the window */
	CHECK(smp_trampoline_page(&info) == 0);
	info.regions[0] = (struct mb2_region){ UINT64_MAX - 0xfff, 0x1000, 1 };
	CHECK(smp_trampoline_page(&info) == 0);
}

/* The fake machine: how each APIC ID behaves. */
enum behaviour { WORKS, SILENT, NO_INIT, NO_MEMORY, BACKEND_REFUSES, LATE_ON_SECOND };

struct fake {
	enum behaviour by_id[16];
	unsigned inits[16], startups[16];
	bool running[SMP_MAX_CPUS];
	uint32_t index_id[SMP_MAX_CPUS];
	unsigned last_vector;
	char log[2048];
};

static int f_prepare(void *ctx, unsigned index, uint32_t id)
{
	struct fake *f = ctx;

	f->index_id[index] = id;
	return f->by_id[id] == NO_MEMORY ? -ENOMEM : 0;
}

static bool f_init(void *ctx, uint32_t id)
{
	struct fake *f = ctx;

	f->inits[id]++;
	return f->by_id[id] != NO_INIT;
}

static bool f_startup(void *ctx, uint32_t id, uint8_t vector)
{
	struct fake *f = ctx;

	f->startups[id]++;
	f->last_vector = vector;
	return true;
}

static void f_delay(void *ctx, uint64_t us)
{
	(void)ctx;
	(void)us;
}

static bool f_arrived(void *ctx, unsigned index)
{
	struct fake *f = ctx;
	uint32_t id = f->index_id[index];

	if (f->by_id[id] == SILENT)
		return false;
	if (f->by_id[id] == LATE_ON_SECOND)
		return f->startups[id] >= 2;
	return f->startups[id] >= 1;
}

static int f_backend(void *ctx, unsigned index)
{
	struct fake *f = ctx;

	return f->by_id[f->index_id[index]] == BACKEND_REFUSES ? -ENOTSUP : 0;
}

static void f_note(void *ctx, const char *line)
{
	struct fake *f = ctx;

	strncat(f->log, line, sizeof f->log - strlen(f->log) - 2);
	strcat(f->log, "\n");
}

static struct smp_platform platform(struct fake *f)
{
	return (struct smp_platform){ f_prepare, f_init, f_startup, f_delay, f_arrived,
				      f_backend, f_note, f };
}

static struct smp_plan plan_of(unsigned n)
{
	struct smp_plan p = { .count = n, .madt_count = n };

	for (unsigned i = 0; i < n; i++)
		p.apic_ids[i] = i;
	return p;
}

static void test_start_all(void)
{
	static struct fake f;
	struct smp_platform p = platform(&f);
	struct smp_plan plan = plan_of(4);
	struct smp_result r;

	CHECK(smp_bringup_start(&p, &plan, 0x8000, &r) == 4);
	CHECK(f.last_vector == 0x08);
	CHECK(f.inits[0] == 0 && f.inits[1] == 1 && f.inits[3] == 1);
	CHECK(f.startups[1] == 1);     /* arrived after the first: no second STARTUP */
	CHECK(smp_bringup_enable_backends(&p, &plan, &r) == 4);
	CHECK(f.log[0] == '\0');
}

static void test_failures(void)
{
	static struct fake f;
	struct smp_platform p = platform(&f);
	struct smp_plan plan = plan_of(7);
	struct smp_result r;

	f.by_id[1] = SILENT;
	f.by_id[2] = LATE_ON_SECOND;
	f.by_id[3] = NO_INIT;
	f.by_id[4] = NO_MEMORY;
	f.by_id[5] = BACKEND_REFUSES;
	CHECK(smp_bringup_start(&p, &plan, 0x1000, &r) == 4);   /* 0, 2, 5, 6 */
	CHECK(!r.online[1] && r.online[2] && !r.online[3] && !r.online[4] && r.online[6]);
	CHECK(f.startups[1] == 2 && f.startups[2] == 2 && f.startups[3] == 0);
	CHECK(f.inits[4] == 0);
	CHECK(f.inits[1] == 2 && f.inits[2] == 1);   /* the silent one is stopped again */
	CHECK(strstr(f.log, "APIC ID 1 left out: reaching long mode") != NULL);
	CHECK(strstr(f.log, "APIC ID 3 left out: the INIT IPI failed") != NULL);
	CHECK(strstr(f.log, "APIC ID 4 left out: preparing its stack") != NULL);
	CHECK(strstr(f.log, "APIC ID 2 ") == NULL);
	CHECK(smp_bringup_enable_backends(&p, &plan, &r) == 3);
	CHECK(!r.backend[5] && r.backend[6] && r.backend[2]);
	CHECK(strstr(f.log, "APIC ID 5 left out: enabling the backend failed (-95)") != NULL);
}

static void test_no_trampoline(void)
{
	static struct fake f;
	struct smp_platform p = platform(&f);
	struct smp_plan plan = plan_of(3);
	struct smp_result r;

	CHECK(smp_bringup_start(&p, &plan, 0, &r) == 1);
	CHECK(f.inits[1] == 0 && f.inits[2] == 0);
	CHECK(strstr(f.log, "APIC ID 2 left out: finding a free page") != NULL);
	CHECK(smp_bringup_start(&p, &plan, 0x100000, &r) == 1);   /* not below 1 MiB */
	CHECK(smp_bringup_enable_backends(&p, &plan, &r) == 1);
}

int main(void)
{
	test_plan();
	test_plan_limit();
	test_trampoline_page();
	test_start_all();
	test_failures();
	test_no_trampoline();
	return check_report("smp_test");
}
