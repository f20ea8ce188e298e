/*
 * startup.c - from _start to main and back out through HALT: .bss, the
 * thread block (tls.c), the arguments and environment, constructors, main,
 * destructors.
 *
 * Compiled without the stack protector: skiff_start runs before the canary
 * exists (and never returns, so it could not check one anyway).
 */
#include "runtime.h"

#include "lib/kstring.h"

/* Bounds of .bss, from guest.ld. */
extern char __bss_start[], __bss_end[];

/*
 * The manifest note: defined by the appliance (SKIFF_MANIFEST...) or else
 * by the runtime archive's default member. Referring to it here is what
 * makes the linker pull that default only when the appliance has none
 * (see skiff_manifest.h); 'used' keeps the reference from being dropped.
 */
extern const char skiff_manifest_note[];
__attribute__((used)) static const void *const manifest_link_anchor =
	skiff_manifest_note;

/* The constructor and destructor tables (guest.ld). */
typedef void (*skiff_ctor_fn)(void);
extern skiff_ctor_fn __preinit_array_start[], __preinit_array_end[];
extern skiff_ctor_fn __init_array_start[], __init_array_end[];
extern skiff_ctor_fn __fini_array_start[], __fini_array_end[];

/*
 * skiff_c_init: after the arguments are split, before main: run the
 * .preinit_array, then the .init_array, in table order (the linker sorted
 * priorities). The libc glue overrides this to set newlib's environ and
 * use newlib's __libc_init_array, with __libc_fini_array registered
 * through atexit so exit() runs the destructors.
 */
__attribute__((weak)) void skiff_c_init(void)
{
	for (skiff_ctor_fn *f = __preinit_array_start; f < __preinit_array_end; f++)
		(*f)();
	for (skiff_ctor_fn *f = __init_array_start; f < __init_array_end; f++)
		(*f)();
}

/*
 * skiff_main_return: what happens when main returns. The runtime alone
 * runs the .fini_array backwards (destructors in the reverse order of
 * their constructors) and halts with main's value; skiff_exit and
 * skiff_abort end the guest at once, without destructors, like _exit. The
 * libc glue overrides this with exit(), so stdio is flushed and atexit
 * handlers and destructors run.
 */
__attribute__((weak)) _Noreturn void skiff_main_return(int status)
{
	for (skiff_ctor_fn *f = __fini_array_end; f > __fini_array_start; f--)
		(*(f - 1))();
	skiff_exit(status);
}

_Noreturn void skiff_start(const struct skiff_boot_info *bi)
{
	char **argv;
	int argc;

	/* Skiff hands over zeroed RAM, but an image whose data segment the
	 * loader did not map (p_filesz = 0) would rely on that alone; clearing
	 * .bss costs little and makes the C guarantee ours. */
	memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
	/* Before any code compiled with the stack protector or using TLS. */
	skiff_tls_init();
	skiff_boot_info_record(bi);
	skiff_stack_guard_init();
	argc = skiff_args(&argv);
	skiff_c_init();
	skiff_main_return(main(argc, argv));
}
