/*
 * fuzz_gpt.c - libFuzzer entry point for the GPT reader (gpt_parse). The
 * input after its first byte is the disk (whole 512-byte sectors; a short
 * tail is dropped). When bit 0 of the first byte is set the harness first
 * writes correct CRC32s into the header and over the entry array it names,
 * so the fuzzer reaches the checks behind them. An accepted table must
 * keep every partition inside the disk, in order, with a NUL-terminated
 * name; a refused one says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/disk/gpt.h"
#include "lib/errno.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct image {
	uint8_t *bytes;
	uint64_t sectors;
};

static int read_image(void *ctx, uint64_t lba, void *buf)
{
	struct image *img = ctx;

	if (lba >= img->sectors)
		abort();   /* the parser must stay inside the disk it was told of */
	memcpy(buf, img->bytes + lba * 512, 512);
	return 0;
}

static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static void reseal(struct image *img)
{
	uint8_t *h = img->bytes + 512;
	uint64_t lba = get64(h + 72), bytes = (uint64_t)get32(h + 80) * get32(h + 84);
	uint32_t size = get32(h + 12);

	if (lba < img->sectors && bytes <= (img->sectors - lba) * 512)
		memcpy(h + 88, &(uint32_t){ gpt_crc32(0, img->bytes + lba * 512, bytes) }, 4);
	if (size <= 512) {
		memset(h + 16, 0, 4);
		memcpy(h + 16, &(uint32_t){ gpt_crc32(0, h, size) }, 4);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gpt_table table;
	struct image img;
	char err[160];
	int rc;

	if (size < 1 + 2 * 512)
		return 0;
	img.sectors = (size - 1) / 512;
	img.bytes = malloc(img.sectors * 512);
	if (!img.bytes)
		abort();
	memcpy(img.bytes, data + 1, img.sectors * 512);
	if (data[0] & 1)
		reseal(&img);
	rc = gpt_parse(read_image, &img, img.sectors, &table, err, sizeof err);
	if (rc == 0) {
		for (unsigned i = 0; i < table.count; i++) {
			const struct gpt_partition *p = &table.parts[i];

			if (p->first_lba > p->last_lba || p->last_lba >= img.sectors ||
			    p->first_lba < 2 || memchr(p->name, 0, sizeof p->name) == NULL)
				abort();
		}
	} else if (rc != -ENOENT && (memchr(err, 0, sizeof err) == NULL || err[0] == '\0')) {
		abort();
	} else if (rc != -ENOENT && rc != -EINVAL && rc != -E2BIG && rc != -EIO) {
		abort();
	}
	free(img.bytes);
	return 0;
}
