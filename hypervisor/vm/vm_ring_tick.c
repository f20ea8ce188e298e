/*
 * vm_ring_tick.c - ring ticks: a spinning guest's rings are served every
 * NET_RING_TICK_NS, not only when its slice ends (vm_ring_tick.h).
 */
#include "hypervisor/vm/vm_ring_tick.h"

#include "hal/hal.h"
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

static uint64_t tick_tsc(void)
{
	static uint64_t ticks;

	if (!ticks)
		ticks = ns_to_tsc(NET_RING_TICK_NS);
	return ticks ? ticks : 1;
}

uint64_t vm_first_timer_tsc(struct vm *vm, uint64_t slice_tsc)
{
	if (has_active_ring(vm) && tick_tsc() < slice_tsc)
		return tick_tsc();
	return slice_tsc;
}

/* arm: the next timer of vm, through the backend's slice timer or, where
 * it has none, the host's APIC timer (as the scheduler does). */
static void arm(struct vm *vm, uint64_t tsc_ticks)
{
	if (!hal->set_slice(&vm->vcpu, tsc_ticks))
		apic_timer_arm(tsc_to_ns(tsc_ticks));
}

bool vm_ring_tick(struct vm *vm)
{
	uint64_t now = tsc_read(), rest;

	if (now >= vm->slice_deadline || !has_active_ring(vm)) {
		vm->slices++;
		return false;
	}
	uplink_poll();
	rest = vm->slice_deadline - now;
	arm(vm, rest < tick_tsc() ? rest : tick_tsc());
	return true;
}
