/*
 * vm_free_report.h - taking back the frames of pages a guest reported
 * free (Skiff call 0x581; hypervisor/mem/free_report.h checks the list).
 */
#ifndef SKIFF_VM_FREE_REPORT_H
#define SKIFF_VM_FREE_REPORT_H

#include <stdint.h>

#include "hypervisor/mem/free_report.h"

/*
 * vm_free_report: the hypercall_env free_report hook for VM ctx (a struct
 * vm). With ranges (a list free_report_check passed), each page of each
 * range ends up reading as zero: taken back through the one invalidation
 * path and freed, or zeroed in place when it lies in a 2 MiB mapping the
 * range covers only in part. Returns the 4 KiB frames freed. With ranges
 * NULL (the list was refused, *v says why), logs the first few refusals of
 * the guest, counts them and returns 0.
 */
uint64_t vm_free_report(void *ctx, const struct free_report_verdict *v,
			const struct free_range *ranges, unsigned count);

#endif
