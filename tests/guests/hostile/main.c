/*
 * hostile - a guest that attacks the hypervisor; the first argument picks
 * the attack. Each prints "attempting ..." before anything Skiff must stop.
 *
 *   msr          for MSRs whose leak would hurt the host (VM_HSAVE_PA, VM_CR,
 *                the APIC base, SYSENTER_CS/ESP/EIP, STAR/LSTAR/CSTAR/SFMASK,
 *                KERNEL_GS_BASE, FEATURE_CONTROL, PAT, a TSC write): WRMSR,
 *                then RDMSR, each must raise #GP ("blocked: #GP"). EFER:
 *                reading it must not show SVME; writing it with SVME set
 *                must raise #GP, writing it back with SVME clear must work.
 *                Ends with "msr: N of N blocked" and SUCCESS.
 *   vmrun vmmcall vmcall vmxon vmload vmsave clgi
 *                execute that virtualization instruction. Skiff must end the
 *                guest ("executed X") where the CPU exits on it; where the
 *                CPU does not know it (the other vendor's), it raises #UD,
 *                which the guest catches: "blocked: #UD", SUCCESS, status 0.
 *   mmio-beyond  read the first byte beyond RAM,
 *   mmio-lapic   mask the local APIC timer (write 0xfee00320),
 *   mmio-ioapic  select an I/O APIC register (write 0xfec00000),
 *   mmio-pci     write into a PCI MMIO window (0xe0000000):
 *                through the guest's own identity map of the first 4 GiB;
 *                Skiff must end the guest with a nested page fault.
 *   storm [N]    raise N (default 100000) exceptions, #BP and #UD in turn,
 *                each caught and skipped by the guest's own IDT; SUCCESS.
 *   kgs-hold MS  put a marker into the kernel GS base (GS base + SWAPGS),
 *                sleep MS ms in POLL, then check the marker is still there
 *   kgs-probe    SWAPGS and read what the kernel GS base held ("LEAKED" if
 *                it is kgs-hold's marker), then leave a marker of its own:
 *                run beside kgs-hold, this shows whether SWAPGS reaches a
 *                register that other guests share.
 *   cr2-hold MS, cr2-probe   the same with CR2, which a guest may write
 *                directly and VMX does not switch.
 *   cr8-, cd-, pkru-, fpu-hold MS / -probe, xcr0, ram-dirty, ram-zero,
 *   ram-zero-later MS (sleeps first, so Skiff's zeroed pool can fill),
 *   puts-flood BYTES, dr-write, dr-read, rdpmc, wbinvd, monitor, mwait,
 *   cr0-nw, cpuid-storm   the state-table attacks of isolation.c.
 *
 * "ESCAPED" (and status 1) means an attack got through; status 3 means a
 * trap the guest did not expect (traps.S).
 */
#include "skiff.h"

#include "lib/kstring.h"
#include "lib/parse.h"

#include "../common/identity_map.h"
#include "isolation.h"
#include "traps.h"

#define MSR_TSC 0x10u
#define MSR_FEATURE_CONTROL 0x3au
#define MSR_APIC_BASE 0x1bu
#define MSR_SYSENTER_CS 0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u
#define MSR_PAT 0x277u
#define MSR_EFER 0xc0000080u
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_CSTAR 0xc0000083u
#define MSR_SFMASK 0xc0000084u
#define MSR_GS_BASE 0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_VM_CR 0xc0010114u
#define MSR_VM_HSAVE_PA 0xc0010117u

#define EFER_SVME (1ull << 12)

#define LAPIC_LVT_TIMER 0xfee00320ull
#define LVT_MASKED 0x10000u
#define IOAPIC_REGSEL 0xfec00000ull
#define PCI_MMIO 0xe0000000ull

#define STORM_DEFAULT 100000u
/* Canonical addresses (GS base must be one), recognisable in a dump. */
#define KGS_HOLD_MARKER 0x00004b47484f4c44ull
#define KGS_PROBE_MARKER 0x00004b4750524f42ull

#define PAGE_SIZE 4096u

/* A page-aligned page in guest RAM for VMRUN/VMLOAD/VMSAVE/VMXON operands. */
static uint8_t operand_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

struct msr_attack {
	const char *name;
	uint32_t index;
	uint64_t value;   /* what the write tries to put there */
};

/* target: somewhere a hijacked SYSCALL/SYSENTER would land. */
static void target(void)
{
}

/* attempt_rdmsr / attempt_wrmsr: true when the access raised #GP. */
static bool attempt_rdmsr(const char *name, uint32_t index)
{
	uint64_t value;

	skiff_printf("attempting rdmsr 0x%x (%s)\n", (unsigned)index, name);
	trap_last_vector = TRAP_NONE;
	value = stub_rdmsr(index);
	if (trap_last_vector == VECTOR_GP) {
		skiff_puts("blocked: #GP\n");
		return true;
	}
	skiff_printf("ESCAPED: rdmsr %s returned 0x%llx (trap %s)\n", name,
		     (unsigned long long)value, trap_name(trap_last_vector));
	return false;
}

static bool attempt_wrmsr(const char *name, uint32_t index, uint64_t value)
{
	skiff_printf("attempting wrmsr 0x%x (%s) = 0x%llx\n", (unsigned)index, name,
		     (unsigned long long)value);
	trap_last_vector = TRAP_NONE;
	stub_wrmsr(index, value);
	if (trap_last_vector == VECTOR_GP) {
		skiff_puts("blocked: #GP\n");
		return true;
	}
	skiff_printf("ESCAPED: wrmsr %s went through (trap %s)\n", name,
		     trap_name(trap_last_vector));
	return false;
}

/* read_efer: EFER, which the guest may read; exits 3 if that traps. */
static uint64_t read_efer(void)
{
	uint64_t efer;

	trap_last_vector = TRAP_NONE;
	efer = stub_rdmsr(MSR_EFER);
	if (trap_last_vector != TRAP_NONE) {
		skiff_printf("FAILED: reading EFER raised %s\n", trap_name(trap_last_vector));
		skiff_exit(3);
	}
	return efer;
}

/* The EFER checks; returns the number of failures. */
static unsigned attack_efer(void)
{
	uint64_t efer = read_efer(), after;
	unsigned failures = 0;

	skiff_printf("EFER reads 0x%llx\n", (unsigned long long)efer);
	if (efer & EFER_SVME) {
		skiff_puts("ESCAPED: EFER shows SVME, the host's bit\n");
		failures++;
	}
	if (!attempt_wrmsr("EFER with SVME set", MSR_EFER, efer | EFER_SVME))
		failures++;
	after = read_efer();
	if (after & EFER_SVME) {
		skiff_printf("ESCAPED: EFER reads 0x%llx after the write\n",
			     (unsigned long long)after);
		failures++;
	}
	skiff_printf("attempting wrmsr 0x%x (EFER with SVME clear) = 0x%llx\n",
		     (unsigned)MSR_EFER, (unsigned long long)(efer & ~EFER_SVME));
	trap_last_vector = TRAP_NONE;
	stub_wrmsr(MSR_EFER, efer & ~EFER_SVME);
	after = read_efer();
	if (trap_last_vector != TRAP_NONE || after != efer) {
		skiff_printf("FAILED: writing EFER back raised %s, reads 0x%llx\n",
			     trap_name(trap_last_vector), (unsigned long long)after);
		failures++;
	} else {
		skiff_printf("allowed: EFER keeps 0x%llx\n", (unsigned long long)after);
	}
	return failures;
}

static int attack_msr(void)
{
	const struct msr_attack attacks[] = {
		{ "VM_HSAVE_PA", MSR_VM_HSAVE_PA, 0 },
		{ "VM_CR", MSR_VM_CR, 0x10 },  /* SVMDIS */
		{ "APIC_BASE", MSR_APIC_BASE, 0 },  /* global disable */
		{ "SYSENTER_CS", MSR_SYSENTER_CS, 0x08 },
		{ "SYSENTER_ESP", MSR_SYSENTER_ESP, skiff_heap_start() },
		{ "SYSENTER_EIP", MSR_SYSENTER_EIP, (uint64_t)(uintptr_t)target },
		{ "STAR", MSR_STAR, 0x0013000800000000ull },
		{ "LSTAR", MSR_LSTAR, (uint64_t)(uintptr_t)target },
		{ "CSTAR", MSR_CSTAR, (uint64_t)(uintptr_t)target },
		{ "SFMASK", MSR_SFMASK, 0 },
		{ "KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, skiff_heap_start() },
		{ "FEATURE_CONTROL", MSR_FEATURE_CONTROL, 0x5 },
		{ "PAT", MSR_PAT, 0 },  /* everything uncached */
	};
	const size_t count = sizeof(attacks) / sizeof(attacks[0]);
	unsigned blocked = 0, attempts = 0, failures;

	traps_install();
	failures = attack_efer();
	for (size_t i = 0; i < count; i++) {
		blocked += attempt_wrmsr(attacks[i].name, attacks[i].index, attacks[i].value);
		blocked += attempt_rdmsr(attacks[i].name, attacks[i].index);
		attempts += 2;
	}
	/* The TSC may be read, never written (it is the host's clock too). */
	blocked += attempt_wrmsr("TSC", MSR_TSC, 0);
	attempts++;
	skiff_printf("msr: %u of %u blocked\n", blocked, attempts);
	if (blocked != attempts || failures != 0)
		return SKIFF_EXIT_FAILURE;
	skiff_puts("SUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

struct insn_attack {
	const char *name;
	void (*run)(void);
};

static void run_vmrun(void) { stub_vmrun((uintptr_t)operand_page); }
static void run_vmload(void) { stub_vmload((uintptr_t)operand_page); }
static void run_vmsave(void) { stub_vmsave((uintptr_t)operand_page); }
static void run_vmxon(void) { stub_vmxon((uintptr_t)operand_page); }

static const struct insn_attack insn_attacks[] = {
	{ "vmrun", run_vmrun },
	{ "vmmcall", stub_vmmcall },
	{ "vmcall", stub_vmcall },
	{ "vmxon", run_vmxon },
	{ "vmload", run_vmload },
	{ "vmsave", run_vmsave },
	{ "clgi", stub_clgi },
};

static int attack_insn(const struct insn_attack *attack)
{
	traps_install();
	skiff_printf("attempting %s\n", attack->name);
	trap_last_vector = TRAP_NONE;
	attack->run();
	if (trap_last_vector == VECTOR_UD) {
		skiff_puts("blocked: #UD\nSUCCESS\n");
		return SKIFF_EXIT_SUCCESS;
	}
	skiff_printf("ESCAPED: %s returned (trap %s)\n", attack->name,
		     trap_name(trap_last_vector));
	return SKIFF_EXIT_FAILURE;
}

static int attack_mmio(const char *which)
{
	uint64_t mem = skiff_mem_size();

	if (mem > PCI_MMIO) {
		skiff_puts("hostile: mmio attacks need RAM below 3.5 GiB\n");
		return SKIFF_EXIT_FAILURE;
	}
	identity_map_4g();
	if (strcmp(which, "mmio-beyond") == 0) {
		skiff_printf("attempting read at 0x%llx, beyond RAM\n", (unsigned long long)mem);
		skiff_printf("ESCAPED: read 0x%x\n", *(volatile uint8_t *)(uintptr_t)mem);
	} else if (strcmp(which, "mmio-lapic") == 0) {
		skiff_printf("attempting write to the local APIC at 0x%llx\n", LAPIC_LVT_TIMER);
		*(volatile uint32_t *)(uintptr_t)LAPIC_LVT_TIMER = LVT_MASKED;
		skiff_puts("ESCAPED: the write returned\n");
	} else if (strcmp(which, "mmio-ioapic") == 0) {
		skiff_printf("attempting write to the I/O APIC at 0x%llx\n", IOAPIC_REGSEL);
		*(volatile uint32_t *)(uintptr_t)IOAPIC_REGSEL = 0x10;
		skiff_puts("ESCAPED: the write returned\n");
	} else {
		skiff_printf("attempting write to PCI MMIO at 0x%llx\n", PCI_MMIO);
		*(volatile uint32_t *)(uintptr_t)PCI_MMIO = 0xffffffffu;
		skiff_puts("ESCAPED: the write returned\n");
	}
	return SKIFF_EXIT_FAILURE;
}

static int attack_storm(uint64_t total)
{
	uint64_t wrong = 0, bp = 0, ud = 0;

	traps_install();
	trap_count = 0;
	skiff_printf("attempting %llu exceptions\n", (unsigned long long)total);
	for (uint64_t i = 0; i < total; i++) {
		uint64_t want = (i & 1) ? VECTOR_BP : VECTOR_UD;

		trap_last_vector = TRAP_NONE;
		if (want == VECTOR_BP)
			stub_int3();
		else
			stub_ud2();
		if (trap_last_vector != want)
			wrong++;
		if (want == VECTOR_BP)
			bp++;
		else
			ud++;
	}
	skiff_printf("storm: %llu exceptions caught (%llu #BP, %llu #UD), %llu wrong\n",
		     (unsigned long long)trap_count, (unsigned long long)bp,
		     (unsigned long long)ud, (unsigned long long)wrong);
	if (trap_count != total || wrong != 0)
		return SKIFF_EXIT_FAILURE;
	skiff_puts("SUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

/* kernel_gs_base: the kernel GS base, as seen by SWAPGS (GS base kept). */
static uint64_t kernel_gs_base(void)
{
	uint64_t own = stub_rdmsr(MSR_GS_BASE), kernel;

	stub_swapgs();
	kernel = stub_rdmsr(MSR_GS_BASE);
	stub_swapgs();
	if (stub_rdmsr(MSR_GS_BASE) != own)
		skiff_puts("FAILED: SWAPGS twice did not restore the GS base\n");
	return kernel;
}

/* set_kernel_gs_base: put value into the kernel GS base through SWAPGS. */
static void set_kernel_gs_base(uint64_t value)
{
	uint64_t own = stub_rdmsr(MSR_GS_BASE);

	trap_last_vector = TRAP_NONE;
	stub_swapgs();
	stub_wrmsr(MSR_GS_BASE, value);
	stub_swapgs();
	stub_wrmsr(MSR_GS_BASE, own);
	if (trap_last_vector != TRAP_NONE) {
		skiff_printf("FAILED: setting the kernel GS base raised %s\n",
			     trap_name(trap_last_vector));
		skiff_exit(3);
	}
}

static int attack_kgs_hold(uint64_t ms)
{
	uint64_t seen;

	traps_install();
	set_kernel_gs_base(KGS_HOLD_MARKER);
	skiff_printf("kgs: holding marker 0x%llx\n", (unsigned long long)KGS_HOLD_MARKER);
	for (uint64_t slept = 0; slept < ms; slept += 10) {
		skiff_poll(10 * 1000000ull);
		seen = kernel_gs_base();
		if (seen != KGS_HOLD_MARKER) {
			skiff_printf("ESCAPED: another guest changed my kernel GS base to 0x%llx\n",
				     (unsigned long long)seen);
			return SKIFF_EXIT_FAILURE;
		}
	}
	skiff_puts("kgs: marker kept\nSUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

static int attack_kgs_probe(void)
{
	uint64_t seen;

	traps_install();
	skiff_puts("attempting to read another guest's kernel GS base\n");
	seen = kernel_gs_base();
	if (seen == KGS_HOLD_MARKER) {
		skiff_printf("LEAKED: kernel GS base 0x%llx is another guest's\n",
			     (unsigned long long)seen);
		set_kernel_gs_base(KGS_PROBE_MARKER);
		return SKIFF_EXIT_FAILURE;
	}
	skiff_printf("kgs: found 0x%llx\n", (unsigned long long)seen);
	set_kernel_gs_base(KGS_PROBE_MARKER);
	skiff_puts("SUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

/*
 * CR2: the CPU writes it on a guest's page faults, and a guest may write it
 * directly without an exit. VMX does not switch it, so Skiff must: a guest
 * that finds another's value (or loses its own) shows a cross-guest channel.
 */
#define CR2_HOLD_MARKER 0x0000435232484f4cull   /* "CR2HOL" */
#define CR2_PROBE_MARKER 0x00004352325052ffull

static uint64_t cr2_read(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static void cr2_write(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr2" : : "r"(v) : "memory");
}

static int attack_cr2_hold(uint64_t ms)
{
	cr2_write(CR2_HOLD_MARKER);
	skiff_printf("cr2: holding marker 0x%llx\n", (unsigned long long)CR2_HOLD_MARKER);
	for (uint64_t slept = 0; slept < ms; slept += 10) {
		skiff_poll(10 * 1000000ull);
		if (cr2_read() != CR2_HOLD_MARKER) {
			skiff_printf("ESCAPED: another guest changed my CR2 to 0x%llx\n",
				     (unsigned long long)cr2_read());
			return SKIFF_EXIT_FAILURE;
		}
	}
	skiff_puts("cr2: marker kept\nSUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

static int attack_cr2_probe(void)
{
	uint64_t seen;

	skiff_puts("attempting to read another guest's CR2\n");
	seen = cr2_read();
	cr2_write(CR2_PROBE_MARKER);
	if (seen == CR2_HOLD_MARKER) {
		skiff_printf("LEAKED: CR2 0x%llx is another guest's\n", (unsigned long long)seen);
		return SKIFF_EXIT_FAILURE;
	}
	skiff_printf("cr2: found 0x%llx\nSUCCESS\n", (unsigned long long)seen);
	return SKIFF_EXIT_SUCCESS;
}

static uint64_t number_arg(int argc, char **argv, int index, uint64_t fallback)
{
	uint64_t value;

	if (argc <= index || !parse_u64(argv[index], strlen(argv[index]), &value))
		return fallback;
	return value;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	if (strcmp(what, "msr") == 0)
		return attack_msr();
	for (size_t i = 0; i < sizeof(insn_attacks) / sizeof(insn_attacks[0]); i++) {
		if (strcmp(what, insn_attacks[i].name) == 0)
			return attack_insn(&insn_attacks[i]);
	}
	if (strncmp(what, "mmio-", 5) == 0 &&
	    (strcmp(what, "mmio-beyond") == 0 || strcmp(what, "mmio-lapic") == 0 ||
	     strcmp(what, "mmio-ioapic") == 0 || strcmp(what, "mmio-pci") == 0))
		return attack_mmio(what);
	if (strcmp(what, "storm") == 0)
		return attack_storm(number_arg(argc, argv, 2, STORM_DEFAULT));
	if (strcmp(what, "kgs-hold") == 0)
		return attack_kgs_hold(number_arg(argc, argv, 2, 500));
	if (strcmp(what, "kgs-probe") == 0)
		return attack_kgs_probe();
	if (strcmp(what, "cr2-hold") == 0)
		return attack_cr2_hold(number_arg(argc, argv, 2, 500));
	if (strcmp(what, "cr2-probe") == 0)
		return attack_cr2_probe();
	bool known;
	int status = isolation_attack(what, number_arg(argc, argv, 2, 300), &known);

	if (known)
		return status;
	skiff_puts("usage: hostile msr|vmrun|vmmcall|vmcall|vmxon|vmload|vmsave|clgi|"
		   "mmio-beyond|mmio-lapic|mmio-ioapic|mmio-pci|storm [N]|"
		   "kgs-hold MS|kgs-probe|cr2-hold MS|cr2-probe|cr8-hold MS|cr8-probe|"
		   "cd-hold MS|cd-probe|pkru-hold MS|pkru-probe|fpu-hold MS|fpu-probe|xcr0|"
		   "ram-dirty|ram-zero|ram-zero-later MS|puts-flood BYTES|dr-write|dr-read|"
		   "rdpmc|wbinvd|monitor|mwait|cr0-nw|cpuid-storm\n");
	return SKIFF_EXIT_FAILURE;
}
