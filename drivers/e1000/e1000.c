/*
 * e1000.c - the 82540EM driver (e1000.h). Register and descriptor layout
 * from Intel's PCI/PCI-X Family of Gigabit Ethernet Controllers Software
 * Developer's Manual (8254x), sections 3.2-3.4 and 13.
 */
#include "drivers/e1000/e1000.h"

#include "hypervisor/mem/frames.h"
#include "lib/errno.h"
#include "lib/kstring.h"

enum {
	REG_CTRL = 0x0000, REG_STATUS = 0x0008, REG_EERD = 0x0014, REG_IMC = 0x00d8,
	REG_RCTL = 0x0100, REG_TCTL = 0x0400, REG_TIPG = 0x0410,
	REG_RDBAL = 0x2800, REG_RDBAH = 0x2804, REG_RDLEN = 0x2808,
	REG_RDH = 0x2810, REG_RDT = 0x2818,
	REG_TDBAL = 0x3800, REG_TDBAH = 0x3804, REG_TDLEN = 0x3808,
	REG_TDH = 0x3810, REG_TDT = 0x3818,
	REG_MTA = 0x5200, REG_RAL0 = 0x5400, REG_RAH0 = 0x5404,
};

#define CTRL_ASDE (1u << 5)
#define CTRL_SLU (1u << 6)
#define CTRL_RST (1u << 26)
#define EERD_START 1u
#define EERD_DONE (1u << 4)
#define RAH_VALID (1u << 31)
#define RCTL_EN (1u << 1)
#define RCTL_UPE (1u << 3)
#define RCTL_MPE (1u << 4)
#define RCTL_BAM (1u << 15)
#define RCTL_SECRC (1u << 26)      /* strip the FCS: guests get frames without it */
#define TCTL_EN (1u << 1)
#define TCTL_PSP (1u << 3)
#define TCTL_CT (0x0fu << 4)
#define TCTL_COLD (0x40u << 12)
#define TX_CMD_EOP 0x01u
#define TX_CMD_IFCS 0x02u
#define TX_CMD_RS 0x08u
#define DESC_DD 0x01u
#define RX_EOP 0x02u
#define E1000_VENDOR 0x8086u
#define E1000_82540EM 0x100eu
#define SPIN_LIMIT 1000000u

/* Legacy receive and transmit descriptors: 16 bytes each. */
struct rx_desc {
	uint64_t addr;
	uint16_t length, checksum;
	uint8_t status, errors;
	uint16_t special;
};

struct tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso, cmd, status, css;
	uint16_t special;
};

_Static_assert(sizeof(struct rx_desc) == 16, "legacy RX descriptor is 16 bytes");
_Static_assert(sizeof(struct tx_desc) == 16, "legacy TX descriptor is 16 bytes");

static uint32_t rd(const struct e1000 *nic, unsigned reg)
{
	return *(volatile uint32_t *)(nic->regs + reg);
}

static void wr(const struct e1000 *nic, unsigned reg, uint32_t v)
{
	*(volatile uint32_t *)(nic->regs + reg) = v;
}

/* The block: RX ring, TX ring, then RX buffers and TX buffers. */
static volatile struct rx_desc *rx_ring(const struct e1000 *nic)
{
	return (volatile struct rx_desc *)nic->block;
}

static volatile struct tx_desc *tx_ring(const struct e1000 *nic)
{
	return (volatile struct tx_desc *)(nic->block + E1000_RING * sizeof(struct rx_desc));
}

static uint8_t *rx_buffer(const struct e1000 *nic, unsigned i)
{
	return nic->block + 2 * E1000_RING * 16 + (size_t)i * E1000_BUFFER;
}

static uint8_t *tx_buffer(const struct e1000 *nic, unsigned i)
{
	return rx_buffer(nic, E1000_RING + i);
}

const struct pci_device *e1000_find(const struct pci_bus_set *set)
{
	const struct pci_match m = { E1000_VENDOR, E1000_82540EM, PCI_ANY, PCI_ANY, PCI_ANY };
	unsigned cursor = 0;

	return pci_find(set, &m, &cursor);
}

/* eeprom_word: word addr of the EEPROM through EERD; false on no answer. */
static bool eeprom_word(const struct e1000 *nic, unsigned addr, uint16_t *out)
{
	wr(nic, REG_EERD, EERD_START | addr << 8);
	for (unsigned i = 0; i < SPIN_LIMIT; i++) {
		uint32_t v = rd(nic, REG_EERD);

		if (v & EERD_DONE) {
			*out = (uint16_t)(v >> 16);
			return true;
		}
	}
	return false;
}

static int read_mac(struct e1000 *nic)
{
	for (unsigned i = 0; i < 3; i++) {
		uint16_t w;

		if (!eeprom_word(nic, i, &w))
			return -EIO;
		nic->mac[2 * i] = (uint8_t)w;
		nic->mac[2 * i + 1] = (uint8_t)(w >> 8);
	}
	wr(nic, REG_RAL0, (uint32_t)nic->mac[0] | (uint32_t)nic->mac[1] << 8 |
			  (uint32_t)nic->mac[2] << 16 | (uint32_t)nic->mac[3] << 24);
	wr(nic, REG_RAH0, (uint32_t)nic->mac[4] | (uint32_t)nic->mac[5] << 8 | RAH_VALID);
	return 0;
}

static void reset(struct e1000 *nic)
{
	wr(nic, REG_IMC, 0xffffffffu);
	wr(nic, REG_CTRL, rd(nic, REG_CTRL) | CTRL_RST);
	for (unsigned i = 0; i < SPIN_LIMIT && (rd(nic, REG_CTRL) & CTRL_RST); i++)
		__asm__ volatile("pause");
	wr(nic, REG_IMC, 0xffffffffu);
	wr(nic, REG_CTRL, (rd(nic, REG_CTRL) | CTRL_SLU | CTRL_ASDE) & ~CTRL_RST);
	for (unsigned i = 0; i < 128; i++)
		wr(nic, REG_MTA + 4 * i, 0);
}

static void setup_rings(struct e1000 *nic)
{
	uint64_t rx = (uintptr_t)rx_ring(nic), tx = (uintptr_t)tx_ring(nic);

	memset(nic->block, 0, nic->block_bytes);
	for (unsigned i = 0; i < E1000_RING; i++)
		rx_ring(nic)[i].addr = (uintptr_t)rx_buffer(nic, i);
	for (unsigned i = 0; i < E1000_RING; i++) {
		tx_ring(nic)[i].addr = (uintptr_t)tx_buffer(nic, i);
		tx_ring(nic)[i].status = DESC_DD;   /* free */
	}
	wr(nic, REG_RDBAL, (uint32_t)rx);
	wr(nic, REG_RDBAH, (uint32_t)(rx >> 32));
	wr(nic, REG_RDLEN, E1000_RING * 16);
	wr(nic, REG_RDH, 0);
	/* The device owns RDH..RDT-1: all but one descriptor. */
	wr(nic, REG_RDT, E1000_RING - 1);
	wr(nic, REG_TDBAL, (uint32_t)tx);
	wr(nic, REG_TDBAH, (uint32_t)(tx >> 32));
	wr(nic, REG_TDLEN, E1000_RING * 16);
	wr(nic, REG_TDH, 0);
	wr(nic, REG_TDT, 0);
	nic->rx_next = 0;
	nic->tx_next = 0;
}

int e1000_init(struct e1000 *nic, const struct pci_device *dev)
{
	const struct pci_bar *bar = &dev->bar[0];
	int rc;

	memset(nic, 0, sizeof(*nic));
	if ((bar->kind != PCI_BAR_MEM32 && bar->kind != PCI_BAR_MEM64) || bar->base == 0)
		return -EINVAL;
	nic->regs = (volatile uint8_t *)(uintptr_t)bar->base;
	pci_enable(&pci_port_ops, dev, PCI_COMMAND_MEMORY | PCI_COMMAND_BUS_MASTER);
	nic->block_bytes = 2 * E1000_RING * (16 + E1000_BUFFER);
	nic->block = (uint8_t *)(uintptr_t)frames_alloc_contiguous(nic->block_bytes, FRAME_SIZE);
	if (!nic->block)
		return -ENOMEM;
	reset(nic);
	if ((rc = read_mac(nic)) != 0)
		return rc;
	setup_rings(nic);
	wr(nic, REG_TIPG, 10u | 10u << 10 | 10u << 20);
	wr(nic, REG_TCTL, TCTL_EN | TCTL_PSP | TCTL_CT | TCTL_COLD);
	wr(nic, REG_RCTL, RCTL_EN | RCTL_BAM | RCTL_MPE | RCTL_SECRC);
	return 0;
}

void e1000_filter(struct e1000 *nic, const uint8_t (*macs)[6], unsigned count)
{
	bool promiscuous = count > E1000_FILTER_SLOTS;
	uint32_t rctl = rd(nic, REG_RCTL);

	for (unsigned i = 0; i < E1000_FILTER_SLOTS; i++) {
		const uint8_t *m = macs[i];

		/* Invalid first, so the device never matches half an address. */
		wr(nic, REG_RAH0 + 8 * (i + 1), 0);
		if (promiscuous || i >= count)
			continue;
		wr(nic, REG_RAL0 + 8 * (i + 1), (uint32_t)m[0] | (uint32_t)m[1] << 8 |
						(uint32_t)m[2] << 16 | (uint32_t)m[3] << 24);
		wr(nic, REG_RAH0 + 8 * (i + 1), (uint32_t)m[4] | (uint32_t)m[5] << 8 | RAH_VALID);
	}
	wr(nic, REG_RCTL, promiscuous ? rctl | RCTL_UPE : rctl & ~RCTL_UPE);
}

int e1000_transmit(struct e1000 *nic, const void *frame, size_t len)
{
	volatile struct tx_desc *d = &tx_ring(nic)[nic->tx_next];

	if (len < 14 || len > E1000_BUFFER)
		return -EINVAL;
	if (!(d->status & DESC_DD)) {
		nic->tx_busy++;
		return -EBUSY;
	}
	memcpy(tx_buffer(nic, nic->tx_next), frame, len);
	d->length = (uint16_t)len;
	d->cso = 0;
	d->status = 0;
	d->cmd = TX_CMD_EOP | TX_CMD_IFCS | TX_CMD_RS;
	nic->tx_next = (nic->tx_next + 1) % E1000_RING;
	/* The descriptor is written before the device may read it. */
	__asm__ volatile("sfence" ::: "memory");
	wr(nic, REG_TDT, nic->tx_next);
	nic->tx_frames++;
	return 0;
}

size_t e1000_receive(struct e1000 *nic, void *buf, size_t cap)
{
	for (;;) {
		volatile struct rx_desc *d = &rx_ring(nic)[nic->rx_next];
		unsigned index = nic->rx_next;
		size_t len = d->length;
		bool good;

		if (!(d->status & DESC_DD))
			return 0;
		__asm__ volatile("" ::: "memory");
		good = (d->status & RX_EOP) && d->errors == 0 && len >= 14 && len <= cap;
		if (good)
			memcpy(buf, rx_buffer(nic, index), len);
		else
			nic->rx_errors++;
		d->status = 0;
		nic->rx_next = (index + 1) % E1000_RING;
		/* Hand the descriptor back: it becomes the last one the device owns. */
		wr(nic, REG_RDT, index);
		if (good) {
			nic->rx_frames++;
			return len;
		}
	}
}
