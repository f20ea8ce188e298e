/*
 * pci_port.c - configuration mechanism #1 (ports 0xCF8/0xCFC) and the
 * machine's device list (pci.h).
 */
#include "drivers/pci/pci.h"

#include "drivers/port_io.h"
#include "hypervisor/console.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc
#define PCI_CONFIG_ENABLE 0x80000000u

static struct pci_bus_set machine;

static uint32_t config_address(uint8_t bus, uint8_t slot, uint8_t fn, uint8_t offset)
{
	return PCI_CONFIG_ENABLE | (uint32_t)bus << 16 | (uint32_t)(slot & 31u) << 11 |
	       (uint32_t)(fn & 7u) << 8 | (offset & 0xfcu);
}

/* One CPU and no interrupts touch configuration space while Skiff runs its
 * drivers, so the address/data pair needs no lock yet. */
static uint32_t port_read32(void *ctx, uint8_t bus, uint8_t slot, uint8_t fn, uint8_t offset)
{
	io_out32(PCI_CONFIG_ADDRESS, config_address(bus, slot, fn, offset));
	return io_in32(PCI_CONFIG_DATA);
}

static void port_write32(void *ctx, uint8_t bus, uint8_t slot, uint8_t fn, uint8_t offset,
			 uint32_t value)
{
	io_out32(PCI_CONFIG_ADDRESS, config_address(bus, slot, fn, offset));
	io_out32(PCI_CONFIG_DATA, value);
}

const struct pci_config_ops pci_port_ops = {
	.read32 = port_read32, .write32 = port_write32, .ctx = NULL,
};

static void log_device(const struct pci_device *d)
{
	log_printf("pci %02x:%02x.%x %04x:%04x class %02x:%02x:%02x%s", d->bus, d->slot,
		   d->function, d->vendor, d->device, d->class_code, d->subclass, d->prog_if,
		   d->header_type == 1 ? " bridge" : "");
	for (unsigned i = 0; i < PCI_BAR_COUNT; i++) {
		const struct pci_bar *b = &d->bar[i];

		if (b->kind != PCI_BAR_NONE)
			log_printf("pci %02x:%02x.%x bar%u %s 0x%lx size 0x%lx%s", d->bus, d->slot,
				   d->function, i, pci_bar_kind_name(b->kind), b->base, b->size,
				   b->prefetchable ? " prefetchable" : "");
	}
}

void pci_init(void)
{
	pci_scan(&pci_port_ops, &machine);
	for (unsigned i = 0; i < machine.count; i++)
		log_device(&machine.devices[i]);
	if (machine.dropped)
		log_printf("pci: %u functions beyond the first %u ignored", machine.dropped,
			   PCI_MAX_DEVICES);
}

const struct pci_bus_set *pci_machine(void)
{
	return &machine;
}
