/*
 * shadow_test.c - shadow paging's portable parts: the software walk of
 * guest tables (A/D bits, permissions, large pages, reserved bits, tables
 * outside RAM, self-referencing tables), the shadow tables (build, look
 * up, clear, zap with every page given back) and the decoder of MOV CR and
 * INVLPG.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hypervisor/mem/shadow/guest_walk.h"
#include "hypervisor/mem/shadow/insn_decode.h"
#include "hypervisor/mem/shadow/shadow_rmap.h"
#include "hypervisor/mem/shadow/shadow_table.h"

#define RAM (UINT64_C(8) << 20)
#define TABLE (PTE_P | PTE_RW)

static uint64_t *ram;
static unsigned entry_calls;

static uint64_t *ram_entry(void *ctx, uint64_t gpa)
{
	(void)ctx;
	entry_calls++;
	if (gpa >= RAM || (gpa & 7))
		return NULL;
	return ram + gpa / 8;
}

static const struct gw_mem mem = { ram_entry, NULL };

static void put(uint64_t gpa, uint64_t value)
{
	ram[gpa / 8] = value;
}

static uint64_t get(uint64_t gpa)
{
	return ram[gpa / 8];
}

static struct gw_regs regs(bool nxe)
{
	return (struct gw_regs){ .cr3 = 0x1000, .nxe = nxe, .wp = true, .phys_bits = 40 };
}

/*
 * A small tree: PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000.
 * va 0x0 -> 4 KiB page 0x10000 (read-only), va 0x1000 -> 0x11000 (RW,
 * user), va 0x200000 -> 2 MiB page at 0x400000, va 1 GiB -> 1 GiB page.
 */
static void build_tree(void)
{
	memset(ram, 0, RAM);
	put(0x1000, 0x2000 | TABLE | PTE_US);
	put(0x2000, 0x3000 | TABLE | PTE_US);
	put(0x2008, (UINT64_C(1) << 30) | TABLE | PTE_PS);   /* 1 GiB page */
	put(0x3000, 0x4000 | TABLE | PTE_US);
	put(0x3008, 0x400000 | TABLE | PTE_PS);               /* 2 MiB page */
	put(0x4000, 0x10000 | PTE_P);
	put(0x4008, 0x11000 | PTE_P | PTE_RW | PTE_US);
}

static void test_walk_4k(void)
{
	struct gw_result r;

	build_tree();
	CHECK(guest_walk(&mem, &(struct gw_regs){ .cr3 = 0x1000, .wp = true, .phys_bits = 40 },
			 0x123, 0, &r) == GW_OK);
	CHECK(r.gpa == 0x10123 && r.level == 1 && !r.writable && !r.user && r.executable);
	CHECK(r.table_count == 4 && r.tables[0] == 0x1000 && r.tables[3] == 0x4000);
	/* A on every level; no D for a read. */
	CHECK((get(0x1000) & PTE_A) && (get(0x2000) & PTE_A) && (get(0x3000) & PTE_A));
	CHECK((get(0x4000) & PTE_A) && !(get(0x4000) & PTE_D) && !r.dirty);
	/* A write to the read-only page: a protection fault, no D set. */
	struct gw_regs g = regs(false);
	CHECK(guest_walk(&mem, &g, 0x123, PF_WRITE, &r) == GW_FAULT);
	CHECK(r.error == (PF_PRESENT | PF_WRITE));
	CHECK(!(get(0x4000) & PTE_D));
	/* ...allowed when CR0.WP is clear (supervisor). */
	g.wp = false;
	CHECK(guest_walk(&mem, &g, 0x123, PF_WRITE, &r) == GW_OK && (get(0x4000) & PTE_D));
	g.wp = true;
	/* A user access to a supervisor page. */
	CHECK(guest_walk(&mem, &g, 0x10, PF_USER, &r) == GW_FAULT);
	CHECK(r.error == (PF_PRESENT | PF_USER));
	/* The user RW page: write sets D. */
	CHECK(guest_walk(&mem, &g, 0x1008, PF_WRITE | PF_USER, &r) == GW_OK);
	CHECK(r.writable && r.user && r.dirty && (get(0x4008) & PTE_D));
	/* Not present: error without P. */
	CHECK(guest_walk(&mem, &g, 0x2000, PF_WRITE, &r) == GW_FAULT && r.error == PF_WRITE);
	CHECK(guest_walk(&mem, &g, UINT64_C(0x8000000000), 0, &r) == GW_FAULT && r.error == 0);
}

static void test_walk_large(void)
{
	struct gw_regs g = regs(true);
	struct gw_result r;

	build_tree();
	CHECK(guest_walk(&mem, &g, 0x212345, 0, &r) == GW_OK);
	CHECK(r.level == 2 && r.gpa == 0x412345 && r.table_count == 3);
	CHECK(guest_walk(&mem, &g, (UINT64_C(1) << 30) + 0x5678, PF_WRITE, &r) == GW_OK);
	CHECK(r.level == 3 && r.gpa == (UINT64_C(1) << 30) + 0x5678 && r.dirty);
	/* Reserved bits in a 2 MiB page's low address bits. */
	put(0x3008, 0x402000 | TABLE | PTE_PS);  /* bit 13; bit 12 is PAT */
	CHECK(guest_walk(&mem, &g, 0x200000, 0, &r) == GW_FAULT);
	CHECK(r.error == (PF_PRESENT | PF_RESERVED));
	/* PS at the PML4 level is reserved. */
	put(0x1008, 0x2000 | TABLE | PTE_PS);
	CHECK(guest_walk(&mem, &g, UINT64_C(1) << 39, PF_FETCH, &r) == GW_FAULT);
	CHECK(r.error == (PF_PRESENT | PF_RESERVED | PF_FETCH));
	/* An address bit above MAXPHYADDR is reserved. */
	put(0x4000, (UINT64_C(1) << 45) | PTE_P);
	CHECK(guest_walk(&mem, &g, 0, 0, &r) == GW_FAULT && (r.error & PF_RESERVED));
}

static void test_walk_nx(void)
{
	struct gw_regs g = regs(true);
	struct gw_result r;

	build_tree();
	put(0x4008, 0x11000 | PTE_P | PTE_RW | PTE_NX);
	CHECK(guest_walk(&mem, &g, 0x1000, PF_FETCH, &r) == GW_FAULT);
	CHECK(r.error == (PF_PRESENT | PF_FETCH));
	CHECK(guest_walk(&mem, &g, 0x1000, 0, &r) == GW_OK && !r.executable);
	/* Without EFER.NXE bit 63 is reserved. */
	g.nxe = false;
	CHECK(guest_walk(&mem, &g, 0x1000, 0, &r) == GW_FAULT);
	CHECK(r.error == (PF_PRESENT | PF_RESERVED));
}

static void test_walk_hostile(void)
{
	struct gw_regs g = regs(false);
	struct gw_result r;

	build_tree();
	/* A table outside RAM: reported with where, nothing read there. */
	put(0x3000, (RAM + 0x5000) | TABLE);
	CHECK(guest_walk(&mem, &g, 0x10, 0, &r) == GW_OUTSIDE_RAM);
	CHECK(r.gpa == RAM + 0x5000);
	/* A self-referencing PML4 (entry 0 points at itself): the walk ends
	 * after four levels, its leaf being the PML4 page itself. */
	build_tree();
	put(0x1000, 0x1000 | TABLE);
	entry_calls = 0;
	CHECK(guest_walk(&mem, &g, 0x0, 0, &r) == GW_OK);
	CHECK(r.gpa == 0x1000 && entry_calls == 4);
	/* A CR3 outside RAM. */
	g.cr3 = RAM;
	CHECK(guest_walk(&mem, &g, 0, 0, &r) == GW_OUTSIDE_RAM && r.gpa == RAM);
}

/* Shadow tables from a pool of host pages that counts what is held. */
static unsigned long pool_held;

static uint64_t pool_alloc(void *ctx)
{
	void *p = aligned_alloc(4096, 4096);

	(void)ctx;
	if (!p)
		return 0;
	memset(p, 0, 4096);
	pool_held++;
	return (uint64_t)(uintptr_t)p;
}

static void pool_free(void *ctx, uint64_t addr)
{
	(void)ctx;
	free((void *)(uintptr_t)addr);
	pool_held--;
}

static uint64_t *pool_virt(void *ctx, uint64_t addr)
{
	(void)ctx;
	return (uint64_t *)(uintptr_t)addr;
}

static void test_shadow_table(void)
{
	struct st_alloc a = { pool_alloc, pool_free, pool_virt, NULL, 0 };
	uint64_t root = st_root_new(&a);
	const uint64_t hi = UINT64_C(0xffff800000001000);

	CHECK(root && a.pages == 1);
	CHECK(st_get_leaf(&a, root, 0x1000) == 0);
	CHECK(st_set_leaf(&a, root, 0x1000, 0xabc000 | PTE_P) == 0);
	CHECK(a.pages == 4 && pool_held == 4);
	CHECK(st_get_leaf(&a, root, 0x1000) == (0xabc000 | PTE_P));
	CHECK(st_set_leaf(&a, root, 0x2000, 0xdef000 | PTE_P | PTE_RW) == 0);
	CHECK(a.pages == 4);
	CHECK(st_set_leaf(&a, root, hi, 0x123000 | PTE_P) == 0);
	CHECK(a.pages == 7 && st_get_leaf(&a, root, hi) == (0x123000 | PTE_P));
	st_clear_leaf(&a, root, 0x1000);
	CHECK(st_get_leaf(&a, root, 0x1000) == 0 && st_get_leaf(&a, root, 0x2000) != 0);
	st_clear_leaf(&a, root, 0x7000000);   /* absent: nothing happens */
	st_zap(&a, root);
	CHECK(a.pages == 1 && pool_held == 1);
	CHECK(st_get_leaf(&a, root, 0x2000) == 0 && st_get_leaf(&a, root, hi) == 0);
	st_free(&a, root);
	CHECK(a.pages == 0 && pool_held == 0);
}

/* 2 MiB leaves: replacing a table of 4 KiB leaves, split by a 4 KiB set,
 * found and cleared from any address inside, and never freed as tables. */
static void test_shadow_table_large(void)
{
	struct st_alloc a = { pool_alloc, pool_free, pool_virt, NULL, 0 };
	uint64_t root = st_root_new(&a);
	const uint64_t big = UINT64_C(0x40000000);

	CHECK(st_set_leaf(&a, root, big + 0x1000, 0xabc000 | PTE_P) == 0);
	CHECK(a.pages == 4 && pool_held == 4);
	CHECK(st_set_large(&a, root, big + 0x5000, 0x600000 | PTE_P | PTE_RW) == 0);
	CHECK(a.pages == 3 && pool_held == 3);   /* the page table went back */
	CHECK(st_get_leaf(&a, root, big + 0x1ff000) == (0x600000 | PTE_P | PTE_RW | PTE_PS));
	CHECK(st_get_leaf(&a, root, big + 0x200000) == 0);
	CHECK(st_set_leaf(&a, root, big + 0x3000, 0xdef000 | PTE_P) == 0);   /* splits */
	CHECK(a.pages == 4 && st_get_leaf(&a, root, big + 0x3000) == (0xdef000 | PTE_P));
	CHECK(st_get_leaf(&a, root, big + 0x4000) == 0);   /* the rest refaults */
	CHECK(st_set_large(&a, root, big, 0x600000 | PTE_P) == 0);
	st_clear_leaf(&a, root, big + 0x100000);
	CHECK(st_get_leaf(&a, root, big) == 0 && a.pages == 3);
	CHECK(st_set_large(&a, root, big, 0x600000 | PTE_P) == 0);
	st_zap(&a, root);   /* 0x600000 is not a table: pool_free would crash on it */
	CHECK(a.pages == 1 && pool_held == 1);
	st_free(&a, root);
	CHECK(a.pages == 0 && pool_held == 0);
}

/* st_clear_span: one entry's span at each level goes, tables under it
 * back to the pool, neighbours stay. */
static void test_shadow_table_span(void)
{
	struct st_alloc a = { pool_alloc, pool_free, pool_virt, NULL, 0 };
	uint64_t root = st_root_new(&a);
	const uint64_t gib = UINT64_C(1) << 30;

	CHECK(st_set_leaf(&a, root, 0x1000, 0xa000 | PTE_P) == 0);
	CHECK(st_set_leaf(&a, root, 0x2000, 0xb000 | PTE_P) == 0);
	CHECK(st_set_leaf(&a, root, 0x201000, 0xc000 | PTE_P) == 0);
	CHECK(st_set_leaf(&a, root, gib, 0xd000 | PTE_P) == 0);
	CHECK(a.pages == 7);
	st_clear_span(&a, root, 0x1000, 1);
	CHECK(st_get_leaf(&a, root, 0x1000) == 0 && st_get_leaf(&a, root, 0x2000) != 0);
	st_clear_span(&a, root, 0x0, 2);   /* the first 2 MiB: its page table goes */
	CHECK(st_get_leaf(&a, root, 0x2000) == 0 && st_get_leaf(&a, root, 0x201000) != 0);
	CHECK(a.pages == 6 && pool_held == 6);
	st_clear_span(&a, root, 0x0, 3);   /* the first GiB: a directory and a table */
	CHECK(st_get_leaf(&a, root, 0x201000) == 0 && st_get_leaf(&a, root, gib) != 0);
	CHECK(a.pages == 4 && pool_held == 4);
	CHECK(st_set_large(&a, root, 4 * gib, 0x600000 | PTE_P) == 0);
	st_clear_span(&a, root, 4 * gib + 0x3000, 1);   /* a 2 MiB leaf goes whole */
	CHECK(st_get_leaf(&a, root, 4 * gib) == 0);
	st_clear_span(&a, root, 0, 4);     /* the first 512 GiB */
	CHECK(st_get_leaf(&a, root, gib) == 0 && a.pages == 1 && pool_held == 1);
	st_clear_span(&a, root, 0, 5);     /* no such level: ignored */
	st_clear_span(&a, root, 0x1000, 2);   /* absent: nothing happens */
	st_free(&a, root);
	CHECK(a.pages == 0 && pool_held == 0);
}

static unsigned visits;
static uint64_t visited_va[8];

static void count_visit(void *ctx, const struct rmap_record *r)
{
	(void)ctx;
	if (visits < 8)
		visited_va[visits] = r->va;
	visits++;
}

static unsigned visit(const struct shadow_rmap *m, uint64_t page)
{
	visits = 0;
	return rmap_visit(m, page, count_visit, NULL) ? visits : ~0u;
}

/* The reverse map: records found by page (a large leaf by any page under
 * it), duplicates kept once, overflow makes it unable to answer, clear
 * makes it answer again. */
static void test_rmap(void)
{
	static struct shadow_rmap m;
	static uint64_t storage[RMAP_STORAGE_BYTES(RMAP_CAPACITY) / 8];
	struct rmap_record r = { .page = 0x5000, .va = 0, .shadow = 1, .level = 1 };

	rmap_init(&m, storage, RMAP_CAPACITY);
	CHECK(m.capacity == RMAP_CAPACITY);
	CHECK(visit(&m, 0x5000) == 0);
	rmap_add(&m, &r);
	rmap_add(&m, &r);   /* the same again: one record */
	r.va = 0x200000;
	rmap_add(&m, &r);   /* the same table reached at another address */
	CHECK(visit(&m, 0x5000) == 2 && m.used == 2);
	CHECK(visited_va[0] + visited_va[1] == 0x200000);
	CHECK(visit(&m, 0x6000) == 0);
	r = (struct rmap_record){ .page = 0x400000, .va = 0x40000000, .shadow = 2, .large = true };
	rmap_add(&m, &r);
	CHECK(visit(&m, 0x5ff000) == 1 && visited_va[0] == 0x40000000);
	CHECK(visit(&m, 0x600000) == 0);
	r.level = 9;   /* no such level: ignored */
	rmap_add(&m, &r);
	CHECK(m.used == 3);
	for (uint64_t i = 0; i < RMAP_CAPACITY; i++) {
		r = (struct rmap_record){ .page = i << 12, .va = i, .shadow = 3, .level = 2 };
		rmap_add(&m, &r);
	}
	CHECK(m.lost && visit(&m, 0x5000) == ~0u);
	rmap_clear(&m);
	CHECK(!m.lost && m.used == 0 && visit(&m, 0x5000) == 0);
}

static bool keep_shadow_1(void *ctx, const struct rmap_record *r)
{
	(void)ctx;
	return r->shadow == 1;
}

/* Room without loss: compaction keeps what still stands and finds it
 * again; growing keeps every record; a full map that was made room for
 * takes the record that would have lost it. */
static void test_rmap_room(void)
{
	static struct shadow_rmap m;
	static uint64_t small[RMAP_STORAGE_BYTES(64) / 8], big[RMAP_STORAGE_BYTES(256) / 8];
	struct rmap_record r = { .level = 0 };

	rmap_init(&m, small, 64);
	for (uint64_t i = 0; i < 64; i++) {
		r = (struct rmap_record){ .page = i << 12, .va = i << 12, .shadow = 1 + (uint32_t)(i & 1) };
		rmap_add(&m, &r);
	}
	CHECK(rmap_full(&m) && !m.lost);
	rmap_compact(&m, keep_shadow_1, NULL);
	CHECK(m.used == 32 && !rmap_full(&m));
	CHECK(visit(&m, 2 << 12) == 1 && visit(&m, 3 << 12) == 0);
	for (uint64_t i = 64; i < 96; i++) {
		r = (struct rmap_record){ .page = i << 12, .va = i << 12, .shadow = 1 };
		rmap_add(&m, &r);
	}
	CHECK(rmap_full(&m) && !m.lost);
	CHECK(!rmap_grow(&m, big, 64));   /* not larger: nothing changes */
	CHECK(rmap_grow(&m, big, 256) && m.capacity == 256 && m.used == 64);
	for (uint64_t i = 0; i < 96; i += 2)
		CHECK(visit(&m, i << 12) == 1);
	CHECK(visit(&m, 95 << 12) == 1 && visit(&m, 97 << 12) == 0);
	r = (struct rmap_record){ .page = 200 << 12, .va = 1, .shadow = 1 };
	rmap_add(&m, &r);
	CHECK(!m.lost && visit(&m, 200 << 12) == 1);
}

static void test_decode_mov_cr(void)
{
	struct insn_cr c;
	static const uint8_t to_cr3_rax[] = { 0x0f, 0x22, 0xd8 };
	static const uint8_t from_cr3_r9[] = { 0x41, 0x0f, 0x20, 0xd9 };
	static const uint8_t to_cr4_rdi[] = { 0x0f, 0x22, 0xe7 };
	static const uint8_t to_cr8[] = { 0x44, 0x0f, 0x22, 0xc0 };
	static const uint8_t not_mov[] = { 0x66, 0x0f, 0x22, 0xd8 };

	CHECK(insn_decode_mov_cr(to_cr3_rax, 3, &c) && c.cr == 3 && c.gpr == 0 &&
	      c.is_write && c.length == 3);
	CHECK(insn_decode_mov_cr(from_cr3_r9, 4, &c) && c.cr == 3 && c.gpr == 9 &&
	      !c.is_write && c.length == 4);
	CHECK(insn_decode_mov_cr(to_cr4_rdi, 3, &c) && c.cr == 4 && c.gpr == 7);
	CHECK(insn_decode_mov_cr(to_cr8, 4, &c) && c.cr == 8);
	CHECK(!insn_decode_mov_cr(not_mov, 4, &c));
	CHECK(!insn_decode_mov_cr(to_cr3_rax, 2, &c));
}

static void test_decode_invlpg(void)
{
	uint64_t gpr[16] = { 0 };
	uint64_t addr;
	uint8_t len;
	static const uint8_t rax[] = { 0x0f, 0x01, 0x38 };              /* invlpg (%rax) */
	static const uint8_t r12_disp8[] = { 0x41, 0x0f, 0x01, 0x7c, 0x24, 0x10 }; /* 0x10(%r12) */
	static const uint8_t rip_rel[] = { 0x0f, 0x01, 0x3d, 0x00, 0x10, 0x00, 0x00 };
	static const uint8_t sib[] = { 0x0f, 0x01, 0x3c, 0x8b };       /* (%rbx,%rcx,4) */
	static const uint8_t reg_form[] = { 0x0f, 0x01, 0xf8 };        /* swapgs, not INVLPG */

	gpr[0] = 0x5000;
	gpr[12] = 0x9000;
	gpr[3] = 0x100;
	gpr[1] = 0x10;
	CHECK(insn_decode_invlpg(rax, 3, gpr, 0x400000, &addr, &len) && addr == 0x5000 && len == 3);
	CHECK(insn_decode_invlpg(r12_disp8, 6, gpr, 0, &addr, &len) && addr == 0x9010 && len == 6);
	CHECK(insn_decode_invlpg(rip_rel, 7, gpr, 0x400000, &addr, &len) &&
	      addr == 0x400000 + 7 + 0x1000 && len == 7);
	CHECK(insn_decode_invlpg(sib, 4, gpr, 0, &addr, &len) && addr == 0x140 && len == 4);
	CHECK(!insn_decode_invlpg(reg_form, 3, gpr, 0, &addr, &len));
	CHECK(!insn_decode_invlpg(r12_disp8, 5, gpr, 0, &addr, &len));
}

/* INVPCID r64, m128: the type register and the descriptor's address. */
static void test_decode_invpcid(void)
{
	static const uint8_t rax_rcx[] = { 0x66, 0x0f, 0x38, 0x82, 0x08 };
	static const uint8_t rsp_r9[] = { 0x66, 0x44, 0x0f, 0x38, 0x82, 0x4c, 0x24, 0x10 };
	static const uint8_t rip_rdx[] = { 0x66, 0x0f, 0x38, 0x82, 0x15, 0x00, 0x01, 0x00, 0x00 };
	static const uint8_t reg_form[] = { 0x66, 0x0f, 0x38, 0x82, 0xc1 };
	static const uint8_t no_66[] = { 0x0f, 0x38, 0x82, 0x08 };
	static const uint8_t invvpid[] = { 0x66, 0x0f, 0x38, 0x81, 0x08 };
	uint64_t gpr[16] = { 0 };
	struct insn_invpcid i;

	gpr[0] = 0x5000;
	gpr[4] = 0x7ff0;
	CHECK(insn_decode_invpcid(rax_rcx, 5, gpr, 0, &i) && i.type_gpr == 1 &&
	      i.descriptor == 0x5000 && i.length == 5);
	CHECK(insn_decode_invpcid(rsp_r9, 8, gpr, 0, &i) && i.type_gpr == 9 &&
	      i.descriptor == 0x8000 && i.length == 8);
	CHECK(insn_decode_invpcid(rip_rdx, 9, gpr, 0x1000, &i) && i.type_gpr == 2 &&
	      i.descriptor == 0x1000 + 9 + 0x100 && i.length == 9);
	CHECK(!insn_decode_invpcid(rsp_r9, 7, gpr, 0, &i));   /* cut short */
	CHECK(!insn_decode_invpcid(reg_form, 5, gpr, 0, &i));
	CHECK(!insn_decode_invpcid(no_66, 4, gpr, 0, &i));
	CHECK(!insn_decode_invpcid(invvpid, 5, gpr, 0, &i));
}

int main(void)
{
	ram = aligned_alloc(4096, RAM);
	if (!ram)
		return 2;
	test_walk_4k();
	test_walk_large();
	test_walk_nx();
	test_walk_hostile();
	test_shadow_table();
	test_shadow_table_large();
	test_shadow_table_span();
	test_rmap();
	test_rmap_room();
	test_decode_mov_cr();
	test_decode_invlpg();
	test_decode_invpcid();
	free(ram);
	return check_report("shadow_test");
}
