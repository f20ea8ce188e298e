/*
 * pci_scan.c - enumeration and BAR decoding over struct pci_config_ops
 * (pci.h). Portable: no port I/O here.
 */
#include "drivers/pci/pci.h"

#define PCI_SLOTS 32
#define PCI_FUNCTIONS 8
#define PCI_BUSES 256
#define PCI_MAX_BRIDGE_DEPTH 32   /* far deeper than real trees; bounds the stack */
#define HEADER_MULTI_FUNCTION 0x80u
#define HEADER_KIND_MASK 0x7fu
#define BAR_IS_IO 0x1u
#define BAR_MEM_TYPE_MASK 0x6u
#define BAR_MEM_TYPE_64 0x4u
#define BAR_MEM_PREFETCH 0x8u
#define BAR_IO_ADDRESS_MASK 0xfffffffcu
#define BAR_MEM_ADDRESS_MASK 0xfffffff0u

/* Walk state: which buses have been scanned already. */
struct scan {
	const struct pci_config_ops *ops;
	struct pci_bus_set *out;
	bool bus_seen[PCI_BUSES];
	unsigned depth;
};

static uint32_t cfg_read(const struct pci_config_ops *ops, uint8_t bus, uint8_t slot,
			 uint8_t fn, uint8_t offset)
{
	return ops->read32(ops->ctx, bus, slot, fn, (uint8_t)(offset & ~3u));
}

uint8_t pci_read8(const struct pci_config_ops *ops, const struct pci_device *dev,
		  uint8_t offset)
{
	uint32_t v = cfg_read(ops, dev->bus, dev->slot, dev->function, offset);

	return (uint8_t)(v >> ((offset & 3u) * 8));
}

uint16_t pci_read16(const struct pci_config_ops *ops, const struct pci_device *dev,
		    uint8_t offset)
{
	uint32_t v = cfg_read(ops, dev->bus, dev->slot, dev->function, offset);

	return (uint16_t)(v >> ((offset & 2u) * 8));
}

/* A 16-bit write is a read-modify-write of its dword. Writing back the
 * status register's bits would clear its write-one-to-clear flags, so a
 * write to the command register leaves the status half zero. */
void pci_write16(const struct pci_config_ops *ops, const struct pci_device *dev,
		 uint8_t offset, uint16_t value)
{
	uint8_t base = (uint8_t)(offset & ~3u);
	uint32_t v = cfg_read(ops, dev->bus, dev->slot, dev->function, base);
	unsigned shift = (offset & 2u) * 8;

	if (base == PCI_CFG_COMMAND)
		v &= 0xffffu;
	v = (v & ~(0xffffu << shift)) | ((uint32_t)value << shift);
	ops->write32(ops->ctx, dev->bus, dev->slot, dev->function, base, v);
}

void pci_enable(const struct pci_config_ops *ops, const struct pci_device *dev,
		uint16_t bits)
{
	uint16_t cmd = pci_read16(ops, dev, PCI_CFG_COMMAND);

	pci_write16(ops, dev, PCI_CFG_COMMAND, (uint16_t)(cmd | bits));
}

const char *pci_bar_kind_name(enum pci_bar_kind kind)
{
	switch (kind) {
	case PCI_BAR_IO: return "io";
	case PCI_BAR_MEM32: return "mem32";
	case PCI_BAR_MEM64: return "mem64";
	default: return "none";
	}
}

/* size_bar_dword: write all ones to a BAR dword, read what sticks, put the
 * original back. */
static uint32_t size_bar_dword(const struct pci_config_ops *ops, const struct pci_device *d,
			       uint8_t offset, uint32_t original)
{
	uint32_t mask;

	ops->write32(ops->ctx, d->bus, d->slot, d->function, offset, 0xffffffffu);
	mask = cfg_read(ops, d->bus, d->slot, d->function, offset);
	ops->write32(ops->ctx, d->bus, d->slot, d->function, offset, original);
	return mask;
}

/* decode_bar: BAR i of d; returns how many BAR slots it took (2 for a
 * 64-bit BAR, 1 otherwise). */
static unsigned decode_bar(const struct pci_config_ops *ops, struct pci_device *d,
			   unsigned i, unsigned bar_count)
{
	uint8_t offset = (uint8_t)(PCI_CFG_BAR0 + 4 * i);
	uint32_t low = cfg_read(ops, d->bus, d->slot, d->function, offset);
	uint32_t mask = size_bar_dword(ops, d, offset, low);
	struct pci_bar *bar = &d->bar[i];

	if (low & BAR_IS_IO) {
		/* I/O BARs may hard-wire their upper 16 bits to zero. */
		uint32_t m = mask & BAR_IO_ADDRESS_MASK;

		if ((m >> 16) == 0)
			m |= 0xffff0000u;
		bar->kind = PCI_BAR_IO;
		bar->base = low & BAR_IO_ADDRESS_MASK;
		bar->size = (mask & BAR_IO_ADDRESS_MASK) ? (uint32_t)(~m + 1u) : 0;
		return 1;
	}
	bar->prefetchable = (low & BAR_MEM_PREFETCH) != 0;
	if ((low & BAR_MEM_TYPE_MASK) == BAR_MEM_TYPE_64 && i + 1 < bar_count) {
		uint8_t high_offset = (uint8_t)(offset + 4);
		uint32_t high = cfg_read(ops, d->bus, d->slot, d->function, high_offset);
		uint32_t high_mask = size_bar_dword(ops, d, high_offset, high);
		uint64_t m = ((uint64_t)high_mask << 32) | (mask & BAR_MEM_ADDRESS_MASK);

		bar->kind = PCI_BAR_MEM64;
		bar->base = ((uint64_t)high << 32) | (low & BAR_MEM_ADDRESS_MASK);
		bar->size = m ? ~m + 1u : 0;
		return 2;
	}
	bar->kind = PCI_BAR_MEM32;
	bar->base = low & BAR_MEM_ADDRESS_MASK;
	bar->size = (mask & BAR_MEM_ADDRESS_MASK) ? (uint32_t)(~(mask & BAR_MEM_ADDRESS_MASK) + 1u) : 0;
	return 1;
}

/* decode_bars: size every BAR with decoding off, so that the all-ones
 * pattern never claims addresses on the bus meanwhile. */
static void decode_bars(const struct pci_config_ops *ops, struct pci_device *d)
{
	unsigned bar_count = d->header_type == 0 ? 6 : d->header_type == 1 ? 2 : 0;
	uint16_t cmd = pci_read16(ops, d, PCI_CFG_COMMAND);

	if (bar_count == 0)
		return;
	pci_write16(ops, d, PCI_CFG_COMMAND,
		    (uint16_t)(cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY)));
	for (unsigned i = 0; i < bar_count;)
		i += decode_bar(ops, d, i, bar_count);
	for (unsigned i = 0; i < bar_count; i++)
		if (d->bar[i].size == 0)
			d->bar[i] = (struct pci_bar){ .kind = PCI_BAR_NONE };
	pci_write16(ops, d, PCI_CFG_COMMAND, cmd);
}

static void read_identity(const struct pci_config_ops *ops, struct pci_device *d)
{
	uint32_t id = cfg_read(ops, d->bus, d->slot, d->function, PCI_CFG_VENDOR);
	uint32_t class_rev = cfg_read(ops, d->bus, d->slot, d->function, PCI_CFG_REVISION);
	uint32_t irq = cfg_read(ops, d->bus, d->slot, d->function, PCI_CFG_IRQ_LINE);

	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	d->revision = (uint8_t)class_rev;
	d->prog_if = (uint8_t)(class_rev >> 8);
	d->subclass = (uint8_t)(class_rev >> 16);
	d->class_code = (uint8_t)(class_rev >> 24);
	d->header_type = pci_read8(ops, d, PCI_CFG_HEADER_TYPE) & HEADER_KIND_MASK;
	d->irq_line = (uint8_t)irq;
	d->irq_pin = (uint8_t)(irq >> 8);
	if (d->header_type == 1)
		d->secondary_bus = pci_read8(ops, d, PCI_CFG_SECONDARY_BUS);
}

static void scan_bus(struct scan *s, uint8_t bus);

static void add_function(struct scan *s, uint8_t bus, uint8_t slot, uint8_t fn)
{
	struct pci_device d = { .bus = bus, .slot = slot, .function = fn };

	read_identity(s->ops, &d);
	decode_bars(s->ops, &d);
	if (s->out->count < PCI_MAX_DEVICES)
		s->out->devices[s->out->count++] = d;
	else
		s->out->dropped++;
	if (d.header_type == 1 && d.secondary_bus != 0 && s->depth < PCI_MAX_BRIDGE_DEPTH) {
		s->depth++;
		scan_bus(s, d.secondary_bus);
		s->depth--;
	}
}

static bool function_present(const struct pci_config_ops *ops, uint8_t bus, uint8_t slot,
			     uint8_t fn)
{
	uint16_t vendor = (uint16_t)cfg_read(ops, bus, slot, fn, PCI_CFG_VENDOR);

	return vendor != 0xffffu && vendor != 0;
}

static uint8_t header_byte(const struct pci_config_ops *ops, uint8_t bus, uint8_t slot)
{
	return (uint8_t)(cfg_read(ops, bus, slot, 0, PCI_CFG_HEADER_TYPE) >> 16);
}

static void scan_bus(struct scan *s, uint8_t bus)
{
	if (s->bus_seen[bus])
		return;
	s->bus_seen[bus] = true;
	for (uint8_t slot = 0; slot < PCI_SLOTS; slot++) {
		if (!function_present(s->ops, bus, slot, 0))
			continue;
		uint8_t functions = (header_byte(s->ops, bus, slot) & HEADER_MULTI_FUNCTION)
					    ? PCI_FUNCTIONS : 1;
		for (uint8_t fn = 0; fn < functions; fn++)
			if (function_present(s->ops, bus, slot, fn))
				add_function(s, bus, slot, fn);
	}
}

void pci_scan(const struct pci_config_ops *ops, struct pci_bus_set *out)
{
	static struct scan s;   /* 256 flags: kept off the small boot stack */

	s = (struct scan){ .ops = ops, .out = out };
	out->count = 0;
	out->dropped = 0;
	scan_bus(&s, 0);
	/* A multi-function host bridge at 00:00: function N is the host
	 * bridge of root bus N. */
	if (function_present(ops, 0, 0, 0) && (header_byte(ops, 0, 0) & HEADER_MULTI_FUNCTION))
		for (uint8_t fn = 1; fn < PCI_FUNCTIONS; fn++)
			if (function_present(ops, 0, 0, fn))
				scan_bus(&s, fn);
}

static bool field_matches(uint16_t want, uint16_t have)
{
	return want == PCI_ANY || want == have;
}

const struct pci_device *pci_find(const struct pci_bus_set *set,
				  const struct pci_match *m, unsigned *cursor)
{
	for (unsigned i = *cursor; i < set->count; i++) {
		const struct pci_device *d = &set->devices[i];

		if (field_matches(m->vendor, d->vendor) && field_matches(m->device, d->device) &&
		    field_matches(m->class_code, d->class_code) &&
		    field_matches(m->subclass, d->subclass) &&
		    field_matches(m->prog_if, d->prog_if)) {
			*cursor = i + 1;
			return d;
		}
	}
	*cursor = set->count;
	return NULL;
}
