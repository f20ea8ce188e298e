/*
 * stdio.h - Skiff's overlay on newlib's header of the same name.
 *
 * newlib 3.3 implements getline and getdelim only as __getline and
 * __getdelim and leaves the POSIX names undeclared; guest_rt/libc/system.c
 * gives them their POSIX names, declared here after the real header.
 */
#ifndef SKIFF_STDIO_H
#define SKIFF_STDIO_H

#include_next <stdio.h>

#if __POSIX_VISIBLE >= 200809
ssize_t getdelim(char **line, size_t *size, int delimiter, FILE *stream);
ssize_t getline(char **line, size_t *size, FILE *stream);
#endif

#endif
