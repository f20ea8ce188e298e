/*
 * fuzz_guest_image.c - libFuzzer entry point for the guest loader: any
 * bytes go through guest_image_check; an image it accepts must load into
 * guest memory without touching anything outside it, and what the check
 * reported must hold (segments inside memory, ascending, never W+X).
 */
#include <stdint.h>
#include <stdlib.h>

#include "hypervisor/guest_image.h"
#include "nested_paging/nested_paging.h"

#define FUZZ_MEM (UINT64_C(4) << 20)

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guest_image img;
	static uint8_t *mem;
	char err[256];

	if (mem == NULL && (mem = calloc(1, FUZZ_MEM)) == NULL)
		abort();
	if (guest_image_check(data, size, FUZZ_MEM, &img, err, sizeof(err)) != 0)
		return 0;
	check_invariants(&img);
	/* Without devices: images declaring some are refused, also a path. */
	guest_image_load(data, size, &img, mem, FUZZ_MEM, "fuzz", 1000000,
			 NULL, 0, err, sizeof(err));
	return 0;
}
