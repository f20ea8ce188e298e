/*
 * ata_identify.c - decoding IDENTIFY DEVICE data (ata.h).
 */
#include "drivers/ata/ata.h"

#define ID_CAPABILITIES 49
#define ID_CAP_LBA (1u << 9)
#define ID_LBA28_SECTORS 60
#define ID_COMMAND_SET_2 83
#define ID_CMD2_LBA48 (1u << 10)
#define ID_CMD2_FLUSH_EXT (1u << 13)
#define ID_LBA48_SECTORS 100
#define ID_MODEL 27
#define ID_MODEL_WORDS 20

/* The model string is stored as big-endian byte pairs, padded with spaces. */
static void copy_model(const uint16_t *words, char *out)
{
	int end = 0;

	for (int i = 0; i < ID_MODEL_WORDS; i++) {
		out[2 * i] = (char)(words[ID_MODEL + i] >> 8);
		out[2 * i + 1] = (char)(words[ID_MODEL + i] & 0xff);
	}
	for (int i = 0; i < 2 * ID_MODEL_WORDS; i++) {
		if (out[i] < 0x20 || out[i] > 0x7e)
			out[i] = '?';
		if (out[i] != ' ')
			end = i + 1;
	}
	out[end] = '\0';
}

bool ata_parse_identity(const uint16_t words[256], struct ata_identity *out)
{
	uint16_t cmd2 = words[ID_COMMAND_SET_2];
	/* Word 83 is valid only when bits 15:14 read 01. */
	bool cmd2_valid = (cmd2 & 0xc000u) == 0x4000u;

	copy_model(words, out->model);
	out->lba = (words[ID_CAPABILITIES] & ID_CAP_LBA) != 0;
	out->lba48 = cmd2_valid && (cmd2 & ID_CMD2_LBA48);
	out->flush_ext = cmd2_valid && (cmd2 & ID_CMD2_FLUSH_EXT);
	if (out->lba48) {
		out->sectors = 0;
		for (int i = 3; i >= 0; i--)
			out->sectors = (out->sectors << 16) | words[ID_LBA48_SECTORS + i];
	} else {
		out->sectors = (uint32_t)words[ID_LBA28_SECTORS + 1] << 16 | words[ID_LBA28_SECTORS];
	}
	return out->lba && out->sectors != 0;
}
