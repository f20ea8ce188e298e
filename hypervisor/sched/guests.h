/*
 * guests.h - running every guest module to its end.
 */
#ifndef SKIFF_GUESTS_H
#define SKIFF_GUESTS_H

#include <stdint.h>

#include "hypervisor/boot/multiboot2.h"

/*
 * guests_run_all: build one VM per guest module (count= instances each),
 * run them until every one has ended, log one summary line per guest, and
 * return the final status: the largest status of all guests (0 when none
 * failed; 1 for a guest that was refused or ended by Skiff). With no guest
 * modules at all it logs that and returns 0.
 */
uint8_t guests_run_all(const struct boot_info *info);

#endif
