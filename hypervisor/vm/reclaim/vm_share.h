/*
 * vm_share.h - one read-only frame per page of an image's non-writable
 * segments, for every guest built from that image (hypervisor/mem/
 * share_table.h keeps the frames and their counts).
 */
#ifndef SKIFF_VM_SHARE_H
#define SKIFF_VM_SHARE_H

#include <stdbool.h>
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
 * of vm for a hypercall, which may write it, or a clone wrote its copy-on-
 * write page: give vm a private copy (through the one invalidation path),
 * so no write meant for vm reaches another guest. The copy keeps the
 * mapping's permissions, or for a clone's copy-on-write page gets back the
 * page's permissions from before the snapshot. 0, or -ENOMEM.
 */
int vm_share_unshare(struct vm *vm, uint64_t gpa);

/*
 * vm_share_release_page: vm's page gpa (GP_SHARED) is gone from its nested
 * table and no CPU can reach it through vm: drop vm's reference, freeing
 * the frame (scrubbed) when vm was the last. For vm_memory_release.
 */
void vm_share_release_page(struct vm *vm, uint64_t gpa);

/*
 * vm_share_drop_page: take vm's shared page gpa away through the one
 * invalidation path and drop vm's reference (vm_share_release_page); the
 * page is GP_NOWHERE after. 0, or mem_remove's error with nothing changed.
 */
int vm_share_drop_page(struct vm *vm, uint64_t gpa);

/*
 * vm_share_map_from: map page gpa (4 KiB-aligned, inside RAM, not mapped)
 * of vm to image's frame for gpa with perms, taking a reference; the page
 * becomes GP_SHARED. -ENOENT when image has no frame there (nothing
 * taken), 0, or -ENOMEM for a table page (the reference is dropped unless
 * the page was already recorded, then vm's end drops it).
 */
int vm_share_map_from(struct vm *vm, int image, uint64_t gpa, unsigned perms);

/*
 * vm_share_copy_from: page gpa (4 KiB-aligned, inside RAM, not mapped) of
 * vm gets a frame of its own holding a copy of image's frame for gpa,
 * mapped with perms (no reference kept: nothing is shared). -ENOENT when
 * image has no frame there, 0, or -ENOMEM.
 */
int vm_share_copy_from(struct vm *vm, int image, uint64_t gpa, unsigned perms);

/*
 * vm_share_merge: one step of reclaim under pressure, for vm's page gpa
 * (4 KiB-aligned, inside RAM). When it is a read-only 4 KiB page of vm's
 * own in a read-only segment of its module's image (a page the table was
 * full for at load, or one a hypercall made private) and the image's
 * shared frame for gpa holds the same bytes, the own frame goes through
 * the one invalidation path and the shared frame is mapped in its place
 * with the same permissions: true (a frame was freed). When the image has
 * no frame there any more, vm's frame becomes it in place (nothing
 * freed, nothing to invalidate) so that the next duplicate merges: false.
 * Anything else (writable, clones, shadow paging, different bytes):
 * nothing changes, false. Needs the memory lock and vm's claim (vm.h): a
 * guest running on another CPU is kicked out by the removal and waits for
 * the claim, so it cannot fault on the page between its removal and the
 * new mapping; a hypervisor write to a merged page
 * later makes it private again (vm_share_unshare: copy on write).
 */
bool vm_share_merge(struct vm *vm, uint64_t gpa);

/* vm_share_next_ro: the first page at or above gpa in a read-only segment
 * of vm's module image (where vm_share_merge may act), or UINT64_MAX. */
uint64_t vm_share_next_ro(const struct vm *vm, uint64_t gpa);

/* What clones need of the table (vm_clone.c), by image index: */
/* vm_share_new_image: a private image with one user (share_image_private), or -1. */
int vm_share_new_image(void);
/* vm_share_hold_image / vm_share_put_image: one user more / fewer of image. */
void vm_share_hold_image(int image);
void vm_share_put_image(int image);
/* vm_share_adopt: hpa becomes image's frame for gpa, with one reference;
 * false when the table is full or gpa has one (nothing recorded). */
bool vm_share_adopt(int image, uint64_t gpa, uint64_t hpa);
/* vm_share_ref: image's frame for gpa with one more reference, or 0. */
uint64_t vm_share_ref(int image, uint64_t gpa);
/* vm_share_drop: one reference fewer to image's frame for gpa; the last
 * one scrubs and frees the frame. Unknown pages: nothing. */
void vm_share_drop(int image, uint64_t gpa);

/* vm_share_end: vm is done with its image (after its pages are released). */
void vm_share_end(struct vm *vm);

/* vm_share_totals: shared frames now, the most ever, and the most guest
 * pages they backed at once (for the end-of-run summary). */
void vm_share_totals(uint64_t *peak_frames, uint64_t *peak_mappings);

#endif
