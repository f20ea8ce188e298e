/*
 * gdb_packet.h - framing of the GDB remote serial protocol: "$DATA#CS",
 * CS the modulo-256 sum of DATA's bytes in two hex digits, answered by
 * '+' (taken) or '-' (send again). Portable: no I/O here, bytes in and
 * frames out, so host tests and a fuzzer drive it directly.
 */
#ifndef SKIFF_GDB_PACKET_H
#define SKIFF_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest packet body Skiff accepts (advertised as PacketSize). */
#define GDB_PACKET_MAX 4096

/* What one received byte completed. */
enum gdb_rx_event {
	GDB_RX_NONE,       /* nothing yet: feed more bytes */
	GDB_RX_PACKET,     /* a whole packet with a good checksum: rx->body, rx->len */
	GDB_RX_BAD_SUM,    /* a whole packet whose checksum is wrong: answer '-' */
	GDB_RX_TOO_LONG,   /* a whole packet longer than GDB_PACKET_MAX: answer an error */
	GDB_RX_ACK,        /* '+' outside a packet */
	GDB_RX_NAK,        /* '-' outside a packet: send the last reply again */
	GDB_RX_INTERRUPT,  /* 0x03 outside a packet (gdb's Ctrl-C) */
};

enum gdb_rx_state { GDB_RX_IDLE, GDB_RX_BODY, GDB_RX_SUM_HIGH, GDB_RX_SUM_LOW };

/* A receiver: zero-initialised (or gdb_rx_reset) before its first byte. */
struct gdb_rx {
	enum gdb_rx_state state;
	size_t len;              /* body bytes kept (at most GDB_PACKET_MAX) */
	bool overflow;           /* the body was longer: the rest was dropped */
	uint8_t sum;             /* running sum of the body */
	uint8_t sent_sum;        /* checksum as received, high digit first */
	char body[GDB_PACKET_MAX + 1];  /* NUL-terminated when a packet is reported */
};

/* gdb_rx_reset: forget any partial packet. */
void gdb_rx_reset(struct gdb_rx *rx);

/*
 * gdb_rx_byte: feed one byte. Any byte value is accepted: noise outside a
 * packet is dropped, a '$' inside a packet starts over, a non-hex checksum
 * digit makes the packet GDB_RX_BAD_SUM. Never reads or writes outside rx.
 */
enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t byte);

/*
 * gdb_frame: "$" body "#" checksum into out (cap bytes), NUL-terminated.
 * body must not hold '$', '#', '}' or '*' (Skiff's replies are hex and
 * plain words). Returns the frame's length, or 0 when it does not fit.
 */
size_t gdb_frame(const char *body, size_t len, char *out, size_t cap);

/* gdb_hex_digit: the value of hex digit c, or -1. */
int gdb_hex_digit(char c);

/* gdb_hex_byte: two hex characters for byte at out[0..1]. */
void gdb_hex_byte(uint8_t byte, char *out);

#endif
