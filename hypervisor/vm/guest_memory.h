/*
 * guest_memory.h - reaching a guest's RAM from the hypervisor.
 *
 * A guest's RAM is one host-contiguous block mapped at guest-physical 0.
 * Every address and length a guest hands over is untrusted: these helpers
 * are the only way hypervisor code turns one into a host pointer.
 */
#ifndef SKIFF_GUEST_MEMORY_H
#define SKIFF_GUEST_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

struct guest_memory {
	uint8_t *base;   /* host address of guest-physical 0 */
	uint64_t size;   /* bytes of RAM */
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
 * guest_ptr: the host pointer for [gpa, gpa+len), or NULL when the range is
 * not wholly inside the guest's RAM.
 */
static inline void *guest_ptr(const struct guest_memory *m, uint64_t gpa,
			      uint64_t len)
{
	return guest_range_ok(m, gpa, len) ? m->base + gpa : (void *)0;
}

#endif
