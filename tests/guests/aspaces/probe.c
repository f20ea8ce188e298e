/*
 * probe.c - the aspaces guest's GDT and IDT (probe.h). Skiff's GDT lies in
 * the first 64 KiB, which the runtime's tables leave unmapped, so an
 * exception taken with it would fault again: the guest loads a GDT of its
 * own with the same selectors, and an IDT whose only gates are #PF and #GP.
 */
#include "probe.h"

#define GDT_CODE64 0x00209a0000000000ull  /* present, ring 0, code, long mode */
#define GDT_DATA 0x0000920000000000ull    /* present, ring 0, data, writable */
#define CODE_SELECTOR 0x08u
#define GATE_INTERRUPT64 0x8eu
#define VECTOR_GP 13u
#define VECTOR_PF 14u

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

void pf_entry(void);
void gp_entry(void);
void load_tables(const struct table_register *gdtr, const struct table_register *idtr);

static uint64_t gdt[3] __attribute__((aligned(16))) = { 0, GDT_CODE64, GDT_DATA };
static struct idt_gate idt[32] __attribute__((aligned(16)));

static struct idt_gate gate_to(void (*entry)(void))
{
	uint64_t addr = (uint64_t)(uintptr_t)entry;

	return (struct idt_gate){
		.offset_low = (uint16_t)addr, .selector = CODE_SELECTOR,
		.type = GATE_INTERRUPT64, .offset_mid = (uint16_t)(addr >> 16),
		.offset_high = (uint32_t)(addr >> 32),
	};
}

void probes_install(void)
{
	struct table_register gdtr = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };
	struct table_register idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	idt[VECTOR_PF] = gate_to(pf_entry);
	idt[VECTOR_GP] = gate_to(gp_entry);
	load_tables(&gdtr, &idtr);
}
