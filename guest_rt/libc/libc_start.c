/*
 * libc_start.c - the C environment of a newlib guest: environ and
 * constructors before main, exit() when main returns.
 *
 * The runtime's startup code calls skiff_c_init before main and hands
 * main's status to skiff_main_return. Its weak defaults walk the
 * constructor and destructor tables and halt; with newlib, C says
 * returning from main is exit(status): atexit handlers and destructors
 * run and stdio is flushed (a last line without '\n' would otherwise be
 * lost). This file is linked as an object, not from an archive, so its
 * definitions always replace the runtime's weak defaults.
 */
#include <stdlib.h>

#include "skiff.h"

/* newlib's environment (libc/stdlib/environ.c) and its table walkers
 * (libc/misc/init.c, fini.c), which read guest.ld's table symbols. */
extern char **environ;
void __libc_init_array(void);
void __libc_fini_array(void);

void skiff_c_init(void);
_Noreturn void skiff_main_return(int status);
void _init(void);
void _fini(void);

/*
 * skiff_c_init: environ first (constructors may call getenv), then the
 * destructors' walker registered with atexit before any constructor runs,
 * so it runs after every handler registered later (atexit is LIFO), as on
 * a hosted system; then the constructors.
 */
void skiff_c_init(void)
{
	environ = skiff_environ();
	if (atexit(__libc_fini_array) != 0)
		skiff_abort("libc: atexit(__libc_fini_array) failed");
	__libc_init_array();
}

/* skiff_main_return: main returned status: exit(status), never returns. */
_Noreturn void skiff_main_return(int status)
{
	exit(status);
}

/* _init, _fini: newlib's walkers call them around the tables (the old
 * .init/.fini sections). Skiff images have no such sections: empty. */
void _init(void)
{
}

void _fini(void)
{
}
