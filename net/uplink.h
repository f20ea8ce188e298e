/*
 * uplink.h - the network named "uplink": Skiff's virtual switch bridged to
 * a physical NIC found by PCI: an Intel 82540EM (e1000) or, when there is
 * none, a legacy virtio-net device.
 *
 * The NIC is one uplink port of the switch: frames guests send to MACs the
 * switch does not know (and broadcast, multicast) go out on the wire;
 * frames from the wire reach only the guests they are addressed to
 * (broadcast and multicast: every guest on "uplink"), never flooded to
 * guests as unknown unicast. The NIC's exact-match receive filter holds
 * the MACs of the guests on "uplink" (up to 15; beyond that it runs
 * promiscuous and the switch does the filtering alone). The NIC is polled: on every
 * scheduling decision, and at least every UPLINK_POLL_NS while the CPU
 * idles; guests' frames are handed to the NIC as they are sent.
 */
#ifndef SKIFF_NET_UPLINK_H
#define SKIFF_NET_UPLINK_H

#include <stdbool.h>
#include <stdint.h>

#include "net/switch.h"

#define UPLINK_NETWORK "uplink"
#define UPLINK_POLL_NS 1000000u   /* 1 ms: the idle CPU's receive latency */

/* net_the_switch: the one switch every guest's net devices attach to. */
struct net_switch *net_the_switch(void);

/*
 * uplink_init: find the machine's NIC in the PCI scan, bring it up and
 * attach it to the network "uplink". Logs what it found; without a NIC
 * (or when it fails to start) guests on "uplink" only reach each other.
 */
void uplink_init(void);

/* uplink_active: a NIC is attached. */
bool uplink_active(void);

/* uplink_poll: move received frames from the NIC into the switch, and
 * retry guests' frames the NIC had no room for. Cheap when idle. */
void uplink_poll(void);

/* uplink_update_filter: reprogram the NIC's receive filter with the MACs
 * of the guest ports now on "uplink" (call after one attaches or leaves). */
void uplink_update_filter(void);

/* uplink_log_stats: one log line with the NIC's counters (at the end). */
void uplink_log_stats(void);

#endif
