/*
 * core_dump.h - a crashed guest's registers and memory, out to the host.
 *
 * With `dumpcore=1` on Skiff's command line, a guest that Skiff ends
 * (a fault, a violation: not a HALT) is written to the debug channel,
 * COM3 (0x3e8), which no guest can reach (every port access of a guest is
 * intercepted), before its memory is scrubbed. The record, all integers
 * little-endian:
 *
 *   "SKIFFCORE1\n" NAME "\n"
 *   u64 regs[27]            Linux's x86-64 user_regs_struct order: r15 r14
 *                           r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi
 *                           rdi orig_rax rip cs eflags rsp ss fs_base
 *                           gs_base ds es fs gs
 *   { u64 gpa; u8 page[4096]; } for each 4 KiB page of RAM that is not all
 *                           zero, in ascending order
 *   u64 0xffffffffffffffff  the end
 *
 * tools/skiff_core.py turns it into an ELF core file that gdb opens with
 * the image (skiff-run --dumpcore DIR).
 */
#ifndef SKIFF_CORE_DUMP_H
#define SKIFF_CORE_DUMP_H

struct vm;

/*
 * core_dump_write: write vm's record to the debug channel. Needs a vCPU
 * that is still built and the guest's RAM not yet scrubbed; reads only
 * the guest's own RAM (by its bounds) and registers.
 */
void core_dump_write(struct vm *vm);

#endif
