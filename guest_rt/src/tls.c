/*
 * tls.c - the guest's one thread block: thread-local storage and the
 * stack protector's canary, in place before any other C code runs.
 *
 * x86-64 uses TLS variant II: the thread pointer (FS base) points at the
 * thread control block (TCB), and the TLS block lies just below it. gcc
 * reads a variable at %fs:OFFSET with a negative OFFSET the linker chose,
 * takes the block's address from the TCB's first word (a pointer to
 * itself), and reads the stack protector's canary at %fs:0x28. The
 * layout of the TCB's first words is the psABI's (glibc's tcbhead_t).
 *
 * This file is compiled without the stack protector: it runs before the
 * canary exists, and it is what writes it.
 */
#include "runtime.h"

#include <stddef.h>

#include "lib/kstring.h"

/* The TCB: what %fs:0 points at. 64 bytes, as guest.ld reserves. */
struct skiff_tcb {
	struct skiff_tcb *self;       /* %fs:0x00: the thread pointer itself */
	void *dtv;                    /* %fs:0x08: no dynamic TLS: unused */
	struct skiff_tcb *self2;      /* %fs:0x10: glibc's "self", same value */
	uint64_t reserved[2];         /* %fs:0x18, 0x20 */
	uint64_t stack_guard;         /* %fs:0x28: gcc's canary */
	uint64_t pointer_guard;       /* %fs:0x30: reserved for pointer mangling */
	uint64_t pad;
};

_Static_assert(offsetof(struct skiff_tcb, stack_guard) == 0x28,
	       "gcc reads the stack protector canary at %fs:0x28");
_Static_assert(sizeof(struct skiff_tcb) == 64, "guest.ld reserves 64 bytes");

/* From guest.ld: the TLS image, its alignment (an absolute symbol, so its
 * address is its value) and the thread block's reserved room in .bss. */
extern char __tls_start[], __tdata_end[], __tls_end[], __tls_align[];
extern char __skiff_tls_block[], __skiff_tls_block_end[];

/* The anchor: first in .tdata (guest.ld), so its @tpoff is minus the TLS
 * block size the linker used. 64-aligned, so the image starts 64-aligned
 * and the linker rounds the block size to a multiple of 64. */
__attribute__((section(".tdata.skiff_anchor"), used, aligned(64)))
_Thread_local char skiff_tls_anchor = 1;

#define MSR_FS_BASE 0xc0000100u
#define CPUID1_ECX_RDRAND (1u << 30)
/* Intel's guidance: a few retries make an RDRAND failure vanishingly rare. */
#define RDRAND_TRIES 10

/* linker_block_size: the TLS block size every %fs offset was computed from. */
static uintptr_t linker_block_size(void)
{
	int64_t tpoff;

	/* The assembler emits the anchor's TP-relative offset as a constant
	 * (R_X86_64_TPOFF32), resolved by the linker like any other. */
	__asm__("movq $skiff_tls_anchor@tpoff, %0" : "=r"(tpoff));
	return (uintptr_t)-tpoff;
}

/* has_rdrand: CPUID.1:ECX bit 30, as Skiff lets the guest see it. */
static bool has_rdrand(void)
{
	uint32_t eax = 1, ebx, ecx = 0, edx;

	__asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
	return (ecx & CPUID1_ECX_RDRAND) != 0;
}

/* rdrand64: one RDRAND; false when the CPU had no random number ready
 * (CF = 0), in which case *out is not meaningful. */
static bool rdrand64(uint64_t *out)
{
	bool ok;

	/* "=@ccc": gcc's flag output, true when CF = 1 after RDRAND. */
	__asm__ volatile("rdrand %0" : "=r"(*out), "=@ccc"(ok));
	return ok;
}

/*
 * canary_value: a random canary from RDRAND; without RDRAND (QEMU's
 * qemu64 model has none), the TSC mixed with the entry TSC, which is far
 * weaker (a patient attacker can estimate it) but still differs per boot.
 * The lowest byte is zeroed, as glibc does: a string copy that overruns
 * into the canary stops at that NUL, and a string read cannot leak the rest.
 */
static uint64_t canary_value(void)
{
	uint64_t v = 0;
	bool got = false;

	if (has_rdrand())
		for (int i = 0; i < RDRAND_TRIES && !got; i++)
			got = rdrand64(&v);
	if (!got) {
		/* splitmix64's finaliser: spreads the TSC's few changing low
		 * bits over the whole word. */
		v = skiff_tsc() ^ (skiff_entry_tsc << 32);
		v ^= v >> 30;
		v *= 0xbf58476d1ce4e5b9ull;
		v ^= v >> 27;
		v *= 0x94d049bb133111ebull;
		v ^= v >> 31;
	}
	v &= ~(uint64_t)0xff;
	/* A zero canary would match zeroed memory; never use it. */
	return v ? v : 0x5ec0de5afe1dea00ull;
}

/* wrmsr_fs_base: point FS at the TCB. Skiff passes MSR FS_BASE through
 * (no exit); the CPU switches it with the rest of the guest's state. */
static void wrmsr_fs_base(uint64_t base)
{
	__asm__ volatile("wrmsr"
			 : : "c"(MSR_FS_BASE), "a"((uint32_t)base),
			   "d"((uint32_t)(base >> 32)));
}

void skiff_tls_init(void)
{
	uintptr_t size = linker_block_size();
	uintptr_t align = (uintptr_t)__tls_align < 64 ? 64 : (uintptr_t)__tls_align;
	uintptr_t image = (uintptr_t)__tls_start;
	uintptr_t data_len = (uintptr_t)(__tdata_end - __tls_start);
	uintptr_t start = (uintptr_t)__skiff_tls_block;
	/* The thread pointer keeps the link-time image's offset modulo the
	 * alignment, so every variable is as aligned at run time as in the
	 * image. With the anchor's alignment this is 0 modulo 64. */
	uintptr_t phase = (image + size) & (align - 1);
	uintptr_t tp = start + size + ((phase - (start + size)) & (align - 1));
	struct skiff_tcb *tcb = (struct skiff_tcb *)tp;

	if ((align & (align - 1)) || size < (uintptr_t)(__tls_end - __tls_start) ||
	    tp + sizeof(*tcb) > (uintptr_t)__skiff_tls_block_end || (tp & 7))
		skiff_abort("runtime: the thread block does not fit guest.ld's room");
	/* Variable at link address a lives at tp - size + (a - image). */
	memcpy((void *)(tp - size), __tls_start, data_len);
	memset((void *)(tp - size + data_len), 0, size - data_len);
	memset(tcb, 0, sizeof(*tcb));
	tcb->self = tcb;
	tcb->self2 = tcb;
	tcb->stack_guard = canary_value();
	wrmsr_fs_base(tp);
}
