/*
 * guest_memory.h - reaching a guest's RAM from the hypervisor.
 *
 * A guest's RAM is one host-contiguous block at guest-physical 0, its
 * pages filled on first touch.
 * Every address and length a guest hands over is untrusted: these helpers
 * are the only way hypervisor code turns one into a host pointer.
 */
#ifndef SKIFF_GUEST_MEMORY_H
#define SKIFF_GUEST_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#include "hypervisor/mem/guest_pages.h"

struct guest_memory {
	uint8_t *base;   /* host address of guest-physical 0 */
	uint64_t size;   /* bytes of RAM */
	/*
	 * RAM filled on first touch (hypervisor/mem/guest_pages.h): where[]
	 * holds one enum gp_where per 4 KiB page, and
	 * populate(populate_ctx, gpa, len) makes a range inside RAM present
	 * before Skiff reads or writes it (0, or -errno when it cannot).
	 * populate NULL: all of RAM is always present (host tests).
	 */
	const uint8_t *where;
	int (*populate)(void *ctx, uint64_t gpa, uint64_t len);
	void *populate_ctx;
};

/*
 * guest_range_ok: true when [gpa, gpa+len) lies wholly inside RAM. A zero
 * length is inside when gpa <= size. Never overflows, whatever gpa and len.
 */
static inline bool guest_range_ok(const struct guest_memory *m, uint64_t gpa,
				  uint64_t len)
{
	return gpa <= m->size && len <= m->size - gpa;
}

/*
 * guest_range_present: the quick answer for a range inside RAM of at most
 * one page (the common hypercall argument): both pages it may touch are
 * present. Longer ranges answer false and take populate's page walk.
 */
static inline bool guest_range_present(const struct guest_memory *m,
				       uint64_t gpa, uint64_t len)
{
	uint64_t last = len ? gpa + len - 1 : gpa;

	return len <= 4096 && gpa < m->size && m->where[gpa >> 12] == GP_OWN &&
	       m->where[last >> 12] == GP_OWN;
}

/*
 * guest_ptr: the host pointer for [gpa, gpa+len), or NULL when the range is
 * not wholly inside the guest's RAM (or, with populate, cannot be made
 * present). Pages not yet touched are filled first, so Skiff never reads
 * a frame's old contents nor writes where a later first touch would zero.
 */
static inline void *guest_ptr(const struct guest_memory *m, uint64_t gpa,
			      uint64_t len)
{
	if (!guest_range_ok(m, gpa, len))
		return (void *)0;
	if (m->populate && !guest_range_present(m, gpa, len) &&
	    m->populate(m->populate_ctx, gpa, len) != 0)
		return (void *)0;
	return m->base + gpa;
}

/* guest_page_readable: a page Skiff's window shows with the guest's data:
 * a frame of its own, or a read-only frame shared with its image's other
 * guests (readable; a write must unshare it first, through guest_ptr). */
static inline bool guest_page_readable(const struct guest_memory *m, uint64_t gpa)
{
	return m->where[gpa >> 12] == GP_OWN || m->where[gpa >> 12] == GP_SHARED;
}

/*
 * guest_ptr_if_present: guest_ptr for reading, without filling anything:
 * NULL also when a page of the range (at most one page long, or NULL) was
 * never touched or is evicted. For readers that must neither allocate nor
 * trust the guest's pointers (backtraces, core files, the debugger).
 */
static inline const void *guest_ptr_if_present(const struct guest_memory *m, uint64_t gpa,
					       uint64_t len)
{
	uint64_t last = len ? gpa + len - 1 : gpa;

	if (!guest_range_ok(m, gpa, len))
		return (void *)0;
	if (m->populate && (len > 4096 || !guest_page_readable(m, gpa) ||
			    !guest_page_readable(m, last)))
		return (void *)0;
	return m->base + gpa;
}

#endif
