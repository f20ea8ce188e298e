/*
 * idt.h - the hypervisor's own interrupt descriptor table.
 */
#ifndef SKIFF_BOOT_IDT_H
#define SKIFF_BOOT_IDT_H

#include <stdint.h>

/*
 * idt_init: route all 32 exception vectors to the decoding panic handler
 * and load the IDT. Needs: tss_init done (double fault, NMI and machine
 * check switch to their own IST stacks). Vectors 32 and up are not present
 * until idt_set_interrupt installs one: a stray interrupt shows up as a
 * decoded #NP naming its vector.
 */
void idt_init(void);

/*
 * idt_load: load the IDT idt_init built on the calling CPU (another CPU:
 * every CPU shares the one table, which only the boot CPU changes, before
 * guests run). Needs: this CPU's TSS loaded (the IST slots).
 */
void idt_load(void);

/*
 * idt_set_interrupt: route vector (32..255) to stub, an assembly entry that
 * saves what it clobbers and ends in iretq. Other vectors are ignored.
 */
void idt_set_interrupt(unsigned vector, void (*stub)(void));

/*
 * The frame exception_stubs.S builds on the stack: general registers
 * (pushed last, so lowest), vector, error code (0 when the CPU pushes
 * none), then what the CPU pushed.
 */
struct exception_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * exception_handle: called by the stubs; prints the decoded exception and
 * every register, then powers off without a final status line.
 */
__attribute__((noreturn)) void exception_handle(struct exception_frame *frame);

/* exception_stub_table: the stubs' entry points, by vector (assembly). */
extern const uint64_t exception_stub_table[32];

/* nmi_stub: vector 2's entry (interrupt_stubs.S): counts and returns. */
void nmi_stub(void);

/* nmi_count: physical NMIs taken since boot (written only by nmi_stub). */
extern volatile uint64_t nmi_count;

#endif
