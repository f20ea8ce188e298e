/*
 * regions.c - naming, resolving and claiming disk regions (regions.h).
 */
#include "hypervisor/storage/regions.h"

#include <stdarg.h>

#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kstring.h"

#define READ_ONLY_SUFFIX ",ro"

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool region_is_spec(const char *value)
{
	return starts_with(value, "disk:") || starts_with(value, "gpt:");
}

/* parse_disk_number: decimal digits only, below 1000. */
static bool parse_disk_number(const char *s, size_t len, unsigned *out)
{
	unsigned v = 0;

	if (len == 0 || len > 3)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

int region_parse_spec(const char *value, struct region_spec *out, char *err, size_t errlen)
{
	size_t len = strlen(value), suffix = strlen(READ_ONLY_SUFFIX);
	const char *body;

	*out = (struct region_spec){ 0 };
	if (len > suffix && strcmp(value + len - suffix, READ_ONLY_SUFFIX) == 0) {
		out->read_only = true;
		len -= suffix;
	}
	if (starts_with(value, "disk:")) {
		body = value + 5;
		out->kind = REGION_DISK;
		if (!parse_disk_number(body, len - 5, &out->disk))
			return format_error(-EINVAL, err, errlen, "'%s': disk: takes a disk number (0, 1, ...)", value);
		return 0;
	}
	if (starts_with(value, "gpt:")) {
		body = value + 4;
		out->kind = REGION_GPT;
		if (len == 4)
			return format_error(-EINVAL, err, errlen, "'%s': gpt: takes a partition name", value);
		if (len - 4 > GPT_NAME_MAX)
			return format_error(-EINVAL, err, errlen, "'%s': a GPT partition name has at most %u characters",
				      value, GPT_NAME_MAX);
		memcpy(out->name, body, len - 4);
		out->name[len - 4] = '\0';
		return 0;
	}
	return format_error(-EINVAL, err, errlen, "'%s' is neither disk:N nor gpt:NAME", value);
}

static int resolve_gpt(const struct region_spec *spec, const struct region_disks *disks,
		       struct region *out, char *err, size_t errlen)
{
	unsigned found = 0, where = 0;
	const struct gpt_partition *hit = NULL;

	for (unsigned d = 0; d < disks->count; d++) {
		const struct gpt_table *t = disks->gpt[d];

		for (unsigned i = 0; t && i < t->count; i++) {
			if (strcmp(t->parts[i].name, spec->name) != 0)
				continue;
			if (found++ == 0) {
				hit = &t->parts[i];
				where = d;
			}
		}
	}
	if (found == 0)
		return format_error(-ENOENT, err, errlen, "no GPT partition is named '%s' (on %u disks)",
			      spec->name, disks->count);
	if (found > 1)
		return format_error(-EEXIST, err, errlen, "%u GPT partitions are named '%s': the name must be unique",
			      found, spec->name);
	*out = (struct region){ where, hit->first_lba, hit->last_lba - hit->first_lba + 1,
				spec->read_only };
	return 0;
}

int region_resolve(const struct region_spec *spec, const struct region_disks *disks,
		   struct region *out, char *err, size_t errlen)
{
	if (spec->kind == REGION_GPT)
		return resolve_gpt(spec, disks, out, err, errlen);
	if (spec->disk >= disks->count)
		return format_error(-ENOENT, err, errlen, "there is no disk %u (Skiff found %u)", spec->disk,
			      disks->count);
	*out = (struct region){ spec->disk, 0, disks->sectors[spec->disk], spec->read_only };
	return 0;
}

static bool overlap(const struct region *a, const struct region *b)
{
	return a->disk == b->disk && a->first_lba < b->first_lba + b->sectors &&
	       b->first_lba < a->first_lba + a->sectors;
}

int region_claim(struct region_claims *claims, const struct region *r, const char *owner,
		 const char *spec, char *err, size_t errlen)
{
	if (r->sectors == 0)
		return format_error(-EINVAL, err, errlen, "region %s is empty", spec);
	for (unsigned i = 0; i < claims->count; i++) {
		const struct region *o = &claims->entries[i].region;

		if (overlap(r, o))
			return format_error(-EBUSY, err, errlen,
				      "region %s (disk %u, sectors %llu..%llu) overlaps %s (sectors %llu..%llu), which backs guest %s",
				      spec, r->disk, (unsigned long long)r->first_lba,
				      (unsigned long long)(r->first_lba + r->sectors - 1),
				      claims->entries[i].spec, (unsigned long long)o->first_lba,
				      (unsigned long long)(o->first_lba + o->sectors - 1),
				      claims->entries[i].owner);
	}
	if (claims->count == REGIONS_MAX)
		return format_error(-ENOSPC, err, errlen, "more than %u disk regions in use", REGIONS_MAX);
	claims->entries[claims->count].region = *r;
	format(claims->entries[claims->count].owner, REGION_OWNER_MAX, "%s", owner);
	format(claims->entries[claims->count].spec, REGION_SPEC_MAX, "%s", spec);
	claims->count++;
	return 0;
}
