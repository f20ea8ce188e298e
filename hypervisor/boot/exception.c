/*
 * exception.c - the decoded panic for an exception in the hypervisor itself
 * (idt.h). Guests' exceptions never come here: they exit to the backend.
 */
#include "hypervisor/boot/idt.h"

#include <stdbool.h>

#include "hypervisor/console.h"
#include "hypervisor/cpu.h"
#include "hypervisor/panic.h"
#include "lib/format.h"

#define VECTOR_PAGE_FAULT 14

/* Page-fault error code bits (Intel SDM vol. 3 fig. 4-12). */
#define PF_PRESENT (1u << 0)
#define PF_WRITE (1u << 1)
#define PF_USER (1u << 2)
#define PF_RESERVED_BIT (1u << 3)
#define PF_FETCH (1u << 4)

/* Selector error code bits (Intel SDM vol. 3 sec. 6.13). */
#define SEL_EXTERNAL (1u << 0)
#define SEL_IDT (1u << 1)
#define SEL_LDT (1u << 2)

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI non-maskable interrupt",
	"#BP breakpoint", "#OF overflow", "#BR bound range exceeded",
	"#UD invalid opcode", "#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack-segment fault",
	"#GP general protection", "#PF page fault", "reserved vector 15",
	"#MF x87 floating-point error", "#AC alignment check",
	"#MC machine check", "#XM SIMD floating-point exception",
	"#VE virtualization exception", "#CP control protection",
	"reserved vector 22", "reserved vector 23", "reserved vector 24",
	"reserved vector 25", "reserved vector 26", "reserved vector 27",
	"#HV hypervisor injection", "#VC VMM communication",
	"#SX security exception", "reserved vector 31",
};

/* has_selector_error: vectors whose error code names a selector or vector. */
static bool has_selector_error(uint64_t vector)
{
	return vector == 10 || vector == 11 || vector == 12 || vector == 13;
}

static void log_page_fault_error(uint64_t error)
{
	log_printf("  error 0x%lx: %s %s %s %s%s", error,
		   (error & PF_PRESENT) ? "protection" : "not-present",
		   (error & PF_WRITE) ? "write" : "read",
		   (error & PF_USER) ? "user" : "supervisor",
		   (error & PF_FETCH) ? "fetch" : "data",
		   (error & PF_RESERVED_BIT) ? " reserved-bit" : "");
}

static void log_selector_error(uint64_t error)
{
	const char *table = (error & SEL_IDT) ? "IDT vector"
			    : (error & SEL_LDT) ? "LDT selector" : "GDT selector";
	/* An IDT error code names a vector: index = vector, not selector. */
	uint64_t index = (error & SEL_IDT) ? (error >> 3) & 0x1fff : error & 0xfff8;

	if (error == 0) {
		log_printf("  error 0");
		return;
	}
	log_printf("  error 0x%lx: %s 0x%lx%s", error, table, index,
		   (error & SEL_EXTERNAL) ? " (external event)" : "");
}

static void log_registers(const struct exception_frame *f)
{
	log_printf("  rip %016lx cs %04lx rflags %016lx", f->rip, f->cs, f->rflags);
	log_printf("  rsp %016lx ss %04lx", f->rsp, f->ss);
	log_printf("  cr0 %016lx cr2 %016lx", read_cr0(), read_cr2());
	log_printf("  cr3 %016lx cr4 %016lx", read_cr3(), read_cr4());
	log_printf("  rax %016lx rbx %016lx rcx %016lx", f->rax, f->rbx, f->rcx);
	log_printf("  rdx %016lx rsi %016lx rdi %016lx", f->rdx, f->rsi, f->rdi);
	log_printf("  rbp %016lx r8  %016lx r9  %016lx", f->rbp, f->r8, f->r9);
	log_printf("  r10 %016lx r11 %016lx r12 %016lx", f->r10, f->r11, f->r12);
	log_printf("  r13 %016lx r14 %016lx r15 %016lx", f->r13, f->r14, f->r15);
}

void exception_handle(struct exception_frame *frame)
{
	static bool handling;
	uint64_t vector = frame->vector & 31;

	/* A fault while reporting one: printing may be what faults; just stop. */
	if (handling)
		panic_stop();
	handling = true;

	log_printf("PANIC: exception %lu %s at rip 0x%lx", vector,
		   exception_names[vector], frame->rip);
	if (vector == VECTOR_PAGE_FAULT)
		log_page_fault_error(frame->error);
	else if (has_selector_error(vector))
		log_selector_error(frame->error);
	else if (frame->error)
		log_printf("  error 0x%lx", frame->error);
	log_registers(frame);
	panic_stop();
}
