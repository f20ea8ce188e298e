/*
 * vmx_run.S - the world switch between Skiff and a VMX guest.
 *
 * C cannot do this: the guest's general registers must be loaded right
 * before VMLAUNCH/VMRESUME and saved right after the VM exit, when the
 * CPU resumes at the VMCS's host RIP (vmx_exit_entry) with the host RSP
 * from the VMCS, and nothing else of the host's state but what the VMCS
 * holds. The registers come from and go to the vCPU's register file
 * (struct vcpu's gpr[], hal/hal.h); offsets come from vmx_vcpu.h.
 *
 * Stack while the guest runs (host RSP in the VMCS points at its top):
 *     rbp, rbx, r12, r13, r14, r15 of the caller, then the register file's address.
 */
#include "hal/hal_gpr_offsets.h"
#include "vmx_vcpu.h"

	.text
	.globl	vmx_enter
	.type	vmx_enter, @function
/* int vmx_enter(uint64_t *gpr = %rdi, struct vmx_vcpu *vcpu = %rsi, bool launched = %dl) */
vmx_enter:
	push	%rbp				/* save the host's callee-saved registers, */
	push	%rbx				/* which the guest's values will overwrite */
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdi				/* keep the register file's address at the stack top for the exit */
	cmp	%rsp, VCPU_HOST_RSP(%rsi)	/* does the VMCS already hold this host RSP? */
	je	1f				/* yes: skip the VMWRITE (the usual case) */
	mov	%rsp, VCPU_HOST_RSP(%rsi)	/* remember the value written */
	mov	$VMX_HOST_RSP_FIELD, %eax	/* field encoding of the host RSP */
	vmwrite	%rsp, %rax			/* exits arrive on this stack, at this depth */
1:	test	%dl, %dl			/* ZF = 1 when never launched; MOVs below keep flags */
	mov	HAL_GPR_RAX(%rdi), %rax		/* load the guest's general registers */
	HAL_LOAD_GUEST_GPRS %rdi		/* and the rest (RSP comes from the VMCS) */
	mov	HAL_GPR_RDI(%rdi), %rdi		/* last: RDI was the base pointer */
	jnz	2f				/* launched before: VMRESUME */
	vmlaunch				/* first entry; returns only on failure */
	jmp	3f				/* failed: flags tell how */
2:	vmresume				/* later entries; returns only on failure */
3:	mov	$1, %eax			/* 1 = VMfailInvalid (CF); MOV keeps flags */
	jc	4f				/* CF set: return 1 */
	mov	$2, %eax			/* else ZF set: VMfailValid, return 2 */
4:	pop	%rdi				/* drop the register file's address */
	pop	%r15				/* restore the host's callee-saved registers */
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret					/* to run() with 1 or 2 */
	.size	vmx_enter, . - vmx_enter

	.globl	vmx_exit_entry
	.type	vmx_exit_entry, @function
/* The VMCS host RIP: every VM exit lands here, RSP = the saved host RSP. */
vmx_exit_entry:
	push	%rdi				/* free RDI; the guest's RDI goes to the stack */
	mov	8(%rsp), %rdi			/* the register file's address pushed by vmx_enter */
	mov	%rax, HAL_GPR_RAX(%rdi)		/* store the guest's general registers */
	HAL_STORE_GUEST_GPRS %rdi		/* and the rest */
	popq	HAL_GPR_RDI(%rdi)		/* the guest's RDI, from the stack */
	pop	%rdi				/* drop the register file's address */
	pop	%r15				/* restore the host's callee-saved registers */
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	xor	%eax, %eax			/* 0 = the guest ran and exited */
	ret					/* to run(), as if vmx_enter returned */
	.size	vmx_exit_entry, . - vmx_exit_entry

	.section .note.GNU-stack, "", @progbits	/* no executable stack */
