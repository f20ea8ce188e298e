/*
 * fuzz_pv_batch.c - libFuzzer entry point for the paravirtual MMU's
 * validator (hypervisor/mem/pv/pv_check.c). The first byte chooses
 * MAXPHYADDR and EFER.NXE; then come operations of 17 bytes (a kind byte
 * and two 8-byte arguments): register a page at a level, unregister, an
 * update (consecutive updates form one batch), a CR3 check. The guest's
 * RAM is 16 pages, starting zeroed. After every operation the records are
 * recomputed from scratch and compared, and the rules checked over every
 * registered table: every present entry passes pv_check_entry, no
 * registered page is covered by a writable leaf of a registered table, a
 * batch applies exactly its good prefix. Entries are only ever read inside
 * RAM, 8-aligned.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/mem/pv/pv_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGES 16u
#define RAM (PAGES * PV_PAGE)
#define OP_BYTES 17u

static uint64_t ram[RAM / 8];
static struct pv_page pages[PAGES];

static uint64_t *entry_at(void *ctx, uint64_t gpa)
{
	(void)ctx;
	if (gpa >= RAM || (gpa & 7))
		abort();
	return &ram[gpa / 8];
}

static uint64_t load(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Recompute what the records must say, and check every rule. */
static void check_all(const struct pv_tables *t)
{
	uint32_t writable[PAGES] = { 0 }, tables[PAGES] = { 0 };
	uint64_t registered = 0;

	for (unsigned p = 0; p < PAGES; p++) {
		unsigned level = pages[p].level;

		if (!level)
			continue;
		if (level > 4)
			abort();
		registered++;
		for (unsigned i = 0; i < PV_PAGE / 8; i++) {
			uint64_t v = ram[p * 512 + i], detail, addr = v & UINT64_C(0x000ffffffffff000);
			bool leaf = level == 1 || ((level == 2 || level == 3) && (v & 0x80));
			uint64_t size = (uint64_t)PV_PAGE << (9 * (level - 1));

			if (!(v & 1))
				continue;
			if (pv_check_entry(t, (uint64_t)p * PV_PAGE, level, v, &detail) != PV_OK)
				abort();
			if (!leaf) {
				tables[addr / PV_PAGE]++;
				continue;
			}
			addr &= ~(size - 1);
			if (addr + size > RAM)
				abort();
			for (uint64_t a = addr; (v & 2) && a < addr + size; a += PV_PAGE)
				writable[a / PV_PAGE]++;
		}
	}
	if (registered != t->registered)
		abort();
	for (unsigned p = 0; p < PAGES; p++) {
		if (pages[p].writable_refs != writable[p] || pages[p].table_refs != tables[p])
			abort();
		if (pages[p].level && writable[p])
			abort();   /* a registered table page mapped writable */
	}
}

static void run_batch(struct pv_tables *t, const struct pv_update *list, uint64_t count)
{
	uint64_t before[RAM / 8], applied, detail;
	bool flush;
	enum pv_error err;

	memcpy(before, ram, sizeof(ram));
	err = pv_apply_batch(t, list, count, &applied, &flush, &detail);
	if (applied > count || (err == PV_OK) != (applied == count))
		abort();
	/* Past the good prefix nothing changed: replaying the prefix on the
	 * old RAM must give the new RAM. */
	for (uint64_t i = 0; i < applied; i++)
		before[list[i].entry / 8] = list[i].value;
	if (memcmp(before, ram, sizeof(ram)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pv_update batch[8];
	unsigned pending = 0;
	struct pv_tables t = {
		.pages = pages, .ram_size = RAM, .entry = entry_at,
	};

	if (size < 1)
		return 0;
	memset(ram, 0, sizeof(ram));
	memset(pages, 0, sizeof(pages));
	t.phys_bits = 36 + data[0] % 17;
	t.nxe = data[0] & 0x80;
	for (size_t at = 1; at + OP_BYTES <= size; at += OP_BYTES) {
		uint8_t kind = data[at] % 4;
		uint64_t a = load(data + at + 1), b = load(data + at + 9), detail;

		if (kind == 2 && pending < 8) {
			/* Entries mostly inside RAM so that rules, not bounds, decide. */
			batch[pending++] = (struct pv_update){ (data[at] & 0x80) ? a : a % (RAM + 64), b };
			continue;
		}
		if (pending) {
			run_batch(&t, batch, pending);
			pending = 0;
			check_all(&t);
		}
		if (kind == 0)
			(void)pv_register(&t, (a % (PAGES + 1)) * PV_PAGE + (b & 0x100 ? 8 : 0),
					  (unsigned)(b % 6), &detail);
		else if (kind == 1)
			(void)pv_unregister(&t, (a % (PAGES + 1)) * PV_PAGE, b);
		else if (kind == 3 && pv_check_root(&t, a) == PV_OK &&
			 pages[(a & UINT64_C(0x000ffffffffff000)) / PV_PAGE].level != 4)
			abort();
		check_all(&t);
	}
	if (pending)
		run_batch(&t, batch, pending);
	check_all(&t);
	return 0;
}
