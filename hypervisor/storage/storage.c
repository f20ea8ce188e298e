/*
 * storage.c - disk regions as guests' block devices (storage.h).
 *
 * A block device's offset is relative to its region; one block is one
 * 512-byte sector, so a call moves exactly one sector through the driver,
 * whose write returns only once the sector is durable.
 */
#include "hypervisor/storage/storage.h"

#include "drivers/disk/disk.h"
#include "drivers/disk/gpt.h"
#include "hypervisor/console.h"
#include "hypervisor/storage/regions.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kstring.h"

/* Where a guest's block device lies on a disk. */
struct binding {
	struct disk *disk;
	uint64_t first_lba;
	bool cached;   /* writes need not be durable (swap) */
};

static struct gpt_table gpt_tables[DISK_MAX];
static const struct gpt_table *gpt_of[DISK_MAX];
static uint64_t disk_sectors[DISK_MAX];
static struct region_claims claims;
static struct binding bindings[REGIONS_MAX];

static int read_for_gpt(void *ctx, uint64_t lba, void *buf)
{
	return disk_read(ctx, lba, buf);
}

static void read_gpt(unsigned n)
{
	struct disk *d = disk_get(n);
	char err[160];
	int rc;

	disk_sectors[n] = d->sectors;
	rc = gpt_parse(read_for_gpt, d, d->sectors, &gpt_tables[n], err, sizeof err);
	if (rc == -ENOENT) {
		log_printf("disk %u: no GPT (usable whole as disk:%u)", n, n);
		return;
	}
	if (rc != 0) {
		log_printf("disk %u: GPT refused: %s (usable whole as disk:%u)", n, err, n);
		return;
	}
	gpt_of[n] = &gpt_tables[n];
	for (unsigned i = 0; i < gpt_tables[n].count; i++) {
		const struct gpt_partition *p = &gpt_tables[n].parts[i];

		log_printf("disk %u: partition %u '%s' sectors %lu..%lu (%lu KiB)", n, p->index,
			   p->name, p->first_lba, p->last_lba, (p->last_lba - p->first_lba + 1) / 2);
	}
}

void storage_init(void)
{
	for (unsigned n = 0; n < disk_count(); n++)
		read_gpt(n);
}

static int storage_io(void *ctx, bool write, uint64_t offset, void *buf)
{
	struct binding *b = ctx;
	uint64_t lba = b->first_lba + offset / DISK_SECTOR_SIZE;

	if (!write)
		return disk_read(b->disk, lba, buf);
	return b->cached ? disk_write_cached(b->disk, lba, buf) : disk_write(b->disk, lba, buf);
}

int storage_claim(const char *spec, const char *owner, bool durable, struct region *r,
		  struct vm_disk_backing *out, char *why, size_t whylen)
{
	struct region_disks disks = { disk_count(), disk_sectors, gpt_of };
	struct region_spec parsed;
	int rc;

	if ((rc = region_parse_spec(spec, &parsed, why, whylen)) != 0 ||
	    (rc = region_resolve(&parsed, &disks, r, why, whylen)) != 0 ||
	    (rc = region_claim(&claims, r, owner, spec, why, whylen)) != 0)
		return rc;
	bindings[claims.count - 1] = (struct binding){ disk_get(r->disk), r->first_lba, !durable };
	*out = (struct vm_disk_backing){
		.device = NULL, .data = NULL, .size = r->sectors * DISK_SECTOR_SIZE,
		.io = storage_io, .io_ctx = &bindings[claims.count - 1], .read_only = r->read_only,
	};
	return 0;
}

int storage_attach(const char *spec, const char *owner, const char *device,
		   struct vm_disk_backing *out, char *err, size_t errlen)
{
	struct region r;
	char why[200];
	int rc;

	if ((rc = storage_claim(spec, owner, true, &r, out, why, sizeof why)) != 0) {
		format(err, errlen, "block.%s=%s: %s", device, spec, why);
		return rc;
	}
	out->device = device;
	log_printf("guest %s: block device %s is %s: disk %u sectors %lu..%lu%s", owner, device,
		   spec, r.disk, r.first_lba, r.first_lba + r.sectors - 1,
		   r.read_only ? ", read-only" : "");
	return 0;
}

unsigned storage_mark(void)
{
	return claims.count;
}

void storage_release_since(unsigned mark)
{
	/* Entries stay in place: bindings of live guests point into the
	 * table. An empty region overlaps nothing. */
	for (unsigned i = mark; i < claims.count; i++)
		claims.entries[i].region.sectors = 0;
}
