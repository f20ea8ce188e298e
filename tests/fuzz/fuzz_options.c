/*
 * fuzz_options.c - libFuzzer entry point for Skiff's own command line
 * (options_parse). The first input byte picks the error buffer's length
 * (0..79; the buffer is a heap block of exactly that size, so ASan sees a
 * message written past it); the rest is the line, NUL-terminated. An
 * accepted line gives a known backend or none and numbers inside the
 * ranges options.h documents; a refused one says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/options.h"
#include "lib/errno.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct skiff_options opts;
	size_t errlen;
	char *line, *err;
	int rc;

	if (size == 0)
		return 0;
	errlen = data[0] % 80;
	line = malloc(size);
	err = malloc(errlen ? errlen : 1);
	if (line == NULL || err == NULL)
		abort();
	memcpy(line, data + 1, size - 1);
	line[size - 1] = '\0';
	rc = options_parse(line, &opts, err, errlen);
	if (rc == 0) {
		if ((opts.backend != NULL && strcmp(opts.backend, "svm") != 0 &&
		     strcmp(opts.backend, "vmx") != 0) ||
		    opts.limit_seconds > 86400 || opts.slice_ms < 1 ||
		    opts.slice_ms > 1000 || opts.max_tags > 65535)
			abort();
	} else if (rc != -EINVAL ||
		   (errlen > 1 && (err[0] == '\0' || memchr(err, 0, errlen) == NULL))) {
		abort();
	}
	free(err);
	free(line);
	return 0;
}
