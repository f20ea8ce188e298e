/*
 * vmx_controls.c - control values from capability MSRs, and the names of
 * the controls this backend asks for (for "what is missing" messages).
 */
#include <stddef.h>
#include <stdint.h>

#include "lib/kstring.h"
#include "vmx_arch.h"
#include "vmx_controls.h"

uint32_t vmx_control_combine(uint64_t capability_msr,
			     const struct vmx_control_request *request,
			     uint32_t *out)
{
	uint32_t must_be_one = (uint32_t)capability_msr;
	uint32_t may_be_one = (uint32_t)(capability_msr >> 32);
	uint32_t wanted = request->required | request->optional;

	*out = (must_be_one | wanted) & may_be_one;
	return request->required & ~may_be_one;
}

struct control_name {
	const char *field;
	uint32_t bit;
	const char *name;
};

static const struct control_name control_names[] = {
	{ "pin", PIN_EXTERNAL_INTERRUPT_EXITING, "external-interrupt exiting" },
	{ "pin", PIN_NMI_EXITING, "NMI exiting" },
	{ "proc", PROC_HLT_EXITING, "HLT exiting" },
	{ "proc", PROC_MWAIT_EXITING, "MWAIT exiting" },
	{ "proc", PROC_RDPMC_EXITING, "RDPMC exiting" },
	{ "proc", PROC_CR8_LOAD_EXITING, "CR8-load exiting" },
	{ "proc", PROC_CR8_STORE_EXITING, "CR8-store exiting" },
	{ "proc", PROC_MOV_DR_EXITING, "MOV-DR exiting" },
	{ "proc", PROC_MONITOR_EXITING, "MONITOR exiting" },
	{ "proc", PROC_UNCONDITIONAL_IO_EXITING, "unconditional I/O exiting" },
	{ "proc", PROC_USE_MSR_BITMAPS, "MSR bitmaps" },
	{ "proc", PROC_ACTIVATE_SECONDARY, "secondary controls" },
	{ "proc2", PROC2_ENABLE_EPT, "EPT" },
	{ "proc2", PROC2_ENABLE_RDTSCP, "RDTSCP" },
	{ "proc2", PROC2_ENABLE_VPID, "VPID" },
	{ "proc2", PROC2_WBINVD_EXITING, "WBINVD exiting" },
	{ "proc2", PROC2_ENABLE_INVPCID, "INVPCID" },
	{ "exit", EXIT_HOST_ADDRESS_SPACE_SIZE, "host address-space size" },
	{ "exit", EXIT_SAVE_PAT, "save PAT" },
	{ "exit", EXIT_LOAD_PAT, "load PAT" },
	{ "exit", EXIT_SAVE_EFER, "save EFER" },
	{ "exit", EXIT_LOAD_EFER, "load EFER" },
	{ "entry", ENTRY_IA32E_MODE_GUEST, "IA-32e mode guest" },
	{ "entry", ENTRY_LOAD_PAT, "load PAT" },
	{ "entry", ENTRY_LOAD_EFER, "load EFER" },
};

const char *vmx_control_name(const char *field, unsigned bit)
{
	size_t i;

	if (bit > 31)
		return NULL;
	for (i = 0; i < sizeof(control_names) / sizeof(control_names[0]); i++) {
		if (control_names[i].bit == (1u << bit) &&
		    strcmp(control_names[i].field, field) == 0)
			return control_names[i].name;
	}
	return NULL;
}
