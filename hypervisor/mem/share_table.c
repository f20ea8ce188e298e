/*
 * share_table.c - refcounted read-only frames per image (share_table.h).
 * Open addressing with linear probing; an emptied slot is marked as a
 * tombstone so that probes for later entries still pass it. A slot in use
 * always has refs >= 1, so an all-zero slot is free and a zeroed table is
 * empty: a static table needs no setup (its 16,384 slots would otherwise
 * be written before the first guest's build).
 */
#include "hypervisor/mem/share_table.h"

#include "lib/kstring.h"

#define SHARE_TOMBSTONE UINT64_MAX   /* gpa of an emptied slot (refs 0) */

void share_init(struct share_table *t)
{
	memset(t, 0, sizeof(*t));
}

/* never_used: a slot no entry ever held: a probe for any entry ends here. */
static bool never_used(const struct share_entry *e)
{
	return e->refs == 0 && e->gpa != SHARE_TOMBSTONE;
}

static bool same_bytes(const struct share_image *im, const void *bytes, uint64_t len)
{
	return im->len == len && (im->bytes == bytes || memcmp(im->bytes, bytes, len) == 0);
}

int share_image_get(struct share_table *t, const void *bytes, uint64_t len)
{
	int empty = -1;

	for (unsigned i = 0; i < SHARE_MAX_IMAGES; i++) {
		struct share_image *im = &t->images[i];

		if (im->users && same_bytes(im, bytes, len)) {
			im->users++;
			return (int)i;
		}
		if (!im->users && empty < 0)
			empty = (int)i;
	}
	if (empty >= 0)
		t->images[empty] = (struct share_image){ .bytes = bytes, .len = len, .users = 1 };
	return empty;
}

/* A private image has no bytes and length 0: same_bytes never matches it
 * (share_image_get needs len > 0). */
int share_image_private(struct share_table *t)
{
	for (unsigned i = 0; i < SHARE_MAX_IMAGES; i++)
		if (!t->images[i].users) {
			t->images[i] = (struct share_image){ .users = 1 };
			return (int)i;
		}
	return -1;
}

void share_image_hold(struct share_table *t, int image)
{
	if (image >= 0 && image < (int)SHARE_MAX_IMAGES && t->images[image].users)
		t->images[image].users++;
}

void share_image_put(struct share_table *t, int image)
{
	if (image >= 0 && image < (int)SHARE_MAX_IMAGES && t->images[image].users)
		t->images[image].users--;
}

static bool image_valid(const struct share_table *t, int image)
{
	return image >= 0 && image < (int)SHARE_MAX_IMAGES && t->images[image].users;
}

void share_image_note_ro(struct share_table *t, int image, uint64_t start, uint64_t end)
{
	struct share_image *im;

	if (!image_valid(t, image) || start >= end)
		return;
	im = &t->images[image];
	for (unsigned i = 0; i < im->ro_count; i++)
		if (im->ro[i].start == start && im->ro[i].end == end)
			return;
	if (im->ro_count < SHARE_RO_RANGES)
		im->ro[im->ro_count++] = (struct share_range){ start, end };
}

bool share_image_is_ro(const struct share_table *t, int image, uint64_t gpa)
{
	if (!image_valid(t, image))
		return false;
	for (unsigned i = 0; i < t->images[image].ro_count; i++)
		if (gpa >= t->images[image].ro[i].start && gpa < t->images[image].ro[i].end)
			return true;
	return false;
}

uint64_t share_image_next_ro(const struct share_table *t, int image, uint64_t gpa)
{
	uint64_t next = UINT64_MAX;

	if (!image_valid(t, image))
		return next;
	for (unsigned i = 0; i < t->images[image].ro_count; i++) {
		const struct share_range *r = &t->images[image].ro[i];
		uint64_t at = gpa > r->start ? gpa : r->start;

		if (at < r->end && at < next)
			next = at;
	}
	return next;
}

static unsigned slot_of(int image, uint64_t gpa)
{
	uint64_t h = (gpa >> 12) * UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)image * 0x85ebca6bu;

	return (unsigned)((h >> 32) % SHARE_MAX_FRAMES);
}

/* find: the slot of (image, gpa), or -1. */
static int find(const struct share_table *t, int image, uint64_t gpa)
{
	unsigned s = slot_of(image, gpa);

	for (unsigned n = 0; n < SHARE_MAX_FRAMES; n++, s = (s + 1) % SHARE_MAX_FRAMES) {
		const struct share_entry *e = &t->entries[s];

		if (never_used(e))
			return -1;
		if (e->gpa == gpa && e->image == (uint32_t)image)
			return (int)s;
	}
	return -1;
}

static void count_ref(struct share_table *t, int delta_frames, int delta_refs)
{
	t->frames += (uint64_t)(int64_t)delta_frames;
	t->refs += (uint64_t)(int64_t)delta_refs;
	if (t->frames > t->peak_frames)
		t->peak_frames = t->frames;
	if (t->refs > t->peak_refs)
		t->peak_refs = t->refs;
}

uint64_t share_lookup(struct share_table *t, int image, uint64_t gpa)
{
	int s = find(t, image, gpa);

	if (s < 0)
		return 0;
	t->entries[s].refs++;
	count_ref(t, 0, 1);
	return t->entries[s].hpa;
}

uint64_t share_frame(const struct share_table *t, int image, uint64_t gpa)
{
	int s = find(t, image, gpa);

	return s < 0 ? 0 : t->entries[s].hpa;
}

bool share_insert(struct share_table *t, int image, uint64_t gpa, uint64_t hpa)
{
	unsigned s = slot_of(image, gpa);

	if (find(t, image, gpa) >= 0 || t->frames >= SHARE_MAX_FRAMES)
		return false;
	while (t->entries[s].refs != 0)   /* never used or a tombstone: free */
		s = (s + 1) % SHARE_MAX_FRAMES;
	t->entries[s] = (struct share_entry){ gpa, hpa, (uint32_t)image, 1 };
	count_ref(t, 1, 1);
	return true;
}

uint64_t share_release(struct share_table *t, int image, uint64_t gpa)
{
	int s = find(t, image, gpa);
	uint64_t hpa;

	if (s < 0)
		return 0;
	count_ref(t, 0, -1);
	if (--t->entries[s].refs)
		return 0;
	hpa = t->entries[s].hpa;
	t->entries[s].gpa = SHARE_TOMBSTONE;
	count_ref(t, -1, 0);
	return hpa;
}
