/*
 * smp.c - bringing up the APs on the machine (smp.h): the local APIC's
 * interrupt command register, the trampoline copy, per-CPU memory, the
 * handshake with each AP, and the AP's first C code. The order of the
 * steps and the failure reports are smp_bringup.c's.
 */
#include "hypervisor/smp/smp.h"

#include "hal/hal.h"
#include "hypervisor/acpi/acpi_boot.h"
#include "hypervisor/boot/idt.h"
#include "hypervisor/console.h"
#include "hypervisor/cpu.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/options.h"
#include "hypervisor/smp/percpu.h"
#include "hypervisor/smp/smp_bringup.h"
#include "hypervisor/smp/smp_work.h"
#include "hypervisor/time/apic_timer.h"
#include "hypervisor/time/time.h"
#include "hypervisor/vm/fpu.h"
#include "lib/errno.h"
#include "lib/kstring.h"

#define MSR_APIC_BASE 0x1bu
#define APIC_BASE_X2APIC (1u << 10)
#define APIC_BASE_ADDRESS_MASK 0x000ffffffffff000ull
#define MSR_X2APIC_ICR 0x830u
#define APIC_ICR_LOW 0x300u
#define APIC_ICR_HIGH 0x310u
#define ICR_DELIVERY_PENDING (1u << 12)
#define ICR_INIT_ASSERT 0x00004500u      /* INIT, level, assert */
#define ICR_INIT_DEASSERT 0x00008500u    /* INIT, level-triggered, de-assert */
#define ICR_STARTUP 0x00004600u          /* STARTUP, vector in bits 0-7 */
#define ICR_FIXED 0x00004000u            /* fixed delivery, assert, vector in bits 0-7 */
#define ICR_NMI 0x00004400u              /* NMI, assert (the vector is ignored) */
#define SELFTEST_NMI_DELAY_US 1000000u   /* from the AP's start into the guests' run */
#define ICR_WAIT_US 10000u
#define BACKEND_WAIT_NS UINT64_C(2000000000)

/* Symbols of trampoline.S. */
extern const uint8_t smp_trampoline_start[], smp_trampoline_end[];
extern const uint8_t smp_trampoline_gdtr[];
extern const uint8_t smp_trampoline_gdt_offset[];
extern uint64_t smp_ap_stack_top, smp_ap_cpu;
extern uint32_t smp_trampoline_cr3_value;

/* smp_ap_main: the AP's first C code (trampoline.S); never returns. */
__attribute__((noreturn)) void smp_ap_main(struct percpu *cpu);

static struct percpu boot_cpu;
static struct percpu *cpus[SMP_MAX_CPUS];
static struct smp_plan plan;
static struct smp_result result = { .started = 1, .with_backend = 1 };
static volatile uint32_t *apic;   /* xAPIC MMIO; NULL in x2APIC mode */

/* delay_us: busy-wait on the TSC (time_init calibrated it). */
static void delay_us(void *ctx, uint64_t us)
{
	uint64_t start = tsc_read(), ticks = ns_to_tsc(us * 1000);

	(void)ctx;
	while (tsc_read() - start < ticks)
		__asm__ volatile("pause");
}

/* send_ipi: one interrupt command; false when it stayed pending ~10 ms. */
static bool send_ipi(uint32_t apic_id, uint32_t command)
{
	if (!apic) {
		/* x2APIC: one MSR write, no delivery status to wait for. */
		wrmsr(MSR_X2APIC_ICR, (uint64_t)apic_id << 32 | command);
		return true;
	}
	apic[APIC_ICR_HIGH / 4] = apic_id << 24;
	apic[APIC_ICR_LOW / 4] = command;
	for (unsigned waited = 0; waited < ICR_WAIT_US; waited += 10) {
		if (!(apic[APIC_ICR_LOW / 4] & ICR_DELIVERY_PENDING))
			return true;
		delay_us(NULL, 10);
	}
	return false;
}

static bool send_init(void *ctx, uint32_t apic_id)
{
	(void)ctx;
	if (!send_ipi(apic_id, ICR_INIT_ASSERT))
		return false;
	if (!apic)
		return true;   /* x2APIC mode has no level de-assert */
	/* The MP specification's de-assert: older APICs need it, newer ignore it. */
	delay_us(NULL, 10);
	return send_ipi(apic_id, ICR_INIT_DEASSERT);
}

static bool send_startup(void *ctx, uint32_t apic_id, uint8_t vector)
{
	(void)ctx;
	return send_ipi(apic_id, ICR_STARTUP | vector);
}

/*
 * prepare: the AP's struct percpu (with its stack and tables) from the
 * frame allocator, and the trampoline's parameters. A CPU left out keeps
 * its memory: it may still be running on that stack.
 */
static int prepare(void *ctx, unsigned index, uint32_t apic_id)
{
	uint64_t bytes = (sizeof(struct percpu) + FRAME_SIZE - 1) & ~(uint64_t)(FRAME_SIZE - 1);
	struct percpu *cpu = cpus[index];

	(void)ctx;
	if (!cpu) {
		cpu = (struct percpu *)(uintptr_t)frames_alloc_contiguous(bytes, FRAME_SIZE);
		if (!cpu)
			return -ENOMEM;
		cpus[index] = cpu;
	}
	memset(cpu, 0, sizeof *cpu);
	cpu->self = cpu;
	cpu->index = index;
	cpu->apic_id = apic_id;
	smp_trampoline_cr3_value = (uint32_t)read_cr3();
	smp_ap_stack_top = (uint64_t)(uintptr_t)(cpu->stack + PERCPU_STACK_SIZE);
	smp_ap_cpu = (uint64_t)(uintptr_t)cpu;
	/* The AP reads these after the IPI, which is not a memory barrier. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}

static bool arrived(void *ctx, unsigned index)
{
	(void)ctx;
	return __atomic_load_n(&cpus[index]->state, __ATOMIC_ACQUIRE) >= PERCPU_ARRIVED;
}

static int enable_backend(void *ctx, unsigned index)
{
	struct percpu *cpu = cpus[index];
	uint64_t start = tsc_read(), limit = ns_to_tsc(BACKEND_WAIT_NS);
	uint32_t state;

	(void)ctx;
	__atomic_store_n(&cpu->state, PERCPU_ENABLE_BACKEND, __ATOMIC_RELEASE);
	while ((state = __atomic_load_n(&cpu->state, __ATOMIC_ACQUIRE)) == PERCPU_ENABLE_BACKEND) {
		if (tsc_read() - start >= limit)
			return -ETIMEDOUT;
		__asm__ volatile("pause");
	}
	return state == PERCPU_READY ? 0 : (cpu->backend_rc ? cpu->backend_rc : -EIO);
}

static void note(void *ctx, const char *line)
{
	(void)ctx;
	log_printf("%s", line);
}

static const struct smp_platform machine = {
	.prepare = prepare, .send_init = send_init, .send_startup = send_startup,
	.delay_us = delay_us, .arrived = arrived, .enable_backend = enable_backend,
	.note = note,
};

/* park: nothing for this CPU to do yet; only INIT or NMI ends a CLI-HLT. */
__attribute__((noreturn)) static void park(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/*
 * selftest=nmi's source (smp.h): the first AP, at the start of its
 * scheduler loop, waits until the boot CPU's guests are likely running.
 */
void smp_selftest_nmi(void)
{
	if (!skiff_options.selftest_nmi || this_cpu() != cpus[1])
		return;
	delay_us(NULL, SELFTEST_NMI_DELAY_US);
	send_ipi(boot_cpu.apic_id, ICR_NMI);
}

void smp_kick(unsigned index)
{
	struct percpu *cpu = smp_cpu(index);

	if (cpu && cpu != this_cpu())
		(void)send_ipi(cpu->apic_id, ICR_FIXED | APIC_VECTOR_KICK);
}

void smp_kick_self(void)
{
	(void)send_ipi(this_cpu()->apic_id, ICR_FIXED | APIC_VECTOR_KICK);
}

void smp_kick_wake(unsigned index)
{
	struct percpu *cpu = smp_cpu(index);

	if (!cpu || cpu == this_cpu())
		return;
	/* Before the IPI: the CPU that takes it sees the flag. */
	__atomic_store_n(&cpu->wake_due, true, __ATOMIC_SEQ_CST);
	smp_kick(index);
}

void smp_wake(unsigned index)
{
	struct percpu *cpu = smp_cpu(index);

	if (cpu && cpu != this_cpu())
		(void)send_ipi(cpu->apic_id, ICR_FIXED | APIC_VECTOR_WAKE);
}

void smp_ap_main(struct percpu *cpu)
{
	int rc;

	cpu_tables_load(&cpu->tables);
	idt_load();
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)cpu);
	/* CR4.OSFXSR, XCR0 and PKE are per CPU: without them FXSAVE/FXRSTOR
	 * here would leave the SSE registers out of a guest's FPU image, and
	 * on a CPU with protection keys WRPKRU would fault. Before the
	 * backend is on (VMXON fixes CR4's bits). */
	fpu_init();
	__atomic_store_n(&cpu->state, PERCPU_ARRIVED, __ATOMIC_RELEASE);
	while (__atomic_load_n(&cpu->state, __ATOMIC_ACQUIRE) != PERCPU_ENABLE_BACKEND)
		__asm__ volatile("pause");
	rc = hal->cpu_init_ap(&cpu->backend);
	cpu->backend_rc = rc;
	__atomic_store_n(&cpu->state, rc ? PERCPU_FAILED : PERCPU_READY, __ATOMIC_RELEASE);
	if (rc == 0)
		smp_ap_serve(cpu);
	park();
}

/* bsp_apic_id: the initial APIC ID of the calling CPU (CPUID 1, EBX 31:24). */
static uint32_t bsp_apic_id(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (base & APIC_BASE_X2APIC)
		return cpuid(0xb, 0).edx;    /* the full x2APIC ID */
	return cpuid(1, 0).ebx >> 24;
}

/* install_trampoline: copy the start code to page and fill in its GDT base. */
static void install_trampoline(uint64_t page)
{
	size_t size = (size_t)(smp_trampoline_end - smp_trampoline_start);
	uint8_t *copy = (uint8_t *)(uintptr_t)page;
	uint32_t gdt = (uint32_t)page + (uint32_t)(uintptr_t)smp_trampoline_gdt_offset;

	memcpy(copy, smp_trampoline_start, size);
	memcpy(copy + (smp_trampoline_gdtr - smp_trampoline_start) + 2, &gdt, sizeof gdt);
}

void smp_start_cpus(const struct boot_info *info)
{
	uint64_t base = rdmsr(MSR_APIC_BASE), page = 0;

	boot_cpu.self = &boot_cpu;
	boot_cpu.apic_id = bsp_apic_id();
	boot_cpu.state = PERCPU_READY;
	cpus[0] = &boot_cpu;
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)&boot_cpu);
	smp_plan_make(&acpi_info, boot_cpu.apic_id, skiff_options.max_cpus, &plan);
	/* Before the one-CPU return: smp_kick_self sends through it too. */
	apic = (base & APIC_BASE_X2APIC) ? NULL :
	       (volatile uint32_t *)(uintptr_t)(base & APIC_BASE_ADDRESS_MASK);
	if (plan.count == 1)
		return;
	page = smp_trampoline_page(info);
	if (page) {
		install_trampoline(page);
		log_printf("smp: start code at 0x%lx, starting %u more CPUs",
			   (unsigned long)page, plan.count - 1);
	}
	smp_bringup_start(&machine, &plan, page, &result);
}

void smp_enable_backends(void)
{
	smp_bringup_enable_backends(&machine, &plan, &result);
	for (unsigned i = 1; i < plan.count; i++)
		if (result.backend[i])
			log_printf("smp: CPU %u (APIC ID %u) in long mode on its own stack, GDT and TSS, %s on",
				   i, plan.apic_ids[i], hal->name);
	if (plan.skipped[SMP_SKIP_UNREACHABLE] || plan.skipped[SMP_SKIP_DISABLED])
		log_printf("smp: not used: %u only online-capable, %u with an APIC ID above %u",
			   plan.skipped[SMP_SKIP_DISABLED], plan.skipped[SMP_SKIP_UNREACHABLE],
			   SMP_XAPIC_MAX_ID);
	log_printf("smp: %u CPUs in the MADT, %u started (cpus=%u)%s", plan.madt_count,
		   result.with_backend, skiff_options.max_cpus,
		   result.with_backend > 1 ? "; guests spread over them" : "");
}

struct percpu *smp_cpu(unsigned index)
{
	if (index >= plan.count || !result.backend[index] || !cpus[index])
		return index == 0 ? cpus[0] : NULL;
	return cpus[index];
}

unsigned smp_cpu_slots(void)
{
	return plan.count ? plan.count : 1;
}

unsigned smp_cpu_count(void)
{
	return result.with_backend;
}
