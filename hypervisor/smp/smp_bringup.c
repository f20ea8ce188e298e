/*
 * smp_bringup.c - starting the APs one at a time (smp_bringup.h).
 */
#include "hypervisor/smp/smp_bringup.h"

#include <stdarg.h>

#include "lib/errno.h"
#include "lib/format.h"

#define POLL_STEP_US 100u
#define MIB 0x100000u

static void note(const struct smp_platform *p, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	format_v(line, sizeof line, fmt, ap);
	va_end(ap);
	p->note(p->ctx, line);
}

/* left_out: the one line every failed AP gets. */
static void left_out(const struct smp_platform *p, uint32_t apic_id, const char *step, int err)
{
	note(p, "smp: CPU with APIC ID %u left out: %s failed (%d)", apic_id, step, err);
}

/* wait_arrival: poll the AP's report for up to SMP_ARRIVAL_WAIT_US. */
static bool wait_arrival(const struct smp_platform *p, unsigned index)
{
	for (uint64_t waited = 0; waited <= SMP_ARRIVAL_WAIT_US; waited += POLL_STEP_US) {
		if (p->arrived(p->ctx, index))
			return true;
		p->delay_us(p->ctx, POLL_STEP_US);
	}
	return false;
}

/* start_one: prepare, INIT, STARTUP twice, then wait; 0 or the failed step's name in *step. */
static int start_one(const struct smp_platform *p, unsigned index, uint32_t apic_id,
		     uint8_t vector, const char **step)
{
	int err;

	*step = "preparing its stack and per-CPU data";
	err = p->prepare(p->ctx, index, apic_id);
	if (err)
		return err;
	*step = "the INIT IPI";
	if (!p->send_init(p->ctx, apic_id))
		return -EIO;
	p->delay_us(p->ctx, SMP_INIT_WAIT_US);
	*step = "the first STARTUP IPI";
	if (!p->send_startup(p->ctx, apic_id, vector))
		return -EIO;
	p->delay_us(p->ctx, SMP_SIPI_WAIT_US);
	/* MP specification: a second STARTUP in case the first was lost; an AP
	 * already running ignores it (STARTUP only acts in wait-for-SIPI). */
	if (!p->arrived(p->ctx, index)) {
		*step = "the second STARTUP IPI";
		if (!p->send_startup(p->ctx, apic_id, vector))
			return -EIO;
	}
	*step = "reaching long mode (no report after both STARTUP IPIs)";
	if (wait_arrival(p, index))
		return 0;
	/* Back to wait-for-STARTUP: a late AP must not run on the stack and
	 * per-CPU data the next AP is given. */
	(void)p->send_init(p->ctx, apic_id);
	return -ETIMEDOUT;
}

unsigned smp_bringup_start(const struct smp_platform *p, const struct smp_plan *plan,
			   uint64_t trampoline_page, struct smp_result *result)
{
	uint8_t vector = (uint8_t)(trampoline_page >> 12);

	*result = (struct smp_result){ .online = { true }, .backend = { true },
				       .started = 1, .with_backend = 1 };
	for (unsigned i = 1; i < plan->count; i++) {
		const char *step = "finding a free page below 1 MiB for the start code";
		int err = -ENOMEM;

		if (trampoline_page != 0 && trampoline_page < MIB && !(trampoline_page & 0xfff))
			err = start_one(p, i, plan->apic_ids[i], vector, &step);
		if (err) {
			left_out(p, plan->apic_ids[i], step, err);
			continue;
		}
		result->online[i] = true;
		result->started++;
	}
	return result->started;
}

unsigned smp_bringup_enable_backends(const struct smp_platform *p, const struct smp_plan *plan,
				     struct smp_result *result)
{
	for (unsigned i = 1; i < plan->count; i++) {
		int err;

		if (!result->online[i])
			continue;
		err = p->enable_backend(p->ctx, i);
		if (err) {
			left_out(p, plan->apic_ids[i], "enabling the backend", err);
			continue;
		}
		result->backend[i] = true;
		result->with_backend++;
	}
	return result->with_backend;
}
