/*
 * guest_layout.c - what the ABI puts in guest memory below 1 MiB before
 * the guest runs (GDT, page tables), and the CPU state at entry.
 *
 *   0x01000  GDT: null, code 0x08, data 0x10 (limit 23); TSS descriptor
 *            at 0x18, past the limit (see GUEST_TSS_SELECTOR)
 *   0x02000  PML4: entry 0 -> PDPT
 *   0x03000  PDPT: entries 0..3 -> the four page directories
 *   0x04000  page directories, 2 MiB pages up to the memory size, except
 *   ..7fff   entry 0 -> the low page table
 *   0x08000  low page table: 0..0xffff absent (null pointers trap),
 *            0x10000..0xfffff read-only, 0x100000..0x1fffff read-write
 *   0x10000  boot information, manifest copy, command line (guest_image.c)
 */
#include "hypervisor/loader/guest_elf.h"

#define PTE_PRESENT 0x1u
#define PTE_WRITABLE 0x2u
#define PTE_LARGE 0x80u
#define PAGE_SIZE 0x1000u
#define LARGE_PAGE_SIZE (UINT64_C(2) << 20)
#define PDPT_ENTRIES 4u
#define TABLE_ENTRIES 512u

/*
 * Descriptors (Intel SDM vol. 3, 3.4.5 and 7.2.3). The accessed bit is
 * preset in code and data: the guest's page tables leave the GDT's page
 * unmapped, so the CPU could not set it itself without a page fault.
 */
#define GDT_CODE64 UINT64_C(0x00af9b000000ffff) /* L, G, P, exec/read, accessed */
#define GDT_DATA UINT64_C(0x00cf93000000ffff)   /* D/B, G, P, read/write, accessed */
#define GDT_TSS_BUSY_LOW UINT64_C(0x00008b0000000000) /* P, type 11, base 0, limit 0 */

void guest_layout_gdt(uint8_t *mem)
{
	uint8_t *gdt = mem + GUEST_GDT_BASE;

	guest_write_le64(gdt, 0);
	guest_write_le64(gdt + GUEST_CODE_SELECTOR, GDT_CODE64);
	guest_write_le64(gdt + GUEST_DATA_SELECTOR, GDT_DATA);
	/* A 64-bit system descriptor takes 16 bytes; base 63:32 is 0. */
	guest_write_le64(gdt + GUEST_TSS_SELECTOR, GDT_TSS_BUSY_LOW);
	guest_write_le64(gdt + GUEST_TSS_SELECTOR + 8, 0);
}

/* low_page_entry: the entry of the first 2 MiB's page table for address a. */
static uint64_t low_page_entry(uint64_t a)
{
	if (a < GUEST_BOOT_INFO)
		return 0;
	if (a < GUEST_LOAD_MIN)
		return a | PTE_PRESENT;
	return a | PTE_PRESENT | PTE_WRITABLE;
}

void guest_layout_page_tables(uint8_t *mem, uint64_t mem_size)
{
	const uint64_t table = PTE_PRESENT | PTE_WRITABLE;

	guest_write_le64(mem + GUEST_PML4, GUEST_PDPT | table);
	for (unsigned i = 0; i < PDPT_ENTRIES; i++)
		guest_write_le64(mem + GUEST_PDPT + 8 * i,
				 (GUEST_PD_BASE + (uint64_t)i * PAGE_SIZE) | table);
	/* The four page directories are contiguous: one array of 2048 entries. */
	guest_write_le64(mem + GUEST_PD_BASE, GUEST_PT_LOW | table);
	for (uint64_t a = LARGE_PAGE_SIZE; a < mem_size; a += LARGE_PAGE_SIZE)
		guest_write_le64(mem + GUEST_PD_BASE + 8 * (a / LARGE_PAGE_SIZE),
				 a | table | PTE_LARGE);
	for (unsigned i = 0; i < TABLE_ENTRIES; i++)
		guest_write_le64(mem + GUEST_PT_LOW + 8 * i,
				 low_page_entry((uint64_t)i * PAGE_SIZE));
}

void guest_entry_state(const struct guest_image *img, uint64_t mem_size,
		       struct guest_entry_state *out)
{
	out->rip = img->entry;
	out->rsp = mem_size - 8;
	out->rdi = GUEST_BOOT_INFO;
	out->rflags = 0x2;          /* bit 1 is always set; interrupts off */
	out->cr0 = 0x80010021;      /* PG, WP, NE, PE */
	out->cr3 = GUEST_PML4;
	out->cr4 = 0x620;           /* PAE, OSFXSR, OSXMMEXCPT */
	out->efer = 0x500;          /* LME, LMA */
	out->gdt_base = GUEST_GDT_BASE;
	out->gdt_limit = GUEST_GDT_LIMIT;
	out->code_selector = GUEST_CODE_SELECTOR;
	out->data_selector = GUEST_DATA_SELECTOR;
	out->tss_selector = GUEST_TSS_SELECTOR;
	out->tss_base = 0;
	out->tss_limit = 0;
}
