/*
 * switch_smp_test.c - the virtual switch used by several CPUs at once
 * (host threads standing in for CPUs; built with ASan and UBSan).
 *
 * SENDERS threads each own a port: they send numbered unicast frames to
 * every other sender's port and drain their own queue, checking that each
 * frame is whole (its bytes follow from its sender and number) and that the
 * numbers from one sender only grow. Meanwhile a churn thread attaches a
 * port with freshly allocated storage, lets the senders' broadcasts reach
 * it, detaches it and frees the storage at once: a frame or a notify
 * reaching a detached port would write freed memory, which ASan reports
 * (a guest ending on one CPU while another delivers it a frame).
 * Afterwards every unicast frame is accounted for: received + dropped on
 * its receiver equals what was sent to it.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "net/switch.h"

/* Enough rounds that the switch without its lock fails here most runs (4
 * of 5 on a loaded 2-core host: counts off, frames torn), in seconds. */
#define SENDERS 3
#ifndef ROUNDS
#define ROUNDS 20000
#endif
#define CHURNS 100

static struct net_switch sw;
static struct net_port *ports[SENDERS];
static struct net_slot storage[SENDERS][NET_QUEUE_SLOTS];
static uint64_t notified[SENDERS];        /* changed under the switch's lock only */
static uint64_t unicast_to[SENDERS];      /* frames sent to each port (by owner: atomic) */
static uint64_t received[SENDERS];        /* unicast frames each owner took */
static unsigned bad_frames, churn_wakes, churn_failed;
static volatile int churn_done;

static void notify(void *owner)
{
	notified[(intptr_t)owner]++;
}

static void churn_notify(void *owner)
{
	(void)owner;
	churn_wakes++;  /* under the lock: no race */
}

static uint8_t pattern(unsigned from, uint32_t seq, unsigned i)
{
	return (uint8_t)(from * 31u + seq * 7u + i);
}

static void make_frame(uint8_t *f, const uint8_t *dst, unsigned from, uint32_t seq,
		       unsigned len)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, ports[from]->mac, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	memcpy(f + 14, &seq, 4);
	f[18] = (uint8_t)from;
	for (unsigned i = 19; i < len; i++)
		f[i] = pattern(from, seq, i);
}

/* check_frame: a unicast frame for me is whole and in order; broadcasts are skipped. */
static void check_frame(unsigned me, const uint8_t *f, uint64_t len, uint32_t *last_seq)
{
	uint32_t seq;
	unsigned from;

	if (f[0] & 1u)
		return;
	memcpy(&seq, f + 14, 4);
	from = f[18];
	received[me]++;
	if (from >= SENDERS || from == me || memcmp(f, ports[me]->mac, 6) != 0 ||
	    memcmp(f + 6, ports[from]->mac, 6) != 0 || seq <= last_seq[from]) {
		__atomic_fetch_add(&bad_frames, 1, __ATOMIC_RELAXED);
		return;
	}
	last_seq[from] = seq;
	for (uint64_t i = 19; i < len; i++)
		if (f[i] != pattern(from, seq, (unsigned)i)) {
			__atomic_fetch_add(&bad_frames, 1, __ATOMIC_RELAXED);
			return;
		}
}

static void drain(unsigned me, uint32_t *last_seq)
{
	uint8_t buf[NET_FRAME_MAX];
	uint64_t len;

	while (net_receive(ports[me], buf, sizeof(buf), &len) == NET_OK)
		check_frame(me, buf, len, last_seq);
}

static void *sender(void *arg)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned me = (unsigned)(intptr_t)arg;
	uint32_t last_seq[SENDERS] = { 0 };
	uint8_t f[NET_FRAME_MAX];

	for (uint32_t seq = 1; seq <= ROUNDS; seq++) {
		for (unsigned to = 0; to < SENDERS; to++) {
			if (to == me)
				continue;
			make_frame(f, ports[to]->mac, me, seq, 64 + (seq * 13u + to) % 1400u);
			if (net_send(&sw, ports[me], f, 64 + (seq * 13u + to) % 1400u) != NET_OK)
				__atomic_fetch_add(&bad_frames, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&unicast_to[to], 1, __ATOMIC_RELAXED);
		}
		if (seq % 8 == 0) {
			make_frame(f, bcast, me, seq, 60);
			(void)net_send(&sw, ports[me], f, 60);
		}
		drain(me, last_seq);
	}
	/* The others may still be sending: drain until they are all done. */
	while (!__atomic_load_n(&churn_done, __ATOMIC_ACQUIRE)) {
		drain(me, last_seq);
		sched_yield();
	}
	drain(me, last_seq);
	return NULL;
}

static void *churn(void *unused)
{
	(void)unused;
	for (unsigned i = 0; i < CHURNS; i++) {
		struct net_port_config cfg = {
			.network = "lan", .mac = { 0x02, 0, 0, 0, 1, (uint8_t)(i % 200) },
			.storage = malloc(NET_PORT_STORAGE), .notify = churn_notify,
		};
		char err[128];
		struct net_port *p = net_attach(&sw, &cfg, err, sizeof(err));
		uint8_t buf[NET_FRAME_MAX];
		uint64_t len;

		if (!p) {
			churn_failed++;
			free(cfg.storage);
			continue;
		}
		for (unsigned look = 0; look < 4; look++) {
			(void)net_receive(p, buf, sizeof(buf), &len);
			sched_yield();
		}
		net_detach(&sw, p, NULL);
		free(cfg.storage);   /* nobody may touch it from here on */
	}
	return NULL;
}

int main(void)
{
	pthread_t threads[SENDERS], churner;
	uint64_t accounted = 0, sent = 0;

	net_switch_init(&sw);
	for (unsigned i = 0; i < SENDERS; i++) {
		struct net_port_config cfg = {
			.network = "lan", .mac = { 0x02, 0, 0, 0, 0, (uint8_t)(i + 1) },
			.storage = storage[i], .notify = notify, .owner = (void *)(intptr_t)i,
		};
		char err[128];

		ports[i] = net_attach(&sw, &cfg, err, sizeof(err));
		CHECK(ports[i] != NULL);
	}
	CHECK(pthread_create(&churner, NULL, churn, NULL) == 0);
	for (unsigned i = 0; i < SENDERS; i++)
		CHECK(pthread_create(&threads[i], NULL, sender, (void *)(intptr_t)i) == 0);
	CHECK(pthread_join(churner, NULL) == 0);
	/* Senders finish their rounds, then drain until told everyone has. */
	for (unsigned i = 0; i < SENDERS; i++) {
		/* wait for each to finish sending by spinning on its counter */
		while (__atomic_load_n(&unicast_to[i], __ATOMIC_ACQUIRE) <
		       (uint64_t)ROUNDS * (SENDERS - 1))
			sched_yield();
	}
	__atomic_store_n(&churn_done, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < SENDERS; i++)
		CHECK(pthread_join(threads[i], NULL) == 0);

	CHECK(bad_frames == 0);
	CHECK(churn_failed == 0);
	for (unsigned i = 0; i < SENDERS; i++) {
		struct net_port_stats st = net_port_stats(ports[i]);

		CHECK(ports[i]->count == 0);
		CHECK(st.sent == (uint64_t)ROUNDS * (SENDERS - 1) + ROUNDS / 8);
		/* Every frame for i, unicast or broadcast from the other
		 * senders, was either queued (and taken) or dropped... */
		CHECK(st.received + st.dropped ==
		      unicast_to[i] + (uint64_t)(SENDERS - 1) * (ROUNDS / 8));
		/* ...each queued one announced once, each unicast taken checked. */
		CHECK(notified[i] == st.received);
		CHECK(received[i] <= unicast_to[i]);
		accounted += st.received + st.dropped;
		sent += unicast_to[i];
	}
	fprintf(stderr, "switch_smp_test: %llu unicast frames, %llu received or dropped "
		"(with broadcasts), %u churn wake-ups\n", (unsigned long long)sent,
		(unsigned long long)accounted, churn_wakes);
	return check_report("switch_smp_test");
}
