/*
 * multiboot2_header.S - the header GRUB looks for in the first 32 KiB of
 * the image (the linker script places this section first). Without an
 * address tag GRUB loads the ELF program headers as they are.
 */
#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0              /* 32-bit protected-mode entry */
#define MB2_TAG_END 0
#define MB2_TAG_MODULE_ALIGN 6       /* ask for page-aligned modules */

	.section .multiboot2, "a"
	.balign 8                    /* the header must be 8-byte aligned */
mb2_header_start:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header_start            /* header length */
	/* magic + arch + length + checksum must be 0 modulo 2^32 */
	.long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header_start))

	.balign 8                    /* every tag starts 8-byte aligned */
	.word MB2_TAG_MODULE_ALIGN   /* type */
	.word 0                      /* flags: not optional, GRUB must honour it */
	.long 8                      /* size of this tag */

	.balign 8
	.word MB2_TAG_END            /* the end tag closes the list */
	.word 0
	.long 8
mb2_header_end:

	/* No executable stack: this object needs none. */
	.section .note.GNU-stack, "", @progbits
