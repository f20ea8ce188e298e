/*
 * vmx_vmcs.c - filling a fresh VMCS: controls, host state and the
 * guest's start state (SDM vol. 3C, "Checks on VMX Controls and Host-State
 * Area" and "Checks on the Guest-State Area" say what each must hold).
 * A VMCLEARed VMCS holds undefined values, so every field that matters is
 * written here, zeroes included.
 */
#include <stddef.h>
#include <stdint.h>

#include "hal/hal.h"
#include "hypervisor/console.h"
#include "hypervisor/cpu.h"
#include "lib/errno.h"
#include "vmx_arch.h"
#include "vmx_caps.h"
#include "vmx_cr.h"
#include "vmx_decode.h"
#include "vmx_insn.h"
#include "vmx_vcpu.h"
#include "vmx_shadow.h"

#define GUEST_PAT_DEFAULT UINT64_C(0x0007040600070406)  /* the reset value */
#define DR7_RESET 0x400u
#define LIMIT_4G 0xffffffffu
/*
 * CR0.CD and CR0.NW are Skiff's: neither VM entry nor VM exit loads them,
 * so a guest's value would stay for Skiff and every later guest. Owned by
 * the host here, a guest's attempt to change them exits (and ends it).
 */
#define CR0_CD_NW ((UINT64_C(1) << 30) | (UINT64_C(1) << 29))
/* #MC in a guest exits: a machine check is Skiff's to report, not the guest's. */
#define EXCEPTIONS_INTERCEPTED (UINT64_C(1) << 18)

struct field_value {
	uint32_t field;
	uint64_t value;
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int write_fields(const struct field_value *list, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		if (vmwrite(list[i].field, list[i].value) != VMX_OK) {
			uint32_t err = (uint32_t)vmread(VMCS_INSTRUCTION_ERROR);

			log_printf("vmx: VMWRITE field 0x%04x = 0x%llx refused: error %u: %s",
				   list[i].field, (unsigned long long)list[i].value,
				   err, vmx_instruction_error_text(err));
			return -EINVAL;
		}
	}
	return 0;
}

static int write_controls(const struct vmx_vcpu *v, const struct hal_boot_state *boot)
{
	const struct field_value controls[] = {
		{ VMCS_PIN_CONTROLS, vmx_caps.pin },
		{ VMCS_PROC_CONTROLS, vmx_caps.proc },
		{ VMCS_PROC2_CONTROLS, vmx_caps.proc2 },
		{ VMCS_EXIT_CONTROLS, vmx_caps.exit },
		{ VMCS_ENTRY_CONTROLS, vmx_caps.entry },
		{ VMCS_EXCEPTION_BITMAP, EXCEPTIONS_INTERCEPTED },
		{ VMCS_PAGE_FAULT_ERROR_MASK, 0 },
		{ VMCS_PAGE_FAULT_ERROR_MATCH, 0 },
		{ VMCS_CR3_TARGET_COUNT, 0 },
		{ VMCS_EXIT_MSR_STORE_COUNT, 0 },
		{ VMCS_EXIT_MSR_LOAD_COUNT, 0 },
		{ VMCS_ENTRY_MSR_LOAD_COUNT, 0 },
		{ VMCS_ENTRY_INTERRUPTION_INFO, 0 },
		{ VMCS_MSR_BITMAP, vmx_msr_bitmap_hpa },
		{ VMCS_EPT_POINTER, v->eptp },
		{ VMCS_CR0_GUEST_HOST_MASK,
		  vmx_cr_host_mask(vmx_caps.cr0_fixed0, vmx_caps.cr0_fixed1) | CR0_CD_NW },
		{ VMCS_CR4_GUEST_HOST_MASK,
		  vmx_cr_host_mask(vmx_caps.cr4_fixed0, vmx_caps.cr4_fixed1) },
		{ VMCS_CR0_READ_SHADOW, boot->cr0 },
		{ VMCS_CR4_READ_SHADOW, boot->cr4 },
	};
	const struct field_value vpid[] = { { VMCS_VPID, v->vpid } };
	int err = write_fields(controls, COUNT(controls));

	if (!err && v->shadow)
		err = vmx_shadow_controls();

	if (!err && v->vpid)
		err = write_fields(vpid, COUNT(vpid));
	return err;
}

struct descriptor_table_register {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

#define READ_SEGMENT(name) ({ uint16_t s_; \
	__asm__ volatile("mov %%" name ", %0" : "=r"(s_)); s_; })

/* The base of the 64-bit TSS that selector tr names in the GDT at gdt_base. */
static uint64_t tss_base_of(uint64_t gdt_base, uint16_t tr)
{
	const uint64_t *descriptor = (const uint64_t *)(uintptr_t)(gdt_base + (tr & ~7u));
	uint64_t low = descriptor[0];

	/* Base bits 15:0 at 16, 23:16 at 32, 31:24 at 56; 63:32 in the next quadword. */
	return ((low >> 16) & 0xffffffu) | (((low >> 56) & 0xffu) << 24) |
		(descriptor[1] << 32);
}

int vmx_vmcs_write_host_state(void)
{
	struct descriptor_table_register gdtr, idtr;
	uint16_t tr;

	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	__asm__ volatile("sidt %0" : "=m"(idtr));
	__asm__ volatile("str %0" : "=r"(tr));
	if (tr == 0) {
		log_printf("vmx: the host has no TSS loaded (TR = 0); VMX needs one");
		return -EINVAL;
	}
	const struct field_value host[] = {
		{ VMCS_HOST_CR0, read_cr0() },
		{ VMCS_HOST_CR3, read_cr3() },
		{ VMCS_HOST_CR4, read_cr4() },
		{ VMCS_HOST_ES_SELECTOR, READ_SEGMENT("es") },
		{ VMCS_HOST_CS_SELECTOR, READ_SEGMENT("cs") },
		{ VMCS_HOST_SS_SELECTOR, READ_SEGMENT("ss") },
		{ VMCS_HOST_DS_SELECTOR, READ_SEGMENT("ds") },
		{ VMCS_HOST_FS_SELECTOR, READ_SEGMENT("fs") },
		{ VMCS_HOST_GS_SELECTOR, READ_SEGMENT("gs") },
		{ VMCS_HOST_TR_SELECTOR, tr },
		{ VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE) },
		{ VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE) },
		{ VMCS_HOST_TR_BASE, tss_base_of(gdtr.base, tr) },
		{ VMCS_HOST_GDTR_BASE, gdtr.base },
		{ VMCS_HOST_IDTR_BASE, idtr.base },
		{ VMCS_HOST_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS) },
		{ VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP) },
		{ VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP) },
		{ VMCS_HOST_EFER, rdmsr(MSR_EFER) },
		{ VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT) },
		{ VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_entry },
	};
	return write_fields(host, COUNT(host));
}

/* Selector, base, limit and access rights of one guest segment register. */
static int write_guest_segment(uint32_t selector_field, uint16_t selector,
			       uint64_t base, uint32_t limit, uint32_t access)
{
	/* Base, limit and access fields sit at fixed distances from the selector. */
	uint32_t index = selector_field - VMCS_GUEST_ES_SELECTOR;
	const struct field_value segment[] = {
		{ selector_field, selector },
		{ VMCS_GUEST_ES_BASE + index, base },
		{ VMCS_GUEST_ES_LIMIT + index, limit },
		{ VMCS_GUEST_ES_ACCESS + index, access },
	};
	return write_fields(segment, COUNT(segment));
}

static int write_guest_segments(const struct hal_boot_state *boot)
{
	static const uint32_t data_segments[] = {
		VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_DS_SELECTOR,
		VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_GS_SELECTOR,
	};
	size_t i;
	int err = write_guest_segment(VMCS_GUEST_CS_SELECTOR, boot->code_selector,
				      0, LIMIT_4G, ACCESS_CODE64);

	for (i = 0; !err && i < COUNT(data_segments); i++)
		err = write_guest_segment(data_segments[i], boot->data_selector,
					  0, LIMIT_4G, ACCESS_DATA);
	if (!err)
		err = write_guest_segment(VMCS_GUEST_LDTR_SELECTOR, 0, 0, 0,
					  ACCESS_UNUSABLE);
	if (!err)
		err = write_guest_segment(VMCS_GUEST_TR_SELECTOR, boot->tss_selector,
					  boot->tss_base, boot->tss_limit,
					  ACCESS_TSS64_BUSY);
	return err;
}

static int write_guest_state(const struct hal_boot_state *boot)
{
	const struct field_value guest[] = {
		{ VMCS_GUEST_CR0, vmx_cr_real(boot->cr0, vmx_caps.cr0_fixed0,
					      vmx_caps.cr0_fixed1) },
		{ VMCS_GUEST_CR3, boot->cr3 },
		{ VMCS_GUEST_CR4, vmx_cr_real(boot->cr4, vmx_caps.cr4_fixed0,
					      vmx_caps.cr4_fixed1) },
		{ VMCS_GUEST_GDTR_BASE, boot->gdt_base },
		{ VMCS_GUEST_GDTR_LIMIT, boot->gdt_limit },
		{ VMCS_GUEST_IDTR_BASE, 0 },
		{ VMCS_GUEST_IDTR_LIMIT, 0 },
		{ VMCS_GUEST_DR7, DR7_RESET },
		{ VMCS_GUEST_RSP, boot->rsp },
		{ VMCS_GUEST_RIP, boot->rip },
		{ VMCS_GUEST_RFLAGS, boot->rflags },
		{ VMCS_GUEST_PENDING_DEBUG, 0 },
		{ VMCS_GUEST_SYSENTER_CS, 0 },
		{ VMCS_GUEST_SYSENTER_ESP, 0 },
		{ VMCS_GUEST_SYSENTER_EIP, 0 },
		{ VMCS_GUEST_EFER, boot->efer },
		{ VMCS_GUEST_PAT, GUEST_PAT_DEFAULT },
		{ VMCS_GUEST_DEBUGCTL, 0 },
		{ VMCS_LINK_POINTER, ~UINT64_C(0) },
		{ VMCS_GUEST_INTERRUPTIBILITY, 0 },
		{ VMCS_GUEST_ACTIVITY_STATE, 0 },
	};
	int err = write_fields(guest, COUNT(guest));

	return err ? err : write_guest_segments(boot);
}

int vmx_vmcs_setup(const struct vmx_vcpu *v, const struct hal_boot_state *boot)
{
	int err = write_controls(v, boot);

	if (!err)
		err = vmx_vmcs_write_host_state();
	if (!err)
		err = write_guest_state(boot);
	return err;
}
