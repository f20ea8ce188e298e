/*
 * insn_decode.h - the few instructions shadow paging emulates, decoded from
 * their bytes when the CPU does not describe them (SVM without decode
 * assists): MOV to/from CR0/CR3/CR4, INVLPG and INVPCID, in 64-bit mode.
 * Portable and host-tested.
 */
#ifndef SKIFF_INSN_DECODE_H
#define SKIFF_INSN_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#define INSN_MAX 15

struct insn_cr {
	uint8_t cr;       /* control register number */
	uint8_t gpr;      /* RAX = 0 .. R15 = 15 */
	bool is_write;    /* MOV CRn, reg */
	uint8_t length;
};

/*
 * insn_decode_mov_cr: bytes[0..len) hold the instruction (an optional REX
 * prefix, 0F 22 or 0F 20, ModRM). Returns true and fills *out, or false
 * for anything else (other prefixes included).
 */
bool insn_decode_mov_cr(const uint8_t *bytes, unsigned len, struct insn_cr *out);

/*
 * insn_decode_invlpg: bytes hold INVLPG m (optional REX, 0F 01 /7 with a
 * memory operand); gpr holds the registers RAX..R15 and rip the address
 * of the instruction. Returns true with the operand's linear address
 * (flat segments: Skiff's guests run in 64-bit mode) and the length, or
 * false for anything else.
 */
bool insn_decode_invlpg(const uint8_t *bytes, unsigned len, const uint64_t gpr[16],
			uint64_t rip, uint64_t *address, uint8_t *length);

struct insn_invpcid {
	uint8_t type_gpr;      /* the register holding the type: RAX = 0 .. R15 = 15 */
	uint64_t descriptor;   /* the 16-byte descriptor's linear address */
	uint8_t length;
};

/*
 * insn_decode_invpcid: bytes hold INVPCID r64, m128 (66, an optional REX,
 * 0F 38 82, ModRM with a memory operand); gpr and rip as for INVLPG.
 * Returns true and fills *out, or false for anything else (other
 * prefixes, a register operand).
 */
bool insn_decode_invpcid(const uint8_t *bytes, unsigned len, const uint64_t gpr[16],
			 uint64_t rip, struct insn_invpcid *out);

#endif
