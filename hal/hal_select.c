/*
 * hal_select.c - choosing the virtualization backend at boot.
 *
 * The CPU vendor decides (AMD -> SVM, Intel -> VMX) unless Skiff's command
 * line names a backend. Each candidate probes the CPU itself and explains
 * what is missing, so a machine without usable virtualization gets one
 * precise line instead of a fault.
 */
#include "hal/hal.h"

#include "hypervisor/console.h"
#include "hypervisor/cpu.h"
#include "lib/kstring.h"

const struct hal_ops *hal;

static const struct hal_ops *const backends[] = { &hal_svm_ops, &hal_vmx_ops };

static const struct hal_ops *backend_named(const char *name)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i];
	return NULL;
}

/* The backend the CPU vendor suggests, or NULL for an unknown vendor. */
static const struct hal_ops *backend_for_vendor(char vendor[13])
{
	struct cpuid_regs r = cpuid(0, 0);

	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	if (strcmp(vendor, "AuthenticAMD") == 0)
		return &hal_svm_ops;
	if (strcmp(vendor, "GenuineIntel") == 0)
		return &hal_vmx_ops;
	return NULL;
}

const struct hal_ops *hal_select(const char *force)
{
	char vendor[13];
	char why[192];
	const struct hal_ops *chosen = backend_for_vendor(vendor);

	if (force) {
		chosen = backend_named(force);
		if (!chosen) {
			log_printf("no backend named '%s' (svm or vmx)", force);
			return NULL;
		}
	} else if (!chosen) {
		log_printf("cannot virtualize: unknown CPU vendor '%s' (need AMD SVM or Intel VMX)", vendor);
		return NULL;
	}
	why[0] = '\0';
	if (!chosen->probe(why, sizeof(why))) {
		log_printf("cannot virtualize with %s on this %s CPU: %s", chosen->name, vendor, why);
		return NULL;
	}
	log_printf("backend %s (%s)", chosen->name, vendor);
	hal = chosen;
	return chosen;
}

const char *hal_exit_reason_name(enum hal_exit_reason reason)
{
	static const char *const names[] = {
		[HAL_EXIT_NONE] = "none",
		[HAL_EXIT_IO] = "io",
		[HAL_EXIT_CPUID] = "cpuid",
		[HAL_EXIT_HLT] = "hlt",
		[HAL_EXIT_MSR_READ] = "rdmsr",
		[HAL_EXIT_MSR_WRITE] = "wrmsr",
		[HAL_EXIT_NESTED_FAULT] = "nested-fault",
		[HAL_EXIT_TRIPLE_FAULT] = "triple-fault",
		[HAL_EXIT_EXTERNAL_INTR] = "interrupt",
		[HAL_EXIT_NMI] = "nmi",
		[HAL_EXIT_FORBIDDEN_INSN] = "forbidden-insn",
		[HAL_EXIT_EXCEPTION] = "exception",
		[HAL_EXIT_ENTRY_FAILED] = "entry-failed",
		[HAL_EXIT_UNHANDLED] = "unhandled",
		[HAL_EXIT_SLICE_END] = "slice-end",
		[HAL_EXIT_CR_ACCESS] = "cr-access",
		[HAL_EXIT_INVLPG] = "invlpg",
		[HAL_EXIT_INVPCID] = "invpcid",
	};

	if ((unsigned)reason >= sizeof(names) / sizeof(names[0]) || !names[reason])
		return "invalid";
	return names[reason];
}

void tags_recycled_note(const char *what)
{
	static unsigned times;

	/* Once is enough for the log (and for tests): it happens every round. */
	if (times++ == 0)
		log_printf("%s recycled: every guest's cached translations flushed", what);
}
