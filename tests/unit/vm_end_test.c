/*
 * vm_end_test.c - host tests for hypervisor/vm/vm_end.c: a guest's RAM goes
 * back through the memory core (vm_memory_release, which scrubs each frame
 * after the one invalidation path: tests/unit/mem_*) before its vCPU is
 * destroyed, and the log copy of a guest's output carries no control bytes
 * (C0, DEL, C1 raw or UTF-8-encoded) while ordinary UTF-8 passes.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hypervisor/console.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/vm/vm.h"
#include "hypervisor/vm/vm_memory.h"
#include "hypervisor/debug/core_dump.h"
#include "hypervisor/options.h"

/* ---- what vm_end.c calls, recorded ---- */

static char logged[4096];
static size_t logged_len;
static int released_calls;
static bool memory_released_before_vcpu;
static int destroyed_vcpus;

void log_raw(const char *bytes, size_t len)
{
	if (logged_len + len < sizeof(logged)) {
		memcpy(logged + logged_len, bytes, len);
		logged_len += len;
		logged[logged_len] = '\0';
	}
}

void log_printf(const char *fmt, ...)
{
	(void)fmt;
}

void guest_console_raw(const char *bytes, size_t len)
{
	(void)bytes;
	(void)len;
}

void guest_console_pair(const char *first, size_t first_len, const char *bytes, size_t len)
{
	(void)first;
	(void)first_len;
	(void)bytes;
	(void)len;
}

void vm_memory_release(struct vm *vm)
{
	memory_released_before_vcpu = destroyed_vcpus == 0;
	released_calls++;
	vm->nested_ready = false;
}

struct skiff_options skiff_options;  /* defaults: raw console, no core dumps */

void core_dump_write(struct vm *vm)
{
	(void)vm;
}

void vm_net_detach(struct vm *vm)
{
	(void)vm;
}

static void fake_vcpu_destroy(struct vcpu *v)
{
	(void)v;
	destroyed_vcpus++;
}

static uint64_t fake_reg_read(struct vcpu *v, enum hal_reg r)
{
	(void)v;
	(void)r;
	return 0;
}

static const struct hal_ops fake_hal = {
	.name = "fake", .vcpu_destroy = fake_vcpu_destroy, .reg_read = fake_reg_read,
};
const struct hal_ops *hal = &fake_hal;

/* ---- tests ---- */

static struct vm *new_vm(size_t ram)
{
	struct vm *vm = calloc(1, sizeof(*vm));

	snprintf(vm->name, sizeof(vm->name), "g");
	vm->mem.base = malloc(ram);
	vm->mem.size = ram;
	vm->vcpu_ready = true;
	memset(vm->mem.base, 0xa5, ram);   /* what the guest left */
	return vm;
}

static void test_ram_released_before_vcpu(void)
{
	struct vm *vm = new_vm(64 * 1024);
	void *ram = vm->mem.base;

	vm_end(vm, 1, VM_END_KILLED, "test");
	CHECK(released_calls == 1);
	CHECK(memory_released_before_vcpu);
	CHECK(destroyed_vcpus == 1);
	CHECK(vm->mem.base == NULL && vm->state == VM_ENDED);
	free(ram);
	free(vm);
}

/* The log line vm_console_write made of bytes[0..len). */
static const char *logged_line(const char *bytes, size_t len)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	static char line[sizeof(logged)];

	snprintf(vm->name, sizeof(vm->name), "g");
	logged_len = 0;
	logged[0] = '\0';
	vm_console_write(vm, bytes, len);
	vm_console_write(vm, "\n", 1);
	memcpy(line, logged, sizeof(line));
	free(vm);
	return line;
}

static void test_log_filter(void)
{
	/* C0, DEL, tab. */
	CHECK(strcmp(logged_line("a\x1b[2Jb\x7f\tc", 9), "[g] a.[2Jb. c\n") == 0);
	/* Raw C1: CSI (0x9b) and NEL (0x85) with nothing announcing them. */
	CHECK(strcmp(logged_line("x\x9b" "2Jy\x85z", 7), "[g] x.2Jy.z\n") == 0);
	/* UTF-8-encoded C1 (U+009B as c2 9b): both bytes go. */
	CHECK(strcmp(logged_line("p\xc2\x9bq", 4), "[g] p..q\n") == 0);
	/* Ordinary UTF-8 passes: e-acute (c3 a9), euro (e2 82 ac), u-umlaut (c3 bc). */
	CHECK(strcmp(logged_line("\xc3\xa9\xe2\x82\xac\xc3\xbc", 7), "[g] \xc3\xa9\xe2\x82\xac\xc3\xbc\n") == 0);
	/* A continuation byte at the start of a line has no lead: treated as raw. */
	CHECK(strcmp(logged_line("\x82" "a", 2), "[g] .a\n") == 0);
}

int main(void)
{
	test_ram_released_before_vcpu();
	test_log_filter();
	return check_report("vm_end_test");
}
