/*
 * vmx_caps.c - reading IA32_VMX_* capability MSRs (SDM vol. 3C appendix
 * A) and deciding whether this backend can run, with a precise list of
 * what is missing when it cannot.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/format.h"
#include "vmx_arch.h"
#include "vmx_caps.h"
#include "vmx_controls.h"

struct vmx_caps vmx_caps;

/* A "why" text that grows by "; "-separated items. */
struct why_text {
	char *buf;
	size_t len;
	size_t used;
	bool any;
};

static void add_missing(struct why_text *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_missing(struct why_text *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->len == 0 || w->used >= w->len - 1) {
		w->any = true;
		return;
	}
	if (w->any) {
		n = format(w->buf + w->used, w->len - w->used, "; ");
		w->used += (size_t)n;
		if (w->used >= w->len - 1)
			w->used = w->len - 1;
	}
	va_start(ap, fmt);
	n = format_v(w->buf + w->used, w->len - w->used, fmt, ap);
	va_end(ap);
	w->used += (size_t)n;
	if (w->used >= w->len - 1)
		w->used = w->len - 1;
	w->any = true;
}

/*
 * Combine one control field; list each required control the CPU refuses.
 * Returns the control value.
 */
static uint32_t choose_controls(uint64_t msr, const struct vmx_control_request *req,
				struct why_text *w)
{
	uint32_t value;
	uint32_t missing = vmx_control_combine(msr, req, &value);
	unsigned bit;

	for (bit = 0; bit < 32; bit++) {
		const char *name;

		if (!(missing & (1u << bit)))
			continue;
		name = vmx_control_name(req->field, bit);
		if (name)
			add_missing(w, "%s control '%s'", req->field, name);
		else
			add_missing(w, "%s control bit %u", req->field, bit);
	}
	return value;
}

static void check_basic(uint64_t basic, struct vmx_caps *caps, struct why_text *w)
{
	uint32_t size = (uint32_t)(basic >> VMX_BASIC_REGION_SIZE_SHIFT) &
		VMX_BASIC_REGION_SIZE_MASK;
	uint32_t type = (uint32_t)(basic >> VMX_BASIC_MEMORY_TYPE_SHIFT) &
		VMX_BASIC_MEMORY_TYPE_MASK;

	caps->revision = (uint32_t)basic & VMX_BASIC_REVISION_MASK;
	if (size > 4096)
		add_missing(w, "VMCS region of at most 4096 bytes (CPU wants %u)", size);
	if (type != VMX_MEMORY_TYPE_WB)
		add_missing(w, "write-back VMCS memory type (CPU reports %u)", type);
}

static void check_ept_vpid(uint64_t cap, struct vmx_caps *caps, struct why_text *w)
{
	if (!(cap & EPT_CAP_WALK_4))
		add_missing(w, "EPT 4-level page walk");
	if (!(cap & EPT_CAP_WB))
		add_missing(w, "EPT write-back memory type");
	if (!(cap & EPT_CAP_INVEPT) ||
	    !(cap & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL)))
		add_missing(w, "INVEPT (single- or all-context)");
	caps->invept_single = (cap & EPT_CAP_INVEPT_SINGLE) != 0;
	if (!(cap & VPID_CAP_INVVPID) ||
	    !(cap & (VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL)))
		caps->vpid = false;   /* VPIDs without a way to flush them: skip */
	caps->invvpid_single = (cap & VPID_CAP_INVVPID_SINGLE) != 0;
}

static void choose_all_controls(vmx_msr_reader read_msr, bool true_msrs,
				struct vmx_caps *caps, struct why_text *w)
{
	static const struct vmx_control_request pin = { "pin",
		PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING, PIN_PREEMPTION_TIMER };
	/*
	 * Every instruction that reaches state Skiff does not switch exits:
	 * CR8 (the real APIC's task priority), the debug registers, the
	 * performance counters, MONITOR/MWAIT and WBINVD (docs/threat-model.md).
	 */
	static const struct vmx_control_request proc = { "proc",
		PROC_HLT_EXITING | PROC_UNCONDITIONAL_IO_EXITING |
		PROC_USE_MSR_BITMAPS | PROC_ACTIVATE_SECONDARY |
		PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING | PROC_MOV_DR_EXITING |
		PROC_RDPMC_EXITING | PROC_MWAIT_EXITING | PROC_MONITOR_EXITING, 0 };
	static const struct vmx_control_request exit = { "exit",
		EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_PAT | EXIT_LOAD_PAT |
		EXIT_SAVE_EFER | EXIT_LOAD_EFER, EXIT_SAVE_PREEMPTION_TIMER };
	static const struct vmx_control_request entry = { "entry",
		ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_PAT | ENTRY_LOAD_EFER, 0 };
	/* RDTSCP, INVPCID: without them the instruction raises #UD in the
	 * guest. INVPCID runs in the guest under EPT; under shadow paging
	 * INVLPG exiting makes it exit (vmx_shadow.c). */
	static const struct vmx_control_request proc2 = { "proc2",
		PROC2_WBINVD_EXITING, PROC2_ENABLE_EPT | PROC2_ENABLE_VPID | PROC2_ENABLE_RDTSCP |
		PROC2_ENABLE_INVPCID };
	uint64_t proc_msr = read_msr(true_msrs ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				     MSR_IA32_VMX_PROCBASED_CTLS);
	uint64_t proc2_msr = 0;

	caps->pin = choose_controls(read_msr(true_msrs ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
					     MSR_IA32_VMX_PINBASED_CTLS), &pin, w);
	caps->proc = choose_controls(proc_msr, &proc, w);
	/* IA32_VMX_MISC exists on every CPU with VMX. */
	caps->preemption_timer_shift =
		(unsigned)(read_msr(MSR_IA32_VMX_MISC) & VMX_MISC_PREEMPTION_RATE_MASK);
	caps->exit = choose_controls(read_msr(true_msrs ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
					      MSR_IA32_VMX_EXIT_CTLS), &exit, w);
	caps->entry = choose_controls(read_msr(true_msrs ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
					       MSR_IA32_VMX_ENTRY_CTLS), &entry, w);
	/* IA32_VMX_PROCBASED_CTLS2 exists only when secondary controls may be 1. */
	if (vmx_control_allows(proc_msr, PROC_ACTIVATE_SECONDARY))
		proc2_msr = read_msr(MSR_IA32_VMX_PROCBASED_CTLS2);
	caps->proc2 = choose_controls(proc2_msr, &proc2, w);
	caps->vpid = (caps->proc2 & PROC2_ENABLE_VPID) != 0;
	/* IA32_VMX_EPT_VPID_CAP exists only when EPT or VPID may be enabled. */
	caps->ept_vpid_cap = 0;
	if (vmx_control_allows(proc2_msr, PROC2_ENABLE_EPT) ||
	    vmx_control_allows(proc2_msr, PROC2_ENABLE_VPID))
		caps->ept_vpid_cap = read_msr(MSR_IA32_VMX_EPT_VPID_CAP);
	if (vmx_control_allows(proc2_msr, PROC2_ENABLE_EPT))
		check_ept_vpid(caps->ept_vpid_cap, caps, w);
	if (!caps->vpid)
		caps->proc2 &= ~PROC2_ENABLE_VPID;
	/* Without EPT guests run on shadow tables (hal.h); a shadow-paged
	 * vCPU's VMCS leaves EPT off even where it exists (vmx_vmcs.c). */
	caps->ept = (caps->proc2 & PROC2_ENABLE_EPT) != 0;
	/*
	 * Without "save VMX-preemption timer value" every VM entry would reload
	 * the whole slice, and a guest that exits often would never be
	 * preempted: then the host's APIC timer ends slices instead.
	 */
	if (!(caps->exit & EXIT_SAVE_PREEMPTION_TIMER))
		caps->pin &= ~PIN_PREEMPTION_TIMER;
	/* VM entry refuses "save timer value" without the timer itself. */
	if (!(caps->pin & PIN_PREEMPTION_TIMER))
		caps->exit &= ~EXIT_SAVE_PREEMPTION_TIMER;
}

bool vmx_caps_read(vmx_msr_reader read_msr, struct vmx_caps *caps,
		   char *why, size_t why_len)
{
	struct why_text w = { why, why_len, 0, false };
	uint64_t feature_control = read_msr(MSR_IA32_FEATURE_CONTROL);
	uint64_t basic;

	if (why_len)
		why[0] = '\0';
	if ((feature_control & FEATURE_CONTROL_LOCK) &&
	    !(feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
		add_missing(&w, "VMX outside SMX (IA32_FEATURE_CONTROL locked with it off)");
	basic = read_msr(MSR_IA32_VMX_BASIC);
	check_basic(basic, caps, &w);
	choose_all_controls(read_msr, (basic & VMX_BASIC_TRUE_CONTROLS) != 0, caps, &w);
	caps->cr0_fixed0 = read_msr(MSR_IA32_VMX_CR0_FIXED0);
	caps->cr0_fixed1 = read_msr(MSR_IA32_VMX_CR0_FIXED1);
	/* VMXE is fixed to 1 in VMX operation even if the MSR forgot to say so. */
	caps->cr4_fixed0 = read_msr(MSR_IA32_VMX_CR4_FIXED0) | CR4_VMXE;
	caps->cr4_fixed1 = read_msr(MSR_IA32_VMX_CR4_FIXED1);
	return !w.any;
}
