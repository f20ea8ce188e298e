/*
 * guest_cmdline.c - parsing a guest module's command line (guest_cmdline.h,
 * docs/command-line.md).
 *
 * GRUB builds the line from the words of the module2 command: each word
 * with \ ' " escaped by a backslash, a word that contains a space wrapped
 * in double quotes, words joined by one space. Word boundaries here follow
 * that encoding (a space inside "..." does not split), so a guest argument
 * with spaces reaches the guest intact; Skiff's own words never need
 * quoting and are refused when they carry any.
 */
#include "hypervisor/loader/guest_cmdline.h"

#include <stdarg.h>
#include <stdbool.h>

#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kstring.h"
#include "lib/parse.h"

#define MEM_GRANULE (UINT64_C(2) << 20)
#define MEM_MAX (UINT64_C(4) << 30)
#define DEVICE_NAME_MAX 67u   /* characters, a manifest name */
#define SHOWN_MAX 48u         /* characters of a word quoted in a message */

struct word {
	const char *text;
	size_t len;
};

/* next_word: the next space-separated word at *p (quote-aware); false at the end. */
static bool next_word(const char **p, struct word *w)
{
	const char *s = *p;
	bool quoted = false;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return false;
	w->text = s;
	while (*s != '\0' && (quoted || *s != ' ')) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		else if (*s == '"')
			quoted = !quoted;
		s++;
	}
	w->len = (size_t)(s - w->text);
	*p = s;
	return true;
}

/* show: w as a bounded, NUL-terminated string for a message. */
static const char *show(const struct word *w, char *buf)
{
	size_t n = w->len > SHOWN_MAX ? SHOWN_MAX : w->len;

	memcpy(buf, w->text, n);
	if (n < w->len)
		memcpy(buf + n, "...", 4);
	else
		buf[n] = '\0';
	return buf;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static bool is_name_char(char c)
{
	return is_alnum(c) || c == '_' || c == '.' || c == '-';
}

static bool word_is(const struct word *w, const char *s)
{
	return w->len == strlen(s) && memcmp(w->text, s, w->len) == 0;
}

/* find_char: index of the first c in w, or w->len. */
static size_t find_char(const struct word *w, char c)
{
	size_t i = 0;

	while (i < w->len && w->text[i] != c)
		i++;
	return i;
}

/* first_bad_char: index of the first character outside [A-Za-z0-9_.-], or len. */
static size_t first_bad_char(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && is_name_char(s[i]))
		i++;
	return i;
}

static int parse_name(const struct word *w, struct guest_config *out,
		      char *err, size_t errlen)
{
	char shown[SHOWN_MAX + 4];

	if (find_char(w, '=') < w->len)
		return format_error(-EINVAL, err, errlen,
			    "the first word must be the guest's name, not an option ('%s')",
			    show(w, shown));
	if (first_bad_char(w->text, w->len) < w->len)
		return format_error(-EINVAL, err, errlen,
			    "name '%s' has a character outside [A-Za-z0-9_.-]",
			    show(w, shown));
	if (!is_alnum(w->text[0]))
		return format_error(-EINVAL, err, errlen,
			    "name '%s' must start with a letter or a digit",
			    show(w, shown));
	if (w->len > GUEST_NAME_MAX - 1)
		return format_error(-EINVAL, err, errlen,
			    "name '%s' is longer than %u characters",
			    show(w, shown), GUEST_NAME_MAX - 1);
	memcpy(out->name, w->text, w->len);
	out->name[w->len] = '\0';
	return 0;
}

static int parse_mem(const struct word *value, struct guest_config *out,
		     char *err, size_t errlen)
{
	char shown[SHOWN_MAX + 4];
	uint64_t size;

	if (!parse_size(value->text, value->len, &size))
		return format_error(-EINVAL, err, errlen, "mem=%s is not a size",
			    show(value, shown));
	if (size > MEM_MAX)
		return format_error(-EINVAL, err, errlen, "mem=%s is above 4G", show(value, shown));
	size = (size + MEM_GRANULE - 1) & ~(MEM_GRANULE - 1);
	if (size == 0)
		return format_error(-EINVAL, err, errlen, "mem=%s is below 2M", show(value, shown));
	out->mem_size = size;
	return 0;
}

/* parse_count: count= or clone= (key), 1..GUEST_MAX_COUNT, into *to. */
static int parse_count(const struct word *value, const char *key, unsigned *to,
		       char *err, size_t errlen)
{
	char shown[SHOWN_MAX + 4];
	uint64_t count;

	if (!parse_u64(value->text, value->len, &count))
		return format_error(-EINVAL, err, errlen, "%s=%s is not a number",
			    key, show(value, shown));
	if (count == 0 || count > GUEST_MAX_COUNT)
		return format_error(-EINVAL, err, errlen, "%s=%s is out of range (1..%u)",
			    key, show(value, shown), GUEST_MAX_COUNT);
	*to = (unsigned)count;
	return 0;
}

static int parse_cpu(const struct word *value, struct guest_config *out,
		     char *err, size_t errlen)
{
	char shown[SHOWN_MAX + 4];
	uint64_t cpu;

	if (!parse_u64(value->text, value->len, &cpu))
		return format_error(-EINVAL, err, errlen, "cpu=%s is not a number",
			    show(value, shown));
	if (cpu > GUEST_MAX_CPU)
		return format_error(-EINVAL, err, errlen, "cpu=%s is out of range (0..%u)",
			    show(value, shown), GUEST_MAX_CPU);
	out->has_cpu = true;
	out->cpu = (unsigned)cpu;
	return 0;
}

/* check_device_name: a manifest name for KIND.DEV: 1..67 of [A-Za-z0-9_.-]. */
static int check_device_name(const char *kind, const struct word *dev, char *err,
			     size_t errlen)
{
	char shown[SHOWN_MAX + 4];

	if (dev->len == 0)
		return format_error(-EINVAL, err, errlen, "%s.=...: the device name is empty", kind);
	if (first_bad_char(dev->text, dev->len) < dev->len)
		return format_error(-EINVAL, err, errlen,
			    "%s device name '%s' has a character outside [A-Za-z0-9_.-]",
			    kind, show(dev, shown));
	if (dev->len > DEVICE_NAME_MAX)
		return format_error(-EINVAL, err, errlen,
			    "%s device name '%s' is longer than %u characters",
			    kind, show(dev, shown), DEVICE_NAME_MAX);
	return 0;
}

/* device_taken: true when dev is already a block or net device of out. */
static bool device_taken(const struct guest_config *out, const struct word *dev)
{
	for (unsigned i = 0; i < out->block_count; i++)
		if (strlen(out->blocks[i].device) == dev->len &&
		    memcmp(out->blocks[i].device, dev->text, dev->len) == 0)
			return true;
	for (unsigned i = 0; i < out->net_count; i++)
		if (strlen(out->nets[i].device) == dev->len &&
		    memcmp(out->nets[i].device, dev->text, dev->len) == 0)
			return true;
	return false;
}

static int parse_block(const struct word *dev, const struct word *path,
		       struct guest_config *out, char *err, size_t errlen)
{
	char shown[SHOWN_MAX + 4];
	struct guest_block_arg *b;
	int rc = check_device_name("block", dev, err, errlen);

	if (rc < 0)
		return rc;
	show(dev, shown);
	if (path->len == 0)
		return format_error(-EINVAL, err, errlen, "block.%s= names no module", shown);
	if (path->len > sizeof(b->module) - 1)
		return format_error(-EINVAL, err, errlen,
			    "block.%s: module path is longer than %zu bytes",
			    shown, sizeof(b->module) - 1);
	if (device_taken(out, dev))
		return format_error(-EINVAL, err, errlen, "block.%s is given twice (one block. or net. option per device)", shown);
	if (out->block_count == GUEST_MAX_BLOCKS)
		return format_error(-EINVAL, err, errlen, "more than %u block devices",
			    GUEST_MAX_BLOCKS);
	b = &out->blocks[out->block_count++];
	memcpy(b->device, dev->text, dev->len);
	b->device[dev->len] = '\0';
	memcpy(b->module, path->text, path->len);
	b->module[path->len] = '\0';
	return 0;
}

/* parse_net_mac: the ",mac=XX:XX:XX:XX:XX:XX" part of net.DEV=, if any. */
static int parse_net_mac(const char *dev, const struct word *rest,
			 struct guest_net_arg *n, char *err, size_t errlen)
{
	struct word mac = { rest->text + 5, rest->len - 5 };
	char shown[SHOWN_MAX + 4];

	if (rest->len < 5 || memcmp(rest->text, ",mac=", 5) != 0)
		return format_error(-EINVAL, err, errlen, "net.%s: unknown setting '%s' (only ,mac=XX:XX:XX:XX:XX:XX)",
			    dev, show(rest, shown));
	if (!parse_mac(mac.text, mac.len, n->mac))
		return format_error(-EINVAL, err, errlen, "net.%s: mac=%s is not XX:XX:XX:XX:XX:XX", dev,
			    show(&mac, shown));
	if ((n->mac[0] & 1u) || (n->mac[0] | n->mac[1] | n->mac[2] | n->mac[3] |
				  n->mac[4] | n->mac[5]) == 0)
		return format_error(-EINVAL, err, errlen, "net.%s: mac=%s is not a unicast address", dev,
			    show(&mac, shown));
	n->has_mac = true;
	return 0;
}

/* parse_net: net.DEV=NETWORK[,mac=XX:XX:XX:XX:XX:XX]. */
static int parse_net(const struct word *dev, const struct word *value,
		     struct guest_config *out, char *err, size_t errlen)
{
	struct word network = { value->text, find_char(value, ',') };
	struct word rest = { value->text + network.len, value->len - network.len };
	char shown[SHOWN_MAX + 4], shown_net[SHOWN_MAX + 4];
	struct guest_net_arg *n;
	int rc = check_device_name("net", dev, err, errlen);

	if (rc < 0)
		return rc;
	show(dev, shown);
	if (network.len == 0)
		return format_error(-EINVAL, err, errlen, "net.%s= names no network", shown);
	if (first_bad_char(network.text, network.len) < network.len ||
	    network.len > GUEST_NETWORK_NAME_MAX - 1)
		return format_error(-EINVAL, err, errlen, "net.%s: network '%s' is not 1..%u of [A-Za-z0-9_.-]",
			    shown, show(&network, shown_net), GUEST_NETWORK_NAME_MAX - 1);
	if (device_taken(out, dev))
		return format_error(-EINVAL, err, errlen, "net.%s is given twice (one block. or net. option per device)", shown);
	if (out->net_count == GUEST_MAX_NETS)
		return format_error(-EINVAL, err, errlen, "more than %u net devices", GUEST_MAX_NETS);
	n = &out->nets[out->net_count];
	memset(n, 0, sizeof(*n));
	memcpy(n->device, dev->text, dev->len);
	memcpy(n->network, network.text, network.len);
	if (rest.len > 0 && (rc = parse_net_mac(shown, &rest, n, err, errlen)) < 0)
		return rc;
	out->net_count++;
	return 0;
}

static int parse_paging(const struct word *value, struct guest_config *out,
			char *err, size_t errlen)
{
	char shown[SHOWN_MAX + 4];

	if (word_is(value, "nested"))
		out->paging = GUEST_PAGING_NESTED;
	else if (word_is(value, "shadow"))
		out->paging = GUEST_PAGING_SHADOW;
	else if (word_is(value, "pv"))
		out->paging = GUEST_PAGING_PV;
	else
		return format_error(-EINVAL, err, errlen,
			    "paging=%s is not a paging mode (nested, shadow or pv)",
			    show(value, shown));
	return 0;
}

static int parse_shadow_cache(const struct word *value, struct guest_config *out,
			      char *err, size_t errlen)
{
	char shown[SHOWN_MAX + 4];
	uint64_t k;

	if (!parse_u64(value->text, value->len, &k) || k == 0 || k > GUEST_SHADOW_CACHE_MAX)
		return format_error(-EINVAL, err, errlen,
			    "shadow_cache=%s is not a number in 1..%u",
			    show(value, shown), GUEST_SHADOW_CACHE_MAX);
	out->shadow_cache = (unsigned)k;
	return 0;
}

/* Options seen so far, to refuse one given twice. */
struct seen {
	bool mem, count, paging, shadow_cache, cpu, clone;
};

/* parse_option: one KEY=VALUE word of Skiff's own. */
static int parse_option(const struct word *w, struct guest_config *out,
			struct seen *seen, char *err, size_t errlen)
{
	size_t eq = find_char(w, '=');
	struct word key = { w->text, eq };
	struct word value = { w->text + eq + 1, w->len - eq - 1 };
	char shown[SHOWN_MAX + 4];

	if (word_is(&key, "mem")) {
		if (seen->mem)
			return format_error(-EINVAL, err, errlen, "mem= is given twice");
		seen->mem = true;
		return parse_mem(&value, out, err, errlen);
	}
	if (word_is(&key, "count")) {
		if (seen->count)
			return format_error(-EINVAL, err, errlen, "count= is given twice");
		seen->count = true;
		return parse_count(&value, "count", &out->count, err, errlen);
	}
	if (word_is(&key, "clone")) {
		if (seen->clone)
			return format_error(-EINVAL, err, errlen, "clone= is given twice");
		seen->clone = true;
		return parse_count(&value, "clone", &out->clone_count, err, errlen);
	}
	if (word_is(&key, "paging")) {
		if (seen->paging)
			return format_error(-EINVAL, err, errlen, "paging= is given twice");
		seen->paging = true;
		return parse_paging(&value, out, err, errlen);
	}
	if (word_is(&key, "shadow_cache")) {
		if (seen->shadow_cache)
			return format_error(-EINVAL, err, errlen, "shadow_cache= is given twice");
		seen->shadow_cache = true;
		return parse_shadow_cache(&value, out, err, errlen);
	}
	if (word_is(&key, "cpu")) {
		if (seen->cpu)
			return format_error(-EINVAL, err, errlen, "cpu= is given twice");
		seen->cpu = true;
		return parse_cpu(&value, out, err, errlen);
	}
	if (key.len >= 6 && memcmp(key.text, "block.", 6) == 0) {
		struct word dev = { key.text + 6, key.len - 6 };

		return parse_block(&dev, &value, out, err, errlen);
	}
	if (key.len >= 4 && memcmp(key.text, "net.", 4) == 0) {
		struct word dev = { key.text + 4, key.len - 4 };

		return parse_net(&dev, &value, out, err, errlen);
	}
	return format_error(-EINVAL, err, errlen, "unknown option '%s='", show(&key, shown));
}

/* parse_skiff_word: a word before "--": an option, never quoted. */
static int parse_skiff_word(const struct word *w, struct guest_config *out,
			    struct seen *seen, char *err, size_t errlen)
{
	char shown[SHOWN_MAX + 4];

	for (size_t i = 0; i < w->len; i++) {
		if (w->text[i] == '"' || w->text[i] == '\'' ||
		    w->text[i] == '\\')
			return format_error(-EINVAL, err, errlen,
				    "word '%s' has a quote or backslash: Skiff's options take none (see docs/command-line.md)",
				    show(w, shown));
	}
	if (find_char(w, '=') == w->len)
		return format_error(-EINVAL, err, errlen,
			    "unexpected word '%s' (options are mem=, count=, clone=, cpu=, paging=, shadow_cache=, block.DEV= and net.DEV=; guest arguments go after --)",
			    show(w, shown));
	return parse_option(w, out, seen, err, errlen);
}

/*
 * unquote_word: w without GRUB's quoting: a backslash keeps the character
 * after it, double quotes are dropped. Writes at most w->len bytes to dst
 * and returns how many.
 */
static size_t unquote_word(const struct word *w, char *dst)
{
	size_t n = 0;

	for (size_t i = 0; i < w->len; i++) {
		if (w->text[i] == '\\' && i + 1 < w->len)
			dst[n++] = w->text[++i];
		else if (w->text[i] != '"')
			dst[n++] = w->text[i];
	}
	return n;
}

/*
 * parse_guest_args: the words after "--", decoded from GRUB's quoting and
 * re-joined by single spaces: the string a Solo5 guest reads back, the
 * same as hvt gives for the same arguments.
 */
static int parse_guest_args(const char *p, struct guest_config *out,
			    char *err, size_t errlen)
{
	size_t used = 0;
	struct word w;

	while (next_word(&p, &w)) {
		size_t need = w.len + (used > 0 ? 1 : 0);

		if (need > sizeof(out->args) - 1 - used)
			return format_error(-EINVAL, err, errlen,
				    "the guest's command line (after --) is longer than %zu bytes",
				    sizeof(out->args) - 1);
		if (used > 0)
			out->args[used++] = ' ';
		used += unquote_word(&w, out->args + used);
	}
	out->args[used] = '\0';
	return 0;
}

static unsigned decimal_digits(unsigned n)
{
	unsigned digits = 1;

	while (n >= 10) {
		n /= 10;
		digits++;
	}
	return digits;
}

/* check_instance_names: NAME.N must fit GUEST_NAME_MAX for every instance. */
static int check_instance_names(const struct guest_config *out, char *err,
				size_t errlen)
{
	size_t len = strlen(out->name);

	if (out->clone_count && out->count > 1)
		return format_error(-EINVAL, err, errlen,
			    "clone=%u with count=%u: one image boots once and its snapshot is cloned (give one of them)",
			    out->clone_count, out->count);
	if (out->clone_count &&
	    len + 1 + decimal_digits(out->clone_count) > GUEST_NAME_MAX - 1)
		return format_error(-EINVAL, err, errlen,
			    "name '%s' is too long for clone=%u: clone names like '%s.%u' must fit in %u characters",
			    out->name, out->clone_count, out->name, out->clone_count,
			    GUEST_NAME_MAX - 1);
	if (out->count > 1 &&
	    len + 1 + decimal_digits(out->count) > GUEST_NAME_MAX - 1)
		return format_error(-EINVAL, err, errlen,
			    "name '%s' is too long for count=%u: instance names like '%s.%u' must fit in %u characters",
			    out->name, out->count, out->name, out->count,
			    GUEST_NAME_MAX - 1);
	return 0;
}

int guest_cmdline_parse(const char *cmdline, struct guest_config *out,
			char *err, size_t errlen)
{
	struct seen seen = { false, false, false, false, false, false };
	const char *p = cmdline;
	struct word w;
	int rc;

	memset(out, 0, sizeof(*out));
	out->mem_size = GUEST_DEFAULT_MEM;
	out->count = 1;
	if (errlen > 0)
		err[0] = '\0';
	if (!next_word(&p, &w))
		return format_error(-EINVAL, err, errlen,
			    "empty command line: the first word must be the guest's name");
	rc = parse_name(&w, out, err, errlen);
	while (rc == 0 && next_word(&p, &w)) {
		if (word_is(&w, "--")) {
			rc = parse_guest_args(p, out, err, errlen);
			break;
		}
		rc = parse_skiff_word(&w, out, &seen, err, errlen);
	}
	if (rc < 0)
		return rc;
	return check_instance_names(out, err, errlen);
}
