/*
 * fpu.c - switching x87/SSE state between guests with FXSAVE/FXRSTOR.
 */
#include "hypervisor/vm/fpu.h"

#include "hypervisor/cpu.h"
#include "lib/kstring.h"

#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)

void fpu_init(void)
{
	/* FXSAVE only saves XMM registers when CR4.OSFXSR is set. */
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	write_cr0((read_cr0() | CR0_MP) & ~(uint64_t)(CR0_EM | CR0_TS));
}

void fpu_clean_image(uint8_t area[512])
{
	uint16_t fcw = 0x037f;       /* x87 control word after FNINIT */
	uint32_t mxcsr = 0x1f80;     /* all SSE exceptions masked */

	memset(area, 0, 512);
	memcpy(area + 0, &fcw, sizeof(fcw));
	memcpy(area + 24, &mxcsr, sizeof(mxcsr));
}

void fpu_switch(uint8_t *from, const uint8_t *to)
{
	if (from)
		__asm__ volatile("fxsave64 (%0)" : : "r"(from) : "memory");
	__asm__ volatile("fxrstor64 (%0)" : : "r"(to) : "memory");
}
