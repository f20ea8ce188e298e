/*
 * vmx_vpid.c - a bitmap of VPIDs in use, searched from the last one handed
 * out so that allocation is O(1) until the numbers wrap.
 */
#include <stdint.h>

#include "lib/errno.h"
#include "vmx_vpid.h"

static uint64_t vpid_in_use[(VMX_VPID_MAX + 1) / 64];
static uint32_t vpid_next = 1;

static int is_used(uint32_t vpid)
{
	return (vpid_in_use[vpid / 64] >> (vpid % 64)) & 1u;
}

int vpid_alloc(void)
{
	uint32_t tries;

	for (tries = 0; tries < VMX_VPID_MAX; tries++) {
		uint32_t vpid = vpid_next;

		vpid_next = vpid == VMX_VPID_MAX ? 1 : vpid + 1;
		if (!is_used(vpid)) {
			vpid_in_use[vpid / 64] |= UINT64_C(1) << (vpid % 64);
			return (int)vpid;
		}
	}
	return -EBUSY;
}

void vpid_free(uint32_t vpid)
{
	if (vpid == 0 || vpid > VMX_VPID_MAX)
		return;
	vpid_in_use[vpid / 64] &= ~(UINT64_C(1) << (vpid % 64));
}
