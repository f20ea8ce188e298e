/*
 * svm_gpr_offsets.h - byte offsets of guest registers in struct svm_gprs,
 * shared by svm_run.S (which cannot use offsetof) and C, which checks them
 * against enum hal_reg in svm.h.
 */
#ifndef SKIFF_SVM_GPR_OFFSETS_H
#define SKIFF_SVM_GPR_OFFSETS_H

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

#endif
