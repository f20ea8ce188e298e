/*
 * smp_bringup.h - the order in which application processors (APs) are
 * started and their backend enabled, apart from how each step touches the
 * hardware (smp_platform.c does that in Skiff; host tests fake it).
 *
 * Phase one (smp_bringup_start) runs before any CPU enters VMX operation,
 * which blocks INIT: for each AP of the plan, one at a time, its per-CPU
 * data is prepared, then INIT, 10 ms, STARTUP, 200 us, STARTUP, and the AP
 * must report from C code within a timeout. Phase two
 * (smp_bringup_enable_backends) runs after the boot CPU's backend is on:
 * each started AP, one at a time, enables the backend on itself. One AP at
 * a time is what keeps the frame allocator and the log safe without locks
 * during bring-up: the boot CPU only waits while an AP uses them.
 *
 * A step that fails leaves that AP out with a log line naming its APIC ID
 * and the step; the others go on. An AP that does not report in time gets
 * INIT again, which stops it wherever it got to.
 */
#ifndef SKIFF_SMP_BRINGUP_H
#define SKIFF_SMP_BRINGUP_H

#include <stdbool.h>
#include <stdint.h>

#include "hypervisor/smp/smp_plan.h"

#define SMP_INIT_WAIT_US 10000u    /* INIT to the first STARTUP */
#define SMP_SIPI_WAIT_US 200u      /* between the two STARTUPs */
#define SMP_ARRIVAL_WAIT_US 1000000u /* the AP's report, after the second STARTUP */

/* What the sequence needs from the machine; every call names the AP by plan index. */
struct smp_platform {
	/* prepare: the AP's stack and per-CPU data, made ready for its start; 0 or -errno. */
	int (*prepare)(void *ctx, unsigned index, uint32_t apic_id);
	/* send_init / send_startup: the IPI; false when the APIC did not accept it. */
	bool (*send_init)(void *ctx, uint32_t apic_id);
	bool (*send_startup)(void *ctx, uint32_t apic_id, uint8_t vector);
	void (*delay_us)(void *ctx, uint64_t us);
	/* arrived: has the AP reported from C code? (polled up to SMP_ARRIVAL_WAIT_US) */
	bool (*arrived)(void *ctx, unsigned index);
	/* enable_backend: have the AP turn the backend on; 0, -errno, or -ETIMEDOUT. */
	int (*enable_backend)(void *ctx, unsigned index);
	/* note: one log line (without "skiff: "). */
	void (*note)(void *ctx, const char *line);
	void *ctx;
};

/* The state of each CPU of a plan, index 0 being the boot CPU. */
struct smp_result {
	bool online[SMP_MAX_CPUS];   /* in long mode, in C, waiting */
	bool backend[SMP_MAX_CPUS];  /* the backend is on */
	unsigned started;            /* online CPUs, the boot CPU included */
	unsigned with_backend;       /* CPUs whose backend is on, the boot CPU included */
};

/*
 * smp_bringup_start: phase one for every AP of plan (index 1 and up), with
 * the trampoline at trampoline_page (4 KiB aligned, below 1 MiB; 0 when
 * there is none: every AP is then reported and left out). Fills *result
 * (the boot CPU counts as online). Returns result->started.
 */
unsigned smp_bringup_start(const struct smp_platform *p, const struct smp_plan *plan,
			   uint64_t trampoline_page, struct smp_result *result);

/*
 * smp_bringup_enable_backends: phase two for every online AP of result
 * (the boot CPU's backend is on already). Returns result->with_backend.
 */
unsigned smp_bringup_enable_backends(const struct smp_platform *p, const struct smp_plan *plan,
				     struct smp_result *result);

#endif
