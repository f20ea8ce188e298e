/*
 * runtime.h - what the runtime's files share and appliances do not see.
 */
#ifndef SKIFF_RUNTIME_H
#define SKIFF_RUNTIME_H

#include "skiff.h"

/*
 * skiff_boot_info_record: remember the boot information at gpa bi; called
 * once by skiff_start before anything else reads it.
 */
void skiff_boot_info_record(const struct skiff_boot_info *bi);

/* skiff_boot_info: the recorded boot information (never NULL after start). */
const struct skiff_boot_info *skiff_boot_info(void);

/* skiff_start: the C side of _start (start.S). Never returns. */
_Noreturn void skiff_start(const struct skiff_boot_info *bi);

/* skiff_main_return: main's status on its way out (weak: libc glue overrides). */
_Noreturn void skiff_main_return(int status);

/* skiff_c_init: environment and constructors before main (weak: libc glue
 * overrides). */
void skiff_c_init(void);

/*
 * skiff_tls_init: build the thread block (TLS image copy, TCB, stack
 * protector canary) and point FS at it. Called once by skiff_start after
 * .bss is cleared and before anything compiled with the stack protector.
 */
void skiff_tls_init(void);

/* __stack_chk_fail: gcc calls it when a function's canary was overwritten. */
_Noreturn void __stack_chk_fail(void);

/*
 * skiff_stack_guard_init: unmap the guard page below the stack
 * (skiff_stack_guard) by switching to the runtime's own page tables. Call
 * once, after skiff_boot_info_record; does nothing when RAM is too small.
 */
void skiff_stack_guard_init(void);

/*
 * skiff_mft_attached: the manifest entry of handle when it is an attached
 * device of type (SKIFF_MFT_BLOCK, SKIFF_MFT_NET), else NULL (no manifest,
 * handle 0 -- reserved -- or out of range, another type, not attached).
 */
const struct skiff_mft_entry *skiff_mft_attached(uint64_t handle, uint32_t type);

/* skiff_mft_find: the handle of the attached device of type called name;
 * SKIFF_EINVAL when there is none. */
enum skiff_result skiff_mft_find(const char *name, uint32_t type, uint64_t *handle);

/* The appliance's name: generated per image by skiff_guest() in CMake. */
extern const char skiff_app_name[];

#endif
