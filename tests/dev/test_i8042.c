/* test_i8042.c: the keyboard controller answers Linux's probe (self test, command byte, interface
 * tests, keyboard reset/ID) with IRQ 1 when enabled, and every reset path asks the host to end the
 * VM with status 0, once. */
#include "dev/i8042.h"
#include "harness.h"

static int exits, exit_status = -1, irq1 = -1;

static int fake_irq_line(void *ctx, uint32_t gsi, bool level)
{
	(void)ctx;
	if (gsi == 1)
		irq1 = level;
	return 0;
}

static void fake_exit(void *ctx, int status, const char *why)
{
	(void)ctx;
	(void)why;
	exits++;
	exit_status = status;
}

static const struct dev_host_ops ops = {.irq_line = fake_irq_line, .request_exit = fake_exit};
static struct io_bus pio;
static struct dev_host host = {.pio = &pio, .ops = &ops};

static uint8_t in(uint16_t port)
{
	uint8_t v = 0;

	CHECK(io_bus_access(&pio, port, &v, 1, false));
	return v;
}

static void out(uint16_t port, uint8_t v)
{
	CHECK(io_bus_access(&pio, port, &v, 1, true));
}

static void setup(struct i8042 *k)
{
	io_bus_init(&pio, "pio");
	exits = 0;
	exit_status = -1;
	irq1 = -1;
	CHECK_EQ(i8042_init(k, &host), 0);
}

static void teardown(struct i8042 *k)
{
	i8042_destroy(k);
	io_bus_destroy(&pio);
}

TEST(linux_probe)
{
	struct i8042 k;
	uint8_t ctr;

	setup(&k);
	CHECK_EQ(in(0x64) & 0x01, 0); /* nothing to read */
	out(0x64, 0xaa);	      /* self test, with the keyboard interrupt on by default */
	CHECK_EQ(irq1, 1);
	CHECK_EQ(in(0x64) & 0x09, 0x09); /* OBF, last write was a command */
	CHECK_EQ(in(0x60), 0x55);
	CHECK_EQ(in(0x64) & 0x01, 0);
	out(0x64, 0x20); /* read command byte */
	ctr = in(0x60);
	CHECK_EQ(ctr & 0x01, 0x01);
	out(0x64, 0x60); /* write command byte: interrupts off */
	out(0x60, 0x44);
	irq1 = -1;
	out(0x64, 0x20);
	CHECK_EQ(in(0x60), 0x44);
	out(0x64, 0xab); /* keyboard interface test */
	CHECK_EQ(in(0x60), 0x00);
	CHECK_EQ(irq1, -1); /* interrupts disabled: line never raised */
	out(0x64, 0x60);
	out(0x60, 0x45);
	out(0x60, 0xff); /* keyboard reset: ACK + BAT, with IRQ 1 */
	CHECK_EQ(irq1, 1);
	CHECK_EQ(in(0x60), 0xfa);
	CHECK_EQ(in(0x60), 0xaa);
	CHECK_EQ(irq1, 0);
	out(0x60, 0xf2); /* identify */
	CHECK_EQ(in(0x60), 0xfa);
	CHECK_EQ(in(0x60), 0xab);
	CHECK_EQ(in(0x60), 0x83);
	out(0x60, 0xed); /* LEDs + argument: two ACKs */
	out(0x60, 0x07);
	CHECK_EQ(in(0x60), 0xfa);
	CHECK_EQ(in(0x60), 0xfa);
	CHECK_EQ(in(0x64) & 0x01, 0);
	CHECK_EQ(exits, 0);
	teardown(&k);
}

TEST(reset_command_fe_ends_vm_with_0_once)
{
	struct i8042 k;

	setup(&k);
	out(0x64, 0xfe);
	CHECK_EQ(exits, 1);
	CHECK_EQ(exit_status, 0);
	out(0x64, 0xfe);
	CHECK_EQ(exits, 1);
	teardown(&k);
}

TEST(output_port_and_pulse_resets)
{
	struct i8042 k;

	setup(&k);
	out(0x64, 0xd1);
	out(0x60, 0x03); /* bit 0 set: no reset */
	CHECK_EQ(exits, 0);
	out(0x64, 0xd0);
	CHECK_EQ(in(0x60), 0x03);
	out(0x64, 0xff); /* pulse nothing (bit 0 high) */
	CHECK_EQ(exits, 0);
	out(0x64, 0xd1);
	out(0x60, 0x02); /* bit 0 clear: reset */
	CHECK_EQ(exits, 1);
	teardown(&k);
	setup(&k);
	out(0x64, 0xf0); /* pulse with bit 0 low */
	CHECK_EQ(exits, 1);
	CHECK_EQ(exit_status, 0);
	teardown(&k);
}

TEST(queue_is_bounded)
{
	struct i8042 k;
	unsigned n = 0;

	setup(&k);
	for (int i = 0; i < 100; i++)
		out(0x60, 0xf2); /* 3 bytes each */
	while ((in(0x64) & 1) && n < 1000) {
		in(0x60);
		n++;
	}
	CHECK_EQ(n, sizeof(k.queue));
	teardown(&k);
}

HARNESS_MAIN(linux_probe, reset_command_fe_ends_vm_with_0_once, output_port_and_pulse_resets,
	     queue_is_bounded)
