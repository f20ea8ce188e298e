/*
 * disk.h - the disks Skiff's drivers found, as numbered devices of 512-byte
 * sectors that block devices are carved from.
 *
 * A driver registers each disk once at start-up (disk N is the N-th
 * registered, in probe order); afterwards the table only grows counters.
 * The durability contract is the driver's: write() returns 0 only once the
 * sector is on the medium (written through, or the device's write cache
 * flushed), so an acknowledged write survives power loss right after.
 */
#ifndef SKIFF_DRIVERS_DISK_H
#define SKIFF_DRIVERS_DISK_H

#include <stdint.h>

#define DISK_SECTOR_SIZE 512u
#define DISK_MAX 8
#define DISK_NAME_MAX 16

struct disk_ops {
	/* read: sector lba (below the disk's sectors) into buf (512 bytes).
	 * 0, or -EIO after logging what the device reported. */
	int (*read)(void *ctx, uint64_t lba, void *buf);
	/* write: buf (512 bytes) to sector lba, durable when it returns 0;
	 * -EIO after logging what the device reported. */
	int (*write)(void *ctx, uint64_t lba, const void *buf);
	/* write_cached: as write, but done once the device has the sector,
	 * perhaps only in its cache (for swap, which power-off empties
	 * anyway). NULL: write serves. */
	int (*write_cached)(void *ctx, uint64_t lba, const void *buf);
};

struct disk {
	char name[DISK_NAME_MAX];   /* the driver's name for it, "ata0.1" */
	uint64_t sectors;
	const struct disk_ops *ops;
	void *ctx;
	uint64_t reads, writes, errors;
};

/*
 * disk_register: add a disk of `sectors` 512-byte sectors. Returns its
 * number, or -ENOSPC when DISK_MAX disks exist already (logged by the
 * caller). ops and ctx must stay valid for good.
 */
int disk_register(const char *name, uint64_t sectors, const struct disk_ops *ops, void *ctx);

/* disk_count: how many disks are registered. disk_get: disk n, NULL when
 * n >= disk_count(). */
unsigned disk_count(void);
struct disk *disk_get(unsigned n);

/*
 * disk_read, disk_write: one sector through the driver, counted. lba past
 * the end is -EINVAL without touching the device; a device error is -EIO.
 */
int disk_read(struct disk *d, uint64_t lba, void *buf);
int disk_write(struct disk *d, uint64_t lba, const void *buf);

/* disk_write_cached: disk_write without the durability promise (the
 * driver's write_cached, else its write). */
int disk_write_cached(struct disk *d, uint64_t lba, const void *buf);

#endif
