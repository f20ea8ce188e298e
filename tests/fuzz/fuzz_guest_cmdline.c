/*
 * fuzz_guest_cmdline.c - libFuzzer entry point for the module command-line
 * parser: any NUL-terminated text; an accepted line must give a config
 * within the grammar's limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/loader/guest_cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_config(const struct guest_config *cfg)
{
	size_t name_len = strnlen(cfg->name, sizeof(cfg->name));

	if (name_len == 0 || name_len >= sizeof(cfg->name) ||
	    cfg->mem_size < (UINT64_C(2) << 20) ||
	    cfg->mem_size > (UINT64_C(4) << 30) ||
	    cfg->mem_size % (UINT64_C(2) << 20) != 0 || cfg->count == 0 ||
	    cfg->count > GUEST_MAX_COUNT || cfg->block_count > GUEST_MAX_BLOCKS ||
	    strnlen(cfg->args, sizeof(cfg->args)) >= sizeof(cfg->args))
		abort();
	for (unsigned i = 0; i < cfg->block_count; i++)
		if (cfg->blocks[i].device[0] == '\0' ||
		    cfg->blocks[i].module[0] == '\0')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guest_config cfg;
	char *line = malloc(size + 1);
	char err[256];

	if (line == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (guest_cmdline_parse(line, &cfg, err, sizeof(err)) == 0)
		check_config(&cfg);
	free(line);
	return 0;
}
