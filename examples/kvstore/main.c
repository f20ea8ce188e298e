/*
 * kvstore - a key-value store appliance on the block device "storage".
 *
 * The arguments are a list of commands, run in order against the disk:
 *
 *   put KEY VALUE   store VALUE under KEY (replacing an old value)
 *   get KEY         print KEY's value
 *   del KEY         remove KEY
 *   list            print every KEY = VALUE, then the count
 *
 * With no arguments it lists. Each command prints one line ("put K: ok",
 * "get K: VALUE", "get K: not found", ...). A missing key is an answer,
 * not an error; the exit status is 1 only for a bad command line, a full
 * store, a too-long key or value, or a disk the store cannot use.
 *
 * Keys and values are single words: Skiff splits the command line on
 * spaces. Everything lives on the disk, so a later command sees what an
 * earlier one wrote; under tools/skiff-run the disk is a copy in the
 * emulated machine's RAM, so changes last for one run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff.h"
#include "store.h"

SKIFF_MANIFEST_BLOCK("storage");

struct command {
	const char *name;
	int words;  /* arguments after the command's name */
};

static const struct command commands[] = {
	{ "put", 2 }, { "get", 1 }, { "del", 1 }, { "list", 0 },
};

static void print_record(const char *key, const char *value, void *arg)
{
	(void)arg;
	printf("list: %s = %s\n", key, value);
}

/* run: one command on the store; returns 0, or 1 when it failed. */
static int run(struct kv_store *kv, const char *name, char **words)
{
	char value[KV_VALUE_MAX + 1];
	enum kv_result r;
	int replaced = 0;
	long count;

	if (strcmp(name, "put") == 0) {
		r = kv_put(kv, words[0], words[1], &replaced);
		printf("put %s: %s\n", words[0], r == KV_OK && replaced ? "replaced" : kv_result_text(r));
	} else if (strcmp(name, "get") == 0) {
		r = kv_get(kv, words[0], value);
		printf("get %s: %s\n", words[0], r == KV_OK ? value : kv_result_text(r));
	} else if (strcmp(name, "del") == 0) {
		r = kv_del(kv, words[0]);
		printf("del %s: %s\n", words[0], kv_result_text(r));
	} else {
		count = kv_list(kv, print_record, NULL);
		printf("list: %ld key%s\n", count, count == 1 ? "" : "s");
		return count < 0;
	}
	return r != KV_OK && r != KV_NOT_FOUND;
}

/* arity: the words command name takes, or -1 when it is not a command. */
static int arity(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].words;
	return -1;
}

/* check_usage: the whole command line parses; checked before the disk is touched. */
static int check_usage(int argc, char **argv)
{
	for (int i = 1; i < argc; i += 1 + arity(argv[i])) {
		if (arity(argv[i]) < 0) {
			printf("kvstore: unknown command '%s' (put K V, get K, del K, list)\n", argv[i]);
			return -1;
		}
		if (i + arity(argv[i]) >= argc) {
			printf("kvstore: '%s' needs %d argument%s\n", argv[i], arity(argv[i]),
			       arity(argv[i]) == 1 ? "" : "s");
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char name_word[] = "kvstore", list_word[] = "list";
	static char *list_only[] = { name_word, list_word, NULL };
	struct kv_store kv;
	int formatted, failed = 0;

	if (argc < 2) {
		argc = 2;
		argv = list_only;
	}
	if (check_usage(argc, argv) != 0 || kv_open(&kv, "storage", &formatted) != 0)
		return EXIT_FAILURE;
	printf("kvstore: %s store of %llu slots\n", formatted ? "formatted a new" : "opened a",
	       (unsigned long long)kv.slots);
	for (int i = 1; i < argc; i += 1 + arity(argv[i]))
		failed |= run(&kv, argv[i], &argv[i + 1]);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
