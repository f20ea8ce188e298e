/*
 * vm_share.c - read-only frames shared between guests of one image
 * (vm_share.h).
 *
 * A shared page is GP_SHARED in the guest's page record (not resident:
 * resident counts frames of its own), mapped with its segment's
 * permissions, which never include write, so a guest's write there is a
 * segment-permission fault as before and ends that guest. Skiff itself
 * writes to guest memory only for hypercalls, through guest_ptr, whose
 * populate hook makes a shared page private first (vm_share_unshare).
 *
 * Clones (vm_clone.c) use the same table and the same code: a snapshot is
 * an image of its own (share_image_private) whose frames are the guest's
 * RAM at the snapshot, mapped read-only in every clone; a clone's write
 * there is the same unshare, with the page's own permissions given back.
 * Which image a page's frame belongs to is image_of's one decision.
 */
#include "hypervisor/vm/reclaim/vm_share.h"

#include "hypervisor/mem/frames.h"
#include "hypervisor/mem/guest_pages.h"
#include "hypervisor/mem/host_window.h"
#include "hypervisor/mem/mem_invalidate.h"
#include "hypervisor/mem/share_table.h"
#include "hypervisor/mem/pv/pv.h"
#include "hypervisor/vm/vm.h"
#include "hypervisor/vm/clone/vm_clone.h"
#include "hypervisor/vm/vm_memory.h"
#include "lib/errno.h"
#include "lib/kstring.h"

static struct share_table table;   /* zeroed: empty (share_table.c) */

/* image_of: the image whose frame backs vm's shared page gpa: its
 * snapshot's for a copy-on-write page of a clone, else its module's. */
static int image_of(struct vm *vm, uint64_t gpa)
{
	return vm_clone_is_cow(vm, gpa) ? vm_clone_image(vm) : vm->share_image;
}

void vm_share_begin(struct vm *vm, const void *bytes, uint64_t len)
{
	vm->share_image = share_image_get(&table, bytes, len);
	vm->sharing = vm->share_image >= 0;
}

static void set_where(struct vm *vm, uint64_t gpa, enum gp_where w)
{
	vm->pages.where[gpa / GP_PAGE_SIZE] = (uint8_t)w;
}

/*
 * map_shared: page gpa of vm to the shared frame hpa, recorded GP_SHARED.
 * Once recorded, vm's reference is released at its end whatever fails
 * next; before that (the window could not be mapped) it is the caller's.
 */
static int map_shared(struct vm *vm, uint64_t gpa, uint64_t hpa, unsigned perms)
{
	int rc = host_window_map((uint64_t)(uintptr_t)vm->mem.base + gpa, hpa, GP_PAGE_SIZE);

	if (rc == 0) {
		set_where(vm, gpa, GP_SHARED);
		vm->shared_pages++;
		rc = np_map(&vm->nested, gpa, hpa, GP_PAGE_SIZE, perms);
	}
	return rc;
}

int vm_share_map_from(struct vm *vm, int image, uint64_t gpa, unsigned perms)
{
	uint64_t hpa = share_lookup(&table, image, gpa);
	int rc;

	if (!hpa)
		return -ENOENT;
	if ((rc = map_shared(vm, gpa, hpa, perms)) != 0 && gp_at(&vm->pages, gpa) != GP_SHARED)
		vm_share_drop(image, gpa);   /* undo the reference */
	return rc;
}

/* share_page: one page of a read-only segment. */
static int share_page(struct vm *vm, uint64_t gpa, unsigned perms)
{
	uint64_t hpa;
	int rc = vm_share_map_from(vm, vm->share_image, gpa, perms);

	if (rc != -ENOENT)
		return rc;
	hpa = frame_alloc();
	if (!hpa)
		return -ENOMEM;
	if (!share_insert(&table, vm->share_image, gpa, hpa)) {
		/* Table full: an ordinary frame of its own. */
		rc = host_window_map((uint64_t)(uintptr_t)vm->mem.base + gpa, hpa, GP_PAGE_SIZE);
		if (rc) {
			frames_free(hpa, FRAME_SIZE);
			return rc;
		}
		gp_set_own(&vm->pages, gpa, GP_PAGE_SIZE);
		return np_map(&vm->nested, gpa, hpa, GP_PAGE_SIZE, perms);
	}
	if ((rc = map_shared(vm, gpa, hpa, perms)) != 0 && gp_at(&vm->pages, gpa) != GP_SHARED)
		vm_share_release_page(vm, gpa);
	return rc;
}

int vm_share_place(struct vm *vm, uint64_t gpa, uint64_t size, unsigned perms)
{
	if (!vm->sharing)
		return -ENOENT;  /* the caller places ordinary frames */
	share_image_note_ro(&table, vm->share_image, gpa, gpa + size);
	for (uint64_t page = gpa; page < gpa + size; page += GP_PAGE_SIZE) {
		int rc = share_page(vm, page, perms);

		if (rc)
			return rc;
	}
	return 0;
}

void vm_share_drop(int image, uint64_t gpa)
{
	uint64_t hpa = share_release(&table, image, gpa);

	if (hpa) {
		memset((void *)(uintptr_t)hpa, 0, FRAME_SIZE);
		frames_free(hpa, FRAME_SIZE);
	}
}

void vm_share_release_page(struct vm *vm, uint64_t gpa)
{
	vm_share_drop(image_of(vm, gpa), gpa);
}

struct unshare_ctx {
	struct vm *vm;
	uint64_t gpa;
};

/* mem_remove's last step: vm no longer reaches the shared frame. */
static void release_unshared(void *ctx, uint64_t hpa, uint64_t size)
{
	struct unshare_ctx *u = ctx;

	(void)hpa;
	host_window_unmap((uint64_t)(uintptr_t)u->vm->mem.base + u->gpa, size);
	vm_share_release_page(u->vm, u->gpa);
}

int vm_share_drop_page(struct vm *vm, uint64_t gpa)
{
	struct unshare_ctx u = { vm, gpa & ~(GP_PAGE_SIZE - 1) };
	int rc = mem_remove(&vm->space, u.gpa, GP_PAGE_SIZE, 0, release_unshared, &u);

	if (rc == 0) {
		set_where(vm, u.gpa, GP_NOWHERE);
		vm->shared_pages--;
	}
	return rc;
}

/* copy_frame: a new frame holding a copy of the frame at src, or 0. Not
 * zeroed first: the copy overwrites every byte. */
static uint64_t copy_frame(uint64_t src)
{
	uint64_t fresh = frames_alloc_contiguous(FRAME_SIZE, FRAME_SIZE);

	if (fresh)
		memcpy((void *)(uintptr_t)fresh, (const void *)(uintptr_t)src, FRAME_SIZE);
	return fresh;
}

int vm_share_copy_from(struct vm *vm, int image, uint64_t gpa, unsigned perms)
{
	uint64_t src = share_frame(&table, image, gpa), fresh;

	if (!src)
		return -ENOENT;
	if (!(fresh = copy_frame(src)))
		return -ENOMEM;
	return vm_memory_map_own(vm, gpa, fresh, GP_PAGE_SIZE, perms);
}

int vm_share_unshare(struct vm *vm, uint64_t gpa)
{
	struct unshare_ctx u = { vm, gpa & ~(GP_PAGE_SIZE - 1) };
	uint64_t old, fresh, size;
	unsigned perms;
	bool cow = vm_clone_is_cow(vm, u.gpa);
	int rc;

	if (np_lookup(&vm->nested, u.gpa, &old, &perms, &size) != 0 || size != GP_PAGE_SIZE)
		return -ENOENT;
	if (cow)
		perms = vm_clone_perms(vm, u.gpa);   /* writable again, as before the snapshot */
	if (!(fresh = copy_frame(old)))
		return -ENOMEM;
	if ((rc = vm_share_drop_page(vm, u.gpa)) != 0) {
		frames_free(fresh, FRAME_SIZE);
		return rc;
	}
	if (cow)
		vm_clone_note_copied(vm, u.gpa);
	vm->unshared_pages++;
	return vm_memory_map_own(vm, u.gpa, fresh, GP_PAGE_SIZE, perms);
}

/*
 * adopt_in_place: vm's own page gpa, read-only, becomes the image's frame
 * for gpa. The frame and its mapping stay as they are (nothing to
 * invalidate: no translation changes); only the record moves it from
 * vm's resident pages to the table, so the next duplicate merges into it.
 */
static void adopt_in_place(struct vm *vm, uint64_t gpa, uint64_t hpa)
{
	if (!share_insert(&table, vm->share_image, gpa, hpa))
		return;   /* table full: the page stays vm's own */
	gp_set_nowhere(&vm->pages, gpa);   /* no longer resident ... */
	set_where(vm, gpa, GP_SHARED);     /* ... but shared */
	vm->shared_pages++;
	vm->share_adopted++;
}

/* merge_candidate: vm's page gpa is a 4 KiB read-only page of its own in
 * a read-only segment of its module's image, not a PV page table (Skiff
 * keeps those where they are); sets *hpa and *perms. */
static bool merge_candidate(struct vm *vm, uint64_t gpa, uint64_t *hpa, unsigned *perms)
{
	uint64_t size;

	if (!vm->sharing || vm->clone.index || vm_clone_image(vm) >= 0 || vm->shadow ||
	    gp_at(&vm->pages, gpa) != GP_OWN || !share_image_is_ro(&table, vm->share_image, gpa) ||
	    pv_is_table(vm, gpa))
		return false;
	if (np_lookup(&vm->nested, gpa, hpa, perms, &size) != 0 || size != GP_PAGE_SIZE)
		return false;
	return !(*perms & NP_WRITE);
}

uint64_t vm_share_next_ro(const struct vm *vm, uint64_t gpa)
{
	return vm->sharing ? share_image_next_ro(&table, vm->share_image, gpa) : UINT64_MAX;
}

bool vm_share_merge(struct vm *vm, uint64_t gpa)
{
	uint64_t own, shared;
	unsigned perms;

	if (!merge_candidate(vm, gpa, &own, &perms))
		return false;
	shared = share_frame(&table, vm->share_image, gpa);
	if (!shared) {
		adopt_in_place(vm, gpa, own);
		return false;
	}
	if (shared == own || memcmp((const void *)(uintptr_t)own, (const void *)(uintptr_t)shared,
				    FRAME_SIZE) != 0)
		return false;
	/* The reference first: the shared frame cannot go while vm's own is
	 * taken away. The page's own frame then leaves through the one
	 * invalidation path (scrubbed: it held the image's bytes only, but
	 * free memory holds zeros), and the shared one takes its place. */
	(void)share_lookup(&table, vm->share_image, gpa);
	if (vm_page_out(vm, gpa, GP_PAGE_SIZE, true) != 0) {
		vm_share_drop(vm->share_image, gpa);
		return false;
	}
	/* The leaf table and the window's tables that mapped the page are
	 * still there: these maps allocate nothing. Should one fail all the
	 * same, the page is recorded GP_SHARED but unmapped, and its next
	 * touch ends vm with a decoded fault report: never wrong contents. */
	if (map_shared(vm, gpa, shared, perms) != 0 && gp_at(&vm->pages, gpa) != GP_SHARED)
		vm_share_drop(vm->share_image, gpa);
	vm->share_merged++;
	return true;
}

int vm_share_new_image(void)
{
	return share_image_private(&table);
}

void vm_share_hold_image(int image)
{
	share_image_hold(&table, image);
}

void vm_share_put_image(int image)
{
	share_image_put(&table, image);
}

bool vm_share_adopt(int image, uint64_t gpa, uint64_t hpa)
{
	return share_insert(&table, image, gpa, hpa);
}

uint64_t vm_share_ref(int image, uint64_t gpa)
{
	return share_lookup(&table, image, gpa);
}

void vm_share_end(struct vm *vm)
{
	if (vm->sharing)
		share_image_put(&table, vm->share_image);
	vm->sharing = false;
}

void vm_share_totals(uint64_t *peak_frames, uint64_t *peak_mappings)
{
	*peak_frames = table.peak_frames;
	*peak_mappings = table.peak_refs;
}
