/*
 * fuzz_guest_walk.c - libFuzzer entry point for shadow paging's walk of
 * guest page tables (guest_walk) and the shadow tables it feeds. The first
 * 24 bytes choose CR3, the linear address, the access kind and EFER.NXE /
 * CR0.WP; the rest is the guest's RAM (at most 16 pages, zero-padded to
 * whole pages), so entries point anywhere, at themselves, in loops, with
 * reserved bits and large pages beyond RAM. The walk must read only inside
 * RAM, stop after four levels, report a gpa outside RAM for
 * GW_OUTSIDE_RAM, push an error code of the CPU's bits only, and grant only
 * what the combined permissions allow; a success is then installed in a
 * shadow table and read back, and the tree is freed to the last page.
 * The RAM's first bytes are also the instruction bytes shadow paging
 * decodes at a guest's RIP (MOV CR, INVLPG, INVPCID): a decoder may read
 * only what it was given and claim at most that length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/mem/shadow/guest_walk.h"
#include "hypervisor/mem/shadow/insn_decode.h"
#include "hypervisor/mem/shadow/shadow_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAGES 16u

struct ram {
	uint64_t *words;
	uint64_t bytes;
	unsigned reads;
};

static uint64_t *ram_entry(void *ctx, uint64_t gpa)
{
	struct ram *r = ctx;

	r->reads++;
	if (r->reads > 4 || (gpa & 7))
		abort();   /* more than four levels, or a misaligned entry */
	return gpa < r->bytes ? r->words + gpa / 8 : NULL;
}

static long pages_held;

static uint64_t page_alloc(void *ctx)
{
	void *p = aligned_alloc(4096, 4096);   /* entries keep bits 51:12 only */

	(void)ctx;
	if (p) {
		memset(p, 0, 4096);
		pages_held++;
	}
	return (uint64_t)(uintptr_t)p;
}

static void page_free(void *ctx, uint64_t addr)
{
	(void)ctx;
	free((void *)(uintptr_t)addr);
	pages_held--;
}

static uint64_t *page_virt(void *ctx, uint64_t addr)
{
	(void)ctx;
	return (uint64_t *)(uintptr_t)addr;
}

static uint64_t read64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void check_result(const struct gw_result *r, enum gw_status status, uint64_t ram_bytes,
			 unsigned access, const struct gw_regs *regs)
{
	if (r->table_count > GW_MAX_TABLES)
		abort();
	if (status == GW_OUTSIDE_RAM && r->gpa < ram_bytes)
		abort();
	if (status == GW_FAULT && (r->error & ~0x1fu))
		abort();
	if (status != GW_OK)
		return;
	if (r->level < 1 || r->level > 3)
		abort();
	if ((access & PF_WRITE) && !r->writable && (regs->wp || (access & PF_USER)))
		abort();
	if ((access & PF_USER) && !r->user)
		abort();
	if ((access & PF_FETCH) && !r->executable)
		abort();
	if ((access & PF_WRITE) && !r->dirty)
		abort();
}

static void install(const struct gw_result *r, uint64_t va)
{
	struct st_alloc a = { page_alloc, page_free, page_virt, NULL, 0 };
	uint64_t root = st_root_new(&a);
	uint64_t pte = (r->gpa & PTE_ADDR) | PTE_P;

	if (!root)
		return;
	if (st_set_leaf(&a, root, va, pte) == 0 && st_get_leaf(&a, root, va) != pte)
		abort();
	st_free(&a, root);
	if (pages_held != 0 || a.pages != 0)
		abort();
}

/* decode_all: each decoder on the first len bytes (a copy of exactly len). */
static void decode_all(const uint8_t *bytes, unsigned len, uint64_t seed)
{
	uint8_t *copy = malloc(len ? len : 1);   /* ASan sees a read past len */
	uint64_t gpr[16], address;
	struct insn_cr cr;
	struct insn_invpcid inv;
	uint8_t length;

	if (!copy)
		return;
	memcpy(copy, bytes, len);
	for (unsigned i = 0; i < 16; i++)
		gpr[i] = seed * (i + 1);
	if (insn_decode_mov_cr(copy, len, &cr) && (cr.length > len || cr.gpr > 15))
		abort();
	if (insn_decode_invlpg(copy, len, gpr, seed, &address, &length) && length > len)
		abort();
	if (insn_decode_invpcid(copy, len, gpr, seed, &inv) &&
	    (inv.length > len || inv.type_gpr > 15))
		abort();
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t words[MAX_PAGES * 512];
	struct ram ram = { words, 0, 0 };
	struct gw_mem mem = { ram_entry, &ram };
	struct gw_regs regs;
	struct gw_result r;
	uint64_t va;
	unsigned access;
	size_t body;

	if (size < 24)
		return 0;
	body = size - 24;
	decode_all(data + 24, body < INSN_MAX ? (unsigned)body : INSN_MAX, read64(data + 8));
	if (body > sizeof(words))
		body = sizeof(words);
	memset(words, 0, sizeof(words));
	memcpy(words, data + 24, body);
	ram.bytes = ((body + 4095) / 4096) * 4096;
	regs = (struct gw_regs){
		.cr3 = read64(data) % (MAX_PAGES * 4096),
		.nxe = data[17] & 1, .wp = (data[17] >> 1) & 1, .phys_bits = 32 + data[18] % 21,
	};
	va = read64(data + 8);
	access = data[16] & (PF_WRITE | PF_USER | PF_FETCH);
	enum gw_status status = guest_walk(&mem, &regs, va, access, &r);
	check_result(&r, status, ram.bytes, access, &regs);
	if (status == GW_OK)
		install(&r, va);
	return 0;
}
