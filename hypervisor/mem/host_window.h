/*
 * host_window.h - each VM's RAM as one contiguous range of Skiff's own
 * address space, mapped page by page to whichever frames hold it.
 *
 * Guest RAM is taken one frame at a time on first touch, so it is not
 * host-contiguous; hypervisor code (the loader, hypercalls through
 * guest_ptr) still sees it as one array at the VM's window. Only pages the
 * memory core has placed are mapped there: touching any other address of
 * a window is a page fault in Skiff, which is why every access goes
 * through guest_ptr's populate first.
 */
#ifndef SKIFF_HOST_WINDOW_H
#define SKIFF_HOST_WINDOW_H

#include <stdint.h>

/* Windows start at 512 GiB (PML4 entry 1, above the identity map) and
 * are 8 GiB apart: guest RAM is at most 4 GiB. They fill PML4 entries 1
 * to 255, the rest of the lower canonical half: 64 windows per entry.
 * Each VM has one, so this is also how many guests Skiff can hold; what
 * a window costs is its tables, made as its pages are mapped. */
#define HOST_WINDOW_START (UINT64_C(1) << 39)
#define HOST_WINDOW_STRIDE (UINT64_C(8) << 30)
#define HOST_WINDOW_COUNT (255u * 64u)

/*
 * host_window_init: adopt the live page tables (CR3). 0 or -ENOMEM.
 * host_window_map calls it the first time; nothing else needs to.
 */
int host_window_init(void);

/* host_window_of: the window of VM number id (< HOST_WINDOW_COUNT). */
uint8_t *host_window_of(unsigned id);

/*
 * host_window_map: map [va, va+size) (a 4 KiB or aligned 2 MiB page inside
 * a window, not yet mapped) to the frame(s) at hpa, read/write, not
 * executable. 0, -EINVAL, or -ENOMEM when no table page is left.
 */
int host_window_map(uint64_t va, uint64_t hpa, uint64_t size);

/*
 * host_window_lookup: the frame behind va, its page size in *size.
 * 0, or -ENOENT when va is not mapped.
 */
int host_window_lookup(uint64_t va, uint64_t *hpa, uint64_t *size);

/*
 * host_window_unmap: remove every mapping of [va, va+size) (a whole
 * window) and flush Skiff's TLB, so no stale translation reaches a frame
 * after this returns.
 */
void host_window_unmap(uint64_t va, uint64_t size);

#endif
