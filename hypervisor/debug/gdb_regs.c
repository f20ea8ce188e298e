/*
 * gdb_regs.c - the amd64 register layout gdb assumes of a stub that sends
 * no target description (gdb_regs.h): 16 general registers in gdb's
 * order, rip, eflags and six selectors, the x87 and SSE block, and the
 * FS and GS bases last.
 */
#include "hypervisor/debug/gdb_regs.h"

#define GUEST_CODE_SELECTOR 0x08u   /* GUEST_ABI: the entry GDT's selectors */
#define GUEST_DATA_SELECTOR 0x10u

#define FIRST_X87 24     /* st0 */
#define FIRST_X87_CONTROL 32
#define FIRST_XMM 40
#define MXCSR 56
#define FS_BASE 57
#define GS_BASE 58

/* gdb numbers 0..17: general registers, rip and eflags. */
static const enum hal_reg general[] = {
	HAL_REG_RAX, HAL_REG_RBX, HAL_REG_RCX, HAL_REG_RDX,
	HAL_REG_RSI, HAL_REG_RDI, HAL_REG_RBP, HAL_REG_RSP,
	HAL_REG_R8, HAL_REG_R9, HAL_REG_R10, HAL_REG_R11,
	HAL_REG_R12, HAL_REG_R13, HAL_REG_R14, HAL_REG_R15,
	HAL_REG_RIP, HAL_REG_RFLAGS,
};
#define GENERAL_COUNT (sizeof general / sizeof general[0])

static uint8_t unavailable_size(unsigned number)
{
	if (number < FIRST_X87_CONTROL)
		return 10;
	if (number < FIRST_XMM)
		return 4;
	return number < MXCSR ? 16 : 4;
}

bool gdb_reg_describe(unsigned number, struct gdb_reg *out)
{
	if (number >= GDB_REG_COUNT)
		return false;
	*out = (struct gdb_reg){ .size = 8, .kind = GDB_REG_HAL };
	if (number < GENERAL_COUNT) {
		out->hal = general[number];
		out->size = number == GENERAL_COUNT - 1 ? 4 : 8;   /* eflags */
	} else if (number < FIRST_X87) {
		out->kind = GDB_REG_SELECTOR;
		out->size = 4;
		out->selector = number == GENERAL_COUNT ? GUEST_CODE_SELECTOR
							: GUEST_DATA_SELECTOR;
	} else if (number < FS_BASE) {
		out->kind = GDB_REG_UNAVAILABLE;
		out->size = unavailable_size(number);
	} else {
		out->hal = number == FS_BASE ? HAL_REG_FS_BASE : HAL_REG_GS_BASE;
	}
	return true;
}

_Static_assert(GENERAL_COUNT == 18, "rax..r15, rip, eflags");
