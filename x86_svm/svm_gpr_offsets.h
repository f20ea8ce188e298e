/*
 * svm_gpr_offsets.h - byte offsets of guest registers in the register file
 * (struct vcpu's gpr[], indexed by HAL_REG_*) and of RAX in the VMCB,
 * shared by svm_run.S (which cannot use offsetof) and C, which checks them
 * against enum hal_reg and struct vmcb in svm.h.
 */
#ifndef SKIFF_SVM_GPR_OFFSETS_H
#define SKIFF_SVM_GPR_OFFSETS_H

#define SVM_GPR_RAX 0
#define SVM_GPR_RCX 8
#define SVM_GPR_RDX 16
#define SVM_GPR_RBX 24
#define SVM_GPR_RBP 40
#define SVM_GPR_RSI 48
#define SVM_GPR_RDI 56
#define SVM_GPR_R8 64
#define SVM_GPR_R9 72
#define SVM_GPR_R10 80
#define SVM_GPR_R11 88
#define SVM_GPR_R12 96
#define SVM_GPR_R13 104
#define SVM_GPR_R14 112
#define SVM_GPR_R15 120

/* The guest's RAX in the VMCB (save.rax): VMRUN loads it, #VMEXIT stores it. */
#define SVM_VMCB_RAX 0x5f8

#endif
