/*
 * args_test.c - host test of the runtime's command-line split: which
 * words become the environment, which stay arguments, and getenv.
 *
 * args.c is compiled into this file (not linked) so each case can reset
 * its parse-once state.
 */
#include "../src/args.c"

#include <stdio.h>
#include <stdlib.h>

const char skiff_app_name[] = "app";
static const char *cmdline;

const char *skiff_cmdline(void)
{
	return cmdline;
}

static int failures;

/* join: the vector's words separated by '|' (into a static buffer). */
static const char *join(char **v)
{
	static char out[512];

	out[0] = '\0';
	for (; *v; v++) {
		strcat(out, *v);
		if (v[1])
			strcat(out, "|");
	}
	return out;
}

/* expect: the command line line splits into argv want_args (argv[0]
 * included) and the environment want_env. */
static void expect(const char *line, const char *want_args, const char *want_env)
{
	char **argv;
	int argc;

	cmdline = line;
	arg_count = -1;
	argc = skiff_args(&argv);
	if (strcmp(join(argv), want_args) != 0 || argv[argc] != NULL) {
		printf("FAILED: '%s': argv %s, wanted %s\n", line, join(argv), want_args);
		failures++;
	}
	if (strcmp(join(skiff_environ()), want_env) != 0) {
		printf("FAILED: '%s': env %s, wanted %s\n", line, join(skiff_environ()), want_env);
		failures++;
	}
}

int main(int argc, char **argv)
{
	expect("", "app", "");
	expect("a b", "app|a|b", "");
	expect("A=1 B_2=x y", "app|y", "A=1|B_2=x");
	expect("A=1 -- B=2 x", "app|B=2|x", "A=1");
	expect("-- A=1", "app|A=1", "");
	expect("-- --", "app|--", "");
	expect("x A=1", "app|x|A=1", "");
	expect("EMPTY= _u=v", "app", "EMPTY=|_u=v");
	expect("1A=x", "app|1A=x", "");
	expect("=x", "app|=x", "");
	expect("A-B=x", "app|A-B=x", "");
	expect("A=1 x --", "app|x|--", "A=1");

	expect("K=v KEY=value KE=w", "app", "K=v|KEY=value|KE=w");
	if (!skiff_getenv("KEY") || strcmp(skiff_getenv("KEY"), "value") != 0 ||
	    strcmp(skiff_getenv("KE"), "w") != 0 || skiff_getenv("KEYS") != NULL ||
	    skiff_getenv("k") != NULL) {
		printf("FAILED: skiff_getenv\n");
		failures++;
	}
	if (failures)
		return EXIT_FAILURE;
	printf("args_test: all cases passed\n");
	return EXIT_SUCCESS;
}
