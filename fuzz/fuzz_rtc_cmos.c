/* fuzz_rtc_cmos.c: hostile port I/O on the RTC/CMOS (ports 0x70-0x71, src/dev/rtc_cmos.c): any
 * sequence of index and data accesses of 1, 2 or 4 bytes, with a fake clock that the input moves
 * forwards and backwards and polls in between. Besides ASan/UBSan, it checks the device's own
 * promises after every step: IRQ 8 is high exactly while register C has IRQF, and a running
 * clock in BCD 24-hour mode reads valid BCD time registers whatever the guest wrote. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "dev/rtc_cmos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int64_t now_ns;
static int irq_level;

static int64_t fake_clock(void *ctx)
{
	(void)ctx;
	return now_ns;
}

static int fake_irq_line(void *ctx, uint32_t gsi, bool level)
{
	(void)ctx;
	if (gsi != RTC_CMOS_IRQ)
		abort();
	irq_level = level;
	return 0;
}

static const struct dev_host_ops ops = {.irq_line = fake_irq_line};

static bool valid_bcd(uint8_t v, unsigned max)
{
	return (v & 15) <= 9 && (v >> 4) <= 9 && (unsigned)(v >> 4) * 10 + (v & 15) <= max;
}

static uint8_t peek(struct io_bus *pio, uint8_t reg)
{
	uint8_t v = reg;

	io_bus_access(pio, RTC_CMOS_PORT, &v, 1, true);
	io_bus_access(pio, RTC_CMOS_PORT + 1, &v, 1, false);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct io_bus pio;
	struct dev_host host = {.pio = &pio, .ops = &ops};
	struct rtc_cmos rtc;
	size_t i = 0;

	bw_log_set_level(BW_LOG_ERROR);
	io_bus_init(&pio, "pio");
	now_ns = 1795442709LL * 1000000000LL;
	irq_level = 0;
	if (rtc_cmos_init(&rtc, &host, fake_clock, NULL))
		abort();
	while (i < size) {
		uint8_t op = data[i++];
		uint32_t len = 1u << ((op >> 3) % 3), v = 0;
		uint8_t buf[4];

		for (unsigned k = 0; k < 4 && i < size; k++)
			v |= (uint32_t)data[i++] << (8 * k);
		memcpy(buf, &v, sizeof(buf));
		switch (op & 7) {
		case 0: /* index */
		case 1: /* data */
			io_bus_access(&pio, RTC_CMOS_PORT + (op & 1), buf, len, true);
			break;
		case 2:
		case 3:
			io_bus_access(&pio, RTC_CMOS_PORT + (op & 1), buf, len, false);
			break;
		case 4: /* time passes: up to about 18 hours */
			now_ns += (int64_t)(v & 0xffff) * ((op & 0x40) ? 1000000000LL : 1000LL);
			break;
		case 5: /* the host clock is set back */
			now_ns -= (int64_t)(v & 0xffff) * 1000000LL;
			break;
		case 6:
			rtc_cmos_poll(&rtc);
			break;
		case 7: /* an access next to the device */
			io_bus_access(&pio, RTC_CMOS_PORT + 2 + (v & 1), buf, len, (op >> 6) & 1);
			break;
		}
		if (!!(rtc.ram[RTC_REG_C] & RTC_C_IRQF) != !!irq_level) {
			fprintf(stderr, "IRQ 8 %d but register C 0x%02x\n", irq_level,
				rtc.ram[RTC_REG_C]);
			abort();
		}
		if (!rtc.frozen &&
		    (rtc.ram[RTC_REG_B] & (RTC_B_DM_BINARY | RTC_B_24H)) == RTC_B_24H) {
			bool nmi = rtc.nmi_disabled;
			uint8_t index = rtc.index, sec = peek(&pio, RTC_REG_SECONDS),
				min = peek(&pio, RTC_REG_MINUTES), hour = peek(&pio, RTC_REG_HOURS),
				mday = peek(&pio, RTC_REG_DAY_OF_MONTH),
				mon = peek(&pio, RTC_REG_MONTH);

			if (!valid_bcd(sec, 59) || !valid_bcd(min, 59) || !valid_bcd(hour, 23) ||
			    !valid_bcd(mday, 31) || mday == 0 || !valid_bcd(mon, 12) || mon == 0) {
				fprintf(stderr, "bad time %02x:%02x:%02x %02x/%02x\n", hour, min,
					sec, mday, mon);
				abort();
			}
			rtc.index = index; /* the peeks must not change what the input selected */
			rtc.nmi_disabled = nmi;
		}
	}
	rtc_cmos_destroy(&rtc);
	io_bus_destroy(&pio);
	return 0;
}
