/*
 * e1000.h - a polled driver for the Intel 82540EM ("e1000", PCI 8086:100E),
 * which QEMU and Bochs both emulate.
 *
 * Legacy 16-byte descriptors, one receive and one transmit ring of
 * E1000_RING descriptors, each with a 2 KiB buffer of its own; the rings
 * and buffers are one physically contiguous block from Skiff's frames
 * (identity-mapped, so a host pointer is the DMA address). No interrupts:
 * the owner polls for received frames and transmits synchronously.
 */
#ifndef SKIFF_DRIVERS_E1000_H
#define SKIFF_DRIVERS_E1000_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/pci/pci.h"

#define E1000_RING 32u
#define E1000_BUFFER 2048u

struct e1000 {
	volatile uint8_t *regs;       /* BAR0, memory-mapped registers */
	uint8_t mac[6];
	uint8_t *block;               /* rings and buffers */
	uint64_t block_bytes;
	unsigned rx_next;             /* the next receive descriptor to look at */
	unsigned tx_next;             /* the next transmit descriptor to fill */
	uint64_t rx_frames, tx_frames, rx_errors, tx_busy;
};

/*
 * e1000_find: the first 82540EM of the machine's PCI scan, or NULL.
 */
const struct pci_device *e1000_find(const struct pci_bus_set *set);

/*
 * e1000_init: reset the device dev, read its MAC from the EEPROM, program
 * receive address 0 with it (Bochs's reset clears it), set up both rings
 * and enable receiving (broadcast, multicast and its own unicast) and
 * transmitting, with interrupts masked. Returns 0, -EINVAL when BAR0 is
 * not a memory BAR, -ENOMEM when no memory for the rings is free, or
 * -EIO when the EEPROM does not answer.
 */
int e1000_init(struct e1000 *nic, const struct pci_device *dev);

#define E1000_FILTER_SLOTS 15u   /* exact-match receive addresses besides its own */

/*
 * e1000_filter: receive unicast frames only for the NIC's own MAC and
 * macs[0..count) (6 bytes each), in the device's exact-match receive
 * address registers 1..15; with more than E1000_FILTER_SLOTS addresses,
 * receive every unicast frame instead (promiscuous). Broadcast and
 * multicast are always received.
 */
void e1000_filter(struct e1000 *nic, const uint8_t (*macs)[6], unsigned count);

/*
 * e1000_transmit: queue frame[0..len) (14..E1000_BUFFER bytes, no FCS: the
 * device appends it) for sending. Returns 0, or -EBUSY when the ring is
 * full (the device has not finished the oldest frame), -EINVAL for a bad
 * length.
 */
int e1000_transmit(struct e1000 *nic, const void *frame, size_t len);

/*
 * e1000_receive: the next received frame into buf (cap bytes); returns its
 * length, or 0 when none is waiting. Frames with errors, longer than cap or
 * spread over several descriptors are dropped (counted in rx_errors).
 */
size_t e1000_receive(struct e1000 *nic, void *buf, size_t cap);

#endif
