/*
 * gdbtarget - a guest for gdb to stop, inspect and change.
 *
 * main calls gdb_stop_here (a named function to break in), then prints
 * gdb_answer and gdb_counter. It never changes gdb_answer: a value other
 * than 7 on the console was written by the debugger (set var). Halts 0.
 */
#include "skiff.h"

volatile int gdb_answer = 7;
volatile int gdb_counter;

/* Global, so the debugger finds it by name; out of line, so it exists. */
void gdb_stop_here(int step);

__attribute__((noinline)) void gdb_stop_here(int step)
{
	gdb_counter += step;
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	gdb_stop_here(1);
	gdb_stop_here(2);
	skiff_printf("gdbtarget: gdb_answer=%d gdb_counter=%d\n", gdb_answer, gdb_counter);
	return 0;
}
