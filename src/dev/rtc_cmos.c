/* rtc_cmos.c: the MC146818 real-time clock and CMOS RAM at ports 0x70-0x71 (see rtc_cmos.h).
 *
 * The time is never stored as running registers: while the clock runs, every read computes the
 * register from the host clock plus offset_s, and every write of a time register recomputes
 * offset_s. Only while the clock is held (SET, or a divider that does not run) do the time
 * registers live in ram[]; releasing the clock turns them back into an offset. The flags of
 * register C follow the host time since the last update (rtc_cmos_poll), so no tick is needed
 * unless the guest enables an interrupt; then the timer thread polls at the next event. */
#include "dev/rtc_cmos.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#define NS_PER_S 1000000000LL
#define SECS_PER_DAY 86400

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

/* Howard Hinnant's civil-date algorithms (public domain description), proleptic Gregorian. */
int64_t rtc_cmos_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void rtc_cmos_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468, era = floor_div(z, 146097), doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t default_clock(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static bool is_binary(const struct rtc_cmos *rtc)
{
	return rtc->ram[RTC_REG_B] & RTC_B_DM_BINARY;
}

static uint8_t encode(const struct rtc_cmos *rtc, unsigned v)
{
	v %= 100;
	return is_binary(rtc) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | (v % 10));
}

/* A guest's register value as a number; bad BCD digits count as they are, callers clamp. */
static unsigned decode(const struct rtc_cmos *rtc, uint8_t b)
{
	return is_binary(rtc) ? b : (unsigned)(b >> 4) * 10 + (b & 15);
}

static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static uint8_t encode_hours(const struct rtc_cmos *rtc, unsigned h)
{
	unsigned h12;

	if (rtc->ram[RTC_REG_B] & RTC_B_24H)
		return encode(rtc, h);
	h12 = h % 12 ? h % 12 : 12;
	return encode(rtc, h12) | (h >= 12 ? 0x80 : 0);
}

static unsigned decode_hours(const struct rtc_cmos *rtc, uint8_t b)
{
	unsigned h;

	if (rtc->ram[RTC_REG_B] & RTC_B_24H)
		return clamp(decode(rtc, b), 0, 23);
	h = clamp(decode(rtc, b & 0x7f), 1, 12) % 12;
	return h + (b & 0x80 ? 12 : 0);
}

/* Writes guest time s (seconds since the epoch) into the time registers and the century. */
static void time_to_ram(struct rtc_cmos *rtc, int64_t s)
{
	int64_t days = floor_div(s, SECS_PER_DAY), tod = floor_mod(s, SECS_PER_DAY), y;
	unsigned m, d;

	rtc_cmos_civil_from_days(days, &y, &m, &d);
	rtc->ram[RTC_REG_SECONDS] = encode(rtc, (unsigned)(tod % 60));
	rtc->ram[RTC_REG_MINUTES] = encode(rtc, (unsigned)(tod / 60 % 60));
	rtc->ram[RTC_REG_HOURS] = encode_hours(rtc, (unsigned)(tod / 3600));
	rtc->ram[RTC_REG_DAY_OF_WEEK] = encode(rtc, (unsigned)floor_mod(days + 4, 7) + 1);
	rtc->ram[RTC_REG_DAY_OF_MONTH] = encode(rtc, d);
	rtc->ram[RTC_REG_MONTH] = encode(rtc, m);
	rtc->ram[RTC_REG_YEAR] = encode(rtc, (unsigned)floor_mod(y, 100));
	rtc->ram[RTC_REG_CENTURY] = encode(rtc, (unsigned)floor_mod(floor_div(y, 100), 100));
}

/* The guest time the time registers hold; out-of-range fields are clamped (day 31 of a short
 * month runs into the next one, as the time after it would). */
static int64_t ram_to_time(const struct rtc_cmos *rtc)
{
	unsigned sec = clamp(decode(rtc, rtc->ram[RTC_REG_SECONDS]), 0, 59);
	unsigned min = clamp(decode(rtc, rtc->ram[RTC_REG_MINUTES]), 0, 59);
	unsigned hour = decode_hours(rtc, rtc->ram[RTC_REG_HOURS]);
	unsigned mday = clamp(decode(rtc, rtc->ram[RTC_REG_DAY_OF_MONTH]), 1, 31);
	unsigned mon = clamp(decode(rtc, rtc->ram[RTC_REG_MONTH]), 1, 12);
	unsigned yy = clamp(decode(rtc, rtc->ram[RTC_REG_YEAR]), 0, 99);
	unsigned cc = clamp(decode(rtc, rtc->ram[RTC_REG_CENTURY]), 0, 99);
	int64_t days = rtc_cmos_days_from_civil((int64_t)cc * 100 + yy, mon, mday);

	return days * SECS_PER_DAY + hour * 3600 + min * 60 + sec;
}

static bool divider_runs(const struct rtc_cmos *rtc)
{
	return (rtc->ram[RTC_REG_A] & RTC_A_DV_MASK) == RTC_A_DV_RUN;
}

static bool is_time_reg(uint8_t r)
{
	return r == RTC_REG_SECONDS || r == RTC_REG_MINUTES || r == RTC_REG_HOURS ||
	       (r >= RTC_REG_DAY_OF_WEEK && r <= RTC_REG_YEAR) || r == RTC_REG_CENTURY;
}

/* Period of the periodic interrupt for rate select rs (1-15), in ns. */
static int64_t periodic_ns(unsigned rs)
{
	if (rs < 3)
		rs += 7;
	return (NS_PER_S << rs) / 65536;
}

/* An alarm register matches value v when it is "don't care" (0xC0-0xFF) or equals v. */
static bool alarm_field_matches(const struct rtc_cmos *rtc, uint8_t reg, unsigned v, bool hours)
{
	if ((reg & 0xc0) == 0xc0)
		return true;
	return (hours ? decode_hours(rtc, reg) : decode(rtc, reg)) == v;
}

/* Whether the alarm matches a guest second in (from, to]; the alarm only depends on the time of
 * day, so one day of seconds covers every case. */
static bool alarm_in(const struct rtc_cmos *rtc, int64_t from, int64_t to)
{
	if (to - from > SECS_PER_DAY)
		to = from + SECS_PER_DAY;
	for (int64_t t = from + 1; t <= to; t++) {
		int64_t tod = floor_mod(t, SECS_PER_DAY);

		if (alarm_field_matches(rtc, rtc->ram[RTC_REG_SECONDS_ALARM], (unsigned)(tod % 60),
					false) &&
		    alarm_field_matches(rtc, rtc->ram[RTC_REG_MINUTES_ALARM],
					(unsigned)(tod / 60 % 60), false) &&
		    alarm_field_matches(rtc, rtc->ram[RTC_REG_HOURS_ALARM], (unsigned)(tod / 3600),
					true))
			return true;
	}
	return false;
}

static void set_irq(struct rtc_cmos *rtc, bool high)
{
	if (rtc->irq_high == high)
		return;
	rtc->irq_high = high;
	if (rtc->host && rtc->host->ops && rtc->host->ops->irq_line)
		rtc->host->ops->irq_line(rtc->host->ctx, RTC_CMOS_IRQ, high);
}

/* Flags from the last update to now; IRQF and the IRQ line from flags and enables. */
static void update_flags(struct rtc_cmos *rtc, int64_t now)
{
	uint8_t b = rtc->ram[RTC_REG_B], c = rtc->ram[RTC_REG_C];
	unsigned rs = rtc->ram[RTC_REG_A] & RTC_A_RS_MASK;

	if (now < rtc->last_ns) /* the host clock was set back */
		rtc->last_ns = now;
	if (!rtc->frozen) {
		int64_t s0 = floor_div(rtc->last_ns, NS_PER_S), s1 = floor_div(now, NS_PER_S);

		if (s1 > s0) {
			c |= RTC_C_UF;
			if (!(c & RTC_C_AF) &&
			    alarm_in(rtc, s0 + rtc->offset_s, s1 + rtc->offset_s))
				c |= RTC_C_AF;
		}
	}
	if (divider_runs(rtc) && rs) {
		int64_t p = periodic_ns(rs);

		if (floor_div(now, p) > floor_div(rtc->last_ns, p))
			c |= RTC_C_PF;
	}
	rtc->last_ns = now;
	if (((c & RTC_C_PF) && (b & RTC_B_PIE)) || ((c & RTC_C_AF) && (b & RTC_B_AIE)) ||
	    ((c & RTC_C_UF) && (b & RTC_B_UIE)))
		c |= RTC_C_IRQF;
	rtc->ram[RTC_REG_C] = c;
	set_irq(rtc, c & RTC_C_IRQF);
}

static int64_t next_event(const struct rtc_cmos *rtc, int64_t now)
{
	uint8_t b = rtc->ram[RTC_REG_B];
	unsigned rs = rtc->ram[RTC_REG_A] & RTC_A_RS_MASK;
	int64_t next = INT64_MAX;

	if (!rtc->frozen && (b & (RTC_B_UIE | RTC_B_AIE)))
		next = (floor_div(now, NS_PER_S) + 1) * NS_PER_S;
	if (divider_runs(rtc) && rs && (b & RTC_B_PIE)) {
		int64_t p = periodic_ns(rs), t = (floor_div(now, p) + 1) * p;

		if (t < next)
			next = t;
	}
	return next;
}

/* Holds or releases the clock after a write to register A or B. */
static void refreeze(struct rtc_cmos *rtc, int64_t now)
{
	bool want = (rtc->ram[RTC_REG_B] & RTC_B_SET) || !divider_runs(rtc);

	if (want && !rtc->frozen) {
		rtc->frozen_s = floor_div(now, NS_PER_S) + rtc->offset_s;
		time_to_ram(rtc, rtc->frozen_s);
		rtc->frozen = true;
	} else if (!want && rtc->frozen) {
		rtc->offset_s = ram_to_time(rtc) - floor_div(now, NS_PER_S);
		rtc->frozen = false;
		rtc->last_ns = now; /* no update-ended flag for the time the clock was held */
	}
}

static uint8_t read_reg(struct rtc_cmos *rtc, uint8_t r, int64_t now)
{
	uint8_t v;

	switch (r) {
	case RTC_REG_A:
		update_flags(rtc, now);
		v = rtc->ram[RTC_REG_A] & (uint8_t)~RTC_A_UIP;
		if (!rtc->frozen && floor_mod(now, NS_PER_S) >= NS_PER_S - RTC_CMOS_UIP_NS)
			v |= RTC_A_UIP;
		return v;
	case RTC_REG_C:
		update_flags(rtc, now);
		v = rtc->ram[RTC_REG_C];
		rtc->ram[RTC_REG_C] = 0;
		set_irq(rtc, false);
		return v;
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		if (is_time_reg(r) && !rtc->frozen)
			time_to_ram(rtc, floor_div(now, NS_PER_S) + rtc->offset_s);
		return rtc->ram[r];
	}
}

static void write_reg(struct rtc_cmos *rtc, uint8_t r, uint8_t v, int64_t now)
{
	switch (r) {
	case RTC_REG_A:
		update_flags(rtc, now);
		rtc->ram[RTC_REG_A] = v & (uint8_t)~RTC_A_UIP;
		refreeze(rtc, now);
		break;
	case RTC_REG_B:
		update_flags(rtc, now);
		if (v & RTC_B_SET) /* the chip clears UIE when SET is written */
			v &= (uint8_t)~RTC_B_UIE;
		/* a running clock keeps its time across a change of format (registers are
		 * computed on read); a held one is decoded in the format in force when released */
		rtc->ram[RTC_REG_B] = v;
		refreeze(rtc, now);
		update_flags(rtc, now); /* an interrupt enabled while its flag is set */
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break; /* read only */
	default:
		if (is_time_reg(r) && !rtc->frozen) {
			int64_t host_s = floor_div(now, NS_PER_S);

			time_to_ram(rtc, host_s + rtc->offset_s);
			rtc->ram[r] = v;
			rtc->offset_s = ram_to_time(rtc) - host_s;
		} else {
			rtc->ram[r] = v;
		}
		break;
	}
}

void rtc_cmos_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct rtc_cmos *rtc = opaque;
	int64_t now = rtc->clock(rtc->clock_ctx);
	bool poke = false;

	pthread_mutex_lock(&rtc->lock);
	for (uint32_t i = 0; i < len; i++) {
		uint64_t port = offset + i;

		if (port == 0) {
			if (is_write) {
				rtc->index = data[i] & 0x7f;
				rtc->nmi_disabled = data[i] & 0x80;
			} else {
				data[i] = 0xff; /* the index port is write-only on PC chipsets */
			}
		} else if (port == 1) {
			if (is_write) {
				write_reg(rtc, rtc->index, data[i], now);
				poke |= rtc->index == RTC_REG_A || rtc->index == RTC_REG_B;
			} else {
				data[i] = read_reg(rtc, rtc->index, now);
			}
		} else if (!is_write) {
			data[i] = 0xff;
		}
	}
	if (poke && rtc->thread_on)
		pthread_cond_signal(&rtc->cond);
	pthread_mutex_unlock(&rtc->lock);
}

int64_t rtc_cmos_poll(struct rtc_cmos *rtc)
{
	int64_t now = rtc->clock(rtc->clock_ctx), next;

	pthread_mutex_lock(&rtc->lock);
	update_flags(rtc, now);
	next = next_event(rtc, now);
	pthread_mutex_unlock(&rtc->lock);
	return next;
}

int rtc_cmos_init(struct rtc_cmos *rtc, struct dev_host *host, rtc_cmos_clock_fn clock,
		  void *clock_ctx)
{
	pthread_condattr_t ca;
	int r;

	memset(rtc, 0, sizeof(*rtc));
	rtc->host = host;
	rtc->clock = clock ? clock : default_clock;
	rtc->clock_ctx = clock_ctx;
	rtc->ram[RTC_REG_A] = RTC_A_DV_RUN | 0x06; /* 32.768 kHz, 1024 Hz periodic rate */
	rtc->ram[RTC_REG_B] = RTC_B_24H;	   /* BCD, 24-hour, no interrupts */
	rtc->ram[RTC_REG_D] = RTC_D_VRT;
	rtc->last_ns = rtc->clock(rtc->clock_ctx);
	pthread_mutex_init(&rtc->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&rtc->cond, &ca);
	pthread_condattr_destroy(&ca);
	r = io_bus_register(host->pio, RTC_CMOS_PORT, 2, rtc_cmos_io, rtc, "rtc-cmos");
	if (r) {
		pthread_cond_destroy(&rtc->cond);
		pthread_mutex_destroy(&rtc->lock);
	}
	return r;
}

/* The timer thread: waits for the next event an enabled interrupt needs, or for a poke. */
static void *rtc_timer(void *arg)
{
	struct rtc_cmos *rtc = arg;

	pthread_mutex_lock(&rtc->lock);
	while (!rtc->stop) {
		int64_t now = rtc->clock(rtc->clock_ctx), next, wait;
		struct timespec ts;

		update_flags(rtc, now);
		next = next_event(rtc, now);
		if (next == INT64_MAX) {
			pthread_cond_wait(&rtc->cond, &rtc->lock);
			continue;
		}
		wait = next - now + 1000; /* just past the edge */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += wait / NS_PER_S;
		ts.tv_nsec += wait % NS_PER_S;
		if (ts.tv_nsec >= NS_PER_S) {
			ts.tv_sec++;
			ts.tv_nsec -= NS_PER_S;
		}
		pthread_cond_timedwait(&rtc->cond, &rtc->lock, &ts);
	}
	pthread_mutex_unlock(&rtc->lock);
	return NULL;
}

int rtc_cmos_start_timer(struct rtc_cmos *rtc)
{
	int r;

	pthread_mutex_lock(&rtc->lock);
	r = pthread_create(&rtc->thread, NULL, rtc_timer, rtc);
	if (!r) {
		pthread_setname_np(rtc->thread, "rtc-cmos");
		rtc->thread_on = true;
	}
	pthread_mutex_unlock(&rtc->lock);
	return -r;
}

void rtc_cmos_destroy(struct rtc_cmos *rtc)
{
	if (rtc->thread_on) {
		pthread_mutex_lock(&rtc->lock);
		rtc->stop = true;
		pthread_cond_signal(&rtc->cond);
		pthread_mutex_unlock(&rtc->lock);
		pthread_join(rtc->thread, NULL);
		rtc->thread_on = false;
	}
	io_bus_unregister(rtc->host->pio, RTC_CMOS_PORT, rtc);
	pthread_cond_destroy(&rtc->cond);
	pthread_mutex_destroy(&rtc->lock);
}
