/*
 * disk.c - the table of disks (disk.h).
 */
#include "drivers/disk/disk.h"

#include "lib/errno.h"
#include "lib/format.h"

static struct disk disks[DISK_MAX];
static unsigned count;

int disk_register(const char *name, uint64_t sectors, const struct disk_ops *ops, void *ctx)
{
	if (count == DISK_MAX)
		return -ENOSPC;
	disks[count] = (struct disk){ .sectors = sectors, .ops = ops, .ctx = ctx };
	format(disks[count].name, sizeof disks[count].name, "%s", name);
	return (int)count++;
}

unsigned disk_count(void)
{
	return count;
}

struct disk *disk_get(unsigned n)
{
	return n < count ? &disks[n] : NULL;
}

int disk_read(struct disk *d, uint64_t lba, void *buf)
{
	int rc;

	if (lba >= d->sectors)
		return -EINVAL;
	rc = d->ops->read(d->ctx, lba, buf);
	d->reads++;
	if (rc)
		d->errors++;
	return rc;
}

static int write_with(struct disk *d, uint64_t lba, const void *buf,
		      int (*write)(void *ctx, uint64_t lba, const void *buf))
{
	int rc;

	if (lba >= d->sectors)
		return -EINVAL;
	rc = write(d->ctx, lba, buf);
	d->writes++;
	if (rc)
		d->errors++;
	return rc;
}

int disk_write(struct disk *d, uint64_t lba, const void *buf)
{
	return write_with(d, lba, buf, d->ops->write);
}

int disk_write_cached(struct disk *d, uint64_t lba, const void *buf)
{
	return write_with(d, lba, buf, d->ops->write_cached ? d->ops->write_cached : d->ops->write);
}
