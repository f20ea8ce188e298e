/*
 * hal.h - the hardware abstraction layer between Skiff's generic core and a
 * virtualization backend (AMD SVM in x86_svm/, Intel VMX in x86_vmx/).
 *
 * The interface is deliberately small and regular: one constant table of
 * operations per backend, registers addressed by number, and one
 * vendor-neutral exit record. Generic code never sees a VMCB or a VMCS; a
 * backend keeps its private state behind vcpu->backend.
 *
 * Calling discipline: every CPU runs guests, with interrupts disabled. A
 * vCPU is used by one CPU at a time: the CPU that created it, until the
 * core moves it with vcpu_leave_cpu on that CPU and vcpu_arrive_cpu on the
 * next (docs/smp.md, "Migration"); so per-vCPU operations need no locking;
 * what a backend keeps per CPU (tag pools, the current VMCS, the host-state
 * VMCB) it indexes by this_cpu_index(). APs call cpu_init_ap alone (one at
 * a time, while the boot CPU waits).
 */
#ifndef SKIFF_HAL_H
#define SKIFF_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct np_table;
struct np_format;

/*
 * Registers a backend can read and write, in one flat numbering. RAX..R15
 * are in the hardware's encoding order, which struct vcpu's gpr[] follows.
 */
enum hal_reg {
	HAL_REG_RAX, HAL_REG_RCX, HAL_REG_RDX, HAL_REG_RBX,
	HAL_REG_RSP, HAL_REG_RBP, HAL_REG_RSI, HAL_REG_RDI,
	HAL_REG_R8, HAL_REG_R9, HAL_REG_R10, HAL_REG_R11,
	HAL_REG_R12, HAL_REG_R13, HAL_REG_R14, HAL_REG_R15,
	HAL_REG_RIP, HAL_REG_RFLAGS,
	HAL_REG_CR0, HAL_REG_CR2, HAL_REG_CR3, HAL_REG_CR4,
	HAL_REG_EFER,   /* the guest's view: SVME / VMX-internal bits hidden */
	HAL_REG_FS_BASE, HAL_REG_GS_BASE,
	HAL_REG_COUNT
};

/* Why the guest stopped running. */
enum hal_exit_reason {
	HAL_EXIT_NONE = 0,
	HAL_EXIT_IO,             /* port I/O: see exit.io */
	HAL_EXIT_CPUID,          /* leaf in RAX, subleaf in RCX */
	HAL_EXIT_HLT,
	HAL_EXIT_MSR_READ,       /* MSR number in exit.msr.index */
	HAL_EXIT_MSR_WRITE,      /* MSR number and value in exit.msr */
	HAL_EXIT_NESTED_FAULT,   /* nested page fault / EPT violation: exit.npf */
	HAL_EXIT_TRIPLE_FAULT,   /* SVM shutdown / VMX triple fault */
	HAL_EXIT_EXTERNAL_INTR,  /* a physical interrupt arrived */
	HAL_EXIT_NMI,
	HAL_EXIT_FORBIDDEN_INSN, /* VMRUN, VMCALL, VMXON, INVD, XSETBV, ...: exit.insn */
	HAL_EXIT_EXCEPTION,      /* an intercepted guest exception: exit.exception */
	HAL_EXIT_ENTRY_FAILED,   /* VMRUN / VMLAUNCH refused the state: exit.detail */
	HAL_EXIT_UNHANDLED,      /* anything else: exit.vendor_code */
	HAL_EXIT_SLICE_END,      /* the slice set with set_slice ran out */
	HAL_EXIT_CR_ACCESS,      /* shadow paging only: MOV to/from CR0/3/4: exit.cr */
	HAL_EXIT_INVLPG,         /* shadow paging only: INVLPG: exit.invlpg */
	HAL_EXIT_INVPCID,        /* shadow paging only: INVPCID (the core decodes it at exit.rip) */
	HAL_EXIT_REASON_COUNT
};

/* Access bits used by nested page faults (and by the nested-paging API). */
enum {
	HAL_ACCESS_READ = 1u << 0,
	HAL_ACCESS_WRITE = 1u << 1,
	HAL_ACCESS_EXEC = 1u << 2,
};

/* One vendor-neutral exit record, filled by hal_ops.run(). */
struct hal_exit {
	enum hal_exit_reason reason;
	uint64_t rip;          /* guest RIP of the exiting instruction */
	uint64_t next_rip;     /* RIP after it, 0 when not meaningful */
	uint64_t vendor_code;  /* raw SVM exit code / VMX basic exit reason */
	union {
		struct {
			uint16_t port;
			uint8_t size;      /* 1, 2 or 4 bytes */
			bool is_write;     /* OUT */
			bool is_string;    /* INS/OUTS: never a hypercall */
			bool is_rep;
		} io;
		struct {
			uint64_t gpa;
			unsigned access;   /* HAL_ACCESS_*: what the guest tried */
			bool mapped;       /* a translation existed (permission fault) */
		} npf;
		struct {
			uint32_t index;
			uint64_t value;    /* for writes: EDX:EAX */
		} msr;
		struct {
			uint8_t vector;
			bool has_error;
			uint32_t error;
			uint64_t address;  /* #PF: the faulting linear address (CR2) */
		} exception;
		struct {
			const char *name;  /* mnemonic, e.g. "VMRUN" */
		} insn;
		struct {
			uint8_t cr;        /* 0, 3 or 4 */
			bool is_write;     /* MOV to CRn */
			/* HAL_REG_RAX..R15, or HAL_CR_GPR_UNKNOWN when the CPU
			 * does not say (SVM without decode assists): the core
			 * then decodes the instruction at exit.rip itself. */
			uint8_t gpr;
		} cr;
		struct {
			uint64_t address;  /* the operand's linear address */
			bool known;        /* false: the CPU did not say (flush all) */
		} invlpg;
	};
	/* Decoded explanation for failed entries and unknown exits. */
	char detail[96];
};

/* The architectural state a guest starts in (Solo5 hvt entry contract). */
struct hal_boot_state {
	uint64_t rip, rsp, rdi, rflags;
	uint64_t cr0, cr3, cr4, efer;
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint16_t code_selector;  /* 64-bit code segment */
	uint16_t data_selector;  /* SS, DS, ES, FS, GS */
	uint64_t tss_base;       /* busy 64-bit TSS, limit tss_limit */
	uint32_t tss_limit;
	uint16_t tss_selector;
};

#define HAL_CR_GPR_UNKNOWN 0xffu

/* The general registers RAX..R15 are the first HAL_GPR_COUNT numbers. */
#define HAL_GPR_COUNT 16
_Static_assert(HAL_REG_R15 + 1 == HAL_GPR_COUNT, "RAX..R15 come first");

/*
 * A virtual CPU as generic code sees it.
 *
 * The register file: gpr[] holds the guest's general registers by
 * HAL_REG_* number (RAX..R15), except RSP, whose slot is unused (RSP lives
 * in the VMCB / VMCS: reach it through reg_read and reg_write). Between
 * runs it is the guest's state: valid from vcpu_create (the boot state:
 * RDI from it, the others 0) and after every run() returns; whatever is
 * written there before run() is what the guest sees at its next entry.
 * The backend's world switch loads it into the CPU before entry and stores
 * it after the exit, so generic code reads and writes gpr[] directly, with
 * no call. reg_read / reg_write reach the same slots for these registers.
 */
struct vcpu {
	uint64_t gpr[HAL_GPR_COUNT];  /* the register file above */
	void *backend;            /* private to the backend that created it */
	struct np_table *nested;  /* the VM's nested page table */
	uint32_t tag;             /* ASID or VPID, chosen by the backend */
	unsigned id;              /* Skiff's number of the VM, for messages */
	/*
	 * shadow_paging: set by the core before vcpu_create, never changed
	 * after. When true the vCPU runs without nested paging: the boot
	 * state's CR3 is the host-physical root of a shadow table (guest-
	 * virtual to host-physical) that the core keeps (hypervisor/mem/
	 * shadow/), and the backend intercepts what keeps it correct:
	 *   - MOV to CR3 and MOV from CR3 (HAL_EXIT_CR_ACCESS): the guest
	 *     never sees or sets the real CR3; the core emulates both, keeps
	 *     the guest's CR3 value and answers reads with it, and advances
	 *     RIP itself (reg_write HAL_REG_RIP);
	 *   - MOV to CR0 and CR4 that may change a paging bit (CR0.PG, WP,
	 *     PE; CR4.PAE, PSE, PGE, PCIDE, SMEP, SMAP, LA57)
	 *     (HAL_EXIT_CR_ACCESS); the core applies them with reg_write;
	 *   - INVLPG (HAL_EXIT_INVLPG), with the address where the CPU says;
	 *   - INVPCID where the CPU has it (HAL_EXIT_INVPCID; exit.next_rip
	 *     where the CPU says, else 0): the core decodes the instruction
	 *     at exit.rip and emulates it; the CPU's own checks that come
	 *     before the exit (#UD, CPL) stay the CPU's;
	 *   - every #PF (HAL_EXIT_EXCEPTION, vector 14, error code, and the
	 *     faulting address in exit.exception.address). The core fills the
	 *     shadow and resumes, or hands the fault to the guest with
	 *     reg_write(HAL_REG_CR2, address) followed by
	 *     inject_exception(14, true, error): the backend must deliver that
	 *     CR2 with the fault;
	 *   - EFER writes are MSR writes already (HAL_EXIT_MSR_WRITE).
	 * reg_read(HAL_REG_CR3) then returns the shadow root, not the guest's
	 * value; reg_write(HAL_REG_CR3) is not used (shadow_load_root is).
	 */
	bool shadow_paging;
};

struct hal_ops {
	const char *name;        /* "svm" or "vmx" */
	/*
	 * probe: can this CPU run this backend? Returns true, or false with a
	 * human-readable list of what is missing written to why (NUL-terminated,
	 * at most why_len bytes). Must not fault on CPUs of the other vendor.
	 */
	bool (*probe)(char *why, size_t why_len);
	/*
	 * cpu_init: turn virtualization on for the boot CPU and set up what
	 * every CPU shares (permission maps, MSR bitmap, tag pools). 0 or -errno.
	 */
	int (*cpu_init)(void);
	/*
	 * cpu_init_ap: turn virtualization on for the calling CPU, another than
	 * the boot CPU, with pages of its own (the SVM host save area and
	 * host-state VMCB, the VMXON region). Needs: cpu_init succeeded on the
	 * boot CPU (else -EINVAL); the calling CPU in long mode on its own GDT,
	 * TSS and stack, of the boot CPU's model (what probe found holds for it);
	 * no other CPU using the frame allocator or the log meanwhile (the
	 * caller starts CPUs one at a time). Stores what the backend needs to
	 * run guests on this CPU in *per_cpu, a slot generic code keeps for the
	 * CPU and never reads. 0, or -ENOMEM, -ENOTSUP, -EBUSY, -EINVAL as
	 * cpu_init; on failure nothing stays allocated or switched on. Logs
	 * only failures.
	 */
	int (*cpu_init_ap)(void **per_cpu);
	/*
	 * vcpu_create: set up vcpu (nested already points at a built table) to
	 * start in *boot. 0 or -errno (-ENOMEM when out of frames).
	 */
	int (*vcpu_create)(struct vcpu *vcpu, const struct hal_boot_state *boot);
	/* vcpu_destroy: release everything vcpu_create took. */
	void (*vcpu_destroy)(struct vcpu *vcpu);
	/*
	 * vcpu_leave_cpu: the calling CPU, which ran vcpu last (or created it),
	 * gives it up: nothing of vcpu stays loaded or cached in this CPU's
	 * backend state (VMX: VMCLEAR, so its VMCS is in memory and may be
	 * loaded elsewhere; the CR2 and KERNEL_GS_BASE this CPU held for it
	 * saved in its state). After it no operation on vcpu may run on this
	 * CPU until vcpu_arrive_cpu is called here again. vcpu not created:
	 * not allowed (the core never moves an unbuilt vCPU).
	 */
	void (*vcpu_leave_cpu)(struct vcpu *vcpu);
	/*
	 * vcpu_arrive_cpu: the calling CPU takes vcpu over, after
	 * vcpu_leave_cpu on the CPU that had it (and after a memory barrier
	 * that makes that CPU's writes visible). Rewrites what is per CPU
	 * (VMX: the VMCS host state: GS base, TR, GDTR and IDTR bases, CR3;
	 * SVM: nothing, the host-state VMCB is looked up at each entry), drops
	 * the tag (ASID or VPID) of the old CPU's pool so the next run claims
	 * one from this CPU's pool, and flushes the vCPU's cached translations
	 * on this CPU before its next guest instruction (they may be left from
	 * an earlier stay here). Called before any other operation on vcpu on
	 * this CPU. A vCPU with shadow_paging keeps its shadow root (host-
	 * physical, in the VMCS/VMCB that moves); its linear translations are
	 * covered by the tag's flush like any other's.
	 */
	void (*vcpu_arrive_cpu)(struct vcpu *vcpu);
	/*
	 * run: enter the guest with vcpu->gpr loaded and return at its next
	 * exit, decoded into *exit, with vcpu->gpr holding the guest's values.
	 */
	void (*run)(struct vcpu *vcpu, struct hal_exit *exit);
	/*
	 * reg_read / reg_write: guest registers by number (HAL_REG_*). The
	 * general registers but RSP are vcpu->gpr[reg]; generic code on a hot
	 * path uses that array directly.
	 */
	uint64_t (*reg_read)(struct vcpu *vcpu, enum hal_reg reg);
	void (*reg_write)(struct vcpu *vcpu, enum hal_reg reg, uint64_t value);
	/* advance: move RIP past the instruction that caused *exit. */
	void (*advance)(struct vcpu *vcpu, const struct hal_exit *exit);
	/*
	 * inject_exception: deliver vector (with error code when has_error) to
	 * the guest at its next entry.
	 */
	void (*inject_exception)(struct vcpu *vcpu, uint8_t vector,
				 bool has_error, uint32_t error);
	/*
	 * set_slice: let the guest run at most tsc_ticks of TSC time from its
	 * next entry, then exit with HAL_EXIT_SLICE_END (exits in between do
	 * not restart the count when the hardware can carry it over). Returns
	 * false when the backend has no such timer; the core then ends slices
	 * with the host's timer interrupt instead.
	 */
	bool (*set_slice)(struct vcpu *vcpu, uint64_t tsc_ticks);
	/*
	 * flush_nested_tlb: drop cached translations of vcpu->nested on this
	 * CPU: at once (VMX: INVEPT single-context, INVVPID), or before the
	 * vCPU's next guest instruction (SVM: TLB_CONTROL at the next VMRUN),
	 * which suffices because tagged translations are used only while
	 * their tag runs. Generic code calls it only through the memory
	 * core's one invalidation path (hypervisor/mem/mem_invalidate.h).
	 */
	void (*flush_nested_tlb)(struct vcpu *vcpu);
	/*
	 * debug_traps: on: the guest's #BP (INT3) and #DB exit as
	 * HAL_EXIT_EXCEPTION (vector 3 with exit.rip at the INT3 itself;
	 * vector 1 with exit.rip at the next instruction) instead of being
	 * delivered to it; off: delivered again, as before. For the one guest
	 * under the debugger (hypervisor/debug/); any created vCPU.
	 */
	void (*debug_traps)(struct vcpu *vcpu, bool on);
	/*
	 * single_step: on: from its next entry the guest runs one instruction
	 * and exits with #DB (needs debug_traps on); the trap flag this sets
	 * reads as clear through reg_read. off: runs freely again. An
	 * instruction Skiff handles in an exit (a hypercall, CPUID) is
	 * finished by Skiff, not stepped: the caller notices RIP moved.
	 */
	void (*single_step)(struct vcpu *vcpu, bool on);
	/*
	 * shadow_load_root: for a vCPU created with shadow_paging, make
	 * root_hpa (a 4 KiB-aligned PML4 the core built) the table the CPU
	 * walks for the guest's linear addresses from the next entry on, and
	 * make sure no translation the CPU cached before this call is used
	 * after it (SVM: VMCB CR3 and a flush of the ASID at the next VMRUN;
	 * VMX: GUEST_CR3 and INVVPID, or nothing without VPIDs, whose every
	 * entry flushes). The core calls it on every guest CR3 load and after
	 * it changes or drops shadow entries, with the same root when only
	 * entries changed. Never called for a nested-paging vCPU.
	 */
	void (*shadow_load_root)(struct vcpu *vcpu, uint64_t root_hpa);
	/*
	 * has_nested_paging: whether this CPU has NPT (SVM) or EPT (VMX).
	 * Valid after probe succeeded. Without it every guest uses shadow
	 * paging (and one asking for paging=nested is refused).
	 */
	bool (*has_nested_paging)(void);
	/*
	 * guest_owns_cache_control: true when a guest's CR0.CD and CR0.NW are
	 * its own, switched at every entry and exit (SVM: the VMCB's CR0), so
	 * shadow paging may let a guest's MOV to CR0 change them; false when
	 * they are Skiff's (VMX: VM entry never loads them), and a change ends
	 * the guest as under nested paging.
	 */
	bool guest_owns_cache_control;
	/* nested_format: the entry format this backend's nested tables use. */
	const struct np_format *nested_format;
};

extern const struct hal_ops hal_svm_ops;
extern const struct hal_ops hal_vmx_ops;

/*
 * hal_select: choose the backend. force is NULL (pick from the CPU vendor) or
 * "svm" / "vmx" from Skiff's command line. Returns the chosen table, or NULL
 * after printing exactly what is missing (or that force names no backend).
 */
const struct hal_ops *hal_select(const char *force);

/* The backend in use after hal_select succeeded. */
extern const struct hal_ops *hal;

/*
 * tags_recycled_note: a backend reports that its pool of ASIDs or VPIDs
 * (what) ran out and started over, flushing every tag. Logged the first
 * time only.
 */
void tags_recycled_note(const char *what);

/* hal_exit_reason_name: a short fixed name for reason ("io", "cpuid", ...). */
const char *hal_exit_reason_name(enum hal_exit_reason reason);

#include "hal/hal_gpr_offsets.h"
#define HAL_GPR_AT(reg) \
	_Static_assert(HAL_GPR_##reg == 8 * HAL_REG_##reg, "register file offset of " #reg)
HAL_GPR_AT(RAX); HAL_GPR_AT(RCX); HAL_GPR_AT(RDX); HAL_GPR_AT(RBX);
HAL_GPR_AT(RBP); HAL_GPR_AT(RSI); HAL_GPR_AT(RDI); HAL_GPR_AT(R8);
HAL_GPR_AT(R9); HAL_GPR_AT(R10); HAL_GPR_AT(R11); HAL_GPR_AT(R12);
HAL_GPR_AT(R13); HAL_GPR_AT(R14); HAL_GPR_AT(R15);
#undef HAL_GPR_AT

#endif
