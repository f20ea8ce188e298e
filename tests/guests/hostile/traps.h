/*
 * traps.h - the hostile guest's own GDT and IDT, and its attack stubs.
 *
 * Skiff's GDT at 0x1000 lies in the first 64 KiB, which the guest's page
 * tables leave unmapped, so an exception taken with it would fault again
 * (and end as a triple fault). traps_install() therefore loads a GDT with
 * the same selectors (code 0x08, data 0x10) and an IDT that catches #BP,
 * #UD and #GP, both in the guest's own memory.
 *
 * The stubs (traps.S) each execute one instruction that Skiff or the CPU
 * may stop. When that instruction raises #BP, #UD or #GP, the handler
 * returns to the stub's caller; trap_last_vector says which exception it
 * was and trap_count counts them. A trap outside the stubs halts the guest
 * with status 3.
 */
#ifndef SKIFF_TEST_HOSTILE_TRAPS_H
#define SKIFF_TEST_HOSTILE_TRAPS_H

#include <stdint.h>

#define TRAP_NONE 0xffu
#define VECTOR_BP 3u
#define VECTOR_UD 6u
#define VECTOR_GP 13u

extern volatile uint64_t trap_count;
extern volatile uint64_t trap_last_vector;

/* traps_install: load the guest's own GDT and IDT (idempotent). */
void traps_install(void);

/* trap_name: "#BP", "#UD", "#GP" or "none" for a vector or TRAP_NONE. */
const char *trap_name(uint64_t vector);

uint64_t stub_rdmsr(uint32_t index);
void stub_wrmsr(uint32_t index, uint64_t value);
void stub_vmrun(uintptr_t vmcb);
void stub_vmmcall(void);
void stub_vmcall(void);
void stub_vmxon(uintptr_t region);
void stub_vmload(uintptr_t vmcb);
void stub_vmsave(uintptr_t vmcb);
void stub_clgi(void);
void stub_ud2(void);
void stub_int3(void);
void stub_swapgs(void);
void stub_write_cr8(uint64_t value);
uint64_t stub_read_cr8(void);
void stub_write_cr0(uint64_t value);
void stub_write_cr4(uint64_t value);
void stub_write_dr0(uint64_t value);
uint64_t stub_read_dr0(void);
void stub_rdpmc(void);
void stub_wbinvd(void);
void stub_monitor(uintptr_t address);
void stub_mwait(void);
uint32_t stub_rdpkru(void);
void stub_wrpkru(uint32_t value);
uint64_t stub_xgetbv(void);
void stub_vzeroupper(void);

#endif
