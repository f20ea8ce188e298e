/*
 * gdb_stub.h - one guest under gdb (Skiff option gdb=NAME).
 *
 * The guest named NAME is stopped before its first instruction and the
 * stub serves gdb's remote protocol on COM4 (gdb_uart.h), which the
 * emulator maps to a TCP port (tools/skiff-run --gdb PORT). While it is
 * stopped, every guest is held (Skiff's one CPU for guests waits on gdb);
 * while it runs, the others run normally; gdb's Ctrl-C stops it at its
 * next exit (at the latest when its time slice ends). Its INT3 and #DB
 * exit to Skiff (hal_ops.debug_traps); stepping uses
 * hal_ops.single_step. After gdb detaches (D or k), the guest runs on
 * undebugged. docs/debugging.md.
 */
#ifndef SKIFF_GDB_STUB_H
#define SKIFF_GDB_STUB_H

#include <stdbool.h>

#include "hal/hal.h"

struct vm;

/*
 * gdb_stub_start: with gdb=NAME, find NAME among vms[0..count), turn its
 * debug traps on and serve gdb until it resumes the guest. Logs and
 * carries on undebugged when no live guest has that name or the machine
 * has no COM4. Call once, after the guests are built, before any runs.
 */
void gdb_stub_start(struct vm **vms, unsigned count);

/* gdb_stub_debugging: vm is the guest under gdb (cheap: one compare). */
extern struct vm *gdb_stub_debugged;   /* NULL: nobody is debugged; gdb_stub.c writes it */

static inline bool gdb_stub_debugging(const struct vm *vm)
{
	return vm == gdb_stub_debugged;
}

/*
 * gdb_stub_exception: vm (under gdb) exited with exit, an exception.
 * For #BP and #DB: reports the stop to gdb, serves it until it resumes
 * the guest and returns true. Any other exception: false (not the
 * debugger's; the caller handles it).
 */
bool gdb_stub_exception(struct vm *vm, const struct hal_exit *exit);

/*
 * gdb_stub_after_exit: vm (under gdb) had an exit that Skiff handled.
 * When vm ended, tell gdb its status ("W") and stop debugging (its vCPU
 * is not touched again). Otherwise, when gdb asked for one step and Skiff
 * finished that instruction itself (RIP moved), or gdb sent Ctrl-C,
 * report a stop and serve gdb.
 */
void gdb_stub_after_exit(struct vm *vm);

#endif
