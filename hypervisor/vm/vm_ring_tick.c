/*
 * vm_ring_tick.c - a running guest's timer: its slice's end, ring ticks
 * (a spinning guest's rings are served every NET_RING_TICK_NS, not only
 * when its slice ends) and wake-ups of the CPU's other guests
 * (vm_ring_tick.h).
 */
#include "hypervisor/vm/vm_ring_tick.h"

#include "hal/hal.h"
#include "hypervisor/options.h"
#include "hypervisor/smp/percpu.h"
#include "hypervisor/time/apic_timer.h"
#include "hypervisor/time/time.h"
#include "net/uplink.h"

static bool has_active_ring(const struct vm *vm)
{
	for (unsigned i = 0; i < vm->net_count; i++)
		if (vm->nets[i].port && vm->nets[i].ring.active)
			return true;
	return false;
}

/* once_tsc: ns in TSC ticks, computed at the first call (never 0). */
static uint64_t once_tsc(uint64_t *cache, uint64_t ns)
{
	if (!*cache)
		*cache = ns_to_tsc(ns);
	return *cache ? *cache : 1;
}

static uint64_t tick_tsc(void)
{
	static uint64_t ticks;

	return once_tsc(&ticks, NET_RING_TICK_NS);
}

static uint64_t min_run_tsc(void)
{
	static uint64_t ticks;

	return once_tsc(&ticks, WAKE_MIN_RUN_NS);
}

/* wake_wanted: another guest of this CPU is to run as soon as the running
 * one had its minimum: another CPU woke one, or a POLL deadline came. */
static bool wake_wanted(uint64_t now)
{
	struct percpu *cpu = this_cpu();

	return skiff_options.wake_preempt &&
	       (__atomic_load_n(&cpu->wake_due, __ATOMIC_ACQUIRE) || now >= cpu->sleeper_wake_tsc);
}

/* next_event: TSC ticks from now to vm's next timer event (never 0). */
static uint64_t next_event(struct vm *vm, uint64_t now)
{
	uint64_t next = now < vm->slice_deadline ? vm->slice_deadline - now : 1;
	uint64_t cut_at = vm->slice_start + min_run_tsc();

	if (has_active_ring(vm) && tick_tsc() < next)
		next = tick_tsc();
	if (skiff_options.wake_preempt) {
		/* The earliest a wake-up, pending or a sleeper's deadline, may cut. */
		uint64_t at = wake_wanted(now) ? cut_at : this_cpu()->sleeper_wake_tsc;

		if (at < cut_at)
			at = cut_at;
		if (at > now && at - now < next)
			next = at - now;
	}
	return next ? next : 1;
}

uint64_t vm_first_timer_tsc(struct vm *vm)
{
	return next_event(vm, tsc_read());
}

/* arm: the next timer of vm, through the backend's slice timer or, where
 * it has none, the host's APIC timer (as the scheduler does). */
static void arm(struct vm *vm, uint64_t tsc_ticks)
{
	if (!hal->set_slice(&vm->vcpu, tsc_ticks))
		apic_timer_arm(tsc_to_ns(tsc_ticks));
}

bool vm_timer_exit(struct vm *vm, bool timer_fired)
{
	uint64_t now;
	bool wake, ring, sleeper_first;

	/* Another interrupt (a kick for an invalidation): the armed timer
	 * still stands, and a sleeper's deadline has a timer of its own. */
	if (!timer_fired && !(skiff_options.wake_preempt &&
			      __atomic_load_n(&this_cpu()->wake_due, __ATOMIC_ACQUIRE)))
		return true;
	now = tsc_read();
	if (timer_fired && now >= vm->slice_deadline) {
		vm->slices++;
		return false;
	}
	wake = wake_wanted(now);
	if (wake && now >= vm->slice_start + min_run_tsc()) {
		/* The woken guest goes first (the scheduler takes wake_due). */
		__atomic_store_n(&this_cpu()->wake_due, true, __ATOMIC_RELAXED);
		this_cpu()->cut_for_wake = true;
		vm->slices_cut++;
		return false;
	}
	ring = has_active_ring(vm);
	/* A timer armed for the slice's end may fire a little early: one
	 * armed for a ring tick or a sleeper's deadline is armed again. */
	sleeper_first = skiff_options.wake_preempt &&
		this_cpu()->sleeper_wake_tsc < vm->slice_deadline;
	if (timer_fired && !ring && !wake && !sleeper_first) {
		vm->slices++;
		return false;
	}
	if (timer_fired && ring)
		uplink_poll();
	arm(vm, next_event(vm, now));
	return true;
}
