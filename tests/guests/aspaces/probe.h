/*
 * probe.h - reads and writes that may fault, and the guest's own GDT and
 * IDT with a #PF handler (probe.S).
 *
 * A #PF inside probe_read or probe_write records CR2 and the error code
 * and makes the probe return 1, as does a #GP (a non-canonical address),
 * counted in gp_count; either anywhere else halts the guest with status 3
 * (a bug of the test, or of the memory virtualization).
 */
#ifndef SKIFF_TEST_ASPACES_PROBE_H
#define SKIFF_TEST_ASPACES_PROBE_H

#include <stdint.h>

extern volatile uint64_t pf_count, pf_cr2, pf_error, gp_count;

/* probe_read: *out = *(uint64_t *)addr; 0, or 1 after a #PF (*out unchanged). */
int probe_read(uint64_t addr, uint64_t *out);

/* probe_write: *(uint64_t *)addr = value; 0, or 1 after a #PF. */
int probe_write(uint64_t addr, uint64_t value);

/* probe_cr3_load / probe_cr4_write: the MOV; 0, or 1 after a #GP. */
int probe_cr3_load(uint64_t value);
int probe_cr4_write(uint64_t value);

/* probe_invpcid: INVPCID type, [descriptor]; 0, or 1 after a #GP or #PF. */
int probe_invpcid(uint64_t type, const uint64_t descriptor[2]);

/* probes_install: load the guest's own GDT and an IDT with the #PF gate. */
void probes_install(void);

/* cr3_load / cr3_read / cr4_read / invlpg: the instructions themselves. */
void cr3_load(uint64_t value);
uint64_t cr3_read(void);
uint64_t cr4_read(void);
void invlpg(uint64_t addr);

#endif
