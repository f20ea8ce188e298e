/*
 * args.c - splitting the command line into the environment and argv.
 *
 * The words are copied out of the boot area into .bss, so they stay valid
 * whatever the appliance does with low memory, and the boot area itself
 * (read-only in the guest's page tables) is never written.
 *
 * Environment syntax: leading words of the form KEY=VALUE, KEY matching
 * [A-Za-z_][A-Za-z0-9_]*, become the environment and are removed from
 * argv; the first other word ends them, and a literal "--" word there ends
 * them and is removed too (so "-- A=1" passes "A=1" as an argument).
 */
#include "runtime.h"

#include "lib/kstring.h"

static char words[SKIFF_CMDLINE_MAX];
/* Initialised data: it also guarantees the data segment is never empty,
 * so the loader always maps it (a PT_LOAD without file bytes is skipped). */
static char *arg_vector[SKIFF_MAX_ARGS + 1] = { (char *)skiff_app_name };
static char *env_vector[SKIFF_MAX_ARGS + 1];
static int arg_count = -1;

/* split_words: copy cmdline into words[], NUL-ending each word, and point
 * arg_vector[1..] at them. Returns argc. */
static int split_words(const char *cmdline)
{
	int argc = 1;
	size_t out = 0;
	bool in_word = false;

	for (size_t i = 0; cmdline[i] && out + 1 < sizeof(words); i++) {
		if (cmdline[i] == ' ') {
			if (in_word)
				words[out++] = '\0';
			in_word = false;
			continue;
		}
		if (!in_word) {
			if (argc == SKIFF_MAX_ARGS)
				break;
			arg_vector[argc++] = &words[out];
			in_word = true;
		}
		words[out++] = cmdline[i];
	}
	words[out] = '\0';
	arg_vector[argc] = NULL;
	return argc;
}

/* is_assignment: word is KEY=VALUE with KEY in [A-Za-z_][A-Za-z0-9_]*. */
static bool is_assignment(const char *word)
{
	size_t i = 0;

	for (; word[i] && word[i] != '='; i++) {
		char c = word[i];
		bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';

		if (!letter && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	return i > 0 && word[i] == '=';
}

/* take_environment: move the leading assignments (and a "--" after them)
 * from arg_vector[1..argc) to env_vector. Returns the new argc. */
static int take_environment(int argc)
{
	int first = 1, envc = 0;

	while (first < argc && is_assignment(arg_vector[first]))
		env_vector[envc++] = arg_vector[first++];
	env_vector[envc] = NULL;
	if (first < argc && strcmp(arg_vector[first], "--") == 0)
		first++;
	/* Shift the arguments down over the removed words, NULL included. */
	for (int i = first; i <= argc; i++)
		arg_vector[i - first + 1] = arg_vector[i];
	return argc - first + 1;
}

/* parse_once: split the command line on first use. */
static void parse_once(void)
{
	if (arg_count < 0)
		arg_count = take_environment(split_words(skiff_cmdline()));
}

int skiff_args(char ***argv)
{
	parse_once();
	*argv = arg_vector;
	return arg_count;
}

char **skiff_environ(void)
{
	parse_once();
	return env_vector;
}

const char *skiff_getenv(const char *name)
{
	size_t len = strlen(name);

	for (char **e = skiff_environ(); *e; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}
