/*
 * vmx_vpid.h - VPIDs, the tags that keep each guest's cached linear
 * translations apart, recycled by generation (hal/tag_pool.h). VPID 0
 * belongs to the host (VMX root), so guests share 1..65535, or fewer under
 * Skiff's asids= option. Portable C.
 */
#ifndef SKIFF_VMX_VPID_H
#define SKIFF_VMX_VPID_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/tag_pool.h"
#include "hypervisor/smp/percpu.h"

#include "hal/tag_pool.h"

#define VMX_VPID_MAX 0xffffu

/* vpid_init: guests share VPIDs 1..VMX_VPID_MAX, at most max_tags (0: all). */
void vpid_init(uint32_t max_tags);

/* vpid_pool_size: how many VPIDs guests share. */
uint32_t vpid_pool_size(void);

/* The pool guests' VPIDs come from (vmx_vpid.c); read it only as below. */
extern struct tag_pool vmx_vpid_pools[SMP_MAX_CPUS];

/*
 * vpid_current: whether slot's VPID is valid in the pool's current
 * generation, the case in which vpid_claim would return TAG_KEPT. The
 * check before every entry: a compare, no call.
 */
static inline bool vpid_current(const struct tag_slot *slot)
{
	return tag_pool_is_current(&vmx_vpid_pools[this_cpu_index()], slot);
}

/*
 * vpid_claim: before a VM entry, make slot's VPID current. Returns what the
 * caller must do: TAG_KEPT nothing; TAG_FRESH write slot->tag to the VMCS;
 * TAG_FLUSH_ALL also flush every VPID's translations (INVVPID all-context)
 * before entering.
 */
enum tag_result vpid_claim(struct tag_slot *slot);

#endif
