/*
 * fuzz_net_ring.c - Skiff's side of the NET rings (net/net_ring.c) against
 * a guest that writes anything anywhere in its ring page, at any moment.
 *
 * Input: u64 ring address, then steps of one opcode byte each:
 *   0: Skiff takes a transmit descriptor (and finishes it)
 *   1: Skiff puts a received frame of the next byte * 7 bytes
 *   2: the guest writes the next 4 bytes at the next 2-byte offset of the page
 *   3: the guest writes a whole descriptor (offset, 16 bytes) from the input
 * After each step: a frame handed out lies wholly inside guest RAM with a
 * length within the bounds asked for; a registered ring's page lies
 * inside RAM above NET_RING_LOWEST; nothing outside guest RAM is touched
 * (AddressSanitizer: RAM is one exact-size allocation).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_ring.h"

#define RAM (NET_RING_LOWEST + 16 * 4096u)
#define MIN_FRAME 14u
#define MAX_FRAME 1514u

static uint64_t take(const uint8_t **data, size_t *size, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && *size > 0; i++, (*data)++, (*size)--)
		v |= (uint64_t)**data << (8 * i);
	return v;
}

static void check_frame(const uint8_t *ram, const uint8_t *f, uint32_t len)
{
	if (f < ram || len < MIN_FRAME || len > MAX_FRAME || (uint64_t)(f - ram) + len > RAM)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	struct guest_memory mem;
	struct net_ring r = { 0 };
	struct net_ring_page *p;
	uint8_t frame[MAX_FRAME];
	const char *why;
	uint64_t gpa = take(&data, &size, 1) & 1 ? take(&data, &size, 8) : NET_RING_LOWEST;

	/* One exact-size block for every run (AddressSanitizer sees a byte past
	 * it); only the pages a ring may use are cleared again. */
	if (!ram)
		ram = malloc(RAM);
	memset(ram + NET_RING_LOWEST, 0, RAM - NET_RING_LOWEST);
	mem = (struct guest_memory){ .base = ram, .size = RAM };
	p = (struct net_ring_page *)(ram + NET_RING_LOWEST);
	p->magic = NET_RING_MAGIC;
	p->version = NET_RING_VERSION;
	p->entries = NET_RING_ENTRIES;
	memset(frame, 0xab, sizeof(frame));
	if (net_ring_register(&r, &mem, gpa, &why) != 0)
		return 0;
	if (r.gpa % NET_RING_BYTES || r.gpa < NET_RING_LOWEST || r.gpa + NET_RING_BYTES > RAM)
		abort();
	p = (struct net_ring_page *)(ram + r.gpa);
	while (size > 0) {
		unsigned op = (unsigned)take(&data, &size, 1) % 4;
		const uint8_t *f;
		uint32_t len;
		uint64_t off;

		if (op == 0) {
			enum net_ring_take t = net_ring_tx_next(&r, &mem, MIN_FRAME, MAX_FRAME, &f, &len);

			if (t == NET_RING_FRAME)
				check_frame(ram, f, len);
			if (t == NET_RING_FRAME || t == NET_RING_BAD)
				net_ring_tx_done(&r, &mem, t == NET_RING_FRAME ? NET_RING_DONE
									      : NET_RING_REFUSED);
		} else if (op == 1) {
			len = (uint32_t)take(&data, &size, 1) * 7 % MAX_FRAME + 1;
			(void)net_ring_rx_put(&r, &mem, frame, len);
		} else if (op == 2) {
			off = take(&data, &size, 2) % (NET_RING_BYTES - 4);
			uint32_t v = (uint32_t)take(&data, &size, 4);
			memcpy((uint8_t *)p + off, &v, 4);
		} else {
			off = take(&data, &size, 2) % (NET_RING_BYTES - 16);
			for (unsigned i = 0; i < 16; i++)
				((uint8_t *)p)[off + i] = (uint8_t)take(&data, &size, 1);
		}
	}
	return 0;
}
