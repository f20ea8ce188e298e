/*
 * svm.h - what the files of the AMD SVM backend share. Private to x86_svm/.
 *
 * The parts that need no privileged instruction (exit decoding, the VMRUN
 * consistency checker, the intercept table, the permission maps, the ASID
 * allocator) are plain C over memory, so host unit tests run them on a fake
 * VMCB (tests/unit/svm*.c).
 */
#ifndef SKIFF_SVM_H
#define SKIFF_SVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/hal.h"
#include "hal/tag_pool.h"
#include "hypervisor/smp/percpu.h"
#include "nested_paging/nested_paging.h"
#include "vmcb.h"

/* What the CPU offers, recorded by probe (CPUID 0x8000000A and friends). */
struct svm_caps {
	bool probed;            /* probe found everything Skiff needs */
	bool nrip_save;         /* VMCB next_rip is written on exits */
	bool flush_by_asid;     /* TLB_CONTROL 3 and 7 are honoured */
	bool long_mode;         /* for the consistency checker's EFER.LME rule */
	bool nx;                /* EFER.NXE exists */
	bool nested_paging;     /* NPT: without it guests use shadow paging */
	uint32_t asid_count;    /* ASIDs 1..asid_count-1 are usable */
	unsigned phys_addr_bits;
};

extern struct svm_caps svm_caps;

/*
 * The nested-paging format hal_svm_ops announces: a copy of npt_format, or
 * of npt_format_2m when the CPU has no 1 GiB pages, made by probe (which
 * runs before any table is built). The HAL table itself stays constant.
 */
extern struct np_format svm_nested_format;

/*
 * The guest's general registers live in the vCPU's register file (struct
 * vcpu's gpr[], hal/hal.h), indexed by HAL_REG_*; svm_run.S reaches it
 * through the byte offsets HAL_GPR_* (hal/hal_gpr_offsets.h, checked in
 * hal.h). RAX is copied to and from the VMCB around VMRUN; RSP lives in the
 * VMCB only.
 */
#include "svm_gpr_offsets.h"
_Static_assert(SVM_VMCB_RAX == offsetof(struct vmcb, save.rax), "VMCB RAX");

/*
 * The state-save fields VMRUN's consistency checks read, as they were at
 * an entry. Hardware and QEMU leave a refused state in the VMCB; Bochs
 * overwrites it on VMEXIT_INVALID, so the checker would find nothing. Only
 * the host changes these fields between entries in a way that can break a
 * rule (the guest's own CR writes are checked by the CPU), so a copy is
 * taken only at the first entry after such a change: the hot path pays one
 * flag test.
 */
struct svm_entry_state {
	bool valid;
	uint16_t cs_attrib;
	uint64_t efer, cr0, cr3, cr4, dr6, dr7;
};

/* svm_entry_state_save: copy vmcb's checked fields into *e (valid). */
void svm_entry_state_save(struct svm_entry_state *e, const struct vmcb *vmcb);

/* The backend's private state behind vcpu->backend. */
struct svm_vcpu {
	struct vmcb *vmcb;
	uint64_t vmcb_pa;
	bool entry_state_stale;        /* the host changed a checked field */
	struct svm_entry_state entry;  /* checked fields at that entry */
	struct tag_slot asid;          /* claimed before each entry */
	bool stepping;                 /* TF set by single_step, hidden from reads */
};

/* svm_probe_caps: fill *caps from CPUID; false with the reason in why. */
bool svm_probe_caps(struct svm_caps *caps, char *why, size_t why_len);

/*
 * svm_set_intercepts: write Skiff's intercept table into c (all other
 * intercept bits cleared). Never fails.
 */
void svm_set_intercepts(struct vmcb_control *c);

/*
 * svm_shadow_setup: turn a fresh VMCB into one for shadow paging: nested
 * paging off and the intercepts hal.h lists for vcpu.shadow_paging (CR0,
 * CR3 and CR4 writes, CR3 reads, INVLPG, #PF). svm_shadow.c.
 */
void svm_shadow_setup(struct vmcb *vmcb);

/*
 * svm_decode_shadow_exit: decode the exits svm_shadow_setup adds (CR
 * access, INVLPG) into *exit; false for any other exit code.
 */
bool svm_decode_shadow_exit(const struct vmcb *vmcb, const struct svm_caps *caps,
			    struct hal_exit *exit);

/* What svm_vmcb_init needs besides the boot state. */
struct svm_vmcb_params {
	uint32_t asid;
	uint64_t n_cr3;         /* root of the nested page table */
	uint64_t iopm_pa, msrpm_pa;
	uint8_t tlb_control;    /* for the first VMRUN */
};

/*
 * svm_vmcb_init: fill *vmcb (all of it: unset fields become 0) and the
 * register file gpr (RDI from boot, the others 0) so that VMRUN starts the
 * guest in *boot with Skiff's controls. EFER gets SVME added. Does not
 * check boot: svm_check_vmcb names what VMRUN refuses.
 */
void svm_vmcb_init(struct vmcb *vmcb, uint64_t gpr[HAL_GPR_COUNT],
		   const struct hal_boot_state *boot, const struct svm_vmcb_params *p);

/* One row of the intercept table: the bit in control.intercept[word]. */
struct svm_intercept {
	const char *name;
	uint8_t word;
	uint8_t bit;
};
extern const struct svm_intercept svm_intercepts[];
extern const size_t svm_intercept_count;

#define SVM_IOPM_BYTES  (12u * 1024u)
#define SVM_MSRPM_BYTES (8u * 1024u)

/* svm_iopm_fill: every port of the 12 KiB map iopm intercepted. */
void svm_iopm_fill(uint8_t *iopm);

/*
 * svm_msrpm_fill: every MSR of the 8 KiB map msrpm intercepted except
 * FS_BASE and GS_BASE (guests set their thread pointer often; VMLOAD and
 * VMSAVE switch both, so passing them through leaks nothing).
 */
void svm_msrpm_fill(uint8_t *msrpm);

/*
 * svm_msrpm_pass_through: clear the read and write intercept bits of msr.
 * Returns 0, or -EINVAL for an MSR outside the three ranges the map covers.
 */
int svm_msrpm_pass_through(uint8_t *msrpm, uint32_t msr);

/*
 * svm_msrpm_intercepts: whether the map intercepts a read (write false) or
 * write of msr. MSRs outside the map's ranges are always intercepted.
 */
bool svm_msrpm_intercepts(const uint8_t *msrpm, uint32_t msr, bool write);

/*
 * svm_asid_init: guests use ASIDs 1..asid_count-1,
 * and at most max_tags of them when max_tags is not 0 (Skiff's asids=).
 */
void svm_asid_init(uint32_t asid_count, uint32_t max_tags);

/* svm_asid_pool_size: how many ASIDs guests share. */
uint32_t svm_asid_pool_size(void);

/* The pool guests' ASIDs come from (svm_asid.c); read it only as below. */
extern struct tag_pool svm_asid_pools[SMP_MAX_CPUS];

/*
 * svm_asid_current: whether slot's ASID is valid in the pool's current
 * generation, the case in which tag_pool_claim would return TAG_KEPT. The
 * check before every VMRUN: a compare, no call.
 */
static inline bool svm_asid_current(const struct tag_slot *slot)
{
	return tag_pool_is_current(&svm_asid_pools[this_cpu_index()], slot);
}

/*
 * svm_asid_claim: before a VMRUN, make slot's ASID current and write it to
 * c; when the pool begins a new generation, also ask c for a flush of every
 * ASID with this entry and return true (false otherwise). Callers skip it
 * while svm_asid_current(slot).
 */
bool svm_asid_claim(struct tag_slot *slot, struct vmcb_control *c);

/*
 * svm_cr2_switch_to: before entering sv, make the CPU hold sv's CR2 (saving
 * the previous vCPU's into its VMCB). Costs nothing while sv stays the one
 * that runs. svm_cr2_forget: sv is going away. svm_cr2_of / svm_cr2_set:
 * sv's CR2, wherever it is now.
 */
extern struct svm_vcpu *svm_cr2_owners[SMP_MAX_CPUS];  /* per CPU: whose CR2 it holds */
void svm_cr2_take(struct svm_vcpu *sv);

static inline void svm_cr2_switch_to(struct svm_vcpu *sv)
{
	if (svm_cr2_owners[this_cpu_index()] != sv)
		svm_cr2_take(sv);
}

void svm_cr2_forget(struct svm_vcpu *sv);

/* svm_cr2_leave: sv moves away from this CPU: the CR2 it holds for sv goes
 * back into sv's VMCB, and this CPU holds no one's. */
void svm_cr2_leave(struct svm_vcpu *sv);
uint64_t svm_cr2_of(const struct svm_vcpu *sv);
void svm_cr2_set(struct svm_vcpu *sv, uint64_t value);

/*
 * svm_decode_exit: turn the exit recorded in vmcb (with the guest's
 * register file gpr, RAX included, as svm_world_switch left it) into
 * *exit. caps says whether next_rip is valid. entry (may be NULL, or not
 * valid) is the checked state of the last entry, used in place of the
 * VMCB's when VMRUN refused it. Never fails: unknown codes become
 * HAL_EXIT_UNHANDLED with a name in exit->detail.
 */
void svm_decode_exit(const struct vmcb *vmcb, const uint64_t gpr[HAL_GPR_COUNT],
		     const struct svm_caps *caps, const struct svm_entry_state *entry,
		     struct hal_exit *exit);

/*
 * svm_check_vmcb: the first of the APM's VMRUN consistency checks (vol. 2
 * 15.5.1) that vmcb fails, as a short sentence, or NULL when it passes all
 * that Skiff checks. caps gives the CPU's long-mode support and address width.
 */
const char *svm_check_vmcb(const struct vmcb *vmcb, const struct svm_caps *caps);

/*
 * svm_exception_has_error: whether exception vector pushes an error code
 * (#DF #TS #NP #SS #GP #PF #AC #CP #VC #SX). false for vectors >= 32.
 */
bool svm_exception_has_error(uint8_t vector);

/* svm_exit_name: the APM's name of an exit code ("CPUID", "NPF"), or NULL. */
const char *svm_exit_name(uint64_t code);

/*
 * svm_world_switch (svm_run.S): run the guest of vmcb (at physical address
 * vmcb_pa) once, with its general registers loaded from the register file
 * gpr and stored back there after the #VMEXIT (RAX through vmcb->save.rax),
 * saving and restoring host state through host_vmcb_pa. Needs GIF set and
 * IF clear on entry; returns after the #VMEXIT.
 */
void svm_world_switch(uint64_t gpr[HAL_GPR_COUNT], struct vmcb *vmcb,
		      uint64_t vmcb_pa, uint64_t host_vmcb_pa);

/* The host-state VMCB of this CPU, set by cpu_init (0 before). */
extern uint64_t svm_host_vmcb_pa;

#endif
