/*
 * time.c - the TSC, calibrated against PIT channel 2, and the CMOS RTC
 * (time.h). The arithmetic lives in time_math.c.
 *
 * Calibration: channel 2 counts down once (mode 0) while its gate, bit 0
 * of port 0x61, is high; its output, bit 5 of port 0x61, goes high at zero.
 * The TSC is read as the count is loaded and as the output rises. On real
 * hardware delays only make a run longer, but an emulator's TSC and PIT
 * follow different host clocks, and on a loaded host a run can come out
 * shorter as well as longer. Undisturbed runs agree to about 0.01%, so
 * the result is the run that most others agree with; more runs are taken
 * until three agree, and the median is the fallback if none ever do.
 */
#include "hypervisor/time/time.h"

#include <stdbool.h>

#include "hypervisor/console.h"
#include "hypervisor/cpu.h"
#include "hypervisor/panic.h"
#include "hypervisor/time/time_math.h"

#define PORT_61 0x61                 /* system control port B */
#define PORT_61_GATE2 0x01           /* channel 2 gate */
#define PORT_61_SPEAKER 0x02         /* speaker data enable: kept off */
#define PORT_61_OUT2 0x20            /* channel 2 output (read) */
#define PIT_CHANNEL2 0x42
#define PIT_COMMAND 0x43
#define PIT_CH2_LOHI_MODE0 0xb0      /* channel 2, low then high byte, mode 0, binary */
#define PIT_COUNTS 11932u            /* about 10 ms at 1.193182 MHz */
#define CALIBRATION_MIN_RUNS 5
#define CALIBRATION_MAX_RUNS 25
#define CALIBRATION_AGREEING 3        /* runs that must agree ... */
#define CALIBRATION_TOLERANCE 1000    /* ... to within 1/1000 (0.1%) */

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define CMOS_NMI_OFF 0x80            /* keep NMIs disabled while selecting */
#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS 0x04
#define RTC_DAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_A_UPDATE_IN_PROGRESS 0x80

/* Give up on a device that never answers after this many TSC ticks. */
#define WAIT_LIMIT_TICKS (1ull << 36)

static uint64_t calibrated_hz;
static uint64_t boot_tsc;
static uint64_t boot_walltime_ns;

uint64_t tsc_read(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

uint64_t tsc_hz(void)
{
	return calibrated_hz;
}

uint64_t tsc_to_ns(uint64_t ticks)
{
	return ticks_to_ns(ticks, calibrated_hz);
}

uint64_t ns_to_tsc(uint64_t ns)
{
	return ns_to_ticks(ns, calibrated_hz);
}

uint64_t walltime_ns(void)
{
	return boot_walltime_ns + tsc_to_ns(tsc_read() - boot_tsc);
}

/*
 * pit_measure: TSC ticks for one PIT_COUNTS countdown of channel 2.
 * The gate is raised first and the TSC read just before the byte that
 * loads the count: a real PIT starts counting at the load when the gate is
 * high, and QEMU's ignores the gate in mode 0 and always starts at the
 * load. Either way any delay (an interrupt, the emulator's thread losing
 * the CPU) can only make a run longer, never shorter.
 */
static uint64_t pit_measure(void)
{
	uint8_t port61 = inb(PORT_61) & ~(PORT_61_GATE2 | PORT_61_SPEAKER);
	uint64_t start, now;

	outb(PORT_61, port61 | PORT_61_GATE2);    /* gate high, speaker off */
	outb(PIT_COMMAND, PIT_CH2_LOHI_MODE0);    /* OUT2 goes low */
	outb(PIT_CHANNEL2, PIT_COUNTS & 0xff);
	start = tsc_read();
	outb(PIT_CHANNEL2, PIT_COUNTS >> 8);      /* count loaded: counting */
	do {
		now = tsc_read();
		if (now - start > WAIT_LIMIT_TICKS)
			panic("time: PIT channel 2 never reached zero");
	} while (!(inb(PORT_61) & PORT_61_OUT2));
	outb(PORT_61, port61);                    /* gate low again */
	return now - start;
}

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, CMOS_NMI_OFF | reg);
	return inb(CMOS_DATA);
}

static bool rtc_updating(void)
{
	return cmos_read(RTC_STATUS_A) & RTC_A_UPDATE_IN_PROGRESS;
}

/* rtc_wait_while: spin while rtc_updating() == updating, bounded. */
static void rtc_wait_while(bool updating)
{
	uint64_t start = tsc_read();

	while (rtc_updating() == updating) {
		if (tsc_read() - start > WAIT_LIMIT_TICKS)
			panic("time: the RTC update flag never changed");
	}
}

static void rtc_read_once(struct rtc_raw *raw)
{
	rtc_wait_while(true);
	raw->second = cmos_read(RTC_SECONDS);
	raw->minute = cmos_read(RTC_MINUTES);
	raw->hour = cmos_read(RTC_HOURS);
	raw->day = cmos_read(RTC_DAY);
	raw->month = cmos_read(RTC_MONTH);
	raw->year = cmos_read(RTC_YEAR);
	raw->status_b = cmos_read(RTC_STATUS_B);
}

/* rtc_read: two identical reads in a row, so no update tore the values. */
static void rtc_read(struct rtc_raw *raw)
{
	struct rtc_raw again;

	rtc_read_once(&again);
	do {
		*raw = again;
		rtc_read_once(&again);
	} while (raw->second != again.second || raw->minute != again.minute ||
		 raw->hour != again.hour || raw->day != again.day ||
		 raw->month != again.month || raw->year != again.year);
}

static void calibrate_tsc(void)
{
	uint64_t runs[CALIBRATION_MAX_RUNS], best = 0;
	unsigned count = 0, support = 0;

	while (count < CALIBRATION_MAX_RUNS && support < CALIBRATION_AGREEING) {
		runs[count++] = pit_measure();
		if (count >= CALIBRATION_MIN_RUNS)
			best = consensus_of(runs, count, CALIBRATION_TOLERANCE, &support);
	}
	if (support < CALIBRATION_AGREEING) {
		log_printf("tsc calibration: no %u of %u runs agree; using the median",
			   CALIBRATION_AGREEING, count);
		best = median_of(runs, count);
	}
	calibrated_hz = pit_calibrated_hz(best, PIT_COUNTS);
	if (calibrated_hz == 0)
		panic("time: the TSC does not advance");
}

static void read_wall_clock(void)
{
	struct rtc_raw raw;
	struct rtc_time t;

	rtc_read(&raw);
	boot_tsc = tsc_read();
	if (!rtc_decode(&raw, &t)) {
		log_printf("rtc: unreadable time (%02x:%02x:%02x %02x.%02x.%02x, status b %02x): using 1970",
			   raw.hour, raw.minute, raw.second, raw.day, raw.month, raw.year, raw.status_b);
		boot_walltime_ns = 0;
		return;
	}
	boot_walltime_ns = unix_seconds(&t) * 1000000000ull;
	log_printf("rtc %04u-%02u-%02u %02u:%02u:%02u UTC", t.year, t.month, t.day,
		   t.hour, t.minute, t.second);
}

void time_init(void)
{
	calibrate_tsc();
	log_printf("tsc %lu Hz", calibrated_hz);
	read_wall_clock();
}

/* rtc_seconds_now: the seconds register, read outside an update. */
static unsigned rtc_seconds_now(void)
{
	struct rtc_raw raw;
	struct rtc_time t;

	rtc_read_once(&raw);
	return rtc_decode(&raw, &t) ? t.second : 60;
}

/*
 * rtc_second_edge: wait until the RTC's seconds change; returns the TSC
 * then and the new seconds value in *second.
 */
static uint64_t rtc_second_edge(unsigned *second)
{
	unsigned before = rtc_seconds_now(), now;
	uint64_t start = tsc_read();

	while ((now = rtc_seconds_now()) == before) {
		if (tsc_read() - start > WAIT_LIMIT_TICKS)
			panic("time: the RTC seconds never changed");
	}
	*second = now;
	return tsc_read();
}

void time_selftest_clock(void)
{
	unsigned s1, s2, elapsed;
	uint64_t t1, t2;

	rtc_second_edge(&s1);              /* start right at an edge */
	t1 = rtc_second_edge(&s1);
	t2 = rtc_second_edge(&s2);
	/* A stalled emulator may skip a second: count what actually passed. */
	elapsed = (s2 + 60 - s1) % 60;
	if (elapsed == 0 || s1 >= 60 || s2 >= 60) {
		log_printf("clock check: unreadable RTC seconds (%u, %u)", s1, s2);
		return;
	}
	log_printf("clock check: tsc/rtc deviation %ld ppm",
		   deviation_ppm(t2 - t1, calibrated_hz * elapsed));
}
