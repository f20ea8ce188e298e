/*
 * fuzz_guest_image.c - libFuzzer entry point for the guest loader: any
 * bytes go through guest_image_check; an image it accepts must load into
 * guest memory without touching anything outside it, and what the check
 * reported must hold (segments inside memory, ascending, never W+X).
 *
 * Input: IMAGE, CMDLINE, then a 3-byte trailer: u16 L (little-endian) and
 * a flags byte. CMDLINE is the last L % (room + 1) bytes before the
 * trailer (it may hold NULs: the loader takes the string up to the first),
 * IMAGE the rest. Flags bit 0 attaches every device the image declares
 * (block and net); bit 1 also provides a block device "fuzz-extra", which the
 * image may or may not declare. The image, the command line and guest RAM
 * each live in a heap block of exactly their size, so ASan reports any
 * access past one of them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/loader/guest_image.h"
#include "lib/errno.h"
#include "nested_paging/nested_paging.h"

#define FUZZ_MEM (UINT64_C(4) << 20)
#define FUZZ_TSC_HZ UINT64_C(1000000)
#define TRAILER 3u
#define EXTRA_NAME "fuzz-extra"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_invariants(const struct guest_image *img)
{
	uint64_t last_end = GUEST_LOAD_MIN;

	for (unsigned i = 0; i < img->segment_count; i++) {
		const struct guest_segment *s = &img->segments[i];

		if (s->start < last_end || s->end > FUZZ_MEM ||
		    s->start >= s->end ||
		    ((s->perms & NP_WRITE) && (s->perms & NP_EXEC)))
			abort();
		last_end = s->end;
	}
	if (img->segment_count == 0 || img->kernel_end != last_end ||
	    img->manifest_entries == 0 ||
	    img->manifest_entries > GUEST_MANIFEST_MAX_ENTRIES)
		abort();
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* declared_as: the type the image declares for name, 0 when it does not. */
static uint32_t declared_as(const struct guest_image *img, const char *name)
{
	for (unsigned d = 0; d < img->device_count; d++)
		if (strcmp(img->devices[d].name, name) == 0)
			return img->devices[d].type;
	return 0;
}

/*
 * load_should_succeed: the contract's answer for a command line that fits:
 * every provided device is declared with its type (block or net), and
 * every declared device is provided.
 */
static int load_should_succeed(const struct guest_image *img, uint8_t flags)
{
	if ((flags & 2) && declared_as(img, EXTRA_NAME) != GUEST_DEV_BLOCK)
		return 0;
	for (unsigned d = 0; d < img->device_count; d++) {
		int provided = (flags & 1) ||
			       ((flags & 2) && strcmp(img->devices[d].name, EXTRA_NAME) == 0);

		if (!provided)
			return 0;
	}
	return 1;
}

/* check_loaded: what a successful load must have put in guest memory. */
static void check_loaded(const uint8_t *elf, const struct guest_image *img,
			 const uint8_t *mem, const char *cmdline)
{
	const uint8_t *bi = mem + GUEST_BOOT_INFO;
	uint64_t mft = rd64(bi + 32), line = rd64(bi + 24);

	if (rd64(bi) != FUZZ_MEM || rd64(bi + 8) != img->kernel_end ||
	    rd64(bi + 16) != FUZZ_TSC_HZ ||
	    mft != GUEST_BOOT_INFO + GUEST_BOOT_INFO_SIZE ||
	    line != mft + img->manifest_size ||
	    strcmp((const char *)mem + line, cmdline) != 0)
		abort();
	for (unsigned d = 0; d < img->device_count; d++)
		if (mem[mft + 8 + (d + 1) * GUEST_MANIFEST_ENTRY_SIZE + 96] != 1)
			abort();
	for (unsigned i = 0; i < img->segment_count; i++) {
		const struct guest_segment *s = &img->segments[i];

		if (memcmp(mem + s->load_addr, elf + s->file_offset, s->file_size) != 0)
			abort();
		for (uint64_t a = s->load_addr + s->file_size;
		     a < s->load_addr + s->load_size; a++)
			if (mem[a] != 0)
				abort();
	}
}

static void load(const uint8_t *elf, size_t len, const struct guest_image *img,
		 uint8_t *mem, const char *cmdline, uint8_t flags)
{
	struct guest_attached_block blocks[GUEST_MANIFEST_MAX_ENTRIES + 1];
	unsigned count = 0;
	char err[256];
	int rc;

	if (flags & 1)
		for (unsigned d = 0; d < img->device_count; d++)
			blocks[count++] = (struct guest_attached_block){
				.name = img->devices[d].name,
				.capacity = (UINT64_C(1) << 20) * (d + 1), .block_size = 512,
				.is_net = img->devices[d].type == GUEST_DEV_NET,
				.mac = { 2, 0, 0, 0, 0, (uint8_t)d }, .mtu = 1500 };
	if (flags & 2)
		blocks[count++] = (struct guest_attached_block){
			.name = EXTRA_NAME, .capacity = 4096, .block_size = 4096 };
	memset(mem, 0, FUZZ_MEM);
	rc = guest_image_load(elf, len, img, mem, FUZZ_MEM, cmdline, FUZZ_TSC_HZ,
			      blocks, count, err, sizeof(err));
	if (strlen(cmdline) > GUEST_CMDLINE_MAX - 1) {
		if (rc != -E2BIG)
			abort();
	} else if (load_should_succeed(img, flags)) {
		if (rc != 0)
			abort();
		check_loaded(elf, img, mem, cmdline);
	} else if (rc != -ENOEXEC || err[0] == '\0') {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guest_image img;
	static uint8_t *mem;
	size_t room, cmd_len, elf_len;
	uint8_t flags = 0, *elf;
	char err[256], *cmdline;

	if (mem == NULL && (mem = calloc(1, FUZZ_MEM)) == NULL)
		abort();
	room = size >= TRAILER ? size - TRAILER : 0;
	cmd_len = size >= TRAILER ? (size_t)(data[room] | data[room + 1] << 8) % (room + 1) : 0;
	if (size >= TRAILER)
		flags = data[room + 2];
	elf_len = room - cmd_len;
	elf = malloc(elf_len ? elf_len : 1);
	cmdline = malloc(cmd_len + 1);
	if (elf == NULL || cmdline == NULL)
		abort();
	memcpy(elf, data, elf_len);
	memcpy(cmdline, data + elf_len, cmd_len);
	cmdline[cmd_len] = '\0';
	if (guest_image_check(elf, elf_len, FUZZ_MEM, &img, err, sizeof(err)) == 0) {
		check_invariants(&img);
		load(elf, elf_len, &img, mem, cmdline, flags);
	} else if (err[0] == '\0') {
		abort();
	}
	free(cmdline);
	free(elf);
	return 0;
}
