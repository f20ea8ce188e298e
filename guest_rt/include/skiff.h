/*
 * skiff.h - the C API of Skiff's guest runtime.
 *
 * An appliance defines `int main(int argc, char **argv)`. The runtime's
 * entry code runs first, with interrupts off, on the stack the hypervisor
 * set up at the top of guest RAM; when main returns, the guest halts with
 * main's return value as its exit status (0 success, 1 failure).
 *
 * argv[0] is the appliance's name (the NAME given to skiff_guest() in
 * CMake, or skiff-cc's output name); argv[1..argc) are the words of the
 * guest's command line (what follows "--" on its Skiff module line), split
 * on spaces, less the environment: leading words KEY=VALUE (KEY in
 * [A-Za-z_][A-Za-z0-9_]*) are the environment, and a "--" word right after
 * them (or first) ends them and is dropped.
 *
 * Before main: .bss is zero, the thread block is built (thread-local
 * variables, FS base, the stack protector's canary at %fs:0x28), then
 * .preinit_array and .init_array run. When main returns, .fini_array runs
 * backwards (with newlib: exit(), which also runs atexit handlers and
 * flushes stdio).
 *
 * Guests are single-threaded and identity-mapped: a pointer is a
 * guest-physical address. Nothing here is reentrant from a trap handler.
 */
#ifndef SKIFF_H
#define SKIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skiff_abi.h"
#include "skiff_manifest.h"

/* Exit statuses with a meaning fixed by the ABI. */
#define SKIFF_EXIT_SUCCESS 0
#define SKIFF_EXIT_FAILURE 1
#define SKIFF_EXIT_ABORT 255

/*
 * The most words skiff_args splits the command line into (argv[0] too):
 * enough for every word a command line of SKIFF_CMDLINE_MAX bytes can hold
 * (one character and a space each), so no word is ever dropped.
 */
#define SKIFF_MAX_ARGS (SKIFF_CMDLINE_MAX / 2 + 1)

/* Bytes below the top of RAM the heap leaves to the stack. */
#define SKIFF_STACK_RESERVE (256u * 1024u)
/* The unmapped page between the heap and the stack's reserve. */
#define SKIFF_STACK_GUARD 4096u

/* ---- console ---- */

/*
 * skiff_write: write len bytes of buf to the console, unchanged (NULs
 * included). Needs buf[0..len) readable. Returns nothing: Skiff ends a
 * guest whose buffer is not inside its RAM.
 */
void skiff_write(const char *buf, size_t len);

/*
 * skiff_puts: write the NUL-terminated string s to the console; unlike C's
 * puts, no newline is added. A NULL s writes "(null)".
 */
void skiff_puts(const char *s);

/*
 * skiff_printf: printf-style output to the console (the conversions of
 * lib/format.h: %d %i %u %x %X %o %c %s %p %% with l, ll, z, h, width,
 * '-', '0' and %s precision; no floating point). Output longer than
 * SKIFF_PRINTF_MAX - 1 bytes is cut there. Returns the bytes written.
 */
#define SKIFF_PRINTF_MAX 1024
int skiff_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- ending ---- */

/* skiff_exit: end the guest with status (reported as status & 0xff). */
_Noreturn void skiff_exit(int status);

/* skiff_abort: end the guest with status 255, after printing why (may be NULL). */
_Noreturn void skiff_abort(const char *why);

/* ---- time ---- */

/* skiff_walltime_ns: nanoseconds since the Unix epoch, from Skiff. */
uint64_t skiff_walltime_ns(void);

/*
 * skiff_poll: sleep until a device has input or timeout_ns nanoseconds
 * (relative) have passed. Returns the set of handles with input ready
 * (bit n = handle n), 0 on timeout.
 */
uint64_t skiff_poll(uint64_t timeout_ns);

/* skiff_tsc: the CPU's time-stamp counter (RDTSC). */
static inline uint64_t skiff_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/*
 * skiff_entry_tsc: the TSC as read by the guest's very first instruction
 * (the entry code stores it before anything else runs), so a benchmark can
 * tell how long Skiff took to start the guest. Read-only for appliances.
 */
extern uint64_t skiff_entry_tsc;

/* skiff_tsc_hz: TSC ticks per second, as the hypervisor measured it. */
uint64_t skiff_tsc_hz(void);

/* ---- memory ---- */

/* skiff_mem_size: bytes of guest RAM (guest-physical 0 to mem_size). */
uint64_t skiff_mem_size(void);

/*
 * skiff_heap_start: the first free byte above the image (the larger of
 * the linker's _end and the hypervisor's kernel_end), 4 KiB-aligned.
 */
uintptr_t skiff_heap_start(void);

/*
 * skiff_heap_end: the end of the free memory above the heap start: RAM
 * minus SKIFF_STACK_RESERVE for the stack and SKIFF_STACK_GUARD for the
 * guard page below it. Returns skiff_heap_start() when RAM is too small to
 * leave any heap.
 */
uintptr_t skiff_heap_end(void);

/*
 * skiff_stack_guard: the address of the unmapped guard page below the
 * stack (mem_size - SKIFF_STACK_RESERVE - SKIFF_STACK_GUARD), so a stack
 * overflow faults there instead of running over the heap; 0 when RAM is
 * too small for one (under 2 MiB plus the reserve and the guard). The
 * runtime sets it up before main (its own page tables, identical to the
 * ABI's but for that page).
 */
uintptr_t skiff_stack_guard(void);

/* ---- command line ---- */

/* skiff_cmdline: the guest's command line as Skiff passed it ("" if none). */
const char *skiff_cmdline(void);

/*
 * skiff_args: the split command line, as main receives it: sets *argv to
 * argv[0] (the appliance's name) followed by the words that are not the
 * environment, NULL-terminated, and returns argc. Every word is kept
 * (SKIFF_MAX_ARGS covers the longest command line).
 */
int skiff_args(char ***argv);

/*
 * skiff_environ: the environment, "KEY=VALUE" strings, NULL-terminated
 * (the leading assignments of the command line). With newlib, `environ`
 * starts as this array, so getenv and setenv work.
 */
char **skiff_environ(void);

/* skiff_getenv: the value of environment variable name, or NULL. */
const char *skiff_getenv(const char *name);

/* ---- block devices ---- */

struct skiff_block_info {
	uint64_t capacity;     /* bytes */
	uint64_t block_size;   /* bytes */
};

/*
 * skiff_block_find: the handle of the block device the manifest names
 * name. Returns SKIFF_OK and sets *handle, or SKIFF_EINVAL when no such
 * block device is declared or Skiff did not attach it.
 */
enum skiff_result skiff_block_find(const char *name, uint64_t *handle);

/*
 * skiff_block_info: capacity and block size of the block device handle.
 * Returns SKIFF_OK, or SKIFF_EINVAL when handle is not an attached block
 * device of the manifest.
 */
enum skiff_result skiff_block_info(uint64_t handle, struct skiff_block_info *info);

/*
 * skiff_block_read / skiff_block_write: move one block (len = block size)
 * between buf and the device at byte offset (a multiple of the block size,
 * inside the capacity). Returns Skiff's answer: SKIFF_OK, SKIFF_EINVAL
 * (bad handle, offset or length; also every call while no device is
 * attached), SKIFF_EUNSPEC (the backing store failed).
 */
enum skiff_result skiff_block_read(uint64_t handle, uint64_t offset, void *buf,
				   size_t len);
enum skiff_result skiff_block_write(uint64_t handle, uint64_t offset,
				    const void *buf, size_t len);

/* ---- net devices ---- */

#define SKIFF_NET_HLEN 14u   /* Ethernet header: destination, source, type */

struct skiff_net_info {
	uint8_t mac[6];        /* the device's own address: the only source allowed */
	uint16_t mtu;          /* payload bytes; frames are 14..mtu + 14 bytes */
};

/*
 * skiff_net_find: the handle of the net device the manifest names name.
 * Returns SKIFF_OK and sets *handle, or SKIFF_EINVAL when no such net
 * device is declared or Skiff did not attach it.
 */
enum skiff_result skiff_net_find(const char *name, uint64_t *handle);

/* skiff_net_info: MAC and MTU of net device handle; SKIFF_EINVAL when it
 * is not an attached net device of the manifest. */
enum skiff_result skiff_net_info(uint64_t handle, struct skiff_net_info *info);

/*
 * skiff_net_write: send one Ethernet frame (no FCS) of len bytes. Returns
 * SKIFF_OK, or SKIFF_EINVAL for a bad handle, a length outside 14..mtu + 14
 * or a source address that is not the device's own.
 */
enum skiff_result skiff_net_write(uint64_t handle, const void *frame, size_t len);

/*
 * skiff_net_read: take the next frame into buf (cap bytes; mtu + 14 always
 * suffices) and set *len. Returns SKIFF_OK, SKIFF_AGAIN when none is
 * waiting, SKIFF_EINVAL for a bad handle or a buffer shorter than the frame.
 */
enum skiff_result skiff_net_read(uint64_t handle, void *buf, size_t cap, size_t *len);

/* ---- Skiff's own calls ---- */

/* skiff_nop: Skiff's do-nothing call (port 0x580): one guest-exit round trip. */
static inline void skiff_nop(void)
{
	skiff_hypercall_raw(SKIFF_CALL_NOP_PORT, 0);
}

/*
 * skiff_report_free: tell Skiff that the whole 4 KiB pages inside
 * [ptr, ptr+len) are free (free-page reporting, docs/guest-abi.md). Their
 * contents are lost: each reads as zero afterwards and gets a fresh frame
 * on its next touch. Pages below the image's end may not be reported.
 * Needs nothing of ptr (no whole page inside: nothing happens). Returns
 * the frames Skiff took back (pages never touched, or inside a 2 MiB
 * mapping only partly reported, are zeroed but count 0), or
 * -enum skiff_free_error when Skiff refused the report (then nothing
 * changed in the refused call; earlier calls of a report longer than
 * SKIFF_FREE_REPORT_MAX_PAGES pages stand).
 */
int64_t skiff_report_free(const void *ptr, size_t len);

/*
 * skiff_report_free_ranges: one raw report of ranges[0..count) (ascending,
 * page-aligned, non-overlapping, at or above kernel_end). Returns as
 * skiff_report_free; *bad_index (may be NULL) is the entry Skiff refused.
 */
int64_t skiff_report_free_ranges(const struct skiff_free_range *ranges, size_t count,
				 uint64_t *bad_index);

/*
 * skiff_snapshot: snapshot this guest here for its clones (module option
 * clone=N, docs/clones.md). In the guest that was started, it does not
 * return: Skiff ends it and starts N clones from the snapshot, in each of
 * which it returns that clone's number, 1..N. Returns 0 when Skiff refused
 * (not started with clone=, already a clone): the guest goes on and
 * Skiff's log says why. skiff_snapshot_raw passes flags (0 is the only
 * valid value) and returns the call's ret in *ret as well.
 */
unsigned skiff_snapshot(void);
unsigned skiff_snapshot_raw(uint64_t flags, int32_t *ret);

/* ---- what the runtime needs from the appliance ---- */

/* main: the appliance. Its return value becomes the exit status. Declared
 * here (appliances refer to it, e.g. as an address in text), so a file that
 * includes skiff.h defines main with argc and argv, not as main(void). */
int main(int argc, char **argv);

#endif
