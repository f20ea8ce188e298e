/*
 * mem_invalidate.h - the one path by which a guest mapping is removed or
 * narrowed (the notifier contract).
 *
 * Whoever takes a page away from a guest (reclaim, write-protection for
 * sharing or dirty tracking, the guest's end) calls mem_remove or
 * mem_teardown, which always (a) changes the nested entries, (b) has the
 * backend drop cached translations on every CPU that may hold them, and
 * only then (c) hands the frame back through the caller's release
 * function. Nothing else in Skiff may reuse a frame a guest had mapped.
 * Adding a mapping where none was present goes through np_map alone: no
 * CPU caches a translation that never existed (neither EPT nor NPT caches
 * not-present entries), so no invalidation is due.
 *
 * Portable C: the order is proven on the host against a model of a tagged
 * TLB (tests/unit/mem_invalidate_test.c), because the emulators flush more
 * than the architecture requires and would hide a missing invalidation.
 */
#ifndef SKIFF_MEM_INVALIDATE_H
#define SKIFF_MEM_INVALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "nested_paging/nested_paging.h"

#define MEM_MAX_CPUS 64u

/* A set of physical CPUs, by number (bit n: CPU n). */
struct mem_cpu_set {
	uint64_t bits;
};

/*
 * How a backend drops cached translations. invalidate(ctx, cpus) must
 * guarantee that, on return, no CPU in *cpus can use any translation of the
 * space cached before the call: either dropped already (VMX: INVEPT
 * single-context with the EPTP, on each CPU), or dropped before that
 * space's tag next runs on that CPU (SVM: TLB_CONTROL flush-by-ASID at the
 * next VMRUN, or a fresh ASID), which is the same thing because a tagged
 * translation is usable only while its tag runs.
 */
struct mem_invalidator {
	void (*invalidate)(void *ctx, const struct mem_cpu_set *cpus);
	void *ctx;
};

/* One guest's nested mapping as the core sees it. */
struct mem_space {
	struct np_table *table;
	struct mem_invalidator invalidator;
	struct mem_cpu_set cpus;   /* CPUs that may cache its translations */
	uint64_t invalidations;    /* how many times invalidate was called */
};

/* Hands a frame back once no CPU can reach it through the space. */
typedef void (*mem_release_fn)(void *ctx, uint64_t hpa, uint64_t size);

/*
 * mem_remove: take [gpa, gpa+size) (one mapped page: 4 KiB or an aligned
 * 2 MiB leaf) away from the space, or, when keep_perms is not 0, narrow it
 * to keep_perms (NP_* with NP_READ; the frame stays the guest's). Then
 * invalidate on s->cpus when the table says a translation went stale, and
 * only then call release(release_ctx, hpa, size) for an unmapped frame
 * (release may be NULL). Returns 0; -ENOENT when gpa is not mapped with a
 * page of exactly size (nothing changed); -EINVAL for bad arguments;
 * -ENOMEM from the engine (nothing released).
 */
int mem_remove(struct mem_space *s, uint64_t gpa, uint64_t size,
	       unsigned keep_perms, mem_release_fn release, void *release_ctx);

/*
 * mem_teardown: the space's end. Frees every table page, invalidates on
 * s->cpus, then calls release(release_ctx, 0, 0) once so the caller can
 * hand back the guest's frames. Table pages are freed before the
 * invalidation; they are the engine's, reached by no guest access once the
 * root is gone from every CPU, and are reused only after this returns.
 */
void mem_teardown(struct mem_space *s, mem_release_fn release, void *release_ctx);

/* mem_flush_if_stale: invalidate on s->cpus when s->table is stale. */
void mem_flush_if_stale(struct mem_space *s);

#endif
