/*
 * acpi_s5.c - the sleep type of soft-off, from the DSDT's \_S5_ package.
 *
 * Not an AML interpreter: a bounded scan for the one definition
 *   DefName := NameOp(0x08) ['\'] "_S5_" DefPackage
 *   DefPackage := PackageOp(0x12) PkgLength NumElements PackageElementList
 * (ACPI 6.5, section 20.2), whose first two elements are SLP_TYPa and
 * SLP_TYPb. An element is ZeroOp (0x00), OneOp (0x01) or an integer with
 * a Byte/Word/DWord/QWord prefix (0x0a/0x0b/0x0c/0x0e). Every read stays
 * inside the package's own length, which stays inside the table.
 */
#include <stdarg.h>

#include "hypervisor/acpi/acpi_internal.h"
#include "lib/errno.h"
#include "lib/format.h"

#define AML_NAME_OP 0x08
#define AML_ROOT_CHAR 0x5c
#define AML_PACKAGE_OP 0x12
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define SLP_TYP_MAX 7

/*
 * pkg_length: decode the PkgLength at aml[at] (the byte count from that
 * byte to the package's end). Returns false when it runs past len.
 */
static bool pkg_length(const uint8_t *aml, uint32_t len, uint32_t at, uint32_t *value,
		       uint32_t *size)
{
	uint8_t lead;
	uint32_t follow;

	if (at >= len)
		return false;
	lead = aml[at];
	follow = lead >> 6;
	if (len - at < 1 + follow)
		return false;
	if (follow == 0) {
		*value = lead & 0x3f;
	} else {
		*value = lead & 0x0f;
		for (uint32_t i = 0; i < follow; i++)
			*value |= (uint32_t)aml[at + 1 + i] << (4 + 8 * i);
	}
	*size = 1 + follow;
	return true;
}

/* element: one integer element at aml[*at] below end; advances *at. */
static bool element(const uint8_t *aml, uint32_t end, uint32_t *at, uint64_t *value)
{
	uint32_t width;
	uint8_t op;

	if (*at >= end)
		return false;
	op = aml[(*at)++];
	switch (op) {
	case AML_ZERO_OP: *value = 0; return true;
	case AML_ONE_OP: *value = 1; return true;
	case AML_BYTE_PREFIX: width = 1; break;
	case AML_WORD_PREFIX: width = 2; break;
	case AML_DWORD_PREFIX: width = 4; break;
	case AML_QWORD_PREFIX: width = 8; break;
	default: return false;
	}
	if (end - *at < width)
		return false;
	*value = 0;
	for (uint32_t i = 0; i < width; i++)
		*value |= (uint64_t)aml[*at + i] << (8 * i);
	*at += width;
	return true;
}

/* is_name_definition: "_S5_" at aml[at] follows NameOp, maybe with a root prefix. */
static bool is_name_definition(const uint8_t *aml, uint32_t at)
{
	if (at >= 1 && aml[at - 1] == AML_NAME_OP)
		return true;
	return at >= 2 && aml[at - 1] == AML_ROOT_CHAR && aml[at - 2] == AML_NAME_OP;
}

/* read_package: the package right after the name at aml[at]. */
static int read_package(const uint8_t *aml, uint32_t len, uint32_t at, uint8_t *typ_a,
			uint8_t *typ_b, char *err, size_t errlen)
{
	uint32_t pkg_len, pkg_len_size, end, count;
	uint64_t a, b = 0;

	if (at >= len || aml[at] != AML_PACKAGE_OP)
		return format_error(-EINVAL, err, errlen, "\\_S5_ at offset %u is not a package", at);
	if (!pkg_length(aml, len, at + 1, &pkg_len, &pkg_len_size) ||
	    pkg_len < pkg_len_size + 1 || pkg_len > len - (at + 1))
		return format_error(-EINVAL, err, errlen, "\\_S5_ package length runs past the table");
	end = at + 1 + pkg_len;
	at += 1 + pkg_len_size;
	count = aml[at++];
	if (count < 1 || !element(aml, end, &at, &a) || (count >= 2 && !element(aml, end, &at, &b)))
		return format_error(-EINVAL, err, errlen, "\\_S5_ package has no integer SLP_TYP values");
	if (a > SLP_TYP_MAX || b > SLP_TYP_MAX)
		return format_error(-EINVAL, err, errlen, "\\_S5_ sleep types 0x%lx, 0x%lx exceed 3 bits",
			    (unsigned long)a, (unsigned long)b);
	*typ_a = (uint8_t)a;
	*typ_b = (uint8_t)b;
	return 0;
}

int acpi_find_s5(const uint8_t *aml, uint32_t len, uint8_t *typ_a, uint8_t *typ_b,
		 char *err, size_t errlen)
{
	for (uint32_t at = 0; len >= 4 && at <= len - 4; at++) {
		if (memcmp(aml + at, "_S5_", 4) == 0 && is_name_definition(aml, at))
			return read_package(aml, len, at + 4, typ_a, typ_b, err, errlen);
	}
	return format_error(-EINVAL, err, errlen, "no \\_S5_ package");
}
