/*
 * descriptors.h - Skiff's own GDT and TSS (the hypervisor's, not a guest's).
 *
 * The layout is fixed so the 32-bit entry code (assembly) and C agree:
 *   0x00 null, 0x08 64-bit code, 0x10 data, 0x18 64-bit TSS (16 bytes).
 * The TSS carries separate interrupt stacks (IST) for the exceptions that
 * can arrive on a broken stack: double fault, NMI and machine check.
 * Backends read these values to fill the host state of a VMCS (the host TR
 * selector must be non-zero) or to know what VMLOAD/VMSAVE must restore.
 */
#ifndef SKIFF_BOOT_DESCRIPTORS_H
#define SKIFF_BOOT_DESCRIPTORS_H

#define SKIFF_CODE_SELECTOR 0x08
#define SKIFF_DATA_SELECTOR 0x10
#define SKIFF_TSS_SELECTOR 0x18
#define SKIFF_GDT_ENTRIES 5      /* 8-byte slots; the TSS takes two */

/* IST slots (1..7) of the TSS; 0 in a gate means "no stack switch". */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3

#ifndef __ASSEMBLER__
#include <stdint.h>

/* skiff_gdt: the table itself; the 32-bit entry code loads it first. */
extern uint64_t skiff_gdt[SKIFF_GDT_ENTRIES];

/*
 * tss_init: fill the TSS (IST stacks), write its descriptor into skiff_gdt
 * and load TR. Needs: running in long mode on skiff_gdt. Call once, before
 * idt_init (the IDT gates refer to the IST slots).
 */
void tss_init(void);

/* gdt_base / tss_base: linear addresses, for a backend's host state. */
uint64_t gdt_base(void);
uint64_t tss_base(void);

/* tss_limit: the TSS limit (its size minus one). */
uint32_t tss_limit(void);

#define CPU_IST_STACK_SIZE 8192
#define CPU_TSS_WORDS 13         /* the 104-byte 64-bit TSS, as 8-byte words */

/*
 * One more CPU's own descriptor tables (the boot CPU uses skiff_gdt and
 * the static TSS): a GDT laid out as skiff_gdt, whose TSS slot names this
 * CPU's TSS, and the TSS's interrupt stacks. Another CPU must not share
 * them: LTR marks the TSS busy, and the IST stacks are in use while a
 * double fault, NMI or machine check is handled.
 */
struct cpu_tables {
	uint64_t gdt[SKIFF_GDT_ENTRIES];
	uint64_t tss[CPU_TSS_WORDS];
	uint8_t ist_stacks[3][CPU_IST_STACK_SIZE] __attribute__((aligned(16)));
};

/*
 * cpu_tables_load: fill *t (any content before), load its GDT and TR on the
 * calling CPU. Needs: long mode on skiff_gdt's selectors (they keep their
 * values, so CS and the data segments need no reload). t stays in use for
 * as long as the CPU runs.
 */
void cpu_tables_load(struct cpu_tables *t);
#endif

#endif
