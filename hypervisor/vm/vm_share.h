/*
 * vm_share.h - one read-only frame per page of an image's non-writable
 * segments, for every guest built from that image (hypervisor/mem/
 * share_table.h keeps the frames and their counts).
 */
#ifndef SKIFF_VM_SHARE_H
#define SKIFF_VM_SHARE_H

#include <stdint.h>

struct vm;

/*
 * vm_share_begin: note that vm is built from module bytes[0..len), so its
 * read-only segments can be shared with other guests of the same bytes.
 * Without a free image slot vm simply shares nothing.
 */
void vm_share_begin(struct vm *vm, const void *bytes, uint64_t len);

/*
 * vm_share_place: give the non-writable segment [gpa, gpa+size) (4 KiB
 * multiples, inside RAM) of vm its frames with perms: the image's shared
 * frame where one exists, else a new zeroed frame that becomes the shared
 * one (the loader fills it; the next guests of the image write the same
 * bytes again). Pages that cannot be shared (table full) get frames of
 * their own. 0, or -ENOMEM.
 */
int vm_share_place(struct vm *vm, uint64_t gpa, uint64_t size, unsigned perms);

/*
 * vm_share_unshare: the hypervisor is about to reach page gpa (GP_SHARED)
 * of vm for a hypercall, which may write it: give vm a private copy with
 * the same permissions (through the one invalidation path), so no write
 * meant for vm reaches another guest. 0, or -ENOMEM.
 */
int vm_share_unshare(struct vm *vm, uint64_t gpa);

/*
 * vm_share_release_page: vm's page gpa (GP_SHARED) is gone from its nested
 * table and no CPU can reach it through vm: drop vm's reference, freeing
 * the frame (scrubbed) when vm was the last. For vm_memory_release.
 */
void vm_share_release_page(struct vm *vm, uint64_t gpa);

/* vm_share_end: vm is done with its image (after its pages are released). */
void vm_share_end(struct vm *vm);

/* vm_share_totals: shared frames now, the most ever, and the most guest
 * pages they backed at once (for the end-of-run summary). */
void vm_share_totals(uint64_t *peak_frames, uint64_t *peak_mappings);

#endif
