/*
 * parse.h - number parsing shared by the command-line parsers.
 */
#ifndef SKIFF_LIB_PARSE_H
#define SKIFF_LIB_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * parse_u64: the whole of s[0..len) as a decimal number or a 0x-prefixed
 * hex number. Returns false on an empty string, a stray character or
 * overflow.
 */
bool parse_u64(const char *s, size_t len, uint64_t *out);

/*
 * parse_size: like parse_u64 with an optional K, M or G suffix (powers of
 * 1024, either case). Returns false on bad syntax or overflow.
 */
bool parse_size(const char *s, size_t len, uint64_t *out);

/*
 * parse_mac: the whole of s[0..len) as a MAC address "XX:XX:XX:XX:XX:XX"
 * (hex digits, either case) into mac. Returns false on anything else and
 * then leaves mac in an unspecified state.
 */
bool parse_mac(const char *s, size_t len, uint8_t mac[6]);

#endif
