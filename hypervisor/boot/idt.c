/*
 * idt.c - building and loading the hypervisor's IDT (idt.h).
 */
#include "hypervisor/boot/idt.h"

#include "hypervisor/boot/descriptors.h"

#define EXCEPTION_VECTORS 32
#define IDT_VECTORS 256
#define VECTOR_NMI 2
#define VECTOR_DOUBLE_FAULT 8
#define VECTOR_MACHINE_CHECK 18
#define GATE_INTERRUPT_PRESENT 0x8e  /* present, DPL 0, 64-bit interrupt gate */

/* One 16-byte gate (Intel SDM vol. 3 fig. 6-8). */
struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;               /* bits 0-2: IST slot, 0 for none */
	uint8_t type_attributes;
	uint16_t offset_middle;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "a long-mode gate is 16 bytes");

struct idt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* All 256 gates exist; those without a handler are not present, so a stray
 * interrupt raises a decoded #NP naming its vector instead of vanishing. */
static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));

/* ist_for_vector: exceptions that may come with a broken stack get their own. */
static uint8_t ist_for_vector(unsigned vector)
{
	switch (vector) {
	case VECTOR_DOUBLE_FAULT: return IST_DOUBLE_FAULT;
	case VECTOR_NMI: return IST_NMI;
	case VECTOR_MACHINE_CHECK: return IST_MACHINE_CHECK;
	default: return 0;
	}
}

static void set_gate(unsigned vector, uint64_t handler)
{
	idt[vector] = (struct idt_gate){
		.offset_low = (uint16_t)handler,
		.selector = SKIFF_CODE_SELECTOR,
		.ist = ist_for_vector(vector),
		/* An interrupt gate clears IF: the handler is never interrupted. */
		.type_attributes = GATE_INTERRUPT_PRESENT,
		.offset_middle = (uint16_t)(handler >> 16),
		.offset_high = (uint32_t)(handler >> 32),
	};
}

void idt_set_interrupt(unsigned vector, void (*stub)(void))
{
	if (vector >= EXCEPTION_VECTORS && vector < IDT_VECTORS)
		set_gate(vector, (uint64_t)(uintptr_t)stub);
}

void idt_load(void)
{
	struct idt_pointer pointer = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(pointer) : "memory");
}

void idt_init(void)
{
	for (unsigned v = 0; v < EXCEPTION_VECTORS; v++)
		set_gate(v, exception_stub_table[v]);
	/* An NMI is an event, not a fault: counted, never a panic. */
	set_gate(VECTOR_NMI, (uint64_t)(uintptr_t)nmi_stub);
	idt_load();
}
