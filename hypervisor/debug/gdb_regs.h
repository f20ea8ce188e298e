/*
 * gdb_regs.h - gdb's amd64 register numbering (no target description)
 * mapped onto Skiff's registers. Portable data.
 */
#ifndef SKIFF_GDB_REGS_H
#define SKIFF_GDB_REGS_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/hal.h"

#define GDB_REG_COUNT 59     /* rax .. gs_base */
#define GDB_REG_RIP 16
#define GDB_REGS_BYTES 552   /* the g packet's register block */

enum gdb_reg_kind {
	GDB_REG_HAL,          /* a register of the vCPU: hal */
	GDB_REG_SELECTOR,     /* a segment selector, fixed by the guest ABI */
	GDB_REG_UNAVAILABLE,  /* x87 and SSE state: not offered */
};

struct gdb_reg {
	uint8_t size;            /* bytes in the packets */
	enum gdb_reg_kind kind;
	enum hal_reg hal;        /* GDB_REG_HAL */
	uint16_t selector;       /* GDB_REG_SELECTOR */
};

/*
 * gdb_reg_describe: what register number is, into *out. False for a
 * number gdb's layout does not have (>= GDB_REG_COUNT).
 */
bool gdb_reg_describe(unsigned number, struct gdb_reg *out);

#endif
