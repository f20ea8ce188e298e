/*
 * frame_zero.c - zeroing frames with 16-byte stores (frame_zero.h).
 *
 * Why not memset: REP STOSQ stores 8 bytes per iteration, and every
 * iteration is an instruction (what QEMU -icount and Bochs count, and what
 * the benchmarks report): 512 for a frame. Aligned 16-byte SSE stores take
 * 256, plus a short loop. The hypervisor is compiled without SSE
 * (-mgeneral-regs-only) because the XMM registers hold the running guest's
 * values while Skiff runs (fpu.c switches them only between guests); this
 * routine uses XMM0 alone and puts the guest's value back before it
 * returns. XCR0 is fixed to x87|SSE (fpu.c), so no AVX upper half exists to
 * disturb; a legacy SSE store would leave one alone in any case. Assembly,
 * because C cannot name an XMM register in this build.
 */
#include "hypervisor/mem/frame_zero.h"

#include <stdbool.h>

#include "hypervisor/cpu.h"
#include "lib/kstring.h"

#define CR4_OSFXSR (UINT64_C(1) << 9)

#define STORES_PER_ROUND 64    /* 1 KiB per loop round: 4 rounds a frame */
#define ROUND_BYTES 1024
#define TEXT(x) #x
#define NUMBER(x) TEXT(x)
_Static_assert(STORES_PER_ROUND * 16 == ROUND_BYTES, "a round is its stores");
_Static_assert(FRAME_ZERO_UNIT % ROUND_BYTES == 0, "a unit is whole rounds");

/* sse_enabled: whether this CPU runs SSE instructions (CR4.OSFXSR). */
static bool sse_enabled(void)
{
#ifdef SKIFF_HOSTED
	return true;   /* a host process (unit tests): its OS enabled SSE */
#else
	return (read_cr4() & CR4_OSFXSR) != 0;
#endif
}

void frame_zero(void *page, uint64_t bytes)
{
	uint8_t saved[16] __attribute__((aligned(16)));
	uint64_t rounds = bytes / ROUND_BYTES;

	/* SSE runs only once fpu_init set CR4.OSFXSR on this CPU (frames_init
	 * zeroes the pool before it; an AP allocates before its own). */
	if (((uintptr_t)page & 15u) != 0 || bytes % FRAME_ZERO_UNIT != 0 ||
	    !sse_enabled()) {
		memset(page, 0, bytes);
		return;
	}
	if (rounds == 0)
		return;
	__asm__ volatile(
		"movdqa %%xmm0, (%[saved])\n\t"   /* keep the guest's XMM0 */
		"pxor %%xmm0, %%xmm0\n\t"         /* sixteen zero bytes */
		"1:\n\t"
		".set frame_zero_off, 0\n\t"      /* offset of the next store */
		".rept " NUMBER(STORES_PER_ROUND) "\n\t"  /* STORES_PER_ROUND stores ... */
		"movdqa %%xmm0, frame_zero_off(%[p])\n\t"   /* ... of 16 zero bytes */
		".set frame_zero_off, frame_zero_off + 16\n\t"
		".endr\n\t"
		"add $" NUMBER(ROUND_BYTES) ", %[p]\n\t"  /* the next round's bytes */
		"dec %[n]\n\t"                    /* one round fewer to go */
		"jnz 1b\n\t"                      /* until none is left */
		"movdqa (%[saved]), %%xmm0\n\t"   /* the guest's XMM0 back */
		: [p] "+r"(page), [n] "+r"(rounds)
		: [saved] "r"(saved)
		: "memory", "cc");
}
