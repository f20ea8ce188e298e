/*
 * vmx_msr_bitmap.h - the 4 KiB MSR bitmap that decides which RDMSR and
 * WRMSR exit (SDM vol. 3C, "MSR-Bitmap Address"). Portable C.
 *
 * Layout: four 1 KiB bitmaps, one bit per MSR, 1 = exit: reads of
 * 0..0x1fff, reads of 0xc0000000..0xc0001fff, then writes of the same two
 * ranges. MSRs outside both ranges always exit.
 */
#ifndef SKIFF_VMX_MSR_BITMAP_H
#define SKIFF_VMX_MSR_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

#define VMX_MSR_BITMAP_SIZE 4096u

/*
 * vmx_msr_bitmap_init: intercept every MSR except reads and writes of
 * FS_BASE and GS_BASE, which the VMCS switches itself (KERNEL_GS_BASE is
 * not switched by VMX, so it stays intercepted).
 */
void vmx_msr_bitmap_init(uint8_t bitmap[VMX_MSR_BITMAP_SIZE]);

/* vmx_msr_bitmap_exits: true when an access to msr exits under bitmap. */
bool vmx_msr_bitmap_exits(const uint8_t bitmap[VMX_MSR_BITMAP_SIZE],
			  uint32_t msr, bool is_write);

#endif
