/* crc32.h - CRC-32 (IEEE 802.3, as zlib), to tell a damaged record from a good one. */
#ifndef KVSTORE_CRC32_H
#define KVSTORE_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* crc32: the CRC-32 of len bytes at data; crc32("123456789", 9) is 0xcbf43926. */
uint32_t crc32(const void *data, size_t len);

#endif
