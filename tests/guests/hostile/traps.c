/*
 * traps.c - building the hostile guest's GDT and IDT (see traps.h).
 */
#include "traps.h"

#include <stdbool.h>

#include "../common/guest_tables.h"

void trap_entry_bp(void);
void trap_entry_ud(void);
void trap_entry_gp(void);

static bool installed;

void traps_install(void)
{
	if (installed)
		return;
	guest_tables_set_gate(VECTOR_BP, trap_entry_bp);
	guest_tables_set_gate(VECTOR_UD, trap_entry_ud);
	guest_tables_set_gate(VECTOR_GP, trap_entry_gp);
	guest_tables_load();
	installed = true;
}

const char *trap_name(uint64_t vector)
{
	switch (vector) {
	case VECTOR_BP:
		return "#BP";
	case VECTOR_UD:
		return "#UD";
	case VECTOR_GP:
		return "#GP";
	default:
		return "none";
	}
}
