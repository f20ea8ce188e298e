/*
 * fault - memory accesses Skiff must not let through. The first argument
 * picks one:
 *   outside    read guest-physical 3 GiB, beyond RAM, through the guest's
 *              own page tables (which map it): a nested page fault
 *   writetext  write to the guest's own text, which the guest's page
 *              tables map writable: the nested tables map it read-only
 *   exec-data  copy a `ret` into .data and call it: data is not executable
 *              in the nested tables
 *   exec-heap  the same in free RAM above the image
 *   triple     load an IDT with limit 0 and raise #UD: the CPU escalates
 *              to a triple fault, which Skiff must end cleanly
 *   null       read address 0: the guest's own page fault with no IDT to
 *              take it, again a triple fault
 * Each prints "attempting X" first. Skiff must end the guest (status 1);
 * if the attempt returns, the guest prints "ESCAPED" and exits 1.
 */
#include "skiff.h"

#include "lib/kstring.h"

#include "../common/identity_map.h"

#define THREE_GIB (3ull << 30)
#define X86_RET 0xc3

/* An initialised array lands in .data, which the image maps R+W only. */
unsigned char data_code[16] = { X86_RET };

typedef void (*code_fn)(void);

/* call_bytes: jump into bytes at addr as if they were a function. */
static void call_bytes(uintptr_t addr)
{
	/* The compiler must not assume the store before the call is dead. */
	__asm__ volatile("" : : : "memory");
	((code_fn)addr)();
}

static void read_outside(void)
{
	if (skiff_mem_size() > THREE_GIB) {
		skiff_puts("fault: needs at most 3 GiB of RAM\n");
		skiff_exit(SKIFF_EXIT_FAILURE);
	}
	identity_map_4g();
	(void)*(volatile uint64_t *)(uintptr_t)THREE_GIB;
}

static void write_text(void)
{
	volatile unsigned char *text = (volatile unsigned char *)(uintptr_t)main;

	/* Write back what is there: if it escapes, nothing else breaks. */
	*text = *text;
}

static void exec_data(void)
{
	data_code[0] = X86_RET;
	call_bytes((uintptr_t)data_code);
}

static void exec_heap(void)
{
	unsigned char *heap = (unsigned char *)skiff_heap_start();

	heap[0] = X86_RET;
	call_bytes((uintptr_t)heap);
}

static void triple_fault(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} empty_idt = { 0, 0 };

	/* With no valid IDT entry, #UD becomes #GP, then #DF, then a
	 * triple fault: a shutdown the hypervisor sees as a VM exit. */
	__asm__ volatile("lidt %0" : : "m"(empty_idt));
	__asm__ volatile("ud2");
}

static void read_null(void)
{
	uint64_t zero = 0, value;

	/* In assembly so the compiler cannot treat it as undefined behaviour
	 * and replace it with a trap of its own. */
	__asm__ volatile("movq (%1), %0" : "=r"(value) : "r"(zero) : "memory");
	(void)value;
}

struct attempt {
	const char *name;
	void (*run)(void);
};

static const struct attempt attempts[] = {
	{ "outside", read_outside },
	{ "writetext", write_text },
	{ "exec-data", exec_data },
	{ "exec-heap", exec_heap },
	{ "triple", triple_fault },
	{ "null", read_null },
};

int main(int argc, char **argv)
{
	for (size_t i = 0; argc > 1 && i < sizeof(attempts) / sizeof(attempts[0]);
	     i++) {
		if (strcmp(argv[1], attempts[i].name) != 0)
			continue;
		skiff_printf("attempting %s\n", attempts[i].name);
		attempts[i].run();
		skiff_printf("ESCAPED: %s returned\n", attempts[i].name);
		return SKIFF_EXIT_FAILURE;
	}
	skiff_puts("usage: fault outside|writetext|exec-data|exec-heap|triple|null\n");
	return SKIFF_EXIT_FAILURE;
}
