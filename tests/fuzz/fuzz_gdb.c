/*
 * fuzz_gdb.c - libFuzzer entry point for the GDB stub's packet parser:
 * the input is answered once as a packet body (gdb_command, so arguments
 * are fuzzed without having to guess checksums), then fed byte by byte
 * through the receiver (gdb_rx_byte), each packet it completes answered
 * in turn, against a fake target with 8 KiB of memory at 0x1000. A reply
 * must be NUL-terminated within GDB_REPLY_MAX and frame into the stub's
 * buffer; after the breakpoints are taken out none may be left.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/debug/gdb_commands.h"
#include "hypervisor/debug/gdb_packet.h"

#define MEM_BASE 0x1000u
#define MEM_SIZE 0x2000u

static uint8_t memory[MEM_SIZE];
static uint64_t regs[HAL_REG_COUNT];

static uint64_t reg_read(void *ctx, enum hal_reg reg)
{
	(void)ctx;
	if ((unsigned)reg >= HAL_REG_COUNT)
		abort();
	return regs[reg];
}

static void reg_write(void *ctx, enum hal_reg reg, uint64_t value)
{
	(void)ctx;
	if ((unsigned)reg >= HAL_REG_COUNT)
		abort();
	regs[reg] = value;
}

static int mem_access(uint64_t addr, size_t len)
{
	if (addr < MEM_BASE || addr - MEM_BASE > MEM_SIZE || len > MEM_SIZE - (addr - MEM_BASE))
		return -1;
	return 0;
}

static int mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	if (mem_access(addr, len) != 0)
		return -1;
	memcpy(buf, memory + (addr - MEM_BASE), len);
	return 0;
}

static int mem_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	(void)ctx;
	if (mem_access(addr, len) != 0)
		return -1;
	memcpy(memory + (addr - MEM_BASE), buf, len);
	return 0;
}

static const struct gdb_target target = { NULL, reg_read, reg_write, mem_read, mem_write };

static void answer(struct gdb_session *s, const char *body, size_t len)
{
	static char reply[GDB_REPLY_MAX + 1];
	static char frame[GDB_REPLY_MAX + 8];

	memset(reply, 0x7f, sizeof reply);
	(void)gdb_command(s, &target, body, len, reply);
	if (memchr(reply, 0, sizeof reply) == NULL)
		abort();
	if (gdb_frame(reply, strlen(reply), frame, sizeof frame) == 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gdb_session session;
	static struct gdb_rx rx;
	char *copy = malloc(size ? size : 1);

	if (copy == NULL)
		abort();
	memcpy(copy, data, size);   /* exactly size bytes: ASan sees a read past them */
	memset(&session, 0, sizeof session);
	memset(memory, 0x90, sizeof memory);
	answer(&session, copy, size);
	gdb_rx_reset(&rx);
	for (size_t i = 0; i < size; i++)
		if (gdb_rx_byte(&rx, data[i]) == GDB_RX_PACKET)
			answer(&session, rx.body, rx.len);
	gdb_remove_all_breakpoints(&session, &target);
	if (session.bp_count != 0)
		abort();
	free(copy);
	return 0;
}
