/*
 * vm_memory.h - a VM's RAM filled on first touch: what the loader places
 * up front, the nested-page-fault path that fills the rest, and the hook
 * that lets hypercalls reach pages the guest has not touched yet.
 */
#ifndef SKIFF_VM_MEMORY_H
#define SKIFF_VM_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#include "hypervisor/loader/guest_image.h"

struct vm;

/* Plain RAM outside the image's segments: read/write, never executable
 * (NP_* from nested_paging.h). */
#define PLAIN_RAM_PERMS (NP_READ | NP_WRITE)

/*
 * vm_memory_prepare: set up vm's page record and empty nested table, then
 * give zeroed frames to what the loader writes (the GDT and guest page
 * tables, the boot information, manifest and a command line of
 * cmdline_len bytes, and each segment of img with its permissions). Needs
 * vm->mem.size and base (the VM's window, host_window_of). 0, or -ENOMEM
 * (what was taken stays recorded in vm for vm_memory_release). A longer
 * command line than cmdline_len is the loader's to refuse (guest_image_load).
 */
int vm_memory_prepare(struct vm *vm, const struct guest_image *img, size_t cmdline_len);

/*
 * vm_memory_prepare_clone: a clone's page record and empty nested table
 * (vm->mem set as for vm_memory_prepare); every page comes on first touch,
 * from its snapshot or zeroed. 0, or -ENOMEM (kept for vm_memory_release).
 */
int vm_memory_prepare_clone(struct vm *vm);

/*
 * vm_memory_map_own: the filled frame at hpa becomes vm's own for the page
 * (4 KiB or 2 MiB, aligned, inside RAM, not mapped) at gpa, with perms: in
 * Skiff's window, recorded GP_OWN, in the nested table. On a failure to
 * map the window the frame is freed; after that vm's end frees it. 0, or
 * -ENOMEM. Memory lock held.
 */
int vm_memory_map_own(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size,
		      unsigned perms);

/* vm_memory_locked: fn(vm, arg) under the memory lock (docs/smp.md); its result. */
int vm_memory_locked(int (*fn)(struct vm *vm, uint64_t arg), struct vm *vm, uint64_t arg);

/*
 * vm_memory_cow: give vm a private, writable copy of its copy-on-write
 * page gpa (4 KiB-aligned; GP_SHARED, or GP_NOWHERE and still its
 * snapshot's: vm_clone.h), reclaiming for the frame when short. 0, or
 * -ENOMEM / -ENOENT (vm_share_unshare).
 */
int vm_memory_cow(struct vm *vm, uint64_t gpa);

/*
 * vm_page_out: take the page at gpa (a 4 KiB page or an aligned 2 MiB
 * block, mapped to a frame of vm's own) away from vm through the one
 * invalidation path, then out of Skiff's window; scrub the frame when it
 * may hold guest data (scrub), and free it. The page's next touch is a
 * first touch (its record says GP_NOWHERE). Returns mem_remove's result:
 * 0, or -ENOENT / -EINVAL / -ENOMEM with nothing changed.
 */
int vm_page_out(struct vm *vm, uint64_t gpa, uint64_t size, bool scrub);

/*
 * vm_plain_page_at: whether vm's page at gpa (4 KiB-aligned, inside RAM)
 * is a reclaim candidate: a 4 KiB frame of vm's own with plain RAM's
 * permissions, alone or inside a 2 MiB leaf (*large then true: the
 * caller splits it with vm_page_split before taking the page). Sets *hpa
 * to its frame, or to 0 when it is not one (never touched, evicted,
 * shared, a segment's page, inside a 1 GiB leaf). Returns the bytes a
 * scan may skip: the page, or the rest of a leaf that is no candidate.
 */
uint64_t vm_plain_page_at(struct vm *vm, uint64_t gpa, uint64_t *hpa, bool *large);

/*
 * vm_page_split: make vm's page at gpa (mapped, inside RAM) a 4 KiB entry
 * of its own through the one invalidation path (mem_split), so that one
 * page of a 2 MiB leaf can be reclaimed, evicted or write-protected; the
 * other 511 stay mapped to the same frames. Counted in blocks_split.
 * 0 (also when it was 4 KiB already), -ENOENT, or -ENOMEM (left whole).
 */
int vm_page_split(struct vm *vm, uint64_t gpa);

/*
 * vm_first_touch: gpa was accessed and no translation exists. Maps its
 * 2 MiB block (when wholly plain RAM, untouched and already zeroed at idle
 * time) or its 4 KiB page (zeroed now) read/write/no-execute; a page
 * evicted to the pool or swap comes back with its old contents (vm_evict.h).
 * Returns 0 (the guest retries the access), -ENOENT when gpa is outside RAM
 * or already placed (not a first touch: the caller reports the fault),
 * -ENOMEM when no frame or table page is left, -EIO when swap could not be
 * read.
 */
int vm_first_touch(struct vm *vm, uint64_t gpa);

/*
 * vm_memory_idle_work: idle-time work for the live VMs vms[0..count):
 * one bounded step (64 KiB) of zeroing: 4 KiB frames for Skiff's own
 * pool while it is short (frames_zero_pool_step), else a 2 MiB frame for
 * the zeroed pool from which first touches map whole blocks. Returns false when there was
 * nothing to do, so the caller may halt.
 */
bool vm_memory_idle_work(struct vm *const *vms, unsigned count);

/*
 * vm_reclaim_claim: whether reclaim on the calling CPU may take vm's pages
 * now (built, not spare, and for another CPU's VM its claim free, vm.h,
 * and under shadow paging its nested table not stale: only the owning CPU
 * may zap its shadows, mem_invalidate.h); when true, *took says whether the
 * claim was taken here and must be given back with vm_unclaim. Any VM,
 * whatever its devices or paging mode. Needs the memory lock.
 */
bool vm_reclaim_claim(struct vm *vm, const struct vm *spare, bool *took);

/*
 * vm_reclaim_is_fresh: whether gpa (a page address) is one of vm's last
 * pages mapped for a nested fault, which reclaim on another CPU leaves.
 */
bool vm_reclaim_is_fresh(const struct vm *vm, uint64_t gpa);

/*
 * vm_reclaim_cross_cpu: pages taken (zero pages, merges, eviction) from
 * VMs of other CPUs since boot; vm_reclaim_count_cross_cpu counts one
 * more, taken from vm by kind (a vm_reclaim_kind; others count only in the
 * total).
 */
uint64_t vm_reclaim_cross_cpu(void);
void vm_reclaim_count_cross_cpu(struct vm *vm, unsigned kind);

/*
 * vm_reclaim_zero_pages: take back up to 64 frames of plain RAM that read
 * as all zero from started guests (not spare, which may be NULL), looking
 * at no more than 4096 pages from where the last call stopped; *passed
 * says how many guest pages it went past. Each goes through the one
 * invalidation path; its next touch maps a zeroed frame. Returns how many
 * frames were freed: 0 may still leave some further on, so callers repeat
 * until the pages passed add up to vm_reclaim_round_pages().
 */
unsigned vm_reclaim_zero_pages(const struct vm *spare, uint64_t *passed);

/*
 * vm_reclaim_shared_pages: the next step of reclaim, the same bounds and
 * *passed as vm_reclaim_zero_pages: merge guests' own read-only copies of
 * their image's pages into the image's shared frame (vm_share_merge; VMs
 * of every CPU, under their claim). Returns the frames freed.
 */
unsigned vm_reclaim_shared_pages(const struct vm *spare, uint64_t *passed);

/* The kinds of reclaim, cheapest first (docs/memory.md). */
enum vm_reclaim_kind {
	VM_RECLAIM_ZERO,        /* all-zero pages unmapped */
	VM_RECLAIM_REPORTED,    /* pages the guest reported free */
	VM_RECLAIM_SHARED,      /* own copies merged into a shared frame */
	VM_RECLAIM_COMPRESSED,  /* cold pages into the LZ4 pool */
	VM_RECLAIM_SWAPPED,     /* cold pages to swap */
	VM_RECLAIM_KINDS
};

/* vm_reclaim_account: pages frames of kind freed in ticks TSC ticks
 * (a step that found nothing counts its ticks too). Bad kind: ignored. */
void vm_reclaim_account(enum vm_reclaim_kind kind, uint64_t pages, uint64_t ticks);

/* vm_reclaim_log_cost: log each kind's pages and ticks since boot
 * ("reclaim: cost zero=N zero_ticks=T reported=... swapped_ticks=T"). */
void vm_reclaim_log_cost(void);

/* vm_reclaim_log: vm's pages taken by each kind of reclaim, in pages, for
 * the end-of-run summary ("reclaim NAME zero=N reported=N shared=N
 * adopted=N compressed=N swapped=N"; adopted: own pages that became the
 * image's shared frame, freeing nothing themselves). */
void vm_reclaim_log(const struct vm *vm);

/* vm_reclaim_round_pages: the pages of every guest reclaim looks at. */
uint64_t vm_reclaim_round_pages(void);

/* vm_reclaim_at: the tracked VM with id (NULL when none), for other
 * kinds of reclaim that walk the same guests (vm_evict.c). */
struct vm *vm_reclaim_at(unsigned id);

/* vm_reclaim_track: let reclaim see vm (on) or forget it (off). */
void vm_reclaim_track(struct vm *vm, bool on);

/*
 * vm_memory_release: the guest's end for its memory: the nested table
 * through the one invalidation path, then every frame scrubbed and freed,
 * the window taken down and the page record given back.
 */
void vm_memory_release(struct vm *vm);

#endif
