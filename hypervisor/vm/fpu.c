/*
 * fpu.c - switching x87/SSE state (FXSAVE/FXRSTOR) and PKRU between guests,
 * and pinning XCR0 to the state that switch covers.
 */
#include "hypervisor/vm/fpu.h"

#include <stdbool.h>

#include "hypervisor/cpu.h"
#include "lib/kstring.h"

#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_OSXSAVE (1u << 18)
#define CR4_PKE (1u << 22)
#define LEAF1_ECX_XSAVE (1u << 26)
#define LEAF7_ECX_PKU (1u << 3)
#define XCR0_X87_SSE 0x3u
/*
 * FXSAVE leaves bytes 464..511 of its area to software: the guest's PKRU
 * is kept there, so one area per guest holds all of its switched state.
 */
#define AREA_PKRU 464

static bool pkru_switched;  /* the CPU has protection keys: PKRU is switched */

static inline void xsetbv0(uint64_t value)
{
	__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)value),
			 "d"((uint32_t)(value >> 32)));
}

static inline uint32_t rdpkru(void)
{
	uint32_t eax, edx;

	__asm__ volatile("rdpkru" : "=a"(eax), "=d"(edx) : "c"(0));
	return eax;
}

static inline void wrpkru(uint32_t value)
{
	__asm__ volatile("wrpkru" : : "a"(value), "c"(0), "d"(0) : "memory");
}

void fpu_init(void)
{
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;

	/*
	 * XCR0 is not switched by VMRUN or VM entry and guests may not set it
	 * (XSETBV exits): Skiff fixes it to x87|SSE, exactly what FXSAVE
	 * switches, whatever the firmware left. AVX and later state cannot be
	 * enabled in any guest, so no register half passes between guests.
	 */
	if (cpuid(1, 0).ecx & LEAF1_ECX_XSAVE) {
		write_cr4(cr4 | CR4_OSXSAVE);
		xsetbv0(XCR0_X87_SSE);
	}
	/*
	 * PKRU is not switched by the hardware either, and a guest may enable
	 * CR4.PKE itself: with protection keys present, Skiff switches PKRU
	 * with the x87/SSE state. RDPKRU/WRPKRU need CR4.PKE in the host; the
	 * host's pages are supervisor pages, which keys do not govern.
	 */
	if (cpuid(0, 0).eax >= 7 && (cpuid(7, 0).ecx & LEAF7_ECX_PKU)) {
		cr4 |= CR4_PKE;
		pkru_switched = true;
	}
	write_cr4(read_cr4() | cr4);
	write_cr0((read_cr0() | CR0_MP) & ~(uint64_t)(CR0_EM | CR0_TS));
}

void fpu_clean_image(uint8_t area[512])
{
	uint16_t fcw = 0x037f;       /* x87 control word after FNINIT */
	uint32_t mxcsr = 0x1f80;     /* all SSE exceptions masked */

	memset(area, 0, 512);        /* PKRU 0 too: every key allows everything */
	memcpy(area + 0, &fcw, sizeof(fcw));
	memcpy(area + 24, &mxcsr, sizeof(mxcsr));
}

void fpu_switch(uint8_t *from, const uint8_t *to)
{
	uint32_t pkru;

	if (from) {
		__asm__ volatile("fxsave64 (%0)" : : "r"(from) : "memory");
		if (pkru_switched) {
			pkru = rdpkru();
			memcpy(from + AREA_PKRU, &pkru, sizeof(pkru));
		}
	}
	__asm__ volatile("fxrstor64 (%0)" : : "r"(to) : "memory");
	if (pkru_switched) {
		memcpy(&pkru, to + AREA_PKRU, sizeof(pkru));
		wrpkru(pkru);
	}
}
