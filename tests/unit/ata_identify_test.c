/*
 * ata_identify_test.c - decoding IDENTIFY DEVICE words: LBA28 and LBA48
 * capacities, the flush command, the byte-swapped model, and devices that
 * cannot be driven.
 */
#include <string.h>

#include "check.h"
#include "drivers/ata/ata.h"

static void model(uint16_t *w, const char *text)
{
	char padded[40];

	memset(padded, ' ', sizeof padded);
	memcpy(padded, text, strlen(text));
	for (int i = 0; i < 20; i++)
		w[27 + i] = (uint16_t)((uint8_t)padded[2 * i] << 8 | (uint8_t)padded[2 * i + 1]);
}

int main(void)
{
	uint16_t w[256];
	struct ata_identity id;

	memset(w, 0, sizeof w);
	model(w, "QEMU HARDDISK");
	w[49] = 1u << 9;
	w[60] = 0x0800;   /* 2048 sectors */
	w[61] = 0;
	CHECK(ata_parse_identity(w, &id));
	CHECK(strcmp(id.model, "QEMU HARDDISK") == 0);
	CHECK(id.sectors == 2048 && !id.lba48 && !id.flush_ext);
	/* Word 83 counts only with bits 15:14 = 01. */
	w[83] = (1u << 10) | (1u << 13);
	CHECK(ata_parse_identity(w, &id) && !id.lba48);
	w[83] |= 0x4000;
	w[100] = 0x0000;
	w[101] = 0x0000;
	w[102] = 0x0001;  /* 2^32 sectors */
	w[103] = 0;
	CHECK(ata_parse_identity(w, &id) && id.lba48 && id.flush_ext &&
	      id.sectors == (UINT64_C(1) << 32));
	w[49] = 0;
	CHECK(!ata_parse_identity(w, &id));  /* CHS only */
	memset(w, 0, sizeof w);
	w[49] = 1u << 9;
	CHECK(!ata_parse_identity(w, &id));  /* no sectors */
	w[27] = 0x0141;  /* control byte becomes '?' */
	ata_parse_identity(w, &id);
	CHECK(id.model[0] == '?' && id.model[1] == 'A');
	return check_report("ata_identify");
}
