/*
 * svm_cr2.c - keeping each guest's CR2 its own on every SVM implementation.
 *
 * The APM has VMRUN load CR2 from the VMCB and #VMEXIT store it back, and
 * QEMU does so; Bochs 2.7's SVM model does neither, so there one guest read
 * the CR2 another had left (found by the hostile_cr2 boot test). The host
 * never changes CR2 (it takes no page faults outside a panic), so after an
 * exit the CPU's CR2 is the guest's on every implementation: Skiff moves it
 * between the CPU and the VMCBs itself when a different vCPU is entered,
 * and never on the path of an exit.
 */
#include "hypervisor/cpu.h"
#include "svm.h"

/* Per CPU, the vCPU whose CR2 that CPU holds, NULL when none. */
struct svm_vcpu *svm_cr2_owners[SMP_MAX_CPUS];
#define svm_cr2_owner (svm_cr2_owners[this_cpu_index()])

static inline void write_cr2(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr2" : : "r"(value) : "memory");
}

/* svm_cr2_take: the slow half of svm_cr2_switch_to (svm.h). */
void svm_cr2_take(struct svm_vcpu *sv)
{
	if (svm_cr2_owner)
		svm_cr2_owner->vmcb->save.cr2 = read_cr2();
	write_cr2(sv->vmcb->save.cr2);
	svm_cr2_owner = sv;
}

void svm_cr2_forget(struct svm_vcpu *sv)
{
	if (svm_cr2_owner == sv)
		svm_cr2_owner = NULL;
}

void svm_cr2_leave(struct svm_vcpu *sv)
{
	if (svm_cr2_owner != sv)
		return;
	sv->vmcb->save.cr2 = read_cr2();
	svm_cr2_owner = NULL;
}

void svm_cr2_set(struct svm_vcpu *sv, uint64_t value)
{
	sv->vmcb->save.cr2 = value;
	if (svm_cr2_owner == sv)
		write_cr2(value);
}

uint64_t svm_cr2_of(const struct svm_vcpu *sv)
{
	return svm_cr2_owner == sv ? read_cr2() : sv->vmcb->save.cr2;
}
