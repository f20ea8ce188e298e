/*
 * vmx_vcpu.c - creating and destroying a VMX vCPU: its VMCS, its VPID, its
 * register file's start state, and which VMCS is current on this CPU.
 */
#include <stdbool.h>
#include <stdint.h>

#include "ept/ept.h"
#include "hal/hal.h"
#include "hypervisor/console.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/panic.h"
#include "lib/errno.h"
#include "lib/kstring.h"
#include "vmx_caps.h"
#include "vmx_decode.h"
#include "vmx_insn.h"
#include "vmx_ops.h"
#include "vmx_vcpu.h"
#include "vmx_lazy_state.h"
#include "vmx_vpid.h"

struct vmx_vcpu *vmx_current_vcpus[SMP_MAX_CPUS];

void vmx_load_vmcs(struct vmx_vcpu *v)
{
	enum vmx_result result = vmptrld(v->vmcs_hpa);

	/* Skiff built this VMCS itself: a refusal is Skiff's bug. */
	if (result != VMX_OK)
		panic("vmx: VMPTRLD of VMCS 0x%llx failed (%s)",
		      (unsigned long long)v->vmcs_hpa,
		      result == VMX_FAIL_INVALID ? "invalid pointer" :
		      vmx_instruction_error_text((uint32_t)vmread(VMCS_INSTRUCTION_ERROR)));
	vmx_current_vcpus[this_cpu_index()] = v;
	/* The vCPU whose VMCS is current also owns the state the VMCS lacks. */
	vmx_lazy_state_load(v);
}

/* Release what create took; safe on a partly built vCPU. */
static void release(struct vmx_vcpu *v)
{
	if (v->vmcs_hpa) {
		vmclear(v->vmcs_hpa);
		frames_free(v->vmcs_hpa, FRAME_SIZE);
	}
	if (vmx_current_vcpus[this_cpu_index()] == v)
		vmx_current_vcpus[this_cpu_index()] = NULL;  /* VMCLEAR made the current pointer invalid */
	vmx_lazy_state_forget(v);
	frames_free((uint64_t)(uintptr_t)v, FRAME_SIZE);
}

/* Drop cached translations of v's EPTP and VPID (stale ones of a reused tag). */
void vmx_flush_tags(const struct vmx_vcpu *v)
{
	if (v->shadow)
		;  /* no EPT: only the VPID's linear translations exist */
	else if (vmx_caps.invept_single)
		ept_invalidate_single(v->eptp);
	else
		ept_invalidate_all();
	if (!v->vpid)
		return;
	if (vmx_caps.invvpid_single)
		invvpid(INVVPID_SINGLE_CONTEXT, (uint16_t)v->vpid);
	else
		invvpid(INVVPID_ALL_CONTEXT, 0);
}

static int new_vmcs(struct vmx_vcpu *v)
{
	/* Not zeroed: VMCLEAR initializes the region's implementation-specific
	 * data (SDM 25.11.3) and vmx_vmcs_setup writes every field Skiff uses,
	 * zeroes included; software writes only the first two words. */
	v->vmcs_hpa = frames_alloc_contiguous(FRAME_SIZE, FRAME_SIZE);
	if (!v->vmcs_hpa)
		return -ENOMEM;
	/* A VMCS region starts with the revision identifier (bit 31 clear),
	 * then the VMX-abort indicator. */
	*(uint32_t *)(uintptr_t)v->vmcs_hpa = vmx_caps.revision;
	*(uint32_t *)(uintptr_t)(v->vmcs_hpa + 4) = 0;
	if (vmclear(v->vmcs_hpa) != VMX_OK) {
		log_printf("vmx: VMCLEAR of a new VMCS at 0x%llx failed",
			   (unsigned long long)v->vmcs_hpa);
		return -EINVAL;
	}
	vmx_make_current(v);
	return 0;
}

int vmx_vcpu_create(struct vcpu *vcpu, const struct hal_boot_state *boot)
{
	/* The state is a small part of its frame: only it is zeroed. */
	uint64_t page = frames_alloc_contiguous(FRAME_SIZE, FRAME_SIZE);
	struct vmx_vcpu *v = (struct vmx_vcpu *)(uintptr_t)page;
	int err = 0;

	if (!page)
		return -ENOMEM;
	memset(v, 0, sizeof(*v));
	/* A placeholder (entry needs a non-zero VPID): vmx_run claims the real
	 * one from the pool before each entry. */
	if (vmx_caps.vpid)
		v->vpid = 1;
	v->vpid_slot = (struct tag_slot){ 0, 0 };
	v->shadow = vcpu->shadow_paging;
	v->eptp = v->shadow ? 0 : ept_pointer(vcpu->nested);
	if (!v->shadow && (vmx_caps.ept_vpid_cap & EPT_CAP_ACCESSED_DIRTY))
		v->eptp |= EPTP_ACCESSED_DIRTY;  /* cold pages show by their A bit */
	memset(vcpu->gpr, 0, sizeof(vcpu->gpr));
	vcpu->gpr[HAL_REG_RDI] = boot->rdi;
	err = new_vmcs(v);
	if (!err)
		err = vmx_vmcs_setup(v, boot);
	if (err) {
		release(v);
		return err;
	}
	vmx_flush_tags(v);
	vcpu->backend = v;
	vcpu->tag = v->vpid;
	return 0;
}

void vmx_vcpu_destroy(struct vcpu *vcpu)
{
	struct vmx_vcpu *v = vcpu->backend;

	if (!v)
		return;
	release(v);
	vcpu->backend = NULL;
}

void vmx_vcpu_leave_cpu(struct vcpu *vcpu)
{
	struct vmx_vcpu *v = vcpu->backend;
	enum vmx_result result;

	vmx_lazy_state_save(v);
	result = vmclear(v->vmcs_hpa);
	/* Skiff built this VMCS itself: a refusal is Skiff's bug. */
	if (result != VMX_OK)
		panic("vmx: VMCLEAR of VMCS 0x%llx before moving it to another CPU failed",
		      (unsigned long long)v->vmcs_hpa);
	if (vmx_current_vcpus[this_cpu_index()] == v)
		vmx_current_vcpus[this_cpu_index()] = NULL;
	v->launched = false;
}

void vmx_vcpu_arrive_cpu(struct vcpu *vcpu)
{
	struct vmx_vcpu *v = vcpu->backend;

	/* The VPID came from the old CPU's pool: generation 0 is never current,
	 * so the next entry claims one of this CPU's. */
	tag_slot_drop(&v->vpid_slot);
	vmx_make_current(v);
	if (vmx_vmcs_write_host_state() != 0)
		panic("vmx: the host state of CPU %u was refused for a moved VMCS", this_cpu_index());
	v->host_rsp = 0;   /* rewritten at the next entry: this CPU's stack */
	vmx_flush_tags(v);
}
