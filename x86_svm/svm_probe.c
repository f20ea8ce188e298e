/*
 * svm_probe.c - can this CPU run guests with AMD SVM and nested paging?
 *
 * Only CPUID is used until the vendor is known to be AMD: VM_CR is an AMD
 * MSR, and reading it on an Intel CPU would raise #GP.
 */
#include "hypervisor/cpu.h"
#include "lib/format.h"
#include "lib/kstring.h"
#include "npt/npt.h"
#include "svm.h"

#define MSR_VM_CR 0xc0010114u
#define VM_CR_SVMDIS (1u << 4)

#define CPUID_EXT_MAX 0x80000000u
#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_EXT_ADDRESS_SIZES 0x80000008u
#define CPUID_SVM 0x8000000au

#define EXT_ECX_SVM (1u << 2)
#define EXT_EDX_NX (1u << 20)
#define EXT_EDX_PAGE_1G (1u << 26)
#define EXT_EDX_LONG_MODE (1u << 29)
#define SVM_EDX_NESTED_PAGING (1u << 0)
#define SVM_EDX_NRIP_SAVE (1u << 3)
#define SVM_EDX_FLUSH_BY_ASID (1u << 6)

struct svm_caps svm_caps;
struct np_format svm_nested_format;

static bool vendor_is_amd(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	/* "AuthenticAMD" in EBX, EDX, ECX. */
	return r.ebx == 0x68747541u && r.edx == 0x69746e65u && r.ecx == 0x444d4163u;
}

static bool fail(char *why, size_t why_len, const char *reason)
{
	format(why, why_len, "%s", reason);
	return false;
}

/* The SVM leaf: features, ASIDs. Needs SVM present. */
static bool read_svm_leaf(struct svm_caps *caps, char *why, size_t why_len)
{
	struct cpuid_regs svm = cpuid(CPUID_SVM, 0);

	/* Without nested paging guests run on shadow tables (hal.h). */
	caps->nested_paging = (svm.edx & SVM_EDX_NESTED_PAGING) != 0;
	if (svm.ebx < 2)
		return fail(why, why_len,
			    "SVM offers no ASID for guests (CPUID 8000000A EBX < 2)");
	caps->nrip_save = (svm.edx & SVM_EDX_NRIP_SAVE) != 0;
	caps->flush_by_asid = (svm.edx & SVM_EDX_FLUSH_BY_ASID) != 0;
	caps->asid_count = svm.ebx;
	return true;
}

bool svm_probe_caps(struct svm_caps *caps, char *why, size_t why_len)
{
	memset(caps, 0, sizeof(*caps));
	if (!vendor_is_amd())
		return fail(why, why_len, "not an AMD CPU (CPUID 0 vendor)");
	uint32_t ext_max = cpuid(CPUID_EXT_MAX, 0).eax;
	if (ext_max < CPUID_SVM)
		return fail(why, why_len, "no CPUID leaf 8000000A (SVM features)");
	struct cpuid_regs ext = cpuid(CPUID_EXT_FEATURES, 0);
	if (!(ext.ecx & EXT_ECX_SVM))
		return fail(why, why_len, "no SVM (CPUID 80000001 ECX bit 2)");
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
		return fail(why, why_len,
			    "SVM disabled by firmware (VM_CR MSR C0010114 bit 4 SVMDIS)");
	if (!read_svm_leaf(caps, why, why_len))
		return false;
	caps->long_mode = (ext.edx & EXT_EDX_LONG_MODE) != 0;
	caps->nx = (ext.edx & EXT_EDX_NX) != 0;
	if (ext_max >= CPUID_EXT_ADDRESS_SIZES)
		caps->phys_addr_bits = cpuid(CPUID_EXT_ADDRESS_SIZES, 0).eax & 0xffu;
	/* A 1 GiB nested leaf is a reserved-bit fault on CPUs without Page1GB. */
	svm_nested_format = (ext.edx & EXT_EDX_PAGE_1G) ? npt_format : npt_format_2m;
	caps->probed = true;
	if (why_len)
		why[0] = '\0';
	return true;
}
