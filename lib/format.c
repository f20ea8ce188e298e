/*
 * format.c - a small printf-style formatter (lib/format.h).
 *
 * Output goes through a cursor that counts every byte the full output
 * would have and stores only those that fit, so the return value matches
 * vsnprintf and a short buffer never overflows.
 */
#include "lib/format.h"

#include <stdbool.h>
#include <limits.h>
#include <stdint.h>

#include "lib/kstring.h"

struct cursor {
	char *buf;
	size_t size;
	size_t len;      /* bytes the full output has so far */
};

struct spec {
	bool left;       /* '-': pad on the right */
	bool zero;       /* '0': pad numbers with zeros */
	unsigned width;
	bool has_precision;
	unsigned precision;
	int length;      /* -1 h, 0 none, 1 l, 2 ll, 3 z */
};

static void put(struct cursor *c, char ch)
{
	if (c->size > 0 && c->len < c->size - 1)
		c->buf[c->len] = ch;
	c->len++;
}

static void put_repeat(struct cursor *c, char ch, unsigned n)
{
	while (n--)
		put(c, ch);
}

/* put_padded: body (len bytes) inside the field width of sp. */
static void put_padded(struct cursor *c, const struct spec *sp,
		       const char *body, size_t len)
{
	unsigned pad = sp->width > len ? sp->width - (unsigned)len : 0;

	if (!sp->left)
		put_repeat(c, ' ', pad);
	for (size_t i = 0; i < len; i++)
		put(c, body[i]);
	if (sp->left)
		put_repeat(c, ' ', pad);
}

/*
 * put_number: value in base, with an optional sign or prefix. Zero padding
 * goes between the sign/prefix and the digits, as in C.
 */
static void put_number(struct cursor *c, const struct spec *sp, uint64_t value,
		       unsigned base, bool upper, bool negative, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t n = 0;
	size_t prefix_len = strlen(prefix) + (negative ? 1 : 0);

	do {
		tmp[n++] = digits[value % base];
		value /= base;
	} while (value);

	size_t total = n + prefix_len;
	unsigned pad = sp->width > total ? sp->width - (unsigned)total : 0;
	bool zero_pad = sp->zero && !sp->left;

	if (!zero_pad && !sp->left)
		put_repeat(c, ' ', pad);
	if (negative)
		put(c, '-');
	for (const char *p = prefix; *p; p++)
		put(c, *p);
	if (zero_pad)
		put_repeat(c, '0', pad);
	while (n)
		put(c, tmp[--n]);
	if (sp->left)
		put_repeat(c, ' ', pad);
}

static uint64_t take_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case -1: return (unsigned short)va_arg(*ap, unsigned int);
	case 1: return va_arg(*ap, unsigned long);
	case 2: return va_arg(*ap, unsigned long long);
	case 3: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static int64_t take_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case -1: return (short)va_arg(*ap, int);
	case 1: return va_arg(*ap, long);
	case 2: return va_arg(*ap, long long);
	/* %zd: the signed type of size_t's width. */
	case 3: return (int64_t)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

/*
 * bounded_length: strnlen, written out because host builds take string
 * functions from a libc that declares strnlen only outside strict C11.
 */
static size_t bounded_length(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/*
 * parse_spec: flags, width, precision and length after a '%'. A '*' width
 * or precision takes an int argument, as in C.
 */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ 0 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		/* A negative width from '*' means '-' with its magnitude, as in C. */
		int w = va_arg(*ap, int);
		sp->left |= w < 0;
		sp->width = w < 0 ? 0u - (unsigned)w : (unsigned)w;
		f++;
	}
	while (*f >= '0' && *f <= '9' && sp->width < 100000)
		sp->width = sp->width * 10 + (unsigned)(*f++ - '0');
	if (*f == '.') {
		f++;
		sp->has_precision = true;
		if (*f == '*') {
			/* A negative precision from '*' counts as none. */
			int prec = va_arg(*ap, int);
			sp->has_precision = prec >= 0;
			sp->precision = prec >= 0 ? (unsigned)prec : 0;
			f++;
		}
		while (*f >= '0' && *f <= '9' && sp->precision < 100000)
			sp->precision = sp->precision * 10 + (unsigned)(*f++ - '0');
	}
	if (*f == 'h') {
		sp->length = -1;
		f++;
		if (*f == 'h')  /* hh is accepted and treated like h */
			f++;
	} else if (*f == 'l') {
		sp->length = 1;
		f++;
		if (*f == 'l') {
			sp->length = 2;
			f++;
		}
	} else if (*f == 'z') {
		sp->length = 3;
		f++;
	}
	return f;
}

/*
 * convert: one conversion character conv. Returns false for an unknown
 * conversion (the caller copies it out literally).
 */
static bool convert(struct cursor *c, const struct spec *sp, char conv,
		    va_list *ap)
{
	switch (conv) {
	case 'd': case 'i': {
		int64_t v = take_signed(sp, ap);
		/* Negate in unsigned arithmetic: -INT64_MIN does not exist. */
		uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
		put_number(c, sp, mag, 10, false, v < 0, "");
		return true;
	}
	case 'u': put_number(c, sp, take_unsigned(sp, ap), 10, false, false, ""); return true;
	case 'x': put_number(c, sp, take_unsigned(sp, ap), 16, false, false, ""); return true;
	case 'X': put_number(c, sp, take_unsigned(sp, ap), 16, true, false, ""); return true;
	case 'o': put_number(c, sp, take_unsigned(sp, ap), 8, false, false, ""); return true;
	case 'p': {
		uintptr_t v = (uintptr_t)va_arg(*ap, void *);
		put_number(c, sp, v, 16, false, false, "0x");
		return true;
	}
	case 'c': {
		char ch = (char)va_arg(*ap, int);
		put_padded(c, sp, &ch, 1);
		return true;
	}
	case 's': {
		const char *s = va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		size_t len = sp->has_precision ? bounded_length(s, sp->precision) : strlen(s);
		put_padded(c, sp, s, len);
		return true;
	}
	case '%': put(c, '%'); return true;
	default: return false;
	}
}

int format_v(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct cursor c = { buf, size, 0 };
	va_list args;

	/* A copy, so the va_list can be passed by pointer to the helpers. */
	va_copy(args, ap);
	for (const char *f = fmt; *f;) {
		if (*f != '%') {
			put(&c, *f++);
			continue;
		}
		const char *start = f;
		struct spec sp;
		f = parse_spec(f + 1, &sp, &args);
		if (*f && convert(&c, &sp, *f, &args)) {
			f++;
			continue;
		}
		/* Unknown conversion: copy "%..." through the offending byte. */
		const char *end = *f ? f + 1 : f;
		while (start < end)
			put(&c, *start++);
		f = end;
	}
	va_end(args);
	if (size > 0)
		buf[c.len < size ? c.len : size - 1] = '\0';
	return c.len > INT_MAX ? INT_MAX : (int)c.len;
}

int format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = format_v(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int format_error(int rc, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		format_v(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}
