/*
 * ring_test.c - host tests of Skiff's side of the NET rings: registration
 * rules, frames both ways, wrap-around, garbage indices, descriptors
 * outside RAM or too long, a guest that rewrites a descriptor after Skiff
 * copied it, a full receive half.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/errno.h"
#include "net/net_ring.h"

#define RAM (4u << 20)
#define RING_GPA 0x200000u
#define BUF_GPA 0x300000u

static uint8_t *ram;
static struct guest_memory mem;

static struct net_ring_page *page(void)
{
	return (struct net_ring_page *)(ram + RING_GPA);
}

static void fresh(struct net_ring *r)
{
	const char *why = NULL;

	memset(ram, 0, RAM);
	page()->magic = NET_RING_MAGIC;
	page()->version = NET_RING_VERSION;
	page()->entries = NET_RING_ENTRIES;
	memset(r, 0, sizeof(*r));
	CHECK(net_ring_register(r, &mem, RING_GPA, &why) == 0);
}

static void test_register(void)
{
	struct net_ring r = { 0 };
	const char *why = NULL;

	memset(ram, 0, RAM);
	page()->magic = NET_RING_MAGIC;
	page()->version = NET_RING_VERSION;
	page()->entries = NET_RING_ENTRIES;
	CHECK(net_ring_register(&r, &mem, RING_GPA + 8, &why) == -EINVAL && !r.active);
	CHECK(net_ring_register(&r, &mem, 0x2000, &why) == -EINVAL);     /* the PML4 */
	CHECK(net_ring_register(&r, &mem, 0, &why) == -EINVAL);
	CHECK(net_ring_register(&r, &mem, RAM, &why) == -EINVAL);
	CHECK(net_ring_register(&r, &mem, RAM - 4096 + 4096ull * 1000000, &why) == -EINVAL);
	CHECK(net_ring_register(&r, &mem, UINT64_MAX & ~4095ull, &why) == -EINVAL);
	page()->tx.prod = 3;
	CHECK(net_ring_register(&r, &mem, RING_GPA, &why) == -EINVAL);
	page()->tx.prod = 0;
	page()->version = 2;
	CHECK(net_ring_register(&r, &mem, RING_GPA, &why) == -EINVAL);
	page()->version = NET_RING_VERSION;
	CHECK(!r.active);
	CHECK(net_ring_register(&r, &mem, RING_GPA, &why) == 0 && r.active);
	CHECK(net_ring_register(&r, &mem, RAM - 4096, &why) == -EINVAL);  /* no magic there */
}

static void put_tx(uint32_t i, uint64_t addr, uint32_t len)
{
	page()->tx.desc[i % NET_RING_ENTRIES] = (struct net_ring_desc){ addr, len, 0 };
}

static void test_tx(void)
{
	struct net_ring r;
	const uint8_t *f;
	uint32_t len, sent = 0;

	fresh(&r);
	CHECK(net_ring_tx_next(&r, &mem, 14, 1514, &f, &len) == NET_RING_EMPTY);
	/* 200 frames through a 64-entry ring: wrap-around. */
	for (uint32_t n = 0; n < 200; n++) {
		put_tx(n, BUF_GPA + n, 60);
		page()->tx.prod = n + 1;
		CHECK(net_ring_tx_pending(&r, &mem));
		CHECK(net_ring_tx_next(&r, &mem, 14, 1514, &f, &len) == NET_RING_FRAME);
		CHECK(f == ram + BUF_GPA + n && len == 60);
		net_ring_tx_done(&r, &mem, NET_RING_DONE);
		sent++;
	}
	CHECK(page()->tx.cons == 200 && sent == 200);
	CHECK(page()->tx.desc[199 % NET_RING_ENTRIES].status == NET_RING_DONE);
	/* Bad descriptors: refused one by one, the ring goes on. */
	put_tx(200, RAM - 10, 60);                 /* runs past RAM */
	put_tx(201, UINT64_MAX - 5, 60);           /* wraps */
	put_tx(202, BUF_GPA, 1515);                /* over the MTU */
	put_tx(203, BUF_GPA, 0xffffffffu);         /* "negative" */
	put_tx(204, BUF_GPA, 13);                  /* runt */
	page()->tx.prod = 205;
	for (int i = 0; i < 5; i++) {
		CHECK(net_ring_tx_next(&r, &mem, 14, 1514, &f, &len) == NET_RING_BAD);
		net_ring_tx_done(&r, &mem, NET_RING_REFUSED);
	}
	CHECK(r.bad_desc == 5 && r.active && page()->tx.cons == 205);
	CHECK(page()->tx.desc[204 % NET_RING_ENTRIES].status == NET_RING_REFUSED);
	/* Skiff's consumer index is its own: the guest rewriting cons changes nothing. */
	page()->tx.cons = 7;
	put_tx(205, BUF_GPA, 100);
	page()->tx.prod = 206;
	CHECK(net_ring_tx_next(&r, &mem, 14, 1514, &f, &len) == NET_RING_FRAME && len == 100);
	/* The descriptor was copied: a change now does not reach Skiff's checked copy. */
	put_tx(205, RAM + 4096, 5000);
	CHECK(len == 100 && f == ram + BUF_GPA);
	net_ring_tx_done(&r, &mem, NET_RING_DONE);
	CHECK(page()->tx.cons == 206);
	/* A producer too far ahead: garbage, the ring stops. */
	page()->tx.prod = 206 + NET_RING_ENTRIES + 1;
	CHECK(net_ring_tx_next(&r, &mem, 14, 1514, &f, &len) == NET_RING_STOPPED);
	CHECK(!r.active && r.bad_index == 1);
	CHECK(net_ring_tx_next(&r, &mem, 14, 1514, &f, &len) == NET_RING_EMPTY);
	/* A producer behind the consumer is garbage too. */
	fresh(&r);
	page()->tx.prod = (uint32_t)-1;
	CHECK(net_ring_tx_next(&r, &mem, 14, 1514, &f, &len) == NET_RING_STOPPED);
}

static void arm_rx(uint32_t i, uint64_t addr, uint32_t cap)
{
	page()->rx.desc[i % NET_RING_ENTRIES] = (struct net_ring_desc){ addr, cap, 0 };
}

static void test_rx(void)
{
	struct net_ring r;
	uint8_t frame[1514];

	for (unsigned i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7);
	fresh(&r);
	for (uint32_t i = 0; i < NET_RING_ENTRIES; i++)
		arm_rx(i, BUF_GPA + 2048 * i, 2048);
	for (uint32_t i = 0; i < NET_RING_ENTRIES; i++)
		CHECK(net_ring_rx_put(&r, &mem, frame, 100 + i) == NET_RING_FRAME);
	CHECK(page()->rx.prod == NET_RING_ENTRIES);
	CHECK(net_ring_rx_put(&r, &mem, frame, 60) == NET_RING_EMPTY);   /* full */
	CHECK(page()->rx.desc[5].len == 105 && page()->rx.desc[5].status == NET_RING_DONE);
	CHECK(memcmp(ram + BUF_GPA + 2048 * 5, frame, 105) == 0);
	/* The guest consumes two and re-arms them, one badly. */
	arm_rx(0, RAM - 10, 2048);               /* the frame would run past RAM */
	arm_rx(1, BUF_GPA, 50);                  /* too small */
	page()->rx.cons = 2;
	CHECK(net_ring_rx_put(&r, &mem, frame, 60) == NET_RING_BAD);
	CHECK(net_ring_rx_put(&r, &mem, frame, 60) == NET_RING_BAD);
	CHECK(r.bad_desc == 2 && page()->rx.prod == NET_RING_ENTRIES + 2);
	CHECK(page()->rx.desc[0].status == NET_RING_REFUSED);
	CHECK(net_ring_rx_put(&r, &mem, frame, 60) == NET_RING_EMPTY);
	/* Garbage consumer: ahead of the producer. */
	page()->rx.cons = NET_RING_ENTRIES + 10;
	CHECK(net_ring_rx_put(&r, &mem, frame, 60) == NET_RING_STOPPED && !r.active);
	CHECK(r.bad_index == 1);
	/* Ready while the guest's consumer is behind Skiff's producer. */
	fresh(&r);
	arm_rx(0, BUF_GPA, 2048);
	CHECK(!net_ring_rx_ready(&r, &mem));
	CHECK(net_ring_rx_put(&r, &mem, frame, 60) == NET_RING_FRAME);
	CHECK(net_ring_rx_ready(&r, &mem));
	page()->rx.cons = 1;
	CHECK(!net_ring_rx_ready(&r, &mem));
}

int main(void)
{
	ram = calloc(1, RAM);
	mem = (struct guest_memory){ .base = ram, .size = RAM };
	test_register();
	test_tx();
	test_rx();
	free(ram);
	return check_report("net_ring");
}
