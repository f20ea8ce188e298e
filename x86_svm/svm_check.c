/*
 * svm_check.c - why did VMRUN refuse this VMCB?
 *
 * When a VMCB breaks one of the consistency rules of APM vol. 2, 15.5.1
 * ("Canonicalization and Consistency Checks"), VMRUN exits at once with
 * exit code -1 (VMEXIT_INVALID) and says nothing more. This file repeats
 * those checks in software, in the manual's order, so a failed entry is
 * reported by the rule it broke. It only runs after such a failure.
 */
#include "hypervisor/cpu.h"
#include "svm.h"

#define CR0_PE (UINT64_C(1) << 0)
#define CR0_NW (UINT64_C(1) << 29)
#define CR0_CD (UINT64_C(1) << 30)
#define CR0_PG (UINT64_C(1) << 31)
#define CR4_PAE (UINT64_C(1) << 5)

/* CR4 bits that exist on AMD CPUs: VME..LA57 (0-12), FSGSBASE, PCIDE, OSXSAVE (16-18), SMEP, SMAP, PKE, CET (20-23). */
#define CR4_DEFINED (UINT64_C(0x1fff) | UINT64_C(0x70000) | UINT64_C(0xf00000))
/* EFER bits that exist: SCE, LME, LMA, NXE, SVME, LMSLE, FFXSR, TCE, MCOMMIT, INTWB, UAIE, AIBRSE. */
#define EFER_DEFINED (UINT64_C(1) | UINT64_C(0xfd00) | UINT64_C(0x360000))

/* Width assumed when CPUID did not say (the architectural maximum). */
#define MAX_PHYS_ADDR_BITS 52u

static unsigned phys_bits(const struct svm_caps *caps)
{
	unsigned bits = caps->phys_addr_bits;
	return bits && bits <= MAX_PHYS_ADDR_BITS ? bits : MAX_PHYS_ADDR_BITS;
}

static bool long_mode_paging(const struct vmcb_save *s)
{
	return (s->efer & EFER_LME) && (s->cr0 & CR0_PG);
}

static bool svme_clear(const struct vmcb *v, const struct svm_caps *caps)
{
	return !(v->save.efer & EFER_SVME);
}

static bool nw_without_cd(const struct vmcb *v, const struct svm_caps *caps)
{
	return (v->save.cr0 & CR0_NW) && !(v->save.cr0 & CR0_CD);
}

static bool cr0_high(const struct vmcb *v, const struct svm_caps *caps)
{
	return (v->save.cr0 >> 32) != 0;
}

/* In long mode CR3 holds a physical address; legacy modes use 32 bits. */
static bool cr3_reserved(const struct vmcb *v, const struct svm_caps *caps)
{
	unsigned bits = long_mode_paging(&v->save) ? phys_bits(caps) : 32;
	return (v->save.cr3 >> bits) != 0;
}

static bool cr4_reserved(const struct vmcb *v, const struct svm_caps *caps)
{
	return (v->save.cr4 & ~CR4_DEFINED) != 0;
}

static bool dr6_high(const struct vmcb *v, const struct svm_caps *caps)
{
	return (v->save.dr6 >> 32) != 0;
}

static bool dr7_high(const struct vmcb *v, const struct svm_caps *caps)
{
	return (v->save.dr7 >> 32) != 0;
}

static bool efer_reserved(const struct vmcb *v, const struct svm_caps *caps)
{
	return (v->save.efer & ~EFER_DEFINED) != 0;
}

static bool long_mode_unsupported(const struct vmcb *v, const struct svm_caps *caps)
{
	return (v->save.efer & (EFER_LME | EFER_LMA)) && !caps->long_mode;
}

static bool long_mode_without_pae(const struct vmcb *v, const struct svm_caps *caps)
{
	return long_mode_paging(&v->save) && !(v->save.cr4 & CR4_PAE);
}

static bool long_mode_without_pe(const struct vmcb *v, const struct svm_caps *caps)
{
	return long_mode_paging(&v->save) && !(v->save.cr0 & CR0_PE);
}

static bool code_both_l_and_d(const struct vmcb *v, const struct svm_caps *caps)
{
	const uint16_t l_and_d = VMCB_ATTR_L | VMCB_ATTR_DB;
	return long_mode_paging(&v->save) && (v->save.cr4 & CR4_PAE) &&
		(v->save.cs.attrib & l_and_d) == l_and_d;
}

static bool vmrun_not_intercepted(const struct vmcb *v, const struct svm_caps *caps)
{
	return !(v->control.intercept[VMCB_WORD_MISC2] & 1u);  /* bit 0: VMRUN */
}

static bool beyond_phys(uint64_t pa, uint64_t bytes, const struct svm_caps *caps)
{
	/* Bits 11:0 of the map addresses are ignored by the CPU. */
	uint64_t last = (pa & ~UINT64_C(0xfff)) + bytes - 1;
	return (last >> phys_bits(caps)) != 0;
}

static bool maps_beyond_phys(const struct vmcb *v, const struct svm_caps *caps)
{
	return beyond_phys(v->control.iopm_base_pa, SVM_IOPM_BYTES, caps) ||
		beyond_phys(v->control.msrpm_base_pa, SVM_MSRPM_BYTES, caps);
}

/* APM 15.20: reserved types, or an "exception" that is NMI or no exception. */
static bool bad_event_injection(const struct vmcb *v, const struct svm_caps *caps)
{
	uint64_t e = v->control.event_inject;
	uint64_t type = e & VMCB_EVENT_TYPE_MASK;
	uint8_t vector = (uint8_t)(e & VMCB_EVENT_VECTOR_MASK);

	if (!(e & VMCB_EVENT_VALID))
		return false;
	if (type != VMCB_EVENT_TYPE_INTR && type != VMCB_EVENT_TYPE_NMI &&
	    type != VMCB_EVENT_TYPE_EXCEPTION && type != VMCB_EVENT_TYPE_SOFT_INT)
		return true;
	return type == VMCB_EVENT_TYPE_EXCEPTION && (vector == 2 || vector >= 32);
}

static bool asid_zero(const struct vmcb *v, const struct svm_caps *caps)
{
	return v->control.guest_asid == 0;
}

static bool ncr3_beyond_phys(const struct vmcb *v, const struct svm_caps *caps)
{
	return (v->control.np_control & VMCB_NP_ENABLE) &&
		(v->control.n_cr3 >> phys_bits(caps)) != 0;
}

static const struct {
	const char *rule;
	bool (*fails)(const struct vmcb *v, const struct svm_caps *caps);
} checks[] = {
	{ "EFER.SVME is 0", svme_clear },
	{ "CR0.NW set with CR0.CD clear", nw_without_cd },
	{ "CR0 bits 63:32 not zero", cr0_high },
	{ "CR3 reserved (MBZ) bits set", cr3_reserved },
	{ "CR4 reserved (MBZ) bits set", cr4_reserved },
	{ "DR6 bits 63:32 not zero", dr6_high },
	{ "DR7 bits 63:32 not zero", dr7_high },
	{ "EFER reserved (MBZ) bits set", efer_reserved },
	{ "EFER.LME/LMA set but the CPU has no long mode", long_mode_unsupported },
	{ "EFER.LME and CR0.PG set with CR4.PAE clear", long_mode_without_pae },
	{ "EFER.LME and CR0.PG set with CR0.PE clear", long_mode_without_pe },
	{ "long mode with CS.L and CS.D both set", code_both_l_and_d },
	{ "VMRUN intercept clear", vmrun_not_intercepted },
	{ "IOPM or MSRPM beyond the physical address width", maps_beyond_phys },
	{ "EVENTINJ has a reserved type or a non-exception vector", bad_event_injection },
	{ "guest ASID is 0", asid_zero },
	{ "nCR3 beyond the physical address width", ncr3_beyond_phys },
};

const char *svm_check_vmcb(const struct vmcb *vmcb, const struct svm_caps *caps)
{
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (checks[i].fails(vmcb, caps))
			return checks[i].rule;
	return NULL;
}
