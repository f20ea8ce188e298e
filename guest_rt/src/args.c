/*
 * args.c - splitting the command line into argc/argv.
 *
 * The words are copied out of the boot area into .bss, so they stay valid
 * whatever the appliance does with low memory, and the boot area itself
 * (read-only in the guest's page tables) is never written.
 */
#include "runtime.h"

static char words[SKIFF_CMDLINE_MAX];
/* Initialised data: it also guarantees the data segment is never empty,
 * so the loader always maps it (a PT_LOAD without file bytes is skipped). */
static char *arg_vector[SKIFF_MAX_ARGS + 1] = { (char *)skiff_app_name };
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

int skiff_args(char ***argv)
{
	if (arg_count < 0)
		arg_count = split_words(skiff_cmdline());
	*argv = arg_vector;
	return arg_count;
}
