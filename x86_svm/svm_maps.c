/*
 * svm_maps.c - the I/O and MSR permission maps (APM vol. 2, 15.10, 15.11).
 *
 * Both maps are shared by every guest: a set bit means "intercept". The
 * I/O map has one bit per port plus a spare 4 KiB so that a multi-byte
 * access at port 0xffff also finds set bits. The MSR map has two bits per
 * MSR (even bit read, odd bit write) in three 2 KiB ranges.
 */
#include "lib/errno.h"
#include "lib/kstring.h"
#include "hypervisor/cpu.h"
#include "svm.h"

/* The three MSR ranges of the map: first MSR and byte offset in the map. */
static const struct {
	uint32_t first_msr;
	uint32_t byte_offset;
} msrpm_ranges[] = {
	{ 0x00000000u, 0x0000u },
	{ 0xc0000000u, 0x0800u },
	{ 0xc0010000u, 0x1000u },
};
#define MSRPM_MSRS_PER_RANGE 0x2000u

void svm_iopm_fill(uint8_t *iopm)
{
	memset(iopm, 0xff, SVM_IOPM_BYTES);
}

/* msrpm_bit: index of msr's read bit in the map, or -1 outside the ranges. */
static long msrpm_bit(uint32_t msr)
{
	for (size_t i = 0; i < sizeof(msrpm_ranges) / sizeof(msrpm_ranges[0]); i++) {
		uint32_t delta = msr - msrpm_ranges[i].first_msr;
		if (msr >= msrpm_ranges[i].first_msr && delta < MSRPM_MSRS_PER_RANGE)
			return (long)msrpm_ranges[i].byte_offset * 8 + (long)delta * 2;
	}
	return -1;
}

int svm_msrpm_pass_through(uint8_t *msrpm, uint32_t msr)
{
	long bit = msrpm_bit(msr);
	if (bit < 0)
		return -EINVAL;
	/* The read and write bits are adjacent and never straddle a byte. */
	msrpm[bit / 8] &= (uint8_t)~(3u << (bit % 8));
	return 0;
}

bool svm_msrpm_intercepts(const uint8_t *msrpm, uint32_t msr, bool write)
{
	long bit = msrpm_bit(msr);
	if (bit < 0)
		return true;
	bit += write ? 1 : 0;
	return (msrpm[bit / 8] >> (bit % 8)) & 1u;
}

void svm_msrpm_fill(uint8_t *msrpm)
{
	memset(msrpm, 0xff, SVM_MSRPM_BYTES);
	/* Both are in range 0xc0000000: these calls cannot fail. */
	(void)svm_msrpm_pass_through(msrpm, MSR_FS_BASE);
	(void)svm_msrpm_pass_through(msrpm, MSR_GS_BASE);
}
