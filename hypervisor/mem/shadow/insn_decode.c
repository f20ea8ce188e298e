/*
 * insn_decode.c - MOV CR and INVLPG from their bytes (insn_decode.h),
 * following the ModRM/SIB rules of SDM vol. 2A 2.1 and 2.2.1 (64-bit
 * mode, 64-bit addresses: no 0x67 prefix is accepted).
 */
#include "hypervisor/mem/shadow/insn_decode.h"

#define REX_B 0x1u
#define REX_X 0x2u
#define REX_R 0x4u

/* rex: the REX prefix at bytes[0] if there is one, else 0; *at moves past it. */
static uint8_t take_rex(const uint8_t *bytes, unsigned len, unsigned *at)
{
	if (len > 0 && (bytes[0] & 0xf0) == 0x40) {
		*at = 1;
		return bytes[0];
	}
	*at = 0;
	return 0;
}

bool insn_decode_mov_cr(const uint8_t *bytes, unsigned len, struct insn_cr *out)
{
	unsigned at;
	uint8_t rex = take_rex(bytes, len, &at);
	uint8_t modrm;

	if (len < at + 3 || bytes[at] != 0x0f || (bytes[at + 1] != 0x20 && bytes[at + 1] != 0x22))
		return false;
	modrm = bytes[at + 2];
	/* MOV CR ignores ModRM.mod: the operand is always a register. */
	out->is_write = bytes[at + 1] == 0x22;
	out->cr = (uint8_t)(((modrm >> 3) & 7u) | ((rex & REX_R) ? 8u : 0u));
	out->gpr = (uint8_t)((modrm & 7u) | ((rex & REX_B) ? 8u : 0u));
	out->length = (uint8_t)(at + 3);
	return true;
}

static int64_t read_disp(const uint8_t *p, unsigned size)
{
	if (size == 1)
		return (int8_t)p[0];
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

/*
 * mem_operand: the memory operand whose ModRM byte is bytes[pos] (mod not
 * 3); its linear address (flat segments) into *address and the position
 * after it (SIB, displacement) into *end. False when bytes run out.
 */
static bool mem_operand(const uint8_t *bytes, unsigned len, unsigned pos, uint8_t rex,
			const uint64_t gpr[16], uint64_t rip, uint64_t *address, unsigned *end)
{
	unsigned mod = bytes[pos] >> 6, rm = bytes[pos] & 7u, disp_size;
	uint64_t addr = 0;
	bool rip_relative = false;

	pos++;
	disp_size = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	if (rm == 4) {                      /* a SIB byte follows */
		uint8_t sib;
		unsigned base, index;

		if (len < pos + 1)
			return false;
		sib = bytes[pos++];
		base = (sib & 7u) | ((rex & REX_B) ? 8u : 0u);
		index = ((sib >> 3) & 7u) | ((rex & REX_X) ? 8u : 0u);
		if (index != 4)                 /* RSP as index means none */
			addr += gpr[index] << (sib >> 6);
		if ((sib & 7u) == 5 && mod == 0)
			disp_size = 4;          /* no base, disp32 */
		else
			addr += gpr[base];
	} else if (rm == 5 && mod == 0) {
		rip_relative = true;
		disp_size = 4;
	} else {
		addr += gpr[rm | ((rex & REX_B) ? 8u : 0u)];
	}
	if (len < pos + disp_size)
		return false;
	if (disp_size)
		addr += (uint64_t)read_disp(bytes + pos, disp_size);
	pos += disp_size;
	if (rip_relative)
		addr += rip + pos;   /* the instruction ends here for both users */
	*address = addr;
	*end = pos;
	return true;
}

bool insn_decode_invlpg(const uint8_t *bytes, unsigned len, const uint64_t gpr[16],
			uint64_t rip, uint64_t *address, uint8_t *length)
{
	unsigned at, end;
	uint8_t rex = take_rex(bytes, len, &at);

	if (len < at + 3 || bytes[at] != 0x0f || bytes[at + 1] != 0x01)
		return false;
	if ((bytes[at + 2] >> 6) == 3 || ((bytes[at + 2] >> 3) & 7u) != 7)
		return false;
	if (!mem_operand(bytes, len, at + 2, rex, gpr, rip, address, &end))
		return false;
	*length = (uint8_t)end;
	return true;
}

bool insn_decode_invpcid(const uint8_t *bytes, unsigned len, const uint64_t gpr[16],
			 uint64_t rip, struct insn_invpcid *out)
{
	unsigned at, end;
	uint8_t rex;
	uint8_t modrm;

	if (len < 1 || bytes[0] != 0x66)
		return false;
	rex = take_rex(bytes + 1, len - 1, &at);
	at++;
	if (len < at + 4 || bytes[at] != 0x0f || bytes[at + 1] != 0x38 || bytes[at + 2] != 0x82)
		return false;
	modrm = bytes[at + 3];
	if ((modrm >> 6) == 3)
		return false;
	if (!mem_operand(bytes, len, at + 3, rex, gpr, rip, &out->descriptor, &end))
		return false;
	out->type_gpr = (uint8_t)(((modrm >> 3) & 7u) | ((rex & REX_R) ? 8u : 0u));
	out->length = (uint8_t)end;
	return true;
}
