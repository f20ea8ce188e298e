/*
 * pv_check_test.c - the PV MMU's rules and records (pv_check.h) on a guest
 * of 64 pages: a tree built bottom-up, each rule broken once, a batch with
 * a bad entry in the middle, registration and unregistration refusals.
 */
#include <string.h>

#include "check.h"
#include "hypervisor/mem/pv/pv_check.h"

#define PAGES 64u
#define P PV_PAGE
#define RW 3u     /* present, writable */
#define RO 1u     /* present */
#define PS 0x80u

static uint64_t ram[PAGES * P / 8];
static struct pv_page pages[PAGES];
static unsigned stale_calls;

static uint64_t *entry_at(void *ctx, uint64_t gpa)
{
	(void)ctx;
	return &ram[gpa / 8];
}

static void on_stale(void *ctx, uint64_t gpa)
{
	(void)ctx;
	(void)gpa;
	stale_calls++;
}

static struct pv_tables t = {
	.pages = pages, .ram_size = PAGES * P, .phys_bits = 40, .nxe = true,
	.entry = entry_at, .stale = on_stale,
};

static enum pv_error set(uint64_t entry, uint64_t value)
{
	struct pv_update u = { entry, value };
	uint64_t applied, detail;
	bool flush;

	return pv_apply_batch(&t, &u, 1, &applied, &flush, &detail);
}

/* Pages 1..4: PT, PD, PDPT, PML4 of one tree; 10.. data. */
static void build_tree(void)
{
	uint64_t detail;

	CHECK(pv_register(&t, 1 * P, 1, &detail) == PV_OK);
	CHECK(pv_register(&t, 2 * P, 2, &detail) == PV_OK);
	CHECK(pv_register(&t, 3 * P, 3, &detail) == PV_OK);
	CHECK(pv_register(&t, 4 * P, 4, &detail) == PV_OK);
	CHECK(set(1 * P, 10 * P | RW) == PV_OK);
	CHECK(set(2 * P, 1 * P | RW) == PV_OK);
	CHECK(set(3 * P, 2 * P | RW) == PV_OK);
	CHECK(set(4 * P, 3 * P | RW) == PV_OK);
	CHECK(pv_check_root(&t, 4 * P) == PV_OK);
	CHECK(pages[1].table_refs == 1 && pages[10].writable_refs == 1);
}

static void rules(void)
{
	uint64_t detail;

	CHECK(set(1 * P + 8, (PAGES * P) | RO) == PV_E_OUTSIDE_RAM);
	CHECK(set(1 * P + 8, 4 * P | RW) == PV_E_WRITABLE_TABLE);
	CHECK(set(1 * P + 8, 4 * P | RO) == PV_OK);                 /* read-only: fine */
	CHECK(set(4 * P + 8, 4 * P | RW) == PV_E_LEVEL);            /* self reference */
	CHECK(set(2 * P + 8, 3 * P | RW) == PV_E_LEVEL);            /* loop upwards */
	CHECK(set(4 * P + 8, 1 * P | RW) == PV_E_LEVEL);            /* skips levels */
	CHECK(set(2 * P + 8, 11 * P | RW) == PV_E_LEVEL);           /* not registered */
	CHECK(set(4 * P + 8, 3 * P | RW | PS) == PV_E_RESERVED);    /* PS in a PML4 entry */
	CHECK(set(1 * P + 16, 10 * P | RO | (UINT64_C(1) << 45)) == PV_E_RESERVED);
	CHECK(set(2 * P + 16, 0x202000 | RO | PS) == PV_E_RESERVED); /* 2 MiB, bit 13 */
	CHECK(set(2 * P + 16, 0 | RO | PS) == PV_E_OUTSIDE_RAM);     /* 2 MiB > 256 KiB RAM */
	CHECK(set(3 * P + 8, 0 | RO | PS) == PV_E_OUTSIDE_RAM);      /* 1 GiB */
	CHECK(set(10 * P, 0) == PV_E_NOT_REGISTERED);
	CHECK(set(1 * P + 3, 0) == PV_E_ENTRY_ADDR);
	CHECK(set(PAGES * P, 0) == PV_E_ENTRY_ADDR);
	t.nxe = false;
	CHECK(set(1 * P + 16, 10 * P | RO | (UINT64_C(1) << 63)) == PV_E_RESERVED);
	t.nxe = true;
	CHECK(set(1 * P + 16, 10 * P | RO | (UINT64_C(1) << 63)) == PV_OK);
	CHECK(pv_register(&t, 10 * P, 1, &detail) == PV_E_MAPPED_WRITABLE);
	CHECK(pv_check_root(&t, 3 * P) == PV_E_NOT_ROOT);
	CHECK(pv_check_root(&t, 4 * P | 0x18) == PV_OK);
	CHECK(pv_check_root(&t, 4 * P | 1) == PV_E_NOT_ROOT);
}

static void batch_prefix(void)
{
	struct pv_update list[3] = {
		{ 1 * P + 40, 12 * P | RO },
		{ 1 * P + 48, 4 * P | RW },
		{ 1 * P + 56, 13 * P | RO },
	};
	uint64_t applied, detail;
	bool flush;

	CHECK(pv_apply_batch(&t, list, 3, &applied, &flush, &detail) == PV_E_WRITABLE_TABLE);
	CHECK(applied == 1 && detail == 4 * P && !flush);
	CHECK(ram[(P + 40) / 8] == (12 * P | RO) && ram[(P + 48) / 8] == 0 && ram[(P + 56) / 8] == 0);
	CHECK(pv_apply_batch(&t, list, PV_BATCH_MAX + 1, &applied, &flush, &detail) == PV_E_BATCH);
	CHECK(applied == 0);
	stale_calls = 0;
	list[0].value = 12 * P | RW;  /* a present entry changes: stale */
	CHECK(pv_apply_batch(&t, list, 1, &applied, &flush, &detail) == PV_OK);
	CHECK(flush && stale_calls == 1 && pages[12].writable_refs == 1);
}

static void registration(void)
{
	uint64_t detail;

	CHECK(pv_register(&t, 1 * P, 1, &detail) == PV_E_REGISTERED);
	CHECK(pv_register(&t, 20 * P + 8, 1, &detail) == PV_E_PAGE);
	CHECK(pv_register(&t, 20 * P, 0, &detail) == PV_E_LEVEL_ARG);
	ram[21 * P / 8 + 5] = 21 * P | RW;    /* maps itself writable */
	CHECK(pv_register(&t, 21 * P, 1, &detail) == PV_E_CONTENTS && detail == 5);
	ram[21 * P / 8 + 5] = 21 * P | RO;
	CHECK(pv_register(&t, 21 * P, 1, &detail) == PV_OK);
	CHECK(pv_unregister(&t, 1 * P, 0) == PV_E_IN_USE);          /* named by the PD */
	CHECK(pv_unregister(&t, 4 * P, 4 * P) == PV_E_IN_USE);      /* the loaded root */
	CHECK(pv_unregister(&t, 4 * P, 0) == PV_OK);
	CHECK(pages[3].table_refs == 0);
	CHECK(pv_unregister(&t, 10 * P, 0) == PV_E_NOT_REGISTERED);
	CHECK(pv_unregister(&t, 21 * P, 0) == PV_OK && pages[21].level == 0);
}

/* A 1 GiB leaf inside RAM is refused without touching its 2^18 records. */
static void huge(void)
{
	static struct pv_page big[(UINT64_C(2) << 30) / P];
	struct pv_tables h = t;
	uint64_t detail;

	h.pages = big;
	h.ram_size = UINT64_C(2) << 30;
	big[3].level = 3;
	CHECK(pv_check_entry(&h, 3 * P, 3, (UINT64_C(1) << 30) | RW | PS, &detail) == PV_E_HUGE);
	CHECK(pv_check_entry(&h, 3 * P, 2, (UINT64_C(1) << 30) | RO | PS, &detail) == PV_OK);
}

int main(void)
{
	build_tree();
	rules();
	batch_prefix();
	registration();
	huge();
	return check_report("pv_check_test");
}
