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
/*
 * One vector for both lists, so the runtime carries one worst-case array,
 * not two (the loader places and zeroes every .bss page before the guest
 * starts): the command line's words are split into vector[2..], then the
 * environment moves to the front, NULL-ended, and argv follows it:
 *   [env..., NULL, argv0, args..., NULL]
 * Two spare slots at the front make room for the environment's NULL and
 * argv[0] whatever the split finds.
 */
static char *vector[SKIFF_MAX_ARGS + 2];
static char **arg_vector = vector + 1;
static char **env_vector = vector;
static int arg_count = -1;

/* split_words: copy cmdline into words[], NUL-ending each word, and point
 * vector[2..] at them, NULL-ended. Returns the number of words. */
static int split_words(const char *cmdline)
{
	int count = 0;
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
			if (count == SKIFF_MAX_ARGS - 1)
				break;
			vector[2 + count++] = &words[out];
			in_word = true;
		}
		words[out++] = cmdline[i];
	}
	words[out] = '\0';
	vector[2 + count] = NULL;
	return count;
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

/* take_environment: of the count words in vector[2..], move the leading
 * assignments to the front and drop a "--" after them; argv (its [0] the
 * appliance's name) follows their NULL. Returns argc. */
static int take_environment(int count)
{
	int envc = 0, first;

	while (envc < count && is_assignment(vector[2 + envc]))
		envc++;
	/* Moving down by two never overwrites a word not yet moved. */
	for (int i = 0; i < envc; i++)
		vector[i] = vector[2 + i];
	vector[envc] = NULL;
	first = 2 + envc;
	if (envc < count && strcmp(vector[first], "--") == 0)
		first++;
	env_vector = vector;
	arg_vector = vector + envc + 1;
	arg_vector[0] = (char *)skiff_app_name;
	/* Shift the arguments down next to argv[0], NULL included. */
	for (int i = first; i <= 2 + count; i++)
		arg_vector[1 + i - first] = vector[i];
	return 1 + (2 + count - first);
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
