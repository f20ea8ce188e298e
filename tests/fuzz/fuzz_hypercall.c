/*
 * fuzz_hypercall.c - libFuzzer entry point for hypercall_dispatch: the
 * input chooses the port, the argument's guest-physical address and the
 * guest RAM's contents, as a hostile guest can.
 *
 * Input: u16 port, u8 mode, u64 gpa, u64 walltime (little-endian), then
 * RAM bytes (zero-padded). mode bit 0 folds gpa into RAM's size plus a
 * little, so most calls reach a real argument struct; bit 1 takes the port
 * as given instead of 0x500 + its low byte, so non-hypercall ports are
 * tried too.
 *
 * RAM is a few pages, and the one block device (handle 1, eight 512-byte
 * blocks) its bytes, each between two ASan-poisoned guard areas, so any
 * access just outside them is reported. Beyond memory safety the harness
 * checks the header's contract exactly: a call is refused (HC_DO_KILL)
 * precisely when the port is no call, or its argument struct, puts' buffer
 * or a valid block request's buffer is not inside RAM; a refused call
 * changes nothing; otherwise RAM and the disk afterwards equal a model of
 * the call applied to them (fields written, block data moved, EINVAL for a
 * bad block request or any net call); the console sees only RAM bytes.
 */
#include <sanitizer/asan_interface.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/vm/hypercall.h"

#define RAM_SIZE (4u * 4096)
#define GUARD_SIZE (64u * 1024)
#define HEADER_SIZE 19u
#define DISK_HANDLE 1u
#define DISK_BLOCK 512u
#define DISK_SIZE (8u * DISK_BLOCK)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The world of one call, and what the callbacks saw during it. */
struct fuzz_ctx {
	const uint8_t *ram;
	uint64_t walltime;
	struct hypercall_block disk;
	uint8_t disk_before[DISK_SIZE];
	unsigned console_calls;
	const char *console_bytes;
	uint64_t console_len;
};

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void console_stub(void *opaque, const char *bytes, uint64_t len)
{
	struct fuzz_ctx *ctx = opaque;
	const char *ram = (const char *)ctx->ram;
	volatile uint8_t sink = 0;

	if (len == 0 || bytes < ram || bytes > ram + RAM_SIZE ||
	    len > (uint64_t)(ram + RAM_SIZE - bytes))
		abort();
	/* Touch every byte: ASan reports it if the range check above is wrong. */
	for (uint64_t i = 0; i < len; i++)
		sink ^= (uint8_t)bytes[i];
	(void)sink;
	ctx->console_calls++;
	ctx->console_bytes = bytes;
	ctx->console_len = len;
}

static uint64_t walltime_stub(void *opaque)
{
	return ((struct fuzz_ctx *)opaque)->walltime;
}

/* arg_size: the ABI's argument struct size for a Solo5 call, 0 for none. */
static uint64_t arg_size(uint16_t port)
{
	static const uint64_t sizes[] = { 0, 8, 16, 20, 36, 36, 28, 28, 12 };

	if (port < HYPERCALL_PORT_BASE + 1 || port > HYPERCALL_PORT_BASE + 8)
		return 0;
	return sizes[port - HYPERCALL_PORT_BASE];
}

static int fits(uint64_t gpa, uint64_t len)
{
	return gpa <= RAM_SIZE && len <= RAM_SIZE - gpa;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* block_request_ok: the one disk, one whole aligned block inside it. */
static int block_request_ok(uint64_t handle, uint64_t offset, uint64_t len)
{
	return handle == DISK_HANDLE && len == DISK_BLOCK &&
	       offset % DISK_BLOCK == 0 && offset <= DISK_SIZE &&
	       len <= DISK_SIZE - offset;
}

/*
 * model_free_report: the harness offers no free_report hook, so a report
 * whose struct is inside RAM is answered EUNSPEC with the list's verdict
 * (free_report_check's own contract is fuzz_free_report's business); one
 * whose struct is not is refused.
 */
static int model_free_report(uint64_t gpa, uint8_t *ram)
{
	struct free_range list[FREE_REPORT_MAX_RANGES];
	struct free_report_verdict v = { FREE_REPORT_E_COUNT, 0, 0 };
	uint64_t at, count;

	if (!fits(gpa, 40))
		return 1;
	at = le64(ram + gpa);
	count = le64(ram + gpa + 8);
	if (count >= 1 && count <= FREE_REPORT_MAX_RANGES) {
		v.error = FREE_REPORT_E_LIST;
		if (fits(at, count * 16)) {
			memcpy(list, ram + at, count * 16);
			free_report_check(list, count, RAM_SIZE, 0, &v);
		}
	}
	put64(ram + gpa + 16, 0);
	put32(ram + gpa + 24, HC_EUNSPEC);
	put32(ram + gpa + 28, (uint32_t)v.error);
	put64(ram + gpa + 32, v.bad_index);
	return 0;
}

/*
 * model_call: what the contract says the call does, applied to copies of
 * RAM and the disk as they were before it. Returns whether the guest must
 * be killed (then nothing may change at all).
 */
static int model_call(uint16_t port, uint64_t gpa, uint8_t *ram, uint8_t *disk,
		      uint64_t walltime)
{
	uint64_t need = arg_size(port);
	uint8_t *arg;

	if (port == SKIFF_CALL_NOP || port == SKIFF_CALL_NET_KICK)
		return 0;
	if (port == SKIFF_CALL_NET_RING) {
		/* No rings in this world (env.net_ring is NULL): EINVAL in ret. */
		if (!fits(gpa, 20))
			return 1;
		put32(ram + gpa + 16, HC_EINVAL);
		return 0;
	}
	if (port == SKIFF_CALL_FREE_REPORT)
		return model_free_report(gpa, ram);
	if (port == SKIFF_CALL_SNAPSHOT)   /* handed to the VM: nothing written here */
		return !fits(gpa, 12);
	if (need == 0 || !fits(gpa, need))
		return 1;
	arg = ram + gpa;
	switch (port - HYPERCALL_PORT_BASE) {
	case HC_WALLTIME:
		put64(arg, walltime);
		return 0;
	case HC_PUTS:
		if (!fits(le64(arg), le64(arg + 8)))
			return 1;
		if (le64(arg + 8) > HYPERCALL_PUTS_CHUNK) {  /* one chunk, the rest described */
			put64(arg, le64(arg) + HYPERCALL_PUTS_CHUNK);
			put64(arg + 8, le64(arg + 8) - HYPERCALL_PUTS_CHUNK);
		}
		return 0;
	case HC_POLL:
		put64(arg + 8, 0);
		put32(arg + 16, 0);
		return 0;
	case HC_BLOCK_WRITE:
	case HC_BLOCK_READ: {
		uint64_t handle = le64(arg), offset = le64(arg + 8);
		uint64_t data = le64(arg + 16), len = le64(arg + 24);

		if (!block_request_ok(handle, offset, len)) {
			put32(arg + 32, HC_EINVAL);
			return 0;
		}
		if (!fits(data, len))
			return 1;
		/* The data moves first, then ret is stored: a buffer may overlap arg. */
		if (port == HYPERCALL_PORT_BASE + HC_BLOCK_WRITE)
			memcpy(disk + offset, ram + data, len);
		else
			memcpy(ram + data, disk + offset, len);
		put32(arg + 32, HC_OK);
		return 0;
	}
	case HC_NET_WRITE:
	case HC_NET_READ:
		put32(arg + 24, HC_EINVAL);
		return 0;
	default:   /* HC_HALT */
		return 0;
	}
}

/* guarded: a heap block of size bytes between two ASan-poisoned guard areas. */
static uint8_t *guarded(size_t size)
{
	uint8_t *area = malloc(GUARD_SIZE + size + GUARD_SIZE);

	if (area == NULL)
		abort();
	ASAN_POISON_MEMORY_REGION(area, GUARD_SIZE);
	ASAN_POISON_MEMORY_REGION(area + GUARD_SIZE + size, GUARD_SIZE);
	return area + GUARD_SIZE;
}

static const struct hypercall_block *block_stub(void *opaque, uint64_t handle)
{
	const struct fuzz_ctx *ctx = opaque;

	return handle == DISK_HANDLE ? &ctx->disk : NULL;
}

static void check_result(const struct hypercall_result *res, uint16_t port,
			 uint64_t gpa, const uint8_t *before,
			 const struct fuzz_ctx *ctx, uint8_t *want_ram,
			 uint8_t *want_disk)
{
	int kill;

	memcpy(want_ram, before, RAM_SIZE);
	memcpy(want_disk, ctx->disk_before, DISK_SIZE);
	kill = model_call(port, gpa, want_ram, want_disk, ctx->walltime);
	if (kill) {
		memcpy(want_ram, before, RAM_SIZE);
		memcpy(want_disk, ctx->disk_before, DISK_SIZE);
	}
	if (memchr(res->why, 0, sizeof(res->why)) == NULL ||
	    kill != (res->action == HC_DO_KILL) || kill != (res->why[0] != '\0') ||
	    memcmp(want_ram, ctx->ram, RAM_SIZE) != 0 ||
	    memcmp(want_disk, ctx->disk.data, DISK_SIZE) != 0)
		abort();
	if (kill)
		return;
	if (port == SKIFF_CALL_SNAPSHOT) {
		if (res->action != HC_DO_SNAPSHOT || res->snapshot_flags != le64(before + gpa) ||
		    ctx->console_calls != 0)
			abort();
		return;
	}
	switch (port - HYPERCALL_PORT_BASE) {
	case HC_PUTS: {
		uint64_t buf = le64(before + gpa), len = le64(before + gpa + 8);
		bool part = len > HYPERCALL_PUTS_CHUNK;

		if (part)
			len = HYPERCALL_PUTS_CHUNK;
		if (res->action != (part ? HC_DO_REPEAT : HC_DO_CONTINUE) ||
		    ctx->console_calls != (len != 0) ||
		    (len != 0 && (ctx->console_bytes != (const char *)ctx->ram + buf ||
				  ctx->console_len != len)))
			abort();
		return;
	}
	case HC_POLL:
		if (res->action != HC_DO_SLEEP || res->sleep_ns != le64(before + gpa))
			abort();
		break;
	case HC_HALT:
		if (res->action != HC_DO_HALT || res->status != before[gpa + 8] ||
		    res->halt_cookie != le64(before + gpa))
			abort();
		break;
	default:
		if (res->action != HC_DO_CONTINUE)
			abort();
	}
	if (ctx->console_calls != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t before[RAM_SIZE], want_ram[RAM_SIZE], want_disk[DISK_SIZE];
	static uint8_t *ram, *disk;
	struct fuzz_ctx ctx;
	struct hypercall_env env = { .ctx = &ctx, .console = console_stub,
				     .walltime_ns = walltime_stub,
				     .block = block_stub };
	struct hypercall_result res;
	uint16_t port;
	uint64_t gpa;
	uint8_t mode;

	if (size < HEADER_SIZE)
		return 0;
	if (ram == NULL) {
		ram = guarded(RAM_SIZE);
		disk = guarded(DISK_SIZE);
	}
	port = (uint16_t)(data[0] | data[1] << 8);
	mode = data[2];
	gpa = le64(data + 3);
	if (!(mode & 2))
		port = (uint16_t)(HYPERCALL_PORT_BASE + (port & 0xff));
	if (mode & 1)
		gpa %= RAM_SIZE + 64;
	memset(&ctx, 0, sizeof(ctx));
	ctx.ram = ram;
	ctx.walltime = le64(data + 11);
	ctx.disk = (struct hypercall_block){ .data = disk, .capacity = DISK_SIZE,
					     .block_size = DISK_BLOCK };
	for (unsigned i = 0; i < DISK_SIZE; i++)
		disk[i] = ctx.disk_before[i] = (uint8_t)(i * 7 + 1);
	env.mem = (struct guest_memory){ .base = ram, .size = RAM_SIZE };
	size -= HEADER_SIZE;
	memset(ram, 0, RAM_SIZE);
	memcpy(ram, data + HEADER_SIZE, size < RAM_SIZE ? size : RAM_SIZE);
	memcpy(before, ram, RAM_SIZE);
	hypercall_dispatch(&env, port, gpa, &res);
	check_result(&res, port, gpa, before, &ctx, want_ram, want_disk);
	if (hypercall_is_port(port) != (port >= 0x500 && port <= 0x5ff) ||
	    hypercall_name(port) == NULL)
		abort();
	return 0;
}
