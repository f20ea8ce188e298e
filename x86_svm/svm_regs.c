/*
 * svm_regs.c - guest registers by number. The general registers but RSP
 * live in the vCPU's register file (vcpu->gpr, which svm_run.S loads and
 * stores, RAX through the VMCB); RSP, RIP, RFLAGS, the control registers,
 * EFER and the segment bases live in the VMCB (VMRUN and VMSAVE keep them
 * there).
 */
#include "hypervisor/cpu.h"
#include "svm.h"
#include "svm_regs.h"

/* VMCB fields reached by register number; NULL for the others. */
static uint64_t *vmcb_field(struct vmcb_save *s, enum hal_reg reg)
{
	switch (reg) {
	case HAL_REG_RSP: return &s->rsp;
	case HAL_REG_RIP: return &s->rip;
	case HAL_REG_RFLAGS: return &s->rflags;
	case HAL_REG_CR0: return &s->cr0;
	case HAL_REG_CR2: return &s->cr2;
	case HAL_REG_CR3: return &s->cr3;
	case HAL_REG_CR4: return &s->cr4;
	case HAL_REG_EFER: return &s->efer;
	case HAL_REG_FS_BASE: return &s->fs.base;
	case HAL_REG_GS_BASE: return &s->gs.base;
	default: return NULL;
	}
}

/* Whether reg lives in the register file (a general register but RSP). */
static bool in_register_file(enum hal_reg reg)
{
	return (unsigned)reg < HAL_GPR_COUNT && reg != HAL_REG_RSP;
}

uint64_t svm_reg_read(struct vcpu *vcpu, enum hal_reg reg)
{
	struct svm_vcpu *sv = vcpu->backend;
	uint64_t *field = vmcb_field(&sv->vmcb->save, reg);

	if (in_register_file(reg))
		return vcpu->gpr[reg];
	if (reg == HAL_REG_EFER)
		return *field & ~(uint64_t)EFER_SVME;
	if (reg == HAL_REG_CR2)
		return svm_cr2_of(sv);
	if (reg == HAL_REG_RFLAGS && sv->stepping)
		return *field & ~SVM_RFLAGS_TF;
	if (field)
		return *field;
	return 0;
}

void svm_reg_write(struct vcpu *vcpu, enum hal_reg reg, uint64_t value)
{
	struct svm_vcpu *sv = vcpu->backend;
	uint64_t *field = vmcb_field(&sv->vmcb->save, reg);

	if (in_register_file(reg)) {
		vcpu->gpr[reg] = value;
		return;
	}
	if (reg == HAL_REG_EFER)
		value |= EFER_SVME;
	if (reg == HAL_REG_CR0 || reg == HAL_REG_CR3 || reg == HAL_REG_CR4 ||
	    reg == HAL_REG_EFER)
		sv->entry_state_stale = true;  /* VMRUN checks these: see svm.h */
	if (reg == HAL_REG_RFLAGS && sv->stepping)
		value |= SVM_RFLAGS_TF;
	if (reg == HAL_REG_CR2)
		svm_cr2_set(sv, value);
	else if (field)
		*field = value;
}

void svm_advance(struct vcpu *vcpu, const struct hal_exit *exit)
{
	struct svm_vcpu *sv = vcpu->backend;

	sv->vmcb->save.rip = exit->next_rip;
	sv->vmcb->control.interrupt_shadow = 0;
}
