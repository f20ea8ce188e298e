/*
 * guest_cmdline_test.c - guest_cmdline_parse: the grammar of
 * docs/command-line.md, GRUB's quoting of guest arguments, and a precise
 * message for every refusal.
 */
#include <stdint.h>
#include <stdlib.h>

#include "guest_test.h"
#include "hypervisor/loader/guest_cmdline.h"
#include "lib/errno.h"

static struct guest_config cfg;
static char err[256];

static int parse(const char *line)
{
	memset(err, 0, sizeof(err));
	return guest_cmdline_parse(line, &cfg, err, sizeof(err));
}

#define PARSES(line)                                                       \
	do {                                                               \
		CHECK_EQ(parse(line), 0);                                  \
		CHECK_EQ(err[0], 0);                                       \
	} while (0)

#define REFUSED(line, message)                                             \
	do {                                                               \
		CHECK_EQ(parse(line), -EINVAL);                            \
		CHECK_MSG(err, message);                                   \
	} while (0)

static void test_defaults(void)
{
	PARSES("web");
	CHECK(strcmp(cfg.name, "web") == 0);
	CHECK_EQ(cfg.mem_size, 32u << 20);
	CHECK_EQ(cfg.count, 1);
	CHECK_EQ(cfg.block_count, 0);
	CHECK(strcmp(cfg.args, "") == 0);
	PARSES("  web  ");
	CHECK(strcmp(cfg.name, "web") == 0);
}

static void test_full_line(void)
{
	PARSES("web mem=64M block.storage=/boot/disk.img count=3 -- --port 80");
	CHECK(strcmp(cfg.name, "web") == 0);
	CHECK_EQ(cfg.mem_size, 64u << 20);
	CHECK_EQ(cfg.count, 3);
	CHECK_EQ(cfg.block_count, 1);
	CHECK(strcmp(cfg.blocks[0].device, "storage") == 0);
	CHECK(strcmp(cfg.blocks[0].module, "/boot/disk.img") == 0);
	CHECK(strcmp(cfg.args, "--port 80") == 0);
}

static void test_mem(void)
{
	PARSES("a mem=1");
	CHECK_EQ(cfg.mem_size, 2u << 20);
	PARSES("a mem=3M");
	CHECK_EQ(cfg.mem_size, 4u << 20);
	PARSES("a mem=4G");
	CHECK_EQ(cfg.mem_size, UINT64_C(4) << 30);
	PARSES("a mem=0x200000");
	CHECK_EQ(cfg.mem_size, 2u << 20);
	PARSES("a mem=2048k");
	CHECK_EQ(cfg.mem_size, 2u << 20);
	REFUSED("a mem=3Q", "mem=3Q is not a size");
	REFUSED("a mem=", "mem= is not a size");
	REFUSED("a mem=5G", "mem=5G is above 4G");
	REFUSED("a mem=4294967297", "mem=4294967297 is above 4G");
	REFUSED("a mem=99999999999999999999G", "is not a size");
	REFUSED("a mem=0", "mem=0 is below 2M");
	REFUSED("a mem=8M mem=16M", "mem= is given twice");
}

static void test_count(void)
{
	PARSES("a count=16320");
	CHECK_EQ(cfg.count, 16320);
	REFUSED("a count=0", "count=0 is out of range (1..16320)");
	REFUSED("a count=16321", "count=16321 is out of range");
	REFUSED("a count=x", "count=x is not a number");
	REFUSED("a count=2 count=3", "count= is given twice");
	/* Instance names NAME.N must stay within 31 characters. */
	PARSES("abcdefghijklmnopqrstuvwxyz0 count=999");
	REFUSED("abcdefghijklmnopqrstuvwxyz01 count=999",
		"is too long for count=999");
	PARSES("abcdefghijklmnopqrstuvwxyz01234");
}

static void test_clone(void)
{
	PARSES("a");
	CHECK_EQ(cfg.clone_count, 0);
	PARSES("a clone=3 mem=16M");
	CHECK_EQ(cfg.clone_count, 3);
	CHECK_EQ(cfg.count, 1);
	PARSES("a clone=16320 count=1");
	REFUSED("a clone=0", "clone=0 is out of range (1..16320)");
	REFUSED("a clone=16321", "clone=16321 is out of range");
	REFUSED("a clone=two", "clone=two is not a number");
	REFUSED("a clone=2 clone=3", "clone= is given twice");
	REFUSED("a clone=2 count=2", "clone=2 with count=2");
	PARSES("abcdefghijklmnopqrstuvwxyz0 clone=999");
	REFUSED("abcdefghijklmnopqrstuvwxyz01 clone=999", "is too long for clone=999");
}

static void test_paging(void)
{
	PARSES("a");
	CHECK_EQ(cfg.paging, GUEST_PAGING_DEFAULT);
	CHECK_EQ(cfg.shadow_cache, 0);
	PARSES("a paging=nested");
	CHECK_EQ(cfg.paging, GUEST_PAGING_NESTED);
	PARSES("a paging=shadow shadow_cache=16");
	CHECK_EQ(cfg.paging, GUEST_PAGING_SHADOW);
	CHECK_EQ(cfg.shadow_cache, 16);
	PARSES("a paging=pv");
	CHECK_EQ(cfg.paging, GUEST_PAGING_PV);
	REFUSED("a paging=soft", "paging=soft is not a paging mode (nested, shadow or pv)");
	REFUSED("a paging=", "paging= is not a paging mode");
	REFUSED("a paging=Shadow", "paging=Shadow is not a paging mode");
	REFUSED("a paging=shadow paging=nested", "paging= is given twice");
	REFUSED("a shadow_cache=0", "shadow_cache=0 is not a number in 1..16");
	REFUSED("a shadow_cache=17", "shadow_cache=17 is not a number in 1..16");
	REFUSED("a shadow_cache=x", "shadow_cache=x is not a number");
	REFUSED("a shadow_cache=2 shadow_cache=2", "shadow_cache= is given twice");
}

static void test_cpu(void)
{
	PARSES("a");
	CHECK(!cfg.has_cpu);
	PARSES("a cpu=0 count=2");
	CHECK(cfg.has_cpu && cfg.cpu == 0 && cfg.count == 2);
	PARSES("a cpu=63");
	CHECK(cfg.has_cpu && cfg.cpu == 63);
	REFUSED("a cpu=64", "cpu=64 is out of range (0..63)");
	REFUSED("a cpu=-1", "cpu=-1 is not a number");
	REFUSED("a cpu=", "cpu= is not a number");
	REFUSED("a cpu=1 cpu=2", "cpu= is given twice");
}

static void test_names(void)
{
	PARSES("A-b_c.9");
	REFUSED("x!", "name 'x!' has a character outside [A-Za-z0-9_.-]");
	REFUSED("-x", "name '-x' must start with a letter or a digit");
	REFUSED(".x", "must start with a letter or a digit");
	REFUSED("abcdefghijklmnopqrstuvwxyz012345", "is longer than 31 characters");
	REFUSED("", "empty command line");
	REFUSED("   ", "empty command line");
	REFUSED("mem=64M", "the first word must be the guest's name, not an option ('mem=64M')");
	REFUSED("\"web\"", "has a character outside");
}

static void test_blocks(void)
{
	PARSES("a block.b0=/x block.b.1=/y block.c-2=/boot/z.img");
	CHECK_EQ(cfg.block_count, 3);
	CHECK(strcmp(cfg.blocks[1].device, "b.1") == 0);
	CHECK(strcmp(cfg.blocks[1].module, "/y") == 0);
	REFUSED("a block.=/x", "the device name is empty");
	REFUSED("a block.d!=/x", "block device name 'd!' has a character outside");
	REFUSED("a block.d=", "block.d= names no module");
	REFUSED("a block.d=/x block.d=/y", "block.d is given twice");
	REFUSED("a block.0=/a block.1=/a block.2=/a block.3=/a block.4=/a "
		"block.5=/a block.6=/a block.7=/a block.8=/a",
		"more than 8 block devices");
	PARSES("a block.0=/a block.1=/a block.2=/a block.3=/a block.4=/a "
	       "block.5=/a block.6=/a block.7=/a");
	CHECK_EQ(cfg.block_count, 8);
}

static void test_nets(void)
{
	PARSES("a net.service=lan net.admin=uplink,mac=02:aB:00:11:22:ff block.d=/x");
	CHECK_EQ(cfg.net_count, 2);
	CHECK(strcmp(cfg.nets[0].device, "service") == 0);
	CHECK(strcmp(cfg.nets[0].network, "lan") == 0);
	CHECK(!cfg.nets[0].has_mac);
	CHECK(strcmp(cfg.nets[1].network, "uplink") == 0);
	CHECK(cfg.nets[1].has_mac && cfg.nets[1].mac[1] == 0xab && cfg.nets[1].mac[5] == 0xff);
	REFUSED("a net.=lan", "net.=...: the device name is empty");
	REFUSED("a net.s=", "net.s= names no network");
	REFUSED("a net.s=,mac=02:00:00:00:00:01", "net.s= names no network");
	REFUSED("a net.s=la/n", "network 'la/n' is not 1..31");
	REFUSED("a net.s=abcdefghijklmnopqrstuvwxyz0123456", "is not 1..31");
	REFUSED("a net.s=lan,mtu=9000", "unknown setting ',mtu=9000'");
	REFUSED("a net.s=lan,mac=02:00:00:00:00", "is not XX:XX:XX:XX:XX:XX");
	REFUSED("a net.s=lan,mac=03:00:00:00:00:01", "is not a unicast address");
	REFUSED("a net.s=lan,mac=00:00:00:00:00:00", "is not a unicast address");
	REFUSED("a net.s=lan net.s=wan", "net.s is given twice");
	REFUSED("a block.s=/x net.s=wan", "net.s is given twice");
	REFUSED("a net.s=wan block.s=/x", "block.s is given twice");
	REFUSED("a net.0=n net.1=n net.2=n net.3=n net.4=n net.5=n net.6=n net.7=n net.8=n",
		"more than 8 net devices");
}

static void test_block_limits(void)
{
	char line[512];

	/* 67 characters of device name fit a manifest name; 68 do not. */
	snprintf(line, sizeof(line), "a block.%067d=/x", 0);
	PARSES(line);
	CHECK_EQ(strlen(cfg.blocks[0].device), 67);
	snprintf(line, sizeof(line), "a block.%068d=/x", 0);
	REFUSED(line, "is longer than 67 characters");
	/* 127 bytes of module path fit; 128 do not. */
	snprintf(line, sizeof(line), "a block.d=/%0126d", 0);
	PARSES(line);
	CHECK_EQ(strlen(cfg.blocks[0].module), 127);
	snprintf(line, sizeof(line), "a block.d=/%0127d", 0);
	REFUSED(line, "block.d: module path is longer than 127 bytes");
}

static void test_unknown_words(void)
{
	REFUSED("a foo=bar", "unknown option 'foo='");
	REFUSED("a Mem=1M", "unknown option 'Mem='");
	REFUSED("a blockx=1", "unknown option 'blockx='");
	REFUSED("a verbose", "unexpected word 'verbose'");
	REFUSED("a -", "unexpected word '-'");
	REFUSED("a \"mem=1M\"", "has a quote or backslash");
	REFUSED("a \"block.d=/my disk\"", "has a quote or backslash");
	REFUSED("a mem=1M\\ ", "has a quote or backslash");
}

static void test_guest_args(void)
{
	PARSES("a --");
	CHECK(strcmp(cfg.args, "") == 0);
	PARSES("a -- x");
	CHECK(strcmp(cfg.args, "x") == 0);
	/* Repeated spaces between words become one. */
	PARSES("a --   x    y  ");
	CHECK(strcmp(cfg.args, "x y") == 0);
	/* Only the first "--" is Skiff's; later ones are the guest's. */
	PARSES("a -- -- mem=1G --");
	CHECK(strcmp(cfg.args, "-- mem=1G --") == 0);
	CHECK_EQ(cfg.mem_size, 32u << 20);
	/* GRUB's quoting is decoded: quotes dropped, escapes resolved, spaces
	 * inside a quoted word kept; the words are joined by single spaces. */
	PARSES("a -- --msg \"hello  world\" it\\'s \\\"x\\\" \\\\");
	CHECK(strcmp(cfg.args, "--msg hello  world it's \"x\" \\") == 0);
	/* An escaped quote does not open a quoted run. */
	PARSES("a -- \\\"a  b");
	CHECK(strcmp(cfg.args, "\"a b") == 0);
	/* "--x" is an ordinary (unknown) word, not the separator. */
	REFUSED("a --x", "unexpected word '--x'");
}

static void test_guest_args_length(void)
{
	size_t prefix = strlen("a -- ");
	char *line = malloc(prefix + 8192 + 1);

	memcpy(line, "a -- ", prefix);
	memset(line + prefix, 'x', 8191);
	line[prefix + 8191] = '\0';
	PARSES(line);
	CHECK_EQ(strlen(cfg.args), 8191);
	line[prefix + 8191] = 'x';
	line[prefix + 8192] = '\0';
	REFUSED(line, "the guest's command line (after --) is longer than 8191 bytes");
	/* Long words in messages are shortened. */
	memset(line, 'x', 8000);
	strcpy(line + 8000, "!");
	CHECK_EQ(parse(line), -EINVAL);
	CHECK_MSG(err, "xxx...' has a character outside");
	CHECK(strlen(err) < 200);
	free(line);
}

int main(void)
{
	test_defaults();
	test_full_line();
	test_mem();
	test_count();
	test_clone();
	test_paging();
	test_cpu();
	test_names();
	test_blocks();
	test_nets();
	test_block_limits();
	test_unknown_words();
	test_guest_args();
	test_guest_args_length();
	return guest_test_result("guest_cmdline_test");
}
