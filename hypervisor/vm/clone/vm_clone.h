/*
 * vm_clone.h - copy-on-write clones of a guest (clone=N, docs/clones.md).
 *
 * A guest started with clone=N runs once until its SNAPSHOT call (Skiff
 * call 0x582) or its first POLL. Then Skiff takes a snapshot: its
 * registers and FPU state by value, its RAM by reference (each frame the
 * guest had becomes a frame of the snapshot's in the share table, counted
 * per mapping); the guest itself ends there, and N clones NAME.1..NAME.N
 * start from the snapshot, each with its own vCPU (own ASID / VPID), page
 * record and nested table. A clone's nested table starts empty: a touch
 * maps the snapshot's frame read-only; a write to it copies the page into
 * a frame of the clone's own (vm_share_unshare, through the one
 * invalidation path). Frames go back when the last clone and the snapshot
 * let go. Guests with block or net devices, and shadow paging, are refused.
 */
#ifndef SKIFF_VM_CLONE_H
#define SKIFF_VM_CLONE_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vm_snapshot;
struct guest_config;
struct hal_boot_state;
struct hal_exit;

/* A VM's part in cloning; all zero for an ordinary guest. */
struct vm_clone_state {
	struct vm_snapshot *snap;  /* the parent's (to be) taken, or the clone's source */
	unsigned index;            /* 0: the parent; k: clone NAME.k */
	bool start_pending;        /* parent: snapshot taken, clones not started yet */
	uint8_t *detached;         /* clone: pages no longer the snapshot's (snap_pages.h) */
	uint64_t detached_bytes;
	uint64_t cow_copies;       /* pages copied on the clone's writes (or hypercalls') */
	uint64_t fresh_pages;      /* pages the snapshot lacked, first touched by the clone */
	uint64_t dropped_pages;    /* snapshot pages it reported free */
	uint64_t decided_tsc;      /* clone: when Skiff decided to start it */
};

/*
 * vm_clone_begin: vm is being built with cfg->clone_count > 0 and the boot
 * state boot (its paging decided). Prepares its snapshot record. 0, or a
 * negative errno after ending vm as refused with the precise reason
 * (devices, shadow paging, no memory, no image slot).
 */
int vm_clone_begin(struct vm *vm, const struct guest_config *cfg,
		   const struct hal_boot_state *boot);

/*
 * vm_clone_snapshot_call: vm made the SNAPSHOT call (flags read from its
 * struct at arg_gpa, which the dispatcher found inside RAM) that exited
 * with exit. Refused (ret EINVAL in the struct, RAX 0, a log line naming
 * vm and why; the guest goes on) when vm was not started with clone=, is a
 * clone, or flags is not 0. Otherwise takes the snapshot and ends vm.
 * Returns true when vm keeps running.
 */
bool vm_clone_snapshot_call(struct vm *vm, const struct hal_exit *exit,
			    uint64_t arg_gpa, uint64_t flags);

/*
 * vm_clone_poll_snapshot: vm is about to sleep in POLL (RIP already past
 * it). When vm waits for its first POLL to be snapshotted, takes the
 * snapshot, ends vm and returns true; otherwise false (nothing done).
 */
bool vm_clone_poll_snapshot(struct vm *vm);

/* vm_clone_pending: clones of vm's snapshot are to be started (parent). */
unsigned vm_clone_pending(const struct vm *vm);

/*
 * vm_clone_room: whether clone index of parent's snapshot should be built
 * now: clones are built all at once before any runs, so building stops
 * when free memory is below a reserve that the clones built so far need
 * to run (8 KiB each, at least 4 MiB); logs once which clones were not
 * started and why.
 */
bool vm_clone_room(struct vm *parent, unsigned index);

/*
 * vm_clone_start: build clone index (1..N) of parent's snapshot as VM id
 * named name, on the calling CPU (the parent's). Returns it (runnable, or
 * ended as refused with the reason), NULL when not even its page exists.
 * Call vm_clone_started once all are built.
 */
struct vm *vm_clone_start(struct vm *parent, unsigned index, unsigned id, const char *name);
void vm_clone_started(struct vm *parent);

/*
 * vm_clone_fault_in: first touch of gpa (inside RAM, GP_NOWHERE) in vm.
 * For a clone's page the snapshot holds: mapped to the snapshot's frame
 * read-only (image pages with their permissions), 0. -ENOENT when the
 * page is not the snapshot's (an ordinary first touch), -ENOMEM.
 */
int vm_clone_fault_in(struct vm *vm, uint64_t gpa);

/*
 * vm_clone_write_fault: a write to gpa (inside RAM) of vm faulted. For a
 * clone's copy-on-write page, mapped read-only or not mapped yet: a
 * private copy, writable (0). -ENOENT when it is no such page (the caller
 * goes on as for any fault), -ENOMEM.
 */
int vm_clone_write_fault(struct vm *vm, uint64_t gpa);

/*
 * vm_clone_copy_in: a first write to page (4 KiB-aligned, GP_NOWHERE, a
 * copy-on-write page of vm's snapshot not detached): a copy of its own,
 * writable, at once. For vm_memory_cow (memory lock held). 0, -ENOMEM.
 */
int vm_clone_copy_in(struct vm *vm, uint64_t page);

/*
 * vm_clone_forget: a free-page report names gpa of vm: a clone's page the
 * snapshot still backs is taken away and detached (it reads as zero from
 * now on). true when it was such a page (the caller is done with it).
 */
bool vm_clone_forget(struct vm *vm, uint64_t gpa);

/* For vm_share.c: whether vm's page gpa is a snapshot's copy-on-write
 * frame; the snapshot's image index; the page's permissions before the
 * snapshot; and a note that the page is now vm's own copy. */
bool vm_clone_is_cow(const struct vm *vm, uint64_t gpa);
int vm_clone_image(const struct vm *vm);
unsigned vm_clone_perms(const struct vm *vm, uint64_t gpa);
void vm_clone_note_copied(struct vm *vm, uint64_t gpa);

/* vm_clone_takes_2m: whether a first touch of vm may map a 2 MiB block
 * (not in a clone: a block would hide the snapshot's pages). */
bool vm_clone_takes_2m(const struct vm *vm);

/* vm_clone_release: vm's memory is gone; drop its part of the snapshot
 * (the last user frees the snapshot's frames). Safe for any VM. */
void vm_clone_release(struct vm *vm);

/* vm_clone_log: the end-of-run line of a clone (pages it changed). */
void vm_clone_log(const struct vm *vm);

#endif
