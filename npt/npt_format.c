/*
 * npt_format.c - AMD nested page-table entries (ordinary x86-64 long-mode
 * entries, AMD APM vol. 2 "Nested Paging") as data for the engine, nCR3,
 * and the TLB_CONTROL values that flush a guest's translations.
 */
#include <stdbool.h>
#include <stdint.h>

#include "npt/npt.h"
#include "nested_paging/nested_paging.h"

#define NPT_PRESENT (UINT64_C(1) << 0)   /* also the read permission */
#define NPT_WRITE (UINT64_C(1) << 1)
#define NPT_USER (UINT64_C(1) << 2)      /* nested walks are user accesses */
#define NPT_ACCESSED (UINT64_C(1) << 5)
#define NPT_DIRTY (UINT64_C(1) << 6)
#define NPT_LARGE_PAGE (UINT64_C(1) << 7)
#define NPT_NO_EXEC (UINT64_C(1) << 63)
#define NPT_ADDRESS_MASK UINT64_C(0x000ffffffffff000)   /* bits 51:12 */

/* TLB_CONTROL (VMCB offset 058h) encodings. */
#define TLB_CONTROL_FLUSH_ALL 1
#define TLB_CONTROL_FLUSH_THIS_ASID 3

/*
 * Table entries grant P|W|U and never NX: the leaf alone decides the
 * permissions, the same way the EPT format does it.
 */
#define NPT_FORMAT_WITH_LEAVES_UP_TO(level) {                            \
	.name = "npt",                                                  \
	.present_mask = NPT_PRESENT,                                    \
	.read_allow = NPT_PRESENT,                                      \
	.write_allow = NPT_WRITE,                                       \
	.exec_allow = 0,                                                \
	.exec_deny = NPT_NO_EXEC,                                       \
	.large_page = NPT_LARGE_PAGE,                                   \
	.table_bits = NPT_PRESENT | NPT_WRITE | NPT_USER,               \
	.leaf_bits = NPT_USER,                                          \
	.address_mask = NPT_ADDRESS_MASK,                               \
	.accessed = NPT_ACCESSED,                                       \
	.dirty = NPT_DIRTY,                                             \
	.largest_leaf_level = (level),                                  \
}

const struct np_format npt_format = NPT_FORMAT_WITH_LEAVES_UP_TO(3);
const struct np_format npt_format_2m = NPT_FORMAT_WITH_LEAVES_UP_TO(2);

uint64_t npt_ncr3(const struct np_table *t)
{
	return t->root_hpa & NPT_ADDRESS_MASK;
}

uint8_t npt_flush_tlb_control(bool flush_by_asid)
{
	return flush_by_asid ? TLB_CONTROL_FLUSH_THIS_ASID
			     : TLB_CONTROL_FLUSH_ALL;
}

#define NPT_ATTRIBUTES (NPT_PRESENT | NPT_WRITE | NPT_USER | NPT_ACCESSED | \
			NPT_DIRTY | NPT_LARGE_PAGE | NPT_NO_EXEC)

_Static_assert((NPT_PRESENT & NPT_WRITE) == 0 &&
	       ((NPT_PRESENT | NPT_WRITE) & NPT_USER) == 0,
	       "P, W and U overlap");
_Static_assert(((NPT_PRESENT | NPT_WRITE | NPT_USER) &
		(NPT_ACCESSED | NPT_DIRTY | NPT_LARGE_PAGE)) == 0 &&
	       (NPT_ACCESSED & NPT_DIRTY) == 0 &&
	       ((NPT_ACCESSED | NPT_DIRTY) & NPT_LARGE_PAGE) == 0,
	       "A, D or PS overlap other attributes");
_Static_assert((NPT_NO_EXEC & (NPT_ATTRIBUTES & ~NPT_NO_EXEC)) == 0,
	       "NX overlaps another attribute");
_Static_assert((NPT_ATTRIBUTES & NPT_ADDRESS_MASK) == 0,
	       "attributes overlap the address");
