/*
 * fuzz_free_report.c - libFuzzer entry point for free_report_check, the
 * check of a guest's free-page report (hypervisor/mem/free_report.h).
 *
 * Input: u8 mode, u64 ram_size, u64 protected_end, u64 count (all
 * little-endian), then the entries (16 bytes each, zero-padded to count
 * when count is within the limit). mode bit 0 folds ram_size into a guest
 * size Skiff accepts (2 MiB multiples up to 4 GiB) and protected_end below
 * it, and entry addresses near RAM, so most lists get past the first
 * checks; otherwise every value is taken as given.
 *
 * The list lies in a heap block of exactly count entries, so ASan reports
 * a read past it. The verdict is compared with a model written another
 * way (128-bit sums, every pair compared): the same error at the same
 * entry, and for a list that passed, its page count.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/mem/free_report.h"

#define HEADER_SIZE 25u

typedef unsigned __int128 u128;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* model_one: what entry i alone is refused for (0 when nothing). */
static enum free_report_error model_one(const struct free_range *r, uint64_t ram,
					uint64_t prot)
{
	u128 end = (u128)r->gpa + r->len;

	if (r->gpa % 4096 || r->len % 4096 || r->len == 0)
		return FREE_REPORT_E_UNALIGNED;
	if (end > ((u128)1 << 64) - 1)
		return FREE_REPORT_E_WRAPS;
	if (end > ram)
		return FREE_REPORT_E_OUTSIDE;
	if (r->gpa < prot)
		return FREE_REPORT_E_LOADER;
	return FREE_REPORT_OK;
}

/* model: the verdict, entry by entry; *bad the entry blamed, *pages the total. */
static enum free_report_error model(const struct free_range *r, uint64_t count, uint64_t ram,
				    uint64_t prot, uint64_t *bad, u128 *pages)
{
	*bad = 0;
	*pages = 0;
	if (count == 0 || count > FREE_REPORT_MAX_RANGES)
		return FREE_REPORT_E_COUNT;
	for (uint64_t i = 0; i < count; i++) {
		enum free_report_error e = model_one(&r[i], ram, prot);

		*bad = i;
		if (e)
			return e;
		if (i > 0) {
			u128 a0 = r[i - 1].gpa, a1 = a0 + r[i - 1].len;
			u128 b0 = r[i].gpa, b1 = b0 + r[i].len;

			if (b0 < a1 && a0 < b1)
				return FREE_REPORT_E_OVERLAP;
			if (b0 < a0)
				return FREE_REPORT_E_ORDER;
		}
		*pages += r[i].len / 4096;
		if (*pages > FREE_REPORT_MAX_PAGES)
			return FREE_REPORT_E_TOO_BIG;
	}
	*bad = 0;
	return FREE_REPORT_OK;
}

/* accepted_is_sound: a list that passed is pairwise disjoint, inside, ascending. */
static void check_accepted(const struct free_range *r, uint64_t count, uint64_t ram,
			   uint64_t prot)
{
	for (uint64_t i = 0; i < count; i++) {
		if (r[i].gpa < prot || (u128)r[i].gpa + r[i].len > ram)
			abort();
		for (uint64_t j = i + 1; j < count; j++)
			if ((u128)r[j].gpa < (u128)r[i].gpa + r[i].len)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct free_report_verdict v;
	struct free_range *list = NULL;
	uint64_t ram, prot, count, bad;
	enum free_report_error want;
	u128 pages;
	uint8_t mode;

	if (size < HEADER_SIZE)
		return 0;
	mode = data[0];
	ram = le64(data + 1);
	prot = le64(data + 9);
	count = le64(data + 17);
	data += HEADER_SIZE;
	size -= HEADER_SIZE;
	if (mode & 1) {
		ram = ((ram % 2048) + 1) << 21;
		prot = (prot % (ram >> 12)) << 12;
		count %= FREE_REPORT_MAX_RANGES + 2;
	}
	if (count >= 1 && count <= FREE_REPORT_MAX_RANGES) {
		list = calloc(count, sizeof(*list));
		if (!list)
			abort();
		for (uint64_t i = 0; i < count && (i + 1) * 16 <= size; i++) {
			list[i].gpa = le64(data + 16 * i);
			list[i].len = le64(data + 16 * i + 8);
			if (mode & 1) {   /* near RAM: page multiples mostly */
				list[i].gpa %= ram + (UINT64_C(1) << 22);
				list[i].len %= (UINT64_C(64) << 20);
			}
		}
	}
	want = model(list, count, ram, prot, &bad, &pages);
	if (free_report_check(list, count, ram, prot, &v) != want || v.error != want ||
	    v.bad_index != bad)
		abort();
	if (want == FREE_REPORT_OK) {
		if (v.pages != pages)
			abort();
		check_accepted(list, count, ram, prot);
	}
	if (free_report_error_name(v.error) == NULL)
		abort();
	free(list);
	return 0;
}
