/*
 * exception_stubs.S - entry points of the 32 exception vectors.
 *
 * Each stub makes the stack look the same whatever the vector (a zero in
 * place of the error code the CPU pushes only for some vectors), adds the
 * vector number and jumps to one common path that saves every general
 * register and calls exception_handle(frame) in C. The layout must match
 * struct exception_frame in idt.h. The #DB stub alone returns at once
 * (see there).
 */

/* Vectors for which the CPU pushes an error code: 8, 10-14, 17, 21, 29, 30. */
#define ERROR_CODE_VECTORS 0x60227d00

	.text

	.macro EXCEPTION_STUB vector
	.balign 16
exception_stub_\vector:
	.if \vector == 1
	/*
	 * #DB: Skiff arms no debug register and never sets its own trap
	 * flag (guests cannot reach DR0-DR7), so a #DB here can only be a
	 * guest's single-step trap that an emulator carried across the exit
	 * (Bochs's SVM does, after an intercepted instruction run with TF
	 * set: a debugger's step, or a guest's own TF). It is a trap: the
	 * interrupted instruction is done, so going back is all there is.
	 */
	iretq                        /* return to the next host instruction */
	.else
	.if ((ERROR_CODE_VECTORS >> \vector) & 1) == 0
	pushq $0                     /* no error code from the CPU: a placeholder */
	.endif
	pushq $\vector               /* which vector, for the handler */
	jmp exception_common
	.endif
	.endm

	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	EXCEPTION_STUB \v
	.endr

exception_common:
	pushq %rax                   /* save every general register, */
	pushq %rbx                   /* rax at the highest address, */
	pushq %rcx                   /* r15 at the lowest */
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	mov %rsp, %rdi               /* arg 1: the frame */
	cld                          /* C expects the direction flag clear */
	/*
	 * The CPU aligned RSP to 16 before its 5 pushes; 2 + 15 more make 22
	 * words in all, so RSP is 16-byte aligned here as a call requires.
	 */
	call exception_handle        /* does not return */
1:	cli
	hlt
	jmp 1b

	.section .rodata
	.balign 8
	.globl exception_stub_table
exception_stub_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad exception_stub_\v
	.endr

	/* No executable stack: this object needs none. */
	.section .note.GNU-stack, "", @progbits
