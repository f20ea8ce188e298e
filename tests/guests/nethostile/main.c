/*
 * nethostile - bad NET calls. Declares net "service" (handle 1) and block
 * "storage" (handle 2). Modes (first argument):
 *
 *   badcalls
 *       Every malformed call must come back EINVAL (or AGAIN where noted)
 *       and change nothing: frames longer than mtu + 14, runts, zero and
 *       "negative" lengths, NET calls on handle 0, on the block device's
 *       handle, past the manifest and at 64 and ~0, block reads and writes
 *       on the net handle, a NET_READ buffer shorter than the waiting frame (the frame
 *       stays); POLL with timeout 0 answers at once. Prints SUCCESS.
 *   outside-write | outside-read | straddle-read
 *       Prints "attempting X", then hands Skiff a frame buffer (partly)
 *       outside guest RAM with a valid length. Skiff must end the guest;
 *       if the call returns, prints ESCAPED and exits 1.
 */
#include "skiff.h"

#include "../common/netframe.h"
#include "lib/kstring.h"

SKIFF_MANIFEST(SKIFF_DEVICE_NET("service"), SKIFF_DEVICE_BLOCK("storage"));

#define NET 1u
#define BLOCK 2u

static uint8_t frame[2048], buf[2048];
static struct skiff_net_info info;
static int failures;

static void expect(int ok, const char *what)
{
	if (!ok) {
		failures++;
		skiff_printf("  FAIL %s\n", what);
	}
}

static enum skiff_result raw_net(enum skiff_hc_nr nr, uint64_t handle, uint64_t data,
				 uint64_t len, uint64_t *len_out)
{
	struct skiff_hc_net call = { .handle = handle, .data = data, .len = len,
				     .ret = SKIFF_EUNSPEC };

	skiff_hypercall(nr, &call);
	if (len_out)
		*len_out = call.len;
	return (enum skiff_result)call.ret;
}

static void bad_writes(void)
{
	uint64_t f = (uintptr_t)frame;

	netframe_eth(frame, info.mac, info.mac, ETH_TYPE_TEST);
	expect(raw_net(SKIFF_HC_NET_WRITE, NET, f, 1515, NULL) == SKIFF_EINVAL, "mtu + 15 bytes");
	expect(raw_net(SKIFF_HC_NET_WRITE, NET, f, 2048, NULL) == SKIFF_EINVAL, "2048 bytes");
	expect(raw_net(SKIFF_HC_NET_WRITE, NET, f, 13, NULL) == SKIFF_EINVAL, "13-byte runt");
	expect(raw_net(SKIFF_HC_NET_WRITE, NET, f, 0, NULL) == SKIFF_EINVAL, "zero length");
	expect(raw_net(SKIFF_HC_NET_WRITE, NET, f, (uint64_t)-1, NULL) == SKIFF_EINVAL, "length -1");
	expect(raw_net(SKIFF_HC_NET_WRITE, NET, f, (uint64_t)-14, NULL) == SKIFF_EINVAL, "length -14");
	expect(raw_net(SKIFF_HC_NET_WRITE, NET, ~(uint64_t)0, (uint64_t)-1, NULL) == SKIFF_EINVAL,
	       "length -1 at address ~0");
	expect(raw_net(SKIFF_HC_NET_WRITE, 0, f, 60, NULL) == SKIFF_EINVAL, "handle 0");
	expect(raw_net(SKIFF_HC_NET_WRITE, BLOCK, f, 60, NULL) == SKIFF_EINVAL, "block handle");
	expect(raw_net(SKIFF_HC_NET_WRITE, 3, f, 60, NULL) == SKIFF_EINVAL, "handle past the manifest");
	expect(raw_net(SKIFF_HC_NET_WRITE, 64, f, 60, NULL) == SKIFF_EINVAL, "handle 64");
	expect(raw_net(SKIFF_HC_NET_WRITE, ~(uint64_t)0, f, 60, NULL) == SKIFF_EINVAL, "handle ~0");
	expect(raw_net(SKIFF_HC_NET_WRITE, 1ull << 32 | NET, f, 60, NULL) == SKIFF_EINVAL,
	       "handle 2^32 + 1");
	skiff_printf("bad writes refused\n");
}

static void bad_reads(void)
{
	uint64_t b = (uintptr_t)buf, len = 0;

	expect(raw_net(SKIFF_HC_NET_READ, BLOCK, b, sizeof(buf), NULL) == SKIFF_EINVAL, "read block handle");
	expect(raw_net(SKIFF_HC_NET_READ, 0, b, sizeof(buf), NULL) == SKIFF_EINVAL, "read handle 0");
	expect(raw_net(SKIFF_HC_NET_READ, ~(uint64_t)0, b, sizeof(buf), NULL) == SKIFF_EINVAL,
	       "read handle ~0");
	expect(raw_net(SKIFF_HC_NET_READ, NET, b, sizeof(buf), NULL) == SKIFF_AGAIN, "empty: AGAIN");
	expect(raw_net(SKIFF_HC_NET_READ, NET, b, (uint64_t)-1, NULL) == SKIFF_AGAIN,
	       "empty, length -1: AGAIN");
	expect(skiff_poll(0) == 0, "POLL 0 with nothing queued: empty set");
	expect(skiff_block_read(NET, 0, buf, 512) == SKIFF_EINVAL, "block read on the net handle");
	expect(skiff_block_write(NET, 0, buf, 512) == SKIFF_EINVAL, "block write on the net handle");
	/* A frame to itself goes nowhere; no other port exists. */
	netframe_eth(frame, info.mac, info.mac, ETH_TYPE_TEST);
	expect(raw_net(SKIFF_HC_NET_WRITE, NET, (uintptr_t)frame, 60, NULL) == SKIFF_OK, "own frame");
	expect(raw_net(SKIFF_HC_NET_READ, NET, b, sizeof(buf), &len) == SKIFF_AGAIN,
	       "own frame not looped back");
	skiff_printf("bad reads refused\n");
}

static void attempt(const char *what, enum skiff_hc_nr nr, uint64_t data)
{
	skiff_printf("attempting %s\n", what);
	netframe_eth(frame, netframe_broadcast, info.mac, ETH_TYPE_TEST);
	raw_net(nr, NET, data, 60, NULL);
	skiff_printf("ESCAPED: %s returned\n", what);
	skiff_exit(1);
}

int main(int argc, char **argv)
{
	uint64_t handle;

	if (skiff_net_find("service", &handle) != SKIFF_OK || handle != NET ||
	    skiff_net_info(NET, &info) != SKIFF_OK) {
		skiff_printf("FAIL: net device not attached as handle 1\n");
		return 1;
	}
	if (argc >= 2 && strcmp(argv[1], "badcalls") == 0) {
		bad_writes();
		bad_reads();
		if (failures)
			return 1;
		skiff_printf("SUCCESS\n");
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "outside-write") == 0)
		attempt("outside-write", SKIFF_HC_NET_WRITE, skiff_mem_size() + 4096);
	if (argc >= 2 && strcmp(argv[1], "outside-read") == 0)
		attempt("outside-read", SKIFF_HC_NET_READ, skiff_mem_size() + 4096);
	if (argc >= 2 && strcmp(argv[1], "straddle-read") == 0)
		attempt("straddle-read", SKIFF_HC_NET_READ, skiff_mem_size() - 30);
	skiff_printf("FAIL: usage: badcalls | outside-write | outside-read | straddle-read\n");
	return 1;
}
