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
/* skiff_main_return: main's status on its way out (weak: libc glue overrides). */
_Noreturn void skiff_main_return(int status);

_Noreturn void skiff_start(const struct skiff_boot_info *bi);

/* The appliance's name: generated per image by skiff_guest() in CMake. */
extern const char skiff_app_name[];

#endif
