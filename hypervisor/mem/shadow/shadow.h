/*
 * shadow.h - shadow paging for one VM: tables that map the guest's virtual
 * addresses straight to host frames, which the CPU walks in place of the
 * guest's own tables (docs/shadow-paging.md).
 *
 * Policy in short: shadows are filled lazily on #PF; a fault the guest's
 * tables would raise is injected into the guest. The shadows of the K most
 * recent guest CR3 values are kept ("synced": every guest page that any of
 * them walked as a table is write-protected in every shadow). The first
 * guest write to such a page makes the current shadow "unsynced": the
 * other shadows are dropped, write protection stops, and the current one
 * behaves like a TLB (INVLPG drops an entry) until the next CR3 load, which
 * discards it.
 */
#ifndef SKIFF_SHADOW_H
#define SKIFF_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/hal.h"

struct vm;

#define SHADOW_CACHE_DEFAULT 4u
#define SHADOW_CACHE_MAX 16u

/*
 * shadow_create: set vm up for shadow paging with a cache of cache_roots
 * (1..SHADOW_CACHE_MAX) shadows, the guest starting with CR3 guest_cr3 and
 * EFER guest_efer. vm->mem and vm->nested must be ready. Returns 0 and the
 * first shadow root in *root_hpa (the boot state's real CR3), or -ENOMEM.
 */
int shadow_create(struct vm *vm, unsigned cache_roots, uint64_t guest_cr3,
		  uint64_t guest_efer, uint64_t *root_hpa);

/* shadow_destroy: free every shadow table and vm's shadow state; safe twice. */
void shadow_destroy(struct vm *vm);

/*
 * shadow_zap_all: drop every shadow translation of vm (cached shadows are
 * freed, the current one emptied). The caller flushes the CPU (the memory
 * core's invalidation path does: hypervisor/vm/vm_memory.c).
 */
void shadow_zap_all(struct vm *vm);

/*
 * shadow_handle_exit: a #PF, CR access, INVLPG or INVPCID exit of a
 * shadow-paged vm. Returns true when the guest keeps running (also after
 * injecting the fault the CPU would raise); false after ending it with a
 * decoded report (its tables point outside its RAM, it asked for a paging
 * mode shadow paging does not offer, no memory was left).
 */
bool shadow_handle_exit(struct vm *vm, const struct hal_exit *exit);

/*
 * shadow_table_written: Skiff itself changed the present entry at guest-
 * physical gpa (its address: page and index; the PV MMU's update call).
 * When a shadow may translate through that page (some synced walk used
 * it, or the current shadow is unsynced) returns true, having dropped
 * what may be stale: through the reverse map (shadow_rmap.h), only the
 * shadow entries covering that entry's span in the shadows that walked the
 * page; when the map cannot tell (it overflowed) or the current shadow is
 * unsynced, every shadow. The CPU's tag is flushed if the current shadow
 * lost an entry.
 */
bool shadow_table_written(struct vm *vm, uint64_t gpa);

/*
 * shadow_page_narrowed: Skiff's map made vm's guest page gpa read-only
 * (the PV MMU registering a table page). Drops every shadow leaf that
 * maps it writable, found through the reverse map, and flushes the CPU's
 * tag if the current shadow had one: returns true. False (nothing done)
 * when vm has no shadows, the current one is unsynced or the map cannot
 * tell: the caller then drops every shadow (the invalidation path).
 */
bool shadow_page_narrowed(struct vm *vm, uint64_t gpa);

/*
 * shadow_page_removed: the memory core is taking vm's guest pages [gpa,
 * gpa+size) away or narrowing them (mem_invalidate.h's zap_page): drops
 * exactly the shadow leaves that map them, found through the reverse map
 * (pages no shadow leaf mapped cost a bit test). Returns true when done
 * (also when vm has no shadows); false, having dropped nothing more, when
 * the map cannot tell: the caller then drops every shadow. Does not flush
 * the CPU: the invalidation path does, before the frame is reused. May
 * run on any CPU holding vm's memory lock.
 */
bool shadow_page_removed(struct vm *vm, uint64_t gpa, uint64_t size);

/*
 * shadow_take_accessed: the eviction clock asks whether vm's guest page gpa
 * (inside RAM, backed by the frame at hpa) was used since it last asked.
 * Under shadow paging the CPU sets accessed bits in the shadow leaves, not
 * in the nested table: the leaves that map the page (found through the
 * reverse map) have theirs read and cleared, each alone; no shadow is
 * dropped. When any was cleared, vm's space is marked so that its next
 * mem_flush_if_stale flushes the CPUs' cached translations (the tag) without
 * a zap. Returns 1 (used), or 0 (not used, or the map is lost and cannot
 * tell: counted as clock_blind). vm must have shadows. May run on any CPU
 * holding vm's memory lock.
 */
int shadow_take_accessed(struct vm *vm, uint64_t gpa, uint64_t hpa);

/* shadow_guest_efer / shadow_write_efer: the guest's view of EFER. */
uint64_t shadow_guest_efer(const struct vm *vm);
void shadow_write_efer(struct vm *vm, uint64_t value);

/* shadow_log_summary: one "guest NAME: shadow ..." line of counters. */
void shadow_log_summary(const struct vm *vm);

#endif
