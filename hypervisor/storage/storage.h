/*
 * storage.h - guests' block devices backed by disk regions: the disks the
 * drivers found, their GPTs, and which guest owns which region.
 */
#ifndef SKIFF_STORAGE_H
#define SKIFF_STORAGE_H

#include <stddef.h>

#include "hypervisor/storage/regions.h"
#include "hypervisor/vm/vm.h"

/*
 * storage_init: read the GPT of every registered disk and log each disk's
 * partitions, or why its table was refused (a disk without a valid GPT is
 * still usable whole, as disk:N). Call once, after the drivers.
 */
void storage_init(void);

/*
 * storage_attach: back guest `owner`'s block device `device` with the
 * region spec names ("disk:N[,ro]" or "gpt:NAME[,ro]", regions.h) and claim
 * it for that guest. Fills *out. 0, or a negative error with the reason in
 * err (an unknown disk or partition, an ambiguous name, an overlap with a
 * region another guest owns, naming that guest).
 */
int storage_attach(const char *spec, const char *owner, const char *device,
		   struct vm_disk_backing *out, char *err, size_t errlen);

/*
 * storage_claim: what storage_attach does without the guest's device:
 * resolve spec, claim the region for owner (so no guest can have a region
 * overlapping it), and fill *out (device NULL) and *r; durable false lets
 * out's writes stop at the device's cache (swap). 0, or a negative error
 * with the reason alone in why. For Skiff's own use of a region (swap=).
 */
int storage_claim(const char *spec, const char *owner, bool durable, struct region *r,
		  struct vm_disk_backing *out, char *why, size_t whylen);

/*
 * storage_mark, storage_release_since: a guest that is not created after
 * all gives back the regions it claimed: take a mark before its first
 * storage_attach, and release everything claimed since that mark. (Guest
 * names need not be unique, so release goes by claim, not by name.)
 */
unsigned storage_mark(void);
void storage_release_since(unsigned mark);

#endif
