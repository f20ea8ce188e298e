/*
 * ata.h - the ATA (IDE) disk driver: PCI class 01:01 controllers, in
 * compatibility (legacy ports 0x1F0/0x170) or native-PCI mode, polled PIO.
 *
 * Every disk found (ATAPI devices such as CD-ROMs are skipped) is
 * registered with drivers/disk as "ataC.D" (controller channel C, drive D).
 * A write is one WRITE SECTORS followed by FLUSH CACHE: it is reported done
 * only when the device says the data is on the medium. Interrupts stay off
 * (nIEN): Skiff polls the status register with a deadline.
 */
#ifndef SKIFF_DRIVERS_ATA_H
#define SKIFF_DRIVERS_ATA_H

#include <stdbool.h>
#include <stdint.h>

/* Register offsets from a channel's command block. */
enum {
	ATA_REG_DATA = 0, ATA_REG_ERROR = 1, ATA_REG_FEATURES = 1, ATA_REG_COUNT = 2,
	ATA_REG_LBA_LOW = 3, ATA_REG_LBA_MID = 4, ATA_REG_LBA_HIGH = 5,
	ATA_REG_DEVICE = 6, ATA_REG_STATUS = 7, ATA_REG_COMMAND = 7,
};

enum {
	ATA_STATUS_ERR = 0x01, ATA_STATUS_DRQ = 0x08, ATA_STATUS_DF = 0x20,
	ATA_STATUS_DRDY = 0x40, ATA_STATUS_BSY = 0x80,
};

enum {
	ATA_CMD_READ_SECTORS = 0x20, ATA_CMD_READ_SECTORS_EXT = 0x24,
	ATA_CMD_WRITE_SECTORS = 0x30, ATA_CMD_WRITE_SECTORS_EXT = 0x34,
	ATA_CMD_FLUSH_CACHE = 0xe7, ATA_CMD_FLUSH_CACHE_EXT = 0xea,
	ATA_CMD_IDENTIFY = 0xec,
};

/* What IDENTIFY DEVICE says that the driver uses (ata_identify.c). */
struct ata_identity {
	char model[41];         /* trimmed */
	bool lba;               /* word 49 bit 9 */
	bool lba48;             /* word 83 bit 10 */
	uint64_t sectors;       /* words 100..103 with lba48, else 60..61 */
	bool flush_ext;         /* word 83 bit 13 */
};

/*
 * ata_parse_identity: decode the 256 words of IDENTIFY DEVICE. Portable
 * (host-tested). Returns false for a device that cannot be driven here (no
 * LBA, or zero sectors).
 */
bool ata_parse_identity(const uint16_t words[256], struct ata_identity *out);

/*
 * ata_init: find every IDE controller in pci_machine(), probe its four
 * drives and register the disks. Logs what it found and every failure;
 * never fails itself. Call once, after pci_init().
 */
void ata_init(void);

#endif
