/*
 * vring_layout_test.c - the legacy split-ring layout: the used ring on the
 * first 4 KiB boundary after the available ring, the total in whole pages.
 */
#include "check.h"
#include "drivers/virtio/virtio.h"

int main(void)
{
	struct vring_layout l = vring_layout_for(256);

	/* 256 descriptors: 4096 bytes; avail: 6 + 512; used: 6 + 2048. */
	CHECK(l.desc == 0 && l.avail == 4096 && l.used == 8192 && l.bytes == 12288);
	l = vring_layout_for(128);
	CHECK(l.avail == 2048 && l.used == 4096 && l.bytes == 8192);
	l = vring_layout_for(3);
	CHECK(l.avail == 48 && l.used == 4096 && l.bytes == 8192);
	l = vring_layout_for(32768);
	CHECK(l.avail == 524288 && l.used == 524288 + 69632 && l.bytes % 4096 == 0);
	return check_report("vring_layout");
}
