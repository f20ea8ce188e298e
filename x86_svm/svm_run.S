/*
 * svm_run.S - the AMD SVM world switch.
 *
 * void svm_world_switch(uint64_t gpr[HAL_GPR_COUNT],  RDI
 *                       struct vmcb *vmcb,             RSI
 *                       uint64_t vmcb_pa,              RDX
 *                       uint64_t host_vmcb_pa);        RCX
 *
 * Assembly because C cannot hand every general register to the guest.
 * gpr is the vCPU's register file (struct vcpu, hal/hal.h): the guest's
 * registers by HAL_REG_* number, loaded here before VMRUN and stored back
 * after the #VMEXIT. VMRUN itself switches only RIP, RSP, RAX, RFLAGS, the
 * control registers, EFER and CS/SS/DS/ES, so the guest's RAX is copied
 * from gpr into the VMCB before and back after; its RSP stays in the VMCB.
 * VMRUN and #VMEXIT leave FS, GS, TR, LDTR, KernelGSBase and the
 * SYSCALL/SYSENTER MSRs alone, so VMSAVE and VMLOAD move those: the host's
 * into the host-state VMCB before the guest runs and back after, the
 * guest's into its own VMCB. Without the final VMLOAD the host would run
 * on the guest's TR and FS/GS bases.
 *
 * The host runs with IF=0; CLGI additionally holds off NMIs and SMIs while
 * the host's state is half switched.
 */
#include "svm_gpr_offsets.h"

	.text
	.globl svm_world_switch
	.type svm_world_switch, @function
svm_world_switch:
	push %rbp                       /* save host callee-saved registers: */
	push %rbx                       /*   the guest's values will occupy */
	push %r12                       /*   every one of them */
	push %r13
	push %r14
	push %r15
	push %rdi                       /* keep the register file's address for after #VMEXIT */
	push %rsi                       /* and the VMCB's, to fetch the guest's RAX from it */
	push %rcx                       /* and the host-state VMCB's */
	clgi                            /* GIF=0: no interrupt, NMI or SMI until STGI */
	mov %rcx, %rax                  /* VMSAVE takes its VMCB address in RAX */
	vmsave                          /* host FS/GS/TR/LDTR and syscall MSRs -> host-state VMCB */
	mov HAL_GPR_RAX(%rdi), %rax     /* the guest's RAX from the register file ... */
	mov %rax, SVM_VMCB_RAX(%rsi)    /*   ... into the VMCB, where VMRUN loads it from */
	mov %rdx, %rax                  /* RAX = guest VMCB; #VMEXIT restores the host RAX, so it stays */
	HAL_LOAD_GUEST_GPRS %rdi        /* the guest's registers (RSP comes from the VMCB) */
	mov HAL_GPR_RDI(%rdi), %rdi     /* last: RDI held the register file's address */
	vmload                          /* guest FS/GS/TR/LDTR and syscall MSRs from its VMCB */
	sti                             /* IF=1 (GIF=0 still holds interrupts off): with V_INTR_MASKING the */
	                                /*   host IF saved by VMRUN decides whether a physical interrupt exits */
	vmrun                           /* run the guest until the next #VMEXIT */
	cli                             /* IF=0 before GIF returns: the host takes interrupts only on purpose */
	vmsave                          /* guest FS/GS/TR/LDTR and syscall MSRs -> its VMCB (RAX unchanged) */
	push %rdi                       /* free RDI: the guest's value goes on the stack for now */
	mov 24(%rsp), %rdi              /* the register file (above guest RDI, host VMCB and VMCB addresses) */
	HAL_STORE_GUEST_GPRS %rdi       /* store the guest's registers */
	pop HAL_GPR_RDI(%rdi)           /* the guest's RDI into its slot */
	pop %rax                        /* the host-state VMCB address */
	vmload                          /* host TR, FS/GS bases and syscall MSRs back */
	stgi                            /* GIF=1 again (IF stays 0) */
	pop %rsi                        /* the VMCB's address */
	mov SVM_VMCB_RAX(%rsi), %rax    /* the guest's RAX, which #VMEXIT stored in the VMCB, */
	mov %rax, HAL_GPR_RAX(%rdi)     /*   into the register file */
	pop %rdi                        /* drop the register file's address */
	pop %r15                        /* restore host callee-saved registers */
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
	.size svm_world_switch, . - svm_world_switch

	.section .note.GNU-stack, "", @progbits  /* no executable stack needed */
