/*
 * npt.h - AMD nested paging: the entry format for the nested-paging engine,
 * the nCR3 value a VMCB holds, and how to flush a guest's translations.
 *
 * NPT entries are ordinary x86-64 page-table entries. The CPU walks them as
 * user-mode accesses, so the U bit must be set at every level, and "not
 * executable" is the NX bit (bit 63) rather than a missing permission.
 */
#ifndef SKIFF_NPT_H
#define SKIFF_NPT_H

#include <stdbool.h>
#include <stdint.h>

#include "nested_paging/nested_paging.h"

/*
 * npt_format: 1 GiB pages allowed. Use it when CPUID 8000_0001h EDX bit 26
 * (Page1GB) is set, else npt_format_2m.
 */
extern const struct np_format npt_format;
/* npt_format_2m: the same entries, but no leaf larger than 2 MiB. */
extern const struct np_format npt_format_2m;

/*
 * npt_ncr3: the VMCB's nCR3 for t (built with an NPT format): t's root with
 * PWT and PCD clear, so the walk is write-back. Does no checks.
 */
uint64_t npt_ncr3(const struct np_table *t);

/*
 * npt_flush_tlb_control: the VMCB TLB_CONTROL value that makes the next
 * VMRUN drop this guest's cached translations: 3 (this ASID only) when the
 * CPU has flush-by-ASID (CPUID 8000_000Ah EDX bit 6), else 1 (every ASID,
 * the only flush older CPUs and QEMU's TCG know). The caller writes 0 back
 * after that VMRUN so later entries keep their TLB.
 */
uint8_t npt_flush_tlb_control(bool flush_by_asid);

#endif
