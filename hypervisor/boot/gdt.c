/*
 * gdt.c - Skiff's GDT and 64-bit TSS (layout in descriptors.h).
 *
 * The code and data descriptors are constants the 32-bit entry code loads
 * before long mode. The TSS descriptor holds a 64-bit base, which is only
 * known at link time and is split across bit fields, so it is written here
 * at run time rather than assembled.
 */
#include "hypervisor/boot/descriptors.h"

#include <stddef.h>

#include "lib/kstring.h"

#define IST_STACK_SIZE 8192

/* The 64-bit TSS (Intel SDM vol. 3 fig. 8-11): only RSP0-2 and IST matter. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];            /* IST1..IST7 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;        /* beyond the limit: no I/O permission map */
} __attribute__((packed));

_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

/*
 * Code: present, DPL 0, executable, readable, L=1 (64-bit), G=1.
 * Data: present, DPL 0, writable, G=1, D/B=1 (ignored in long mode, but
 * SS must be a valid writable segment). Slots 3-4 are the TSS, filled by
 * tss_init.
 */
uint64_t skiff_gdt[SKIFF_GDT_ENTRIES] __attribute__((aligned(16))) = {
	0,
	0x00af9a000000ffffull,
	0x00cf92000000ffffull,
	0,
	0,
};

static struct tss64 skiff_tss __attribute__((aligned(16)));

/* One stack per IST slot, so a fault on one cannot destroy another's. */
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

/*
 * tss_descriptor: the two GDT slots of an available 64-bit TSS (type 9)
 * at base with limit (Intel SDM vol. 3 fig. 8-4).
 */
static void tss_descriptor(uint64_t base, uint32_t limit, uint64_t out[2])
{
	out[0] = (limit & 0xffffull)
		| ((base & 0xffffffull) << 16)
		| (0x89ull << 40)                     /* present, type 9 */
		| ((uint64_t)((limit >> 16) & 0xf) << 48)
		| (((base >> 24) & 0xffull) << 56);
	out[1] = base >> 32;
}

_Static_assert(sizeof(struct tss64) == 8 * CPU_TSS_WORDS, "cpu_tables holds one TSS");
_Static_assert(CPU_IST_STACK_SIZE == IST_STACK_SIZE, "every CPU gets the same IST stacks");

/* tss_fill: an empty TSS whose IST slots point at the tops of stacks. */
static void tss_fill(struct tss64 *tss, uint8_t stacks[3][IST_STACK_SIZE])
{
	memset(tss, 0, sizeof *tss);
	/* Stacks grow down: each IST entry points at its stack's top. */
	tss->ist[IST_DOUBLE_FAULT - 1] = (uint64_t)(uintptr_t)(stacks[0] + IST_STACK_SIZE);
	tss->ist[IST_NMI - 1] = (uint64_t)(uintptr_t)(stacks[1] + IST_STACK_SIZE);
	tss->ist[IST_MACHINE_CHECK - 1] = (uint64_t)(uintptr_t)(stacks[2] + IST_STACK_SIZE);
	tss->iomap_base = sizeof *tss;
}

/* load_tr: LTR marks the descriptor busy; it must be "available" before. */
static void load_tr(void)
{
	__asm__ volatile("ltr %w0" : : "r"((uint16_t)SKIFF_TSS_SELECTOR) : "memory");
}

void tss_init(void)
{
	tss_fill(&skiff_tss, ist_stacks);
	tss_descriptor(tss_base(), tss_limit(), &skiff_gdt[SKIFF_TSS_SELECTOR / 8]);
	load_tr();
}

void cpu_tables_load(struct cpu_tables *t)
{
	struct tss64 *tss = (struct tss64 *)(void *)t->tss;
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr = {
		sizeof t->gdt - 1, (uint64_t)(uintptr_t)t->gdt };

	/* Code and data as in skiff_gdt, so every selector keeps its meaning. */
	memcpy(t->gdt, skiff_gdt, SKIFF_TSS_SELECTOR);
	tss_fill(tss, t->ist_stacks);
	tss_descriptor((uint64_t)(uintptr_t)tss, tss_limit(), &t->gdt[SKIFF_TSS_SELECTOR / 8]);
	__asm__ volatile("lgdt %0" : : "m"(gdtr) : "memory");
	load_tr();
}

uint64_t gdt_base(void)
{
	return (uint64_t)(uintptr_t)skiff_gdt;
}

uint64_t tss_base(void)
{
	return (uint64_t)(uintptr_t)&skiff_tss;
}

uint32_t tss_limit(void)
{
	return sizeof(struct tss64) - 1;
}
