/*
 * pci.h - PCI configuration space, bus enumeration and BAR decoding.
 *
 * The scan is portable C: it reaches configuration space only through
 * struct pci_config_ops, so host tests drive it with a model of a machine
 * (tests/unit/pci_test.c). The hypervisor's ops use configuration
 * mechanism #1 (ports 0xCF8/0xCFC, pci_port.c), which every PC chipset and
 * both emulators provide; PCI Express's memory-mapped space (ECAM) is not
 * needed for the first 256 bytes that drivers here use.
 */
#ifndef SKIFF_DRIVERS_PCI_H
#define SKIFF_DRIVERS_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_MAX_DEVICES 64
#define PCI_BAR_COUNT 6

/* Configuration-space offsets (type 0 and type 1 headers). */
enum {
	PCI_CFG_VENDOR = 0x00, PCI_CFG_DEVICE = 0x02, PCI_CFG_COMMAND = 0x04,
	PCI_CFG_STATUS = 0x06, PCI_CFG_REVISION = 0x08, PCI_CFG_PROG_IF = 0x09,
	PCI_CFG_SUBCLASS = 0x0a, PCI_CFG_CLASS = 0x0b, PCI_CFG_HEADER_TYPE = 0x0e,
	PCI_CFG_BAR0 = 0x10, PCI_CFG_SECONDARY_BUS = 0x19,
	PCI_CFG_CAPABILITIES = 0x34, PCI_CFG_IRQ_LINE = 0x3c, PCI_CFG_IRQ_PIN = 0x3d,
};

/* Command-register bits. */
enum {
	PCI_COMMAND_IO = 1u << 0,
	PCI_COMMAND_MEMORY = 1u << 1,
	PCI_COMMAND_BUS_MASTER = 1u << 2,
	PCI_COMMAND_INTX_DISABLE = 1u << 10,
};

enum { PCI_CLASS_STORAGE = 0x01, PCI_CLASS_NETWORK = 0x02, PCI_CLASS_BRIDGE = 0x06 };
enum { PCI_SUBCLASS_IDE = 0x01, PCI_SUBCLASS_PCI_BRIDGE = 0x04 };
#define PCI_ANY 0xffffu   /* a wildcard in struct pci_match */

/* Configuration-space access: aligned 32-bit reads and writes. */
struct pci_config_ops {
	/* read32: the dword at offset (a multiple of 4, below 256); all ones
	 * when no function answers. */
	uint32_t (*read32)(void *ctx, uint8_t bus, uint8_t slot, uint8_t function,
			   uint8_t offset);
	void (*write32)(void *ctx, uint8_t bus, uint8_t slot, uint8_t function,
			uint8_t offset, uint32_t value);
	void *ctx;
};

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

/* One decoded base address register. A 64-bit BAR takes two slots; the
 * second is PCI_BAR_NONE. size is 0 when the BAR is not implemented. */
struct pci_bar {
	enum pci_bar_kind kind;
	bool prefetchable;
	uint64_t base;   /* I/O port or physical address, type bits removed */
	uint64_t size;   /* bytes (ports for I/O), a power of two */
};

/* One function found by the scan. */
struct pci_device {
	uint8_t bus, slot, function;
	uint8_t header_type;   /* 0 device, 1 PCI-to-PCI bridge, 2 CardBus; no multi-function bit */
	uint16_t vendor, device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t irq_line, irq_pin;
	uint8_t secondary_bus; /* bridges: the bus behind it */
	struct pci_bar bar[PCI_BAR_COUNT];
};

/* Every function on the machine, in scan order (depth first behind bridges). */
struct pci_bus_set {
	struct pci_device devices[PCI_MAX_DEVICES];
	unsigned count;
	unsigned dropped;   /* functions found beyond PCI_MAX_DEVICES */
};

/* What pci_find looks for; PCI_ANY in a field matches every value. */
struct pci_match {
	uint16_t vendor, device;
	uint16_t class_code, subclass, prog_if;
};

/*
 * pci_scan: enumerate every function reachable from bus 0 (and from the
 * further root buses that a multi-function host bridge at 00:00 announces),
 * following PCI-to-PCI bridges to their secondary buses; each bus is
 * scanned once, so a bridge that names an already scanned bus (a loop, or
 * firmware that numbered buses twice) is skipped. Sizes every BAR by
 * writing all ones with the function's I/O and memory decoding switched off
 * for the moment, and restores the BAR and the command register. Fills
 * *out (count, dropped); never fails.
 */
void pci_scan(const struct pci_config_ops *ops, struct pci_bus_set *out);

/*
 * pci_find: the first device at or after index *cursor that matches m;
 * *cursor is left just past it, so a loop finds them all. NULL when no
 * further device matches.
 */
const struct pci_device *pci_find(const struct pci_bus_set *set,
				  const struct pci_match *m, unsigned *cursor);

/*
 * pci_enable: set the command-register bits in `bits` (PCI_COMMAND_*) of dev,
 * leaving the others as they are. Bus mastering lets the device reach RAM
 * (DMA); drivers that use only PIO leave it off.
 */
void pci_enable(const struct pci_config_ops *ops, const struct pci_device *dev,
		uint16_t bits);

/* pci_read8/16, pci_write16: sub-dword access built on the 32-bit ops. */
uint8_t pci_read8(const struct pci_config_ops *ops, const struct pci_device *dev,
		  uint8_t offset);
uint16_t pci_read16(const struct pci_config_ops *ops, const struct pci_device *dev,
		    uint8_t offset);
void pci_write16(const struct pci_config_ops *ops, const struct pci_device *dev,
		 uint8_t offset, uint16_t value);

/* pci_bar_kind_name: "io", "mem32", "mem64" or "none". */
const char *pci_bar_kind_name(enum pci_bar_kind kind);

/*
 * Hypervisor side (pci_port.c). pci_init: scan the machine through ports
 * 0xCF8/0xCFC and log one line per function ("pci BB:SS.F VVVV:DDDD class
 * CC:SS:PP" and its BARs). Call once, before any driver. pci_machine: the
 * result (empty before pci_init). pci_port_ops: the mechanism #1 access.
 */
void pci_init(void);
const struct pci_bus_set *pci_machine(void);
extern const struct pci_config_ops pci_port_ops;

#endif
