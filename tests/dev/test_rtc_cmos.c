/* test_rtc_cmos.c: the MC146818 RTC at ports 0x70/0x71 against a fake clock: the time registers
 * in BCD and binary, 24- and 12-hour mode (checked against gmtime_r), UIP in the last 244 us of
 * a second, setting the time under SET and while running, a held divider, the flags of register
 * C with IRQ 8 (update, alarm, periodic), the index port's NMI bit, CMOS RAM, hostile values, and
 * the timer thread raising IRQ 8 on the host clock. */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dev/rtc_cmos.h"
#include "harness.h"

#define NS 1000000000LL

static int64_t fake_now;
static int irq8 = -1, irq8_raises;
static pthread_mutex_t irq_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static int fake_irq_line(void *ctx, uint32_t gsi, bool level)
{
	(void)ctx;
	pthread_mutex_lock(&irq_lock);
	if (gsi == RTC_CMOS_IRQ) {
		if (level && irq8 != 1)
			irq8_raises++;
		irq8 = level;
	}
	pthread_mutex_unlock(&irq_lock);
	return 0;
}

static const struct dev_host_ops ops = {.irq_line = fake_irq_line};
static struct io_bus pio;
static struct dev_host host = {.pio = &pio, .ops = &ops};

static uint8_t rd(uint8_t reg)
{
	uint8_t v = reg, out = 0;

	CHECK(io_bus_access(&pio, 0x70, &v, 1, true));
	CHECK(io_bus_access(&pio, 0x71, &out, 1, false));
	return out;
}

static void wr(uint8_t reg, uint8_t val)
{
	uint8_t v = reg;

	CHECK(io_bus_access(&pio, 0x70, &v, 1, true));
	CHECK(io_bus_access(&pio, 0x71, &val, 1, true));
}

static void setup(struct rtc_cmos *rtc, int64_t now)
{
	io_bus_init(&pio, "pio");
	fake_now = now;
	irq8 = -1;
	irq8_raises = 0;
	CHECK_EQ(rtc_cmos_init(rtc, &host, fake_clock, NULL), 0);
}

static void teardown(struct rtc_cmos *rtc)
{
	rtc_cmos_destroy(rtc);
	io_bus_destroy(&pio);
}

static unsigned bcd(unsigned v)
{
	return (v / 10) << 4 | (v % 10);
}

static unsigned unbcd(uint8_t v)
{
	return (v >> 4) * 10u + (v & 15);
}

/* 2026-11-23 14:05:09 UTC, a Monday */
static const int64_t T0 = 1795442709LL;

TEST(civil_conversions_match_gmtime)
{
	for (int64_t days = -800000; days <= 3000000; days += 997) {
		time_t t = (time_t)(days * 86400);
		struct tm tm;
		int64_t y;
		unsigned m, d;

		CHECK(gmtime_r(&t, &tm) != NULL);
		rtc_cmos_civil_from_days(days, &y, &m, &d);
		CHECK_EQ(y, tm.tm_year + 1900);
		CHECK_EQ(m, (unsigned)tm.tm_mon + 1);
		CHECK_EQ(d, (unsigned)tm.tm_mday);
		CHECK_EQ(rtc_cmos_days_from_civil(y, m, d), days);
	}
	CHECK_EQ(rtc_cmos_days_from_civil(1970, 1, 1), 0);
	CHECK_EQ(rtc_cmos_days_from_civil(2000, 3, 1), 11017);
	CHECK_EQ(rtc_cmos_days_from_civil(2026, 11, 23) * 86400 + 14 * 3600 + 5 * 60 + 9, T0);
}

TEST(time_registers_bcd_24h)
{
	struct rtc_cmos rtc;

	setup(&rtc, T0 * NS + 400000000);
	CHECK_EQ(rd(RTC_REG_B), RTC_B_24H); /* power-on: BCD, 24-hour */
	CHECK_EQ(rd(RTC_REG_SECONDS), 0x09);
	CHECK_EQ(rd(RTC_REG_MINUTES), 0x05);
	CHECK_EQ(rd(RTC_REG_HOURS), 0x14);
	CHECK_EQ(rd(RTC_REG_DAY_OF_WEEK), 2); /* Monday */
	CHECK_EQ(rd(RTC_REG_DAY_OF_MONTH), 0x23);
	CHECK_EQ(rd(RTC_REG_MONTH), 0x11);
	CHECK_EQ(rd(RTC_REG_YEAR), 0x26);
	CHECK_EQ(rd(RTC_REG_CENTURY), 0x20);
	CHECK_EQ(rd(RTC_REG_D), RTC_D_VRT);
	CHECK_EQ(rd(RTC_REG_A) & 0x7f, 0x26);
	fake_now += 51 * NS; /* the clock runs: 14:06:00 */
	CHECK_EQ(rd(RTC_REG_SECONDS), 0x00);
	CHECK_EQ(rd(RTC_REG_MINUTES), 0x06);
	teardown(&rtc);
}

TEST(time_registers_follow_gmtime_everywhere)
{
	struct rtc_cmos rtc;

	setup(&rtc, 0);
	for (int64_t t = 0; t < 4102444800LL; t += 7919LL * 3607) {
		time_t tt = (time_t)t;
		struct tm tm;

		gmtime_r(&tt, &tm);
		fake_now = t * NS;
		CHECK_EQ(rd(RTC_REG_SECONDS), bcd((unsigned)tm.tm_sec));
		CHECK_EQ(rd(RTC_REG_MINUTES), bcd((unsigned)tm.tm_min));
		CHECK_EQ(rd(RTC_REG_HOURS), bcd((unsigned)tm.tm_hour));
		CHECK_EQ(rd(RTC_REG_DAY_OF_WEEK), (unsigned)tm.tm_wday + 1);
		CHECK_EQ(rd(RTC_REG_DAY_OF_MONTH), bcd((unsigned)tm.tm_mday));
		CHECK_EQ(rd(RTC_REG_MONTH), bcd((unsigned)tm.tm_mon + 1));
		CHECK_EQ(rd(RTC_REG_YEAR), bcd((unsigned)(tm.tm_year + 1900) % 100));
		CHECK_EQ(rd(RTC_REG_CENTURY), bcd((unsigned)(tm.tm_year + 1900) / 100));
	}
	teardown(&rtc);
}

TEST(binary_and_12_hour_modes)
{
	struct rtc_cmos rtc;

	setup(&rtc, T0 * NS);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_DM_BINARY);
	CHECK_EQ(rd(RTC_REG_SECONDS), 9);
	CHECK_EQ(rd(RTC_REG_HOURS), 14);
	CHECK_EQ(rd(RTC_REG_DAY_OF_MONTH), 23);
	CHECK_EQ(rd(RTC_REG_YEAR), 26);
	CHECK_EQ(rd(RTC_REG_CENTURY), 20);
	wr(RTC_REG_B, RTC_B_DM_BINARY); /* 12-hour binary: 2 PM */
	CHECK_EQ(rd(RTC_REG_HOURS), 0x80 | 2);
	wr(RTC_REG_B, 0); /* 12-hour BCD */
	CHECK_EQ(rd(RTC_REG_HOURS), 0x82);
	fake_now = (T0 - 14 * 3600 - 5 * 60) * NS; /* 00:00:09: 12 AM */
	CHECK_EQ(rd(RTC_REG_HOURS), 0x12);
	fake_now += 12 * 3600 * NS; /* 12:00:09: 12 PM */
	CHECK_EQ(rd(RTC_REG_HOURS), 0x92);
	fake_now += 11 * 3600 * NS; /* 23:00:09: 11 PM */
	CHECK_EQ(rd(RTC_REG_HOURS), 0x91);
	/* the time did not move with the format changes */
	wr(RTC_REG_B, RTC_B_24H);
	CHECK_EQ(rd(RTC_REG_HOURS), 0x23);
	teardown(&rtc);
}

TEST(update_in_progress_last_244us)
{
	struct rtc_cmos rtc;

	setup(&rtc, T0 * NS + 500000000);
	CHECK_EQ(rd(RTC_REG_A) & RTC_A_UIP, 0);
	fake_now = T0 * NS + NS - RTC_CMOS_UIP_NS - 1;
	CHECK_EQ(rd(RTC_REG_A) & RTC_A_UIP, 0);
	fake_now = T0 * NS + NS - RTC_CMOS_UIP_NS;
	CHECK_EQ(rd(RTC_REG_A) & RTC_A_UIP, RTC_A_UIP);
	fake_now = T0 * NS + NS - 1;
	CHECK_EQ(rd(RTC_REG_A) & RTC_A_UIP, RTC_A_UIP);
	CHECK_EQ(rd(RTC_REG_SECONDS), 0x09);
	fake_now = T0 * NS + NS;
	CHECK_EQ(rd(RTC_REG_A) & RTC_A_UIP, 0);
	CHECK_EQ(rd(RTC_REG_SECONDS), 0x10);
	/* UIP is read only; a held clock never updates */
	fake_now = T0 * NS + NS - 1000;
	wr(RTC_REG_A, 0xa6);
	CHECK_EQ(rd(RTC_REG_A), 0xa6);
	wr(RTC_REG_B, RTC_B_SET | RTC_B_24H);
	CHECK_EQ(rd(RTC_REG_A), 0x26);
	teardown(&rtc);
}

/* What Linux's mc146818_set_time does: SET (and a divider reset), the registers, then release. */
TEST(set_time_under_set_bit)
{
	struct rtc_cmos rtc;

	setup(&rtc, T0 * NS + 300000000);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_SET | RTC_B_UIE);
	CHECK_EQ(rd(RTC_REG_B), RTC_B_24H | RTC_B_SET); /* SET clears UIE */
	wr(RTC_REG_A, 0x76);				/* divider reset */
	wr(RTC_REG_SECONDS, 0x05);
	wr(RTC_REG_MINUTES, 0x04);
	wr(RTC_REG_HOURS, 0x03);
	wr(RTC_REG_DAY_OF_MONTH, 0x02);
	wr(RTC_REG_MONTH, 0x01);
	wr(RTC_REG_YEAR, 0x30);
	fake_now += 5 * NS; /* held: nothing moves */
	CHECK_EQ(rd(RTC_REG_SECONDS), 0x05);
	CHECK_EQ(rd(RTC_REG_YEAR), 0x30);
	CHECK_EQ(rd(RTC_REG_CENTURY), 0x20);
	wr(RTC_REG_A, 0x26);
	CHECK_EQ(rd(RTC_REG_SECONDS), 0x05); /* still SET */
	wr(RTC_REG_B, RTC_B_24H);
	fake_now += 10 * NS;
	CHECK_EQ(rd(RTC_REG_SECONDS), 0x15);
	CHECK_EQ(rd(RTC_REG_MINUTES), 0x04);
	CHECK_EQ(rd(RTC_REG_HOURS), 0x03);
	CHECK_EQ(rd(RTC_REG_DAY_OF_MONTH), 0x02);
	CHECK_EQ(rd(RTC_REG_MONTH), 0x01);
	CHECK_EQ(rd(RTC_REG_YEAR), 0x30);
	CHECK_EQ(rd(RTC_REG_DAY_OF_WEEK), 4); /* 2030-01-02 is a Wednesday */
	CHECK_EQ(rtc.offset_s,
		 rtc_cmos_days_from_civil(2030, 1, 2) * 86400 + 3 * 3600 + 4 * 60 + 5 - (T0 + 5));
	teardown(&rtc);
}

TEST(write_while_running_and_held_divider)
{
	struct rtc_cmos rtc;

	setup(&rtc, T0 * NS);
	wr(RTC_REG_MINUTES, 0x45); /* 14:45:09 from now on */
	fake_now += 2 * NS;
	CHECK_EQ(rd(RTC_REG_MINUTES), 0x45);
	CHECK_EQ(rd(RTC_REG_SECONDS), 0x11);
	CHECK_EQ(rd(RTC_REG_HOURS), 0x14);
	CHECK_EQ(rd(RTC_REG_DAY_OF_MONTH), 0x23);
	wr(RTC_REG_A, 0x06); /* divider off: the clock holds */
	fake_now += 100 * NS;
	CHECK_EQ(rd(RTC_REG_SECONDS), 0x11);
	wr(RTC_REG_A, 0x26);
	fake_now += 3 * NS;
	CHECK_EQ(rd(RTC_REG_SECONDS), 0x14);
	CHECK_EQ(rd(RTC_REG_MINUTES), 0x45);
	teardown(&rtc);
}

TEST(flags_and_irq8)
{
	struct rtc_cmos rtc;

	setup(&rtc, T0 * NS + 100000000);
	/* flags come without enables, but no IRQF and no interrupt */
	fake_now += NS;
	CHECK_EQ(rd(RTC_REG_C), RTC_C_UF | RTC_C_PF);
	CHECK_EQ(rd(RTC_REG_C), 0); /* read clears */
	CHECK_EQ(irq8, -1);
	/* update-ended interrupt */
	wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	CHECK_EQ(rtc_cmos_poll(&rtc), (T0 + 2) * NS);
	CHECK_EQ(irq8, -1);
	fake_now += NS;
	rtc_cmos_poll(&rtc);
	CHECK_EQ(irq8, 1);
	CHECK_EQ(rd(RTC_REG_C) & (RTC_C_IRQF | RTC_C_UF), RTC_C_IRQF | RTC_C_UF);
	CHECK_EQ(irq8, 0);
	/* alarm at 14:05:15 (seconds, minutes, hours); only update and alarm enabled */
	wr(RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	wr(RTC_REG_SECONDS_ALARM, 0x15);
	wr(RTC_REG_MINUTES_ALARM, 0x05);
	wr(RTC_REG_HOURS_ALARM, 0x14);
	rd(RTC_REG_C);
	fake_now = (T0 + 5) * NS + 500; /* 14:05:14 */
	rtc_cmos_poll(&rtc);
	CHECK_EQ(irq8, 0);
	CHECK_EQ(rd(RTC_REG_C) & RTC_C_AF, 0);
	fake_now += NS; /* 14:05:15 */
	rtc_cmos_poll(&rtc);
	CHECK_EQ(irq8, 1);
	CHECK_EQ(rd(RTC_REG_C) & (RTC_C_IRQF | RTC_C_AF), RTC_C_IRQF | RTC_C_AF);
	/* a don't-care alarm (0xC0-0xFF) matches every second, even across a skipped hour */
	wr(RTC_REG_SECONDS_ALARM, 0xc0);
	wr(RTC_REG_MINUTES_ALARM, 0xff);
	wr(RTC_REG_HOURS_ALARM, 0xc3);
	fake_now += 3600 * NS;
	CHECK_EQ(rd(RTC_REG_C) & RTC_C_AF, RTC_C_AF);
	/* periodic interrupt: rate 6 (1024 Hz) */
	wr(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	rd(RTC_REG_C);
	{
		int64_t next = rtc_cmos_poll(&rtc);

		CHECK(next > fake_now && next <= fake_now + 976563);
		fake_now = next;
	}
	rtc_cmos_poll(&rtc);
	CHECK_EQ(irq8, 1);
	CHECK_EQ(rd(RTC_REG_C) & (RTC_C_IRQF | RTC_C_PF), RTC_C_IRQF | RTC_C_PF);
	CHECK_EQ(irq8, 0);
	/* no enable: no event to wait for */
	wr(RTC_REG_B, RTC_B_24H);
	CHECK_EQ(rtc_cmos_poll(&rtc), INT64_MAX);
	/* enabling an interrupt whose flag is already set raises the line */
	fake_now += NS;
	wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	CHECK_EQ(irq8, 1);
	teardown(&rtc);
}

TEST(index_port_ram_and_read_only_registers)
{
	struct rtc_cmos rtc;
	uint8_t v;

	setup(&rtc, T0 * NS);
	v = 0x80 | RTC_REG_D; /* NMI disabled, register D */
	CHECK(io_bus_access(&pio, 0x70, &v, 1, true));
	CHECK(rtc.nmi_disabled);
	CHECK_EQ(rtc.index, RTC_REG_D);
	CHECK(io_bus_access(&pio, 0x70, &v, 1, false));
	CHECK_EQ(v, 0xff); /* write-only */
	CHECK(io_bus_access(&pio, 0x71, &v, 1, false));
	CHECK_EQ(v, RTC_D_VRT);
	wr(RTC_REG_D, 0);
	CHECK_EQ(rd(RTC_REG_D), RTC_D_VRT);
	CHECK(!rtc.nmi_disabled);
	for (unsigned r = 0x0e; r < 0x80; r++)
		if (r != RTC_REG_CENTURY)
			wr((uint8_t)r, (uint8_t)(r * 7));
	for (unsigned r = 0x0e; r < 0x80; r++)
		if (r != RTC_REG_CENTURY)
			CHECK_EQ(rd((uint8_t)r), (uint8_t)(r * 7));
	/* the index is 7 bits: 0x8e selects 0x0e */
	CHECK_EQ(rd(0x8e), (uint8_t)(0x0e * 7));
	/* a 16-bit write to 0x70 selects (low byte) and writes (high byte) */
	{
		uint8_t w[2] = {0x40, 0x5a};

		CHECK(io_bus_access(&pio, 0x70, w, 2, true));
		CHECK_EQ(rd(0x40), 0x5a);
	}
	/* nothing else is claimed */
	CHECK(!io_bus_access(&pio, 0x72, &v, 1, false));
	teardown(&rtc);
}

TEST(hostile_values_are_clamped)
{
	struct rtc_cmos rtc;

	setup(&rtc, T0 * NS);
	wr(RTC_REG_B, RTC_B_SET | RTC_B_24H);
	for (uint8_t r = 0; r <= RTC_REG_YEAR; r++)
		wr(r, 0xff);
	wr(RTC_REG_CENTURY, 0xff);
	wr(RTC_REG_B, RTC_B_24H);
	/* 0xff: BCD digits 15,15 = 165: clamped to 59 s, 59 min, 23 h, day 31, month 12, 99, 99 */
	CHECK_EQ(rd(RTC_REG_SECONDS), 0x59);
	CHECK_EQ(rd(RTC_REG_MINUTES), 0x59);
	CHECK_EQ(rd(RTC_REG_HOURS), 0x23);
	CHECK_EQ(rd(RTC_REG_DAY_OF_MONTH), 0x31);
	CHECK_EQ(rd(RTC_REG_MONTH), 0x12);
	CHECK_EQ(rd(RTC_REG_YEAR), 0x99);
	CHECK_EQ(rd(RTC_REG_CENTURY), 0x99);
	/* 12-hour binary with hour 0 and a giant alarm */
	wr(RTC_REG_B, RTC_B_SET | RTC_B_DM_BINARY);
	wr(RTC_REG_HOURS, 0x80);
	wr(RTC_REG_HOURS_ALARM, 0x7f);
	wr(RTC_REG_B, RTC_B_DM_BINARY | RTC_B_AIE); /* released in 12-hour mode */
	wr(RTC_REG_B, RTC_B_DM_BINARY | RTC_B_24H | RTC_B_AIE);
	CHECK_EQ(rd(RTC_REG_HOURS), 13); /* 12-hour 0 PM clamps to 1 PM */
	/* the host clock going back does not confuse the flags */
	fake_now -= 1000 * NS;
	rd(RTC_REG_C);
	fake_now += NS;
	CHECK_EQ(rd(RTC_REG_C) & RTC_C_UF, RTC_C_UF);
	teardown(&rtc);
}

/* The real clock: the time read back as Linux reads it is the host's; the timer thread raises IRQ
 * 8 for update-ended interrupts without anyone polling. */
TEST(host_clock_and_timer_thread)
{
	struct rtc_cmos rtc;
	struct tm tm;
	time_t before, t;
	int raised = 0;

	io_bus_init(&pio, "pio");
	irq8 = -1;
	irq8_raises = 0;
	CHECK_EQ(rtc_cmos_init(&rtc, &host, NULL, NULL), 0);
	before = time(NULL);
	/* as Linux reads it: twice, until both readings agree (no second boundary in between) */
	for (;;) {
		uint8_t a[10], b[10];

		for (unsigned i = 0; i < 10; i++)
			a[i] = rd((uint8_t)i);
		for (unsigned i = 0; i < 10; i++)
			b[i] = rd((uint8_t)i);
		if (memcmp(a, b, sizeof(a)))
			continue;
		memset(&tm, 0, sizeof(tm));
		tm.tm_sec = (int)unbcd(a[RTC_REG_SECONDS]);
		tm.tm_min = (int)unbcd(a[RTC_REG_MINUTES]);
		tm.tm_hour = (int)unbcd(a[RTC_REG_HOURS]);
		tm.tm_mday = (int)unbcd(a[RTC_REG_DAY_OF_MONTH]);
		tm.tm_mon = (int)unbcd(a[RTC_REG_MONTH]) - 1;
		tm.tm_year =
		    (int)(unbcd(rd(RTC_REG_CENTURY)) * 100 + unbcd(a[RTC_REG_YEAR])) - 1900;
		break;
	}
	t = timegm(&tm);
	CHECK(t >= before - 1 && t <= time(NULL) + 1);
	CHECK_EQ(rtc_cmos_start_timer(&rtc), 0);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	/* an update-ended interrupt comes within a second; wait up to 10 s on a loaded machine */
	for (int i = 0; i < 1000 && !raised; i++) {
		usleep(10000);
		pthread_mutex_lock(&irq_lock);
		raised = irq8_raises;
		pthread_mutex_unlock(&irq_lock);
	}
	CHECK(raised >= 1);
	CHECK_EQ(rd(RTC_REG_C) & (RTC_C_IRQF | RTC_C_UF), RTC_C_IRQF | RTC_C_UF);
	rtc_cmos_destroy(&rtc);
	io_bus_destroy(&pio);
}

HARNESS_MAIN(civil_conversions_match_gmtime, time_registers_bcd_24h,
	     time_registers_follow_gmtime_everywhere, binary_and_12_hour_modes,
	     update_in_progress_last_244us, set_time_under_set_bit,
	     write_while_running_and_held_divider, flags_and_irq8,
	     index_port_ram_and_read_only_registers, hostile_values_are_clamped,
	     host_clock_and_timer_thread)
