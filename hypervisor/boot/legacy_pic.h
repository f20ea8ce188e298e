/*
 * legacy_pic.h - the two 8259 interrupt controllers of a PC.
 */
#ifndef SKIFF_BOOT_LEGACY_PIC_H
#define SKIFF_BOOT_LEGACY_PIC_H

/*
 * legacy_pic_mask_all: mask every line of both 8259s. Skiff polls and runs
 * with interrupts off; an unmasked legacy timer would otherwise keep an
 * interrupt pending and cause an endless stream of interrupt exits once a
 * guest runs with physical interrupts intercepted.
 */
void legacy_pic_mask_all(void);

#endif
