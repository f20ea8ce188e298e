/*
 * frame_zero_test.c - frame_zero (hypervisor/mem/frame_zero.c): every byte
 * of the frames zero, nothing beside them touched, XMM0 as it was, and
 * misaligned or odd sizes still zeroed (by the memset fallback).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "hypervisor/mem/frame_zero.h"

#define GUARD 64u
#define MARK 0xa5

static uint8_t area[GUARD + 3 * FRAME_ZERO_UNIT + GUARD] __attribute__((aligned(4096)));

/* zeroed_between: [from, to) of area all zero, the rest all MARK. */
static int zeroed_between(size_t from, size_t to)
{
	for (size_t i = 0; i < sizeof(area); i++)
		if (area[i] != ((i >= from && i < to) ? 0 : MARK))
			return 0;
	return 1;
}

static void case_frames(unsigned frames)
{
	memset(area, MARK, sizeof(area));
	frame_zero(area + GUARD, (uint64_t)frames * FRAME_ZERO_UNIT);
	CHECK(zeroed_between(GUARD, GUARD + (size_t)frames * FRAME_ZERO_UNIT));
}

static void case_xmm0_kept(void)
{
	uint64_t in[2] __attribute__((aligned(16))) = { 0x0123456789abcdefull, 0xfedcba9876543210ull };
	uint64_t out[2] __attribute__((aligned(16))) = { 0, 0 };

	memset(area, MARK, sizeof(area));
	__asm__ volatile("movdqa (%0), %%xmm0" : : "r"(in) : "xmm0", "memory");
	frame_zero(area + GUARD, FRAME_ZERO_UNIT);
	__asm__ volatile("movdqa %%xmm0, (%0)" : : "r"(out) : "memory");
	CHECK(out[0] == in[0] && out[1] == in[1]);
	CHECK(zeroed_between(GUARD, GUARD + FRAME_ZERO_UNIT));
}

static void case_fallback(void)
{
	memset(area, MARK, sizeof(area));
	frame_zero(area + GUARD + 1, 100);   /* misaligned, odd size */
	CHECK(zeroed_between(GUARD + 1, GUARD + 101));
	memset(area, MARK, sizeof(area));
	frame_zero(area + GUARD, FRAME_ZERO_UNIT + 16);   /* not whole frames */
	CHECK(zeroed_between(GUARD, GUARD + FRAME_ZERO_UNIT + 16));
	memset(area, MARK, sizeof(area));
	frame_zero(area + GUARD, 0);
	CHECK(zeroed_between(0, 0));
}

int main(void)
{
	case_frames(1);
	case_frames(3);
	case_xmm0_kept();
	case_fallback();
	return check_report("frame_zero_test");
}
