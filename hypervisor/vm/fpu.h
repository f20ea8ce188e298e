/*
 * fpu.h - each guest's x87/SSE state and PKRU, in one 512-byte area.
 *
 * Skiff itself never uses x87 or SSE registers (it is built with
 * -mgeneral-regs-only), so a guest's registers stay live in the CPU across
 * its exits and only need saving when another guest is about to run.
 */
#ifndef SKIFF_FPU_H
#define SKIFF_FPU_H

#include <stdint.h>

/*
 * fpu_init: enable FXSAVE/FXRSTOR and SSE for the host (CR4.OSFXSR), pin
 * XCR0 to x87|SSE where XSAVE exists, and turn on CR4.PKE where protection
 * keys exist, so that PKRU can be switched. These are per-CPU settings:
 * call on every CPU that runs guests (the boot CPU in skiff_main, each AP
 * in smp_ap_main), before its backend is on.
 */
void fpu_init(void);

/* fpu_clean_image: fill a 512-byte area with the reset state (PKRU 0). */
void fpu_clean_image(uint8_t area[512]);

/*
 * fpu_switch: save the live registers (x87/SSE, and PKRU where switched)
 * into from (may be NULL when no guest state is live) and load to. Both
 * areas 16-byte aligned.
 */
void fpu_switch(uint8_t *from, const uint8_t *to);

#endif
