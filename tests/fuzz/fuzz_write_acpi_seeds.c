/*
 * fuzz_write_acpi_seeds.c - writes the seed corpus of fuzz_acpi: the host
 * tests' good tables (tests/unit/acpi_builder.c) in the harness's layout
 * (u8 RSDP length, 36 bytes of RSDP, memory from ACPI_TEST_BASE), with an
 * ACPI 2.0 RSDP (XSDT) and with a 1.0 one (RSDT).
 *
 * usage: fuzz_write_acpi_seeds DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi_builder.h"

static int write_seed(const char *dir, const char *name, const struct acpi_image *img)
{
	char path[4096];
	uint8_t len = (uint8_t)img->rsdp_len;
	FILE *f;
	int ok;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return 0;
	ok = fwrite(&len, 1, 1, f) == 1 && fwrite(img->rsdp, 1, ACPI_RSDP_V2, f) == ACPI_RSDP_V2 &&
	     fwrite(img->mem, 1, img->size, f) == img->size;
	return fclose(f) == 0 && ok;
}

int main(int argc, char **argv)
{
	static uint8_t mem[AT_END];
	struct acpi_image img = { .mem = mem, .size = sizeof mem };

	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_write_acpi_seeds DIR\n");
		return 2;
	}
	acpi_build(&img);
	if (!write_seed(argv[1], "xsdt.bin", &img))
		return 1;
	acpi_build_v1(&img);
	if (!write_seed(argv[1], "rsdt.bin", &img))
		return 1;
	return 0;
}
