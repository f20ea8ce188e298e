/*
 * svm_asid.c - address space identifiers for guests.
 *
 * Each vCPU gets its own ASID so that the TLB can keep several guests'
 * translations at once. ASID 0 belongs to the host (VMRUN refuses it).
 * One bit per ASID; a freed ASID can be handed out again, and vcpu_create
 * flushes the new owner's ASID before its first run, so no stale
 * translation of the previous owner survives.
 */
#include "lib/errno.h"
#include "svm.h"

static uint64_t asid_in_use[SVM_ASID_LIMIT / 64];

int svm_asid_alloc(uint32_t count)
{
	if (count > SVM_ASID_LIMIT)
		count = SVM_ASID_LIMIT;
	for (uint32_t asid = 1; asid < count; asid++) {
		uint64_t mask = UINT64_C(1) << (asid % 64);
		if (!(asid_in_use[asid / 64] & mask)) {
			asid_in_use[asid / 64] |= mask;
			return (int)asid;
		}
	}
	return -EBUSY;
}

void svm_asid_free(uint32_t asid)
{
	if (asid == 0 || asid >= SVM_ASID_LIMIT)
		return;
	asid_in_use[asid / 64] &= ~(UINT64_C(1) << (asid % 64));
}
