/*
 * clock_math.c - tick to nanosecond conversion, kept free of hardware
 * access so the host unit tests can check it.
 */
#include "glue.h"

uint64_t glue_ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	uint64_t seconds = ticks / hz;
	uint64_t rest = ticks % hz;

	/* rest * 10^9 fits in 64 bits while hz < 18.4 GHz; for a faster
	 * clock drop low bits of both (rest < hz still holds) rather than
	 * overflow: a few ticks of precision are all that is lost. */
	while (hz > UINT64_MAX / GLUE_NSEC_PER_SEC) {
		hz >>= 1;
		rest >>= 1;
	}
	return seconds * GLUE_NSEC_PER_SEC + rest * GLUE_NSEC_PER_SEC / hz;
}
