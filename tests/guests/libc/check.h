/*
 * check.h - bookkeeping of the libc conformance guest.
 *
 * Checks are grouped; a group prints exactly one summary line
 * ("GROUP: ok" or "GROUP: FAILED (F of N)"), preceded by one
 * "  FAIL ..." line per failed check, so a boot test can require every
 * group's "ok" line and a failure explains itself on the console.
 */
#ifndef LIBC_CHECK_H
#define LIBC_CHECK_H

/* group_begin: start counting checks for the group name. */
void group_begin(const char *name);

/* expect: record one check; on failure print what was expected. */
void expect(int ok, const char *what);

/* expect_str: record that got equals want; on failure print both. */
void expect_str(const char *got, const char *want, const char *what);

/* group_end: print the group's summary line; returns its failures. */
int group_end(void);

/* The groups, each in its own file; each returns its number of failures. */
int check_formats(void);
int check_heap(void);
int check_sorting(void);
int check_jumps(void);
int check_strto(void);
int check_errno(void);
int check_math(void);
int check_clocks(void);
int check_posix(void);
int check_runtime(int argc, char **argv);

/* rng_next: a fixed-seed xorshift64 stream, so every run does the same work. */
unsigned long long rng_next(void);

#endif
