/*
 * guest_tables.h - a test guest's own GDT and IDT. Skiff's GDT lies in the
 * guest's first 64 KiB, which some guests' tables leave unmapped, and Skiff
 * installs no IDT: a guest that wants to survive an exception the CPU raises
 * loads tables of its own, with Skiff's selectors (code 0x08, data 0x10).
 */
#ifndef SKIFF_TEST_GUEST_TABLES_H
#define SKIFF_TEST_GUEST_TABLES_H

#include <stdint.h>

#define GUEST_IDT_VECTORS 32u   /* the exceptions; no external interrupts */

/*
 * guest_tables_set_gate: the gate for vector (below GUEST_IDT_VECTORS)
 * becomes a ring-0 64-bit interrupt gate to entry. A vector out of range is
 * ignored. Takes effect at once if the tables are loaded.
 */
void guest_tables_set_gate(unsigned vector, void (*entry)(void));

/*
 * guest_tables_load: loads the GDT and the IDT and reloads CS, DS, ES and
 * SS from it. Needs ring 0 in long mode; safe to call again.
 */
void guest_tables_load(void);

#endif
