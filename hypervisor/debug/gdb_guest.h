/*
 * gdb_guest.h - a VM as the debugger's target: its vCPU's registers and
 * its memory by guest-virtual address (gdb_commands.h's struct
 * gdb_target).
 */
#ifndef SKIFF_GDB_GUEST_H
#define SKIFF_GDB_GUEST_H

#include "hypervisor/debug/gdb_commands.h"

struct vm;

/*
 * gdb_guest_target: the target for vm (needs its vCPU built). Memory
 * goes through the guest's page tables, then through the checked guest
 * memory access: an address outside the guest's RAM fails, nothing else
 * is ever reached. Reads of pages the guest never touched give zeros
 * without filling them; writes fill them first.
 */
struct gdb_target gdb_guest_target(struct vm *vm);

#endif
