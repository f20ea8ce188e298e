/*
 * pv.h - the paravirtual MMU of one VM (paging=pv, docs/pv-mmu.md).
 *
 * The guest builds its page tables in its own RAM, registers each table
 * page (it becomes read-only to the guest: Skiff's guest-physical map
 * narrows it, so a write through any mapping ends the guest), changes
 * entries only through validated update batches and loads CR3 by call.
 * The CPU walks shadow paging's tables (hypervisor/mem/shadow/), built from
 * the validated guest tables: because every change to a registered table
 * goes through Skiff, the shadows are dropped exactly when an update makes
 * a cached translation stale, and the guest takes no write faults.
 */
#ifndef SKIFF_PV_H
#define SKIFF_PV_H

#include <stdbool.h>
#include <stdint.h>

#include "hypervisor/vm/hypercall.h"

struct vm;

/* Skiff's calls of the PV MMU (docs/guest-abi.md "Paravirtual MMU"). */
#define SKIFF_CALL_PV_REGISTER 0x590u
#define SKIFF_CALL_PV_UNREGISTER 0x591u
#define SKIFF_CALL_PV_UPDATE 0x592u
#define SKIFF_CALL_PV_LOAD_CR3 0x593u
#define SKIFF_CALL_PV_QUERY 0x594u
#define SKIFF_CALL_PV_ARG_SIZE 40u

/* pv_is_port: port is one of the PV MMU's calls. */
static inline bool pv_is_port(uint16_t port)
{
	return port >= SKIFF_CALL_PV_REGISTER && port <= SKIFF_CALL_PV_QUERY;
}

/*
 * pv_create: give vm (already set up for shadow paging, shadow.h) the PV
 * MMU's records. 0, or -ENOMEM.
 */
int pv_create(struct vm *vm);

/* pv_destroy: free vm's PV records (logging its summary line); safe twice. */
void pv_destroy(struct vm *vm);

/*
 * pv_call: carry out the PV call at port with its argument struct at
 * arg_gpa. A call that breaks a rule is refused: error set in the struct,
 * a log line naming the guest and the cause, the guest goes on
 * (res->action HC_DO_CONTINUE). A struct outside RAM ends the guest
 * (HC_DO_KILL with res->why). In a guest without paging=pv every call
 * answers PV_E_MODE.
 */
void pv_call(struct vm *vm, uint16_t port, uint64_t arg_gpa, struct hypercall_result *res);

/*
 * pv_mov_cr3_refused: the guest wrote CR3 with MOV. Before its first load by call
 * a PV guest still runs on its boot tables (returns false: shadow paging
 * handles it); afterwards it is ended with a decoded report (returns true).
 */
bool pv_mov_cr3_refused(struct vm *vm, uint64_t value);

/* pv_is_table: gpa lies on a registered table page of vm. */
bool pv_is_table(const struct vm *vm, uint64_t gpa);

#endif
