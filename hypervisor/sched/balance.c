/*
 * balance.c - moving runnable guests to idle CPUs (balance.h).
 *
 * Chosen over periodic balancing (docs/smp.md, "Balancing"): a CPU that
 * runs out of work gets some within one time slice of a busy CPU, and a
 * machine whose CPUs are all busy (or that has one CPU) pays one load per
 * scheduling decision. The move itself is done by the guest's current CPU
 * (the busy one), never by the idle one, because only the CPU that ran a
 * vCPU can unload it; so no lock is needed: a VM's cpu field has one
 * writer, its current CPU, and an idle CPU is handed work by whoever
 * clears its bit in idle_cpus first.
 */
#include "hypervisor/sched/balance.h"

#include "hal/hal.h"
#include "hypervisor/cpu.h"
#include "hypervisor/smp/percpu.h"
#include "hypervisor/smp/smp.h"
#include "hypervisor/vm/fpu.h"
#include "hypervisor/vm/vm.h"

_Static_assert(SMP_MAX_CPUS <= 64, "idle_cpus is one 64-bit mask");

static bool enabled;
static uint64_t idle_cpus;   /* CPUs halted with nothing to run (atomic) */
static uint64_t moves;

void balance_init(bool on)
{
	enabled = on;
}

static uint64_t my_bit(void)
{
	return UINT64_C(1) << this_cpu_index();
}

void balance_idle_enter(void)
{
	if (enabled)
		__atomic_fetch_or(&idle_cpus, my_bit(), __ATOMIC_SEQ_CST);
}

void balance_idle_leave(void)
{
	if (enabled)
		__atomic_fetch_and(&idle_cpus, ~my_bit(), __ATOMIC_SEQ_CST);
}

/* movable: whether vm may be handed from this CPU to another now. */
static bool movable(struct vm *vm, const struct vm *next, uint64_t now)
{
	if (vm == next || vm->pinned || vm->shadow || vm->pv || !vm->vcpu_ready)
		return false;
	if (vm_cpu(vm) != this_cpu_index())
		return false;
	if (vm->state == VM_SLEEPING && now >= vm->wake_tsc)
		vm->state = VM_RUNNABLE;   /* its CPU's to change: it is ours */
	return vm->state == VM_RUNNABLE;
}

/* take_idle_cpu: an idle CPU other than the caller, now no longer idle
 * (the caller hands it a guest), or -1. */
static int take_idle_cpu(void)
{
	uint64_t idle;

	while ((idle = __atomic_load_n(&idle_cpus, __ATOMIC_SEQ_CST) & ~my_bit())) {
		uint64_t bit = idle & -idle;

		if (__atomic_fetch_and(&idle_cpus, ~bit, __ATOMIC_SEQ_CST) & bit)
			return __builtin_ctzll(bit);
	}
	return -1;
}

/* move_to: hand vm (ours, not running) to cpu and wake it. */
static void move_to(struct vm *vm, unsigned cpu)
{
	if (this_cpu()->fpu_owner == vm) {
		fpu_switch(vm->fpu, vm->fpu);   /* its live registers back into its image */
		this_cpu()->fpu_owner = NULL;
	}
	hal->vcpu_leave_cpu(&vm->vcpu);
	vm->moves++;
	__atomic_fetch_add(&moves, 1, __ATOMIC_RELAXED);
	/* Everything written above is the new CPU's to see once it reads cpu. */
	__atomic_store_n(&vm->cpu, cpu, __ATOMIC_RELEASE);
	smp_wake(cpu);
}

unsigned balance_share(struct vm **vms, unsigned count, const struct vm *next, uint64_t now)
{
	unsigned moved = 0;

	if (!__atomic_load_n(&idle_cpus, __ATOMIC_RELAXED))
		return 0;
	for (unsigned i = 0; i < count; i++) {
		struct vm *vm = vms[count - 1 - i];   /* from the back: the front runs soonest */
		int cpu;

		if (!movable(vm, next, now))
			continue;
		if ((cpu = take_idle_cpu()) < 0)
			break;
		move_to(vm, (unsigned)cpu);
		moved++;
	}
	return moved;
}

void balance_arrive(struct vm *vm)
{
	unsigned me = this_cpu_index();

	if (vm->vcpu_cpu == me)
		return;
	hal->vcpu_arrive_cpu(&vm->vcpu);
	/* Skiff's map has no global pages: this drops every window entry. */
	__asm__ volatile("mov %0, %%cr3" : : "r"(read_cr3()) : "memory");
	vm->vcpu_cpu = me;
}

void balance_wake_all(void)
{
	uint64_t idle = __atomic_exchange_n(&idle_cpus, 0, __ATOMIC_SEQ_CST);

	for (unsigned cpu = 0; idle; cpu++, idle >>= 1)
		if (idle & 1)
			smp_wake(cpu);
}

uint64_t balance_moves(void)
{
	return __atomic_load_n(&moves, __ATOMIC_RELAXED);
}
