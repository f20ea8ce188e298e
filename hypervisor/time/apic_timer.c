/*
 * apic_timer.c - calibrating and driving the local APIC timer.
 */
#include "hypervisor/time/apic_timer.h"

#include "hypervisor/boot/idt.h"
#include "hypervisor/console.h"
#include "hypervisor/cpu.h"
#include "hypervisor/smp/percpu.h"
#include "hypervisor/time/time.h"

#define MSR_APIC_BASE 0x1bu
#define APIC_BASE_ENABLE (1u << 11)
#define APIC_BASE_ADDRESS_MASK 0x000ffffffffff000ull

/* Register offsets in the xAPIC page (Intel SDM vol. 3, table 11-1). */
#define APIC_TPR 0x80u
#define APIC_EOI 0xb0u
#define APIC_SVR 0xf0u
#define APIC_LVT_TIMER 0x320u
#define APIC_TIMER_INITIAL 0x380u
#define APIC_TIMER_CURRENT 0x390u
#define APIC_TIMER_DIVIDE 0x3e0u

#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define DIVIDE_BY_16 0x3u
#define CPUID1_EDX_APIC (1u << 9)
#define MAX_ARM_NS 1000000000ull   /* one second */

void apic_timer_stub(void);
void apic_spurious_stub(void);
void apic_kick_stub(void);
void apic_wake_stub(void);

static volatile uint32_t *apic;
static uint64_t apic_timer_hz;
static uint64_t kicks_taken, wakes_taken;

static uint32_t apic_read(uint32_t reg) { return apic[reg / 4]; }
static void apic_write(uint32_t reg, uint32_t v) { apic[reg / 4] = v; }

void apic_timer_interrupt(void)
{
	this_cpu()->timer_fired = true;   /* each CPU's own timer, its own flag */
	apic_write(APIC_EOI, 0);
}

void apic_kick_interrupt(void)
{
	__atomic_fetch_add(&kicks_taken, 1, __ATOMIC_RELAXED);
	apic_write(APIC_EOI, 0);
}

uint64_t apic_kicks_taken(void)
{
	return __atomic_load_n(&kicks_taken, __ATOMIC_RELAXED);
}

void apic_wake_interrupt(void)
{
	__atomic_fetch_add(&wakes_taken, 1, __ATOMIC_RELAXED);
	apic_write(APIC_EOI, 0);
}

uint64_t apic_wakes_taken(void)
{
	return __atomic_load_n(&wakes_taken, __ATOMIC_RELAXED);
}

/* Counts are tried at most this often, 10 ms each ... */
#define CALIBRATION_TRIES 50
/* ... until one's start and end are each pinned between TSC reads that
 * together lie at most 1/1000 of the count apart. */
#define CALIBRATION_SPREAD_DIVISOR 1000

/*
 * count_once: timer ticks over about 10 ms of TSC time; *tsc gets the TSC
 * ticks the count spans (the middle of what the TSC reads around its start
 * and its end allow), *spread how far apart those reads lie. On an
 * emulator the CPU's thread can stall inside the access that starts or
 * reads the timer, which then counts ticks the TSC window does not hold:
 * under load QEMU's timer once came out 1.5 to 2 times too fast.
 */
static uint32_t count_once(uint64_t *tsc, uint64_t *spread)
{
	uint64_t wait = tsc_hz() / 100, start_before, start_after, end_before, end_after;
	uint32_t left;

	start_before = tsc_read();
	apic_write(APIC_TIMER_INITIAL, 0xffffffffu);
	start_after = tsc_read();
	while (tsc_read() - start_after < wait)
		__asm__ volatile("pause");
	end_before = tsc_read();
	left = apic_read(APIC_TIMER_CURRENT);
	end_after = tsc_read();
	apic_write(APIC_TIMER_INITIAL, 0);
	*tsc = (end_before + end_after) / 2 - (start_before + start_after) / 2;
	*spread = (start_after - start_before) + (end_after - end_before);
	return 0xffffffffu - left;
}

/* The timer's rate, per second: from the count whose bounds lie closest. */
static uint64_t calibrate(void)
{
	uint64_t best_hz = 0, best_spread = UINT64_MAX;

	apic_write(APIC_LVT_TIMER, LVT_MASKED | APIC_VECTOR_TIMER);
	apic_write(APIC_TIMER_DIVIDE, DIVIDE_BY_16);
	for (unsigned i = 0; i < CALIBRATION_TRIES; i++) {
		uint64_t tsc, spread;
		uint32_t ticks = count_once(&tsc, &spread);

		if (tsc == 0 || spread >= best_spread)
			continue;
		best_spread = spread;
		best_hz = (uint64_t)ticks * tsc_hz() / tsc;
		if (spread <= tsc / CALIBRATION_SPREAD_DIVISOR)
			break;
	}
	return best_hz;
}

bool apic_timer_init(void)
{
	uint64_t base;

	if (!(cpuid(1, 0).edx & CPUID1_EDX_APIC)) {
		log_printf("no local APIC: guests run without preemption");
		return false;
	}
	base = rdmsr(MSR_APIC_BASE);
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	apic = (volatile uint32_t *)(uintptr_t)(base & APIC_BASE_ADDRESS_MASK);
	idt_set_interrupt(APIC_VECTOR_TIMER, apic_timer_stub);
	idt_set_interrupt(APIC_VECTOR_SPURIOUS, apic_spurious_stub);
	idt_set_interrupt(APIC_VECTOR_KICK, apic_kick_stub);
	idt_set_interrupt(APIC_VECTOR_WAKE, apic_wake_stub);
	apic_write(APIC_SVR, SVR_ENABLE | APIC_VECTOR_SPURIOUS);
	apic_write(APIC_TPR, 0);
	apic_timer_hz = calibrate();
	if (apic_timer_hz == 0) {
		log_printf("local APIC timer does not count: guests run without preemption");
		apic = 0;
		return false;
	}
	log_printf("apic timer %llu Hz", (unsigned long long)apic_timer_hz);
	return true;
}

bool apic_timer_init_ap(void)
{
	if (!apic)
		return false;
	/* The registers are the calling CPU's own at the same address; the
	 * rate is the boot CPU's (one clock for every local APIC). */
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE);
	apic_write(APIC_SVR, SVR_ENABLE | APIC_VECTOR_SPURIOUS);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_TIMER_DIVIDE, DIVIDE_BY_16);
	return true;
}

void apic_timer_arm(uint64_t ns)
{
	uint64_t ticks;

	if (!apic)
		return;
	/* Longer waits are re-armed by the caller; the cap keeps the product
	 * below 2^64 for any timer rate up to 10 GHz. */
	if (ns > MAX_ARM_NS)
		ns = MAX_ARM_NS;
	ticks = ns / 1000 * apic_timer_hz / 1000000;
	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffffu)
		ticks = 0xffffffffu;
	apic_write(APIC_LVT_TIMER, APIC_VECTOR_TIMER);  /* one-shot, unmasked */
	apic_write(APIC_TIMER_INITIAL, (uint32_t)ticks);
}

void apic_timer_disarm(void)
{
	if (apic)
		apic_write(APIC_TIMER_INITIAL, 0);
}

bool apic_timer_take_expired(void)
{
	bool fired;

	/* STI's one-instruction shadow: the NOP runs, then a pending interrupt. */
	__asm__ volatile("sti; nop; cli" : : : "memory");
	fired = this_cpu()->timer_fired;
	this_cpu()->timer_fired = false;
	return fired;
}

void apic_timer_wait(void)
{
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}
