/*
 * percpu.h - each CPU's own data, reached through the GS base.
 *
 * Every CPU Skiff runs on has one struct percpu: the boot CPU a static one,
 * each AP one allocated when it is started. The GS base MSR of the CPU
 * points at it (Skiff's own code never loads GS with a selector, and both
 * backends restore the host GS base at every exit: VMX from the VMCS host
 * state, written from the creating CPU's GS base; SVM by VMLOAD of the host
 * save state), so this_cpu() is one load.
 */
#ifndef SKIFF_SMP_PERCPU_H
#define SKIFF_SMP_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "hypervisor/boot/descriptors.h"
#include "hypervisor/smp/smp_plan.h"

#define PERCPU_STACK_SIZE 16384

/* The start handshake (smp.c): the AP moves ARRIVED and READY/FAILED, the boot CPU the rest. */
enum percpu_state {
	PERCPU_STARTING = 0,   /* memory prepared, IPIs on their way */
	PERCPU_ARRIVED,        /* in C on its own tables, waiting */
	PERCPU_ENABLE_BACKEND, /* asked to turn the backend on */
	PERCPU_READY,          /* backend on; parked until there is work */
	PERCPU_FAILED,         /* backend refused (backend_rc); parked for good */
};

struct percpu {
	struct percpu *self;          /* at %gs:0, so this_cpu() needs no MSR read */
	unsigned index;               /* 0 for the boot CPU, then start order */
	uint32_t apic_id;
	void *backend;                /* the backend's slot for this CPU (hal.h cpu_init_ap) */
	volatile uint32_t state;      /* enum percpu_state */
	volatile int32_t backend_rc;  /* cpu_init_ap's result once state is READY or FAILED */
	volatile bool timer_fired;    /* its local APIC timer interrupt came (apic_timer.c) */
	void *fpu_owner;              /* the VM whose x87/SSE state its registers hold */
	/* A guest of this CPU asleep in POLL was woken by another CPU
	 * (smp_kick_wake): set before the kick, taken by this CPU's loop,
	 * which runs the woken guest next (docs/smp.md, "Wake-ups"). */
	bool wake_due;
	bool cut_for_wake;            /* the guest it ran last was left for a wake-up */
	bool expired_with_wake_due;   /* ... or ran to its slice's end with one pending */
	uint64_t sleeper_wake_tsc;    /* earliest POLL deadline of its sleeping guests, set per run */
	/* Work the boot CPU hands an AP (smp_work.h): set by the boot CPU while
	 * work is NULL, cleared by the AP when fn returned. */
	void (*volatile work)(void *arg);
	void *volatile work_arg;
	struct cpu_tables tables;     /* own GDT, TSS and IST stacks (APs only) */
	uint8_t stack[PERCPU_STACK_SIZE] __attribute__((aligned(16)));  /* APs only */
};

/* this_cpu: the calling CPU's struct percpu (after smp_init on the boot CPU). */
static inline struct percpu *this_cpu(void)
{
	struct percpu *cpu;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(cpu));
	return cpu;
}

/*
 * this_cpu_index: the calling CPU's index (0 for the boot CPU), below
 * SMP_MAX_CPUS: the slot of per-CPU arrays a backend keeps (tag pools).
 */
static inline unsigned this_cpu_index(void)
{
	return this_cpu()->index;
}

#endif
