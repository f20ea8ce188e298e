/*
 * guest_walk.c - the software walk of a guest's page tables (guest_walk.h).
 *
 * Rules from SDM vol. 3A 4.5 and 4.6 (AMD APM vol. 2 5.3 says the same):
 * permissions combine over all levels (writable only when every level is,
 * user only when every level is, executable unless some level has NX);
 * PS at the PML4 level and the low address bits of a large page are
 * reserved, and so is NX without EFER.NXE.
 */
#include "hypervisor/mem/shadow/guest_walk.h"

#define LEVELS 4
#define INDEX(va, level) (((va) >> (12 + 9 * ((level) - 1))) & 511u)

static bool canonical(uint64_t va)
{
	uint64_t top = va >> 47;

	return top == 0 || top == 0x1ffff;
}

/* Bits of an entry at level (4 = PML4) that must be zero. */
static uint64_t reserved_bits(const struct gw_regs *regs, unsigned level, uint64_t e)
{
	uint64_t rsvd = 0;
	unsigned bits = regs->phys_bits < 52 ? regs->phys_bits : 52;

	if (bits < 52)
		rsvd |= (~UINT64_C(0) << bits) & (UINT64_C(0x000fffffffffffff));
	if (!regs->nxe)
		rsvd |= PTE_NX;
	if (level == 4)
		rsvd |= PTE_PS;
	else if (level == 3 && (e & PTE_PS))
		rsvd |= UINT64_C(0x3fffe000);   /* bits 29:13 of a 1 GiB page */
	else if (level == 2 && (e & PTE_PS))
		rsvd |= UINT64_C(0x1fe000);     /* bits 20:13 of a 2 MiB page */
	return rsvd;
}

static enum gw_status fault(struct gw_result *out, uint32_t error)
{
	out->status = GW_FAULT;
	out->error = error;
	return GW_FAULT;
}

static enum gw_status outside(struct gw_result *out, uint64_t gpa)
{
	out->status = GW_OUTSIDE_RAM;
	out->gpa = gpa;
	return GW_OUTSIDE_RAM;
}

/* The error code's access bits: I/D only where the CPU reports it. */
static uint32_t access_bits(const struct gw_regs *regs, unsigned access)
{
	uint32_t e = access & (PF_WRITE | PF_USER);

	if ((access & PF_FETCH) && regs->nxe)
		e |= PF_FETCH;
	return e;
}

/* Whether the combined permissions allow the access. */
static bool allowed(const struct gw_regs *regs, const struct gw_result *r, unsigned access)
{
	if ((access & PF_USER) && !r->user)
		return false;
	if ((access & PF_WRITE) && !r->writable && ((access & PF_USER) || regs->wp))
		return false;
	if ((access & PF_FETCH) && !r->executable)
		return false;
	return true;
}

enum gw_status guest_walk(const struct gw_mem *mem, const struct gw_regs *regs,
			  uint64_t va, unsigned access, struct gw_result *out)
{
	uint64_t *entries[LEVELS];
	uint64_t table = regs->cr3 & PTE_ADDR;
	uint32_t acc = access_bits(regs, access);
	unsigned level, used = 0;

	*out = (struct gw_result){ .writable = true, .user = true, .executable = true };
	if (!canonical(va))
		return fault(out, acc);
	for (level = LEVELS; level >= 1; level--) {
		uint64_t gpa = table + 8 * INDEX(va, level);
		uint64_t *p = mem->entry(mem->ctx, gpa);
		uint64_t e;

		if (!p)
			return outside(out, gpa);
		out->tables[out->table_count++] = table;
		entries[used++] = p;
		e = *p;
		if (!(e & PTE_P))
			return fault(out, acc);
		if (e & reserved_bits(regs, level, e))
			return fault(out, acc | PF_PRESENT | PF_RESERVED);
		out->writable = out->writable && (e & PTE_RW);
		out->user = out->user && (e & PTE_US);
		out->executable = out->executable && !(regs->nxe && (e & PTE_NX));
		if (level == 1 || (level <= 3 && (e & PTE_PS))) {
			uint64_t size = UINT64_C(1) << (12 + 9 * (level - 1));

			out->level = level;
			out->gpa = (e & PTE_ADDR & ~(size - 1)) | (va & (size - 1));
			out->cache_bits = e & (PTE_PWT | PTE_PCD);
			break;
		}
		table = e & PTE_ADDR;
	}
	if (!allowed(regs, out, access))
		return fault(out, acc | PF_PRESENT);
	if (access & GW_PEEK) {
		out->dirty = (*entries[used - 1] & PTE_D) != 0;
		out->status = GW_OK;
		return GW_OK;
	}
	for (unsigned i = 0; i < used; i++)
		*entries[i] |= PTE_A;
	if (access & PF_WRITE)
		*entries[used - 1] |= PTE_D;
	out->dirty = (*entries[used - 1] & PTE_D) != 0;
	out->status = GW_OK;
	return GW_OK;
}
