/*
 * time.c - the TSC, calibrated against PIT channel 2, and the CMOS RTC
 * (time.h). The arithmetic lives in time_math.c.
 *
 * Calibration: channel 2 counts down once (mode 0) while its gate, bit 0
 * of port 0x61, is high; its output, bit 5 of port 0x61, goes high at zero.
 * The TSC is read as the count is loaded and as the output rises. On real
 * hardware delays only make a run longer, but an emulator's TSC and PIT
 * follow different host clocks, and on a loaded host a run can come out
 * shorter as well as longer. Each run is bracketed by TSC readings and
 * dropped when the emulator stalled inside it (pit_measure). Undisturbed
 * runs agree to about 0.01%, so the result is the run that most others
 * agree with; more runs are taken until three agree, and the median is the
 * fallback if none ever do.
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
#define CALIBRATION_MAX_ATTEMPTS 200  /* runs tried, disturbed ones included (2 s) */

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
 * pit_measure: TSC ticks for one PIT_COUNTS countdown of channel 2 into
 * *ticks; false when the run cannot be trusted. The count starts during the OUT that
 * loads its high byte (a real PIT starts counting at the load when the
 * gate is high; QEMU's ignores the gate in mode 0 and always starts at the
 * load) and ends between the last read of port 0x61 that saw OUT2 low and
 * the first that saw it high. Each of the two moments is known only to lie
 * between two TSC readings; the result is the middle of what they allow,
 * and a run is trusted only when they allow a spread of at most 1/1000 of
 * it. On an emulator the CPU's thread can lose the host CPU inside any
 * port access (QEMU's PIT then reads its clock after the stall, the TSC
 * before it was read before), which once made most runs come out short.
 */
static bool pit_measure(uint64_t *ticks)
{
	uint8_t port61 = inb(PORT_61) & ~(PORT_61_GATE2 | PORT_61_SPEAKER);
	uint64_t load_before, load_after, low_before, end_before, end_after;

	outb(PORT_61, port61 | PORT_61_GATE2);    /* gate high, speaker off */
	outb(PIT_COMMAND, PIT_CH2_LOHI_MODE0);    /* OUT2 goes low */
	outb(PIT_CHANNEL2, PIT_COUNTS & 0xff);
	load_before = tsc_read();
	outb(PIT_CHANNEL2, PIT_COUNTS >> 8);      /* count loaded: counting */
	load_after = low_before = tsc_read();
	for (;;) {
		end_before = tsc_read();
		bool high = inb(PORT_61) & PORT_61_OUT2;

		end_after = tsc_read();
		if (high)
			break;
		low_before = end_before;
		if (end_after - load_before > WAIT_LIMIT_TICKS)
			panic("time: PIT channel 2 never reached zero");
	}
	outb(PORT_61, port61);                    /* gate low again */
	/* The countdown lasted between low_before - load_after and
	 * end_after - load_before ticks. */
	*ticks = (low_before + end_after) / 2 - (load_before + load_after) / 2;
	return (end_after - low_before) + (load_after - load_before) <=
	       *ticks / CALIBRATION_TOLERANCE;
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
	uint64_t runs[CALIBRATION_MAX_RUNS], disturbed[CALIBRATION_MAX_RUNS], best = 0;
	unsigned count = 0, support = 0, attempts = 0, ndisturbed = 0;

	while (count < CALIBRATION_MAX_RUNS && support < CALIBRATION_AGREEING &&
	       attempts++ < CALIBRATION_MAX_ATTEMPTS) {
		uint64_t ticks;

		if (!pit_measure(&ticks)) {   /* its bounds lie too far apart */
			if (ndisturbed < CALIBRATION_MAX_RUNS)
				disturbed[ndisturbed++] = ticks;
			continue;
		}
		runs[count++] = ticks;
		if (count >= CALIBRATION_MIN_RUNS)
			best = consensus_of(runs, count, CALIBRATION_TOLERANCE, &support);
	}
	if (count == 0) {
		log_printf("tsc calibration: every one of %u runs was disturbed; using their median",
			   CALIBRATION_MAX_ATTEMPTS);
		best = median_of(disturbed, ndisturbed);
	} else if (support < CALIBRATION_AGREEING) {
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

/* rtc_seconds_raw: the seconds register as stored (BCD or binary), read
 * outside an update: four port accesses, so the edge brackets stay short. */
static uint8_t rtc_seconds_raw(void)
{
	rtc_wait_while(true);
	return cmos_read(RTC_SECONDS);
}

/* rtc_second_of: a raw seconds byte decoded with the rest of a full read
 * (its status B says BCD or binary); 60 when it does not decode. */
static unsigned rtc_second_of(struct rtc_raw raw, uint8_t second)
{
	struct rtc_time t;

	raw.second = second;
	return rtc_decode(&raw, &t) ? t.second : 60;
}

/*
 * One change of the RTC's seconds, bracketed by TSC readings: it happened
 * after `before` (taken just before the last read that still showed the
 * old second) and before `after` (just after the first read that showed
 * the new one). On an emulator the CPU's thread can lose the host CPU
 * between any two instructions; a long bracket shows that it did.
 */
struct rtc_edge {
	uint64_t before, after;
	unsigned second;
};

static void rtc_edge_wait(struct rtc_edge *edge)
{
	struct rtc_raw raw;
	uint64_t before, start, now;
	uint8_t old, second;

	rtc_read_once(&raw);
	before = start = tsc_read();
	old = rtc_seconds_raw();
	for (;;) {
		now = tsc_read();
		second = rtc_seconds_raw();
		edge->after = tsc_read();
		if (second != old)
			break;
		before = now;
		if (edge->after - start > WAIT_LIMIT_TICKS)
			panic("time: the RTC seconds never changed");
	}
	edge->before = before;
	edge->second = rtc_second_of(raw, second);
}

/* The figure is logged once its uncertainty (half of the two brackets,
 * over the time between their edges) is at most 1/200 (5,000 ppm, a
 * quarter of what clock_selftest allows)... */
#define EDGE_UNCERTAINTY_DIVISOR 200
/* ... and at most this many edges are waited for (one per second). */
#define EDGE_TRIES 10

static uint64_t edge_width(const struct rtc_edge *edge)
{
	return edge->after - edge->before;
}

static uint64_t edge_middle(const struct rtc_edge *edge)
{
	return edge->before + edge_width(edge) / 2;
}

/*
 * The TSC is compared with the RTC between the best bracketed edge seen so
 * far and each later edge, until the brackets are narrow enough for the
 * time between them. On a loaded host QEMU's RTC work at each second (on
 * another thread, holding the lock every port access needs) often widens
 * a bracket to milliseconds; a later, longer pair then still qualifies,
 * and the emulator's stalls never skew the figure.
 */
void time_selftest_clock(void)
{
	struct rtc_edge best, next;
	unsigned elapsed = 0, tries = 1;

	rtc_edge_wait(&best);
	for (;;) {
		rtc_edge_wait(&next);
		elapsed = (next.second + 60 - best.second) % 60;
		if (best.second >= 60 || next.second >= 60 || elapsed == 0) {
			log_printf("clock check: unreadable RTC seconds (%u, %u)", best.second,
				   next.second);
			return;
		}
		if ((edge_width(&best) + edge_width(&next)) / 2 <=
		    calibrated_hz * elapsed / EDGE_UNCERTAINTY_DIVISOR)
			break;
		if (++tries >= EDGE_TRIES) {
			log_printf("clock check: no two RTC edges read undisturbed in %u seconds", tries);
			return;
		}
		if (edge_width(&next) < edge_width(&best))
			best = next;
	}
	log_printf("clock check: edges %u s apart, read within %lu and %lu us",
		   elapsed, tsc_to_ns(edge_width(&best)) / 1000, tsc_to_ns(edge_width(&next)) / 1000);
	/* A stalled emulator may skip a second: elapsed counts what passed. */
	log_printf("clock check: tsc/rtc deviation %ld ppm",
		   deviation_ppm(edge_middle(&next) - edge_middle(&best), calibrated_hz * elapsed));
}
