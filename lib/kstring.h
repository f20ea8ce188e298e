/*
 * kstring.h - the C string and memory functions Skiff's portable code uses.
 * Inside the hypervisor and guests they come from lib/string.c; in host
 * tests (SKIFF_HOSTED) from the host's libc, so the same parser and
 * validator sources build in both places.
 */
#ifndef SKIFF_LIB_KSTRING_H
#define SKIFF_LIB_KSTRING_H

#include <stddef.h>

#ifdef SKIFF_HOSTED
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

#endif
