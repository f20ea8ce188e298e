/*
 * memalign.c - posix_memalign, which newlib's C11 aligned_alloc calls but
 * whose definition lives in newlib's POSIX folder, not built for a bare
 * target. newlib's malloc provides memalign; this adds POSIX's checks.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

/* posix_memalign: *out = size bytes aligned to alignment (a power of two,
 * a multiple of sizeof(void *)). Returns 0, EINVAL for a bad alignment,
 * ENOMEM when memory is short; errno is left alone, as POSIX asks. */
int posix_memalign(void **out, size_t alignment, size_t size)
{
	void *p;
	int saved = errno;

	if (alignment < sizeof(void *) || (alignment & (alignment - 1)))
		return EINVAL;
	p = memalign(alignment, size);
	errno = saved;
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}
