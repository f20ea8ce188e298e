/*
 * vmx_regs.c - guest registers by HAL number: general registers but RSP
 * from the vCPU's register file (vcpu->gpr, which the world switch loads
 * and stores), the rest from the guest-state area of the VMCS, CR0/CR4 as
 * the guest sees them through its read shadows.
 */
#include <stdbool.h>
#include <stdint.h>

#include "hal/hal.h"
#include "hypervisor/cpu.h"
#include "vmx_arch.h"
#include "vmx_caps.h"
#include "vmx_cr.h"
#include "vmx_insn.h"
#include "vmx_lazy_state.h"
#include "vmx_ops.h"
#include "vmx_vcpu.h"

/* The VMCS field of a register kept there as it is, or 0. */
static uint32_t plain_field(enum hal_reg reg)
{
	switch (reg) {
	case HAL_REG_RSP: return VMCS_GUEST_RSP;
	case HAL_REG_RIP: return VMCS_GUEST_RIP;
	case HAL_REG_RFLAGS: return VMCS_GUEST_RFLAGS;
	case HAL_REG_CR3: return VMCS_GUEST_CR3;
	case HAL_REG_EFER: return VMCS_GUEST_EFER;
	case HAL_REG_FS_BASE: return VMCS_GUEST_FS_BASE;
	case HAL_REG_GS_BASE: return VMCS_GUEST_GS_BASE;
	default: return 0;
	}
}

/* Whether reg lives in the register file (a general register but RSP). */
static bool in_register_file(enum hal_reg reg)
{
	return (unsigned)reg < HAL_GPR_COUNT && reg != HAL_REG_RSP;
}

uint64_t vmx_reg_read(struct vcpu *vcpu, enum hal_reg reg)
{
	struct vmx_vcpu *v = vcpu->backend;
	uint32_t field = plain_field(reg);

	if (in_register_file(reg))
		return vcpu->gpr[reg];
	if (reg == HAL_REG_CR2)
		return vmx_lazy_cr2(v);
	vmx_make_current(v);
	if (reg == HAL_REG_RFLAGS && v->stepping)
		return vmread(field) & ~VMX_RFLAGS_TF;
	if (field)
		return vmread(field);
	if (reg == HAL_REG_CR0)
		return vmx_cr_guest_view(vmread(VMCS_GUEST_CR0), vmread(VMCS_CR0_READ_SHADOW),
					 vmx_cr_host_mask(vmx_caps.cr0_fixed0, vmx_caps.cr0_fixed1));
	if (reg == HAL_REG_CR4)
		return vmx_cr_guest_view(vmread(VMCS_GUEST_CR4), vmread(VMCS_CR4_READ_SHADOW),
					 vmx_cr_host_mask(vmx_caps.cr4_fixed0, vmx_caps.cr4_fixed1));
	return 0;
}

/* IA-32e mode guest must match EFER.LMA at every entry. */
static void write_efer(uint64_t efer)
{
	uint64_t entry = vmread(VMCS_ENTRY_CONTROLS);

	if (efer & EFER_LMA)
		entry |= ENTRY_IA32E_MODE_GUEST;
	else
		entry &= ~(uint64_t)ENTRY_IA32E_MODE_GUEST;
	vmwrite(VMCS_ENTRY_CONTROLS, entry);
	vmwrite(VMCS_GUEST_EFER, efer);
}

void vmx_reg_write(struct vcpu *vcpu, enum hal_reg reg, uint64_t value)
{
	struct vmx_vcpu *v = vcpu->backend;

	if (in_register_file(reg)) {
		vcpu->gpr[reg] = value;
		return;
	}
	if (reg == HAL_REG_CR2) {
		vmx_lazy_set_cr2(v, value);
		return;
	}
	vmx_make_current(v);
	if (reg == HAL_REG_EFER) {
		write_efer(value);
	} else if (reg == HAL_REG_RFLAGS && v->stepping) {
		vmwrite(VMCS_GUEST_RFLAGS, value | VMX_RFLAGS_TF);
	} else if (plain_field(reg)) {
		vmwrite(plain_field(reg), value);
	} else if (reg == HAL_REG_CR0) {
		vmwrite(VMCS_CR0_READ_SHADOW, value);
		vmwrite(VMCS_GUEST_CR0, vmx_cr_real(value, vmx_caps.cr0_fixed0,
						    vmx_caps.cr0_fixed1));
	} else if (reg == HAL_REG_CR4) {
		vmwrite(VMCS_CR4_READ_SHADOW, value);
		vmwrite(VMCS_GUEST_CR4, vmx_cr_real(value, vmx_caps.cr4_fixed0,
						    vmx_caps.cr4_fixed1));
	}
}
