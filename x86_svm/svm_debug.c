/*
 * svm_debug.c - what the debugger needs of the SVM backend: the guest's
 * INT3 and debug exceptions exit to Skiff (exception intercepts 3 and 1,
 * APM vol. 2, "Exception intercepts"), and one instruction at a time by
 * the trap flag, whose #DB then exits after the instruction.
 */
#include "svm.h"
#include "svm_regs.h"

#define VECTOR_DB 1
#define VECTOR_BP 3
#define DEBUG_VECTORS ((UINT32_C(1) << VECTOR_DB) | (UINT32_C(1) << VECTOR_BP))

void svm_debug_traps(struct vcpu *vcpu, bool on)
{
	struct svm_vcpu *sv = vcpu->backend;
	uint32_t *word = &sv->vmcb->control.intercept[VMCB_WORD_EXCEPTION];

	*word = on ? *word | DEBUG_VECTORS : *word & ~DEBUG_VECTORS;
}

void svm_single_step(struct vcpu *vcpu, bool on)
{
	struct svm_vcpu *sv = vcpu->backend;
	uint64_t *rflags = &sv->vmcb->save.rflags;

	sv->stepping = on;
	*rflags = on ? *rflags | SVM_RFLAGS_TF : *rflags & ~SVM_RFLAGS_TF;
}
