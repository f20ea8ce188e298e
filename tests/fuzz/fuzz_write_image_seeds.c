/*
 * fuzz_write_image_seeds.c - writes the seed corpus of fuzz_guest_image:
 * good images from the test ELF builder, each followed by a guest command
 * line and the harness's 3-byte trailer (u16 command-line length, flags;
 * see fuzz_guest_image.c). The seeds reach every outcome of the load: a
 * good load without devices, one with a block device attached, a net
 * device that Skiff cannot provide, a block device left unprovided, and a
 * command line one byte too long.
 *
 * usage: fuzz_write_image_seeds DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_elf_builder.h"

#define LONG_CMDLINE 8192   /* GUEST_CMDLINE_MAX: one byte more than allowed */

static int write_seed(const char *dir, const char *name,
		      const struct test_elf_spec *spec, const char *cmdline,
		      size_t cmd_len, unsigned flags)
{
	char path[4096];
	struct test_elf elf;
	uint8_t trailer[3] = { (uint8_t)cmd_len, (uint8_t)(cmd_len >> 8),
			       (uint8_t)flags };
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	test_elf_build(spec, &elf);
	f = fopen(path, "wb");
	ok = f != NULL && fwrite(elf.bytes, 1, elf.len, f) == elf.len &&
	     fwrite(cmdline, 1, cmd_len, f) == cmd_len &&
	     fwrite(trailer, 1, sizeof(trailer), f) == sizeof(trailer);
	if (f != NULL && fclose(f) != 0)
		ok = 0;
	test_elf_free(&elf);
	if (!ok)
		perror(path);
	return ok;
}

int main(int argc, char **argv)
{
	static char long_line[LONG_CMDLINE];
	struct test_elf_spec spec;
	const char *args = "--port 80 --msg \"hello  world\"";
	int ok = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_write_image_seeds DIR\n");
		return 2;
	}
	memset(long_line, 'a', sizeof(long_line));

	test_elf_default_spec(&spec);
	spec.device_count = 0;
	ok &= write_seed(argv[1], "no-devices.bin", &spec, args, strlen(args), 0);
	ok &= write_seed(argv[1], "cmdline-too-long.bin", &spec, long_line,
			 sizeof(long_line), 0);

	test_elf_default_spec(&spec);   /* one block device, "storage" */
	ok &= write_seed(argv[1], "block-attached.bin", &spec, args, strlen(args), 1);
	ok &= write_seed(argv[1], "block-missing.bin", &spec, "", 0, 2);

	spec.device_count = 2;
	strcpy(spec.devices[1].name, "service");
	spec.devices[1].type = 2;       /* net: declared, never provided */
	ok &= write_seed(argv[1], "block-and-net.bin", &spec, args, strlen(args), 1);
	return ok ? 0 : 1;
}
