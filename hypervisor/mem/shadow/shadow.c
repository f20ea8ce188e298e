/*
 * shadow.c - a VM's shadow tables: filling them from the guest's tables on
 * #PF, the cache of recent CR3 roots, and write protection of guest table
 * pages (shadow.h).
 *
 * Why "unsync until the next CR3 load" rather than emulating each write to
 * a guest table: on x86 a guest must INVLPG (or reload CR3) after changing
 * a present entry, and a not-present entry is never cached, so a shadow
 * that behaves exactly like a TLB is correct without seeing the write. Only
 * the cache of other roots needs write protection: a cached shadow stays
 * valid only while none of the tables it walked changed. So the first
 * write to a protected table page drops the other shadows and stops
 * protecting; the current shadow goes on as a TLB and is thrown away at
 * the next CR3 load. Emulating writes would keep the cache across table
 * updates, at the price of an x86 instruction emulator in the hypervisor.
 */
#include "hypervisor/mem/shadow/shadow_internal.h"

#include "hypervisor/console.h"
#include "hypervisor/cpu.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/mem/pv/pv.h"
#include "hypervisor/mem/shadow/shadow_reclaim.h"
#include "hypervisor/vm/vm.h"
#include "hypervisor/vm/vm_memory.h"
#include "lib/errno.h"
#include "lib/kstring.h"

#define PAGE 4096u
#define LARGE (UINT64_C(2) << 20)
#define CR0_WP (UINT64_C(1) << 16)

static uint64_t table_page_alloc(void *ctx)
{
	(void)ctx;
	return frame_alloc();   /* zeroed, identity-mapped */
}

static void table_page_free(void *ctx, uint64_t addr)
{
	(void)ctx;
	frames_free(addr, FRAME_SIZE);
}

static uint64_t *table_page_virt(void *ctx, uint64_t addr)
{
	(void)ctx;
	return (uint64_t *)(uintptr_t)addr;
}

static bool bit_get(const uint8_t *bits, uint64_t gpa)
{
	return (bits[gpa >> 15] >> ((gpa >> 12) & 7)) & 1u;
}

static void bit_set(uint8_t *bits, uint64_t gpa)
{
	bits[gpa >> 15] |= (uint8_t)(1u << ((gpa >> 12) & 7));
}

static uint64_t *guest_entry(void *ctx, uint64_t gpa)
{
	struct vm *vm = ctx;

	if (gpa >= vm->mem.size)
		return NULL;
	/* Fills an untouched table page with zeros first, sparing vm's own. */
	return guest_ptr(&vm->mem, gpa, sizeof(uint64_t));
}

struct gw_regs shadow_walk_regs(struct vm *vm)
{
	struct shadow *sh = vm->shadow;

	return (struct gw_regs){
		.cr3 = sh->guest_cr3,
		.nxe = (sh->guest_efer & EFER_NXE) != 0,
		.wp = true,   /* shadow_exit.c refuses a guest clearing CR0.WP */
		.phys_bits = sh->phys_bits,
	};
}

enum gw_status shadow_walk(struct vm *vm, uint64_t va, unsigned access,
			   struct gw_result *out)
{
	const struct gw_mem mem = { guest_entry, vm };
	const struct gw_regs regs = shadow_walk_regs(vm);

	return guest_walk(&mem, &regs, va, access, out);
}

/*
 * How far the reverse map may grow: two records per guest page (every page
 * mapped by two shadows, or by one shadow beside its tables' records), so
 * that a guest touching all its RAM in one or two address spaces never
 * overflows it; never below the capacity it starts with. A record is 32
 * bytes: at most 1/64 of the guest's RAM, taken only as the guest's
 * shadows grow.
 */
static uint32_t rmap_max_for(uint64_t pages)
{
	uint64_t want = 2 * pages;
	uint32_t max = RMAP_CAPACITY;

	while (max < want && max < (UINT32_C(1) << 30))
		max *= 2;
	return max;
}

/* rmap_record_stands: r's shadow still exists, and a leaf record's leaf is
 * still there (a leaf dropped alone, by INVLPG or reclaim, leaves its
 * record behind). */
static bool rmap_record_stands(void *ctx, const struct rmap_record *r)
{
	const struct shadow *sh = ctx;
	uint64_t root = 0;

	for (unsigned i = 0; i < sh->count && !root; i++)
		if (sh->roots[i].id == r->shadow)
			root = sh->roots[i].root;
	if (!root)
		return false;
	return r->level != 0 ||
		(st_get_leaf((struct st_alloc *)&sh->alloc, root, r->va) & PTE_P) != 0;
}

/*
 * rmap_make_room: the map is full: drop the records that no longer stand;
 * when that freed less than a quarter of it, move it into storage twice
 * as large, up to rmap_max. When it can grow no more (the bound, or no
 * contiguous frames left) it is lost at once, so that a guest keeping it
 * nearly full of live records cannot make every fill compact it: the
 * fallbacks drop every shadow as before the map grew, which empties it.
 */
static void rmap_make_room(struct shadow *sh)
{
	struct shadow_rmap *m = sh->rmap;
	uint64_t bytes, hpa = 0;

	rmap_compact(m, rmap_record_stands, sh);
	sh->stats.rmap_compacts++;
	if (m->used < m->capacity - m->capacity / 4)
		return;
	bytes = (RMAP_STORAGE_BYTES(2 * m->capacity) + FRAME_SIZE - 1) & ~(uint64_t)(FRAME_SIZE - 1);
	if (m->capacity < sh->rmap_max)
		hpa = frames_alloc_contiguous(bytes, FRAME_SIZE);
	if (!hpa || !rmap_grow(m, (void *)(uintptr_t)hpa, 2 * m->capacity)) {
		if (hpa)
			frames_free(hpa, bytes);
		m->lost = true;
		return;
	}
	frames_free(sh->rmap_hpa, sh->rmap_bytes);
	sh->rmap_hpa = hpa;
	sh->rmap_bytes = bytes;
	sh->stats.rmap_grows++;
}

/* rmap_record: into the map, making room first when it is full. */
static void rmap_record(struct shadow *sh, const struct rmap_record *r)
{
	if (sh->rmap->lost)
		return;
	if (rmap_full(sh->rmap))
		rmap_make_room(sh);
	rmap_add(sh->rmap, r);
	sh->stats.rmap_losses += sh->rmap->lost;
}

/* clear_bits: no shadow maps anything now: forget which pages are mapped
 * (and which are tables); the reverse map's records go with them. */
static void clear_bits(struct shadow *sh, bool tables_too)
{
	memset(sh->writable_bits, 0, sh->bits_each);
	memset(sh->mapped_bits, 0, sh->bits_each);
	if (tables_too)
		memset(sh->table_bits, 0, sh->bits_each);
	rmap_clear(sh->rmap);
}

/* emptied: slot's shadow maps nothing now (or is new): a fresh id, so the
 * reverse map's records of what it held no longer match it. */
static void emptied(struct shadow *sh, unsigned slot)
{
	sh->roots[slot].id = ++sh->next_id;
}

/* drop_others: free every cached shadow but the current one, which moves
 * to slot 0. */
static void drop_others(struct shadow *sh)
{
	for (unsigned i = 0; i < sh->count; i++)
		if (i != sh->current)
			st_free(&sh->alloc, sh->roots[i].root);
	sh->roots[0] = sh->roots[sh->current];
	sh->count = 1;
	sh->current = 0;
}

/* zap: no shadow maps anything any more; table marks stay when asked. */
static void zap(struct shadow *sh, bool forget_tables)
{
	drop_others(sh);
	st_zap(&sh->alloc, sh->roots[0].root);
	emptied(sh, 0);
	clear_bits(sh, forget_tables);
	if (forget_tables)
		sh->unsynced = false;
	sh->stats.zaps++;
}

void shadow_zap_all(struct vm *vm)
{
	if (vm->shadow)
		zap(vm->shadow, true);
}

/* The root of the shadow with id, or 0 when none has it any more. */
static uint64_t root_with_id(const struct shadow *sh, uint32_t id)
{
	for (unsigned i = 0; i < sh->count; i++)
		if (sh->roots[i].id == id)
			return sh->roots[i].root;
	return 0;
}

struct rmap_drop {
	struct shadow *sh;
	unsigned index;      /* the entry changed in a table page; ~0u: leaves */
	bool current;        /* the shadow the CPU walks lost an entry */
};

/* drop_record: clear the shadow entry a record says derives from the
 * page: the changed table entry's span, or a writable leaf. */
static void drop_record(void *ctx, const struct rmap_record *r)
{
	struct rmap_drop *d = ctx;
	uint64_t root = root_with_id(d->sh, r->shadow);
	bool table = d->index != ~0u;

	if (!root || table != (r->level != 0))
		return;
	if (table)
		st_clear_span(&d->sh->alloc, root,
			      r->va + ((uint64_t)d->index << (12 + 9 * (r->level - 1))), r->level);
	else
		st_clear_span(&d->sh->alloc, root, r->va, r->large ? 2 : 1);
	d->sh->stats.rmap_drops++;
	d->current |= root == d->sh->roots[d->sh->current].root;
}

/* drop_derived: clear what the reverse map says derives from page (entry
 * index of a table, or ~0u: its writable leaves); flush the CPU's tag if
 * the current shadow lost anything. False when the map cannot tell. */
static bool drop_derived(struct vm *vm, uint64_t page, unsigned index)
{
	struct shadow *sh = vm->shadow;
	struct rmap_drop d = { sh, index, false };

	if (!rmap_visit(sh->rmap, page, drop_record, &d))
		return false;
	if (d.current)
		hal->shadow_load_root(&vm->vcpu, sh->roots[sh->current].root);
	return true;
}

static void zap_and_load(struct vm *vm)
{
	zap(vm->shadow, true);
	hal->shadow_load_root(&vm->vcpu, vm->shadow->roots[vm->shadow->current].root);
}

bool shadow_table_written(struct vm *vm, uint64_t gpa)
{
	struct shadow *sh = vm->shadow;
	uint64_t page = gpa & ~(uint64_t)(PAGE - 1);

	if (!sh->unsynced && !bit_get(sh->table_bits, gpa))
		return false;
	if (sh->unsynced || !drop_derived(vm, page, (unsigned)((gpa & (PAGE - 1)) / 8)))
		zap_and_load(vm);
	return true;
}

static uint64_t root_of_id(void *ctx, uint32_t id)
{
	return root_with_id(ctx, id);
}

/*
 * No CR3 reload here: the caller may run on another CPU than vm's vCPU
 * (the VMCS is not this CPU's); the invalidation path flushes the vCPU's
 * tag before it enters again.
 */
bool shadow_page_removed(struct vm *vm, uint64_t gpa, uint64_t size)
{
	struct shadow *sh = vm->shadow;

	if (!sh)
		return true;
	for (uint64_t page = gpa & ~(uint64_t)(PAGE - 1); page < gpa + size; page += PAGE) {
		int cleared;

		if (page >= vm->mem.size || !bit_get(sh->mapped_bits, page))
			continue;
		cleared = shadow_drop_page_leaves(sh->rmap, &sh->alloc, page, root_of_id, sh);
		if (cleared < 0) {
			sh->stats.reclaim_zaps++;
			return false;
		}
		sh->stats.reclaim_drops += (uint64_t)cleared;
	}
	return true;
}

/*
 * The clock may run on another CPU than vm's vCPU: like shadow_page_removed
 * it changes no CR3; the CPUs' cached translations go at the clock's next
 * mem_flush_if_stale (a flush of the tag, no shadow dropped).
 */
int shadow_take_accessed(struct vm *vm, uint64_t gpa, uint64_t hpa)
{
	struct shadow *sh = vm->shadow;
	uint64_t page = gpa & ~(uint64_t)(PAGE - 1);
	unsigned cleared = 0;
	int used;

	if (page >= vm->mem.size)
		return 0;
	if (bit_get(sh->mapped_bits, page)) {
		used = shadow_take_page_accessed(sh->rmap, &sh->alloc, page, hpa, root_of_id, sh,
						 sh->seen_bits, &cleared);
	} else {
		/* No leaf maps it: only a 2 MiB leaf's kept bit can say it was used. */
		used = bit_get(sh->seen_bits, page);
		sh->seen_bits[page >> 15] &= (uint8_t)~(1u << ((page >> 12) & 7));
	}
	if (used < 0) {
		sh->stats.clock_blind++;
		return 0;
	}
	if (cleared) {
		sh->stats.clock_cleared += cleared;
		mem_mark_cached_stale(&vm->space);
	}
	sh->stats.clock_used += (uint64_t)used;
	return used;
}

bool shadow_page_narrowed(struct vm *vm, uint64_t gpa)
{
	struct shadow *sh = vm->shadow;
	uint64_t page = gpa & ~(uint64_t)(PAGE - 1);

	if (!sh || sh->unsynced)
		return false;
	if (!bit_get(sh->writable_bits, page))
		return true;
	return drop_derived(vm, page, ~0u);
}

uint64_t shadow_guest_efer(const struct vm *vm)
{
	return vm->shadow->guest_efer;
}

/* The CPU keeps NXE on, so shadows can deny execution where Skiff does. */
void shadow_write_efer(struct vm *vm, uint64_t value)
{
	struct shadow *sh = vm->shadow;
	bool nxe_changed = ((sh->guest_efer ^ value) & EFER_NXE) != 0;

	sh->guest_efer = value;
	hal->reg_write(&vm->vcpu, HAL_REG_EFER, value | EFER_NXE);
	if (nxe_changed) {
		zap(sh, true);
		hal->shadow_load_root(&vm->vcpu, sh->roots[sh->current].root);
	}
}

/*
 * mark_tables: in a synced state, every table page this walk used becomes
 * write-protected, and the reverse map records it (with the addresses it
 * serves here). One that some shadow maps writable loses those leaves,
 * found through the map; only when the map cannot tell is everything
 * zapped.
 */
static void mark_tables(struct vm *vm, uint64_t va, const struct gw_result *w)
{
	struct shadow *sh = vm->shadow;
	bool must_zap = false;

	if (sh->unsynced)
		return;
	for (unsigned i = 0; i < w->table_count; i++) {
		uint64_t page = w->tables[i];
		unsigned level = 4 - i;
		struct rmap_record r = {
			.page = page, .level = (uint8_t)level,
			.va = va & ~((UINT64_C(1) << (12 + 9 * level)) - 1),
			.shadow = sh->roots[sh->current].id,
		};

		rmap_record(sh, &r);
		if (bit_get(sh->table_bits, page))
			continue;
		if (bit_get(sh->writable_bits, page) && !drop_derived(vm, page, ~0u))
			must_zap = true;
		bit_set(sh->table_bits, page);
	}
	if (must_zap) {
		zap(sh, false);
		/* The records of this walk went with the map: the fill's tables
		 * are recorded again, and the map can answer again. */
		mark_tables(vm, va, w);
	}
}

/* record_leaf: the reverse map learns that the current shadow maps gpa's
 * page (or the 2 MiB around it) at va, writable or not: narrowing the
 * page drops it, and so does the memory core taking the page. */
static void record_leaf(struct shadow *sh, uint64_t va, uint64_t gpa, bool large)
{
	uint64_t mask = large ? LARGE - 1 : PAGE - 1;
	struct rmap_record r = {
		.page = gpa & ~mask, .va = va & ~mask, .level = 0, .large = large,
		.shadow = sh->roots[sh->current].id,
	};

	rmap_record(sh, &r);
}

/*
 * unsync: the guest writes one of its table pages (see the top of file).
 * The current shadow keeps its leaves, so their reverse-map records and
 * mapped bits stay for reclaim; its table records are not used while
 * unsynced and go at the next full drop.
 */
static void unsync(struct shadow *sh)
{
	drop_others(sh);
	memset(sh->writable_bits, 0, sh->bits_each);
	memset(sh->table_bits, 0, sh->bits_each);
	sh->unsynced = true;
	sh->stats.unsyncs++;
}

static const char *access_name(unsigned access)
{
	if (access & PF_FETCH)
		return "execute";
	return (access & PF_WRITE) ? "write" : "read";
}

/* end_outside: va's walk (leaf false) or its page (leaf true) lies at gpa,
 * outside RAM: what nested paging reports as a nested page fault. */
static bool end_outside(struct vm *vm, uint64_t va, uint64_t gpa, unsigned access, bool leaf)
{
	vm_end(vm, 1, VM_END_KILLED,
	       "shadow page fault: %s at gpa 0x%llx, outside its RAM [0, 0x%llx) (%s va 0x%llx), rip 0x%llx",
	       leaf ? access_name(access) : "page walk", (unsigned long long)gpa,
	       (unsigned long long)vm->mem.size,
	       leaf ? "page of" : "table entry for", (unsigned long long)va,
	       (unsigned long long)hal->reg_read(&vm->vcpu, HAL_REG_RIP));
	return false;
}

static bool end_out_of_memory(struct vm *vm, uint64_t va)
{
	vm_end(vm, 1, VM_END_KILLED,
	       "out of memory: no frame left for its shadow of va 0x%llx (Skiff has %llu KiB free)",
	       (unsigned long long)va, (unsigned long long)(frames_free_bytes() >> 10));
	return false;
}

/* The host frame and Skiff's permissions for gpa's page; false after
 * ending vm when Skiff denies the access (as nested paging would). */
static bool host_side(struct vm *vm, uint64_t va, uint64_t gpa, unsigned access,
		      uint64_t *hpa, unsigned *perms, uint64_t *host_size)
{
	uint64_t page = gpa & ~(uint64_t)(PAGE - 1);

	/*
	 * A fill is the shadow's nested page fault: the guest is between two
	 * instructions, so, as there, its own zero and cold pages may be
	 * reclaimed to place this one (guest_ptr spares them: it serves
	 * hypercalls in the middle of their work). -ENOENT: already placed.
	 */
	if (np_lookup(&vm->nested, page, NULL, NULL, NULL) != 0 &&
	    vm_first_touch(vm, page) == -ENOMEM)
		return end_out_of_memory(vm, va);
	if (!guest_ptr(&vm->mem, page, PAGE))
		return end_out_of_memory(vm, va);
	if (np_lookup(&vm->nested, page, hpa, perms, host_size) != 0)
		return end_out_of_memory(vm, va);
	*hpa &= ~(uint64_t)(PAGE - 1);
	if (((access & PF_WRITE) && !(*perms & NP_WRITE)) ||
	    ((access & PF_FETCH) && !(*perms & NP_EXEC))) {
		vm_end(vm, 1, VM_END_KILLED,
		       "shadow page fault: %s at gpa 0x%llx denied by %s, va 0x%llx, rip 0x%llx",
		       access_name(access), (unsigned long long)gpa,
		       pv_is_table(vm, gpa) ? "paging=pv: a registered page-table page "
		       "(changed only by call 0x592)" : "its segment permissions",
		       (unsigned long long)va,
		       (unsigned long long)hal->reg_read(&vm->vcpu, HAL_REG_RIP));
		return false;
	}
	return true;
}

/* The shadow leaf: the guest's permissions intersected with Skiff's. */
static uint64_t leaf_for(struct shadow *sh, const struct gw_result *w, uint64_t hpa,
			 unsigned perms)
{
	uint64_t gpa = w->gpa;
	uint64_t pte = hpa | PTE_P | PTE_A | w->cache_bits;
	bool writable = w->writable && w->dirty && (perms & NP_WRITE) &&
		(sh->unsynced || !bit_get(sh->table_bits, gpa));

	if (w->user)
		pte |= PTE_US;
	if (!w->executable || !(perms & NP_EXEC))
		pte |= PTE_NX;
	bit_set(sh->mapped_bits, gpa);
	if (writable) {
		pte |= PTE_RW | PTE_D;
		bit_set(sh->writable_bits, gpa);
	}
	return pte;
}

/* any_table_in: some page of the 2 MiB at gpa is marked as a guest table. */
static bool any_table_in(const struct shadow *sh, uint64_t gpa)
{
	const uint8_t *bits = sh->table_bits + ((gpa & ~(LARGE - 1)) >> 15);

	for (unsigned i = 0; i < LARGE >> 15; i++)
		if (bits[i])
			return true;
	return false;
}

/*
 * large_leaf: the 2 MiB leaf for w, or 0 where 4 KiB leaves must do. One
 * leaf is enough when the guest maps a 2 MiB or 1 GiB page there, Skiff
 * backs the guest-physical 2 MiB with one 2 MiB frame (so one set of
 * permissions), and a writable leaf would not cover a protected table.
 * pte is the 4 KiB leaf leaf_for made; its writable bit is then spread
 * over the 2 MiB.
 */
static uint64_t large_leaf(struct vm *vm, const struct gw_result *w, uint64_t pte,
			   uint64_t host_size)
{
	struct shadow *sh = vm->shadow;
	uint64_t base = w->gpa & ~(LARGE - 1);

	if (w->level < 2 || host_size < LARGE || base + LARGE > vm->mem.size)
		return 0;
	if ((pte & PTE_RW) && !sh->unsynced && any_table_in(sh, base))
		return 0;
	if (pte & PTE_RW)
		memset(sh->writable_bits + (base >> 15), 0xff, LARGE >> 15);
	memset(sh->mapped_bits + (base >> 15), 0xff, LARGE >> 15);
	return (pte & ~PTE_ADDR) | ((pte & PTE_ADDR) & ~(LARGE - 1));
}

static int set_leaf(struct vm *vm, uint64_t va, uint64_t pte, bool large)
{
	struct shadow *sh = vm->shadow;
	uint64_t root = sh->roots[sh->current].root;
	int (*set)(struct st_alloc *, uint64_t, uint64_t, uint64_t) =
		large ? st_set_large : st_set_leaf;

	if (set(&sh->alloc, root, va, pte) == 0)
		return 0;
	zap(sh, true);   /* give back every other table page, then try again */
	hal->shadow_load_root(&vm->vcpu, root);
	return set(&sh->alloc, root, va, pte);
}

static void inject_fault(struct vm *vm, uint64_t va, uint32_t error)
{
	vm->shadow->stats.guest_faults++;
	hal->reg_write(&vm->vcpu, HAL_REG_CR2, va);
	hal->inject_exception(&vm->vcpu, 14, true, error);
}

bool shadow_page_fault(struct vm *vm, uint64_t va, uint32_t error)
{
	struct shadow *sh = vm->shadow;
	unsigned access = error & (PF_WRITE | PF_USER | PF_FETCH);
	uint64_t page = va & ~(uint64_t)(PAGE - 1);
	struct gw_result w;
	uint64_t hpa, pte, large, root, host_size;
	unsigned perms;

	switch (shadow_walk(vm, va, access, &w)) {
	case GW_OUTSIDE_RAM:
		return end_outside(vm, va, w.gpa, access, false);
	case GW_FAULT:
		inject_fault(vm, va, w.error | (error & PF_USER));
		return true;
	case GW_OK:
		break;
	}
	if (w.gpa >= vm->mem.size)
		return end_outside(vm, va, w.gpa, access, true);
	if (!host_side(vm, va, w.gpa, access, &hpa, &perms, &host_size))
		return false;
	mark_tables(vm, va, &w);
	if (!sh->unsynced && (access & PF_WRITE) && bit_get(sh->table_bits, w.gpa))
		unsync(sh);
	pte = leaf_for(sh, &w, hpa, perms);
	large = large_leaf(vm, &w, pte, host_size);
	if (large)
		pte = large;
	root = sh->roots[sh->current].root;
	/*
	 * The same leaf again: a check only the CPU makes (SMEP, SMAP) denied
	 * it, or a stale TLB entry did. Flush once; a second time the fault is
	 * the guest's.
	 */
	if (st_get_leaf(&sh->alloc, root, page) == (large ? pte | PTE_PS : pte)) {
		if (sh->last_refault_va == page) {
			sh->last_refault_va = ~UINT64_C(0);
			inject_fault(vm, va, error);
			return true;
		}
		sh->last_refault_va = page;
		hal->shadow_load_root(&vm->vcpu, root);
		return true;
	}
	sh->last_refault_va = ~UINT64_C(0);
	if (set_leaf(vm, page, pte, large != 0) != 0)
		return end_out_of_memory(vm, va);
	record_leaf(sh, va, w.gpa, large != 0);
	sh->stats.fills++;
	sh->stats.large_fills += large != 0;
	if (sh->alloc.pages > sh->stats.peak_pages)
		sh->stats.peak_pages = sh->alloc.pages;
	return true;
}

/* lru_slot: the cached shadow used longest ago (never the current one). */
static unsigned lru_slot(const struct shadow *sh)
{
	unsigned best = sh->current == 0 && sh->count > 1 ? 1 : 0;

	for (unsigned i = 0; i < sh->count; i++)
		if (i != sh->current && sh->roots[i].last_use < sh->roots[best].last_use)
			best = i;
	return best;
}

/* A slot for a new shadow of guest table base; false when out of frames. */
static bool new_shadow(struct shadow *sh, uint64_t base)
{
	unsigned slot;

	if (sh->unsynced) {
		/* The current shadow may be stale: reuse its root, empty. */
		st_zap(&sh->alloc, sh->roots[sh->current].root);
		clear_bits(sh, true);
		sh->unsynced = false;
		slot = sh->current;
		emptied(sh, slot);
	} else if (sh->count < sh->cache_roots) {
		uint64_t root = st_root_new(&sh->alloc);

		if (!root)
			return false;
		slot = sh->count++;
		sh->roots[slot].root = root;
		emptied(sh, slot);
	} else {
		slot = sh->cache_roots == 1 ? sh->current : lru_slot(sh);
		st_zap(&sh->alloc, sh->roots[slot].root);
		emptied(sh, slot);
	}
	sh->roots[slot].guest_cr3 = base;
	sh->current = slot;
	return true;
}

bool shadow_cr3_load(struct vm *vm, uint64_t value)
{
	struct shadow *sh = vm->shadow;
	uint64_t base = value & PTE_ADDR;
	unsigned i;

	sh->stats.cr3_loads++;
	sh->guest_cr3 = value;
	for (i = 0; !sh->unsynced && i < sh->count; i++)
		if (sh->roots[i].guest_cr3 == base)
			break;
	if (!sh->unsynced && i < sh->count) {
		sh->stats.cache_hits++;
		sh->current = i;
	} else {
		sh->stats.cache_misses++;
		if (!new_shadow(sh, base)) {
			zap(sh, true);
			if (!new_shadow(sh, base))
				return end_out_of_memory(vm, 0);
		}
	}
	sh->roots[sh->current].last_use = ++sh->tick;
	hal->shadow_load_root(&vm->vcpu, sh->roots[sh->current].root);
	return true;
}

void shadow_invlpg(struct vm *vm, uint64_t va, bool known)
{
	struct shadow *sh = vm->shadow;
	uint64_t root = sh->roots[sh->current].root;

	sh->stats.invlpgs++;
	if (known)
		st_clear_leaf(&sh->alloc, root, va & ~(uint64_t)(PAGE - 1));
	else if (sh->unsynced) {
		st_zap(&sh->alloc, root);
		emptied(sh, sh->current);
	}
	hal->shadow_load_root(&vm->vcpu, root);
}

int shadow_create(struct vm *vm, unsigned cache_roots, uint64_t guest_cr3,
		  uint64_t guest_efer, uint64_t *root_hpa)
{
	uint64_t state = frame_alloc();
	uint64_t pages = vm->mem.size / PAGE;
	struct shadow *sh = (struct shadow *)(uintptr_t)state;

	_Static_assert(sizeof(struct shadow) <= FRAME_SIZE, "shadow state fits a frame");
	if (!state)
		return -ENOMEM;
	sh->cache_roots = cache_roots ? cache_roots : SHADOW_CACHE_DEFAULT;
	sh->guest_cr3 = guest_cr3;
	sh->guest_efer = guest_efer;
	sh->alloc = (struct st_alloc){ table_page_alloc, table_page_free, table_page_virt, NULL, 0 };
	sh->phys_bits = cpuid(0x80000000u, 0).eax >= 0x80000008u ?
		(cpuid(0x80000008u, 0).eax & 0xffu) : 36;
	sh->last_refault_va = ~UINT64_C(0);
	sh->bits_each = ((pages + 7) / 8 + 7) & ~UINT64_C(7);
	sh->bits_bytes = (4 * sh->bits_each + FRAME_SIZE - 1) & ~(uint64_t)(FRAME_SIZE - 1);
	sh->bits_hpa = frames_alloc_contiguous(sh->bits_bytes, FRAME_SIZE);
	vm->shadow = sh;
	if (!sh->bits_hpa)
		return -ENOMEM;
	memset((void *)(uintptr_t)sh->bits_hpa, 0, sh->bits_bytes);
	sh->rmap_bytes = (RMAP_STORAGE_BYTES(RMAP_CAPACITY) + FRAME_SIZE - 1) &
		~(uint64_t)(FRAME_SIZE - 1);
	sh->rmap_hpa = frames_alloc_contiguous(sh->rmap_bytes, FRAME_SIZE);
	if (!sh->rmap_hpa)
		return -ENOMEM;
	sh->rmap = &sh->rmap_state;
	rmap_init(sh->rmap, (void *)(uintptr_t)sh->rmap_hpa, RMAP_CAPACITY);
	sh->rmap_max = rmap_max_for(pages);
	sh->table_bits = (uint8_t *)(uintptr_t)sh->bits_hpa;
	sh->writable_bits = sh->table_bits + sh->bits_each;
	sh->mapped_bits = sh->writable_bits + sh->bits_each;
	sh->seen_bits = sh->mapped_bits + sh->bits_each;
	sh->roots[0] = (struct shadow_root){ guest_cr3 & PTE_ADDR, st_root_new(&sh->alloc), 1, 1 };
	sh->next_id = 1;
	sh->count = 1;
	if (!sh->roots[0].root)
		return -ENOMEM;
	*root_hpa = sh->roots[0].root;
	return 0;
}

void shadow_destroy(struct vm *vm)
{
	struct shadow *sh = vm->shadow;

	if (!sh)
		return;
	for (unsigned i = 0; i < sh->count; i++)
		if (sh->roots[i].root)
			st_free(&sh->alloc, sh->roots[i].root);
	if (sh->bits_hpa)
		frames_free(sh->bits_hpa, sh->bits_bytes);
	if (sh->rmap_hpa)
		frames_free(sh->rmap_hpa, sh->rmap_bytes);
	frames_free((uint64_t)(uintptr_t)sh, FRAME_SIZE);
	vm->shadow = NULL;
}

void shadow_log_summary(const struct vm *vm)
{
	const struct shadow *sh = vm->shadow;
	const struct shadow_stats *s;

	if (!sh)
		return;
	s = &sh->stats;
	log_printf("guest %s: shadow cache=%u cr3_loads=%llu hits=%llu misses=%llu fills=%llu "
		   "large=%llu guest_faults=%llu unsyncs=%llu zaps=%llu invlpgs=%llu "
		   "peak_tables=%llu KiB clock_used=%llu clock_cleared=%llu clock_blind=%llu "
		   "rmap_cap=%u rmap_compacts=%llu rmap_grows=%llu rmap_losses=%llu "
		   "rmap_drops=%llu reclaim_drops=%llu reclaim_zaps=%llu "
		   "invpcids=%llu",
		   vm->name, sh->cache_roots, (unsigned long long)s->cr3_loads,
		   (unsigned long long)s->cache_hits, (unsigned long long)s->cache_misses,
		   (unsigned long long)s->fills, (unsigned long long)s->large_fills,
		   (unsigned long long)s->guest_faults,
		   (unsigned long long)s->unsyncs, (unsigned long long)s->zaps,
		   (unsigned long long)s->invlpgs, (unsigned long long)(s->peak_pages * 4),
		   (unsigned long long)s->clock_used, (unsigned long long)s->clock_cleared,
		   (unsigned long long)s->clock_blind, sh->rmap->capacity,
		   (unsigned long long)s->rmap_compacts, (unsigned long long)s->rmap_grows,
		   (unsigned long long)s->rmap_losses,
		   (unsigned long long)s->rmap_drops, (unsigned long long)s->reclaim_drops,
		   (unsigned long long)s->reclaim_zaps, (unsigned long long)s->invpcids);
}
