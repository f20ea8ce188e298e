/*
 * virtio_blk.h - the virtio block device (QEMU's -drive if=virtio, and the
 * paravirtual disk of most clouds), through the legacy PCI interface:
 * vendor 0x1af4 device 0x1001, registers in I/O BAR 0, one virtqueue in
 * the split-ring layout (drivers/virtio), polled.
 *
 * Each disk found is registered with drivers/disk as "vblkN". A write is
 * one OUT request and, when the device offers VIRTIO_BLK_F_FLUSH (a
 * write-back cache), one FLUSH request: reported done only once the device
 * has completed both. Without that feature the device is write-through by
 * the specification, so the OUT request alone is durable.
 */
#ifndef SKIFF_DRIVERS_VIRTIO_BLK_H
#define SKIFF_DRIVERS_VIRTIO_BLK_H

#include <stdint.h>

/*
 * virtio_blk_init: find every legacy virtio block function in
 * pci_machine(), set it up and register its disk. Logs what it found and
 * why a device is not used; never fails itself. Call after ata_init() (so
 * IDE disks keep the lower numbers).
 */
void virtio_blk_init(void);

#endif
