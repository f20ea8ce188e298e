/*
 * vmx_kernel_gs.c - switching IA32_KERNEL_GS_BASE between guests lazily.
 */
#include "vmx_kernel_gs.h"

#include "hypervisor/cpu.h"
#include "vmx_vcpu.h"

/* The vCPU whose value the MSR holds now, NULL when none. */
static struct vmx_vcpu *kernel_gs_owner;

void vmx_kernel_gs_load(struct vmx_vcpu *v)
{
	if (kernel_gs_owner == v)
		return;
	if (kernel_gs_owner)
		kernel_gs_owner->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	wrmsr(MSR_KERNEL_GS_BASE, v->kernel_gs_base);
	kernel_gs_owner = v;
}

void vmx_kernel_gs_forget(struct vmx_vcpu *v)
{
	if (kernel_gs_owner == v)
		kernel_gs_owner = NULL;
}
