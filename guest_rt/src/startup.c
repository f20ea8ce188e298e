/*
 * startup.c - from _start to main and back out through HALT.
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

/*
 * skiff_main_return: what happens when main returns. The runtime alone
 * halts with main's value; the libc glue overrides this with exit(), so
 * stdio is flushed and atexit handlers and destructors run.
 */
__attribute__((weak)) _Noreturn void skiff_main_return(int status)
{
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
	skiff_boot_info_record(bi);
	argc = skiff_args(&argv);
	skiff_main_return(main(argc, argv));
}
