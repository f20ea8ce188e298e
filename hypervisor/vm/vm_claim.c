/*
 * vm_claim.c - one CPU at a time in a VM's host side (vm.h).
 *
 * A VM's pages may be taken by reclaim on any CPU, while its own CPU may be
 * in the middle of an exit that reads or writes them (a hypercall's
 * buffer). The claim keeps the two apart without a lock the guest's CPU
 * would hold while the guest runs: the guest's CPU gives it up just for
 * guest mode, and reclaim on another CPU only ever tries for it.
 */
#include "hypervisor/vm/vm.h"

#include "hypervisor/cpu.h"
#include "hypervisor/smp/percpu.h"

static uint32_t me(void)
{
	return this_cpu_index() + 1;
}

bool vm_try_claim(struct vm *vm, bool *took)
{
	uint32_t expected = 0;

	*took = false;
	if (__atomic_load_n(&vm->host_claim, __ATOMIC_ACQUIRE) == me())
		return true;
	*took = __atomic_compare_exchange_n(&vm->host_claim, &expected, me(), false,
					    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
	return *took;
}

void vm_claim_slow(struct vm *vm)
{
	bool took;

	while (!vm_try_claim(vm, &took))
		__asm__ volatile("pause");
	if (vm->window_stale && vm_cpu(vm) == this_cpu_index()) {
		vm->window_stale = false;
		/* Skiff's map has no global pages: this drops every window entry. */
		__asm__ volatile("mov %0, %%cr3" : : "r"(read_cr3()) : "memory");
	}
}
