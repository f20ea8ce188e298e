/*
 * svm_asid.c - address space identifiers for guests, recycled by
 * generation (hal/tag_pool.h).
 *
 * ASID 0 belongs to the host (VMRUN refuses it). QEMU offers 15 guest
 * ASIDs; Skiff may run hundreds of VMs, so an ASID is held only while its
 * generation lasts rather than owned for life: before each entry svm_run
 * compares generations inline (svm_asid_current) and calls svm_asid_claim
 * only when the vCPU's has passed. When the pool starts a new generation,
 * the entry that follows flushes every ASID's translations (TLB_CONTROL 1),
 * so no VM ever runs on another VM's cached translations.
 */
#include "svm.h"

#define TLB_CONTROL_FLUSH_ALL 1

/* One pool per CPU: a guest stays on its CPU, and a new generation's
 * flush of every ASID acts on the CPU that starts it only. Read inline by
 * svm_asid_current (svm.h); changed only here, each by its own CPU. */
struct tag_pool svm_asid_pools[SMP_MAX_CPUS];

void svm_asid_init(uint32_t asid_count, uint32_t max_tags)
{
	uint32_t last = asid_count > 1 ? asid_count - 1 : 1;

	if (max_tags && max_tags < last)
		last = max_tags;
	for (unsigned cpu = 0; cpu < SMP_MAX_CPUS; cpu++)
		tag_pool_init(&svm_asid_pools[cpu], 1, last);
}

uint32_t svm_asid_pool_size(void)
{
	return tag_pool_size(&svm_asid_pools[0]);
}

bool svm_asid_claim(struct tag_slot *slot, struct vmcb_control *c)
{
	bool flushed = false;

	switch (tag_pool_claim(&svm_asid_pools[this_cpu_index()], slot)) {
	case TAG_KEPT:
		return false;
	case TAG_FLUSH_ALL:
		c->tlb_control = TLB_CONTROL_FLUSH_ALL;
		flushed = true;
		break;
	case TAG_FRESH:
		break;  /* unused since the last flush of all ASIDs */
	}
	c->guest_asid = slot->tag;
	return flushed;
}
