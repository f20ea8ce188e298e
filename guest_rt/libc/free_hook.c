/*
 * free_hook.c - newlib's free, followed by a free-page report for large
 * blocks (skiff_report_free, docs/guest-abi.md "Free-page reporting").
 *
 * newlib is built unmodified; the link wraps its _free_r (-Wl,--wrap,
 * which every free, realloc and newlib-internal release goes through),
 * so this runs after each. A block of at least GLUE_REPORT_MIN usable
 * bytes has its whole pages reported once malloc holds it: Skiff takes
 * their frames back until they are touched again. malloc keeps its own
 * bookkeeping of a free chunk in its first bytes (size, list links) and
 * in the next chunk's first word, so those are left out; the merge with
 * free neighbours writes only at the merged chunk's edges.
 */
#include <malloc.h>
#include <reent.h>
#include <stdint.h>

#include "skiff.h"

#define GLUE_REPORT_MIN (64u * 1024u)
/* malloc's links in a free chunk: the first words of the user bytes. */
#define GLUE_CHUNK_HEAD 32u
/* The size word of the chunk after it may sit in the user bytes' last word. */
#define GLUE_CHUNK_TAIL 16u

void __real__free_r(struct _reent *r, void *p);
void __wrap__free_r(struct _reent *r, void *p);

void __wrap__free_r(struct _reent *r, void *p)
{
	size_t usable = p ? _malloc_usable_size_r(r, p) : 0;

	__real__free_r(r, p);
	if (usable >= GLUE_REPORT_MIN)
		(void)skiff_report_free((uint8_t *)p + GLUE_CHUNK_HEAD,
					usable - GLUE_CHUNK_HEAD - GLUE_CHUNK_TAIL);
}
