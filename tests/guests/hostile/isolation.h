/*
 * isolation.h - the hostile guest's attacks on shared CPU state
 * (isolation.c says which and what each prints).
 */
#ifndef SKIFF_TEST_HOSTILE_ISOLATION_H
#define SKIFF_TEST_HOSTILE_ISOLATION_H

#include <stdbool.h>
#include <stdint.h>

/*
 * isolation_attack: run the attack named what (number is its argument:
 * milliseconds to hold, or bytes for puts-flood) and return the guest's exit
 * status. Sets *known to false, and returns failure, for an unknown name.
 */
int isolation_attack(const char *what, uint64_t number, bool *known);

#endif
