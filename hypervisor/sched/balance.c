/*
 * balance.c - moving runnable guests to idle CPUs and from long run
 * queues to short ones (balance.h).
 *
 * Chosen over periodic balancing (docs/smp.md, "Balancing"): a CPU that
 * runs out of work gets some within one time slice of a busy CPU, and a
 * CPU whose queue is longer than another's by two hands the shorter one a
 * guest at its next scheduling point. The move itself is done by the
 * guest's current CPU (the giving one), never by the receiving one,
 * because only the CPU that ran a vCPU can unload it; so no lock is
 * needed: a VM's cpu field has one writer, its current CPU, an idle CPU
 * is handed work by whoever clears its bit in idle_cpus first, and queue
 * lengths are single atomic words that each CPU publishes for itself.
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
static bool uneven;          /* also move between busy CPUs (balance=1) */
static uint64_t idle_cpus;   /* CPUs halted with nothing to run (atomic) */
static uint64_t moves;

/* Runnable guests each CPU counted at its last scheduling point (atomic),
 * plus those handed to it since; QUEUE_UNKNOWN until it first counts. */
#define QUEUE_UNKNOWN UINT32_MAX
static uint32_t queue_len[SMP_MAX_CPUS];

void balance_init(bool on, bool between_busy)
{
	enabled = on;
	uneven = on && between_busy;
	for (unsigned i = 0; i < SMP_MAX_CPUS; i++)
		queue_len[i] = QUEUE_UNKNOWN;
}

static uint64_t my_bit(void)
{
	return UINT64_C(1) << this_cpu_index();
}

void balance_idle_enter(void)
{
	if (!enabled)
		return;
	__atomic_store_n(&queue_len[this_cpu_index()], 0, __ATOMIC_RELAXED);
	__atomic_fetch_or(&idle_cpus, my_bit(), __ATOMIC_SEQ_CST);
}

void balance_idle_leave(void)
{
	if (enabled)
		__atomic_fetch_and(&idle_cpus, ~my_bit(), __ATOMIC_SEQ_CST);
}

/*
 * movable: whether vm may be handed from this CPU to another now. Shadow
 * and PV guests move too: their roots are host-physical and live in the
 * VMCS/VMCB that moves, and the tag they get on the new CPU is one never
 * used there since its last flush (vcpu_arrive_cpu), so nothing cached
 * under the old one is reachable. Network guests move too: a frame's
 * wake-up goes to vm_cpu(vm) (vm_net.c), read after the guest's state.
 */
static bool movable(struct vm *vm, const struct vm *next, uint64_t now)
{
	if (vm == next || vm->pinned || !vm->vcpu_ready)
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

/* move_to: hand vm (ours, not running) to cpu and wake it (a busy cpu
 * takes the IPI as one external-interrupt exit; an idle one, or one about
 * to halt, wakes and finds the guest). */
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
	if (uneven) {   /* counted until each CPU counts again */
		__atomic_fetch_add(&queue_len[cpu], 1, __ATOMIC_RELAXED);
		__atomic_fetch_sub(&queue_len[this_cpu_index()], 1, __ATOMIC_RELAXED);
	}
	smp_wake(cpu);
}

/* runnable_here: the caller's runnable guests (next among them), a
 * sleeper whose time has come included. */
static uint32_t runnable_here(struct vm **vms, unsigned count, uint64_t now)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < count; i++) {
		const struct vm *vm = vms[i];

		if (vm_cpu(vm) == this_cpu_index() &&
		    (vm->state == VM_RUNNABLE || (vm->state == VM_SLEEPING && now >= vm->wake_tsc)))
			n++;
	}
	return n;
}

/* shortest_other: the started CPU other than the caller with the shortest
 * known queue, or -1; its length in *len. */
static int shortest_other(uint32_t *len)
{
	int best = -1;

	*len = QUEUE_UNKNOWN;
	for (unsigned cpu = 0; cpu < smp_cpu_slots(); cpu++) {
		uint32_t n;

		if (cpu == this_cpu_index() || !smp_cpu(cpu))
			continue;
		n = __atomic_load_n(&queue_len[cpu], __ATOMIC_RELAXED);
		if (n < *len) {
			*len = n;
			best = (int)cpu;
		}
	}
	return best;
}

/* share_idle: one runnable guest per idle CPU, from the back of the queue
 * (the front runs soonest). */
static unsigned share_idle(struct vm **vms, unsigned count, const struct vm *next, uint64_t now)
{
	unsigned moved = 0;

	for (unsigned i = 0; i < count; i++) {
		struct vm *vm = vms[count - 1 - i];
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

/* share_uneven: at most one guest to the shortest queue when ours is
 * longer by BALANCE_GAP or more. One move shortens the gap by two, so two
 * CPUs never hand the same guest back and forth. */
#define BALANCE_GAP 2
static unsigned share_uneven(struct vm **vms, unsigned count, const struct vm *next,
			     uint64_t now, uint32_t mine)
{
	uint32_t shortest;
	int cpu = shortest_other(&shortest);

	if (cpu < 0 || shortest == QUEUE_UNKNOWN || mine < shortest + BALANCE_GAP)
		return 0;
	for (unsigned i = 0; i < count; i++) {
		struct vm *vm = vms[count - 1 - i];

		if (!movable(vm, next, now))
			continue;
		move_to(vm, (unsigned)cpu);
		return 1;
	}
	return 0;
}

unsigned balance_share(struct vm **vms, unsigned count, const struct vm *next, uint64_t now)
{
	uint32_t mine;
	unsigned moved;

	if (!uneven) {
		if (!__atomic_load_n(&idle_cpus, __ATOMIC_RELAXED))
			return 0;
		return share_idle(vms, count, next, now);
	}
	mine = runnable_here(vms, count, now);
	__atomic_store_n(&queue_len[this_cpu_index()], mine, __ATOMIC_RELAXED);
	moved = 0;
	if (__atomic_load_n(&idle_cpus, __ATOMIC_RELAXED))
		moved = share_idle(vms, count, next, now);
	if (moved)
		return moved;
	return share_uneven(vms, count, next, now, mine);
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
