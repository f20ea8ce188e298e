/*
 * guest_cmdline.h - the grammar of a guest module's command line.
 *
 *   NAME [mem=SIZE] [count=N] [block.DEV=MODULE-PATH]... [-- ARG...]
 *
 * NAME: 1..31 characters from [A-Za-z0-9_.-], starting with a letter or
 * digit. SIZE: bytes with an optional K/M/G suffix, rounded up to 2 MiB,
 * at least 2 MiB and at most 4 GiB (default 32M). count: instances of this
 * image (1..1024, default 1), named NAME.1 ... NAME.N when N > 1. Words
 * are separated by single or repeated spaces; everything after the first
 * "--" word is the guest's own command line, passed on exactly (words
 * re-joined by single spaces). See docs/command-line.md.
 */
#ifndef SKIFF_GUEST_CMDLINE_H
#define SKIFF_GUEST_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

#define GUEST_NAME_MAX 32           /* bytes, NUL included */
#define GUEST_MAX_BLOCKS 8
#define GUEST_DEFAULT_MEM (32u << 20)
#define GUEST_MAX_COUNT 1024u

struct guest_block_arg {
	char device[68];       /* manifest name */
	char module[128];      /* path of the module that backs it */
};

struct guest_config {
	char name[GUEST_NAME_MAX];
	uint64_t mem_size;
	unsigned count;
	unsigned block_count;
	struct guest_block_arg blocks[GUEST_MAX_BLOCKS];
	char args[8192];         /* the guest's own command line */
};

/*
 * guest_cmdline_parse: parse a module command line (NUL-terminated, as
 * GRUB passes it, without the module's path). Returns 0 and fills *out,
 * or -EINVAL with a message naming the offending word in err.
 */
int guest_cmdline_parse(const char *cmdline, struct guest_config *out,
			char *err, size_t errlen);

#endif
