/* rtc_cmos.h: the PC's real-time clock and CMOS RAM (Motorola MC146818A, as in every PC chipset)
 * at ports 0x70 (index; bit 7 masks NMIs) and 0x71 (data), interrupting on ISA IRQ 8.
 *
 * Why it exists: Linux reads the wall-clock time from it at boot (mach_get_cmos_time), binds its
 * rtc_cmos driver to it (/dev/rtc0, hwclock) and, without one, spins on the "update in progress"
 * bit of a register that reads as all ones. The clock is the host's (CLOCK_REALTIME, UTC) plus an
 * offset the guest may change by setting the time; nothing is written back to the host.
 *
 * Registers (index: meaning):
 *   0x00 seconds, 0x02 minutes, 0x04 hours, 0x06 day of week (1 = Sunday), 0x07 day of month,
 *   0x08 month, 0x09 year (two digits), 0x32 century: the time, in BCD or binary (register B DM)
 *   and in 24-hour or 12-hour mode (B 24/12; in 12-hour mode bit 7 of the hours is PM).
 *   0x01, 0x03, 0x05: alarm seconds, minutes, hours (a value 0xC0-0xFF matches any).
 *   0x0A (A): bit 7 UIP (update in progress: high during the last 244 us of every second, read
 *             only), bits 6-4 DV (divider: 010 runs the clock, anything else holds it), bits 3-0 RS
 *             (periodic interrupt rate: 0 off, 1 and 2 as 8 and 9, else 65536 >> RS Hz).
 *   0x0B (B): bit 7 SET (freezes the clock so the guest can write the time; clearing it starts
 *             the clock from the written time), 6 PIE, 5 AIE, 4 UIE (periodic, alarm and
 *             update-ended interrupt enables), 3 SQWE (no pin: ignored), 2 DM (1 binary, 0 BCD),
 *             1 24/12 (1: 24-hour), 0 DSE (stored, no daylight-saving switching: the clock is UTC).
 *   0x0C (C): bit 7 IRQF, 6 PF, 5 AF, 4 UF; read only, reading clears it and lowers IRQ 8.
 *   0x0D (D): bit 7 VRT (valid RAM and time): always 1.
 *   0x0E-0x7F: battery-backed RAM, readable and writable (0x32: century, BCD or binary as DM).
 * A time register written while the clock runs changes the time at once. Out-of-range values
 * (bad BCD, month 13, ...) are clamped, never trusted. The flags are computed from the clock on
 * every access and by a timer thread while an interrupt is enabled, which raises IRQ 8 (held high
 * until register C is read, as the chip's IRQ pin is).
 * Not modelled: the square-wave pin, daylight-saving switching, NMI masking (bit 7 of the index is
 * kept and reported, but bulwark's devices raise no NMIs to mask). */
#ifndef BULWARK_DEV_RTC_CMOS_H
#define BULWARK_DEV_RTC_CMOS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "dev/dev_host.h"

#define RTC_CMOS_PORT 0x70 /* index; 0x71: data */
#define RTC_CMOS_IRQ 8

#define RTC_REG_SECONDS 0x00
#define RTC_REG_SECONDS_ALARM 0x01
#define RTC_REG_MINUTES 0x02
#define RTC_REG_MINUTES_ALARM 0x03
#define RTC_REG_HOURS 0x04
#define RTC_REG_HOURS_ALARM 0x05
#define RTC_REG_DAY_OF_WEEK 0x06
#define RTC_REG_DAY_OF_MONTH 0x07
#define RTC_REG_MONTH 0x08
#define RTC_REG_YEAR 0x09
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_REG_CENTURY 0x32

#define RTC_A_UIP 0x80
#define RTC_A_DV_MASK 0x70
#define RTC_A_DV_RUN 0x20
#define RTC_A_RS_MASK 0x0f
#define RTC_B_SET 0x80
#define RTC_B_PIE 0x40
#define RTC_B_AIE 0x20
#define RTC_B_UIE 0x10
#define RTC_B_SQWE 0x08
#define RTC_B_DM_BINARY 0x04
#define RTC_B_24H 0x02
#define RTC_B_DSE 0x01
#define RTC_C_IRQF 0x80
#define RTC_C_PF 0x40
#define RTC_C_AF 0x20
#define RTC_C_UF 0x10
#define RTC_D_VRT 0x80

/* UIP is high this long before each second's update (the chip's t_BUC) */
#define RTC_CMOS_UIP_NS 244000

/* The wall clock the RTC follows: nanoseconds since the Unix epoch (UTC). */
typedef int64_t (*rtc_cmos_clock_fn)(void *ctx);

struct rtc_cmos {
	pthread_mutex_t lock;
	struct dev_host *host;
	rtc_cmos_clock_fn clock;
	void *clock_ctx;
	uint8_t index;	   /* selected register, 0-0x7f */
	bool nmi_disabled; /* bit 7 of the last index write */
	uint8_t ram[128];  /* time registers hold the frozen time only while the clock is held */
	bool frozen;	   /* SET or a divider that does not run: the clock is held */
	int64_t offset_s;  /* guest time = host time + offset_s */
	int64_t frozen_s;  /* guest time when the clock was held */
	int64_t last_ns;   /* host time of the last flag update */
	bool irq_high;
	/* timer thread (rtc_cmos_start_timer) */
	pthread_cond_t cond;
	pthread_t thread;
	bool thread_on, stop;
};

/* Sets up the RTC with the time of clock (NULL: CLOCK_REALTIME) and claims ports 0x70-0x71 on
 * host->pio. Returns 0 or -errno (-EBUSY when the ports are taken). */
int rtc_cmos_init(struct rtc_cmos *rtc, struct dev_host *host, rtc_cmos_clock_fn clock,
		  void *clock_ctx);
/* Starts the thread that raises IRQ 8 on time while the guest enables an interrupt. Without it
 * the flags still follow the clock when the guest reads them (tests, fuzzers). 0 or -errno. */
int rtc_cmos_start_timer(struct rtc_cmos *rtc);
void rtc_cmos_destroy(struct rtc_cmos *rtc);

/* The port handler (offset 0: index, 1: data); accesses wider than a byte act on each byte. */
void rtc_cmos_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);
/* Brings the flags up to the clock's present time and raises IRQ 8 when one is due; returns the
 * host time (ns) of the next event an enabled interrupt waits for, or INT64_MAX. */
int64_t rtc_cmos_poll(struct rtc_cmos *rtc);

/* Civil date <-> seconds since the epoch (UTC, proleptic Gregorian), exposed for tests. */
int64_t rtc_cmos_days_from_civil(int64_t y, unsigned m, unsigned d);
void rtc_cmos_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
