/*
 * legacy_pic.c - masking the 8259 PICs (legacy_pic.h).
 */
#include "hypervisor/boot/legacy_pic.h"

#include "hypervisor/cpu.h"

#define PIC_MASTER_DATA 0x21     /* OCW1: the interrupt mask register */
#define PIC_SLAVE_DATA 0xa1

void legacy_pic_mask_all(void)
{
	outb(PIC_MASTER_DATA, 0xff);
	outb(PIC_SLAVE_DATA, 0xff);
}
