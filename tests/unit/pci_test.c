/*
 * pci_test.c - pci_scan, pci_find and pci_enable against a model machine:
 * functions with their configuration space, BARs that answer the sizing
 * protocol (writable bits only), bridges, multi-function devices, and a
 * bridge that loops back to bus 0.
 */
#include <string.h>

#include "check.h"
#include "drivers/pci/pci.h"

#define MODEL_MAX 16

struct model_function {
	uint8_t bus, slot, fn;
	uint8_t cfg[256];
	uint32_t bar_writable[6];   /* bits software may set in each BAR dword */
	unsigned writes;
};

struct model {
	struct model_function f[MODEL_MAX];
	unsigned count;
	unsigned bar_writes_while_decoding;
};

static struct model_function *lookup(struct model *m, uint8_t bus, uint8_t slot, uint8_t fn)
{
	for (unsigned i = 0; i < m->count; i++)
		if (m->f[i].bus == bus && m->f[i].slot == slot && m->f[i].fn == fn)
			return &m->f[i];
	return NULL;
}

static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static uint32_t model_read(void *ctx, uint8_t bus, uint8_t slot, uint8_t fn, uint8_t off)
{
	struct model_function *f = lookup(ctx, bus, slot, fn);

	CHECK((off & 3) == 0);
	return f ? get32(&f->cfg[off]) : 0xffffffffu;
}

static void model_write(void *ctx, uint8_t bus, uint8_t slot, uint8_t fn, uint8_t off,
			uint32_t v)
{
	struct model *m = ctx;
	struct model_function *f = lookup(m, bus, slot, fn);

	if (!f)
		return;
	f->writes++;
	if (off == PCI_CFG_COMMAND) {
		put32(&f->cfg[off], (get32(&f->cfg[off]) & 0xffff0000u) | (v & 0xffffu));
	} else if (off >= PCI_CFG_BAR0 && off < PCI_CFG_BAR0 + 24) {
		unsigned i = (off - PCI_CFG_BAR0) / 4;
		uint32_t old = get32(&f->cfg[off]);

		if (v == 0xffffffffu && (f->cfg[PCI_CFG_COMMAND] & 3u))
			m->bar_writes_while_decoding++;
		put32(&f->cfg[off], (old & ~f->bar_writable[i]) | (v & f->bar_writable[i]));
	}
}

static struct model_function *add(struct model *m, uint8_t bus, uint8_t slot, uint8_t fn,
				  uint16_t vendor, uint16_t device, uint32_t class_rev,
				  uint8_t header)
{
	struct model_function *f = &m->f[m->count++];

	memset(f, 0, sizeof *f);
	f->bus = bus, f->slot = slot, f->fn = fn;
	put32(&f->cfg[0], (uint32_t)device << 16 | vendor);
	put32(&f->cfg[8], class_rev);
	f->cfg[PCI_CFG_HEADER_TYPE] = header;
	f->cfg[PCI_CFG_COMMAND] = PCI_COMMAND_IO | PCI_COMMAND_MEMORY;
	return f;
}

/* bar: BAR i holds value (type bits included) and decodes size bytes. */
static void bar(struct model_function *f, unsigned i, uint32_t value, uint32_t writable)
{
	put32(&f->cfg[PCI_CFG_BAR0 + 4 * i], value);
	f->bar_writable[i] = writable;
}

static void build_machine(struct model *m)
{
	struct model_function *f;

	memset(m, 0, sizeof *m);
	add(m, 0, 0, 0, 0x8086, 0x1237, 0x06000002, 0);                  /* host bridge */
	add(m, 0, 1, 0, 0x8086, 0x7000, 0x06010000, 0x80);               /* ISA, multi-function */
	f = add(m, 0, 1, 1, 0x8086, 0x7010, 0x01018000, 0);              /* IDE */
	bar(f, 4, 0xc041, 0xfff0);                                       /* 16 ports, upper bits hard-wired 0 */
	f = add(m, 0, 1, 3, 0x8086, 0x7113, 0x06800003, 0);              /* fn 2 absent */
	f = add(m, 0, 3, 0, 0x8086, 0x100e, 0x02000003, 0);              /* e1000 */
	bar(f, 0, 0xfebc0000, 0xfffe0000);                               /* 128 KiB mem32 */
	bar(f, 1, 0xc001, 0xffffffc0);                                   /* 64 ports */
	f = add(m, 0, 4, 0, 0x1b36, 0x0001, 0x06040000, 1);              /* bridge to bus 2 */
	f->cfg[PCI_CFG_SECONDARY_BUS] = 2;
	f = add(m, 2, 0, 0, 0x1af4, 0x1042, 0x01800001, 0);              /* virtio-blk behind it */
	bar(f, 4, 0x0000000c, 0xffffc000);                               /* 64-bit prefetchable, 16 KiB */
	bar(f, 5, 0x00000008, 0xffffffffu);                              /* base 0x8_0000_0000 */
	put32(&f->cfg[PCI_CFG_BAR0 + 20], 0x8);
	f = add(m, 0, 5, 0, 0x1b36, 0x0001, 0x06040000, 1);              /* bridge looping to bus 0 */
	f->cfg[PCI_CFG_SECONDARY_BUS] = 0;
	f = add(m, 0, 6, 0, 0x1b36, 0x0001, 0x06040000, 1);              /* bridge to bus 2 again */
	f->cfg[PCI_CFG_SECONDARY_BUS] = 2;
	add(m, 1, 0, 0, 0x1234, 0x5678, 0x01000000, 0);                  /* bus 1: nobody points here */
}

static const struct pci_device *at(const struct pci_bus_set *s, uint8_t bus, uint8_t slot,
				   uint8_t fn)
{
	for (unsigned i = 0; i < s->count; i++)
		if (s->devices[i].bus == bus && s->devices[i].slot == slot &&
		    s->devices[i].function == fn)
			return &s->devices[i];
	return NULL;
}

static void test_scan(void)
{
	static struct model m;
	static struct pci_bus_set set;
	struct pci_config_ops ops = { model_read, model_write, &m };
	const struct pci_device *d;

	build_machine(&m);
	pci_scan(&ops, &set);
	CHECK(set.count == 9);
	CHECK(set.dropped == 0);
	CHECK(at(&set, 0, 1, 2) == NULL);
	CHECK(at(&set, 1, 0, 0) == NULL);   /* bus 1 is behind no bridge */
	d = at(&set, 0, 1, 1);
	CHECK(d && d->class_code == 1 && d->subclass == 1 && d->prog_if == 0x80);
	CHECK(d && d->bar[4].kind == PCI_BAR_IO && d->bar[4].base == 0xc040 &&
	      d->bar[4].size == 16);
	CHECK(d && d->bar[0].kind == PCI_BAR_NONE && d->bar[0].size == 0);
	d = at(&set, 0, 3, 0);
	CHECK(d && d->bar[0].kind == PCI_BAR_MEM32 && d->bar[0].base == 0xfebc0000 &&
	      d->bar[0].size == 0x20000 && !d->bar[0].prefetchable);
	CHECK(d && d->bar[1].kind == PCI_BAR_IO && d->bar[1].base == 0xc000 && d->bar[1].size == 64);
	d = at(&set, 0, 4, 0);
	CHECK(d && d->header_type == 1 && d->secondary_bus == 2);
	d = at(&set, 2, 0, 0);
	CHECK(d && d->bar[4].kind == PCI_BAR_MEM64 && d->bar[4].prefetchable &&
	      d->bar[4].base == UINT64_C(0x800000000) && d->bar[4].size == 0x4000);
	CHECK(d && d->bar[5].kind == PCI_BAR_NONE);
	/* Every BAR and command register is as the firmware left it. */
	CHECK(get32(&lookup(&m, 0, 3, 0)->cfg[PCI_CFG_BAR0]) == 0xfebc0000);
	CHECK(get32(&lookup(&m, 2, 0, 0)->cfg[PCI_CFG_BAR0 + 20]) == 0x8);
	CHECK(lookup(&m, 0, 3, 0)->cfg[PCI_CFG_COMMAND] == (PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	CHECK(m.bar_writes_while_decoding == 0);
}

static void test_find_and_enable(void)
{
	static struct model m;
	static struct pci_bus_set set;
	struct pci_config_ops ops = { model_read, model_write, &m };
	struct pci_match bridges = { PCI_ANY, PCI_ANY, PCI_CLASS_BRIDGE, PCI_SUBCLASS_PCI_BRIDGE, PCI_ANY };
	struct pci_match ide = { PCI_ANY, PCI_ANY, PCI_CLASS_STORAGE, PCI_SUBCLASS_IDE, PCI_ANY };
	struct pci_match nic = { 0x8086, 0x100e, PCI_ANY, PCI_ANY, PCI_ANY };
	struct pci_match none = { 0xdead, PCI_ANY, PCI_ANY, PCI_ANY, PCI_ANY };
	unsigned cursor = 0, found = 0;
	const struct pci_device *d;

	build_machine(&m);
	pci_scan(&ops, &set);
	while (pci_find(&set, &bridges, &cursor))
		found++;
	CHECK(found == 3);
	cursor = 0;
	d = pci_find(&set, &ide, &cursor);
	CHECK(d && d->slot == 1 && d->function == 1);
	CHECK(pci_find(&set, &ide, &cursor) == NULL);
	cursor = 0;
	d = pci_find(&set, &nic, &cursor);
	CHECK(d && d->slot == 3);
	cursor = 0;
	CHECK(pci_find(&set, &none, &cursor) == NULL);
	/* Enabling bus mastering keeps the other command bits and leaves the
	 * status register's write-one-to-clear bits alone. */
	lookup(&m, 0, 3, 0)->cfg[PCI_CFG_STATUS] = 0xff;
	pci_enable(&ops, d, PCI_COMMAND_BUS_MASTER);
	CHECK(lookup(&m, 0, 3, 0)->cfg[PCI_CFG_COMMAND] ==
	      (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_BUS_MASTER));
	CHECK(pci_read16(&ops, d, PCI_CFG_COMMAND) == 7);
	CHECK(pci_read8(&ops, d, PCI_CFG_CLASS) == 2);
}

static void test_many_functions(void)
{
	static struct model m;
	static struct pci_bus_set set;
	struct pci_config_ops ops = { model_read, model_write, &m };

	/* An empty machine, and a full one: the table bounds the count. */
	memset(&m, 0, sizeof m);
	pci_scan(&ops, &set);
	CHECK(set.count == 0);
	for (uint8_t s = 0; s < MODEL_MAX; s++)
		add(&m, 0, s, 0, 0x1234, s, 0x01000000, 0);
	pci_scan(&ops, &set);
	CHECK(set.count == MODEL_MAX && set.dropped == 0);
	CHECK(strcmp(pci_bar_kind_name(PCI_BAR_MEM64), "mem64") == 0);
}

int main(void)
{
	test_scan();
	test_find_and_enable();
	test_many_functions();
	return check_report("pci");
}
