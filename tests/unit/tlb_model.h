/*
 * tlb_model.h - a model of tagged TLBs on several CPUs, for proving the
 * order "change the entry, invalidate, then reuse the frame" on the host.
 *
 * Each CPU caches guest-physical translations per tag (ASID / VPID+EPTP)
 * and keeps using a cached one, whatever the table says now, until the
 * architecturally required invalidation drops it: at once (INVEPT on that
 * CPU) or when the tag next runs there (SVM's TLB_CONTROL at VMRUN). Not-
 * present entries are never cached. A CPU in guest mode keeps using what it
 * cached, pending flush or not, until it leaves (tlb_leave) and enters again. The model counts a violation whenever
 * a frame is handed out, or becomes read-only, while a CPU could still use
 * a translation to it (or a writable one).
 */
#ifndef SKIFF_TLB_MODEL_H
#define SKIFF_TLB_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "nested_paging/nested_paging.h"

#define TLB_CPUS 4u
#define TLB_TAGS 8u
#define TLB_ENTRIES 64u
#define TLB_NO_PAGE UINT64_MAX

struct tlb_entry {
	bool valid;
	uint32_t tag;
	uint64_t gpa, hpa, size;   /* the page: gpa and hpa aligned to size */
	unsigned perms;
};

struct tlb_cpu {
	struct tlb_entry entries[TLB_ENTRIES];
	bool flush_pending[TLB_TAGS];  /* dropped when the tag next runs */
	unsigned next_victim;
	bool in_guest;                 /* between tlb_enter and tlb_leave */
	uint32_t running;              /* the tag it runs while in_guest */
};

struct tlb_model {
	struct tlb_cpu cpus[TLB_CPUS];
	/* Set by the test before a check: CPUs that owe a flush of due_tag
	 * before they enter it again, as the code under test recorded. */
	uint64_t due_mask;
	uint32_t due_tag;
	unsigned violations;
	char last[160];
};

void tlb_model_init(struct tlb_model *m);

/* tlb_enter: cpu starts running tag (pending flushes happen first). */
void tlb_enter(struct tlb_model *m, unsigned cpu, uint32_t tag);

/* tlb_leave: cpu leaves guest mode (an exit). */
void tlb_leave(struct tlb_model *m, unsigned cpu);

/*
 * tlb_access: tag on cpu accesses gpa with access (NP_*), through a cached
 * translation when one allows it, else by walking t (and caching). Returns
 * the host-physical address reached, or TLB_NO_PAGE for a nested fault.
 */
uint64_t tlb_access(struct tlb_model *m, unsigned cpu, uint32_t tag,
		    const struct np_table *t, uint64_t gpa, unsigned access);

/* tlb_flush_now: INVEPT single-context: drop tag's entries on cpu. */
void tlb_flush_now(struct tlb_model *m, unsigned cpu, uint32_t tag);

/* tlb_flush_at_entry: TLB_CONTROL flush-by-ASID, due at tag's next run. */
void tlb_flush_at_entry(struct tlb_model *m, unsigned cpu, uint32_t tag);

/*
 * tlb_check_reusable / tlb_check_read_only: count a violation (and say
 * which) when a CPU can still use a translation reaching [hpa, hpa+size),
 * or a writable one. Return true when none can. A CPU out of the guest
 * whose flush is due (due_mask) cannot: the flush comes before its entry,
 * which the test proves by its accesses after entering.
 */
bool tlb_check_reusable(struct tlb_model *m, uint64_t hpa, uint64_t size);
bool tlb_check_read_only(struct tlb_model *m, uint64_t hpa, uint64_t size);

#endif
