/*
 * identity_map.h - page tables of a test guest's own.
 *
 * The tables Skiff builds for a guest (at 0x2000..) lie in the first
 * 64 KiB, which those same tables leave unmapped, so a guest cannot edit
 * them. Tests that need a mapping Skiff's tables lack build their own.
 */
#ifndef SKIFF_TEST_IDENTITY_MAP_H
#define SKIFF_TEST_IDENTITY_MAP_H

#include <stdint.h>

/*
 * identity_map_4g: switch to fresh page tables (in .bss) that map every
 * guest-physical address below 4 GiB to itself with 2 MiB pages, readable,
 * writable and executable, whatever the RAM size: page 0 and addresses
 * beyond RAM become reachable from the guest's point of view, so what
 * happens next is up to Skiff's nested tables alone. Needs ring 0 (guests
 * run there). Returns with the new tables loaded in CR3.
 */
void identity_map_4g(void);

#endif
