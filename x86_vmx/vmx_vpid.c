/*
 * vmx_vpid.c - the VPID pool (vmx_vpid.h).
 */
#include "vmx_vpid.h"

/* Read inline by vpid_current (vmx_vpid.h); changed only here. */
struct tag_pool vmx_vpid_pools[SMP_MAX_CPUS];   /* one per CPU, as svm_asid.c */

void vpid_init(uint32_t max_tags)
{
	uint32_t last = VMX_VPID_MAX;

	if (max_tags && max_tags < last)
		last = max_tags;
	for (unsigned cpu = 0; cpu < SMP_MAX_CPUS; cpu++)
		tag_pool_init(&vmx_vpid_pools[cpu], 1, last);
}

uint32_t vpid_pool_size(void)
{
	return tag_pool_size(&vmx_vpid_pools[0]);
}

enum tag_result vpid_claim(struct tag_slot *slot)
{
	return tag_pool_claim(&vmx_vpid_pools[this_cpu_index()], slot);
}
