/*
 * libc_start.c - how a newlib guest ends when main returns.
 *
 * The runtime's startup code hands main's status to skiff_main_return.
 * Without newlib that is a plain HALT; with newlib, C says returning from
 * main is exit(status): atexit handlers run and stdio is flushed (a last
 * line without '\n' would otherwise be lost). This file is linked as an
 * object, not from an archive, so its definition always replaces the
 * runtime's weak default.
 */
#include <stdlib.h>

/* skiff_main_return: main returned status: exit(status), never returns. */
_Noreturn void skiff_main_return(int status);

_Noreturn void skiff_main_return(int status)
{
	exit(status);
}
