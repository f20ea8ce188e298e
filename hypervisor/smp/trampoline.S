/*
 * trampoline.S - where an application processor (AP) starts: real mode at
 * CS = page >> 4, IP = 0 after a STARTUP IPI, through 32-bit protected mode
 * into long mode on Skiff's page tables (the order the SDM gives for
 * entering IA-32e mode: paging is turned on from protected mode), then
 * smp_ap_main(cpu) in C on the AP's own stack.
 *
 * smp_trampoline_start..smp_trampoline_end is copied by smp.c to a free
 * page below 1 MiB (a STARTUP IPI can only name such a page). The real-mode
 * part addresses its own bytes by offset, through DS = CS; smp.c writes the
 * copy's GDT base (the page plus the GDT's offset) into it. The 32- and
 * 64-bit stages run in Skiff's image (absolute addresses). Before each
 * start smp.c writes the boot CPU's CR3, the AP's stack top and its struct
 * percpu into smp_trampoline_cr3_value, smp_ap_stack_top and smp_ap_cpu,
 * which the AP reads before it reports; APs start one at a time, so one set
 * is enough.
 *
 * The trampoline's GDT keeps skiff_gdt's selectors for 64-bit code and
 * data and adds 32-bit code at 0x18 (where skiff_gdt has the TSS), so the
 * AP's CS is already right when C loads the AP's own GDT.
 */
#include "hypervisor/boot/descriptors.h"

#define CR0_PE (1 << 0)
#define CR0_NE (1 << 5)
#define CR0_NW (1 << 29)
#define CR0_CD (1 << 30)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define TRAMPOLINE_CODE32_SELECTOR 0x18

	.section .rodata
	.code16
	.balign 16
	.globl smp_trampoline_start
smp_trampoline_start:
	cli                              /* no interrupts: there is no IDT to take them */
	cld                              /* string instructions count upwards */
	mov %cs, %ax                     /* CS = this page >> 4, set by the STARTUP IPI */
	mov %ax, %ds                     /* DS = CS: our data by offset from the page */
	lgdtl smp_trampoline_gdtr - smp_trampoline_start  /* the copy's GDT (32-bit base) */
	mov %cr0, %eax
	and $~(CR0_CD | CR0_NW), %eax    /* caches on: INIT leaves them off */
	or $(CR0_PE | CR0_NE), %eax      /* protected mode; NE as VMX requires */
	mov %eax, %cr0
	ljmpl $TRAMPOLINE_CODE32_SELECTOR, $smp_ap_protected  /* 32-bit CS, absolute target */

	.balign 8
smp_trampoline_gdt:
	.quad 0                          /* null */
	.quad 0x00af9a000000ffff         /* 0x08: 64-bit code, as in skiff_gdt */
	.quad 0x00cf92000000ffff         /* 0x10: flat data, as in skiff_gdt */
	.quad 0x00cf9a000000ffff         /* 0x18: flat 32-bit code (D=1, G=1) */
smp_trampoline_gdt_end:
	.globl smp_trampoline_gdtr
smp_trampoline_gdtr:
	.word smp_trampoline_gdt_end - smp_trampoline_gdt - 1  /* limit */
	.long 0                          /* base: written by smp.c into the copy */
	.globl smp_trampoline_gdt_offset
	.set smp_trampoline_gdt_offset, smp_trampoline_gdt - smp_trampoline_start
	.globl smp_trampoline_end
smp_trampoline_end:

	.text
	.code32
smp_ap_protected:
	mov $SKIFF_DATA_SELECTOR, %ax    /* flat data: DS still holds the page >> 4 */
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov smp_trampoline_cr3_value, %eax  /* the boot CPU's tables (below 4 GiB) */
	mov %eax, %cr3
	mov %cr4, %eax
	or $CR4_PAE, %eax                /* long mode requires PAE paging */
	mov %eax, %cr4
	mov $MSR_EFER, %ecx
	rdmsr
	or $(EFER_LME | EFER_NXE), %eax  /* long mode; NX as on the boot CPU (nested tables use bit 63) */
	wrmsr
	mov %cr0, %eax
	or $CR0_PG, %eax                 /* paging on: the CPU activates long mode */
	mov %eax, %cr0
	ljmp $SKIFF_CODE_SELECTOR, $smp_ap_long_mode  /* 64-bit CS from here */

	.code64
smp_ap_long_mode:
	mov $SKIFF_DATA_SELECTOR, %ax    /* flat data segments from skiff_gdt */
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax                   /* FS and GS: null selectors (GS base set in C) */
	mov %ax, %fs
	mov %ax, %gs
	mov smp_ap_stack_top(%rip), %rsp /* this AP's own stack, 16-byte aligned */
	mov smp_ap_cpu(%rip), %rdi       /* arg 1: its struct percpu */
	call smp_ap_main                 /* does not return */
1:	cli
	hlt
	jmp 1b

	.section .bss
	.balign 8
	.globl smp_ap_stack_top
smp_ap_stack_top:
	.skip 8
	.globl smp_ap_cpu
smp_ap_cpu:
	.skip 8
	.globl smp_trampoline_cr3_value
smp_trampoline_cr3_value:
	.skip 4                          /* the same CR3, where 32-bit code finds it */

	/* No executable stack: this object needs none. */
	.section .note.GNU-stack, "", @progbits
