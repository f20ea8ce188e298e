/*
 * arch/cc.h - lwIP's compiler and platform definitions for Skiff guests
 * (x86-64, little-endian, newlib).
 */
#ifndef SKIFF_LWIP_ARCH_CC_H
#define SKIFF_LWIP_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>

/* BYTE_ORDER and LITTLE_ENDIAN come from newlib's <machine/endian.h>. */
#define LWIP_TIMEVAL_PRIVATE 0
#define SSIZE_MAX 0x7fffffffffffffffL   /* newlib defines ssize_t; lwIP must not */

#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x)                                                \
	do {                                                                   \
		printf("lwIP assertion \"%s\" failed at %s:%d\n", x, __FILE__, __LINE__); \
		abort();                                                       \
	} while (0)

#endif
