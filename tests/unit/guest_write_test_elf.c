/*
 * guest_write_test_elf.c - writes the test ELF builder's good image without
 * devices to a file: the source of the malformed images when no real guest
 * is built, and a seed for the image fuzzer.
 *
 * usage: guest_write_test_elf OUT.elf
 */
#include <stdio.h>

#include "test_elf_builder.h"

int main(int argc, char **argv)
{
	struct test_elf_spec spec;
	struct test_elf elf;
	FILE *f;
	int ok;

	if (argc != 2) {
		fprintf(stderr, "usage: guest_write_test_elf OUT.elf\n");
		return 2;
	}
	test_elf_default_spec(&spec);
	spec.device_count = 0;
	test_elf_build(&spec, &elf);
	f = fopen(argv[1], "wb");
	ok = f != NULL && fwrite(elf.bytes, 1, elf.len, f) == elf.len;
	if (f != NULL && fclose(f) != 0)
		ok = 0;
	test_elf_free(&elf);
	if (!ok) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
