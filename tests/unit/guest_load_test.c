/*
 * guest_load_test.c - guest_image_load and guest_entry_state: the memory
 * layout of GUEST_ABI.md (segments, GDT, page tables, boot information,
 * manifest copy, command line) and the refusals at load time.
 */
#include <stdint.h>
#include <stdlib.h>

#include "guest_test.h"
#include "hypervisor/loader/guest_image.h"
#include "lib/errno.h"
#include "test_elf_builder.h"

#define MEM (UINT64_C(32) << 20)
#define TSC_HZ UINT64_C(2400000000)

static char err[256];

static uint64_t rd64(const uint8_t *mem, uint64_t gpa)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)mem[gpa + i] << (8 * i);
	return v;
}

static uint32_t rd32(const uint8_t *mem, uint64_t gpa)
{
	return (uint32_t)rd64(mem, gpa);
}

static uint16_t rd16(const uint8_t *mem, uint64_t gpa)
{
	return (uint16_t)(mem[gpa] | mem[gpa + 1] << 8);
}

static const struct guest_attached_block storage = {
	.name = "storage", .capacity = 1 << 20, .block_size = 512 };

/* load: check and load e into a fresh mem; returns guest_image_load's result. */
static int load(const struct test_elf *e, struct guest_image *img,
		uint8_t *mem, uint64_t mem_size, const char *cmdline,
		const struct guest_attached_block *blocks, unsigned count)
{
	memset(err, 0, sizeof(err));
	if (guest_image_check(e->bytes, e->len, mem_size, img, err,
			      sizeof(err)) != 0) {
		fprintf(stderr, "unexpected refusal: %s\n", err);
		return 1;
	}
	return guest_image_load(e->bytes, e->len, img, mem, mem_size, cmdline,
				TSC_HZ, blocks, count, err, sizeof(err));
}

static void check_segments(const struct test_elf *e, const uint8_t *mem)
{
	/* Text: 0x1800 bytes of (0x11 + i); data: 0x100 of (0x77 + i), then zeros. */
	CHECK_EQ(mem[0x100000], 0x11);
	CHECK_EQ(mem[0x1017ff], (uint8_t)(0x11 + 0x17ff));
	CHECK(memcmp(mem + 0x100000, e->bytes + e->segment_offset[0], 0x1800) == 0);
	CHECK_EQ(mem[0x102000], 0x77);
	CHECK_EQ(mem[0x1020ff], (uint8_t)(0x77 + 0xff));
	/* The loader zeroes the rest of the last file page itself (mem was
	 * 0xcc); the whole .bss pages after it are the caller's zeroed memory,
	 * left unwritten (this test's caller did not zero them). */
	CHECK_EQ(mem[0x102100], 0);
	CHECK_EQ(mem[0x102fff], 0);
	CHECK_EQ(mem[0x103000], 0xcc);
	CHECK_EQ(mem[0x104fff], 0xcc);
	/* ...and nothing past p_memsz of the last segment. */
	CHECK_EQ(mem[0x105000], 0xcc);
}

static void check_gdt(const uint8_t *mem)
{
	uint64_t code = rd64(mem, 0x1008), data = rd64(mem, 0x1010);
	uint64_t tss = rd64(mem, 0x1018);

	CHECK_EQ(rd64(mem, 0x1000), 0);
	/* Code: present, S, type execute/read (accessed), L = 1, D = 0, DPL 0. */
	CHECK_EQ((code >> 40) & 0xff, 0x9b);
	CHECK_EQ((code >> 53) & 3, 1);
	/* Data: present, S, type read/write (accessed), DPL 0. */
	CHECK_EQ((data >> 40) & 0xff, 0x93);
	/* TSS: present, system, type 11 (busy 64-bit TSS), base 0, limit 0. */
	CHECK_EQ((tss >> 40) & 0xff, 0x8b);
	CHECK_EQ(tss & 0xffff, 0);
	CHECK_EQ((tss >> 16) & 0xffffff, 0);
	CHECK_EQ(rd64(mem, 0x1020), 0);
}

static void check_page_tables(const uint8_t *mem, uint64_t mem_size)
{
	uint64_t pages = mem_size >> 21;

	CHECK_EQ(rd64(mem, 0x2000), 0x3003);
	CHECK_EQ(rd64(mem, 0x2008), 0);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(rd64(mem, 0x3000 + 8 * i), (0x4000 + 0x1000 * i) | 3);
	CHECK_EQ(rd64(mem, 0x3020), 0);
	CHECK_EQ(rd64(mem, 0x4000), 0x8003);
	CHECK_EQ(rd64(mem, 0x4008), 0x200083);
	CHECK_EQ(rd64(mem, 0x4000 + 8 * (pages - 1)),
		 ((pages - 1) << 21) | 0x83);
	if (pages < 2048)
		CHECK_EQ(rd64(mem, 0x4000 + 8 * pages), 0);
	CHECK_EQ(rd64(mem, 0x8000), 0);           /* page 0: null traps */
	CHECK_EQ(rd64(mem, 0x8000 + 8 * 15), 0);  /* 0xf000 */
	CHECK_EQ(rd64(mem, 0x8000 + 8 * 16), 0x10001);
	CHECK_EQ(rd64(mem, 0x8000 + 8 * 255), 0xff001);
	CHECK_EQ(rd64(mem, 0x8000 + 8 * 256), 0x100003);
	CHECK_EQ(rd64(mem, 0x8000 + 8 * 511), 0x1ff003);
}

static void check_boot_info(const uint8_t *mem, const char *cmdline)
{
	uint64_t mft = rd64(mem, 0x10020), line = rd64(mem, 0x10018);

	CHECK_EQ(rd64(mem, 0x10000), MEM);
	CHECK_EQ(rd64(mem, 0x10008), 0x105000);
	CHECK_EQ(rd64(mem, 0x10010), TSC_HZ);
	CHECK_EQ(mft, 0x10000 + 56);
	CHECK_EQ(line, mft + 8 + 2 * 104);
	CHECK_EQ(rd32(mem, 0x10028), 0);
	CHECK_EQ(rd32(mem, 0x1002c), 0);
	CHECK_EQ(rd64(mem, 0x10030), 0);
	CHECK(strcmp((const char *)mem + line, cmdline) == 0);
	/* The manifest copy with the device attached. */
	CHECK_EQ(rd32(mem, mft), 1);
	CHECK_EQ(rd32(mem, mft + 4), 2);
	CHECK_EQ(rd32(mem, mft + 8 + 68), 1u << 30);
	CHECK(strcmp((const char *)mem + mft + 8 + 104, "storage") == 0);
	CHECK_EQ(rd32(mem, mft + 8 + 104 + 68), 1);
	CHECK_EQ(rd64(mem, mft + 8 + 104 + 72), 1 << 20);
	CHECK_EQ(rd16(mem, mft + 8 + 104 + 80), 512);
	CHECK_EQ(mem[mft + 8 + 104 + 96], 1);
}

static void test_good_load(void)
{
	struct test_elf_spec spec;
	struct guest_image img;
	struct test_elf e;
	uint8_t *mem = malloc(MEM);

	test_elf_default_spec(&spec);
	test_elf_build(&spec, &e);
	memset(mem, 0, 0x100000);
	memset(mem + 0x100000, 0xcc, MEM - 0x100000);
	CHECK_EQ(load(&e, &img, mem, MEM, "--port 80", &storage, 1), 0);
	CHECK_EQ(err[0], 0);
	check_segments(&e, mem);
	check_gdt(mem);
	check_page_tables(mem, MEM);
	check_boot_info(mem, "--port 80");
	/* Below the GDT nothing is written. */
	for (unsigned i = 0; i < 0x1000; i++)
		if (mem[i] != 0) {
			CHECK_EQ(mem[i], 0);
			break;
		}
	free(mem);
	test_elf_free(&e);
}

/* The largest memory: the four page directories are full. */
static void test_four_gib(void)
{
	uint64_t size = UINT64_C(4) << 30;
	struct guest_image img;
	struct test_elf e;
	struct test_elf_spec spec;
	uint8_t *mem = calloc(1, (size_t)size);

	if (mem == NULL) {
		fprintf(stderr, "test_four_gib: skipped, no 4 GiB of address space\n");
		return;
	}
	test_elf_default_spec(&spec);
	test_elf_build(&spec, &e);
	CHECK_EQ(load(&e, &img, mem, size, "", &storage, 1), 0);
	check_page_tables(mem, size);
	CHECK_EQ(rd64(mem, 0x4000 + 8 * 2047), 0xffe00083);
	CHECK_EQ(rd64(mem, 0x10000), size);
	free(mem);
	test_elf_free(&e);
}

static void test_missing_devices(void)
{
	static const struct guest_attached_block extra[] = {
		{ .name = "storage", .capacity = 4096, .block_size = 512 },
		{ .name = "extra", .capacity = 4096, .block_size = 512 } };
	static const struct guest_attached_block net[] = {
		{ .name = "net0", .capacity = 4096, .block_size = 512 } };
	static const struct guest_attached_block both[] = {
		{ .name = "storage", .capacity = 4096, .block_size = 512 },
		{ .name = "net0", .is_net = true, .mac = { 2, 1, 2, 3, 4, 5 }, .mtu = 1500 } };
	static const struct guest_attached_block net_as_block[] = {
		{ .name = "storage", .is_net = true, .mac = { 2, 1, 2, 3, 4, 5 }, .mtu = 1500 } };
	struct test_elf_spec spec;
	struct guest_image img;
	struct test_elf e;
	uint8_t *mem = calloc(1, MEM);

	test_elf_default_spec(&spec);
	test_elf_build(&spec, &e);
	CHECK_EQ(load(&e, &img, mem, MEM, "", NULL, 0), -ENOEXEC);
	CHECK(strcmp(err, "device 'storage' (block) is declared by the image but not provided (add block.storage=FILE to the module command line)") == 0);
	CHECK_EQ(load(&e, &img, mem, MEM, "", extra, 2), -ENOEXEC);
	CHECK_MSG(err, "block device 'extra' is provided but the image declares no device of that name");
	test_elf_free(&e);

	spec.device_count = 2;
	strcpy(spec.devices[1].name, "net0");
	spec.devices[1].type = 2;
	test_elf_build(&spec, &e);
	CHECK_EQ(load(&e, &img, mem, MEM, "", &storage, 1), -ENOEXEC);
	CHECK_MSG(err, "device 'net0' (net) is declared by the image but not provided");
	CHECK_EQ(load(&e, &img, mem, MEM, "", net, 1), -ENOEXEC);
	CHECK_MSG(err, "device 'net0' is declared by the image as net, not block");
	CHECK_EQ(load(&e, &img, mem, MEM, "", &storage, 1), -ENOEXEC);
	CHECK_MSG(err, "add net.net0=NETWORK");
	CHECK_EQ(load(&e, &img, mem, MEM, "", net_as_block, 1), -ENOEXEC);
	CHECK_MSG(err, "device 'storage' is declared by the image as block, not net");
	/* Both provided: the net entry gets its MAC and MTU, and is attached. */
	CHECK_EQ(load(&e, &img, mem, MEM, "", both, 2), 0);
	{
		uint64_t entry = rd64(mem, 0x10020) + 8 + 2 * 104;

		CHECK(strcmp((const char *)mem + entry, "net0") == 0);
		CHECK_EQ(rd32(mem, entry + 68), 2);
		CHECK(memcmp(mem + entry + 72, both[1].mac, 6) == 0);
		CHECK_EQ(rd16(mem, entry + 78), 1500);
		CHECK_EQ(mem[entry + 96], 1);
	}
	test_elf_free(&e);

	/* No devices declared, none given: fine. */
	spec.device_count = 0;
	test_elf_build(&spec, &e);
	CHECK_EQ(load(&e, &img, mem, MEM, "x", NULL, 0), 0);
	test_elf_free(&e);
	free(mem);
}

static void test_cmdline_length(void)
{
	struct test_elf_spec spec;
	struct guest_image img;
	struct test_elf e;
	uint8_t *mem = calloc(1, MEM);
	char *line = malloc(GUEST_CMDLINE_MAX + 1);

	test_elf_default_spec(&spec);
	test_elf_build(&spec, &e);
	memset(line, 'a', GUEST_CMDLINE_MAX);
	line[GUEST_CMDLINE_MAX] = '\0';
	CHECK_EQ(load(&e, &img, mem, MEM, line, &storage, 1), -E2BIG);
	CHECK_MSG(err, "guest command line is 8192 bytes, more than 8191");
	line[GUEST_CMDLINE_MAX - 1] = '\0';
	CHECK_EQ(load(&e, &img, mem, MEM, line, &storage, 1), 0);
	CHECK_EQ(strlen((const char *)mem + rd64(mem, 0x10018)), 8191);
	free(line);
	free(mem);
	test_elf_free(&e);
}

/* A guest_image that does not belong to the bytes never writes outside mem. */
static void test_mismatched_image(void)
{
	struct test_elf_spec spec;
	struct guest_image img;
	struct test_elf e;
	uint8_t *mem = calloc(1, MEM);

	test_elf_default_spec(&spec);
	test_elf_build(&spec, &e);
	CHECK_EQ(load(&e, &img, mem, MEM, "", &storage, 1), 0);
	img.segments[1].load_addr = MEM - 0x10;
	CHECK_EQ(guest_image_load(e.bytes, e.len, &img, mem, MEM, "", TSC_HZ,
				  &storage, 1, err, sizeof(err)), -ENOEXEC);
	CHECK_MSG(err, "does not match the image");
	CHECK_EQ(guest_image_load(e.bytes, e.len, &img, mem, UINT64_C(3) << 20,
				  "", TSC_HZ, &storage, 1, err, sizeof(err)),
		 -ENOEXEC);
	free(mem);
	test_elf_free(&e);
}

static void test_entry_state(void)
{
	struct guest_entry_state s;
	struct guest_image img;

	memset(&img, 0, sizeof(img));
	img.entry = 0x100010;
	memset(&s, 0xff, sizeof(s));
	guest_entry_state(&img, MEM, &s);
	CHECK_EQ(s.rip, 0x100010);
	CHECK_EQ(s.rsp, MEM - 8);
	CHECK_EQ(s.rdi, 0x10000);
	CHECK_EQ(s.rflags, 0x2);
	CHECK_EQ(s.cr0, 0x80010021);
	CHECK_EQ(s.cr3, 0x2000);
	CHECK_EQ(s.cr4, 0x620);
	CHECK_EQ(s.efer, 0x500);
	CHECK_EQ(s.gdt_base, 0x1000);
	CHECK_EQ(s.gdt_limit, 23);
	CHECK_EQ(s.code_selector, 0x08);
	CHECK_EQ(s.data_selector, 0x10);
	CHECK_EQ(s.tss_selector, 0x18);
	CHECK_EQ(s.tss_base, 0);
	CHECK_EQ(s.tss_limit, 0);
}

int main(void)
{
	test_good_load();
	test_four_gib();
	test_missing_devices();
	test_cmdline_length();
	test_mismatched_image();
	test_entry_state();
	return guest_test_result("guest_load_test");
}
