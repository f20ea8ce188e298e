/*
 * tlb_model.c - tagged TLBs that remember until invalidated (tlb_model.h).
 */
#include "tlb_model.h"

#include <stdio.h>
#include <string.h>

void tlb_model_init(struct tlb_model *m)
{
	memset(m, 0, sizeof(*m));
}

static void drop_tag(struct tlb_cpu *c, uint32_t tag)
{
	for (unsigned i = 0; i < TLB_ENTRIES; i++)
		if (c->entries[i].valid && c->entries[i].tag == tag)
			c->entries[i].valid = false;
}

void tlb_enter(struct tlb_model *m, unsigned cpu, uint32_t tag)
{
	struct tlb_cpu *c = &m->cpus[cpu];

	if (c->flush_pending[tag]) {
		drop_tag(c, tag);
		c->flush_pending[tag] = false;
	}
	c->in_guest = true;
	c->running = tag;
}

void tlb_leave(struct tlb_model *m, unsigned cpu)
{
	m->cpus[cpu].in_guest = false;
}

static struct tlb_entry *cached(struct tlb_cpu *c, uint32_t tag, uint64_t gpa)
{
	for (unsigned i = 0; i < TLB_ENTRIES; i++) {
		struct tlb_entry *e = &c->entries[i];
		if (e->valid && e->tag == tag && gpa - e->gpa < e->size)
			return e;
	}
	return NULL;
}

uint64_t tlb_access(struct tlb_model *m, unsigned cpu, uint32_t tag,
		    const struct np_table *t, uint64_t gpa, unsigned access)
{
	struct tlb_cpu *c = &m->cpus[cpu];
	struct tlb_entry *e = cached(c, tag, gpa);
	uint64_t hpa, size;
	unsigned perms;

	/* A pending flush would have run at entry: the tag is running now. */
	if (e && (e->perms & access) == access)
		return e->hpa + (gpa - e->gpa);
	/* A fault (or a cached entry that denies) re-walks the table. */
	if (e)
		e->valid = false;
	if (np_lookup(t, gpa, &hpa, &perms, &size) != 0 || (perms & access) != access)
		return TLB_NO_PAGE;
	e = &c->entries[c->next_victim++ % TLB_ENTRIES];
	*e = (struct tlb_entry){ .valid = true, .tag = tag, .gpa = gpa & ~(size - 1),
				 .hpa = hpa & ~(size - 1), .size = size, .perms = perms };
	return hpa;
}

void tlb_flush_now(struct tlb_model *m, unsigned cpu, uint32_t tag)
{
	drop_tag(&m->cpus[cpu], tag);
}

void tlb_flush_at_entry(struct tlb_model *m, unsigned cpu, uint32_t tag)
{
	m->cpus[cpu].flush_pending[tag] = true;
}

/* check: count live entries reaching [hpa, hpa+size) with all of need. */
static bool check(struct tlb_model *m, uint64_t hpa, uint64_t size,
		  unsigned need, const char *what)
{
	bool ok = true;

	for (unsigned cpu = 0; cpu < TLB_CPUS; cpu++) {
		struct tlb_cpu *c = &m->cpus[cpu];
		for (unsigned i = 0; i < TLB_ENTRIES; i++) {
			struct tlb_entry *e = &c->entries[i];
			/* A pending flush protects only while the tag is out. */
			bool running = c->in_guest && c->running == e->tag;

			bool due = !running && e->tag == m->due_tag &&
				   (m->due_mask & (UINT64_C(1) << cpu));

			if (!e->valid || (c->flush_pending[e->tag] && !running) || due ||
			    (e->perms & need) != need ||
			    e->hpa >= hpa + size || hpa >= e->hpa + e->size)
				continue;
			m->violations++;
			snprintf(m->last, sizeof(m->last),
				 "%s: cpu %u tag %u still translates gpa 0x%llx to hpa 0x%llx",
				 what, cpu, e->tag, (unsigned long long)e->gpa,
				 (unsigned long long)e->hpa);
			ok = false;
		}
	}
	return ok;
}

bool tlb_check_reusable(struct tlb_model *m, uint64_t hpa, uint64_t size)
{
	return check(m, hpa, size, 0, "frame reused");
}

bool tlb_check_read_only(struct tlb_model *m, uint64_t hpa, uint64_t size)
{
	return check(m, hpa, size, NP_WRITE, "frame made read-only");
}
