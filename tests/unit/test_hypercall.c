/*
 * Host tests of hypercall argument checking: every pointer and length a
 * guest passes is checked against its RAM, overflow included, and nothing
 * outside RAM is read or written (ASan watches the guard bytes around it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hypervisor/vm/cpuid_policy.h"
#include "hypervisor/vm/hypercall.h"

#define RAM_SIZE (64u * 1024)

static char console_out[4096];
static size_t console_len;

static void capture(void *ctx, const char *bytes, uint64_t len)
{
	(void)ctx;
	if (console_len + len <= sizeof(console_out)) {
		memcpy(console_out + console_len, bytes, len);
		console_len += len;
	}
}

static uint64_t fixed_time(void *ctx)
{
	(void)ctx;
	return 1700000000123456789ull;
}

static uint8_t *ram;
static uint8_t disk_bytes[4 * 512];
static const struct hypercall_block disk = { .data = disk_bytes,
	.capacity = sizeof(disk_bytes), .block_size = 512 };

/* A device behind io (a disk region): records the last request and fails
 * when told to, as a driver does on a device error. */
struct io_log {
	bool write;
	uint64_t offset;
	int calls;
	int result;
};
static struct io_log io_log;

static int region_io(void *ctx, bool write, uint64_t offset, void *buf)
{
	struct io_log *log = ctx;

	log->write = write;
	log->offset = offset;
	log->calls++;
	if (log->result == 0 && !write)
		memset(buf, 0xcd, 512);
	return log->result;
}

static const struct hypercall_block region = { .data = NULL, .capacity = 8 * 512,
	.block_size = 512, .io = region_io, .io_ctx = &io_log };
static const struct hypercall_block read_only = { .data = disk_bytes,
	.capacity = sizeof(disk_bytes), .block_size = 512, .read_only = true };

/* Handle 1 is a RAM disk, 2 a disk region, 3 a read-only RAM disk. */
static const struct hypercall_block *block_lookup(void *ctx, uint64_t handle)
{
	(void)ctx;
	return handle == 1 ? &disk : handle == 2 ? &region : handle == 3 ? &read_only : NULL;
}

static struct hypercall_env make_env(void)
{
	return (struct hypercall_env){ .mem = { .base = ram, .size = RAM_SIZE }, .console = capture,
				       .walltime_ns = fixed_time, .block = block_lookup };
}

static void put_u64(uint64_t gpa, uint64_t v) { memcpy(ram + gpa, &v, 8); }
static uint64_t get_u64(uint64_t gpa) { uint64_t v; memcpy(&v, ram + gpa, 8); return v; }
static int32_t get_i32(uint64_t gpa) { int32_t v; memcpy(&v, ram + gpa, 4); return v; }

static enum hypercall_action call(unsigned nr, uint64_t gpa, struct hypercall_result *res)
{
	struct hypercall_env env = make_env();

	hypercall_dispatch(&env, (uint16_t)(0x500 + nr), gpa, res);
	return res->action;
}

static void test_puts(void)
{
	struct hypercall_result res;

	memcpy(ram + 0x2000, "hello", 5);
	put_u64(0x1000, 0x2000);
	put_u64(0x1008, 5);
	console_len = 0;
	CHECK(call(HC_PUTS, 0x1000, &res) == HC_DO_CONTINUE);
	CHECK(console_len == 5 && memcmp(console_out, "hello", 5) == 0);

	/* Longer than one chunk: one chunk now, the rest left for the repeat. */
	put_u64(0x1000, 0x2000);
	put_u64(0x1008, HYPERCALL_PUTS_CHUNK + 7);
	console_len = 0;
	CHECK(call(HC_PUTS, 0x1000, &res) == HC_DO_REPEAT);
	CHECK(console_len == HYPERCALL_PUTS_CHUNK);
	CHECK(get_u64(0x1000) == 0x2000 + HYPERCALL_PUTS_CHUNK && get_u64(0x1008) == 7);
	console_len = 0;
	CHECK(call(HC_PUTS, 0x1000, &res) == HC_DO_CONTINUE && console_len == 7);

	/* data straddling the end of RAM */
	put_u64(0x1000, RAM_SIZE - 2);
	put_u64(0x1008, 5);
	CHECK(call(HC_PUTS, 0x1000, &res) == HC_DO_KILL);
	CHECK(strstr(res.why, "not inside guest memory") != NULL);
	/* data + len wraps around 2^64 */
	put_u64(0x1000, 0xfffffffffffff000ull);
	put_u64(0x1008, 0x2000);
	CHECK(call(HC_PUTS, 0x1000, &res) == HC_DO_KILL);
	/* a huge length from a valid start */
	put_u64(0x1000, 0x10);
	put_u64(0x1008, UINT64_MAX);
	CHECK(call(HC_PUTS, 0x1000, &res) == HC_DO_KILL);
	/* exactly the last byte of RAM is fine */
	put_u64(0x1000, RAM_SIZE - 1);
	put_u64(0x1008, 1);
	console_len = 0;
	CHECK(call(HC_PUTS, 0x1000, &res) == HC_DO_CONTINUE && console_len == 1);
	/* zero length at the very end is fine and prints nothing */
	put_u64(0x1000, RAM_SIZE);
	put_u64(0x1008, 0);
	console_len = 0;
	CHECK(call(HC_PUTS, 0x1000, &res) == HC_DO_CONTINUE && console_len == 0);
}

static void test_struct_bounds(void)
{
	struct hypercall_result res;

	/* argument struct straddling the end, beyond the end, far beyond */
	CHECK(call(HC_PUTS, RAM_SIZE - 8, &res) == HC_DO_KILL);
	CHECK(call(HC_WALLTIME, RAM_SIZE, &res) == HC_DO_KILL);
	CHECK(call(HC_HALT, 0xfffffff0u, &res) == HC_DO_KILL);
	CHECK(call(HC_BLOCK_READ, RAM_SIZE - 35, &res) == HC_DO_KILL);
	CHECK(strstr(res.why, "block-read") != NULL);
	/* a struct that ends exactly at the end of RAM is fine */
	CHECK(call(HC_WALLTIME, RAM_SIZE - 8, &res) == HC_DO_CONTINUE);
	CHECK(get_u64(RAM_SIZE - 8) == 1700000000123456789ull);
}

static void test_calls(void)
{
	struct hypercall_result res;
	int32_t status = 0x1207;

	put_u64(0x3000, 250000000);
	CHECK(call(HC_POLL, 0x3000, &res) == HC_DO_SLEEP && res.sleep_ns == 250000000);
	CHECK(get_u64(0x3008) == 0 && get_i32(0x3010) == 0);

	put_u64(0x3100, 0x4000);
	memcpy(ram + 0x3108, &status, 4);
	CHECK(call(HC_HALT, 0x3100, &res) == HC_DO_HALT);
	CHECK(res.status == 0x07 && res.halt_cookie == 0x4000);

	memset(ram + 0x3200, 0, 40);
	CHECK(call(HC_BLOCK_WRITE, 0x3200, &res) == HC_DO_CONTINUE && get_i32(0x3220) == HC_EINVAL);
	CHECK(call(HC_NET_READ, 0x3200, &res) == HC_DO_CONTINUE && get_i32(0x3218) == HC_EINVAL);
}

/* One block request {handle, offset, data, len} at 0x3400; returns its ret. */
static int32_t block_call(unsigned nr, uint64_t handle, uint64_t offset, uint64_t data,
			  uint64_t len, struct hypercall_result *res)
{
	put_u64(0x3400, handle);
	put_u64(0x3408, offset);
	put_u64(0x3410, data);
	put_u64(0x3418, len);
	memset(ram + 0x3420, 0x55, 4);
	call(nr, 0x3400, res);
	return get_i32(0x3420);
}

static void test_block(void)
{
	struct hypercall_result res;

	memset(disk_bytes, 0, sizeof(disk_bytes));
	memset(ram + 0x5000, 0xab, 512);
	CHECK(block_call(HC_BLOCK_WRITE, 1, 1024, 0x5000, 512, &res) == HC_OK);
	CHECK(res.action == HC_DO_CONTINUE && disk_bytes[1024] == 0xab && disk_bytes[1535] == 0xab);
	CHECK(disk_bytes[1023] == 0 && disk_bytes[1536] == 0);
	memset(ram + 0x6000, 0, 512);
	CHECK(block_call(HC_BLOCK_READ, 1, 1024, 0x6000, 512, &res) == HC_OK);
	CHECK(memcmp(ram + 0x6000, ram + 0x5000, 512) == 0);
	/* the last block is fine; one past it, misaligned, short or long is not */
	CHECK(block_call(HC_BLOCK_READ, 1, 1536, 0x6000, 512, &res) == HC_OK);
	CHECK(block_call(HC_BLOCK_READ, 1, 2048, 0x6000, 512, &res) == HC_EINVAL);
	CHECK(block_call(HC_BLOCK_READ, 1, 100, 0x6000, 512, &res) == HC_EINVAL);
	CHECK(block_call(HC_BLOCK_READ, 1, 0, 0x6000, 256, &res) == HC_EINVAL);
	CHECK(block_call(HC_BLOCK_WRITE, 1, 0, 0x6000, 1024, &res) == HC_EINVAL);
	CHECK(block_call(HC_BLOCK_WRITE, 1, UINT64_MAX - 511, 0x6000, 512, &res) == HC_EINVAL);
	/* no device behind handles 0 and 4 */
	CHECK(block_call(HC_BLOCK_READ, 0, 0, 0x6000, 512, &res) == HC_EINVAL);
	CHECK(block_call(HC_BLOCK_READ, 4, 0, 0x6000, 512, &res) == HC_EINVAL);
	/* a buffer outside RAM, or wrapping, ends the guest and moves nothing */
	CHECK(block_call(HC_BLOCK_READ, 1, 0, RAM_SIZE - 256, 512, &res) == 0x55555555);
	CHECK(res.action == HC_DO_KILL && strstr(res.why, "not inside guest memory"));
	block_call(HC_BLOCK_WRITE, 1, 0, UINT64_MAX - 255, 512, &res);
	CHECK(res.action == HC_DO_KILL && disk_bytes[0] == 0);
}

/* A region device: requests reach io with the offset; a device error is
 * EUNSPEC and the guest goes on; refused requests never reach io. */
static void test_block_region(void)
{
	struct hypercall_result res;

	io_log = (struct io_log){ 0 };
	memset(ram + 0x6000, 0, 512);
	CHECK(block_call(HC_BLOCK_READ, 2, 7 * 512, 0x6000, 512, &res) == HC_OK);
	CHECK(io_log.calls == 1 && !io_log.write && io_log.offset == 7 * 512 && ram[0x6000] == 0xcd);
	CHECK(block_call(HC_BLOCK_WRITE, 2, 512, 0x6000, 512, &res) == HC_OK);
	CHECK(io_log.calls == 2 && io_log.write && io_log.offset == 512);
	io_log.result = -5;
	CHECK(block_call(HC_BLOCK_WRITE, 2, 0, 0x6000, 512, &res) == HC_EUNSPEC);
	CHECK(res.action == HC_DO_CONTINUE);
	CHECK(block_call(HC_BLOCK_READ, 2, 0, 0x6000, 512, &res) == HC_EUNSPEC);
	io_log.calls = 0;
	CHECK(block_call(HC_BLOCK_READ, 2, 8 * 512, 0x6000, 512, &res) == HC_EINVAL);
	CHECK(block_call(HC_BLOCK_WRITE, 2, UINT64_MAX - 511, 0x6000, 512, &res) == HC_EINVAL);
	CHECK(block_call(HC_BLOCK_WRITE, 2, 3, 0x6000, 512, &res) == HC_EINVAL);
	CHECK(io_log.calls == 0);
	/* read-only: reads work, writes are EINVAL and change nothing */
	memset(disk_bytes, 0x11, 512);
	memset(ram + 0x5000, 0xab, 512);
	CHECK(block_call(HC_BLOCK_WRITE, 3, 0, 0x5000, 512, &res) == HC_EINVAL);
	CHECK(disk_bytes[0] == 0x11);
	CHECK(block_call(HC_BLOCK_READ, 3, 0, 0x5000, 512, &res) == HC_OK && ram[0x5000] == 0x11);
}

static void test_ports(void)
{
	struct hypercall_env env = make_env();
	struct hypercall_result res;

	CHECK(hypercall_is_port(0x501) && hypercall_is_port(0x580) && hypercall_is_port(0x5ff));
	CHECK(!hypercall_is_port(0x4ff) && !hypercall_is_port(0x600) && !hypercall_is_port(0xf4));
	hypercall_dispatch(&env, 0x580, 0xffffffff, &res);
	CHECK(res.action == HC_DO_CONTINUE);
	hypercall_dispatch(&env, 0x50f, 0x1000, &res);
	CHECK(res.action == HC_DO_KILL && strstr(res.why, "not a known call"));
	hypercall_dispatch(&env, 0x500, 0x1000, &res);
	CHECK(res.action == HC_DO_KILL);
	hypercall_dispatch(&env, 0x59f, 0x1000, &res);
	CHECK(res.action == HC_DO_KILL);
	CHECK(strcmp(hypercall_name(0x502), "puts") == 0);
	CHECK(strcmp(hypercall_name(0x50f), "unknown") == 0);
}

/* SNAPSHOT (0x582): the flags word handed to the VM, which decides; a
 * struct outside RAM ends the guest as for every call. */
static void test_snapshot(void)
{
	struct hypercall_env env = make_env();
	struct hypercall_result res;
	uint64_t flags = 0x8000000000000001ull;

	memcpy(ram + 0x3000, &flags, sizeof(flags));
	hypercall_dispatch(&env, SKIFF_CALL_SNAPSHOT, 0x3000, &res);
	CHECK(res.action == HC_DO_SNAPSHOT && res.snapshot_flags == flags);
	hypercall_dispatch(&env, SKIFF_CALL_SNAPSHOT, 0xfffffff8u, &res);
	CHECK(res.action == HC_DO_KILL && strstr(res.why, "skiff-snapshot: argument struct"));
	CHECK(strcmp(hypercall_name(SKIFF_CALL_SNAPSHOT), "skiff-snapshot") == 0);
}

static void test_cpuid_policy(void)
{
	struct cpuid_regs r = { 0, 0, 0xffffffffu, 0 };

	cpuid_policy_apply(1, 0, &r);
	CHECK(!(r.ecx & (1u << 5)) && !(r.ecx & (1u << 26)) && !(r.ecx & (1u << 27)));
	CHECK(!(r.ecx & (1u << 3)) && !(r.ecx & (1u << 15)));  /* MONITOR, PDCM */
	CHECK(r.ecx & (1u << 31));
	/* Leaf 7: no AVX2/AVX-512 (XCR0 is pinned), no PKU/OSPKE, no WAITPKG. */
	r = (struct cpuid_regs){ 0, 0xffffffffu, 0xffffffffu, 0 };
	cpuid_policy_apply(7, 0, &r);
	CHECK(!(r.ebx & (1u << 5)) && !(r.ebx & (1u << 16)));
	CHECK(!(r.ecx & (7u << 3)) && (r.ecx & 1u));
	/* Leaves 5 (MWAIT) and 0xa (performance counters): nothing. */
	r = (struct cpuid_regs){ 1, 1, 1, 1 };
	cpuid_policy_apply(5, 0, &r);
	CHECK(r.eax == 0 && r.ebx == 0 && r.ecx == 0 && r.edx == 0);
	r = (struct cpuid_regs){ 1, 1, 1, 1 };
	cpuid_policy_apply(0xa, 0, &r);
	CHECK(r.eax == 0 && r.ebx == 0 && r.ecx == 0 && r.edx == 0);
	r = (struct cpuid_regs){ 0, 0, 0xffffffffu, 0 };
	cpuid_policy_apply(0x80000001, 0, &r);
	CHECK(!(r.ecx & (1u << 2)) && (r.ecx & 1u));
	r = (struct cpuid_regs){ 1, 1, 1, 1 };
	cpuid_policy_apply(0x8000000a, 0, &r);
	CHECK(r.eax == 0 && r.ebx == 0 && r.ecx == 0 && r.edx == 0);
	cpuid_policy_apply(0x40000000, 0, &r);
	CHECK(memcmp(&r.ebx, "Skif", 4) == 0);
}

int main(void)
{
	/* RAM in the middle of a larger block, so ASan sees any stray access */
	ram = calloc(1, RAM_SIZE);
	test_puts();
	test_struct_bounds();
	test_calls();
	test_block();
	test_block_region();
	test_ports();
	test_snapshot();
	test_cpuid_policy();
	free(ram);
	return check_report("hypercall");
}
