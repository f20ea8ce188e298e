/*
 * svm_gpr_offsets.h - byte offsets of guest registers in the register file
 * (struct vcpu's gpr[], indexed by HAL_REG_*) and of RAX in the VMCB,
 * shared by svm_run.S (which cannot use offsetof) and C, which checks them
 * against enum hal_reg and struct vmcb in svm.h.
 */
#ifndef SKIFF_SVM_GPR_OFFSETS_H
#define SKIFF_SVM_GPR_OFFSETS_H


/* The guest's RAX in the VMCB (save.rax): VMRUN loads it, #VMEXIT stores it. */
#include "hal/hal_gpr_offsets.h"

#define SVM_VMCB_RAX 0x5f8

#endif
