/*
 * ept.h - Intel EPT: the entry format for the nested-paging engine, the
 * EPT pointer that a VMCS holds, and INVEPT.
 *
 * EPT entries are not x86 page-table entries: bits 2:0 are read, write and
 * execute permissions (present when any is set), leaves carry a memory type
 * in bits 5:3, and there is no user bit and no NX bit.
 */
#ifndef SKIFF_EPT_H
#define SKIFF_EPT_H

#include <stdint.h>

#include "nested_paging/nested_paging.h"

/*
 * ept_format: write-back leaves, 1 GiB pages allowed. Use it when
 * IA32_VMX_EPT_VPID_CAP reports 1 GiB pages (bit 17), else ept_format_2m.
 */
extern const struct np_format ept_format;
/* ept_format_2m: the same entries, but no leaf larger than 2 MiB. */
extern const struct np_format ept_format_2m;

/*
 * ept_pointer: the EPTP for t (built with an EPT format): t's root, memory
 * type WB for the walk, a 4-level walk, accessed/dirty flags off. Needs
 * only a table that np_init set up; does no checks.
 */
uint64_t ept_pointer(const struct np_table *t);

/*
 * EPTP_ACCESSED_DIRTY: OR into an EPTP to have the CPU set the accessed and
 * dirty bits of EPT entries (only where IA32_VMX_EPT_VPID_CAP bit 21 says
 * it can; reclaim finds cold pages by them).
 */
#define EPTP_ACCESSED_DIRTY (UINT64_C(1) << 6)

/*
 * ept_invalidate_single: INVEPT single-context, dropping the cached
 * translations tagged with eptp. Needs VMX operation and a CPU that
 * supports this INVEPT type; a refused INVEPT is ignored, because the only
 * fallback (all contexts) is the caller's choice. Hypervisor image only.
 */
void ept_invalidate_single(uint64_t eptp);

/* ept_invalidate_all: INVEPT all-context. Needs VMX operation. */
void ept_invalidate_all(void);

#endif
