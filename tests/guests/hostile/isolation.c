/*
 * isolation.c - the hostile guest's attacks on CPU state that guests share
 * with Skiff and with each other (docs/threat-model.md, the state table).
 *
 * A "-hold" attack sets a piece of state to a marker, sleeps in POLL so
 * that other guests run, and checks the marker is still there: the state is
 * its own and switched. A "-probe" attack, run beside it, checks it finds
 * the clean value and never the holder's marker. State a guest may not
 * touch at all is attacked once; Skiff must end the guest (the boot test
 * checks the reason), so reaching the next line prints "ESCAPED".
 *
 * Output: "SUCCESS" (status 0), "ESCAPED"/"LEAKED" (status 1), "NOT
 * OFFERED" (status 2: the CPU lacks the feature, so the case proves
 * nothing and must not pass), "FAILED" (status 3: the test itself broke).
 */
#include "isolation.h"

#include "skiff.h"
#include "skiff_abi.h"

#include "lib/kstring.h"
#include "traps.h"

#define EXIT_NOT_OFFERED 2
#define EXIT_BROKEN 3
#define SLEEP_STEP_NS (10 * 1000000ull)

#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR4_OSXSAVE (1ull << 18)
#define CR4_PKE (1ull << 22)

#define CR8_MARKER 15u                  /* every interrupt class masked */
#define PKRU_HOLD_MARKER 0x5a5a5a50u    /* key 0 left open: the guest's own pages */
#define PKRU_PROBE_MARKER 0x0f0f0f00u
#define DR0_MARKER 0x0000445230484f4cull

static uint64_t read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static uint64_t read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

/* Sleep ms in POLL steps, calling check after each; false when it fails. */
static bool sleep_checking(uint64_t ms, bool (*check)(void))
{
	for (uint64_t slept = 0; slept < ms; slept += 10) {
		skiff_poll(SLEEP_STEP_NS);
		if (!check())
			return false;
	}
	return true;
}

/* ---- CR8: the task priority (VMX: denied; SVM: the virtual TPR) ---- */

static bool cr8_kept(void)
{
	return stub_read_cr8() == CR8_MARKER;
}

static int cr8_hold(uint64_t ms)
{
	skiff_puts("attempting to mask every interrupt with CR8 = 15\n");
	stub_write_cr8(CR8_MARKER);
	if (!sleep_checking(ms, cr8_kept)) {
		skiff_printf("ESCAPED: my CR8 changed to %llu\n", (unsigned long long)stub_read_cr8());
		return SKIFF_EXIT_FAILURE;
	}
	skiff_puts("cr8: marker kept, and Skiff kept waking me\nSUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

static int cr8_probe(void)
{
	uint64_t seen;

	skiff_puts("attempting to read another guest's CR8\n");
	seen = stub_read_cr8();
	if (seen != 0) {
		skiff_printf("LEAKED: CR8 is %llu, not 0\n", (unsigned long long)seen);
		return SKIFF_EXIT_FAILURE;
	}
	skiff_puts("cr8: found 0\nSUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

/* ---- CR0.CD/NW: caching (VMX: Skiff's; SVM: the guest's own, switched) ---- */

static bool cd_kept(void)
{
	return (read_cr0() & CR0_CD) != 0;
}

static int cd_hold(uint64_t ms)
{
	skiff_puts("attempting to turn caches off with CR0.CD\n");
	trap_last_vector = TRAP_NONE;
	stub_write_cr0(read_cr0() | CR0_CD);
	if (trap_last_vector != TRAP_NONE || !cd_kept()) {
		skiff_printf("FAILED: CR0.CD did not stick (trap %s)\n", trap_name(trap_last_vector));
		return EXIT_BROKEN;
	}
	if (!sleep_checking(ms, cd_kept)) {
		skiff_puts("ESCAPED: my CR0.CD was cleared by someone else\n");
		return SKIFF_EXIT_FAILURE;
	}
	stub_write_cr0(read_cr0() & ~CR0_CD);
	skiff_puts("cd: marker kept\nSUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

static int cd_probe(void)
{
	uint64_t cr0 = read_cr0();

	skiff_puts("attempting to see another guest's CR0.CD/NW\n");
	if (cr0 & (CR0_CD | CR0_NW)) {
		skiff_printf("LEAKED: CR0 is 0x%llx (CD/NW set)\n", (unsigned long long)cr0);
		return SKIFF_EXIT_FAILURE;
	}
	skiff_printf("cd: CR0 0x%llx\nSUCCESS\n", (unsigned long long)cr0);
	return SKIFF_EXIT_SUCCESS;
}

/* ---- PKRU: switched with the x87/SSE state where protection keys exist ---- */

/* Turn on CR4.PKE; false (after saying so) when the CPU has no keys. */
static bool enable_pke(void)
{
	trap_last_vector = TRAP_NONE;
	stub_write_cr4(read_cr4() | CR4_PKE);
	if (trap_last_vector != TRAP_NONE) {
		skiff_printf("pkru: NOT OFFERED: setting CR4.PKE raised %s\n",
			     trap_name(trap_last_vector));
		return false;
	}
	return true;
}

static bool pkru_kept(void)
{
	return stub_rdpkru() == PKRU_HOLD_MARKER;
}

static int pkru_hold(uint64_t ms)
{
	if (!enable_pke())
		return EXIT_NOT_OFFERED;
	stub_wrpkru(PKRU_HOLD_MARKER);
	skiff_printf("pkru: holding marker 0x%x\n", PKRU_HOLD_MARKER);
	if (!sleep_checking(ms, pkru_kept)) {
		skiff_printf("ESCAPED: my PKRU changed to 0x%x\n", stub_rdpkru());
		return SKIFF_EXIT_FAILURE;
	}
	skiff_puts("pkru: marker kept\nSUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

static int pkru_probe(void)
{
	uint32_t seen;

	if (!enable_pke())
		return EXIT_NOT_OFFERED;
	skiff_puts("attempting to read another guest's PKRU\n");
	seen = stub_rdpkru();
	stub_wrpkru(PKRU_PROBE_MARKER);
	if (seen != 0) {
		skiff_printf("LEAKED: PKRU is 0x%x, not 0\n", seen);
		return SKIFF_EXIT_FAILURE;
	}
	skiff_puts("pkru: found 0\nSUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

/* ---- x87/SSE: FCW, MXCSR, ST0 and XMM0-15 through the guest's own FXSAVE ---- */

#define FX_FCW 0
#define FX_MXCSR 24
#define FX_ST0 32
#define FX_XMM0 160
#define FX_XMM_BYTES 256

static uint8_t fx_marks[512] __attribute__((aligned(16)));
static uint8_t fx_seen[512] __attribute__((aligned(16)));
static struct skiff_hc_poll fx_poll;

/* The holder's image: FCW 0x027f (53-bit precision), MXCSR rounding down,
 * ST0 a pattern, XMMn filled with 0xa0 + n. */
static void fx_fill_marks(uint8_t *area, uint8_t base)
{
	uint16_t fcw = 0x027f;
	uint32_t mxcsr = 0x3f80;

	memset(area, 0, 512);
	memcpy(area + FX_FCW, &fcw, sizeof(fcw));
	memcpy(area + FX_MXCSR, &mxcsr, sizeof(mxcsr));
	area[4] = 0x01;                       /* abridged tag: ST0 valid */
	memset(area + FX_ST0, base, 10);
	for (int n = 0; n < 16; n++)
		memset(area + FX_XMM0 + 16 * n, base + n, 16);
}

/* Load marks, sleep in one POLL (nothing else runs in this guest), save. */
static void fx_hold_once(uint64_t ns)
{
	fx_poll = (struct skiff_hc_poll){ .timeout_nsecs = ns };
	__asm__ volatile("fxrstor64 (%0)\n\t"
			 "outl %%eax, %%dx\n\t"
			 "fxsave64 (%1)"
			 : : "r"(fx_marks), "r"(fx_seen),
			   "a"((uint32_t)(uintptr_t)&fx_poll),
			   "d"(SKIFF_HC_PORT(SKIFF_HC_POLL))
			 : "memory");
}

static bool fx_same(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a + FX_FCW, b + FX_FCW, 2) == 0 &&
		memcmp(a + FX_MXCSR, b + FX_MXCSR, 4) == 0 &&
		memcmp(a + FX_ST0, b + FX_ST0, 10) == 0 &&
		memcmp(a + FX_XMM0, b + FX_XMM0, FX_XMM_BYTES) == 0;
}

static int fpu_hold(uint64_t ms)
{
	fx_fill_marks(fx_marks, 0xa0);
	skiff_puts("fpu: holding markers in FCW, MXCSR, ST0 and XMM0-15\n");
	for (uint64_t slept = 0; slept < ms; slept += 10) {
		fx_hold_once(SLEEP_STEP_NS);
		if (!fx_same(fx_marks, fx_seen)) {
			skiff_puts("ESCAPED: my x87/SSE state changed while I slept\n");
			return SKIFF_EXIT_FAILURE;
		}
	}
	skiff_puts("fpu: markers kept\nSUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

static int fpu_probe(void)
{
	uint16_t fcw;
	uint32_t mxcsr;
	int leaks = 0;

	__asm__ volatile("fxsave64 (%0)" : : "r"(fx_seen) : "memory");
	skiff_puts("attempting to read another guest's x87/SSE state\n");
	memcpy(&fcw, fx_seen + FX_FCW, sizeof(fcw));
	memcpy(&mxcsr, fx_seen + FX_MXCSR, sizeof(mxcsr));
	fx_fill_marks(fx_marks, 0xa0);
	for (int n = 0; n < 16; n++)
		leaks += memcmp(fx_seen + FX_XMM0 + 16 * n, fx_marks + FX_XMM0 + 16 * n, 16) == 0;
	leaks += memcmp(fx_seen + FX_ST0, fx_marks + FX_ST0, 10) == 0;
	if (leaks || fcw != 0x037f || mxcsr != 0x1f80) {
		skiff_printf("LEAKED: FCW 0x%x MXCSR 0x%x, %d registers hold the other guest's marks\n",
			     fcw, mxcsr, leaks);
		return SKIFF_EXIT_FAILURE;
	}
	/* Leave marks of our own: the holder must never see them either. */
	fx_fill_marks(fx_marks, 0x50);
	__asm__ volatile("fxrstor64 (%0)" : : "r"(fx_marks) : "memory");
	skiff_puts("fpu: found the reset state\nSUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

/* ---- XCR0: pinned by Skiff to x87|SSE ---- */

static int xcr0_check(void)
{
	uint64_t xcr0;

	trap_last_vector = TRAP_NONE;
	stub_write_cr4(read_cr4() | CR4_OSXSAVE);
	if (trap_last_vector != TRAP_NONE) {
		skiff_printf("xcr0: NOT OFFERED: setting CR4.OSXSAVE raised %s\n",
			     trap_name(trap_last_vector));
		return EXIT_NOT_OFFERED;
	}
	xcr0 = stub_xgetbv();
	skiff_printf("xcr0: 0x%llx\n", (unsigned long long)xcr0);
	if (xcr0 != 0x3) {
		skiff_puts("ESCAPED: XCR0 is not the x87|SSE that Skiff pins and switches\n");
		return SKIFF_EXIT_FAILURE;
	}
	trap_last_vector = TRAP_NONE;
	stub_vzeroupper();
	if (trap_last_vector != VECTOR_UD) {
		skiff_printf("ESCAPED: VZEROUPPER ran (trap %s)\n", trap_name(trap_last_vector));
		return SKIFF_EXIT_FAILURE;
	}
	skiff_puts("xcr0: AVX refused with #UD\nSUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

/* ---- state no guest may touch: Skiff ends the guest ---- */

static uint8_t monitor_line[64] __attribute__((aligned(64)));

static void run_write_dr0(void) { stub_write_dr0(DR0_MARKER); }
static void run_read_dr0(void) { (void)stub_read_dr0(); }
static void run_monitor(void) { stub_monitor((uintptr_t)monitor_line); }
static void run_write_nw(void) { stub_write_cr0(read_cr0() | CR0_CD | CR0_NW); }

static const struct {
	const char *name;
	void (*run)(void);
} denied[] = {
	{ "dr-write", run_write_dr0 },
	{ "dr-read", run_read_dr0 },
	{ "rdpmc", stub_rdpmc },
	{ "wbinvd", stub_wbinvd },
	{ "monitor", run_monitor },
	{ "mwait", stub_mwait },
	{ "cr0-nw", run_write_nw },
};

static int attack_denied(const char *name, void (*run)(void))
{
	skiff_printf("attempting %s\n", name);
	trap_last_vector = TRAP_NONE;
	run();
	skiff_printf("ESCAPED: %s returned (trap %s)\n", name, trap_name(trap_last_vector));
	return SKIFF_EXIT_FAILURE;
}

/* ---- RAM: a guest's memory starts zeroed, whoever had the frames before ---- */

/* Heap above what the runtime may have allocated before main. */
#define RAM_SKIP (256u * 1024u)

static int ram_zero(void)
{
	const volatile uint64_t *p = (const volatile uint64_t *)(skiff_heap_start() + RAM_SKIP);
	const volatile uint64_t *end = (const volatile uint64_t *)skiff_heap_end();
	uint64_t dirty = 0;

	skiff_puts("attempting to find another guest's data in my fresh RAM\n");
	for (; p < end; p++)
		dirty += *p != 0;
	if (dirty) {
		skiff_printf("LEAKED: %llu words of my heap were not zero\n", (unsigned long long)dirty);
		return SKIFF_EXIT_FAILURE;
	}
	skiff_puts("ram: heap all zero\nSUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

/* ram_zero after ms of sleep: Skiff is idle meanwhile and fills its pool
 * of zeroed 2 MiB frames, so the untouched blocks of the heap come from it. */
static int ram_zero_later(uint64_t ms)
{
	for (uint64_t slept = 0; slept < ms; slept += 10)
		skiff_poll(SLEEP_STEP_NS);
	return ram_zero();
}

/* Fill the heap with a marker and end: the frames go back to Skiff dirty. */
static int ram_dirty(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(skiff_heap_start() + RAM_SKIP);
	volatile uint64_t *end = (volatile uint64_t *)skiff_heap_end();

	for (; p < end; p++)
		*p = 0x5249525459524152ull;   /* "RARYTRIR" */
	skiff_puts("ram: heap filled with a marker\nSUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

/* ---- output: one PUTS far larger than a slice's worth ---- */

static int puts_flood(uint64_t bytes)
{
	char *buf = (char *)(skiff_heap_start() + RAM_SKIP);
	uint64_t room = skiff_heap_end() - (uintptr_t)buf;

	if (bytes == 0 || bytes > room) {
		skiff_printf("FAILED: %llu bytes do not fit in the heap\n", (unsigned long long)bytes);
		return EXIT_BROKEN;
	}
	memset(buf, 'x', bytes);
	buf[bytes - 1] = '\n';
	skiff_printf("attempting one PUTS of %llu bytes\n", (unsigned long long)bytes);
	skiff_write(buf, bytes);
	skiff_puts("puts: done\nSUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

/* ---- the slice: a guest that exits all the time must still be preempted ---- */

static int cpuid_storm(void)
{
	skiff_puts("attempting to keep the CPU with an endless CPUID loop\n");
	for (;;) {
		uint32_t a = 0, b, c = 0, d;

		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	}
	return SKIFF_EXIT_FAILURE;
}

int isolation_attack(const char *what, uint64_t ms, bool *known)
{
	*known = true;
	traps_install();
	if (strcmp(what, "cr8-hold") == 0) return cr8_hold(ms);
	if (strcmp(what, "cr8-probe") == 0) return cr8_probe();
	if (strcmp(what, "cd-hold") == 0) return cd_hold(ms);
	if (strcmp(what, "cd-probe") == 0) return cd_probe();
	if (strcmp(what, "pkru-hold") == 0) return pkru_hold(ms);
	if (strcmp(what, "pkru-probe") == 0) return pkru_probe();
	if (strcmp(what, "fpu-hold") == 0) return fpu_hold(ms);
	if (strcmp(what, "fpu-probe") == 0) return fpu_probe();
	if (strcmp(what, "xcr0") == 0) return xcr0_check();
	if (strcmp(what, "ram-dirty") == 0) return ram_dirty();
	if (strcmp(what, "ram-zero") == 0) return ram_zero();
	if (strcmp(what, "ram-zero-later") == 0) return ram_zero_later(ms);
	if (strcmp(what, "puts-flood") == 0) return puts_flood(ms);
	if (strcmp(what, "cpuid-storm") == 0) return cpuid_storm();
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		if (strcmp(what, denied[i].name) == 0)
			return attack_denied(denied[i].name, denied[i].run);
	*known = false;
	return SKIFF_EXIT_FAILURE;
}
