/*
 * vm_end.c - a guest's console output and its end.
 */
#include "hypervisor/vm/vm.h"

#include <stdarg.h>

#include "hypervisor/console.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/vm/vm_memory.h"
#include "lib/format.h"
#include "lib/kstring.h"

const char *vm_end_reason_name(enum vm_end_reason reason)
{
	switch (reason) {
	case VM_END_HALT: return "halt";
	case VM_END_REFUSED: return "refused";
	default: return "killed";
	}
}

static void flush_line(struct vm *vm)
{
	if (vm->line_len == 0)
		return;
	log_raw("[", 1);
	log_raw(vm->name, strnlen(vm->name, sizeof(vm->name)));
	log_raw("] ", 2);
	log_raw(vm->line, vm->line_len);
	log_raw("\n", 1);
	vm->line_len = 0;
}

/*
 * A C1 control (U+0080..U+009F): raw, a byte 0x80..0x9f that no UTF-8 lead
 * byte announced; encoded, the same after 0xc2. Terminals take some (0x9b is
 * CSI) as commands. prev is the line's byte before c, or 0 at its start.
 */
static bool is_c1_control(unsigned char prev, unsigned char c)
{
	return c >= 0x80 && c <= 0x9f && (prev < 0x80 || prev == 0xc2);
}

/*
 * The log copy shows control bytes (C0, DEL and C1) as '.', so no guest
 * output can end a log line early or move the terminal's cursor over
 * Skiff's own lines.
 */
void vm_console_write(struct vm *vm, const char *bytes, uint64_t len)
{
	guest_console_raw(bytes, len);
	for (uint64_t i = 0; i < len; i++) {
		char c = bytes[i];

		if (c == '\n') {
			if (vm->line_len == 0)
				vm->line[vm->line_len++] = ' ';
			flush_line(vm);
			continue;
		}
		if (c == '\r')
			continue;
		if ((unsigned char)c < 0x20 || c == 0x7f)
			c = (c == '\t') ? ' ' : '.';
		if (is_c1_control(vm->line_len ? (unsigned char)vm->line[vm->line_len - 1] : 0,
				  (unsigned char)c)) {
			if (vm->line_len && (unsigned char)vm->line[vm->line_len - 1] == 0xc2)
				vm->line[vm->line_len - 1] = '.';
			c = '.';
		}
		vm->line[vm->line_len++] = c;
		if (vm->line_len == VM_LINE_MAX)
			flush_line(vm);
	}
}

/* The registers of a guest that Skiff ended, for the report. */
static void log_guest_state(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu;

#define R(reg) (unsigned long long)hal->reg_read(v, reg)
	log_printf("guest %s: rip=0x%llx rsp=0x%llx rflags=0x%llx cr0=0x%llx cr2=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx",
		   vm->name, R(HAL_REG_RIP), R(HAL_REG_RSP), R(HAL_REG_RFLAGS), R(HAL_REG_CR0),
		   R(HAL_REG_CR2), R(HAL_REG_CR3), R(HAL_REG_CR4), R(HAL_REG_EFER));
	log_printf("guest %s: rax=0x%llx rbx=0x%llx rcx=0x%llx rdx=0x%llx rsi=0x%llx rdi=0x%llx rbp=0x%llx",
		   vm->name, R(HAL_REG_RAX), R(HAL_REG_RBX), R(HAL_REG_RCX), R(HAL_REG_RDX),
		   R(HAL_REG_RSI), R(HAL_REG_RDI), R(HAL_REG_RBP));
#undef R
}

static void release(struct vm *vm)
{
	vm_net_detach(vm);
	vm_memory_release(vm);  /* unmap and invalidate before anything is freed */
	if (vm->vcpu_ready) {
		hal->vcpu_destroy(&vm->vcpu);
		vm->vcpu_ready = false;
	}
	/* vm_memory_release scrubbed and freed every frame of its RAM. */
	vm->mem.base = NULL;
}

void vm_end(struct vm *vm, uint8_t status, enum vm_end_reason reason,
	    const char *fmt, ...)
{
	char detail[320];
	va_list ap;

	va_start(ap, fmt);
	format_v(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	flush_line(vm);
	vm->status = status;
	vm->end_reason = reason;
	vm->state = VM_ENDED;
	if (reason == VM_END_HALT)
		log_printf("guest %s: halted with status %u", vm->name, status);
	else if (reason == VM_END_REFUSED)
		log_printf("guest %s: refused: %s", vm->name, detail);
	else
		log_printf("guest %s: ended by skiff: %s", vm->name, detail);
	if (reason == VM_END_KILLED && vm->vcpu_ready)
		log_guest_state(vm);
	release(vm);
}
