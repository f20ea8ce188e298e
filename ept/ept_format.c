/*
 * ept_format.c - Intel EPT entries described as data for the engine, and
 * the EPT pointer (Intel SDM vol. 3C, "EPT Translation Mechanism" and
 * "Extended-Page-Table Pointer").
 */
#include <stdint.h>

#include "ept/ept.h"
#include "nested_paging/nested_paging.h"

#define EPT_READ (UINT64_C(1) << 0)
#define EPT_WRITE (UINT64_C(1) << 1)
#define EPT_EXEC (UINT64_C(1) << 2)
#define EPT_MEMTYPE_WB (UINT64_C(6) << 3)    /* leaf bits 5:3 */
/*
 * Ignore the guest's PAT: its RAM is write-back whatever its page tables
 * say, so no guest maps frames uncached that Skiff (and, after a scrub,
 * the next guest) maps write-back.
 */
#define EPT_IGNORE_PAT (UINT64_C(1) << 6)
#define EPT_LARGE_PAGE (UINT64_C(1) << 7)
#define EPT_ACCESSED (UINT64_C(1) << 8)
#define EPT_DIRTY (UINT64_C(1) << 9)
/* Bits 51:12; bits above MAXPHYADDR stay zero because hpas come from RAM. */
#define EPT_ADDRESS_MASK UINT64_C(0x000ffffffffff000)

/* EPTP fields: walk memory type (bits 2:0), walk length - 1 (bits 5:3). */
#define EPTP_MEMTYPE_WB UINT64_C(6)
#define EPTP_WALK_4_LEVELS ((UINT64_C(4) - 1) << 3)

/*
 * Table entries grant everything: the leaf alone decides, so protecting a
 * page never needs to touch the levels above it.
 */
#define EPT_FORMAT_WITH_LEAVES_UP_TO(level) {                            \
	.name = "ept",                                                  \
	.present_mask = EPT_READ | EPT_WRITE | EPT_EXEC,                \
	.read_allow = EPT_READ,                                         \
	.write_allow = EPT_WRITE,                                       \
	.exec_allow = EPT_EXEC,                                         \
	.exec_deny = 0,                                                 \
	.large_page = EPT_LARGE_PAGE,                                   \
	.table_bits = EPT_READ | EPT_WRITE | EPT_EXEC,                  \
	.leaf_bits = EPT_MEMTYPE_WB | EPT_IGNORE_PAT,                   \
	.address_mask = EPT_ADDRESS_MASK,                               \
	.accessed = EPT_ACCESSED,                                       \
	.dirty = EPT_DIRTY,                                             \
	.largest_leaf_level = (level),                                  \
}

const struct np_format ept_format = EPT_FORMAT_WITH_LEAVES_UP_TO(3);
const struct np_format ept_format_2m = EPT_FORMAT_WITH_LEAVES_UP_TO(2);

uint64_t ept_pointer(const struct np_table *t)
{
	return (t->root_hpa & EPT_ADDRESS_MASK) | EPTP_MEMTYPE_WB |
	       EPTP_WALK_4_LEVELS;
}

#define EPT_PERMISSIONS (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MEMTYPE_FIELD (UINT64_C(7) << 3)

_Static_assert((EPT_PERMISSIONS & EPT_MEMTYPE_FIELD) == 0,
	       "permissions and memory type overlap");
_Static_assert(((EPT_PERMISSIONS | EPT_MEMTYPE_FIELD) & EPT_LARGE_PAGE) == 0,
	       "large-page bit overlaps permissions or memory type");
_Static_assert(((EPT_PERMISSIONS | EPT_MEMTYPE_FIELD | EPT_LARGE_PAGE) &
		(EPT_ACCESSED | EPT_DIRTY)) == 0,
	       "accessed/dirty overlap other attributes");
_Static_assert((EPT_ACCESSED & EPT_DIRTY) == 0, "accessed and dirty overlap");
_Static_assert(((EPT_PERMISSIONS | EPT_MEMTYPE_FIELD | EPT_LARGE_PAGE |
		 EPT_ACCESSED | EPT_DIRTY) & EPT_ADDRESS_MASK) == 0,
	       "attributes overlap the address");
_Static_assert((EPTP_MEMTYPE_WB & EPTP_WALK_4_LEVELS) == 0,
	       "EPTP fields overlap");
_Static_assert(((EPTP_MEMTYPE_WB | EPTP_WALK_4_LEVELS) & EPT_ADDRESS_MASK) == 0,
	       "EPTP fields overlap the root address");
