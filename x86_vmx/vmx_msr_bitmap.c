/*
 * vmx_msr_bitmap.c - building and reading the MSR bitmap.
 */
#include <stdbool.h>
#include <stdint.h>

#include "lib/kstring.h"
#include "vmx_msr_bitmap.h"

#define MSR_LOW_LAST 0x1fffu
#define MSR_HIGH_FIRST 0xc0000000u
#define MSR_HIGH_LAST 0xc0001fffu
#define MSR_FS_BASE_NUMBER 0xc0000100u
#define MSR_GS_BASE_NUMBER 0xc0000101u

/* Byte offset of msr's bit in the bitmap, or -1 when msr always exits. */
static int bit_offset(uint32_t msr, bool is_write, unsigned *bit)
{
	unsigned base = is_write ? 2048u : 0u;

	if (msr <= MSR_LOW_LAST) {
		*bit = msr;
		return (int)base;
	}
	if (msr >= MSR_HIGH_FIRST && msr <= MSR_HIGH_LAST) {
		*bit = msr - MSR_HIGH_FIRST;
		return (int)(base + 1024u);
	}
	return -1;
}

static void pass_through(uint8_t *bitmap, uint32_t msr)
{
	unsigned bit;
	int read_base = bit_offset(msr, false, &bit);
	int write_base = bit_offset(msr, true, &bit);

	bitmap[read_base + bit / 8] &= (uint8_t)~(1u << (bit % 8));
	bitmap[write_base + bit / 8] &= (uint8_t)~(1u << (bit % 8));
}

void vmx_msr_bitmap_init(uint8_t bitmap[VMX_MSR_BITMAP_SIZE])
{
	memset(bitmap, 0xff, VMX_MSR_BITMAP_SIZE);
	pass_through(bitmap, MSR_FS_BASE_NUMBER);
	pass_through(bitmap, MSR_GS_BASE_NUMBER);
}

bool vmx_msr_bitmap_exits(const uint8_t bitmap[VMX_MSR_BITMAP_SIZE],
			  uint32_t msr, bool is_write)
{
	unsigned bit;
	int base = bit_offset(msr, is_write, &bit);

	if (base < 0)
		return true;
	return (bitmap[base + bit / 8] >> (bit % 8)) & 1u;
}
