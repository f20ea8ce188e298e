/*
 * disk.c - the table of disks (disk.h).
 *
 * Every transfer goes through here, under one lock for all disks (the
 * "disk lock" of docs/smp.md): guests on any CPU and eviction's swap use
 * the drivers, whose state (an ATA channel's registers, shared by its two
 * drives; a virtqueue) admits one request at a time. Transfers are short
 * and polled, so one lock costs little.
 */
#include "drivers/disk/disk.h"

#include "hypervisor/smp/spinlock.h"
#include "lib/errno.h"
#include "lib/format.h"

static struct disk disks[DISK_MAX];
static unsigned count;
static struct spinlock disk_lock;

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
	spin_lock(&disk_lock);
	rc = d->ops->read(d->ctx, lba, buf);
	d->reads++;
	if (rc)
		d->errors++;
	spin_unlock(&disk_lock);
	return rc;
}

static int write_with(struct disk *d, uint64_t lba, const void *buf,
		      int (*write)(void *ctx, uint64_t lba, const void *buf))
{
	int rc;

	if (lba >= d->sectors)
		return -EINVAL;
	spin_lock(&disk_lock);
	rc = write(d->ctx, lba, buf);
	d->writes++;
	if (rc)
		d->errors++;
	spin_unlock(&disk_lock);
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
