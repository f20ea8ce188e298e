/*
 * svm_regs.h - guest register access for the SVM backend. Private to x86_svm/.
 */
#ifndef SKIFF_SVM_REGS_H
#define SKIFF_SVM_REGS_H

#include "hal/hal.h"

/*
 * svm_reg_read: the guest's value of reg, from the VMCB or the register
 * file. EFER reads without SVME (the guest never set it). 0 for a number
 * outside enum hal_reg.
 */
uint64_t svm_reg_read(struct vcpu *vcpu, enum hal_reg reg);

/*
 * svm_reg_write: set reg for the next entry. EFER keeps SVME set whatever
 * value is written (VMRUN refuses a guest without it). A number outside
 * enum hal_reg is ignored.
 */
void svm_reg_write(struct vcpu *vcpu, enum hal_reg reg, uint64_t value);

/*
 * svm_advance: RIP = exit->next_rip, and no interrupt shadow (the
 * instruction completed). Needs an exit whose next_rip is meaningful.
 */
void svm_advance(struct vcpu *vcpu, const struct hal_exit *exit);

/*
 * svm_debug_traps / svm_single_step: hal_ops.debug_traps and single_step
 * (svm_debug.c): #BP and #DB exception intercepts; RFLAGS.TF.
 */
void svm_debug_traps(struct vcpu *vcpu, bool on);
void svm_single_step(struct vcpu *vcpu, bool on);

/* RFLAGS.TF: the trap flag single_step sets (svm_reg_read hides it). */
#define SVM_RFLAGS_TF (1ull << 8)

#endif
