/*
 * hal_gpr_offsets.h - byte offsets of the guest registers in struct vcpu's
 * register file (gpr[], in HAL_REG_* order), for the backends' world
 * switches in assembly, and the moves they share. hal.h checks each offset
 * against the enum at compile time.
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

#ifdef __ASSEMBLER__
/*
 * The register moves both world switches share: every general register but
 * RAX (each vendor passes it differently), RSP (in the VMCB/VMCS) and RDI
 * (the base pointer, which the caller moves last on entry and first on
 * exit). MOVs only: flags are left as they are.
 */
	.macro HAL_LOAD_GUEST_GPRS base
	mov HAL_GPR_RCX(\base), %rcx     /* the guest's registers from the register file */
	mov HAL_GPR_RDX(\base), %rdx
	mov HAL_GPR_RBX(\base), %rbx
	mov HAL_GPR_RBP(\base), %rbp
	mov HAL_GPR_RSI(\base), %rsi
	mov HAL_GPR_R8(\base), %r8
	mov HAL_GPR_R9(\base), %r9
	mov HAL_GPR_R10(\base), %r10
	mov HAL_GPR_R11(\base), %r11
	mov HAL_GPR_R12(\base), %r12
	mov HAL_GPR_R13(\base), %r13
	mov HAL_GPR_R14(\base), %r14
	mov HAL_GPR_R15(\base), %r15
	.endm

	.macro HAL_STORE_GUEST_GPRS base
	mov %rcx, HAL_GPR_RCX(\base)     /* the guest's registers into the register file */
	mov %rdx, HAL_GPR_RDX(\base)
	mov %rbx, HAL_GPR_RBX(\base)
	mov %rbp, HAL_GPR_RBP(\base)
	mov %rsi, HAL_GPR_RSI(\base)
	mov %r8, HAL_GPR_R8(\base)
	mov %r9, HAL_GPR_R9(\base)
	mov %r10, HAL_GPR_R10(\base)
	mov %r11, HAL_GPR_R11(\base)
	mov %r12, HAL_GPR_R12(\base)
	mov %r13, HAL_GPR_R13(\base)
	mov %r14, HAL_GPR_R14(\base)
	mov %r15, HAL_GPR_R15(\base)
	.endm
#endif

#endif
