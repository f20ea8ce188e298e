/*
 * svm_asid.c - address space identifiers for guests, recycled by
 * generation (hal/tag_pool.h).
 *
 * ASID 0 belongs to the host (VMRUN refuses it). QEMU offers 15 guest
 * ASIDs; Skiff may run hundreds of VMs, so an ASID is claimed before each
 * entry rather than owned for life. When the pool starts a new generation,
 * the entry that follows flushes every ASID's translations (TLB_CONTROL 1),
 * so no VM ever runs on another VM's cached translations.
 */
#include "svm.h"

#define TLB_CONTROL_FLUSH_ALL 1

static struct tag_pool asid_pool;

void svm_asid_init(uint32_t asid_count, uint32_t max_tags)
{
	uint32_t last = asid_count > 1 ? asid_count - 1 : 1;

	if (max_tags && max_tags < last)
		last = max_tags;
	tag_pool_init(&asid_pool, 1, last);
}

uint32_t svm_asid_pool_size(void)
{
	return tag_pool_size(&asid_pool);
}

void svm_asid_claim(struct tag_slot *slot, struct vmcb_control *c)
{
	switch (tag_pool_claim(&asid_pool, slot)) {
	case TAG_KEPT:
		return;
	case TAG_FLUSH_ALL:
		c->tlb_control = TLB_CONTROL_FLUSH_ALL;
		break;
	case TAG_FRESH:
		break;  /* unused since the last flush of all ASIDs */
	}
	c->guest_asid = slot->tag;
}
