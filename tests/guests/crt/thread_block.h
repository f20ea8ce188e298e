/*
 * thread_block.h - reading the guest's thread block directly, as gcc's
 * code does, for the crt test guests.
 */
#ifndef CRT_THREAD_BLOCK_H
#define CRT_THREAD_BLOCK_H

#include <stdint.h>

/* fs_word: the 8 bytes at %fs:offset (offset a constant). */
#define fs_word(offset)                                                      \
	({                                                                   \
		uint64_t v_;                                                 \
		__asm__ volatile("movq %%fs:" #offset ", %0" : "=r"(v_));   \
		v_;                                                          \
	})

/* fs_base: the FS base as the CPU holds it (RDMSR 0xc0000100). */
uint64_t fs_base(void);

/*
 * thread_block_report: check the thread block and TLS variables; print
 * one "ok:"/"FAILED:" line per check through say(). Returns the failures.
 */
int thread_block_report(void (*say)(const char *what, int ok));

#endif
