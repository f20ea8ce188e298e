/*
 * boot_options_test.c - host tests for hypervisor/options.c: each option,
 * spacing, the skipped image path, and every kind of bad word.
 */
#include <string.h>

#include "boot_check.h"
#include "hypervisor/options.h"
#include "lib/errno.h"

static struct skiff_options opts;
static char err[128];

static int parse(const char *line)
{
	return options_parse(line, &opts, err, sizeof err);
}

static void expect_bad(const char *line, const char *message)
{
	int rc = parse(line);

	CHECK(rc == -EINVAL);
	CHECK(strcmp(err, message) == 0);
	if (strcmp(err, message) != 0)
		fprintf(stderr, "  '%s': got '%s' want '%s'\n", line, err, message);
}

static void test_on_end(void)
{
	CHECK(parse("on_end=reboot") == 0 && opts.on_end == ON_END_REBOOT);
	CHECK(parse("on_end=halt backend=svm") == 0 && opts.on_end == ON_END_HALT);
	CHECK(parse("on_end=halt on_end=poweroff") == 0 && opts.on_end == ON_END_POWEROFF);
	expect_bad("on_end=off", "on_end must be poweroff, reboot or halt, not 'off'");
	expect_bad("on_end=", "on_end must be poweroff, reboot or halt, not ''");
	expect_bad("on_end", "unknown option 'on_end'");
}

static void test_defaults(void)
{
	CHECK(parse("") == 0);
	CHECK(opts.backend == NULL && !opts.selftest_clock);
	CHECK(opts.on_end == ON_END_POWEROFF);
	CHECK(options_parse(NULL, &opts, err, sizeof err) == 0);
	CHECK(parse("   \t ") == 0 && opts.backend == NULL);
}

static void test_options(void)
{
	CHECK(parse("backend=svm") == 0 && strcmp(opts.backend, "svm") == 0);
	CHECK(parse("backend=vmx") == 0 && strcmp(opts.backend, "vmx") == 0);
	CHECK(parse("selftest=clock") == 0 && opts.selftest_clock && !opts.backend);
	CHECK(parse("selftest=dirty-ram") == 0 && opts.selftest_dirty_ram && !opts.selftest_clock);
	CHECK(parse("selftest=nmi") == 0 && opts.selftest_nmi && !opts.selftest_dirty_ram);
	CHECK(parse("  backend=vmx   selftest=clock ") == 0);
	CHECK(opts.selftest_clock && strcmp(opts.backend, "vmx") == 0);
	CHECK(parse("") == 0 && opts.balance == 1);
	CHECK(parse("balance=0") == 0 && opts.balance == 0);
	CHECK(parse("balance=2") == 0 && opts.balance == 2);
	CHECK(parse("balance=3") == -EINVAL);
	CHECK(parse("") == 0 && opts.kick_bench == 0);
	CHECK(parse("kick_bench=100") == 0 && opts.kick_bench == 100);
	CHECK(parse("kick_bench=0") == -EINVAL);
	CHECK(parse("") == 0 && opts.wake_preempt == 1);
	CHECK(parse("wake_preempt=0") == 0 && opts.wake_preempt == 0);
	CHECK(parse("wake_preempt=2") == -EINVAL);
	/* The last backend= wins. */
	CHECK(parse("backend=vmx backend=svm") == 0 && strcmp(opts.backend, "svm") == 0);
	/* A previous parse leaves nothing behind. */
	CHECK(parse("") == 0 && !opts.selftest_clock && !opts.backend);
}

static void test_path_skipped(void)
{
	CHECK(parse("/boot/skiff.elf backend=svm") == 0 && strcmp(opts.backend, "svm") == 0);
	/* Only the first word may be a path. */
	expect_bad("backend=svm /boot/x", "unknown option '/boot/x'");
}

static void test_bad(void)
{
	expect_bad("verbose", "unknown option 'verbose'");
	expect_bad("backend=svm bogus=1", "unknown option 'bogus=1'");
	expect_bad("backend", "unknown option 'backend'");
	expect_bad("backend=", "backend must be svm or vmx, not ''");
	expect_bad("backend=kvm", "backend must be svm or vmx, not 'kvm'");
	expect_bad("backend=svmx", "backend must be svm or vmx, not 'svmx'");
	expect_bad("backends=svm", "unknown option 'backends=svm'");
	expect_bad("selftest=disk", "unknown self-test 'disk'");
	expect_bad("BACKEND=svm", "unknown option 'BACKEND=svm'");
}

static void test_long_word(void)
{
	char line[400];

	memset(line, 'a', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	CHECK(parse(line) == -EINVAL);
	/* The message quotes at most 64 characters of the word. */
	CHECK(strlen(err) == strlen("unknown option ''") + 64);
	/* A tiny error buffer is still NUL-terminated. */
	char tiny[5];
	CHECK(options_parse("x", &opts, tiny, sizeof tiny) == -EINVAL);
	CHECK(strcmp(tiny, "unkn") == 0);
}

static void test_numbers(void)
{
	CHECK(parse("") == 0 && opts.slice_ms == 10 && opts.limit_seconds == 0 && opts.max_tags == 0);
	CHECK(parse("limit=30 slice_ms=5 asids=3") == 0);
	CHECK(opts.limit_seconds == 30 && opts.slice_ms == 5 && opts.max_tags == 3);
	CHECK(parse("limit=86400 slice_ms=1000 asids=65535") == 0);
	CHECK(opts.max_guests == 0 && parse("guests=1024") == 0 && opts.max_guests == 1024);
	expect_bad("guests=16321", "guests= must be a number from 1 to 16320, not '16321'");
	expect_bad("limit=0", "limit= must be a number from 1 to 86400, not '0'");
	expect_bad("limit=86401", "limit= must be a number from 1 to 86400, not '86401'");
	expect_bad("slice_ms=", "slice_ms= must be a number from 1 to 1000, not ''");
	expect_bad("asids=x", "asids= must be a number from 1 to 65535, not 'x'");
	expect_bad("asids=99999999999999999999", "asids= must be a number from 1 to 65535, not '99999999999999999999'");
}

static void test_console(void)
{
	CHECK(parse("") == 0 && !opts.console_framed);
	CHECK(parse("console=framed") == 0 && opts.console_framed);
	CHECK(parse("console=framed console=raw") == 0 && !opts.console_framed);
	expect_bad("console=tagged", "console must be raw or framed, not 'tagged'");
	expect_bad("console=", "console must be raw or framed, not ''");
	CHECK(parse("") == 0 && opts.dumpcore == 0);
	CHECK(parse("dumpcore=1") == 0 && opts.dumpcore == 1);
	expect_bad("dumpcore=2", "dumpcore= must be a number from 0 to 1, not '2'");
}

static void test_cpus(void)
{
	CHECK(parse("") == 0 && opts.max_cpus == 1);   /* one CPU unless asked */
	CHECK(parse("cpus=4") == 0 && opts.max_cpus == 4);
	CHECK(parse("cpus=256") == 0 && opts.max_cpus == 256);
	expect_bad("cpus=0", "cpus= must be a number from 1 to 256, not '0'");
	expect_bad("cpus=257", "cpus= must be a number from 1 to 256, not '257'");
	expect_bad("cpus=all", "cpus= must be a number from 1 to 256, not 'all'");
}

static void test_gdb(void)
{
	CHECK(parse("") == 0 && opts.gdb_guest[0] == '\0');   /* nobody debugged */
	CHECK(parse("gdb=web.2") == 0 && strcmp(opts.gdb_guest, "web.2") == 0);
	CHECK(parse("gdb=a123456789012345678901234567890") == 0 &&
	      strlen(opts.gdb_guest) == SKIFF_GDB_NAME_MAX - 1);
	expect_bad("gdb=", "gdb= needs a guest name of 1 to 31 characters, not ''");
	expect_bad("gdb=a1234567890123456789012345678901",
		   "gdb= needs a guest name of 1 to 31 characters, not 'a1234567890123456789012345678901'");
}

/* swap=gpt:NAME: a GPT name of 1 to 36 characters, nothing else. */
static void test_swap(void)
{
	CHECK(parse("") == 0 && opts.swap[0] == '\0');
	CHECK(parse("swap=gpt:swap") == 0 && strcmp(opts.swap, "gpt:swap") == 0);
	CHECK(parse("swap=gpt:abcdefghijabcdefghijabcdefghij123456") == 0 &&
	      strlen(opts.swap) == 40);
	expect_bad("swap=gpt:abcdefghijabcdefghijabcdefghij1234567",
		   "swap= must be gpt:NAME (a GPT partition name of 1 to 36 characters), not 'gpt:abcdefghijabcdefghijabcdefghij1234567'");
	expect_bad("swap=disk:0",
		   "swap= must be gpt:NAME (a GPT partition name of 1 to 36 characters), not 'disk:0'");
	expect_bad("swap=gpt:",
		   "swap= must be gpt:NAME (a GPT partition name of 1 to 36 characters), not 'gpt:'");
}

int main(void)
{
	test_gdb();
	test_swap();
	test_console();
	test_defaults();
	test_options();
	test_on_end();
	test_numbers();
	test_cpus();
	test_path_skipped();
	test_bad();
	test_long_word();
	return check_report("boot_options_test");
}
