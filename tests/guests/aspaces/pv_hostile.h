/*
 * pv_hostile.h - the paravirtual MMU's hostile cases (paging=pv only).
 */
#ifndef SKIFF_TEST_ASPACES_PV_HOSTILE_H
#define SKIFF_TEST_ASPACES_PV_HOSTILE_H

#include <stdbool.h>

/*
 * pv_write_registered: before any CR3 call, register a table page and
 * store into it through the runtime's writable map: Skiff's guest-physical
 * map refuses the store and ends the guest (does not return then).
 */
void pv_write_registered(void);

/* pv_hostile_part: part names one of the cases below. */
bool pv_hostile_part(const char *part);

/*
 * pv_hostile: run part after spaces_build (kernel_cr3 loaded; pv-write is
 * pv_write_registered, run before):
 *   pv-refusals  every kind of bad call, each refused with its error and
 *                nothing changed (a batch: exactly its good prefix); then
 *                every space still reads what it was given
 *   pv-write     a store into a registered table page: Skiff ends the guest
 *   pv-movcr3    MOV to CR3 after the first CR3 call: Skiff ends the guest
 * Returns the exit status (0 when every refusal was as expected).
 */
int pv_hostile(const char *part, unsigned n_spaces, unsigned long long kernel_cr3);

#endif
