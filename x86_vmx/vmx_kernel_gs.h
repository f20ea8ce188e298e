/*
 * vmx_kernel_gs.h - each guest's IA32_KERNEL_GS_BASE.
 *
 * SWAPGS exchanges the GS base with IA32_KERNEL_GS_BASE without an exit,
 * and the VMCS has no field for that MSR: without switching it by hand,
 * one guest reads and overwrites another's value. The host never uses it,
 * so a guest's value stays in the CPU until a different guest is entered
 * (the same lazy scheme as the FPU state).
 */
#ifndef SKIFF_VMX_KERNEL_GS_H
#define SKIFF_VMX_KERNEL_GS_H

struct vmx_vcpu;

/* vmx_kernel_gs_load: before entering v, make the MSR hold v's value. */
void vmx_kernel_gs_load(struct vmx_vcpu *v);

/* vmx_kernel_gs_forget: v is going away; its value needs no saving. */
void vmx_kernel_gs_forget(struct vmx_vcpu *v);

#endif
