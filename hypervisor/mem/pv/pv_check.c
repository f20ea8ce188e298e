/*
 * pv_check.c - the paravirtual MMU's rules and bookkeeping (pv_check.h).
 *
 * Each present entry of a registered table contributes to the records of
 * the pages it reaches: a table reference to the table it names, a
 * writable reference to every page a writable leaf covers. An update takes
 * the old value's contributions away and adds the new one's, so the two
 * questions the rules ask ("is this page mapped writable by a registered
 * table?", "does a registered table name this page?") cost one look.
 */
#include "hypervisor/mem/pv/pv_check.h"

#define PTE_P (UINT64_C(1) << 0)
#define PTE_RW (UINT64_C(1) << 1)
#define PTE_PS (UINT64_C(1) << 7)
#define PTE_NX (UINT64_C(1) << 63)
#define PTE_ADDR UINT64_C(0x000ffffffffff000)
#define CR3_PWT_PCD UINT64_C(0x18)

static bool in_ram(const struct pv_tables *t, uint64_t gpa)
{
	return gpa < t->ram_size;
}

unsigned pv_level_of(const struct pv_tables *t, uint64_t gpa)
{
	return in_ram(t, gpa) ? t->pages[gpa / PV_PAGE].level : 0;
}

static bool is_leaf(unsigned level, uint64_t value)
{
	return level == 1 || ((level == 2 || level == 3) && (value & PTE_PS));
}

/* leaf_size: the bytes a leaf at level maps (4 KiB, 2 MiB, 1 GiB). */
static uint64_t leaf_size(unsigned level)
{
	return (uint64_t)PV_PAGE << (9 * (level - 1));
}

/* reserved: the reserved bits value has at level (SDM vol. 3A 4.5). */
static bool reserved(const struct pv_tables *t, unsigned level, uint64_t value)
{
	uint64_t above = t->phys_bits >= 52 ? 0 :
		(PTE_ADDR & ~((UINT64_C(1) << t->phys_bits) - 1));

	if ((value & above) || ((value & PTE_NX) && !t->nxe))
		return true;
	if (level == 4 && (value & PTE_PS))
		return true;
	/* A large page's address bits below its size (bit 12 is PAT). */
	if (level > 1 && (value & PTE_PS))
		return (value & (leaf_size(level) - 1) & ~UINT64_C(0x1fff)) != 0;
	return false;
}

/* covers_table: a page of [gpa, gpa+size) is a table page (or self). */
static bool covers_table(const struct pv_tables *t, uint64_t gpa, uint64_t size,
			 uint64_t self, uint64_t *detail)
{
	for (uint64_t a = gpa; a < gpa + size; a += PV_PAGE)
		if (t->pages[a / PV_PAGE].level || a == self) {
			*detail = a;
			return true;
		}
	return false;
}

enum pv_error pv_check_entry(const struct pv_tables *t, uint64_t self, unsigned level,
			     uint64_t value, uint64_t *detail)
{
	uint64_t addr = value & PTE_ADDR;

	if (!(value & PTE_P))
		return PV_OK;
	*detail = value;
	if (reserved(t, level, value))
		return PV_E_RESERVED;
	if (!is_leaf(level, value)) {
		*detail = addr;
		if (!in_ram(t, addr))
			return PV_E_OUTSIDE_RAM;
		if (addr == self || t->pages[addr / PV_PAGE].level != level - 1)
			return PV_E_LEVEL;
		return PV_OK;
	}
	if (level > 1)
		addr &= ~(leaf_size(level) - 1);
	*detail = addr;
	if (addr >= t->ram_size || leaf_size(level) > t->ram_size - addr)
		return PV_E_OUTSIDE_RAM;
	if (level == 3)
		return PV_E_HUGE;
	if ((value & PTE_RW) && covers_table(t, addr, leaf_size(level), self, detail))
		return PV_E_WRITABLE_TABLE;
	return PV_OK;
}

/* account: add (sign 1) or take away (sign -1) value's contributions. */
static void account(struct pv_tables *t, unsigned level, uint64_t value, int sign)
{
	uint64_t addr = value & PTE_ADDR;

	if (!(value & PTE_P))
		return;
	if (!is_leaf(level, value)) {
		t->pages[addr / PV_PAGE].table_refs += (uint32_t)sign;
		return;
	}
	if (!(value & PTE_RW))
		return;
	addr &= ~(leaf_size(level) - 1);
	for (uint64_t a = addr; a < addr + leaf_size(level); a += PV_PAGE)
		t->pages[a / PV_PAGE].writable_refs += (uint32_t)sign;
}

static enum pv_error apply_one(struct pv_tables *t, const struct pv_update *u, bool *flush,
			       uint64_t *detail)
{
	uint64_t page = u->entry & ~(uint64_t)(PV_PAGE - 1);
	unsigned level;
	enum pv_error err;
	uint64_t *slot;

	*detail = u->entry;
	if ((u->entry & 7) || !in_ram(t, u->entry))
		return PV_E_ENTRY_ADDR;
	level = t->pages[page / PV_PAGE].level;
	if (!level)
		return PV_E_NOT_REGISTERED;
	if ((err = pv_check_entry(t, page, level, u->value, detail)) != PV_OK)
		return err;
	if (!(slot = t->entry(t->ctx, u->entry))) {
		*detail = u->entry;
		return PV_E_ENTRY_ADDR;
	}
	account(t, level, *slot, -1);
	account(t, level, u->value, 1);
	if ((*slot & PTE_P) && *slot != u->value) {
		*slot = u->value;
		*flush = true;
		if (t->stale)
			t->stale(t->ctx, u->entry);
		return PV_OK;
	}
	*slot = u->value;
	return PV_OK;
}

enum pv_error pv_apply_batch(struct pv_tables *t, const struct pv_update *list, uint64_t count,
			     uint64_t *applied, bool *flush, uint64_t *detail)
{
	*applied = 0;
	*flush = false;
	*detail = count;
	if (count > PV_BATCH_MAX)
		return PV_E_BATCH;
	for (uint64_t i = 0; i < count; i++) {
		enum pv_error err = apply_one(t, &list[i], flush, detail);

		if (err != PV_OK)
			return err;
		*applied = i + 1;
	}
	return PV_OK;
}

static bool page_ok(const struct pv_tables *t, uint64_t gpa)
{
	return (gpa & (PV_PAGE - 1)) == 0 && in_ram(t, gpa);
}

enum pv_error pv_register(struct pv_tables *t, uint64_t gpa, unsigned level, uint64_t *detail)
{
	struct pv_page *p;
	uint64_t *entries;

	*detail = gpa;
	if (!page_ok(t, gpa))
		return PV_E_PAGE;
	if (level < 1 || level > 4)
		return PV_E_LEVEL_ARG;
	p = &t->pages[gpa / PV_PAGE];
	if (p->level)
		return PV_E_REGISTERED;
	if (p->writable_refs)
		return PV_E_MAPPED_WRITABLE;
	if (!(entries = t->entry(t->ctx, gpa)))
		return PV_E_PAGE;
	for (unsigned i = 0; i < PV_PAGE / 8; i++) {
		uint64_t why;

		if (pv_check_entry(t, gpa, level, entries[i], &why) != PV_OK) {
			*detail = i;
			return PV_E_CONTENTS;
		}
	}
	for (unsigned i = 0; i < PV_PAGE / 8; i++)
		account(t, level, entries[i], 1);
	p->level = level;
	t->registered++;
	return PV_OK;
}

enum pv_error pv_unregister(struct pv_tables *t, uint64_t gpa, uint64_t root)
{
	struct pv_page *p;
	uint64_t *entries;

	if (!page_ok(t, gpa) || !t->pages[gpa / PV_PAGE].level)
		return PV_E_NOT_REGISTERED;
	p = &t->pages[gpa / PV_PAGE];
	if (p->table_refs || gpa == (root & PTE_ADDR))
		return PV_E_IN_USE;
	if (!(entries = t->entry(t->ctx, gpa)))
		return PV_E_PAGE;
	for (unsigned i = 0; i < PV_PAGE / 8; i++)
		account(t, p->level, entries[i], -1);
	p->level = 0;
	t->registered--;
	return PV_OK;
}

enum pv_error pv_check_root(const struct pv_tables *t, uint64_t cr3)
{
	uint64_t base = cr3 & PTE_ADDR;

	if ((cr3 & ~(PTE_ADDR | CR3_PWT_PCD)) || !page_ok(t, base) || pv_level_of(t, base) != 4)
		return PV_E_NOT_ROOT;
	return PV_OK;
}

const char *pv_error_name(enum pv_error err)
{
	static const char *const names[PV_E_COUNT] = {
		[PV_OK] = "ok",
		[PV_E_MODE] = "the guest does not run with paging=pv",
		[PV_E_PAGE] = "not a 4 KiB-aligned page of plain RAM",
		[PV_E_LEVEL_ARG] = "level is not 1..4",
		[PV_E_REGISTERED] = "already registered",
		[PV_E_MAPPED_WRITABLE] = "a registered table maps it writable",
		[PV_E_CONTENTS] = "an entry in it breaks a rule",
		[PV_E_NOT_REGISTERED] = "not a registered page-table page",
		[PV_E_IN_USE] = "in use (a registered table names it, or it is the loaded root)",
		[PV_E_BATCH] = "batch longer than 256 entries or outside RAM",
		[PV_E_ENTRY_ADDR] = "entry address not 8-aligned or outside RAM",
		[PV_E_OUTSIDE_RAM] = "maps or names memory outside its RAM",
		[PV_E_WRITABLE_TABLE] = "would map a registered page-table page writable",
		[PV_E_LEVEL] = "names a page not registered one level down (levels must fall by one)",
		[PV_E_RESERVED] = "sets a reserved bit",
		[PV_E_NOT_ROOT] = "not a registered level-4 table (or bits beside the address, PWT, PCD)",
		[PV_E_HUGE] = "a 1 GiB page (not offered under paging=pv)",
	};

	return (unsigned)err < PV_E_COUNT ? names[err] : "unknown error";
}
