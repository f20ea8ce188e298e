/*
 * vmx_caps_test.c - host tests of the VMX capability checks: control
 * values from allowed-0/allowed-1 settings, the "why" text naming each
 * missing feature, and that optional MSRs are read only when announced
 * (on real CPUs reading an absent MSR raises #GP).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot_check.h"
#include "vmx_arch.h"
#include "vmx_caps.h"
#include "vmx_controls.h"

/* A fake CPU: MSR values, plus which MSRs exist. */
struct fake_msr {
	uint32_t msr;
	uint64_t value;
	int present;
};

static struct fake_msr fake[20];
static unsigned fake_count;
static int absent_msr_reads;   /* reads that would have raised #GP */

static void fake_set(uint32_t msr, uint64_t value)
{
	unsigned i;

	for (i = 0; i < fake_count; i++) {
		if (fake[i].msr == msr) {
			fake[i].value = value;
			fake[i].present = 1;
			return;
		}
	}
	fake[fake_count++] = (struct fake_msr){ msr, value, 1 };
}

static void fake_remove(uint32_t msr)
{
	unsigned i;

	for (i = 0; i < fake_count; i++)
		if (fake[i].msr == msr)
			fake[i].present = 0;
}

static uint64_t fake_read(uint32_t msr)
{
	unsigned i;

	for (i = 0; i < fake_count; i++)
		if (fake[i].msr == msr && fake[i].present)
			return fake[i].value;
	absent_msr_reads++;
	return 0;
}

#define MSR(allowed0, allowed1) (((uint64_t)(allowed1) << 32) | (allowed0))

/* Values as Bochs's Haswell model reports them (EMULATORS.md), roughly. */
static void fake_haswell(void)
{
	fake_count = 0;
	absent_msr_reads = 0;
	fake_set(MSR_IA32_FEATURE_CONTROL, 0x5);
	fake_set(MSR_IA32_VMX_BASIC, UINT64_C(0x00d810000000002b));
	fake_set(MSR_IA32_VMX_PINBASED_CTLS, MSR(0x16, 0x7f));
	fake_set(MSR_IA32_VMX_TRUE_PINBASED_CTLS, MSR(0x16, 0x7f));
	fake_set(MSR_IA32_VMX_PROCBASED_CTLS, MSR(0x0401e172, 0xfff9fffe));
	fake_set(MSR_IA32_VMX_TRUE_PROCBASED_CTLS, MSR(0x04006172, 0xfff9fffe));
	fake_set(MSR_IA32_VMX_EXIT_CTLS, MSR(0x00036dff, 0x003fffff));
	fake_set(MSR_IA32_VMX_TRUE_EXIT_CTLS, MSR(0x00036dfb, 0x003fffff));
	fake_set(MSR_IA32_VMX_ENTRY_CTLS, MSR(0x000011ff, 0x0000f3ff));
	fake_set(MSR_IA32_VMX_TRUE_ENTRY_CTLS, MSR(0x000011fb, 0x0000f3ff));
	fake_set(MSR_IA32_VMX_PROCBASED_CTLS2, MSR(0, 0x000000ff));
	fake_set(MSR_IA32_VMX_EPT_VPID_CAP, UINT64_C(0xf0106334141));
	fake_set(MSR_IA32_VMX_CR0_FIXED0, 0x80000021);
	fake_set(MSR_IA32_VMX_CR0_FIXED1, 0xffffffff);
	fake_set(MSR_IA32_VMX_CR4_FIXED0, 0x2000);
	fake_set(MSR_IA32_VMX_CR4_FIXED1, 0x3727ff);
	/* Preemption timer rate 5: one step every 32 TSC ticks. */
	fake_set(MSR_IA32_VMX_MISC, 0x300481e5);
}

static int run(struct vmx_caps *caps, char *why, size_t len)
{
	memset(caps, 0xa5, sizeof(*caps));
	return vmx_caps_read(fake_read, caps, why, len);
}

static void test_combine(void)
{
	struct vmx_control_request req = { "proc", 0x80, 0x300 };
	uint32_t value;

	/* Forced bits kept, required added, optional only where allowed. */
	CHECK(vmx_control_combine(MSR(0x1, 0x1ff), &req, &value) == 0);
	CHECK(value == 0x181);
	/* A required bit that allowed-1 refuses is reported, never set. */
	CHECK(vmx_control_combine(MSR(0x1, 0x17f), &req, &value) == 0x80);
	CHECK((value & 0x80) == 0);
	CHECK(vmx_control_allows(MSR(0, 0x80000000u), PROC_ACTIVATE_SECONDARY));
	CHECK(!vmx_control_allows(MSR(0, 0x7fffffff), PROC_ACTIVATE_SECONDARY));
	CHECK(strcmp(vmx_control_name("proc2", 1), "EPT") == 0);
	CHECK(vmx_control_name("pin", 1) == NULL);
	CHECK(vmx_control_name("proc", 40) == NULL);
}

static void test_haswell_passes(void)
{
	struct vmx_caps caps;
	char why[256];

	fake_haswell();
	CHECK(run(&caps, why, sizeof(why)));
	CHECK(why[0] == '\0');
	CHECK(absent_msr_reads == 0);
	CHECK(caps.revision == 0x2b);
	/*
	 * allowed-1 of the exit controls stops at bit 21: no "save timer
	 * value", so the preemption timer is not used at all (every entry
	 * would restart the slice) and slices come from the APIC timer.
	 */
	CHECK(caps.pin == (0x16 | PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING));
	CHECK(caps.preemption_timer_shift == 5);
	CHECK(!(caps.exit & EXIT_SAVE_PREEMPTION_TIMER));
	/*
	 * True controls: CR3-load/store exiting (bits 15, 16) are not forced.
	 * Every state-table exit is asked for: CR8 load/store, MOV DR, RDPMC,
	 * MONITOR, MWAIT (docs/threat-model.md).
	 */
	CHECK(caps.proc == (0x04006172u | PROC_HLT_EXITING | PROC_UNCONDITIONAL_IO_EXITING |
			    PROC_USE_MSR_BITMAPS | PROC_ACTIVATE_SECONDARY |
			    PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING |
			    PROC_MOV_DR_EXITING | PROC_RDPMC_EXITING |
			    PROC_MWAIT_EXITING | PROC_MONITOR_EXITING));
	CHECK(caps.proc2 == (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID | PROC2_ENABLE_RDTSCP |
			     PROC2_WBINVD_EXITING));
	CHECK(caps.exit & EXIT_LOAD_EFER);
	CHECK(caps.entry & ENTRY_IA32E_MODE_GUEST);
	CHECK(caps.vpid && caps.invept_single && caps.invvpid_single);
	CHECK(caps.cr4_fixed0 == 0x2000);
}

/* With "save VMX-preemption timer value" the timer carries slices across exits. */
static void test_preemption_timer_with_save(void)
{
	struct vmx_caps caps;
	char why[256];

	fake_haswell();
	fake_set(MSR_IA32_VMX_TRUE_EXIT_CTLS, MSR(0x00036dfb, 0x007fffff));
	CHECK(run(&caps, why, sizeof(why)));
	CHECK(caps.pin & PIN_PREEMPTION_TIMER);
	CHECK(caps.exit & EXIT_SAVE_PREEMPTION_TIMER);
	/* Save without the timer itself would fail VM entry: neither is used. */
	fake_set(MSR_IA32_VMX_TRUE_PINBASED_CTLS, MSR(0x16, 0x3f));
	CHECK(run(&caps, why, sizeof(why)));
	CHECK(!(caps.pin & PIN_PREEMPTION_TIMER));
	CHECK(!(caps.exit & EXIT_SAVE_PREEMPTION_TIMER));
}

/* A CPU that cannot exit on MOV DR or CR8 is refused, by name. */
static void test_state_exits_required(void)
{
	struct vmx_caps caps;
	char why[256];

	fake_haswell();
	fake_set(MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
		 MSR(0x04006172, 0xfff9fffe & ~(PROC_MOV_DR_EXITING | PROC_CR8_LOAD_EXITING)));
	CHECK(!run(&caps, why, sizeof(why)));
	CHECK(strstr(why, "proc control 'MOV-DR exiting'") != NULL);
	CHECK(strstr(why, "proc control 'CR8-load exiting'") != NULL);
}

static void test_plain_controls_without_true_msrs(void)
{
	struct vmx_caps caps;
	char why[256];

	fake_haswell();
	fake_set(MSR_IA32_VMX_BASIC, UINT64_C(0x0058100000000010));  /* bit 55 clear */
	fake_remove(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
	fake_remove(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
	fake_remove(MSR_IA32_VMX_TRUE_EXIT_CTLS);
	fake_remove(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
	CHECK(run(&caps, why, sizeof(why)));
	CHECK(absent_msr_reads == 0);
	CHECK(caps.revision == 0x10);
	CHECK(caps.proc & (1u << 15));   /* forced by the non-true MSR */
}

static void test_no_secondary_controls(void)
{
	struct vmx_caps caps;
	char why[256];

	fake_haswell();
	fake_set(MSR_IA32_VMX_TRUE_PROCBASED_CTLS, MSR(0x04006172, 0x7ff9fffe));
	fake_remove(MSR_IA32_VMX_PROCBASED_CTLS2);
	fake_remove(MSR_IA32_VMX_EPT_VPID_CAP);
	CHECK(!run(&caps, why, sizeof(why)));
	CHECK(absent_msr_reads == 0);
	CHECK(strstr(why, "proc control 'secondary controls'") != NULL);
	CHECK(strstr(why, "proc2 control 'WBINVD exiting'") != NULL);
	CHECK(strstr(why, "EPT") == NULL);   /* EPT is optional: shadow paging */
}

static void test_no_ept_no_vpid(void)
{
	struct vmx_caps caps;
	char why[256];

	fake_haswell();
	fake_set(MSR_IA32_VMX_PROCBASED_CTLS2, MSR(0, 0xdd));  /* EPT, VPID off */
	fake_remove(MSR_IA32_VMX_EPT_VPID_CAP);
	/* Without EPT the backend runs guests on shadow tables. */
	CHECK(run(&caps, why, sizeof(why)));
	CHECK(absent_msr_reads == 0);
	CHECK(!caps.ept && !(caps.proc2 & PROC2_ENABLE_EPT));
	CHECK(!caps.vpid);
}

static void test_ept_capabilities_missing(void)
{
	struct vmx_caps caps;
	char why[256];

	fake_haswell();
	/* No 4-level walk, no WB, INVEPT without a usable type, no INVVPID. */
	fake_set(MSR_IA32_VMX_EPT_VPID_CAP, UINT64_C(0x100101));
	CHECK(!run(&caps, why, sizeof(why)));
	CHECK(strstr(why, "EPT 4-level page walk") != NULL);
	CHECK(strstr(why, "EPT write-back memory type") != NULL);
	CHECK(strstr(why, "INVEPT") != NULL);
	CHECK(!caps.vpid);
	CHECK(!(caps.proc2 & PROC2_ENABLE_VPID));
}

static void test_all_context_only(void)
{
	struct vmx_caps caps;
	char why[256];

	fake_haswell();
	fake_set(MSR_IA32_VMX_EPT_VPID_CAP,
		 UINT64_C(0xf0106334141) & ~(EPT_CAP_INVEPT_SINGLE | VPID_CAP_INVVPID_SINGLE));
	CHECK(run(&caps, why, sizeof(why)));
	CHECK(!caps.invept_single && !caps.invvpid_single && caps.vpid);
}

static void test_feature_control_locked_off(void)
{
	struct vmx_caps caps;
	char why[256];

	fake_haswell();
	fake_set(MSR_IA32_FEATURE_CONTROL, 0x1);
	CHECK(!run(&caps, why, sizeof(why)));
	CHECK(strstr(why, "IA32_FEATURE_CONTROL") != NULL);
	fake_set(MSR_IA32_FEATURE_CONTROL, 0x0);   /* unlocked: cpu_init sets it */
	CHECK(run(&caps, why, sizeof(why)));
}

static void test_short_why_buffer(void)
{
	struct vmx_caps caps;
	char *why = malloc(8);  /* exact size, so ASan sees any overrun */

	fake_haswell();
	fake_set(MSR_IA32_FEATURE_CONTROL, 0x1);
	fake_set(MSR_IA32_VMX_PINBASED_CTLS, MSR(0, 0));
	fake_set(MSR_IA32_VMX_TRUE_PINBASED_CTLS, MSR(0, 0));
	CHECK(!run(&caps, why, 8));
	CHECK(strlen(why) == 7);
	CHECK(!run(&caps, why, 1));
	CHECK(why[0] == '\0');
	free(why);
}

static void test_missing_controls_named(void)
{
	struct vmx_caps caps;
	char why[512];

	fake_haswell();
	fake_set(MSR_IA32_VMX_TRUE_PINBASED_CTLS, MSR(0x16, 0x16));
	fake_set(MSR_IA32_VMX_TRUE_ENTRY_CTLS, MSR(0x11fb, 0x11fb));
	CHECK(!run(&caps, why, sizeof(why)));
	CHECK(strstr(why, "pin control 'external-interrupt exiting'; pin control 'NMI exiting'") != NULL);
	CHECK(strstr(why, "entry control 'IA-32e mode guest'") != NULL);
	CHECK(strstr(why, "entry control 'load EFER'") != NULL);
}

int main(void)
{
	test_combine();
	test_haswell_passes();
	test_preemption_timer_with_save();
	test_state_exits_required();
	test_plain_controls_without_true_msrs();
	test_no_secondary_controls();
	test_no_ept_no_vpid();
	test_ept_capabilities_missing();
	test_all_context_only();
	test_feature_control_locked_off();
	test_short_why_buffer();
	test_missing_controls_named();
	return check_report("vmx_caps_test");
}
