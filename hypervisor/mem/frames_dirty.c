/*
 * frames_dirty.c - selftest=dirty-ram: make every free frame look used.
 *
 * Emulators start with zeroed RAM, so a test guest would find its fresh
 * memory zero even if Skiff forgot to zero it. This fills every free frame
 * with a marker (through the allocator's own interface, so it holds for any
 * allocation policy) and gives the frames back.
 */
#include "hypervisor/mem/frames.h"

#include "hypervisor/console.h"

#define DIRTY_MARKER 0x5952494459524944ull   /* "DIRTYDIRTY" */

void frames_dirty_all(void)
{
	uint64_t head = 0, count = 0, hpa;

	/* Chain the frames through their first word while taking them all. */
	while ((hpa = frame_alloc()) != 0) {
		uint64_t *words = (uint64_t *)(uintptr_t)hpa;

		for (unsigned i = 1; i < FRAME_SIZE / sizeof(uint64_t); i++)
			words[i] = DIRTY_MARKER;
		words[0] = head;
		head = hpa;
		count++;
	}
	while (head) {
		uint64_t next = *(uint64_t *)(uintptr_t)head;

		*(uint64_t *)(uintptr_t)head = DIRTY_MARKER;
		frames_free(head, FRAME_SIZE);
		head = next;
	}
	log_printf("selftest: %llu free frames filled with a marker",
		   (unsigned long long)count);
}
