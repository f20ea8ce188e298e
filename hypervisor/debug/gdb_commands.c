/*
 * gdb_commands.c - answering GDB remote protocol commands against a
 * target (gdb_commands.h). Every argument is parsed with its bounds in
 * hand: a packet is any bytes gdb, or whoever is on the line, sent.
 */
#include "hypervisor/debug/gdb_commands.h"

#include "hypervisor/debug/gdb_packet.h"
#include "hypervisor/debug/gdb_regs.h"
#include "lib/kstring.h"

#define MEM_CHUNK_MAX (GDB_REPLY_MAX / 2)   /* bytes of one m reply */
#define STOP_REPLY "S05"                    /* SIGTRAP */

/* A packet being read: the bytes left, p up to end. */
struct cursor {
	const char *p, *end;
};

static bool take(struct cursor *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

/* take_hex: a hex number of 1..16 digits. */
static bool take_hex(struct cursor *c, uint64_t *out)
{
	unsigned digits = 0;
	uint64_t n = 0;
	int d;

	while (c->p < c->end && (d = gdb_hex_digit(*c->p)) >= 0) {
		if (++digits > 16)
			return false;
		n = n << 4 | (uint64_t)d;
		c->p++;
	}
	*out = n;
	return digits > 0;
}

/* take_bytes: exactly 2 * len hex digits into buf. */
static bool take_bytes(struct cursor *c, uint8_t *buf, size_t len)
{
	if ((size_t)(c->end - c->p) < 2 * len)
		return false;
	for (size_t i = 0; i < len; i++) {
		int high = gdb_hex_digit(c->p[2 * i]), low = gdb_hex_digit(c->p[2 * i + 1]);

		if (high < 0 || low < 0)
			return false;
		buf[i] = (uint8_t)(high << 4 | low);
	}
	c->p += 2 * len;
	return true;
}

static bool at_end(const struct cursor *c)
{
	return c->p == c->end;
}

static void put_error(char *reply)
{
	memcpy(reply, "E01", 4);
}

static void put_ok(char *reply)
{
	memcpy(reply, "OK", 3);
}

static void put_text(char *reply, const char *text)
{
	memcpy(reply, text, strlen(text) + 1);
}

/* put_value: size bytes of value, little-endian, in hex at out. */
static char *put_value(char *out, uint64_t value, unsigned size)
{
	for (unsigned i = 0; i < size; i++, out += 2)
		gdb_hex_byte((uint8_t)(i < 8 ? value >> (8 * i) : 0), out);
	return out;
}

/* put_register: register r in hex at out ("xx..." when unavailable). */
static char *put_register(const struct gdb_target *t, const struct gdb_reg *r, char *out)
{
	if (r->kind == GDB_REG_UNAVAILABLE) {
		memset(out, 'x', 2u * r->size);
		return out + 2u * r->size;
	}
	if (r->kind == GDB_REG_SELECTOR)
		return put_value(out, r->selector, r->size);
	return put_value(out, t->reg_read(t->ctx, r->hal), r->size);
}

static void read_registers(const struct gdb_target *t, char *reply)
{
	char *out = reply;
	struct gdb_reg r;

	for (unsigned n = 0; gdb_reg_describe(n, &r); n++)
		out = put_register(t, &r, out);
	*out = '\0';
}

/* store_register: value (little-endian bytes) into r; selectors and the
 * unavailable registers keep their values. */
static void store_register(const struct gdb_target *t, const struct gdb_reg *r,
			   const uint8_t *bytes)
{
	uint64_t value = 0;

	if (r->kind != GDB_REG_HAL)
		return;
	for (unsigned i = r->size; i-- > 0;)
		value = value << 8 | bytes[i];
	if (r->size == 4)   /* eflags: the upper half is reserved, zero */
		value &= 0xffffffffu;
	t->reg_write(t->ctx, r->hal, value);
}

/* G: the whole block, checked before any register changes. */
static void write_registers(const struct gdb_target *t, struct cursor *c, char *reply)
{
	static uint8_t block[GDB_REGS_BYTES];
	size_t at = 0;
	struct gdb_reg r;

	if ((size_t)(c->end - c->p) != 2u * GDB_REGS_BYTES) {
		put_error(reply);
		return;
	}
	for (unsigned n = 0; gdb_reg_describe(n, &r); at += r.size, n++) {
		if (r.kind == GDB_REG_UNAVAILABLE) {
			c->p += 2u * r.size;  /* whatever gdb sends for them is ignored */
			continue;
		}
		if (!take_bytes(c, block + at, r.size)) {
			put_error(reply);
			return;
		}
	}
	at = 0;
	for (unsigned n = 0; gdb_reg_describe(n, &r); at += r.size, n++)
		store_register(t, &r, block + at);
	put_ok(reply);
}

static void read_one_register(const struct gdb_target *t, struct cursor *c, char *reply)
{
	uint64_t number;
	struct gdb_reg r;

	if (!take_hex(c, &number) || !at_end(c) || number >= GDB_REG_COUNT ||
	    !gdb_reg_describe((unsigned)number, &r)) {
		put_error(reply);
		return;
	}
	*put_register(t, &r, reply) = '\0';
}

static void write_one_register(const struct gdb_target *t, struct cursor *c, char *reply)
{
	uint8_t bytes[16];
	uint64_t number;
	struct gdb_reg r;

	if (!take_hex(c, &number) || !take(c, '=') || number >= GDB_REG_COUNT ||
	    !gdb_reg_describe((unsigned)number, &r)) {
		put_error(reply);
		return;
	}
	if (r.kind == GDB_REG_UNAVAILABLE || !take_bytes(c, bytes, r.size) || !at_end(c)) {
		put_error(reply);
		return;
	}
	store_register(t, &r, bytes);
	put_ok(reply);
}

bool gdb_breakpoint_at(const struct gdb_session *s, uint64_t addr)
{
	for (unsigned i = 0; i < s->bp_count; i++)
		if (s->bp[i].addr == addr)
			return true;
	return false;
}

/* hide_breakpoints: show gdb the bytes its INT3s replaced in buf (at addr). */
static void hide_breakpoints(const struct gdb_session *s, uint64_t addr, uint8_t *buf,
			     size_t len)
{
	for (unsigned i = 0; i < s->bp_count; i++)
		if (s->bp[i].addr - addr < len)
			buf[s->bp[i].addr - addr] = s->bp[i].saved;
}

static void read_memory(struct gdb_session *s, const struct gdb_target *t,
			struct cursor *c, char *reply)
{
	static uint8_t buf[MEM_CHUNK_MAX];
	uint64_t addr, len;

	if (!take_hex(c, &addr) || !take(c, ',') || !take_hex(c, &len) || !at_end(c)) {
		put_error(reply);
		return;
	}
	if (len > MEM_CHUNK_MAX)
		len = MEM_CHUNK_MAX;   /* gdb asks again for the rest */
	if (t->mem_read(t->ctx, addr, buf, len) != 0) {
		put_error(reply);
		return;
	}
	hide_breakpoints(s, addr, buf, len);
	for (size_t i = 0; i < len; i++)
		gdb_hex_byte(buf[i], reply + 2 * i);
	reply[2 * len] = '\0';
}

/* keep_breakpoints: bytes written over a breakpoint become its saved byte;
 * the INT3 stays in memory. */
static void keep_breakpoints(struct gdb_session *s, const struct gdb_target *t,
			     uint64_t addr, const uint8_t *buf, size_t len)
{
	static const uint8_t int3 = GDB_INT3;

	for (unsigned i = 0; i < s->bp_count; i++)
		if (s->bp[i].addr - addr < len) {
			s->bp[i].saved = buf[s->bp[i].addr - addr];
			(void)t->mem_write(t->ctx, s->bp[i].addr, &int3, 1);
		}
}

static void write_memory(struct gdb_session *s, const struct gdb_target *t,
			 struct cursor *c, char *reply)
{
	static uint8_t buf[MEM_CHUNK_MAX];
	uint64_t addr, len;

	if (!take_hex(c, &addr) || !take(c, ',') || !take_hex(c, &len) || !take(c, ':') ||
	    len > MEM_CHUNK_MAX || !take_bytes(c, buf, len) || !at_end(c) ||
	    t->mem_write(t->ctx, addr, buf, len) != 0) {
		put_error(reply);
		return;
	}
	keep_breakpoints(s, t, addr, buf, len);
	put_ok(reply);
}

static int insert_breakpoint(struct gdb_session *s, const struct gdb_target *t, uint64_t addr)
{
	static const uint8_t int3 = GDB_INT3;
	uint8_t saved;

	if (gdb_breakpoint_at(s, addr))
		return 0;
	if (s->bp_count == GDB_BREAKPOINTS_MAX || t->mem_read(t->ctx, addr, &saved, 1) != 0 ||
	    t->mem_write(t->ctx, addr, &int3, 1) != 0)
		return -1;
	s->bp[s->bp_count++] = (struct gdb_breakpoint){ .addr = addr, .saved = saved };
	return 0;
}

static void remove_breakpoint(struct gdb_session *s, const struct gdb_target *t, uint64_t addr)
{
	for (unsigned i = 0; i < s->bp_count; i++)
		if (s->bp[i].addr == addr) {
			(void)t->mem_write(t->ctx, addr, &s->bp[i].saved, 1);
			s->bp[i] = s->bp[--s->bp_count];
			return;
		}
}

void gdb_remove_all_breakpoints(struct gdb_session *s, const struct gdb_target *t)
{
	while (s->bp_count)
		remove_breakpoint(s, t, s->bp[0].addr);
}

/* Z0,ADDR,KIND / z0,ADDR,KIND; other kinds of breakpoint are not supported. */
static void breakpoint_command(struct gdb_session *s, const struct gdb_target *t,
			       struct cursor *c, bool insert, char *reply)
{
	uint64_t type, addr, kind;

	if (!take_hex(c, &type) || !take(c, ',') || !take_hex(c, &addr) || !take(c, ',') ||
	    !take_hex(c, &kind)) {
		put_error(reply);
		return;
	}
	if (type != 0) {
		reply[0] = '\0';
		return;
	}
	if (!insert)
		remove_breakpoint(s, t, addr);
	else if (insert_breakpoint(s, t, addr) != 0) {
		put_error(reply);
		return;
	}
	put_ok(reply);
}

/* c [ADDR] / s [ADDR]: resume, at ADDR when given. */
static enum gdb_action resume(const struct gdb_target *t, struct cursor *c,
			      enum gdb_action how, char *reply)
{
	uint64_t addr;

	if (!at_end(c)) {
		if (!take_hex(c, &addr) || !at_end(c)) {
			put_error(reply);
			return GDB_STAY;
		}
		t->reg_write(t->ctx, HAL_REG_RIP, addr);
	}
	reply[0] = '\0';
	return how;
}

static bool body_is(const struct cursor *c, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(c->end - c->p) == n && memcmp(c->p, word, n) == 0;
}

static bool body_starts(const struct cursor *c, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(c->end - c->p) >= n && memcmp(c->p, word, n) == 0;
}

/* General queries (q...): the few gdb needs to attach; others unsupported. */
static void query(const struct cursor *c, char *reply)
{
	reply[0] = '\0';
	if (body_starts(c, "qSupported"))
		put_text(reply, "PacketSize=1000");
	else if (body_is(c, "qAttached"))
		put_text(reply, "1");
	else if (body_is(c, "qC"))
		put_text(reply, "QC1");
	else if (body_is(c, "qfThreadInfo"))
		put_text(reply, "m1");
	else if (body_is(c, "qsThreadInfo"))
		put_text(reply, "l");
}

_Static_assert(GDB_PACKET_MAX == 0x1000, "PacketSize in qSupported's reply");
_Static_assert(2 * GDB_REGS_BYTES <= GDB_REPLY_MAX, "the g reply fits");

enum gdb_action gdb_command(struct gdb_session *s, const struct gdb_target *t,
			    const char *body, size_t len, char *reply)
{
	struct cursor c = { body, body + len };
	char command = len ? body[0] : '\0';

	reply[0] = '\0';
	if (len == 0)
		return GDB_STAY;
	if (command != 'q' && command != 'v')
		c.p++;
	switch (command) {
	case '?': put_text(reply, STOP_REPLY); break;
	case 'g': read_registers(t, reply); break;
	case 'G': write_registers(t, &c, reply); break;
	case 'p': read_one_register(t, &c, reply); break;
	case 'P': write_one_register(t, &c, reply); break;
	case 'm': read_memory(s, t, &c, reply); break;
	case 'M': write_memory(s, t, &c, reply); break;
	case 'Z': breakpoint_command(s, t, &c, true, reply); break;
	case 'z': breakpoint_command(s, t, &c, false, reply); break;
	case 'c': return resume(t, &c, GDB_CONTINUE, reply);
	case 's': return resume(t, &c, GDB_STEP, reply);
	case 'H': case 'T': put_ok(reply); break;
	case 'D':
		gdb_remove_all_breakpoints(s, t);
		put_ok(reply);
		return GDB_DETACH;
	case 'k':
		gdb_remove_all_breakpoints(s, t);
		return GDB_DETACH;
	case 'q': query(&c, reply); break;
	default: break;   /* v... and the rest: the empty reply */
	}
	return GDB_STAY;
}
