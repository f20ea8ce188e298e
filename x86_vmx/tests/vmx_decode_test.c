/*
 * vmx_decode_test.c - host tests of VMX exit decoding: fake VMCS fields in,
 * struct hal_exit out, for each reason Skiff handles, the failures it
 * must explain, and the number of fields each common exit reads (the exit
 * path is benchmarked).
 */
#include <stdint.h>
#include <string.h>

#include "boot_check.h"
#include "hal/hal.h"
#include "vmx_arch.h"
#include "vmx_decode.h"

static struct { uint32_t field; uint64_t value; } fields[8];
static unsigned field_count;
static unsigned reads;
static unsigned unknown_reads;

static void set_fields(uint64_t rip, uint64_t length, uint64_t qualification)
{
	field_count = 0;
	reads = 0;
	unknown_reads = 0;
	fields[field_count++].field = VMCS_GUEST_RIP;
	fields[field_count - 1].value = rip;
	fields[field_count++].field = VMCS_EXIT_INSTRUCTION_LENGTH;
	fields[field_count - 1].value = length;
	fields[field_count++].field = VMCS_EXIT_QUALIFICATION;
	fields[field_count - 1].value = qualification;
}

static void add_field(uint32_t field, uint64_t value)
{
	fields[field_count].field = field;
	fields[field_count++].value = value;
}

static uint64_t fake_read(uint32_t field)
{
	unsigned i;

	reads++;
	for (i = 0; i < field_count; i++)
		if (fields[i].field == field)
			return fields[i].value;
	unknown_reads++;
	return 0xdeadbeef;
}

static uint64_t gpr[16];

static struct hal_exit decode(uint32_t reason)
{
	struct hal_exit exit;

	memset(&exit, 0x5a, sizeof(exit));
	vmx_decode_exit(reason, fake_read, gpr, &exit);
	return exit;
}

static void test_io(void)
{
	struct hal_exit e;

	/* out %eax, $0x502: 4 bytes, immediate port. */
	set_fields(0x100000, 1, (UINT64_C(0x502) << 16) | 0x40 | 3);
	e = decode(VMX_EXIT_IO);
	CHECK(e.reason == HAL_EXIT_IO && e.vendor_code == 30);
	CHECK(e.io.port == 0x502 && e.io.size == 4);
	CHECK(e.io.is_write && !e.io.is_string && !e.io.is_rep);
	CHECK(e.rip == 0x100000 && e.next_rip == 0x100001);
	CHECK(reads == 3 && unknown_reads == 0);
	/* rep insb from 0x3f8: in, 1 byte, string, rep. */
	set_fields(0x2000, 2, (UINT64_C(0x3f8) << 16) | IO_QUAL_IN | IO_QUAL_STRING | IO_QUAL_REP);
	e = decode(VMX_EXIT_IO);
	CHECK(e.io.port == 0x3f8 && e.io.size == 1);
	CHECK(!e.io.is_write && e.io.is_string && e.io.is_rep);
	CHECK(e.next_rip == 0x2002);
	/* 2-byte in. */
	set_fields(0, 1, (UINT64_C(0xffff) << 16) | IO_QUAL_IN | 1);
	e = decode(VMX_EXIT_IO);
	CHECK(e.io.port == 0xffff && e.io.size == 2 && !e.io.is_write);
}

static void test_simple_instructions(void)
{
	struct hal_exit e;

	set_fields(0x1000, 2, 0);
	e = decode(VMX_EXIT_CPUID);
	CHECK(e.reason == HAL_EXIT_CPUID && e.next_rip == 0x1002);
	CHECK(reads == 2);   /* RIP and length only */
	set_fields(0x1000, 1, 0);
	e = decode(VMX_EXIT_HLT);
	CHECK(e.reason == HAL_EXIT_HLT && e.next_rip == 0x1001 && e.detail[0] == '\0');
}

static void test_msr(void)
{
	struct hal_exit e;

	gpr[HAL_REG_RCX] = UINT64_C(0xffffffffc0000100);  /* upper half ignored */
	gpr[HAL_REG_RAX] = UINT64_C(0x1111111122223333);
	gpr[HAL_REG_RDX] = UINT64_C(0x44445555);
	set_fields(0x3000, 2, 0);
	e = decode(VMX_EXIT_WRMSR);
	CHECK(e.reason == HAL_EXIT_MSR_WRITE && e.msr.index == 0xc0000100);
	CHECK(e.msr.value == UINT64_C(0x4444555522223333));
	CHECK(e.next_rip == 0x3002);
	gpr[HAL_REG_RCX] = 0x10;
	e = decode(VMX_EXIT_RDMSR);
	CHECK(e.reason == HAL_EXIT_MSR_READ && e.msr.index == 0x10);
}

static void test_ept(void)
{
	struct hal_exit e;

	/* A write to a read-only page (readable, executable), GLA valid. */
	set_fields(0x200000, 0x77, EPT_QUAL_WRITE | 0x8 | 0x20 | 0x80);
	add_field(VMCS_GUEST_PHYSICAL_ADDRESS, 0x200123);
	e = decode(VMX_EXIT_EPT_VIOLATION);
	CHECK(e.reason == HAL_EXIT_NESTED_FAULT && e.vendor_code == 48);
	CHECK(e.npf.gpa == 0x200123 && e.npf.access == HAL_ACCESS_WRITE && e.npf.mapped);
	CHECK(e.next_rip == 0);
	/* A fetch from nothing. */
	set_fields(0x40000000, 0, EPT_QUAL_FETCH | EPT_QUAL_READ);
	add_field(VMCS_GUEST_PHYSICAL_ADDRESS, 0x40000000);
	e = decode(VMX_EXIT_EPT_VIOLATION);
	CHECK(e.npf.access == (HAL_ACCESS_EXEC | HAL_ACCESS_READ) && !e.npf.mapped);
	set_fields(0, 0, 0);
	add_field(VMCS_GUEST_PHYSICAL_ADDRESS, 0xabc000);
	e = decode(VMX_EXIT_EPT_MISCONFIG);
	CHECK(e.reason == HAL_EXIT_UNHANDLED && e.vendor_code == 49);
	CHECK(strstr(e.detail, "EPT misconfiguration at gpa 0xabc000") != NULL);
}

static void test_events(void)
{
	struct hal_exit e;

	set_fields(0x5000, 0, 0);
	e = decode(VMX_EXIT_TRIPLE_FAULT);
	CHECK(e.reason == HAL_EXIT_TRIPLE_FAULT && e.rip == 0x5000);
	e = decode(VMX_EXIT_EXTERNAL_INTERRUPT);
	CHECK(e.reason == HAL_EXIT_EXTERNAL_INTR);
	add_field(VMCS_EXIT_INTERRUPTION_INFO, 0x80000202);   /* NMI, vector 2 */
	e = decode(VMX_EXIT_EXCEPTION_OR_NMI);
	CHECK(e.reason == HAL_EXIT_NMI);
	set_fields(0x5000, 0, 0);
	add_field(VMCS_EXIT_INTERRUPTION_INFO, 0x80000b0e);   /* #PF with error code */
	add_field(VMCS_EXIT_INTERRUPTION_ERROR, 0x6);
	e = decode(VMX_EXIT_EXCEPTION_OR_NMI);
	CHECK(e.reason == HAL_EXIT_EXCEPTION && e.exception.vector == 14);
	CHECK(e.exception.has_error && e.exception.error == 6);
	set_fields(0x5000, 0, 0);
	add_field(VMCS_EXIT_INTERRUPTION_INFO, 0x80000306);   /* #UD, no error */
	e = decode(VMX_EXIT_EXCEPTION_OR_NMI);
	CHECK(e.exception.vector == 6 && !e.exception.has_error && e.exception.error == 0);
}

static void test_forbidden(void)
{
	static const struct { uint32_t reason; const char *name; } cases[] = {
		{ 18, "VMCALL" }, { 19, "VMCLEAR" }, { 20, "VMLAUNCH" }, { 21, "VMPTRLD" },
		{ 22, "VMPTRST" }, { 23, "VMREAD" }, { 24, "VMRESUME" }, { 25, "VMWRITE" },
		{ 26, "VMXOFF" }, { 27, "VMXON" }, { 50, "INVEPT" }, { 53, "INVVPID" },
		{ 55, "XSETBV" }, { 13, "INVD" }, { 11, "GETSEC" }, { 59, "VMFUNC" },
		/* The state table's denied rows (docs/threat-model.md). */
		{ 15, "RDPMC" }, { 28, "MOV CR (CR8, or CR0.CD/NW)" }, { 29, "MOV DR" },
		{ 36, "MWAIT" }, { 39, "MONITOR" }, { 54, "WBINVD" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hal_exit e;

		/* MOV CR exits as forbidden for CR8 (qualification 8); CR0/3/4
		 * are shadow paging's (test_shadow_exits). */
		set_fields(0x7000, 3, cases[i].reason == 28 ? 8 : 0);
		e = decode(cases[i].reason);
		CHECK(e.reason == HAL_EXIT_FORBIDDEN_INSN);
		CHECK(strcmp(e.insn.name, cases[i].name) == 0);
		CHECK(e.vendor_code == cases[i].reason && e.next_rip == 0x7003);
	}
}

/* The exits shadow paging adds: MOV to/from CR0/3/4, INVLPG and INVPCID. */
static void test_shadow_exits(void)
{
	struct hal_exit e;

	set_fields(0x7000, 3, 3 | (0u << 4) | (9u << 8));      /* MOV CR3, R9 */
	e = decode(28);
	CHECK(e.reason == HAL_EXIT_CR_ACCESS && e.cr.cr == 3 && e.cr.is_write && e.cr.gpr == 9);
	CHECK(e.next_rip == 0x7003);
	set_fields(0x7000, 3, 3 | (1u << 4) | (0u << 8));      /* MOV RAX, CR3 */
	e = decode(28);
	CHECK(e.reason == HAL_EXIT_CR_ACCESS && e.cr.cr == 3 && !e.cr.is_write && e.cr.gpr == 0);
	set_fields(0x7000, 3, 4 | (0u << 4) | (7u << 8));      /* MOV CR4, RDI */
	e = decode(28);
	CHECK(e.reason == HAL_EXIT_CR_ACCESS && e.cr.cr == 4 && e.cr.gpr == 7);
	set_fields(0x7000, 3, 0 | (3u << 4));                  /* LMSW: forbidden */
	e = decode(28);
	CHECK(e.reason == HAL_EXIT_FORBIDDEN_INSN);
	set_fields(0x7000, 3, UINT64_C(0xffff800000012340));   /* INVLPG */
	e = decode(14);
	CHECK(e.reason == HAL_EXIT_INVLPG && e.invlpg.known);
	CHECK(e.invlpg.address == UINT64_C(0xffff800000012340) && e.next_rip == 0x7003);
	set_fields(0x7000, 5, 0);                              /* INVPCID */
	e = decode(58);
	CHECK(e.reason == HAL_EXIT_INVPCID && e.next_rip == 0x7005);
}

static void test_unhandled(void)
{
	struct hal_exit e;

	set_fields(0x8000, 3, 0x13);
	e = decode(37);
	CHECK(e.reason == HAL_EXIT_UNHANDLED && e.vendor_code == 37);
	CHECK(strcmp(e.detail, "VMX exit reason 37 (monitor trap flag), qualification 0x13") == 0);
	e = decode(77);
	CHECK(e.reason == HAL_EXIT_UNHANDLED && strstr(e.detail, "77 (reserved)") != NULL);
	CHECK(strcmp(vmx_exit_reason_name(35), "reserved") == 0);
	CHECK(strcmp(vmx_exit_reason_name(48), "EPT violation") == 0);
	CHECK(strcmp(vmx_exit_reason_name(0xffff), "reserved") == 0);
}

static void test_entry_failures(void)
{
	struct hal_exit e;

	set_fields(0x100000, 0, 0);
	e = decode(VMX_EXIT_REASON_ENTRY_FAILED | VMX_EXIT_INVALID_GUEST_STATE);
	CHECK(e.reason == HAL_EXIT_ENTRY_FAILED && e.vendor_code == 33);
	CHECK(strstr(e.detail, "invalid guest state (qualification 0") != NULL);
	set_fields(0x100000, 0, 4);
	e = decode(VMX_EXIT_REASON_ENTRY_FAILED | VMX_EXIT_INVALID_GUEST_STATE);
	CHECK(strstr(e.detail, "invalid VMCS link pointer") != NULL);
	set_fields(0x100000, 0, 3);
	e = decode(VMX_EXIT_REASON_ENTRY_FAILED | VMX_EXIT_MSR_LOADING);
	CHECK(strcmp(e.detail, "VM entry failed: loading MSR entry 3 failed") == 0);
	set_fields(0x100000, 0, 0);
	e = decode(VMX_EXIT_REASON_ENTRY_FAILED | VMX_EXIT_MACHINE_CHECK);
	CHECK(e.reason == HAL_EXIT_ENTRY_FAILED && strstr(e.detail, "machine-check") != NULL);

	memset(&e, 0x5a, sizeof(e));
	vmx_decode_vmfail("VMLAUNCH", true, 7, &e);
	CHECK(e.reason == HAL_EXIT_ENTRY_FAILED && e.next_rip == 0);
	CHECK(strcmp(e.detail, "VMLAUNCH failed: error 7: VM entry with invalid control field(s)") == 0);
	vmx_decode_vmfail("VMRESUME", true, 8, &e);
	CHECK(strstr(e.detail, "invalid host-state field") != NULL);
	vmx_decode_vmfail("VMRESUME", false, 0, &e);
	CHECK(strcmp(e.detail, "VMRESUME failed: no current VMCS (VMfailInvalid)") == 0);
}

static void test_instruction_errors(void)
{
	CHECK(strcmp(vmx_instruction_error_text(1), "VMCALL executed in VMX root operation") == 0);
	CHECK(strcmp(vmx_instruction_error_text(28), "invalid operand to INVEPT/INVVPID") == 0);
	CHECK(strcmp(vmx_instruction_error_text(0), "unknown error") == 0);
	CHECK(strcmp(vmx_instruction_error_text(14), "unknown error") == 0);
	CHECK(strcmp(vmx_instruction_error_text(29), "unknown error") == 0);
	CHECK(strcmp(vmx_instruction_error_text(0xffffffffu), "unknown error") == 0);
}

int main(void)
{
	test_io();
	test_simple_instructions();
	test_msr();
	test_ept();
	test_events();
	test_forbidden();
	test_shadow_exits();
	test_unhandled();
	test_entry_failures();
	test_instruction_errors();
	return check_report("vmx_decode_test");
}
