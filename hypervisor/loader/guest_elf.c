/*
 * guest_elf.c - the ELF header, program headers and loadable segments of
 * a guest image (Solo5 hvt ABI 2; see docs/guest-abi.md).
 *
 * Every check names the defect and the segment (by program-header number,
 * as readelf -l counts them), because the message is all an operator sees
 * when a guest is refused at boot.
 */
#include "hypervisor/loader/guest_elf.h"

#include <stdarg.h>

#include "lib/errno.h"
#include "lib/format.h"
#include "nested_paging/nested_paging.h"

#define PAGE_SIZE 0x1000u
#define MAX_MEM_SIZE (UINT64_C(4) << 30)
#define MEM_GRANULE (UINT64_C(2) << 20)

uint16_t guest_read_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

uint32_t guest_read_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint64_t guest_read_le64(const uint8_t *p)
{
	return (uint64_t)guest_read_le32(p) |
	       (uint64_t)guest_read_le32(p + 4) << 32;
}

void guest_write_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void guest_write_le32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void guest_write_le64(uint8_t *p, uint64_t v)
{
	guest_write_le32(p, (uint32_t)v);
	guest_write_le32(p + 4, (uint32_t)(v >> 32));
}

size_t guest_string_length(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

bool guest_range_in(uint64_t off, uint64_t size, uint64_t len)
{
	return off <= len && size <= len - off;
}

int guest_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		format_v(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -ENOEXEC;
}

void guest_printable_name(const char *name, char *out)
{
	size_t i;

	for (i = 0; i + 1 < GUEST_MANIFEST_NAME_MAX && name[i] != '\0'; i++) {
		unsigned char c = (unsigned char)name[i];

		out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[i] = '\0';
}

bool guest_mem_size_valid(uint64_t mem_size)
{
	return mem_size >= MEM_GRANULE && mem_size <= MAX_MEM_SIZE &&
	       mem_size % MEM_GRANULE == 0;
}

/* check_ident: magic, class, byte order and ident version. */
static int check_ident(const uint8_t *elf, size_t len, char *err, size_t errlen)
{
	if (len < 4 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' ||
	    elf[3] != 'F')
		return guest_fail(err, errlen,
				  "not an ELF file (bad magic)");
	if (len < ELF_HEADER_SIZE)
		return guest_fail(err, errlen,
				  "ELF header truncated (%zu bytes, need 64)", len);
	if (elf[ELF_OFF_CLASS] != ELF_CLASS_64)
		return guest_fail(err, errlen,
				  "ELF class %u is not ELF64 (32-bit images are not supported)",
				  elf[ELF_OFF_CLASS]);
	if (elf[ELF_OFF_DATA] != ELF_DATA_LSB)
		return guest_fail(err, errlen,
				  "ELF data encoding %u is not little-endian (big-endian images are not x86-64)",
				  elf[ELF_OFF_DATA]);
	if (elf[ELF_OFF_IDVERSION] != ELF_VERSION_CURRENT)
		return guest_fail(err, errlen, "ELF ident version %u is not 1",
				  elf[ELF_OFF_IDVERSION]);
	return 0;
}

int guest_elf_check_header(const uint8_t *elf, size_t len, uint64_t *phoff,
			   unsigned *phnum, char *err, size_t errlen)
{
	int rc = check_ident(elf, len, err, errlen);
	unsigned type, machine, entsize, count;
	uint64_t offset;

	if (rc < 0)
		return rc;
	type = guest_read_le16(elf + ELF_OFF_TYPE);
	machine = guest_read_le16(elf + ELF_OFF_MACHINE);
	entsize = guest_read_le16(elf + ELF_OFF_PHENTSIZE);
	count = guest_read_le16(elf + ELF_OFF_PHNUM);
	offset = guest_read_le64(elf + ELF_OFF_PHOFF);
	if (type != ELF_TYPE_EXEC)
		return guest_fail(err, errlen,
				  "ELF type %u is not ET_EXEC (2): link the guest as a static, non-PIE executable",
				  type);
	if (machine != ELF_MACHINE_X86_64)
		return guest_fail(err, errlen,
				  "ELF machine %u is not x86-64 (62)", machine);
	if (count == 0 || count == ELF_PN_XNUM)
		return guest_fail(err, errlen,
				  "no usable program headers (e_phnum %u)", count);
	if (entsize != ELF_PHDR_SIZE)
		return guest_fail(err, errlen,
				  "program header size %u is not 56", entsize);
	if (!guest_range_in(offset, (uint64_t)count * ELF_PHDR_SIZE, len))
		return guest_fail(err, errlen,
				  "program headers [0x%llx, +%u * 56) lie outside the file (%zu bytes)",
				  (unsigned long long)offset, count, len);
	*phoff = offset;
	*phnum = count;
	return 0;
}

/* One program header, decoded. */
struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};

static void read_phdr(const uint8_t *elf, uint64_t phoff, unsigned i,
		      struct phdr *ph)
{
	const uint8_t *p = elf + phoff + (uint64_t)i * ELF_PHDR_SIZE;

	ph->type = guest_read_le32(p);
	ph->flags = guest_read_le32(p + 4);
	ph->offset = guest_read_le64(p + 8);
	ph->vaddr = guest_read_le64(p + 16);
	ph->filesz = guest_read_le64(p + 32);
	ph->memsz = guest_read_le64(p + 40);
	ph->align = guest_read_le64(p + 48);
}

/* perms_from_flags: X -> R+X, W -> R+W, else R (the ABI's mapping). */
static unsigned perms_from_flags(uint32_t flags)
{
	unsigned perms = NP_READ;

	if (flags & ELF_PF_X)
		perms |= NP_EXEC;
	if (flags & ELF_PF_W)
		perms |= NP_WRITE;
	return perms;
}

/*
 * round_segment: the segment's bounds rounded out to its alignment (at
 * least a page: nested paging maps whole pages). False on overflow.
 */
static bool round_segment(const struct phdr *ph, uint64_t *start,
			  uint64_t *end)
{
	uint64_t align = ph->align > PAGE_SIZE ? ph->align : PAGE_SIZE;
	uint64_t last;

	if (ph->memsz > UINT64_MAX - ph->vaddr)
		return false;
	last = ph->vaddr + ph->memsz;
	if (last > UINT64_MAX - (align - 1))
		return false;
	*start = ph->vaddr & ~(align - 1);
	*end = (last + align - 1) & ~(align - 1);
	return true;
}

/* check_one_segment: everything about one PT_LOAD except its neighbours. */
static int check_one_segment(const struct phdr *ph, unsigned i, size_t len,
			     uint64_t mem_size, struct guest_segment *seg,
			     char *err, size_t errlen)
{
	if (!guest_range_in(ph->offset, ph->filesz, len))
		return guest_fail(err, errlen,
				  "segment %u: file bytes [0x%llx, +0x%llx) lie outside the file (%zu bytes)",
				  i, (unsigned long long)ph->offset,
				  (unsigned long long)ph->filesz, len);
	if (ph->filesz > ph->memsz)
		return guest_fail(err, errlen,
				  "segment %u: file size 0x%llx exceeds memory size 0x%llx",
				  i, (unsigned long long)ph->filesz,
				  (unsigned long long)ph->memsz);
	if (ph->align & (ph->align - 1))
		return guest_fail(err, errlen,
				  "segment %u: p_align 0x%llx is not a power of two",
				  i, (unsigned long long)ph->align);
	if (!round_segment(ph, &seg->start, &seg->end))
		return guest_fail(err, errlen,
				  "segment %u: address 0x%llx + size 0x%llx overflows",
				  i, (unsigned long long)ph->vaddr,
				  (unsigned long long)ph->memsz);
	if (seg->start < GUEST_LOAD_MIN)
		return guest_fail(err, errlen,
				  "segment %u [0x%llx, 0x%llx) starts below 0x100000 (the first MiB holds the boot information and page tables)",
				  i, (unsigned long long)seg->start,
				  (unsigned long long)seg->end);
	if (seg->end > mem_size)
		return guest_fail(err, errlen,
				  "segment %u [0x%llx, 0x%llx) ends beyond guest memory (0x%llx bytes; raise mem=)",
				  i, (unsigned long long)seg->start,
				  (unsigned long long)seg->end,
				  (unsigned long long)mem_size);
	seg->perms = perms_from_flags(ph->flags);
	if ((seg->perms & NP_WRITE) && (seg->perms & NP_EXEC))
		return guest_fail(err, errlen,
				  "segment %u [0x%llx, 0x%llx) is writable and executable",
				  i, (unsigned long long)seg->start,
				  (unsigned long long)seg->end);
	seg->load_addr = ph->vaddr;
	seg->file_offset = ph->offset;
	seg->file_size = ph->filesz;
	seg->load_size = ph->memsz;
	seg->phdr_index = i;
	return 0;
}

/* check_order: seg must start at or after the end of the previous one. */
static int check_order(const struct guest_segment *prev,
		       const struct guest_segment *seg, char *err,
		       size_t errlen)
{
	if (seg->start < prev->start)
		return guest_fail(err, errlen,
				  "segment %u [0x%llx, 0x%llx) comes after segment %u [0x%llx, 0x%llx) but lies below it (segments must be in ascending order)",
				  seg->phdr_index, (unsigned long long)seg->start,
				  (unsigned long long)seg->end, prev->phdr_index,
				  (unsigned long long)prev->start,
				  (unsigned long long)prev->end);
	if (seg->start < prev->end)
		return guest_fail(err, errlen,
				  "segment %u [0x%llx, 0x%llx) overlaps segment %u [0x%llx, 0x%llx)",
				  seg->phdr_index, (unsigned long long)seg->start,
				  (unsigned long long)seg->end, prev->phdr_index,
				  (unsigned long long)prev->start,
				  (unsigned long long)prev->end);
	return 0;
}

/* check_entry: the entry point must lie in an executable segment's bytes. */
static int check_entry(const struct guest_image *img, char *err, size_t errlen)
{
	for (unsigned i = 0; i < img->segment_count; i++) {
		const struct guest_segment *seg = &img->segments[i];

		if ((seg->perms & NP_EXEC) && img->entry >= seg->load_addr &&
		    img->entry - seg->load_addr < seg->load_size)
			return 0;
	}
	return guest_fail(err, errlen,
			  "entry point 0x%llx is not inside an executable segment",
			  (unsigned long long)img->entry);
}

int guest_elf_check_segments(const uint8_t *elf, size_t len, uint64_t phoff,
			     unsigned phnum, uint64_t mem_size,
			     struct guest_image *out, char *err, size_t errlen)
{
	struct guest_segment seg;
	struct phdr ph;
	int rc;

	out->segment_count = 0;
	for (unsigned i = 0; i < phnum; i++) {
		read_phdr(elf, phoff, i, &ph);
		/* The ABI ignores loadable segments without file bytes. */
		if (ph.type != ELF_PT_LOAD || ph.filesz == 0)
			continue;
		rc = check_one_segment(&ph, i, len, mem_size, &seg, err, errlen);
		if (rc == 0 && out->segment_count > 0)
			rc = check_order(&out->segments[out->segment_count - 1],
					 &seg, err, errlen);
		if (rc < 0)
			return rc;
		if (out->segment_count == GUEST_MAX_SEGMENTS)
			return guest_fail(err, errlen,
					  "more than %u loadable segments",
					  GUEST_MAX_SEGMENTS);
		out->segments[out->segment_count++] = seg;
	}
	if (out->segment_count == 0)
		return guest_fail(err, errlen,
				  "no loadable segment (PT_LOAD with file bytes)");
	out->entry = guest_read_le64(elf + ELF_OFF_ENTRY);
	out->kernel_end = out->segments[out->segment_count - 1].end;
	return check_entry(out, err, errlen);
}
