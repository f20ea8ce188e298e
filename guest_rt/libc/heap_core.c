/*
 * heap_core.c - the program break, checked and zero-on-reuse.
 */
#include "heap_core.h"

#include <string.h>

void glue_heap_init(struct glue_heap *h, uintptr_t start, uintptr_t end)
{
	uintptr_t limit = start;

	if (end > start && end - start > GLUE_HEAP_GUARD)
		limit = end - GLUE_HEAP_GUARD;
	*h = (struct glue_heap){
		.start = start, .brk = start, .limit = limit, .high_water = start,
	};
}

/* grow: move the break up by n bytes if the limit allows. */
static bool grow(struct glue_heap *h, uintptr_t n)
{
	uintptr_t new_brk;
	uintptr_t reused_end;

	if (n > h->limit - h->brk)
		return false;
	new_brk = h->brk + n;
	/* Below the high-water mark the bytes were handed out before. */
	reused_end = new_brk < h->high_water ? new_brk : h->high_water;
	if (reused_end > h->brk)
		memset((void *)h->brk, 0, reused_end - h->brk);
	if (new_brk > h->high_water)
		h->high_water = new_brk;
	h->brk = new_brk;
	return true;
}

void glue_heap_forget_above(struct glue_heap *h, uintptr_t from)
{
	if (from >= h->brk && from < h->high_water)
		h->high_water = from;
}

bool glue_heap_move(struct glue_heap *h, ptrdiff_t incr, uintptr_t *old_brk)
{
	uintptr_t old = h->brk;

	if (incr >= 0) {
		if (!grow(h, (uintptr_t)incr))
			return false;
	} else {
		/* Negate in unsigned arithmetic: -PTRDIFF_MIN overflows. */
		uintptr_t n = (uintptr_t)0 - (uintptr_t)incr;

		if (n > h->brk - h->start)
			return false;
		h->brk -= n;
	}
	*old_brk = old;
	return true;
}
