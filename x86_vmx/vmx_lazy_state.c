/*
 * vmx_lazy_state.c - swapping CR2 and IA32_KERNEL_GS_BASE between vCPUs.
 */
#include "vmx_lazy_state.h"

#include "hypervisor/cpu.h"
#include "hypervisor/smp/percpu.h"
#include "vmx_vcpu.h"

/* Per CPU, the vCPU whose values that CPU holds now, NULL when none. */
static struct vmx_vcpu *lazy_owners[SMP_MAX_CPUS];
#define lazy_owner (lazy_owners[this_cpu_index()])

static inline void write_cr2(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr2" : : "r"(value) : "memory");
}

void vmx_lazy_state_load(struct vmx_vcpu *v)
{
	if (lazy_owner == v)
		return;
	if (lazy_owner) {
		lazy_owner->cr2 = read_cr2();
		lazy_owner->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	}
	write_cr2(v->cr2);
	wrmsr(MSR_KERNEL_GS_BASE, v->kernel_gs_base);
	lazy_owner = v;
}

void vmx_lazy_state_forget(struct vmx_vcpu *v)
{
	if (lazy_owner == v)
		lazy_owner = NULL;
}

void vmx_lazy_state_save(struct vmx_vcpu *v)
{
	if (lazy_owner != v)
		return;
	v->cr2 = read_cr2();
	v->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	lazy_owner = NULL;
}

uint64_t vmx_lazy_cr2(const struct vmx_vcpu *v)
{
	return lazy_owner == v ? read_cr2() : v->cr2;
}

void vmx_lazy_set_cr2(struct vmx_vcpu *v, uint64_t value)
{
	if (lazy_owner == v)
		write_cr2(value);
	else
		v->cr2 = value;
}
