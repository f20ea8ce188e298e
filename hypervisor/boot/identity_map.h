/*
 * identity_map.h - Skiff's identity map of physical memory beyond the
 * 4 GiB that boot/entry.S maps.
 */
#ifndef SKIFF_IDENTITY_MAP_H
#define SKIFF_IDENTITY_MAP_H

#include <stdint.h>

/* The identity map lives in PML4 entry 0: at most 512 GiB (host windows follow). */
#define IDENTITY_MAP_CEILING (UINT64_C(512) << 30)
#define IDENTITY_MAP_BOOT_END (UINT64_C(4) << 30)

/*
 * identity_map_extend: map [4 GiB, end) (end rounded up to 1 GiB, at most
 * IDENTITY_MAP_CEILING) read/write, not executable, with 2 MiB pages, one
 * page directory per GiB from alloc_table (a zeroed 4 KiB frame below
 * 4 GiB, or 0). Returns the end actually mapped (4 GiB when nothing was,
 * less than asked when alloc_table ran out). Adds translations where none
 * were present: no TLB flush is due.
 */
uint64_t identity_map_extend(uint64_t end, uint64_t (*alloc_table)(void));

#endif
