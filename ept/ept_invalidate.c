/*
 * ept_invalidate.c - INVEPT (Intel SDM vol. 3C, "INVEPT - Invalidate
 * Translations Derived from EPT"). Hypervisor image only: the instruction
 * faults outside VMX root operation, so host tests never build this file.
 */
#include <stdint.h>

#include "ept/ept.h"

enum invept_type {
	INVEPT_SINGLE_CONTEXT = 1,
	INVEPT_ALL_CONTEXT = 2,
};

/* The 128-bit INVEPT descriptor: the EPTP, then 64 reserved zero bits. */
struct invept_descriptor {
	uint64_t eptp;
	uint64_t reserved;
};

_Static_assert(sizeof(struct invept_descriptor) == 16,
	       "INVEPT descriptor is 128 bits");

static void invept(enum invept_type type, uint64_t eptp)
{
	struct invept_descriptor descriptor = { .eptp = eptp, .reserved = 0 };
	uint64_t type_register = (uint64_t)type;

	/* "memory": later table reads must not move above the flush. */
	__asm__ volatile("invept %0, %1"
			 :
			 : "m"(descriptor), "r"(type_register)
			 : "cc", "memory");
}

void ept_invalidate_single(uint64_t eptp)
{
	invept(INVEPT_SINGLE_CONTEXT, eptp);
}

void ept_invalidate_all(void)
{
	invept(INVEPT_ALL_CONTEXT, 0);
}
