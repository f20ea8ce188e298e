/*
 * svm_decode_test.c - SVM exit decoding on fake VMCBs: every exit kind the
 * hypervisor acts on, next-RIP with and without NRIP save, and the slow
 * paths (forbidden instructions, failed entries, unknown codes).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "svm_test_vmcb.h"

static struct vmcb vmcb;
static uint64_t gprs[HAL_GPR_COUNT];
static const struct svm_entry_state *entry;  /* what decode passes on */

/* exit_with: a fresh guest VMCB that exited with code and infos at rip. */
static void exit_with(uint64_t code, uint64_t info1, uint64_t info2)
{
	test_vmcb(&vmcb, gprs);
	vmcb.control.exit_code = code;
	vmcb.control.exit_info1 = info1;
	vmcb.control.exit_info2 = info2;
	vmcb.save.rip = 0x101000;
}

static struct hal_exit decode(const struct svm_caps *caps)
{
	struct hal_exit e;
	memset(&e, 0x5a, sizeof(e));  /* stale garbage must not leak through */
	svm_decode_exit(&vmcb, gprs, caps, entry, &e);
	return e;
}

static void test_io(void)
{
	/* out %eax, $0x502: the PUTS hypercall, 4 bytes, not string. */
	exit_with(SVM_EXIT_IOIO, (0x502u << 16) | (1u << 6), 0x101002);
	struct hal_exit e = decode(&test_caps_qemu);
	CHECK(e.reason == HAL_EXIT_IO);
	CHECK(e.io.port == 0x502 && e.io.size == 4);
	CHECK(e.io.is_write && !e.io.is_string && !e.io.is_rep);
	CHECK(e.rip == 0x101000 && e.next_rip == 0x101002);
	CHECK(e.vendor_code == SVM_EXIT_IOIO && e.detail[0] == '\0');

	/* rep insb from port 0x3f8. */
	exit_with(SVM_EXIT_IOIO, (0x3f8u << 16) | (1u << 4) | SVM_IOIO_IN |
		  SVM_IOIO_STRING | SVM_IOIO_REP, 0x101002);
	e = decode(&test_caps_qemu);
	CHECK(e.io.port == 0x3f8 && e.io.size == 1);
	CHECK(!e.io.is_write && e.io.is_string && e.io.is_rep);

	/* in %ax, %dx from port 0xffff: 2 bytes. */
	exit_with(SVM_EXIT_IOIO, (0xffffu << 16) | (1u << 5) | SVM_IOIO_IN, 0x101001);
	e = decode(&test_caps_qemu);
	CHECK(e.io.port == 0xffff && e.io.size == 2 && !e.io.is_write);
}

static void test_npf(void)
{
	exit_with(SVM_EXIT_NPF, SVM_NPF_WRITE | SVM_NPF_PRESENT | (1u << 2), 0x100123);
	struct hal_exit e = decode(&test_caps_qemu);
	CHECK(e.reason == HAL_EXIT_NESTED_FAULT);
	CHECK(e.npf.gpa == 0x100123 && e.npf.access == HAL_ACCESS_WRITE && e.npf.mapped);

	exit_with(SVM_EXIT_NPF, SVM_NPF_FETCH | (1u << 2), 0x7fff0000);
	e = decode(&test_caps_qemu);
	CHECK(e.npf.access == HAL_ACCESS_EXEC && !e.npf.mapped && e.npf.gpa == 0x7fff0000);

	exit_with(SVM_EXIT_NPF, 1u << 2, 0x100000000ull);
	e = decode(&test_caps_qemu);
	CHECK(e.npf.access == HAL_ACCESS_READ && !e.npf.mapped);
	CHECK(e.npf.gpa == 0x100000000ull && e.next_rip == 0);
}

static void test_next_rip(void)
{
	struct svm_caps with_nrip = test_caps_qemu;
	with_nrip.nrip_save = true;

	exit_with(SVM_EXIT_CPUID, 0, 0);
	vmcb.control.next_rip = 0x101007;  /* what a CPU with NRIP save writes */
	CHECK(decode(&test_caps_qemu).next_rip == 0x101002);
	struct hal_exit e = decode(&with_nrip);
	CHECK(e.reason == HAL_EXIT_CPUID && e.next_rip == 0x101007);

	exit_with(SVM_EXIT_HLT, 0, 0);
	e = decode(&test_caps_qemu);
	CHECK(e.reason == HAL_EXIT_HLT && e.next_rip == 0x101001);

	exit_with(SVM_EXIT_VMMCALL, 0, 0);
	e = decode(&test_caps_qemu);
	CHECK(e.reason == HAL_EXIT_FORBIDDEN_INSN && e.next_rip == 0x101003);
	CHECK(e.insn.name && strcmp(e.insn.name, "VMMCALL") == 0);
}

static void test_msr(void)
{
	exit_with(SVM_EXIT_MSR, 0, 0);
	gprs[HAL_REG_RCX] = 0xffffffff00000010ull;  /* upper half ignored */
	struct hal_exit e = decode(&test_caps_qemu);
	CHECK(e.reason == HAL_EXIT_MSR_READ && e.msr.index == 0x10);
	CHECK(e.next_rip == 0x101002);

	exit_with(SVM_EXIT_MSR, 1, 0);
	gprs[HAL_REG_RCX] = 0xc0000080;
	gprs[HAL_REG_RDX] = 0x12345678;
	gprs[HAL_REG_RAX] = 0xdeadbeef9abcdef0ull;  /* only EAX counts */
	e = decode(&test_caps_qemu);
	CHECK(e.reason == HAL_EXIT_MSR_WRITE && e.msr.index == 0xc0000080);
	CHECK(e.msr.value == 0x123456789abcdef0ull);
}

static void test_simple_reasons(void)
{
	static const struct { uint64_t code; enum hal_exit_reason reason; } cases[] = {
		{ SVM_EXIT_SHUTDOWN, HAL_EXIT_TRIPLE_FAULT },
		{ SVM_EXIT_INTR, HAL_EXIT_EXTERNAL_INTR },
		{ SVM_EXIT_NMI, HAL_EXIT_NMI },
		{ SVM_EXIT_VMRUN, HAL_EXIT_FORBIDDEN_INSN },
		{ SVM_EXIT_VMLOAD, HAL_EXIT_FORBIDDEN_INSN },
		{ SVM_EXIT_VMSAVE, HAL_EXIT_FORBIDDEN_INSN },
		{ SVM_EXIT_STGI, HAL_EXIT_FORBIDDEN_INSN },
		{ SVM_EXIT_CLGI, HAL_EXIT_FORBIDDEN_INSN },
		{ SVM_EXIT_SKINIT, HAL_EXIT_FORBIDDEN_INSN },
		{ SVM_EXIT_INVLPGA, HAL_EXIT_FORBIDDEN_INSN },
		{ SVM_EXIT_INVD, HAL_EXIT_FORBIDDEN_INSN },
		{ SVM_EXIT_XSETBV, HAL_EXIT_FORBIDDEN_INSN },
		{ SVM_EXIT_MONITOR, HAL_EXIT_FORBIDDEN_INSN },
		{ SVM_EXIT_MWAIT, HAL_EXIT_FORBIDDEN_INSN },
		{ SVM_EXIT_RSM, HAL_EXIT_FORBIDDEN_INSN },
		{ SVM_EXIT_INVALID, HAL_EXIT_ENTRY_FAILED },
		{ SVM_EXIT_RDTSC, HAL_EXIT_UNHANDLED },
		{ SVM_EXIT_TASK_SWITCH, HAL_EXIT_UNHANDLED },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		exit_with(cases[i].code, 0, 0);
		struct hal_exit e = decode(&test_caps_qemu);
		CHECK(e.reason == cases[i].reason);
		CHECK(e.vendor_code == cases[i].code);
		if (e.reason == HAL_EXIT_FORBIDDEN_INSN)
			CHECK(e.insn.name && strcmp(e.insn.name, svm_exit_name(cases[i].code)) == 0);
	}
	exit_with(SVM_EXIT_XSETBV, 0, 0);
	CHECK(strcmp(decode(&test_caps_qemu).insn.name, "XSETBV") == 0);
}

static void test_exceptions(void)
{
	exit_with(SVM_EXIT_EXCEPTION_BASE + 13, 0x18, 0);
	struct hal_exit e = decode(&test_caps_qemu);
	CHECK(e.reason == HAL_EXIT_EXCEPTION && e.exception.vector == 13);
	CHECK(e.exception.has_error && e.exception.error == 0x18);

	exit_with(SVM_EXIT_EXCEPTION_BASE + 6, 0x18, 0);
	e = decode(&test_caps_qemu);
	CHECK(e.exception.vector == 6 && !e.exception.has_error && e.exception.error == 0);

	exit_with(SVM_EXIT_EXCEPTION_BASE + 31, 0, 0);
	CHECK(decode(&test_caps_qemu).exception.vector == 31);
	CHECK(svm_exception_has_error(8) && svm_exception_has_error(14) &&
	      svm_exception_has_error(17) && !svm_exception_has_error(3) &&
	      !svm_exception_has_error(32) && !svm_exception_has_error(255));
}

static void test_slow_paths(void)
{
	exit_with(0x9999, 0x11, 0x22);
	struct hal_exit e = decode(&test_caps_qemu);
	CHECK(e.reason == HAL_EXIT_UNHANDLED && e.vendor_code == 0x9999);
	CHECK(strstr(e.detail, "0x9999") && strstr(e.detail, "unknown"));

	exit_with(SVM_EXIT_PAUSE, 0, 0);
	e = decode(&test_caps_qemu);
	CHECK(e.reason == HAL_EXIT_UNHANDLED && strstr(e.detail, "PAUSE"));

	/* A failed entry names the broken rule. */
	exit_with(SVM_EXIT_INVALID, 0, 0);
	vmcb.save.efer &= ~(uint64_t)(1u << 12);
	e = decode(&test_caps_qemu);
	CHECK(e.reason == HAL_EXIT_ENTRY_FAILED && strstr(e.detail, "EFER.SVME"));

	exit_with(SVM_EXIT_INVALID, 0, 0);
	e = decode(&test_caps_qemu);
	CHECK(e.reason == HAL_EXIT_ENTRY_FAILED && strstr(e.detail, "passes"));
	CHECK(strlen(e.detail) < sizeof(e.detail));

	/* QEMU 7.2 writes -1 as a 32-bit value: still a failed entry. */
	exit_with(0xffffffffu, 0, 0);
	vmcb.control.guest_asid = 0;
	e = decode(&test_caps_qemu);
	CHECK(e.reason == HAL_EXIT_ENTRY_FAILED && strstr(e.detail, "ASID"));
	CHECK(e.vendor_code == 0xffffffffu);
	CHECK(strcmp(svm_exit_name(0xffffffffu), "INVALID") == 0);

	CHECK(strcmp(svm_exit_name(SVM_EXIT_NPF), "NPF") == 0);
	CHECK(svm_exit_name(0x1234) == NULL);
}

/*
 * Bochs overwrites the refused state on VMEXIT_INVALID: the decoder checks
 * the state saved at entry instead, and leaves the VMCB itself alone.
 */
static void test_entry_state(void)
{
	struct svm_entry_state saved;

	exit_with(SVM_EXIT_INVALID, 0, 0);
	vmcb.save.efer &= ~(uint64_t)(1u << 12);
	svm_entry_state_save(&saved, &vmcb);
	CHECK(saved.valid && saved.efer == 0x500);
	vmcb.save.efer |= 1u << 12;   /* what Bochs writes back */
	entry = &saved;
	struct hal_exit e = decode(&test_caps_qemu);
	CHECK(e.reason == HAL_EXIT_ENTRY_FAILED && strstr(e.detail, "EFER.SVME"));
	CHECK(vmcb.save.efer == 0x1500);

	exit_with(SVM_EXIT_INVALID, 0, 0);
	vmcb.save.cs.attrib |= 1u << 10;
	vmcb.save.cr4 |= 1u << 15;
	svm_entry_state_save(&saved, &vmcb);
	test_vmcb(&vmcb, gprs);
	vmcb.control.exit_code = SVM_EXIT_INVALID;
	CHECK(strstr(decode(&test_caps_qemu).detail, "CR4"));

	/* Not valid: the VMCB's own state is checked. */
	saved.valid = false;
	CHECK(strstr(decode(&test_caps_qemu).detail, "passes"));
	entry = NULL;
}

int main(void)
{
	test_io();
	test_npf();
	test_next_rip();
	test_msr();
	test_simple_reasons();
	test_exceptions();
	test_slow_paths();
	test_entry_state();
	return check_report("svm_decode");
}
