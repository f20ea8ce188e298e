/*
 * hal_gpr_offsets.h - byte offsets of the guest registers in struct vcpu's
 * register file (gpr[], in HAL_REG_* order), for the backends' world
 * switches in assembly. hal.h checks each against the enum at compile time.
 * RSP has no slot in use: it lives in the VMCB or VMCS.
 */
#ifndef SKIFF_HAL_GPR_OFFSETS_H
#define SKIFF_HAL_GPR_OFFSETS_H

#define HAL_GPR_RAX 0
#define HAL_GPR_RCX 8
#define HAL_GPR_RDX 16
#define HAL_GPR_RBX 24
#define HAL_GPR_RBP 40
#define HAL_GPR_RSI 48
#define HAL_GPR_RDI 56
#define HAL_GPR_R8 64
#define HAL_GPR_R9 72
#define HAL_GPR_R10 80
#define HAL_GPR_R11 88
#define HAL_GPR_R12 96
#define HAL_GPR_R13 104
#define HAL_GPR_R14 112
#define HAL_GPR_R15 120

#endif
