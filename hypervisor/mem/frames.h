/*
 * frames.h - the physical frame allocator.
 *
 * It manages the usable RAM from the multiboot2 memory map (all of it, up
 * to 512 GiB: Skiff identity-maps the first 4 GiB at boot and the rest in
 * frames_init) minus everything already in use: the first MiB, the
 * hypervisor image, the multiboot2 information and every module. Host
 * physical addresses equal Skiff's virtual addresses (identity map), so a
 * returned address can be used as a pointer.
 */
#ifndef SKIFF_FRAMES_H
#define SKIFF_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "hypervisor/boot/multiboot2.h"

#define FRAME_SIZE 4096u

/* frames_init: build the allocator from the parsed boot information. */
void frames_init(const struct boot_info *info);

/*
 * frame_alloc: one zeroed 4 KiB frame, or 0 when memory is exhausted.
 * Taken from the zeroed pool when it has one (no zeroing then), else
 * zeroed here.
 */
uint64_t frame_alloc(void);

/*
 * frames_zero_pool_step: one bounded step (at most 64 KiB of stores) of
 * refilling the pool of zeroed 4 KiB frames frame_alloc hands out; for
 * idle time (and init). Leaves memory alone when little is free. Returns
 * whether it zeroed anything (false: full, or too little free).
 */
bool frames_zero_pool_step(void);

/*
 * frame_alloc_high: one zeroed 4 KiB frame, the highest free one above
 * 4 GiB when there is memory there (guest pages: low frames stay for what
 * needs 32-bit addresses), else as frame_alloc. 0 when memory is exhausted.
 */
uint64_t frame_alloc_high(void);

/* frames_limit: the end of the physical memory the allocator manages. */
uint64_t frames_limit(void);

/* frames_high_use: bytes of frames above 4 GiB in use now and at most. */
void frames_high_use(uint64_t *now, uint64_t *peak);

/*
 * frames_alloc_contiguous: bytes (rounded up to 4 KiB) of physically
 * contiguous memory aligned to align (a power of two >= 4096), not zeroed.
 * Returns its address, or 0 when no such run is free.
 */
uint64_t frames_alloc_contiguous(uint64_t bytes, uint64_t align);

/* frames_free: return [hpa, hpa+bytes) (4 KiB multiples) to the allocator. */
void frames_free(uint64_t hpa, uint64_t bytes);

/* frames_free_bytes: how much memory is still free (the zeroed pool's
 * frames included: frame_alloc and frames_alloc_contiguous take them). */
uint64_t frames_free_bytes(void);

/*
 * frames_dirty_all: fill every free frame with a non-zero marker and leave
 * it free (selftest=dirty-ram; frames_dirty.c). Logs how many.
 */
void frames_dirty_all(void);

#endif
