/*
 * vm_evict.h - evicting guests' cold pages under memory pressure, and
 * faulting them back in.
 *
 * The most expensive kind of reclaim, tried after zero pages: a 4 KiB page
 * of plain RAM (read/write, not a segment with other permissions) whose
 * accessed bit (the nested entry's; under shadow paging the shadow leaves')
 * stayed clear since reclaim last passed it goes to
 * the compressed pool or to swap (hypervisor/evict/), through the one
 * invalidation path, and its frame is freed. Its next touch (a nested page
 * fault, or a hypercall reaching it through guest_ptr) maps a new frame
 * with exactly its old contents.
 */
#ifndef SKIFF_VM_EVICT_H
#define SKIFF_VM_EVICT_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

/* Per guest: where its evicted pages' handles are, and counters. */
struct vm_evict_state {
	uint64_t dir_hpa;      /* a frame of 1024 leaf frame numbers, 0 until the first eviction */
	uint64_t to_pool, to_swap, back;   /* pages, since the guest started */
	uint64_t compressed, swapped;      /* pages away now */
	uint64_t compressed_at_end;        /* compressed when the guest's memory went */
	uint64_t compressed_peak, swapped_peak;
	uint64_t second_chances;           /* pages passed over: accessed bit was set */
	uint64_t incompressible;           /* pages that stayed: no compression, no swap */
};

/*
 * vm_evict_cold_pages: one bounded step (at most 1024 pages looked at, 32
 * evicted) over the guests reclaim tracks, from where the last step
 * stopped, sparing spare (a guest in the middle of a hypercall, whose
 * pages Skiff holds pointers into; may be NULL) and guests not yet
 * started. A page whose accessed bit is set gets it cleared and is passed
 * over (a second chance); one found clear is evicted. *passed says how
 * many guest pages it went past. Returns the frames freed; callers repeat
 * until the pages passed add up to two rounds (vm_reclaim_round_pages):
 * the first may only clear accessed bits. After 256 stores in a row that
 * failed (pages that do not compress and no swap to take them, a full
 * pool), a step reports two rounds passed: the caller gives up now.
 */
unsigned vm_evict_cold_pages(const struct vm *spare, uint64_t *passed);

/*
 * vm_evict_restore: vm's page at gpa (4 KiB-aligned, GP_COMPRESSED or
 * GP_SWAPPED) is being touched: its contents into the frame at hpa, and
 * its place in the pool or swap freed. The caller then maps the frame.
 * 0; -EIO when swap could not be read (logged); -EINVAL when the page is
 * not away (a bug of the caller).
 */
int vm_evict_restore(struct vm *vm, uint64_t gpa, uint64_t hpa);

/*
 * vm_evict_forget: the page at gpa (4 KiB-aligned, inside RAM) is wanted
 * no more (the guest reported it free): drop its stored copy, so its next
 * touch finds a zeroed frame. Returns whether it was in the pool or swap.
 */
bool vm_evict_forget(struct vm *vm, uint64_t gpa);

/* vm_evict_release: vm ends: free every page it has away and the handle
 * table. Safe to call when nothing was ever evicted. */
void vm_evict_release(struct vm *vm);

/*
 * vm_evict_compressed_pages: vm's pages in the compressed pool now, or,
 * once its memory was released, when it was. The summary reports it.
 */
uint64_t vm_evict_compressed_pages(const struct vm *vm);

/* vm_evict_log: the guest's eviction line for the end-of-run summary. */
void vm_evict_log(const struct vm *vm);

/*
 * vm_evict_log_cost: one line with the TSC ticks spent in eviction steps
 * (scanning included) and in restoring pages (decompressing or reading
 * swap), with the pages each handled; nothing when nothing was evicted.
 */
void vm_evict_log_cost(void);

#endif
