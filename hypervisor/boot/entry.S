/*
 * entry.S - from GRUB's 32-bit protected mode to skiff_main in long mode.
 *
 * GRUB enters _start with EAX = multiboot2 magic, EBX = physical address of
 * the information block, paging off, interrupts off and no usable stack.
 * This code: zeroes .bss, checks the magic and the CPU, identity-maps
 * 0..4 GiB with 2 MiB pages, enables PAE, EFER.LME and EFER.NXE (AMD nested
 * tables use bit 63, which is reserved unless the host has NXE on), turns
 * paging on, loads skiff_gdt and jumps to 64-bit code, which calls
 * skiff_main(magic, info_phys). Everything after that is C.
 */
#include "hypervisor/boot/descriptors.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289
#define COM2_DATA 0x2f8
#define COM2_LSR 0x2fd
#define LSR_TX_EMPTY 0x20
#define CR0_PE (1 << 0)
#define CR0_NE (1 << 5)
#define CR0_NW (1 << 29)
#define CR0_CD (1 << 30)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define CPUID_EXT_LM (1 << 29)       /* CPUID 0x80000001 EDX: long mode */
#define CPUID_EXT_NX (1 << 20)       /* CPUID 0x80000001 EDX: no-execute */
#define PTE_PRESENT_WRITABLE 0x3
#define PDE_LARGE_PAGE 0x83          /* present, writable, 2 MiB page */
#define BOOT_STACK_SIZE 16384

	.section .text.boot, "ax"
	.code32
	.globl _start
_start:
	cld                              /* string instructions count upwards */
	mov %eax, %ebp                   /* keep the magic: rep stos uses EAX */
	mov %ebx, %esi                   /* keep the info address (CPUID clobbers EBX) */

	mov $__bss_start, %edi           /* zero .bss: C expects it, and the page */
	mov $__bss_end, %ecx             /* tables and the stack live there */
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb

	mov $boot_stack_top, %esp        /* a stack for the calls below */

	cmp $MB2_BOOTLOADER_MAGIC, %ebp  /* loaded by a multiboot2 loader? */
	jne not_multiboot2

	mov $0x80000000, %eax            /* highest extended CPUID leaf */
	cpuid
	cmp $0x80000001, %eax            /* leaf 0x80000001 must exist */
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	test $CPUID_EXT_LM, %edx         /* 64-bit mode available? */
	jz no_long_mode
	test $CPUID_EXT_NX, %edx         /* EFER.NXE may be set only with NX */
	jz no_nx

	call build_page_tables

	mov $boot_pml4, %eax             /* CR3: the top-level table */
	mov %eax, %cr3
	mov %cr4, %eax
	or $CR4_PAE, %eax                /* long mode requires PAE paging */
	mov %eax, %cr4
	mov $MSR_EFER, %ecx
	rdmsr
	or $(EFER_LME | EFER_NXE), %eax  /* long mode enable, no-execute enable */
	wrmsr
	mov %cr0, %eax
	and $~(CR0_CD | CR0_NW), %eax    /* caches on, whatever the firmware left */
	or $(CR0_PG | CR0_PE | CR0_NE), %eax  /* paging on: the CPU activates long
	                                  * mode; NE: native x87 errors, which VMX
	                                  * requires in CR0 */
	mov %eax, %cr0

	lgdt boot_gdtr                   /* our GDT: 64-bit code at 0x08 */
	ljmp $SKIFF_CODE_SELECTOR, $long_mode_start   /* reload CS: 64-bit from here */

/*
 * build_page_tables: PML4[0] -> PDPT; PDPT[0..3] -> four page directories;
 * their 2048 entries map 2 MiB each, so 0..4 GiB is identity-mapped,
 * writable and executable. The tables are in zeroed .bss, so the upper
 * halves of the entries (physical bits 32+, NX) are already 0.
 */
build_page_tables:
	mov $boot_pdpt, %eax
	or $PTE_PRESENT_WRITABLE, %eax
	mov %eax, boot_pml4              /* PML4[0] covers 0..512 GiB */

	mov $boot_pd, %eax
	or $PTE_PRESENT_WRITABLE, %eax
	mov $boot_pdpt, %edi
	mov $4, %ecx                     /* four directories of 1 GiB each */
1:	mov %eax, (%edi)
	add $4096, %eax                  /* the next directory page */
	add $8, %edi                     /* the next PDPT entry */
	loop 1b

	mov $PDE_LARGE_PAGE, %eax        /* first 2 MiB page at physical 0 */
	mov $boot_pd, %edi
	mov $2048, %ecx                  /* 4 GiB / 2 MiB */
2:	mov %eax, (%edi)
	add $0x200000, %eax              /* the next 2 MiB */
	add $8, %edi
	loop 2b
	ret

/* Failures before long mode: one line on COM2, then halt. */
not_multiboot2:
	mov $msg_not_multiboot2, %esi
	jmp fail32
no_long_mode:
	mov $msg_no_long_mode, %esi
	jmp fail32
no_nx:
	mov $msg_no_nx, %esi
fail32:
	call com2_puts32
1:	cli                              /* nothing can go on: stop for good */
	hlt
	jmp 1b

/*
 * com2_puts32: write the NUL-terminated string at ESI to COM2, polling the
 * line status before each byte (the UART is used as the firmware left it;
 * emulators accept any setting).
 */
com2_puts32:
1:	movb (%esi), %bl                 /* next character */
	test %bl, %bl
	jz 3f                            /* NUL: done */
	mov $COM2_LSR, %dx
2:	inb %dx, %al                     /* wait until the transmitter is empty */
	test $LSR_TX_EMPTY, %al
	jz 2b
	mov $COM2_DATA, %dx
	mov %bl, %al
	outb %al, %dx                    /* send it */
	inc %esi
	jmp 1b
3:	ret

	.code64
long_mode_start:
	mov $SKIFF_DATA_SELECTOR, %ax    /* flat data segments from our GDT */
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax                   /* FS and GS unused: null selectors */
	mov %ax, %fs
	mov %ax, %gs
	mov $boot_stack_top, %rsp        /* 16-byte aligned, as the ABI wants */
	mov %ebp, %edi                   /* arg 1: magic (zero-extended) */
	mov %esi, %esi                   /* arg 2: info address, upper half cleared */
	call skiff_main                  /* does not return */
1:	cli
	hlt
	jmp 1b

	.section .rodata
	.balign 8
boot_gdtr:
	.word SKIFF_GDT_ENTRIES * 8 - 1  /* limit */
	.long skiff_gdt                  /* base (below 4 GiB) */
msg_not_multiboot2:
	.asciz "skiff: not started by a multiboot2 loader: halting\n"
msg_no_long_mode:
	.asciz "skiff: this CPU has no 64-bit long mode: halting\n"
msg_no_nx:
	.asciz "skiff: this CPU has no no-execute (NX) support: halting\n"

	.section .bss
	.balign 4096
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096                   /* four page directories, contiguous */
	.balign 16
boot_stack:
	.skip BOOT_STACK_SIZE
	.globl boot_stack_top
boot_stack_top:

	/* No executable stack: this object needs none. */
	.section .note.GNU-stack, "", @progbits
