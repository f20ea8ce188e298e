/*
 * vmx_vpid.h - handing out VPIDs, the tags that keep each guest's cached
 * linear translations apart. VPID 0 belongs to the host (VMX root), so
 * guests get 1..65535. Portable C.
 */
#ifndef SKIFF_VMX_VPID_H
#define SKIFF_VMX_VPID_H

#include <stdint.h>

#define VMX_VPID_MAX 0xffffu

/* vpid_alloc: a free VPID in 1..VMX_VPID_MAX, or -EBUSY when all are in use. */
int vpid_alloc(void);

/*
 * vpid_free: make vpid available again. The caller must have flushed its
 * translations (INVVPID) before a new guest gets it. 0 and numbers not in
 * use are ignored.
 */
void vpid_free(uint32_t vpid);

#endif
