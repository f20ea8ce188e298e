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
#define INTERCEPT_INTN (UINT32_C(1) << 21)   /* VMCB offset 0x00c, bit 21 */

/*
 * QEMU's SVM (7.2) checks the INTn intercept, not the #BP exception
 * intercept, when a guest executes INT3; a CPU raises #BP. Both are
 * intercepted, and svm_exit.c reports an INTn exit as #BP: a guest
 * under the debugger that uses INT n (n != 3) is stopped as if at an
 * INT3 (a unikernel has no use for INT n: it has no IDT of its own).
 */
void svm_debug_traps(struct vcpu *vcpu, bool on)
{
	struct svm_vcpu *sv = vcpu->backend;
	uint32_t *vectors = &sv->vmcb->control.intercept[VMCB_WORD_EXCEPTION];
	uint32_t *misc = &sv->vmcb->control.intercept[VMCB_WORD_MISC1];

	*vectors = on ? *vectors | DEBUG_VECTORS : *vectors & ~DEBUG_VECTORS;
	*misc = on ? *misc | INTERCEPT_INTN : *misc & ~INTERCEPT_INTN;
}

void svm_single_step(struct vcpu *vcpu, bool on)
{
	struct svm_vcpu *sv = vcpu->backend;
	uint64_t *rflags = &sv->vmcb->save.rflags;

	sv->stepping = on;
	*rflags = on ? *rflags | SVM_RFLAGS_TF : *rflags & ~SVM_RFLAGS_TF;
}
