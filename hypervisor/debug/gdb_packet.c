/*
 * gdb_packet.c - receiving and framing GDB remote protocol packets
 * (gdb_packet.h).
 */
#include "hypervisor/debug/gdb_packet.h"

#define GDB_INTERRUPT 0x03

void gdb_rx_reset(struct gdb_rx *rx)
{
	rx->state = GDB_RX_IDLE;
	rx->len = 0;
	rx->overflow = false;
	rx->sum = 0;
	rx->sent_sum = 0;
}

int gdb_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void gdb_hex_byte(uint8_t byte, char *out)
{
	static const char digits[] = "0123456789abcdef";

	out[0] = digits[byte >> 4];
	out[1] = digits[byte & 15];
}

static enum gdb_rx_event idle_byte(struct gdb_rx *rx, uint8_t byte)
{
	if (byte == '$') {
		gdb_rx_reset(rx);
		rx->state = GDB_RX_BODY;
	}
	if (byte == '+')
		return GDB_RX_ACK;
	if (byte == '-')
		return GDB_RX_NAK;
	if (byte == GDB_INTERRUPT)
		return GDB_RX_INTERRUPT;
	return GDB_RX_NONE;
}

static void body_byte(struct gdb_rx *rx, uint8_t byte)
{
	if (byte == '$') {          /* a new start: the old packet was cut off */
		gdb_rx_reset(rx);
		rx->state = GDB_RX_BODY;
		return;
	}
	if (byte == '#') {
		rx->state = GDB_RX_SUM_HIGH;
		return;
	}
	rx->sum = (uint8_t)(rx->sum + byte);
	if (rx->len < GDB_PACKET_MAX)
		rx->body[rx->len++] = (char)byte;
	else
		rx->overflow = true;
}

/* The packet's second checksum digit came: judge the whole packet. */
static enum gdb_rx_event packet_end(struct gdb_rx *rx, int low, bool digits_ok)
{
	enum gdb_rx_event event;

	rx->state = GDB_RX_IDLE;
	rx->body[rx->len] = '\0';
	if (!digits_ok || low < 0 || (uint8_t)(rx->sent_sum << 4 | low) != rx->sum)
		event = GDB_RX_BAD_SUM;
	else if (rx->overflow)
		event = GDB_RX_TOO_LONG;
	else
		event = GDB_RX_PACKET;
	return event;
}

enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t byte)
{
	int digit;

	switch (rx->state) {
	case GDB_RX_BODY:
		body_byte(rx, byte);
		return GDB_RX_NONE;
	case GDB_RX_SUM_HIGH:
		digit = gdb_hex_digit((char)byte);
		/* A bad first digit is remembered as 0x10, which no sum matches. */
		rx->sent_sum = digit < 0 ? 0x10 : (uint8_t)digit;
		rx->state = GDB_RX_SUM_LOW;
		return GDB_RX_NONE;
	case GDB_RX_SUM_LOW:
		return packet_end(rx, gdb_hex_digit((char)byte), rx->sent_sum < 0x10);
	case GDB_RX_IDLE:
	default:
		return idle_byte(rx, byte);
	}
}

size_t gdb_frame(const char *body, size_t len, char *out, size_t cap)
{
	uint8_t sum = 0;

	if (cap < 5 || len > cap - 5)
		return 0;
	out[0] = '$';
	for (size_t i = 0; i < len; i++) {
		out[1 + i] = body[i];
		sum = (uint8_t)(sum + (uint8_t)body[i]);
	}
	out[1 + len] = '#';
	gdb_hex_byte(sum, &out[2 + len]);
	out[4 + len] = '\0';
	return len + 4;
}
