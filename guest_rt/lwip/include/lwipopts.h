/*
 * lwipopts.h - lwIP's configuration for Skiff appliances.
 *
 * NO_SYS = 1: one thread, the callback ("raw") API, timers driven by
 * skiff_lwip_poll (lwIP 2.1.3 builds its socket and netconn layers only
 * with an OS underneath). IPv4 with ARP, ICMP, UDP, TCP and DHCP.
 */
#ifndef SKIFF_LWIPOPTS_H
#define SKIFF_LWIPOPTS_H

#include <stdint.h>

#define NO_SYS 1
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_TIMERS 1

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_RAW 0
#define LWIP_DNS 0
#define LWIP_IGMP 0
#define LWIP_DHCP 1
#define DHCP_DOES_ARP_CHECK 0     /* no 1-2 s wait for a conflict that a switch port cannot have */
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_SINGLE_NETIF 0
/* Loopback: 127.0.0.1 (lwIP's loop interface) and datagrams or segments
 * to the interface's own address come back in without reaching Skiff.
 * NO_SYS: skiff_lwip_poll delivers them (netif_poll_all). */
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_LOOPBACK_MAX_PBUFS 64   /* a bound: a program flooding itself drops */

/* Memory: lwIP's own heap and pools, in the appliance's .bss. */
#define MEM_ALIGNMENT 8
#define MEM_SIZE (512 * 1024)
#define MEMP_NUM_PBUF 64
#define MEMP_NUM_UDP_PCB 8
#define MEMP_NUM_TCP_PCB 32
#define MEMP_NUM_TCP_PCB_LISTEN 8
#define MEMP_NUM_TCP_SEG 128
#define PBUF_POOL_SIZE 64
#define PBUF_POOL_BUFSIZE 1536

#define TCP_MSS 1460
#define TCP_WND (8 * TCP_MSS)
#define TCP_SND_BUF (16 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define LWIP_TCP_KEEPALIVE 1

#define LWIP_CHKSUM_ALGORITHM 3
#define LWIP_STATS 0
#define LWIP_NETIF_HOSTNAME 0

/* A random number for ports and ISNs: the TSC is all a guest has. */
uint32_t skiff_lwip_rand(void);
#define LWIP_RAND() skiff_lwip_rand()

#endif
