/*
 * gdb_stub_test.c - the GDB stub's framing, commands and page walk on the
 * host, against a fake target: 64 KiB of memory at virtual 0x100000 and a
 * register file.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "hypervisor/debug/gdb_commands.h"
#include "hypervisor/debug/gdb_packet.h"
#include "hypervisor/debug/gdb_regs.h"
#include "hypervisor/debug/gdb_walk.h"

#define MEM_BASE 0x100000u
#define MEM_SIZE 0x10000u

static uint8_t memory[MEM_SIZE];
static uint64_t regs[HAL_REG_COUNT];

static uint64_t fake_reg_read(void *ctx, enum hal_reg reg)
{
	(void)ctx;
	return regs[reg];
}

static void fake_reg_write(void *ctx, enum hal_reg reg, uint64_t value)
{
	(void)ctx;
	regs[reg] = value;
}

static bool inside(uint64_t addr, size_t len)
{
	return addr >= MEM_BASE && addr - MEM_BASE <= MEM_SIZE && len <= MEM_SIZE - (addr - MEM_BASE);
}

static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	if (!inside(addr, len))
		return -1;
	memcpy(buf, memory + (addr - MEM_BASE), len);
	return 0;
}

static int fake_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	(void)ctx;
	if (!inside(addr, len))
		return -1;
	memcpy(memory + (addr - MEM_BASE), buf, len);
	return 0;
}

static const struct gdb_target target = {
	NULL, fake_reg_read, fake_reg_write, fake_read, fake_write,
};
static struct gdb_session session;
static char reply[GDB_REPLY_MAX + 1];

static enum gdb_action run(const char *body)
{
	return gdb_command(&session, &target, body, strlen(body), reply);
}

/* feed: every byte of text into rx; returns the last event. */
static enum gdb_rx_event feed(struct gdb_rx *rx, const char *text)
{
	enum gdb_rx_event last = GDB_RX_NONE;

	for (; *text; text++) {
		enum gdb_rx_event e = gdb_rx_byte(rx, (uint8_t)*text);

		if (e != GDB_RX_NONE)
			last = e;
	}
	return last;
}

static void test_framing(void)
{
	static struct gdb_rx rx;
	static char long_packet[GDB_PACKET_MAX + 64];
	char frame[32];

	gdb_rx_reset(&rx);
	CHECK(feed(&rx, "$g#67") == GDB_RX_PACKET && rx.len == 1 && rx.body[0] == 'g');
	CHECK(feed(&rx, "$g#68") == GDB_RX_BAD_SUM);
	CHECK(feed(&rx, "$g#zz") == GDB_RX_BAD_SUM);
	CHECK(feed(&rx, "noise$?#3f") == GDB_RX_PACKET && strcmp(rx.body, "?") == 0);
	CHECK(feed(&rx, "$m10$?#3F") == GDB_RX_PACKET && strcmp(rx.body, "?") == 0);
	CHECK(feed(&rx, "+") == GDB_RX_ACK && feed(&rx, "-") == GDB_RX_NAK);
	CHECK(feed(&rx, "\x03") == GDB_RX_INTERRUPT);
	/* Longer than the buffer, checksum right: refused, not overrun. */
	memset(long_packet, 'A', sizeof long_packet);
	long_packet[0] = '$';
	{
		size_t n = GDB_PACKET_MAX + 40;
		uint8_t sum = (uint8_t)(n * 'A');

		long_packet[1 + n] = '#';
		gdb_hex_byte(sum, &long_packet[2 + n]);
		long_packet[4 + n] = '\0';
	}
	CHECK(feed(&rx, long_packet) == GDB_RX_TOO_LONG);
	CHECK(gdb_frame("OK", 2, frame, sizeof frame) == 6 && strcmp(frame, "$OK#9a") == 0);
	CHECK(gdb_frame("", 0, frame, sizeof frame) == 4 && strcmp(frame, "$#00") == 0);
	CHECK(gdb_frame("OK", 2, frame, 6) == 0);
}

static void test_registers(void)
{
	struct gdb_reg r;

	for (unsigned i = 0; i < HAL_REG_COUNT; i++)
		regs[i] = 0x1111111111111111ull * (i + 1u);
	regs[HAL_REG_RIP] = 0x0102030405060708ull;
	run("g");
	CHECK(strlen(reply) == 2 * GDB_REGS_BYTES);
	CHECK(strncmp(reply + 16 * 16, "0807060504030201", 16) == 0);   /* rip, little-endian */
	CHECK(reply[2 * 164] == 'x');                                   /* st0: unavailable */
	CHECK(run("p10") == GDB_STAY && strcmp(reply, "0807060504030201") == 0);
	CHECK(run("P10=0010100000000000") == GDB_STAY && strcmp(reply, "OK") == 0);
	CHECK(regs[HAL_REG_RIP] == 0x101000);
	run("p12");                                                      /* cs */
	CHECK(strcmp(reply, "08000000") == 0);
	run("p3b");
	CHECK(strcmp(reply, "E01") == 0);
	run("P10=12");
	CHECK(strcmp(reply, "E01") == 0 && regs[HAL_REG_RIP] == 0x101000);
	run("Gzz");
	CHECK(strcmp(reply, "E01") == 0);
	CHECK(gdb_reg_describe(7, &r) && r.kind == GDB_REG_HAL && r.hal == HAL_REG_RSP);
	CHECK(gdb_reg_describe(58, &r) && r.hal == HAL_REG_GS_BASE && r.size == 8);
	CHECK(!gdb_reg_describe(GDB_REG_COUNT, &r));
}

static void test_memory_and_breakpoints(void)
{
	memory[0x10] = 0x55;
	memory[0x11] = 0x48;
	run("m100010,2");
	CHECK(strcmp(reply, "5548") == 0);
	run("M100020,3:aabbcc");
	CHECK(strcmp(reply, "OK") == 0 && memory[0x22] == 0xcc);
	run("m0,4");
	CHECK(strcmp(reply, "E01") == 0);
	run("Mffffffffffffffff,2:0000");
	CHECK(strcmp(reply, "E01") == 0);
	run("M100020,3:aabb");
	CHECK(strcmp(reply, "E01") == 0);
	run("m100010");
	CHECK(strcmp(reply, "E01") == 0);
	run("m10000000000000000000,1");
	CHECK(strcmp(reply, "E01") == 0);
	/* A read longer than a reply holds comes back shorter, not overrun. */
	run("m100000,ffff");
	CHECK(strlen(reply) == GDB_REPLY_MAX);

	run("Z0,100010,1");
	CHECK(strcmp(reply, "OK") == 0 && memory[0x10] == GDB_INT3);
	CHECK(gdb_breakpoint_at(&session, 0x100010));
	run("m100010,2");
	CHECK(strcmp(reply, "5548") == 0);          /* gdb sees the original byte */
	run("M100010,1:90");
	CHECK(memory[0x10] == GDB_INT3);             /* the breakpoint stays */
	run("z0,100010,1");
	CHECK(strcmp(reply, "OK") == 0 && memory[0x10] == 0x90);
	run("Z0,10,1");
	CHECK(strcmp(reply, "E01") == 0);
	run("Z1,100010,1");
	CHECK(reply[0] == '\0');                     /* hardware breakpoints: unsupported */
	run("Z0,100030,1");
	CHECK(run("D") == GDB_DETACH && strcmp(reply, "OK") == 0 && memory[0x30] == 0);
	CHECK(session.bp_count == 0);
}

static void test_control(void)
{
	CHECK(run("?") == GDB_STAY && strcmp(reply, "S05") == 0);
	CHECK(run("c") == GDB_CONTINUE);
	CHECK(run("s") == GDB_STEP);
	CHECK(run("c100000") == GDB_CONTINUE && regs[HAL_REG_RIP] == 0x100000);
	CHECK(run("cxyz") == GDB_STAY && strcmp(reply, "E01") == 0);
	CHECK(run("k") == GDB_DETACH && reply[0] == '\0');
	run("qSupported:multiprocess+;swbreak+");
	CHECK(strcmp(reply, "PacketSize=1000") == 0);
	run("qAttached");
	CHECK(strcmp(reply, "1") == 0);
	run("vCont?");
	CHECK(reply[0] == '\0');
	run("Hg0");
	CHECK(strcmp(reply, "OK") == 0);
	CHECK(gdb_command(&session, &target, "", 0, reply) == GDB_STAY && reply[0] == '\0');
}

/* Page tables built in a fake RAM: 0x400000 maps to 0x5000 through 4 KiB
 * pages, 0x40000000 through a 2 MiB page to 0x200000. */
static void test_walk(void)
{
	static uint8_t ram[0x400000] __attribute__((aligned(4096)));
	struct guest_memory m = { .base = ram, .size = sizeof ram };
	uint64_t *pml4 = (uint64_t *)(ram + 0x1000), *pdpt = (uint64_t *)(ram + 0x2000);
	uint64_t *pd = (uint64_t *)(ram + 0x3000), *pt = (uint64_t *)(ram + 0x4000);
	uint64_t *pd1 = (uint64_t *)(ram + 0x6000);
	uint64_t gpa = 0;

	pml4[0] = 0x2000 | 3;
	pdpt[0] = 0x3000 | 3;
	pdpt[1] = 0x6000 | 3;
	pd[2] = 0x4000 | 3;           /* 0x400000 */
	pt[0] = 0x5000 | 3;
	pd1[0] = 0x200000 | 0x83;     /* 0x40000000: 2 MiB page */
	CHECK(guest_virt_to_phys(&m, 0x1000, true, 0x400123, &gpa) == 0 && gpa == 0x5123);
	CHECK(guest_virt_to_phys(&m, 0x1000, true, 0x40012345, &gpa) == 0 && gpa == 0x212345);
	CHECK(guest_virt_to_phys(&m, 0x1000, true, 0x401000, &gpa) == -1);
	CHECK(guest_virt_to_phys(&m, 0x1000, true, 0x800000000000ull, &gpa) == -1);
	CHECK(guest_virt_to_phys(&m, 0x1000, false, 0x1234, &gpa) == 0 && gpa == 0x1234);
	pml4[1] = 0x7fff000 | 3;      /* a table outside RAM */
	CHECK(guest_virt_to_phys(&m, 0x1000, true, 0x8000000000ull, &gpa) == -1);
	CHECK(guest_virt_to_phys(&m, 0x7fff000, true, 0x1000, &gpa) == -1);
	/* A debugger's look leaves the guest's accessed and dirty bits alone. */
	CHECK(pml4[0] == (0x2000 | 3) && pt[0] == (0x5000 | 3) && pd1[0] == (0x200000 | 0x83));
	/* Reserved bits make the walk fail, as they would fault the guest. */
	pml4[0] |= 0x80;              /* PS in a PML4 entry */
	CHECK(guest_virt_to_phys(&m, 0x1000, true, 0x400123, &gpa) == -1);
}

int main(void)
{
	test_framing();
	test_registers();
	test_memory_and_breakpoints();
	test_control();
	test_walk();
	return check_report("gdb_stub_test");
}
