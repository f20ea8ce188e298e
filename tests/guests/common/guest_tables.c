/*
 * guest_tables.c - a test guest's own GDT and IDT (guest_tables.h).
 */
#include "guest_tables.h"

#define GDT_CODE64 0x00209a0000000000ull  /* present, ring 0, code, long mode */
#define GDT_DATA 0x0000920000000000ull    /* present, ring 0, data, writable */
#define CODE_SELECTOR 0x08u
#define GATE_INTERRUPT64 0x8eu            /* present, ring 0, 64-bit interrupt gate */

struct __attribute__((packed)) table_register {
	uint16_t limit;
	uint64_t base;
};

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};

_Static_assert(sizeof(struct idt_gate) == 16, "a 64-bit IDT gate is 16 bytes");

/* guest_tables_switch (guest_tables.S): lgdt, lidt, reload the segments. */
void guest_tables_switch(const struct table_register *gdtr, const struct table_register *idtr);

static uint64_t gdt[3] __attribute__((aligned(16))) = { 0, GDT_CODE64, GDT_DATA };
static struct idt_gate idt[GUEST_IDT_VECTORS] __attribute__((aligned(16)));

void guest_tables_set_gate(unsigned vector, void (*entry)(void))
{
	uint64_t addr = (uint64_t)(uintptr_t)entry;

	if (vector >= GUEST_IDT_VECTORS)
		return;
	idt[vector] = (struct idt_gate){
		.offset_low = (uint16_t)addr,
		.selector = CODE_SELECTOR,
		.type = GATE_INTERRUPT64,
		.offset_mid = (uint16_t)(addr >> 16),
		.offset_high = (uint32_t)(addr >> 32),
	};
}

void guest_tables_load(void)
{
	struct table_register gdtr = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };
	struct table_register idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	guest_tables_switch(&gdtr, &idtr);
}
