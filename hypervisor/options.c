/*
 * options.c - parsing Skiff's command line (options.h). Portable.
 */
#include "hypervisor/options.h"

#include <stdarg.h>

#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kstring.h"
#include "lib/parse.h"

struct skiff_options skiff_options;

/* A word of the command line: not NUL-terminated where it ends. */
struct word {
	const char *text;
	size_t len;
};

/* word_is: the word equals the NUL-terminated s. */
static bool word_is(struct word w, const char *s)
{
	return strlen(s) == w.len && memcmp(w.text, s, w.len) == 0;
}

/* word_value: when the word is "key=value", the value; else text NULL. */
static struct word word_value(struct word w, const char *key)
{
	size_t k = strlen(key);
	struct word none = { NULL, 0 };

	if (w.len <= k || memcmp(w.text, key, k) != 0 || w.text[k] != '=')
		return none;
	return (struct word){ w.text + k + 1, w.len - k - 1 };
}

/* The word limit keeps an error message from quoting a huge word. */
#define QUOTE_MAX 64

/* apply_number: "key=N" with N decimal in [min, max] into *dst. */
static int apply_number(struct word key, struct word v, unsigned min, unsigned max,
			unsigned *dst, char *err, size_t errlen)
{
	uint64_t n;

	if (!parse_u64(v.text, v.len, &n) || n < min || n > max)
		return format_error(-EINVAL, err, errlen, "%.*s= must be a number from %u to %u, not '%.*s'",
			    (int)key.len, key.text, min, max,
			    (int)(v.len < QUOTE_MAX ? v.len : QUOTE_MAX), v.text);
	*dst = (unsigned)n;
	return 0;
}

static int apply_word(struct word w, struct skiff_options *out,
		      char *err, size_t errlen)
{
	struct word v;

	if ((v = word_value(w, "backend")).text) {
		if (word_is(v, "svm"))
			out->backend = "svm";
		else if (word_is(v, "vmx"))
			out->backend = "vmx";
		else
			return format_error(-EINVAL, err, errlen, "backend must be svm or vmx, not '%.*s'",
				    (int)(v.len < QUOTE_MAX ? v.len : QUOTE_MAX), v.text);
		return 0;
	}
	if ((v = word_value(w, "swap")).text) {
		if (v.len <= 4 || v.len >= SKIFF_SWAP_SPEC_MAX || memcmp(v.text, "gpt:", 4) != 0)
			return format_error(-EINVAL, err, errlen,
					    "swap= must be gpt:NAME (a GPT partition name of 1 to 36 characters), not '%.*s'",
					    (int)(v.len < QUOTE_MAX ? v.len : QUOTE_MAX), v.text);
		memcpy(out->swap, v.text, v.len);
		out->swap[v.len] = '\0';
		return 0;
	}
	if ((v = word_value(w, "selftest")).text) {
		if (word_is(v, "dirty-ram")) {
			out->selftest_dirty_ram = true;
			return 0;
		}
		if (word_is(v, "nmi")) {
			out->selftest_nmi = true;
			return 0;
		}
		if (!word_is(v, "clock"))
			return format_error(-EINVAL, err, errlen, "unknown self-test '%.*s'",
				    (int)(v.len < QUOTE_MAX ? v.len : QUOTE_MAX), v.text);
		out->selftest_clock = true;
		return 0;
	}
	if ((v = word_value(w, "on_end")).text) {
		if (word_is(v, "poweroff"))
			out->on_end = ON_END_POWEROFF;
		else if (word_is(v, "reboot"))
			out->on_end = ON_END_REBOOT;
		else if (word_is(v, "halt"))
			out->on_end = ON_END_HALT;
		else
			return format_error(-EINVAL, err, errlen, "on_end must be poweroff, reboot or halt, not '%.*s'",
				    (int)(v.len < QUOTE_MAX ? v.len : QUOTE_MAX), v.text);
		return 0;
	}
	if ((v = word_value(w, "console")).text) {
		if (word_is(v, "framed") || word_is(v, "raw")) {
			out->console_framed = word_is(v, "framed");
			return 0;
		}
		return format_error(-EINVAL, err, errlen, "console must be raw or framed, not '%.*s'",
			    (int)(v.len < QUOTE_MAX ? v.len : QUOTE_MAX), v.text);
	}
	if ((v = word_value(w, "gdb")).text) {
		if (v.len == 0 || v.len >= SKIFF_GDB_NAME_MAX)
			return format_error(-EINVAL, err, errlen, "gdb= needs a guest name of 1 to %u characters, not '%.*s'",
				    SKIFF_GDB_NAME_MAX - 1,
				    (int)(v.len < QUOTE_MAX ? v.len : QUOTE_MAX), v.text);
		memcpy(out->gdb_guest, v.text, v.len);
		out->gdb_guest[v.len] = '\0';
		return 0;
	}
	if ((v = word_value(w, "limit")).text)
		return apply_number((struct word){ "limit", 5 }, v, 1, 86400,
				    &out->limit_seconds, err, errlen);
	if ((v = word_value(w, "slice_ms")).text)
		return apply_number((struct word){ "slice_ms", 8 }, v, 1, 1000,
				    &out->slice_ms, err, errlen);
	if ((v = word_value(w, "dumpcore")).text)
		return apply_number((struct word){ "dumpcore", 8 }, v, 0, 1,
				    &out->dumpcore, err, errlen);
	if ((v = word_value(w, "cpus")).text)
		return apply_number((struct word){ "cpus", 4 }, v, 1, 256,
				    &out->max_cpus, err, errlen);
	if ((v = word_value(w, "guests")).text)
		return apply_number((struct word){ "guests", 6 }, v, 1, 16320,
				    &out->max_guests, err, errlen);
	if ((v = word_value(w, "balance")).text)
		return apply_number((struct word){ "balance", 7 }, v, 0, 2,
				    &out->balance, err, errlen);
	if ((v = word_value(w, "wake_preempt")).text)
		return apply_number((struct word){ "wake_preempt", 12 }, v, 0, 1,
				    &out->wake_preempt, err, errlen);
	if ((v = word_value(w, "kick_bench")).text)
		return apply_number((struct word){ "kick_bench", 10 }, v, 1, 100000,
				    &out->kick_bench, err, errlen);
	if ((v = word_value(w, "asids")).text)
		return apply_number((struct word){ "asids", 5 }, v, 1, 65535,
				    &out->max_tags, err, errlen);
	return format_error(-EINVAL, err, errlen, "unknown option '%.*s'",
		    (int)(w.len < QUOTE_MAX ? w.len : QUOTE_MAX), w.text);
}

/* next_word: the word at or after *p (len 0 at the end); *p moves past it. */
static struct word next_word(const char **p)
{
	const char *s = *p;
	struct word w;

	while (*s == ' ' || *s == '\t')
		s++;
	w.text = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	w.len = (size_t)(s - w.text);
	*p = s;
	return w;
}

int options_parse(const char *cmdline, struct skiff_options *out,
		  char *err, size_t errlen)
{
	const char *p = cmdline ? cmdline : "";
	bool first = true;

	*out = (struct skiff_options){ .backend = NULL, .selftest_clock = false,
				       .slice_ms = 10, .on_end = ON_END_POWEROFF,
				       .max_cpus = 1, .balance = 1, .wake_preempt = 1 };
	if (errlen > 0)
		err[0] = '\0';
	for (struct word w = next_word(&p); w.len > 0; w = next_word(&p)) {
		bool is_path = first && w.text[0] == '/';

		first = false;
		if (is_path)
			continue;
		int rc = apply_word(w, out, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}
