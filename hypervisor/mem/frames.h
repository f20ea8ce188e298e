/*
 * frames.h - the physical frame allocator.
 *
 * It manages the usable RAM from the multiboot2 memory map (below 4 GiB,
 * which Skiff identity-maps) minus everything already in use: the first MiB,
 * the hypervisor image, the multiboot2 information and every module. Host
 * physical addresses equal Skiff's virtual addresses (identity map), so a
 * returned address can be used as a pointer.
 */
#ifndef SKIFF_FRAMES_H
#define SKIFF_FRAMES_H

#include <stdint.h>

#include "hypervisor/boot/multiboot2.h"

#define FRAME_SIZE 4096u

/* frames_init: build the allocator from the parsed boot information. */
void frames_init(const struct boot_info *info);

/* frame_alloc: one zeroed 4 KiB frame, or 0 when memory is exhausted. */
uint64_t frame_alloc(void);

/*
 * frames_alloc_contiguous: bytes (rounded up to 4 KiB) of physically
 * contiguous memory aligned to align (a power of two >= 4096), not zeroed.
 * Returns its address, or 0 when no such run is free.
 */
uint64_t frames_alloc_contiguous(uint64_t bytes, uint64_t align);

/* frames_free: return [hpa, hpa+bytes) (4 KiB multiples) to the allocator. */
void frames_free(uint64_t hpa, uint64_t bytes);

/* frames_free_bytes: how much memory is still free. */
uint64_t frames_free_bytes(void);

/*
 * frames_dirty_all: fill every free frame with a non-zero marker and leave
 * it free (selftest=dirty-ram; frames_dirty.c). Logs how many.
 */
void frames_dirty_all(void);

#endif
