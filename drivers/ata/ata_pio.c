/*
 * ata_pio.c - polled PIO on IDE channels: probing, sector reads, durable
 * sector writes (ata.h).
 *
 * One CPU and no interrupts: every command is issued and waited for here,
 * with a deadline on every wait, so a missing or broken device costs a
 * logged -EIO, never a hang.
 */
#include "drivers/ata/ata.h"

#include "drivers/disk/disk.h"
#include "drivers/pci/pci.h"
#include "drivers/port_io.h"
#include "hypervisor/console.h"
#include "hypervisor/time/time.h"
#include "lib/errno.h"
#include "lib/format.h"

#define ATA_MAX_CHANNELS 4
#define ATA_DRIVES_PER_CHANNEL 2
#define ATA_CTRL_NIEN 0x02u
#define ATA_CTRL_SRST 0x04u
#define ATA_DEVICE_LBA 0x40u
#define ATA_DEVICE_OBSOLETE 0xa0u    /* bits 7 and 5: set by convention */
#define ATA_LBA28_LIMIT (UINT64_C(1) << 28)
#define IO_TIMEOUT_NS UINT64_C(5000000000)      /* data commands */
#define FLUSH_TIMEOUT_NS UINT64_C(30000000000)  /* the standard allows long flushes */
#define PROBE_TIMEOUT_NS UINT64_C(100000000)

struct ata_channel {
	uint16_t cmd, ctrl;   /* command block, device control / alternate status */
	unsigned number;
};

struct ata_drive {
	struct ata_channel *channel;
	uint8_t unit;         /* 0 master, 1 slave */
	struct ata_identity id;
	char name[DISK_NAME_MAX];
};

static struct ata_channel channels[ATA_MAX_CHANNELS];
static unsigned channel_count;
static struct ata_drive drives[ATA_MAX_CHANNELS * ATA_DRIVES_PER_CHANNEL];
static unsigned drive_count;

static uint8_t status(const struct ata_channel *c)
{
	return io_in8((uint16_t)(c->cmd + ATA_REG_STATUS));
}

/* 400 ns for the status to reflect a new drive or command: four reads of
 * the alternate status register, which has no side effects. */
static void settle(const struct ata_channel *c)
{
	for (int i = 0; i < 4; i++)
		(void)io_in8(c->ctrl);
}

/*
 * wait_ready: until BSY clears and, when want_drq, DRQ is set (or ERR/DF
 * end the command). 0, -EIO on an error status, -EBUSY on timeout; the
 * last status in *st.
 */
static int wait_ready(const struct ata_channel *c, bool want_drq, uint64_t timeout_ns,
		      uint8_t *st)
{
	uint64_t deadline = tsc_read() + ns_to_tsc(timeout_ns);

	for (;;) {
		*st = status(c);
		if (!(*st & ATA_STATUS_BSY)) {
			if (*st & (ATA_STATUS_ERR | ATA_STATUS_DF))
				return -EIO;
			if (!want_drq || (*st & ATA_STATUS_DRQ))
				return 0;
		}
		if (tsc_read() > deadline)
			return -EBUSY;
		__asm__ volatile("pause");
	}
}

static void select_drive(const struct ata_drive *d, uint8_t lba_top)
{
	io_out8((uint16_t)(d->channel->cmd + ATA_REG_DEVICE),
		(uint8_t)(ATA_DEVICE_OBSOLETE | ATA_DEVICE_LBA | (d->unit << 4) | (lba_top & 0xf)));
	settle(d->channel);
}

/* A channel that timed out gets a software reset, so the next command
 * starts from a known state. */
static void reset_channel(const struct ata_channel *c)
{
	uint8_t st;

	io_out8(c->ctrl, ATA_CTRL_SRST | ATA_CTRL_NIEN);
	settle(c);
	io_out8(c->ctrl, ATA_CTRL_NIEN);
	(void)wait_ready(c, false, IO_TIMEOUT_NS, &st);
}

static int fail(const struct ata_drive *d, const char *what, uint64_t lba, int rc, uint8_t st)
{
	uint8_t err = io_in8((uint16_t)(d->channel->cmd + ATA_REG_ERROR));

	log_printf("%s: %s of sector %lu failed: %s (status 0x%02x, error 0x%02x)", d->name,
		   what, lba, rc == -EBUSY ? "timeout" : "device error", st, err);
	if (rc == -EBUSY)
		reset_channel(d->channel);
	return -EIO;
}

/* issue: select, load the taskfile for one sector at lba, send command. */
static void issue(const struct ata_drive *d, uint64_t lba, uint8_t cmd28, uint8_t cmd48)
{
	uint16_t base = d->channel->cmd;
	bool ext = lba + 1 > ATA_LBA28_LIMIT;

	select_drive(d, ext ? 0 : (uint8_t)(lba >> 24));
	if (ext) {
		/* LBA48: the high-order bytes go first into the same registers. */
		io_out8((uint16_t)(base + ATA_REG_COUNT), 0);
		io_out8((uint16_t)(base + ATA_REG_LBA_LOW), (uint8_t)(lba >> 24));
		io_out8((uint16_t)(base + ATA_REG_LBA_MID), (uint8_t)(lba >> 32));
		io_out8((uint16_t)(base + ATA_REG_LBA_HIGH), (uint8_t)(lba >> 40));
	}
	io_out8((uint16_t)(base + ATA_REG_COUNT), 1);
	io_out8((uint16_t)(base + ATA_REG_LBA_LOW), (uint8_t)lba);
	io_out8((uint16_t)(base + ATA_REG_LBA_MID), (uint8_t)(lba >> 8));
	io_out8((uint16_t)(base + ATA_REG_LBA_HIGH), (uint8_t)(lba >> 16));
	io_out8((uint16_t)(base + ATA_REG_COMMAND), ext ? cmd48 : cmd28);
}

static int ata_read(void *ctx, uint64_t lba, void *buf)
{
	struct ata_drive *d = ctx;
	uint8_t st;
	int rc;

	issue(d, lba, ATA_CMD_READ_SECTORS, ATA_CMD_READ_SECTORS_EXT);
	settle(d->channel);
	if ((rc = wait_ready(d->channel, true, IO_TIMEOUT_NS, &st)) != 0)
		return fail(d, "read", lba, rc, st);
	io_in16_string((uint16_t)(d->channel->cmd + ATA_REG_DATA), buf, DISK_SECTOR_SIZE / 2);
	settle(d->channel);
	if ((rc = wait_ready(d->channel, false, IO_TIMEOUT_NS, &st)) != 0)
		return fail(d, "read", lba, rc, st);
	return 0;
}

static int flush(struct ata_drive *d, uint64_t lba)
{
	uint8_t st;
	int rc;

	select_drive(d, 0);
	io_out8((uint16_t)(d->channel->cmd + ATA_REG_COMMAND),
		d->id.flush_ext ? ATA_CMD_FLUSH_CACHE_EXT : ATA_CMD_FLUSH_CACHE);
	settle(d->channel);
	if ((rc = wait_ready(d->channel, false, FLUSH_TIMEOUT_NS, &st)) != 0)
		return fail(d, "cache flush after the write", lba, rc, st);
	return 0;
}

/* ata_write_cached: the sector handed to the drive, maybe only to its cache. */
static int ata_write_cached(void *ctx, uint64_t lba, const void *buf)
{
	struct ata_drive *d = ctx;
	uint8_t st;
	int rc;

	issue(d, lba, ATA_CMD_WRITE_SECTORS, ATA_CMD_WRITE_SECTORS_EXT);
	settle(d->channel);
	if ((rc = wait_ready(d->channel, true, IO_TIMEOUT_NS, &st)) != 0)
		return fail(d, "write", lba, rc, st);
	io_out16_string((uint16_t)(d->channel->cmd + ATA_REG_DATA), buf, DISK_SECTOR_SIZE / 2);
	settle(d->channel);
	if ((rc = wait_ready(d->channel, false, IO_TIMEOUT_NS, &st)) != 0)
		return fail(d, "write", lba, rc, st);
	return 0;
}

static int ata_write(void *ctx, uint64_t lba, const void *buf)
{
	int rc = ata_write_cached(ctx, lba, buf);

	return rc ? rc : flush(ctx, lba);
}

static const struct disk_ops ata_disk_ops = {
	.read = ata_read, .write = ata_write, .write_cached = ata_write_cached,
};

/*
 * identify: IDENTIFY DEVICE on d. true with d->id filled for an ATA disk;
 * false for no device, an ATAPI or SATA-signature device, or one that
 * cannot be driven (logged).
 */
static bool identify(struct ata_drive *d)
{
	const struct ata_channel *c = d->channel;
	uint16_t words[256];
	uint8_t st;

	select_drive(d, 0);
	for (uint16_t r = ATA_REG_COUNT; r <= ATA_REG_LBA_HIGH; r++)
		io_out8((uint16_t)(c->cmd + r), 0);
	io_out8((uint16_t)(c->cmd + ATA_REG_COMMAND), ATA_CMD_IDENTIFY);
	settle(c);
	st = status(c);
	if (st == 0 || st == 0xff)
		return false;    /* nothing there, or a floating bus */
	if (wait_ready(c, false, PROBE_TIMEOUT_NS, &st) == -EBUSY)
		return false;
	/* A packet device (ATAPI) aborts and leaves its signature. */
	if (io_in8((uint16_t)(c->cmd + ATA_REG_LBA_MID)) || io_in8((uint16_t)(c->cmd + ATA_REG_LBA_HIGH)))
		return false;
	if (wait_ready(c, true, PROBE_TIMEOUT_NS, &st) != 0)
		return false;
	io_in16_string((uint16_t)(c->cmd + ATA_REG_DATA), words, 256);
	if (!ata_parse_identity(words, &d->id)) {
		log_printf("%s: '%s' has no LBA addressing or no sectors: not used", d->name,
			   d->id.model);
		return false;
	}
	return true;
}

static void probe_channel(struct ata_channel *c)
{
	io_out8(c->ctrl, ATA_CTRL_NIEN);
	for (uint8_t unit = 0; unit < ATA_DRIVES_PER_CHANNEL; unit++) {
		struct ata_drive *d = &drives[drive_count];
		int n;

		*d = (struct ata_drive){ .channel = c, .unit = unit };
		format(d->name, sizeof d->name, "ata%u.%u", c->number, unit);
		if (!identify(d))
			continue;
		n = disk_register(d->name, d->id.sectors, &ata_disk_ops, d);
		if (n < 0) {
			log_printf("%s: too many disks (%d): not used", d->name, DISK_MAX);
			continue;
		}
		drive_count++;
		log_printf("disk %d: %s '%s' %lu sectors (%lu KiB)%s, FLUSH CACHE%s", n, d->name,
			   d->id.model, d->id.sectors, d->id.sectors / 2,
			   d->id.lba48 ? ", LBA48" : "", d->id.flush_ext ? " EXT" : "");
	}
}

/*
 * add_channel: channel `which` (0 primary, 1 secondary) of an IDE function.
 * Programming-interface bit 0 (primary) or 2 (secondary) set means native
 * mode: the ports are in BARs 0/1 or 2/3 (control register at BAR + 2);
 * otherwise the compatibility ports.
 */
static void add_channel(const struct pci_device *dev, unsigned which)
{
	static const uint16_t legacy_cmd[2] = { 0x1f0, 0x170 };
	static const uint16_t legacy_ctrl[2] = { 0x3f6, 0x376 };
	bool native = dev->prog_if & (1u << (2 * which));
	const struct pci_bar *cmd_bar = &dev->bar[2 * which], *ctrl_bar = &dev->bar[2 * which + 1];
	struct ata_channel *c;

	if (channel_count == ATA_MAX_CHANNELS)
		return;
	if (native && (cmd_bar->kind != PCI_BAR_IO || ctrl_bar->kind != PCI_BAR_IO)) {
		log_printf("ata: %02x:%02x.%x channel %u is in native mode without I/O BARs: not used",
			   dev->bus, dev->slot, dev->function, which);
		return;
	}
	c = &channels[channel_count];
	*c = (struct ata_channel){
		.cmd = native ? (uint16_t)cmd_bar->base : legacy_cmd[which],
		.ctrl = native ? (uint16_t)(ctrl_bar->base + 2) : legacy_ctrl[which],
		.number = channel_count,
	};
	channel_count++;
	probe_channel(c);
}

void ata_init(void)
{
	struct pci_match ide = { PCI_ANY, PCI_ANY, PCI_CLASS_STORAGE, PCI_SUBCLASS_IDE, PCI_ANY };
	const struct pci_device *dev;
	unsigned cursor = 0;

	while ((dev = pci_find(pci_machine(), &ide, &cursor)) != NULL) {
		pci_enable(&pci_port_ops, dev, PCI_COMMAND_IO);
		add_channel(dev, 0);
		add_channel(dev, 1);
	}
}
