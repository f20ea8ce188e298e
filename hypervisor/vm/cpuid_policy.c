/*
 * cpuid_policy.c - filtering CPUID for guests.
 */
#include "hypervisor/vm/cpuid_policy.h"

#define LEAF1_ECX_MONITOR (1u << 3)
#define LEAF1_ECX_PDCM (1u << 15)
#define LEAF1_ECX_VMX (1u << 5)
#define LEAF1_ECX_XSAVE (1u << 26)
#define LEAF1_ECX_OSXSAVE (1u << 27)
#define LEAF1_ECX_AVX (1u << 28)
#define LEAF1_ECX_HYPERVISOR (1u << 31)
#define LEAF7_EBX_AVX2 (1u << 5)
#define LEAF7_EBX_AVX512F (1u << 16)
#define LEAF7_ECX_PKU (1u << 3)
#define LEAF7_ECX_OSPKE (1u << 4)
#define LEAF7_ECX_WAITPKG (1u << 5)
#define EXT1_ECX_SVM (1u << 2)

void cpuid_policy_apply(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	(void)subleaf;
	switch (leaf) {
	case 1:
		r->ecx &= ~(LEAF1_ECX_MONITOR | LEAF1_ECX_VMX | LEAF1_ECX_XSAVE |
			    LEAF1_ECX_OSXSAVE | LEAF1_ECX_AVX | LEAF1_ECX_PDCM);
		r->ecx |= LEAF1_ECX_HYPERVISOR;
		break;
	case 7:
		/*
		 * AVX state is never enabled (XCR0 is pinned to x87|SSE); PKRU is
		 * switched but not offered (OSPKE would show Skiff's CR4, not the
		 * guest's); UMONITOR/UMWAIT are MWAIT by another name.
		 */
		r->ebx &= ~(LEAF7_EBX_AVX2 | LEAF7_EBX_AVX512F);
		r->ecx &= ~(LEAF7_ECX_PKU | LEAF7_ECX_OSPKE | LEAF7_ECX_WAITPKG);
		break;
	case 5:             /* MONITOR/MWAIT sizes: those instructions end a guest */
	case 0xa:           /* performance counters: RDPMC ends a guest */
	case 0xd:           /* XSAVE state enumeration: nothing offered */
	case 0x8000000a:    /* SVM features */
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	case 0x40000000:    /* hypervisor vendor leaf: "SkiffHV" padded */
		r->eax = 0x40000000;
		r->ebx = 0x66696b53;  /* "Skif" */
		r->ecx = 0x00564866;  /* "fHV\0" */
		r->edx = 0;
		break;
	case 0x80000001:
		r->ecx &= ~EXT1_ECX_SVM;
		break;
	default:
		if (leaf > 0x40000000 && leaf < 0x40000100)
			*r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	}
}
