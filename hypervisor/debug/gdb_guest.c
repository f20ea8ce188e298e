/*
 * gdb_guest.c - a VM's registers and memory for the debugger
 * (gdb_guest.h).
 */
#include "hypervisor/debug/gdb_guest.h"

#include "hypervisor/cpu.h"
#include "hypervisor/debug/gdb_walk.h"
#include "hypervisor/vm/vm.h"
#include "lib/kstring.h"

#define PAGE 4096u
#define CR0_PG (1ull << 31)

static uint64_t reg_read(void *ctx, enum hal_reg reg)
{
	struct vm *vm = ctx;

	return hal->reg_read(&vm->vcpu, reg);
}

static void reg_write(void *ctx, enum hal_reg reg, uint64_t value)
{
	struct vm *vm = ctx;

	hal->reg_write(&vm->vcpu, reg, value);
}

/* The piece of [addr, addr+len) that stays in addr's page. */
static size_t in_page(uint64_t addr, size_t len)
{
	size_t room = PAGE - (addr & (PAGE - 1));

	return len < room ? len : room;
}

/* translate: gva to gpa of n bytes inside the guest's RAM, or -1. */
static int translate(struct vm *vm, uint64_t gva, size_t n, uint64_t *gpa)
{
	bool paging = hal->reg_read(&vm->vcpu, HAL_REG_CR0) & CR0_PG;
	uint64_t cr3 = hal->reg_read(&vm->vcpu, HAL_REG_CR3);

	if (guest_virt_to_phys(&vm->mem, cr3, paging, gva, gpa) != 0 ||
	    !guest_range_ok(&vm->mem, *gpa, n))
		return -1;
	return 0;
}

static int mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct vm *vm = ctx;
	uint8_t *out = buf;

	while (len) {
		size_t n = in_page(addr, len);
		const void *src;
		uint64_t gpa;

		if (translate(vm, addr, n, &gpa) != 0)
			return -1;
		src = guest_ptr_if_present(&vm->mem, gpa, n);
		if (src)
			memcpy(out, src, n);
		else
			memset(out, 0, n);   /* never touched: reads as zeros */
		out += n, addr += n, len -= n;
	}
	return 0;
}

static int mem_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct vm *vm = ctx;
	const uint8_t *in = buf;
	uint64_t gpa;

	/* All or nothing: every page is checked before the first byte moves. */
	for (uint64_t a = addr, left = len; left;) {
		size_t n = in_page(a, left);

		if (translate(vm, a, n, &gpa) != 0)
			return -1;
		a += n, left -= n;
	}
	while (len) {
		size_t n = in_page(addr, len);
		void *dst;

		if (translate(vm, addr, n, &gpa) != 0 || !(dst = guest_ptr(&vm->mem, gpa, n)))
			return -1;   /* out of frames for a first touch */
		memcpy(dst, in, n);
		in += n, addr += n, len -= n;
	}
	return 0;
}

struct gdb_target gdb_guest_target(struct vm *vm)
{
	return (struct gdb_target){
		.ctx = vm, .reg_read = reg_read, .reg_write = reg_write,
		.mem_read = mem_read, .mem_write = mem_write,
	};
}
