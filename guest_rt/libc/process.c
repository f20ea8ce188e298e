/*
 * process.c - the process calls of a unikernel: one process, pid 1, that
 * can end itself and nothing else.
 */
#include "glue.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "skiff.h"

/* The guest's only process id, as the first process of a system. */
#define GLUE_PID 1

/* _exit: end the guest through HALT with status (reported & 0xff). newlib's
 * exit() runs atexit handlers and flushes stdio, then calls this. */
void _exit(int status)
{
	skiff_exit(status);
}

/* getpid: the guest is process 1, the only one. */
pid_t getpid(void)
{
	return GLUE_PID;
}

/* ignored_by_default: signals whose default action is to do nothing. */
static bool ignored_by_default(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

/* print_signal: "skiff libc: terminated by signal N" on the console. */
static void print_signal(int sig)
{
	char digits[4] = { 0 };
	int n = 0;

	for (int d = 100; d > 0; d /= 10)
		if (sig >= d || n || d == 1)
			digits[n++] = (char)('0' + sig / d % 10);
	skiff_puts("skiff libc: terminated by signal ");
	skiff_puts(digits);
	skiff_puts("\n");
}

/*
 * kill: newlib's raise() and abort() end here for a signal without a
 * handler, so a signal to this process (pid 1, 0 or -1) takes its default
 * action: ignored for SIGCHLD and its like, otherwise the guest ends with
 * status 255 (abort). Signal 0 only checks that the process exists. Other
 * pids do not exist: ESRCH.
 */
int kill(pid_t pid, int sig)
{
	if (sig < 0 || sig >= NSIG) {
		errno = EINVAL;
		return -1;
	}
	if (pid != GLUE_PID && pid != 0 && pid != -1) {
		errno = ESRCH;
		return -1;
	}
	if (sig == 0 || ignored_by_default(sig))
		return 0;
	print_signal(sig);
	skiff_exit(SKIFF_EXIT_ABORT);
}

/* wait: there are never children. */
pid_t wait(int *status)
{
	errno = ECHILD;
	return -1;
}

/* fork: one address space, one vCPU: no second process can be made (EAGAIN). */
pid_t fork(void)
{
	static bool warned;

	return glue_refuse("fork", EAGAIN, &warned);
}

/* execve: there is no file to execute (ENOENT): the image is all there is. */
int execve(const char *path, char *const argv[], char *const envp[])
{
	static bool warned;

	return glue_refuse("execve", ENOENT, &warned);
}
