/*
 * heap.c - sbrk, the one memory source of newlib's malloc.
 *
 * The heap runs from the runtime's skiff_heap_start() (above the image)
 * to skiff_heap_end() (RAM less the stack's reserve), minus a guard gap;
 * see heap_core.h. Exhausting it is ENOMEM, so malloc returns NULL rather
 * than handing out the stack.
 */
#include "heap_core.h"

#include <errno.h>
#include <unistd.h>

#include "skiff.h"

static struct glue_heap heap;
static bool heap_ready;

#define PAGE ((uintptr_t)SKIFF_FREE_REPORT_PAGE)

/*
 * give_back_above_break: the heap shrank (malloc trims its top when a
 * large free leaves more than M_TRIM_THRESHOLD there): report the whole
 * pages between the break and the high-water mark to Skiff, which takes
 * their frames back and zeroes them, so they need no clearing when the
 * break grows over them again.
 */
static void give_back_above_break(void)
{
	uintptr_t from = (heap.brk + PAGE - 1) & ~(PAGE - 1);
	uintptr_t to = (heap.high_water + PAGE - 1) & ~(PAGE - 1);

	if (to > from && skiff_report_free((const void *)from, to - from) >= 0)
		glue_heap_forget_above(&heap, from);
}

/* sbrk: move the break by incr bytes; returns the old break, or
 * (void *)-1 with errno ENOMEM when the heap cannot grow (or shrink) so. */
void *sbrk(ptrdiff_t incr)
{
	uintptr_t old;

	/* Lazily: the runtime records the boot information before main, and
	 * nothing allocates before that. */
	if (!heap_ready) {
		glue_heap_init(&heap, skiff_heap_start(), skiff_heap_end());
		heap_ready = true;
	}
	if (!glue_heap_move(&heap, incr, &old)) {
		errno = ENOMEM;
		return (void *)-1;
	}
	if (incr < 0)
		give_back_above_break();
	return (void *)old;
}
