/*
 * regions.h - disk regions that back guests' block devices, and the rule
 * that a region backs one guest only.
 *
 * A guest's block.DEV= value names a region: "disk:N" (all of disk N) or
 * "gpt:NAME" (the GPT partition called NAME, on whichever disk holds the
 * only partition of that name), optionally followed by ",ro" (read-only:
 * writes answer EINVAL). Portable: host-tested (tests/unit/regions_test.c).
 */
#ifndef SKIFF_STORAGE_REGIONS_H
#define SKIFF_STORAGE_REGIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/disk/gpt.h"

#define REGIONS_MAX 64
#define REGION_SPEC_MAX 128
#define REGION_OWNER_MAX 32

struct region {
	unsigned disk;
	uint64_t first_lba;
	uint64_t sectors;    /* 512-byte sectors */
	bool read_only;
};

/* A region spec split into its parts (region_parse_spec). */
struct region_spec {
	enum { REGION_DISK, REGION_GPT } kind;
	unsigned disk;                 /* REGION_DISK */
	char name[GPT_NAME_MAX + 1];   /* REGION_GPT */
	bool read_only;
};

/* What the resolver knows of the machine's disks. */
struct region_disks {
	unsigned count;
	const uint64_t *sectors;               /* [count] */
	const struct gpt_table *const *gpt;    /* [count]; NULL for a disk without GPT */
};

struct region_claims {
	unsigned count;
	struct {
		struct region region;
		char owner[REGION_OWNER_MAX];
		char spec[REGION_SPEC_MAX];
	} entries[REGIONS_MAX];
};

/*
 * region_is_spec: true when value names a disk region (starts with "disk:"
 * or "gpt:") rather than a module path.
 */
bool region_is_spec(const char *value);

/*
 * region_parse_spec: split "disk:N[,ro]" or "gpt:NAME[,ro]". 0, or -EINVAL
 * with the reason in err (bad number, empty or too long name).
 */
int region_parse_spec(const char *value, struct region_spec *out, char *err, size_t errlen);

/*
 * region_resolve: the region a spec names on these disks. 0; -ENOENT when
 * the disk or partition does not exist, -EEXIST when two partitions carry
 * the name, each with the reason in err.
 */
int region_resolve(const struct region_spec *spec, const struct region_disks *disks,
		   struct region *out, char *err, size_t errlen);

/*
 * region_claim: give r to guest owner (spec is its text, for messages).
 * -EBUSY when r overlaps a region already claimed (naming both and the
 * other owner), -ENOSPC when REGIONS_MAX are claimed, -EINVAL for an empty
 * region; 0 and recorded otherwise.
 */
int region_claim(struct region_claims *claims, const struct region *r, const char *owner,
		 const char *spec, char *err, size_t errlen);

#endif
