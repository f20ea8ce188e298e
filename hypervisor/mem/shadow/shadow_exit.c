/*
 * shadow_exit.c - the exits shadow paging takes (hal.h, vcpu.shadow_paging):
 * #PF, MOV to/from CR0/CR3/CR4, INVLPG and INVPCID. Where the CPU does not describe
 * the instruction (SVM without decode assists), its bytes are fetched
 * through the guest's own tables and decoded (insn_decode.h).
 */
#include "hypervisor/mem/shadow/insn_decode.h"
#include "hypervisor/mem/shadow/shadow_internal.h"

#include "hypervisor/cpu.h"
#include "hypervisor/mem/pv/pv.h"
#include "hypervisor/vm/vm.h"
#include "lib/kstring.h"

#define VECTOR_GP 13
#define VECTOR_PF 14
#define CR3_NOFLUSH (UINT64_C(1) << 63)
#define CR3_PCID_BITS UINT64_C(0xfff)
#define CPUID1_ECX_PCID (1u << 17)
#define CR0_PE (UINT64_C(1) << 0)
#define CR0_WP (UINT64_C(1) << 16)
#define CR0_NW (UINT64_C(1) << 29)
#define CR0_CD (UINT64_C(1) << 30)
#define CR0_PG (UINT64_C(1) << 31)
#define CR4_PSE (UINT64_C(1) << 4)
#define CR4_PAE (UINT64_C(1) << 5)
#define CR4_PGE (UINT64_C(1) << 7)
#define CR4_LA57 (UINT64_C(1) << 12)
#define CR4_PCIDE (UINT64_C(1) << 17)
#define CR4_SMEP (UINT64_C(1) << 20)
#define CR4_SMAP (UINT64_C(1) << 21)

/* What a MOV to a control register came to. */
enum cr_outcome {
	CR_DONE,      /* written: RIP moves past the instruction */
	CR_FAULTED,   /* #GP injected, as the CPU would: RIP stays */
	CR_ENDED,     /* the guest was ended with a report */
};

static uint64_t rip_of(struct vm *vm)
{
	return hal->reg_read(&vm->vcpu, HAL_REG_RIP);
}

/*
 * fetch: up to INSN_MAX bytes at the guest's RIP, page by page through its
 * tables; the count read (fewer at a page the guest cannot execute).
 */
static unsigned fetch(struct vm *vm, uint64_t rip, uint8_t *bytes)
{
	unsigned got = 0;

	while (got < INSN_MAX) {
		uint64_t va = rip + got;
		unsigned in_page = 4096u - (unsigned)(va & 4095u);
		unsigned take = in_page < INSN_MAX - got ? in_page : INSN_MAX - got;
		struct gw_result w;
		const uint8_t *p;

		if (shadow_walk(vm, va, PF_FETCH, &w) != GW_OK ||
		    !(p = guest_ptr(&vm->mem, w.gpa, take)))
			break;
		memcpy(bytes + got, p, take);
		got += take;
	}
	return got;
}

static bool end_bad_insn(struct vm *vm, const char *what)
{
	vm_end(vm, 1, VM_END_KILLED, "shadow paging: cannot decode its %s at rip 0x%llx",
	       what, (unsigned long long)rip_of(vm));
	return false;
}

static enum cr_outcome end_mode(struct vm *vm, const char *reg, uint64_t value, const char *why)
{
	vm_end(vm, 1, VM_END_KILLED,
	       "shadow paging: wrote %s = 0x%llx at rip 0x%llx, which %s",
	       reg, (unsigned long long)value, (unsigned long long)rip_of(vm), why);
	return CR_ENDED;
}

static enum cr_outcome inject_gp(struct vm *vm)
{
	hal->inject_exception(&vm->vcpu, VECTOR_GP, true, 0);
	return CR_FAULTED;
}

static enum cr_outcome guest_write_cr0(struct vm *vm, uint64_t value)
{
	uint64_t old = hal->reg_read(&vm->vcpu, HAL_REG_CR0);

	if ((value & (CR0_PG | CR0_PE | CR0_WP)) != (CR0_PG | CR0_PE | CR0_WP))
		return end_mode(vm, "CR0", value,
				"clears PG, PE or WP (shadow paging keeps all three on)");
	if ((old ^ value) & (CR0_CD | CR0_NW)) {
		/* As under nested paging: the guest's own where the backend
		 * switches them, else Skiff's (hal.h). */
		if (!hal->guest_owns_cache_control) {
			vm_end(vm, 1, VM_END_KILLED,
			       "executed MOV CR (CR8, or CR0.CD/NW) at rip 0x%llx, which guests may not use",
			       (unsigned long long)rip_of(vm));
			return CR_ENDED;
		}
		if ((value & CR0_NW) && !(value & CR0_CD))
			return inject_gp(vm);   /* the CPU's own rule for MOV to CR0 */
	}
	hal->reg_write(&vm->vcpu, HAL_REG_CR0, value);
	return CR_DONE;
}

/*
 * guest_write_cr4: PCIDE is honoured by flushing, not by tagging: the shadows
 * are keyed by table base alone and kept exact (see shadow.c), so a PCID
 * only says which TLB entries the CPU may keep, and keeping none of a
 * switched-away PCID is always allowed. Setting PCIDE faults where the
 * CPU would: no PCID in CPUID, or CR3 bits 11:0 not zero (SDM 4.10.1).
 */
static enum cr_outcome guest_write_cr4(struct vm *vm, uint64_t value)
{
	struct shadow *sh = vm->shadow;
	uint64_t old = hal->reg_read(&vm->vcpu, HAL_REG_CR4);

	if (!(value & CR4_PAE) || (value & CR4_LA57))
		return end_mode(vm, "CR4", value,
				"leaves 4-level paging (shadow paging offers no other)");
	if ((value & ~old & CR4_PCIDE) &&
	    (!(cpuid(1, 0).ecx & CPUID1_ECX_PCID) || (sh->guest_cr3 & CR3_PCID_BITS)))
		return inject_gp(vm);
	hal->reg_write(&vm->vcpu, HAL_REG_CR4, value);
	/* PGE, PSE, PCIDE, SMEP, SMAP: a flush, as the CPU would do. */
	if ((old ^ value) & (CR4_PGE | CR4_PSE | CR4_PCIDE | CR4_SMEP | CR4_SMAP))
		hal->shadow_load_root(&vm->vcpu, sh->roots[sh->current].root);
	return CR_DONE;
}

/*
 * guest_write_cr3: bits 63:MAXPHYADDR are reserved (#GP), except bit 63 under
 * CR4.PCIDE, which asks the CPU to keep the new PCID's TLB entries and is
 * not part of CR3. Skiff keeps none (guest_write_cr4 says why) and each load
 * goes through the cache of roots as without PCIDs.
 */
static enum cr_outcome guest_write_cr3(struct vm *vm, uint64_t value)
{
	bool pcide = (hal->reg_read(&vm->vcpu, HAL_REG_CR4) & CR4_PCIDE) != 0;
	uint64_t reserved = ~UINT64_C(0) << vm->shadow->phys_bits;

	if (pcide)
		reserved &= ~CR3_NOFLUSH;
	if (value & reserved)
		return inject_gp(vm);
	if (pcide)
		value &= ~CR3_NOFLUSH;
	return shadow_cr3_load(vm, value) ? CR_DONE : CR_ENDED;
}

static bool cr_access(struct vm *vm, const struct hal_exit *exit)
{
	struct insn_cr insn = { exit->cr.cr, exit->cr.gpr, exit->cr.is_write, 0 };
	uint64_t next = exit->next_rip;
	enum cr_outcome outcome = CR_DONE;

	if (insn.gpr == HAL_CR_GPR_UNKNOWN || !next) {
		uint8_t bytes[INSN_MAX];
		unsigned got = fetch(vm, exit->rip, bytes);

		if (!insn_decode_mov_cr(bytes, got, &insn) || insn.cr != exit->cr.cr ||
		    insn.is_write != exit->cr.is_write)
			return end_bad_insn(vm, "MOV CR");
		next = exit->rip + insn.length;
	}
	if (insn.gpr == HAL_REG_RSP)
		return end_bad_insn(vm, "MOV CR with RSP");
	uint64_t *reg = &vm->vcpu.gpr[insn.gpr];

	if (!insn.is_write && insn.cr == 3)
		*reg = vm->shadow->guest_cr3;
	else if (!insn.is_write)
		*reg = hal->reg_read(&vm->vcpu, insn.cr == 0 ? HAL_REG_CR0 : HAL_REG_CR4);
	else if (insn.cr == 3)
		outcome = pv_mov_cr3_refused(vm, *reg) ? CR_ENDED : guest_write_cr3(vm, *reg);
	else if (insn.cr == 0)
		outcome = guest_write_cr0(vm, *reg);
	else if (insn.cr == 4)
		outcome = guest_write_cr4(vm, *reg);
	else
		return end_bad_insn(vm, "MOV CR");
	if (outcome == CR_DONE)
		hal->reg_write(&vm->vcpu, HAL_REG_RIP, next);
	return outcome != CR_ENDED;
}

static bool invlpg(struct vm *vm, const struct hal_exit *exit)
{
	uint64_t address = exit->invlpg.address;
	uint64_t next = exit->next_rip;
	bool known = exit->invlpg.known;

	if (!known || !next) {
		uint8_t bytes[INSN_MAX];
		unsigned got = fetch(vm, exit->rip, bytes);
		uint64_t gpr[HAL_GPR_COUNT];
		uint8_t length;

		memcpy(gpr, vm->vcpu.gpr, sizeof(gpr));
		gpr[HAL_REG_RSP] = hal->reg_read(&vm->vcpu, HAL_REG_RSP);
		if (!insn_decode_invlpg(bytes, got, gpr, exit->rip, &address, &length))
			return end_bad_insn(vm, "INVLPG");
		known = true;
		next = exit->rip + length;
	}
	shadow_invlpg(vm, address, known);
	hal->reg_write(&vm->vcpu, HAL_REG_RIP, next);
	return true;
}

/* canonical: bits 63:47 all equal (4-level paging, the only one offered). */
static bool canonical(uint64_t va)
{
	uint64_t top = va >> 47;

	return top == 0 || top == 0x1ffff;
}

/*
 * read_linear: len bytes at the guest's linear address va, as a supervisor
 * read through its tables. GW_FAULT: *fault_va and *error say which #PF
 * the CPU would raise; GW_OUTSIDE_RAM: a table or the page lies beyond RAM.
 */
static enum gw_status read_linear(struct vm *vm, uint64_t va, void *out, unsigned len,
				  uint64_t *fault_va, uint32_t *error)
{
	uint8_t *bytes = out;

	for (unsigned got = 0; got < len;) {
		uint64_t at = va + got;
		unsigned in_page = 4096u - (unsigned)(at & 4095u);
		unsigned take = in_page < len - got ? in_page : len - got;
		struct gw_result w;
		enum gw_status status = shadow_walk(vm, at, 0, &w);
		const uint8_t *p;

		*fault_va = at;
		*error = w.error;
		if (status != GW_OK)
			return status;
		if (!(p = guest_ptr(&vm->mem, w.gpa, take)))
			return GW_OUTSIDE_RAM;
		memcpy(bytes + got, p, take);
		got += take;
	}
	return GW_OK;
}

#define INVPCID_TYPES 4u
#define INVPCID_PCID_BITS UINT64_C(0xfff)

/*
 * invpcid: INVPCID r64, m128 as the SDM describes it (vol. 2A, INVPCID):
 * #GP(0) for a type above 3, a descriptor with bits 63:12 set, a PCID other
 * than 0 while CR4.PCIDE is clear (types 0 and 1), a non-canonical address
 * (type 0) or descriptor; #PF when the descriptor cannot be read. The CPU
 * raises #UD and the CPL check itself, before the exit. Shadows are not
 * tagged by PCID (docs/shadow-paging.md), so type 0 drops the address
 * whatever the PCID, and the other types flush as a CR3 reload does.
 */
static bool invpcid(struct vm *vm, const struct hal_exit *exit)
{
	uint8_t bytes[INSN_MAX];
	unsigned got = fetch(vm, exit->rip, bytes);
	uint64_t gpr[HAL_GPR_COUNT], desc[2], type, fault_va;
	struct insn_invpcid insn;
	uint32_t error;
	bool pcide = (hal->reg_read(&vm->vcpu, HAL_REG_CR4) & CR4_PCIDE) != 0;

	memcpy(gpr, vm->vcpu.gpr, sizeof(gpr));
	gpr[HAL_REG_RSP] = hal->reg_read(&vm->vcpu, HAL_REG_RSP);
	if (!insn_decode_invpcid(bytes, got, gpr, exit->rip, &insn))
		return end_bad_insn(vm, "INVPCID");
	type = gpr[insn.type_gpr];
	if (type >= INVPCID_TYPES || !canonical(insn.descriptor))
		return inject_gp(vm) == CR_FAULTED;
	switch (read_linear(vm, insn.descriptor, desc, sizeof(desc), &fault_va, &error)) {
	case GW_OUTSIDE_RAM:
		vm_end(vm, 1, VM_END_KILLED,
		       "shadow paging: INVPCID descriptor at 0x%llx lies outside its RAM, rip 0x%llx",
		       (unsigned long long)insn.descriptor, (unsigned long long)exit->rip);
		return false;
	case GW_FAULT:
		vm->shadow->stats.guest_faults++;
		hal->reg_write(&vm->vcpu, HAL_REG_CR2, fault_va);
		hal->inject_exception(&vm->vcpu, VECTOR_PF, true, error);
		return true;
	case GW_OK:
		break;
	}
	if ((desc[0] & ~INVPCID_PCID_BITS) || (type <= 1 && !pcide && desc[0] != 0) ||
	    (type == 0 && !canonical(desc[1])))
		return inject_gp(vm) == CR_FAULTED;
	vm->shadow->stats.invpcids++;
	shadow_invlpg(vm, desc[1], type == 0);
	hal->reg_write(&vm->vcpu, HAL_REG_RIP, exit->rip + insn.length);
	return true;
}

bool shadow_handle_exit(struct vm *vm, const struct hal_exit *exit)
{
	switch (exit->reason) {
	case HAL_EXIT_EXCEPTION:
		return shadow_page_fault(vm, exit->exception.address, exit->exception.error);
	case HAL_EXIT_CR_ACCESS:
		return cr_access(vm, exit);
	case HAL_EXIT_INVLPG:
		return invlpg(vm, exit);
	case HAL_EXIT_INVPCID:
		return invpcid(vm, exit);
	default:
		return false;
	}
}
