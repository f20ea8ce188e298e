/*
 * heap_core.h - the program break as plain arithmetic, apart from where
 * the heap lies, so the host unit tests can exercise it on a buffer.
 */
#ifndef SKIFF_LIBC_HEAP_CORE_H
#define SKIFF_LIBC_HEAP_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes left unused between the heap's limit and the stack reserve. */
#define GLUE_HEAP_GUARD 4096u

struct glue_heap {
	uintptr_t start;       /* first byte of the heap */
	uintptr_t brk;         /* the current break: [start, brk) is in use */
	uintptr_t limit;       /* the break never passes this */
	uintptr_t high_water;  /* the highest break so far */
};

/*
 * glue_heap_init: a heap over [start, end), whose last GLUE_HEAP_GUARD
 * bytes are never handed out: a stack that outgrows its reserve runs
 * into that gap before it reaches live heap data. The memory must start
 * zeroed (Skiff's RAM does). end < start is taken as an empty heap.
 */
void glue_heap_init(struct glue_heap *h, uintptr_t start, uintptr_t end);

/*
 * glue_heap_move: move the break by incr bytes (sbrk's contract). Returns
 * true and sets *old_brk to the break before the move; returns false and
 * changes nothing when the break would leave [start, limit]. Memory handed
 * out again after a shrink is zeroed first, so growing the break always
 * yields zeroes, as on Unix. newlib's own calloc clears anyway (it is built
 * with MORECORE_CLEARS 0), but allocators ported from Unix rely on it.
 */
bool glue_heap_move(struct glue_heap *h, ptrdiff_t incr, uintptr_t *old_brk);

/*
 * glue_heap_forget_above: the bytes from `from` (at or above the break) up
 * to the high-water mark read as zero again (they were reported free, and
 * Skiff zeroes what is reported), so growing the break over them need not
 * clear them. Lowers the high-water mark to from; a from outside
 * [brk, high_water) changes nothing.
 */
void glue_heap_forget_above(struct glue_heap *h, uintptr_t from);

#endif
