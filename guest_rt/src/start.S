/*
 * start.S - the guest's entry point.
 *
 * Skiff enters here in 64-bit mode with interrupts off, RDI = gpa of the
 * boot information and RSP = mem_size - 8 (GUEST_ABI.md, "The CPU state at
 * entry"). C needs two things the ABI does not promise: a 16-byte-aligned
 * stack at each call, and a known FPU/SSE state (gcc may use SSE anywhere).
 */
	.section .text.start, "ax", @progbits
	.globl _start
	.type _start, @function
_start:
	/* The TSC at the guest's first instruction, for boot-time benchmarks
	 * (skiff_entry_tsc in skiff.h). Only RAX and RDX change; RDI, the
	 * boot-information address, is still needed below. */
	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	movq	%rax, skiff_entry_tsc(%rip)
	/* The SysV ABI wants RSP 16-byte aligned before a call; mem_size - 8
	 * is 8 off, so round down (the 8 bytes above stay unused). */
	andq	$-16, %rsp
	/* A zero frame pointer marks the outermost frame for backtraces. */
	xorl	%ebp, %ebp
	/* Reset x87 state: control word, tags and exceptions to defaults. */
	fninit
	/* Load the default MXCSR (all SSE exceptions masked, round to nearest):
	 * CR4.OSFXSR is already set by Skiff, so SSE is usable from here on. */
	ldmxcsr	default_mxcsr(%rip)
	/* RDI still holds the boot-information address: the first argument. */
	call	skiff_start
	/* skiff_start ends the guest through HALT and never returns; if it
	 * did, an invalid opcode with no IDT becomes a triple fault, which
	 * Skiff reports, rather than running off into whatever follows. */
	ud2
	.size _start, . - _start

	.section .rodata, "a", @progbits
	.balign 4
default_mxcsr:
	.long	0x1f80

	/* In .data, not .bss: written before anything could clear .bss. */
	.section .data, "aw", @progbits
	.balign 8
	.globl skiff_entry_tsc
	.type skiff_entry_tsc, @object
skiff_entry_tsc:
	.quad	0
	.size skiff_entry_tsc, 8

	/* No executable stack: keeps the linker from asking for one. */
	.section .note.GNU-stack, "", @progbits
