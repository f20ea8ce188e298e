/*
 * skiff_lwip.h - TCP/IP for C appliances: lwIP 2.1.3 (callback API) on a
 * Skiff NET device.
 *
 * One thread, no sockets: the appliance uses lwIP's raw API (tcp_new,
 * tcp_bind, tcp_listen, tcp_accept, tcp_recv, tcp_write, udp_new, ...)
 * from lwip/tcp.h and lwip/udp.h, and calls skiff_lwip_poll in its main
 * loop, which sleeps in POLL until a frame or lwIP's next timer.
 */
#ifndef SKIFF_LWIP_H
#define SKIFF_LWIP_H

#include <stdbool.h>
#include <stdint.h>

#include "lwip/netif.h"

/*
 * skiff_lwip_start: bring up lwIP on the net device called device (the
 * manifest name). The address comes from the environment variable
 * SKIFF_NET_<DEVICE> (DEVICE upper-cased, other characters than letters
 * and digits as '_'), "A.B.C.D/PREFIX[,gw=E.F.G.H]", or else from DHCP,
 * waiting at most timeout_ms for a lease. Prints "net DEVICE: A.B.C.D".
 * Returns the interface, or NULL (after printing why) when the device is
 * not attached, the setting is malformed or no lease came.
 */
struct netif *skiff_lwip_start(const char *device, uint32_t timeout_ms);

/*
 * skiff_lwip_poll: wait at most timeout_ms (or less, for lwIP's timers)
 * for frames, hand every waiting frame to lwIP and run its due timers.
 */
void skiff_lwip_poll(uint32_t timeout_ms);

/* sys_now for lwIP: milliseconds from the TSC. */
uint32_t sys_now(void);

#endif
