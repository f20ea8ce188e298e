/*
 * virtio_blk.c - legacy virtio-blk over PCI, polled (virtio_blk.h).
 *
 * One request at a time: descriptors 0..2 carry the request header, the
 * 512-byte data buffer and the status byte, all in memory the driver owns
 * (guest buffers are copied, so a device never sees guest addresses).
 * The virtqueue and register block code is drivers/virtio's.
 * Interrupts are suppressed (VRING_AVAIL_F_NO_INTERRUPT); the driver polls
 * the used ring's index with a deadline.
 */
#include "drivers/virtio_blk/virtio_blk.h"

#include "drivers/disk/disk.h"
#include "drivers/pci/pci.h"
#include "drivers/port_io.h"
#include "drivers/virtio/virtio.h"
#include "hypervisor/console.h"
#include "hypervisor/mem/frames.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kstring.h"

#define VIRTIO_BLK_LEGACY 0x1001
#define VBLK_MAX 4
#define REQUEST_TIMEOUT_NS UINT64_C(30000000000)

enum { BLK_F_BLK_SIZE = 6, BLK_F_FLUSH = 9 };
enum { BLK_T_IN = 0, BLK_T_OUT = 1, BLK_T_FLUSH = 4 };
#define CONFIG_BLK_SIZE 0x14u    /* offset of blk_size inside the device config */

struct request_header {
	uint32_t type, reserved;
	uint64_t sector;
};

/* Driver-owned memory of one device, in one page of its own. */
struct vblk_io {
	struct request_header header;
	uint8_t status;
	uint8_t data[DISK_SECTOR_SIZE] __attribute__((aligned(16)));
};

struct vblk {
	uint16_t io;             /* register block */
	bool flush;              /* VIRTIO_BLK_F_FLUSH negotiated */
	struct virtq q;
	struct vblk_io *buf;
	char name[DISK_NAME_MAX];
};

static struct vblk devices[VBLK_MAX];
static unsigned device_count;

static uint64_t phys(const volatile void *p)
{
	return (uint64_t)(uintptr_t)p;   /* Skiff's own memory is identity-mapped */
}

/*
 * submit: publish the chain starting at descriptor 0, notify, wait for the
 * device to use it. 0, or -EIO (device error status, a used entry naming
 * no descriptor) / -EBUSY (timeout).
 */
static int submit(struct vblk *v, const char *what, uint64_t sector)
{
	uint16_t head;
	uint32_t len;
	int rc;

	v->buf->status = 0xff;
	virtq_publish(&v->q, 0);
	virtio_legacy_notify(v->io, 0);
	rc = virtio_wait_used(&v->q, REQUEST_TIMEOUT_NS, &head, &len);
	if (rc == 0) {
		log_printf("%s: %s of sector %lu failed: timeout", v->name, what, sector);
		return -EBUSY;
	}
	__asm__ volatile("" ::: "memory");
	if (rc < 0 || head != 0 || v->buf->status != 0) {
		log_printf("%s: %s of sector %lu failed: device status %u", v->name, what, sector,
			   v->buf->status);
		return -EIO;
	}
	return 0;
}

static void set_desc(struct vblk *v, uint16_t i, const volatile void *addr, uint32_t len,
		     uint16_t flags)
{
	virtq_set_desc(&v->q, i, phys(addr), len, flags, (uint16_t)(i + 1));
}

static int request(struct vblk *v, uint32_t type, uint64_t sector)
{
	static const char *const names[] = { [BLK_T_IN] = "read", [BLK_T_OUT] = "write",
					     [BLK_T_FLUSH] = "cache flush" };

	v->buf->header = (struct request_header){ .type = type, .sector = sector };
	set_desc(v, 0, &v->buf->header, sizeof v->buf->header, VIRTQ_DESC_F_NEXT);
	if (type == BLK_T_FLUSH) {
		set_desc(v, 1, &v->buf->status, 1, VIRTQ_DESC_F_WRITE);
	} else {
		set_desc(v, 1, v->buf->data, DISK_SECTOR_SIZE,
			 VIRTQ_DESC_F_NEXT | (type == BLK_T_IN ? VIRTQ_DESC_F_WRITE : 0));
		set_desc(v, 2, &v->buf->status, 1, VIRTQ_DESC_F_WRITE);
	}
	return submit(v, names[type], sector) == 0 ? 0 : -EIO;
}

static int vblk_read(void *ctx, uint64_t lba, void *buf)
{
	struct vblk *v = ctx;
	int rc = request(v, BLK_T_IN, lba);

	if (rc == 0)
		memcpy(buf, v->buf->data, DISK_SECTOR_SIZE);
	return rc;
}

static int vblk_write(void *ctx, uint64_t lba, const void *buf)
{
	struct vblk *v = ctx;
	int rc;

	memcpy(v->buf->data, buf, DISK_SECTOR_SIZE);
	rc = request(v, BLK_T_OUT, lba);
	if (rc == 0 && v->flush)
		rc = request(v, BLK_T_FLUSH, 0);
	return rc;
}

static int vblk_write_cached(void *ctx, uint64_t lba, const void *buf)
{
	struct vblk *v = ctx;

	memcpy(v->buf->data, buf, DISK_SECTOR_SIZE);
	return request(v, BLK_T_OUT, lba);
}

static const struct disk_ops vblk_ops = {
	.read = vblk_read, .write = vblk_write, .write_cached = vblk_write_cached,
};

static uint64_t read_capacity(uint16_t io)
{
	return io_in32((uint16_t)(io + VIRTIO_REG_CONFIG)) |
	       (uint64_t)io_in32((uint16_t)(io + VIRTIO_REG_CONFIG + 4)) << 32;
}

/* setup_queue: queue 0 and the request page; false (logged) when impossible. */
static bool setup_queue(struct vblk *v)
{
	uint64_t page;
	int rc = virtio_legacy_queue(v->io, 0, 3, &v->q);

	if (rc == -ENODEV) {
		log_printf("%s: queue 0 has fewer than 3 entries: not used", v->name);
		return false;
	}
	page = rc == 0 ? frames_alloc_contiguous(FRAME_SIZE, FRAME_SIZE) : 0;
	if (page == 0) {
		log_printf("%s: no memory for its queue: not used", v->name);
		return false;
	}
	memset((void *)(uintptr_t)page, 0, FRAME_SIZE);
	v->buf = (struct vblk_io *)(uintptr_t)page;
	return true;
}

static void add_device(const struct pci_device *dev)
{
	struct vblk *v = &devices[device_count];
	uint32_t features, wanted = 0;
	uint64_t sectors;
	int n;

	*v = (struct vblk){ .io = (uint16_t)dev->bar[0].base };
	format(v->name, sizeof v->name, "vblk%u", device_count);
	pci_enable(&pci_port_ops, dev, PCI_COMMAND_IO | PCI_COMMAND_BUS_MASTER);
	features = virtio_legacy_begin(v->io);
	if ((features & (1u << BLK_F_BLK_SIZE)) &&
	    io_in32((uint16_t)(v->io + VIRTIO_REG_CONFIG + CONFIG_BLK_SIZE)) != DISK_SECTOR_SIZE) {
		log_printf("%s: logical blocks are not 512 bytes: not used", v->name);
		virtio_legacy_fail(v->io);
		return;
	}
	if (features & (1u << BLK_F_FLUSH))
		wanted |= 1u << BLK_F_FLUSH;
	virtio_legacy_accept(v->io, wanted);
	v->flush = wanted != 0;
	if (!setup_queue(v)) {
		virtio_legacy_fail(v->io);
		return;
	}
	virtio_legacy_ready(v->io);
	sectors = read_capacity(v->io);
	n = disk_register(v->name, sectors, &vblk_ops, v);
	if (n < 0) {
		log_printf("%s: too many disks (%d): not used", v->name, DISK_MAX);
		return;
	}
	device_count++;
	log_printf("disk %d: %s virtio-blk %02x:%02x.%x %lu sectors (%lu KiB), queue %u%s", n,
		   v->name, dev->bus, dev->slot, dev->function, sectors, sectors / 2, v->q.size,
		   v->flush ? ", FLUSH" : ", write-through");
}

void virtio_blk_init(void)
{
	struct pci_match blk = { VIRTIO_VENDOR, VIRTIO_BLK_LEGACY, PCI_ANY, PCI_ANY, PCI_ANY };
	const struct pci_device *dev;
	unsigned cursor = 0;

	while ((dev = pci_find(pci_machine(), &blk, &cursor)) != NULL && device_count < VBLK_MAX) {
		if (dev->bar[0].kind != PCI_BAR_IO) {
			log_printf("virtio-blk %02x:%02x.%x has no legacy I/O BAR 0: not used",
				   dev->bus, dev->slot, dev->function);
			continue;
		}
		add_device(dev);
	}
}
