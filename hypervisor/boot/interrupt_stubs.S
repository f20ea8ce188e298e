/*
 * interrupt_stubs.S - entry points of the host's own interrupts.
 *
 * Skiff takes interrupts only inside short windows where it enables them
 * on purpose (after a guest exit, or while halting). The timer stub saves
 * the registers the C ABI lets a callee clobber, calls the C handler and
 * returns; the handler is built without SSE, so a guest's XMM state that is
 * still live in the registers survives untouched.
 */
	.text
	.code64

/*
 * nmi_stub: a physical NMI. Skiff uses no NMI source, and on SVM one that
 * arrives while a guest runs exits and is then taken here as soon as GIF
 * is set again (on VMX the NMI exit consumes it and the backend raises
 * vector 2 itself): count it and carry on, never panic. It runs on its own
 * stack (IST) and touches only the counter and flags, which IRETQ restores.
 */
	.globl nmi_stub
nmi_stub:
	lock incq nmi_count(%rip)    /* one more NMI taken (host_nmi_count() reads it) */
	iretq                        /* back to whatever was interrupted, NMIs unblocked */

	.data
	.balign 8
	.globl nmi_count
nmi_count:
	.quad 0                      /* NMIs taken since boot */
	.text

/*
 * c_interrupt_stub: an interrupt entry that saves the registers the C ABI
 * lets a callee clobber, calls handler and returns.
 */
	.macro c_interrupt_stub name, handler
	.globl \name
\name:
	pushq %rax                   /* caller-saved registers: the C handler may clobber them */
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	cld                          /* C expects the direction flag clear */
	call \handler                /* the handler does the work and the EOI */
	popq %r11                    /* restore in reverse order */
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	iretq                        /* back to the interrupted code, IF restored */
	.endm

	c_interrupt_stub apic_timer_stub, apic_timer_interrupt   /* count the tick, EOI */
	c_interrupt_stub apic_kick_stub, apic_kick_interrupt     /* a kick IPI: count it, EOI */
	c_interrupt_stub apic_wake_stub, apic_wake_interrupt     /* a wake IPI: count it, EOI */

	.globl apic_spurious_stub
apic_spurious_stub:
	iretq                        /* a spurious interrupt needs no EOI and no work */
	.section .note.GNU-stack,"",@progbits   /* no executable stack */
