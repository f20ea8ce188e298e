/*
 * core_dump.c - a crashed guest's registers and memory on the debug
 * channel (format in core_dump.h).
 */
#include "hypervisor/debug/core_dump.h"

#include "hypervisor/vm/guest_memory.h"

#include "hal/hal.h"
#include "hypervisor/console.h"
#include "hypervisor/vm/vm.h"
#include "lib/kstring.h"

#define CORE_PAGE 4096u
#define CORE_REGS 27
#define CORE_END 0xffffffffffffffffull
#define GUEST_CODE_SELECTOR 0x08u   /* GUEST_ABI: the entry GDT's selectors */
#define GUEST_DATA_SELECTOR 0x10u

static void put_u64(uint64_t value)
{
	debug_channel_raw((const char *)&value, sizeof value);
}

/* page_is_zero: whether a 4 KiB page holds only zero bytes. */
static bool page_is_zero(const uint8_t *page)
{
	const uint64_t *words = (const uint64_t *)page;

	for (unsigned i = 0; i < CORE_PAGE / sizeof(uint64_t); i++)
		if (words[i])
			return false;
	return true;
}

static void put_registers(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu;
	uint64_t regs[CORE_REGS] = { 0 };
	static const int order[] = {
		HAL_REG_R15, HAL_REG_R14, HAL_REG_R13, HAL_REG_R12, HAL_REG_RBP,
		HAL_REG_RBX, HAL_REG_R11, HAL_REG_R10, HAL_REG_R9, HAL_REG_R8,
		HAL_REG_RAX, HAL_REG_RCX, HAL_REG_RDX, HAL_REG_RSI, HAL_REG_RDI,
	};
	unsigned n = 0;

	for (; n < sizeof order / sizeof order[0]; n++)
		regs[n] = hal->reg_read(v, order[n]);
	regs[n++] = 0;                                   /* orig_rax */
	regs[n++] = hal->reg_read(v, HAL_REG_RIP);
	regs[n++] = GUEST_CODE_SELECTOR;                  /* cs */
	regs[n++] = hal->reg_read(v, HAL_REG_RFLAGS);
	regs[n++] = hal->reg_read(v, HAL_REG_RSP);
	regs[n++] = GUEST_DATA_SELECTOR;                  /* ss */
	regs[n++] = hal->reg_read(v, HAL_REG_FS_BASE);
	regs[n++] = hal->reg_read(v, HAL_REG_GS_BASE);
	for (; n < CORE_REGS; n++)                       /* ds es fs gs */
		regs[n] = GUEST_DATA_SELECTOR;
	debug_channel_raw((const char *)regs, sizeof regs);
}

void core_dump_write(struct vm *vm)
{
	static const char magic[] = "SKIFFCORE1\n";

	debug_channel_raw(magic, sizeof magic - 1);
	debug_channel_raw(vm->name, strnlen(vm->name, sizeof vm->name));
	debug_channel_raw("\n", 1);
	put_registers(vm);
	for (uint64_t gpa = 0; gpa + CORE_PAGE <= vm->mem.size; gpa += CORE_PAGE) {
		/* A page never touched reads as zeros: like a zero page, left out. */
		const uint8_t *page = guest_ptr_if_present(&vm->mem, gpa, CORE_PAGE);

		if (!page || page_is_zero(page))
			continue;
		put_u64(gpa);
		debug_channel_raw((const char *)page, CORE_PAGE);
	}
	put_u64(CORE_END);
	log_printf("guest %s: core written to the debug channel", vm->name);
}
