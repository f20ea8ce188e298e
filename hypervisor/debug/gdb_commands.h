/*
 * gdb_commands.h - the GDB remote protocol's commands, answered against a
 * target that can read and write registers and memory. Portable and
 * without I/O: a packet body in, a reply body and what to do next out
 * (the stub in gdb_stub.c moves the bytes; host tests and a fuzzer call
 * this directly).
 *
 * Supported: ? g G p P m M c s (no resume address) Z0 z0 (software
 * breakpoints, INT3 written into the target's memory) D k H T qSupported
 * qAttached qC qfThreadInfo qsThreadInfo vCont? vMustReplyEmpty. Anything
 * else gets the empty reply ("not supported"), as the protocol asks;
 * malformed arguments of a supported command get "E01".
 *
 * Registers follow gdb's amd64 layout without a target description:
 * rax rbx rcx rdx rsi rdi rbp rsp r8..r15 (8 bytes each), rip (8), eflags
 * cs ss ds es fs gs (4 each), st0..st7 (10 each), fctrl..fop (4 each),
 * xmm0..xmm15 (16 each), mxcsr (4), then fs_base gs_base (8 each): 552
 * bytes, numbers 0..58. The x87/SSE registers are reported unavailable.
 */
#ifndef SKIFF_GDB_COMMANDS_H
#define SKIFF_GDB_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/hal.h"

#define GDB_BREAKPOINTS_MAX 64
#define GDB_INT3 0xcc

/* What the target offers. Each call gets ctx back. */
struct gdb_target {
	void *ctx;
	uint64_t (*reg_read)(void *ctx, enum hal_reg reg);
	void (*reg_write)(void *ctx, enum hal_reg reg, uint64_t value);
	/*
	 * mem_read / mem_write: len bytes at guest-virtual addr. 0 when the
	 * whole range was reached, -1 when any of it was not (then nothing
	 * was written).
	 */
	int (*mem_read)(void *ctx, uint64_t addr, void *buf, size_t len);
	int (*mem_write)(void *ctx, uint64_t addr, const void *buf, size_t len);
};

struct gdb_breakpoint {
	uint64_t addr;
	uint8_t saved;      /* the byte the INT3 replaced */
};

/* The debugger's state of one target: zero-initialised before use. */
struct gdb_session {
	struct gdb_breakpoint bp[GDB_BREAKPOINTS_MAX];
	unsigned bp_count;
};

/* What the caller does after sending the reply. */
enum gdb_action {
	GDB_STAY,      /* send the reply, wait for the next packet */
	GDB_CONTINUE,  /* no reply now: run until the next stop */
	GDB_STEP,      /* no reply now: run one instruction */
	GDB_DETACH,    /* send the reply (if any), then run undebugged */
};

/* Longest reply body gdb_command writes (the g reply is the longest). */
#define GDB_REPLY_MAX GDB_PACKET_MAX

/*
 * gdb_command: answer the packet body[0..len) (any bytes) against t.
 * Writes the reply body to reply (GDB_REPLY_MAX + 1 bytes, NUL-terminated;
 * "" is the empty reply) and returns what to do next. Breakpoints are kept
 * in *s; with GDB_DETACH every breakpoint has been taken out again. Never
 * reads outside body[0..len) nor writes outside reply.
 */
enum gdb_action gdb_command(struct gdb_session *s, const struct gdb_target *t,
			    const char *body, size_t len, char *reply);

/*
 * gdb_breakpoint_at: whether s has a breakpoint at addr (the stub uses it
 * to tell its own INT3 from the guest's).
 */
bool gdb_breakpoint_at(const struct gdb_session *s, uint64_t addr);

/* gdb_remove_all_breakpoints: put every replaced byte back. */
void gdb_remove_all_breakpoints(struct gdb_session *s, const struct gdb_target *t);

#endif
