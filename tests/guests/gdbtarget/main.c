/*
 * gdbtarget - a guest for gdb to stop, inspect and change.
 *
 * main calls gdb_stop_here (a named function to break in) twice and
 * gdb_exit_here (whose first instruction, CPUID, exits to Skiff: a step
 * over it is finished by Skiff, not by the trap flag), then prints
 * gdb_answer and gdb_counter. It never changes gdb_answer: a value other
 * than 7 on the console was written by the debugger (set var). Halts 0.
 *
 * gdbtarget tf-cpuid: sets its own trap flag and executes CPUID, which
 * exits to Skiff (an emulator may carry the single-step trap over into
 * Skiff: Skiff must survive it). With no IDT of its own, the guest's #DB
 * then ends it; reaching the end is a failure (status 3).
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

/* gdb_exit_here: CPUID first, so that its first instruction exits. */
__asm__(".text\n"
	".globl gdb_exit_here\n"
	"gdb_exit_here:\n"
	"\tcpuid\n"           /* 2 bytes; Skiff answers it in an exit */
	"\tret\n");             /* back to main */

static int trap_flag_over_cpuid(void)
{
	skiff_puts("gdbtarget: setting TF, then CPUID\n");
	__asm__ volatile("xor %%eax, %%eax\n\t"      /* CPUID leaf 0 */
			 "pushfq\n\t"
			 "orq $0x100, (%%rsp)\n\t"   /* RFLAGS.TF in the saved copy */
			 "popfq\n\t"                 /* TF on: a #DB after the next instruction, */
			 "cpuid"                       /* this one, which exits to Skiff */
			 ::: "rax", "rbx", "rcx", "rdx", "memory", "cc");
	skiff_puts("gdbtarget: still running after a #DB with no IDT\n");
	return 3;
}

int main(int argc, char **argv)
{
	if (argc > 1 && argv[1][0] == 't')
		return trap_flag_over_cpuid();
	gdb_stop_here(1);
	gdb_stop_here(2);
	__asm__ volatile("xor %%eax, %%eax\n\t"  /* leaf 0 */
			 "call gdb_exit_here"
			 ::: "rax", "rbx", "rcx", "rdx", "memory");
	skiff_printf("gdbtarget: gdb_answer=%d gdb_counter=%d\n", gdb_answer, gdb_counter);
	return 0;
}
