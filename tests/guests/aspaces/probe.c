/*
 * probe.c - the aspaces guest's GDT and IDT (probe.h). Skiff's GDT lies in
 * the first 64 KiB, which the runtime's tables leave unmapped, so an
 * exception taken with it would fault again: the guest loads a GDT of its
 * own with the same selectors, and an IDT whose only gates are #PF and #GP.
 */
#include "probe.h"

#include "../common/guest_tables.h"

#define VECTOR_GP 13u
#define VECTOR_PF 14u

void pf_entry(void);
void gp_entry(void);

void probes_install(void)
{
	guest_tables_set_gate(VECTOR_PF, pf_entry);
	guest_tables_set_gate(VECTOR_GP, gp_entry);
	guest_tables_load();
}
