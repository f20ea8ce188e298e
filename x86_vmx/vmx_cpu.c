/*
 * vmx_cpu.c - finding VMX (probe) and switching it on (cpu_init): the
 * feature-control MSR, CR0/CR4 fixed bits, VMXON, and the MSR bitmap page
 * that every VMCS shares.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ept/ept.h"
#include "hypervisor/console.h"
#include "hypervisor/cpu.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/options.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kstring.h"
#include "vmx_arch.h"
#include "vmx_caps.h"
#include "vmx_cpu.h"
#include "vmx_insn.h"
#include "vmx_msr_bitmap.h"
#include "vmx_vcpu.h"
#include "vmx_vpid.h"

#define CPUID_1_ECX_VMX (1u << 5)
#define CR0_NW (UINT64_C(1) << 29)
#define CR0_CD (UINT64_C(1) << 30)

uint64_t vmx_msr_bitmap_hpa;
static bool vmx_probed;
struct np_format vmx_nested_format;
static uint64_t vmxon_region_hpa;

static uint64_t read_msr(uint32_t msr)
{
	return rdmsr(msr);
}

static bool is_intel(char *vendor_out)
{
	struct cpuid_regs r = cpuid(0, 0);

	/* The vendor string is EBX, EDX, ECX in that order. */
	memcpy(vendor_out, &r.ebx, 4);
	memcpy(vendor_out + 4, &r.edx, 4);
	memcpy(vendor_out + 8, &r.ecx, 4);
	vendor_out[12] = '\0';
	return strcmp(vendor_out, "GenuineIntel") == 0;
}

bool vmx_probe(char *why, size_t why_len)
{
	char vendor[13];

	if (!is_intel(vendor)) {
		format(why, why_len, "not an Intel CPU (vendor '%s')", vendor);
		return false;
	}
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_VMX)) {
		format(why, why_len, "CPUID.1:ECX.VMX is 0 (no VMX)");
		return false;
	}
	vmx_probed = vmx_caps_read(read_msr, &vmx_caps, why, why_len);
	/* 1 GiB EPT leaves only where the CPU walks them (EPT capability bit 17). */
	vmx_nested_format = (vmx_caps.ept_vpid_cap & EPT_CAP_PAGE_1G) ? ept_format : ept_format_2m;
	return vmx_probed;
}

/* IA32_FEATURE_CONTROL: firmware usually locks it; if not, enable and lock. */
static int enable_feature_control(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCK)) {
		fc |= FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
	}
	if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		log_printf("vmx: IA32_FEATURE_CONTROL is locked with VMX off");
		return -ENOTSUP;
	}
	return 0;
}

/* CR0 and CR4 must hold the bits IA32_VMX_CR*_FIXED* demand, VMXE included. */
static void set_fixed_control_registers(void)
{
	uint64_t cr0 = (read_cr0() | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1;
	uint64_t cr4 = (read_cr4() | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1;

	/*
	 * VM entry and exit never load CR0.CD/NW but keep the current value
	 * (SDM vol. 3C, "Loading Guest Control Registers"): Skiff owns them
	 * (guests may not change them, vmx_vmcs.c) and keeps caches on.
	 */
	if (cr0 & (CR0_CD | CR0_NW)) {
		log_printf("vmx: host CR0.CD/NW were set (CR0 0x%llx): caches turned on",
			   (unsigned long long)cr0);
		cr0 &= ~(uint64_t)(CR0_CD | CR0_NW);
	}
	write_cr4(cr4);
	write_cr0(cr0);
}

/*
 * VMX switches neither STAR, LSTAR, CSTAR nor SFMASK, and guests may not
 * write them (they exit and raise #GP): a guest's SYSCALL uses the host's.
 * Skiff never uses SYSCALL, so fix them at 0: nothing of the host leaks
 * and every guest sees the same (a SYSCALL lands at RIP 0 in the guest).
 */
static void fix_syscall_msrs(void)
{
	static const uint32_t msrs[] = { 0xc0000081u, 0xc0000082u, 0xc0000083u, 0xc0000084u };

	for (unsigned i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++)
		wrmsr(msrs[i], 0);
}

static int allocate_pages(void)
{
	uint8_t *bitmap;

	vmxon_region_hpa = frame_alloc();
	vmx_msr_bitmap_hpa = frame_alloc();
	if (!vmxon_region_hpa || !vmx_msr_bitmap_hpa)
		return -ENOMEM;
	/* The VMXON region starts with the VMCS revision identifier. */
	*(uint32_t *)(uintptr_t)vmxon_region_hpa = vmx_caps.revision;
	bitmap = (uint8_t *)(uintptr_t)vmx_msr_bitmap_hpa;
	vmx_msr_bitmap_init(bitmap);
	return 0;
}

int vmx_cpu_init(void)
{
	enum vmx_result result;
	int err;

	if (!vmx_probed) {
		log_printf("vmx: cpu_init before a successful probe");
		return -EINVAL;
	}
	err = enable_feature_control();
	if (err)
		return err;
	err = allocate_pages();
	if (err) {
		log_printf("vmx: no memory for the VMXON region and MSR bitmap");
		return err;
	}
	set_fixed_control_registers();
	fix_syscall_msrs();
	result = vmxon(vmxon_region_hpa);
	if (result == VMX_FAIL_INVALID) {
		log_printf("vmx: VMXON failed (VMfailInvalid: region at 0x%llx or revision 0x%x refused)",
			   (unsigned long long)vmxon_region_hpa, vmx_caps.revision);
		return -EINVAL;
	}
	if (result == VMX_FAIL_VALID) {
		log_printf("vmx: VMXON failed: already in VMX operation");
		return -EBUSY;
	}
	vpid_init(skiff_options.max_tags);
	log_printf("vmx: VMX on (VMCS revision 0x%x, EPT/VPID caps 0x%llx, VPID %s, %u VPIDs for guests%s)",
		   vmx_caps.revision, (unsigned long long)vmx_caps.ept_vpid_cap,
		   vmx_caps.vpid ? "on" : "off", vmx_caps.vpid ? vpid_pool_size() : 0,
		   skiff_options.max_tags ? " (asids=)" : "");
	return 0;
}

int vmx_cpu_init_ap(void **per_cpu)
{
	uint64_t region;
	enum vmx_result result;
	int err;

	if (!vmxon_region_hpa)
		return -EINVAL;   /* the boot CPU first: it probed and made the MSR bitmap */
	err = enable_feature_control();
	if (err)
		return err;
	region = frame_alloc();
	if (!region) {
		log_printf("vmx: no memory for this CPU's VMXON region");
		return -ENOMEM;
	}
	*(uint32_t *)(uintptr_t)region = vmx_caps.revision;
	set_fixed_control_registers();
	result = vmxon(region);
	if (result != VMX_OK) {
		log_printf("vmx: VMXON failed on this CPU (%s)",
			   result == VMX_FAIL_VALID ? "already in VMX operation" : "region refused");
		frames_free(region, FRAME_SIZE);
		return result == VMX_FAIL_VALID ? -EBUSY : -EINVAL;
	}
	*per_cpu = (void *)(uintptr_t)region;
	return 0;
}
