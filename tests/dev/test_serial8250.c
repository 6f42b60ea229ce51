/* test_serial8250.c: the 16550A model driven through its register interface, without KVM: what
 * Linux's 8250 driver probes (scratch, loopback MSR, FIFO bits in IIR), transmit to the output
 * fd, receive with RDA interrupts, THRE interrupt on enable and its acknowledgement, DLAB, the
 * panic watch and the console escape filter. A fake dev_host records the IRQ line and exit
 * requests. */
#include <unistd.h>

#include "dev/serial8250.h"
#include "harness.h"

static int irq_level = -1, irq_changes, exit_status = -1;
static char exit_why[128];

static int fake_irq_line(void *ctx, uint32_t gsi, bool level)
{
	(void)ctx;
	if (gsi == 4) {
		irq_level = level;
		irq_changes++;
	}
	return 0;
}

static void fake_exit(void *ctx, int status, const char *why)
{
	(void)ctx;
	exit_status = status;
	snprintf(exit_why, sizeof(exit_why), "%s", why);
}

static const struct dev_host_ops ops = {.irq_line = fake_irq_line, .request_exit = fake_exit};
static struct io_bus pio;
static struct dev_host host = {.pio = &pio, .ops = &ops};

static uint8_t rd(unsigned off)
{
	uint8_t v = 0;

	CHECK(io_bus_access(&pio, 0x3f8 + off, &v, 1, false));
	return v;
}

static void wr(unsigned off, uint8_t v)
{
	CHECK(io_bus_access(&pio, 0x3f8 + off, &v, 1, true));
}

static int pipefd[2];

static void setup(struct serial8250 *s)
{
	io_bus_init(&pio, "pio");
	irq_level = -1;
	irq_changes = 0;
	exit_status = -1;
	if (pipe(pipefd))
		abort();
	CHECK_EQ(serial8250_init(s, &host, 0x3f8, 4, pipefd[1]), 0);
}

static void teardown(struct serial8250 *s)
{
	serial8250_destroy(s);
	io_bus_destroy(&pio);
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST(linux_probe_sequence)
{
	struct serial8250 s;

	setup(&s);
	/* scratch register */
	wr(7, 0xa5);
	CHECK_EQ(rd(7), 0xa5);
	/* IER: writes of 0 and 0x0f read back (Linux's presence test) */
	wr(1, 0);
	CHECK_EQ(rd(1) & 0x0f, 0);
	wr(1, 0x0f);
	CHECK_EQ(rd(1) & 0x0f, 0x0f);
	wr(1, 0);
	/* loopback: MCR LOOP|OUT2|RTS gives MSR DCD|CTS = 0x90 */
	wr(4, 0x10 | 0x0a);
	CHECK_EQ(rd(6) & 0xf0, 0x90);
	wr(4, 0x10 | 0x05); /* DTR|OUT1 -> DSR|RI */
	CHECK_EQ(rd(6) & 0xf0, 0x60);
	/* loopback data comes back on RBR */
	wr(0, 'Q');
	CHECK_EQ(rd(5) & 0x01, 1);
	CHECK_EQ(rd(0), 'Q');
	CHECK_EQ(rd(5) & 0x01, 0);
	wr(4, 0x08);
	/* FIFO: IIR bits 7:6 = 11 after FCR enable: a 16550A */
	wr(2, 0x01);
	CHECK_EQ(rd(2) & 0xc0, 0xc0);
	wr(2, 0x00);
	CHECK_EQ(rd(2) & 0xc0, 0x00);
	/* DLAB: divisor latches at 0/1, IER untouched */
	wr(3, 0x83);
	wr(0, 0x01);
	wr(1, 0x00);
	CHECK_EQ(rd(0), 0x01);
	CHECK_EQ(rd(1), 0x00);
	wr(3, 0x03);
	CHECK_EQ(rd(3), 0x03);
	CHECK_EQ(rd(1), 0);
	/* nothing was printed by all that (loopback) */
	CHECK_EQ(s.tx_bytes, 0);
	teardown(&s);
}

TEST(transmit_goes_to_fd_and_thre_interrupts)
{
	struct serial8250 s;
	char buf[16] = {0};

	setup(&s);
	CHECK_EQ(rd(5) & 0x60, 0x60); /* THRE | TEMT */
	CHECK_EQ(rd(2) & 0x0f, 0x01); /* no interrupt */
	wr(1, 0x02);		      /* enable THRE interrupt: raised at once */
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(2) & 0x0f, 0x02);
	CHECK_EQ(irq_level, 0); /* reading IIR acknowledged THRE */
	CHECK_EQ(rd(2) & 0x0f, 0x01);
	wr(0, 'h');
	wr(0, 'i');
	CHECK_EQ(irq_level, 1); /* THR empty again after the bytes left */
	CHECK_EQ(read(pipefd[0], buf, sizeof(buf)), 2);
	CHECK_STR(buf, "hi");
	wr(1, 0);
	CHECK_EQ(irq_level, 0);
	teardown(&s);
}

TEST(receive_raises_rda_until_drained)
{
	struct serial8250 s;
	const uint8_t in[] = "ab";

	setup(&s);
	wr(1, 0x01);
	CHECK_EQ(irq_level, -1); /* no data, no interrupt, no change */
	CHECK_EQ(serial8250_input(&s, in, 2), 2);
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(2) & 0x0f, 0x04);
	CHECK_EQ(rd(5) & 1, 1);
	CHECK_EQ(rd(0), 'a');
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(0), 'b');
	CHECK_EQ(irq_level, 0);
	CHECK_EQ(rd(5) & 1, 0);
	/* RDA masked: data waits without an interrupt */
	wr(1, 0);
	serial8250_input(&s, in, 1);
	CHECK_EQ(irq_level, 0);
	/* FCR clear-RX drops it */
	wr(2, 0x03);
	CHECK_EQ(rd(5) & 1, 0);
	/* the buffer is bounded */
	static uint8_t big[SERIAL8250_RX_BUF + 100];

	CHECK_EQ(serial8250_input(&s, big, sizeof(big)), SERIAL8250_RX_BUF);
	CHECK_EQ(serial8250_rx_room(&s), 0);
	teardown(&s);
}

TEST(wide_and_out_of_range_accesses)
{
	struct serial8250 s;
	uint8_t d[4] = {0x11, 0x22, 0x33, 0x44};

	setup(&s);
	/* a 2-byte write at SCR-1 would cross the claim: not dispatched, no crash */
	CHECK(!io_bus_access(&pio, 0x3f8 + 7, d, 2, true));
	/* 4-byte read at 4: MCR, LSR, MSR, SCR */
	wr(7, 0x77);
	CHECK(io_bus_access(&pio, 0x3f8 + 4, d, 4, false));
	CHECK_EQ(d[1] & 0x60, 0x60);
	CHECK_EQ(d[3], 0x77);
	teardown(&s);
}

TEST(panic_line_requests_exit_5_after_the_line)
{
	struct serial8250 s;
	const char *msg = "[ 1.0] Kernel panic - not syncing: VFS: Unable to mount root fs\r\n";
	char buf[128];

	setup(&s);
	for (const char *p = "normal line\n"; *p; p++)
		wr(0, (uint8_t)*p);
	CHECK_EQ(exit_status, -1);
	for (const char *p = msg; *p && *p != '\n'; p++)
		wr(0, (uint8_t)*p);
	CHECK_EQ(exit_status, -1); /* not before the line is complete */
	wr(0, '\n');
	CHECK_EQ(exit_status, 5);
	CHECK_CONTAINS(exit_why, "panic");
	CHECK(read(pipefd[0], buf, sizeof(buf)) > 0);
	teardown(&s);
}

TEST(console_escape_filter)
{
	uint8_t out[16];
	bool esc = false, quit = false;
	size_t n;

	n = serial8250_console_filter((const uint8_t *)"ab", 2, out, &esc, &quit);
	CHECK_EQ(n, 2);
	CHECK(!memcmp(out, "ab", 2));
	n = serial8250_console_filter((const uint8_t *)"\x01\x01z", 3, out, &esc, &quit);
	CHECK_EQ(n, 2);
	CHECK(!memcmp(out, "\x01z", 2));
	/* ^A at the end of one read, x at the start of the next */
	n = serial8250_console_filter((const uint8_t *)"q\x01", 2, out, &esc, &quit);
	CHECK_EQ(n, 1);
	CHECK(esc && !quit);
	n = serial8250_console_filter((const uint8_t *)"xyz", 3, out, &esc, &quit);
	CHECK_EQ(n, 0);
	CHECK(quit);
	esc = quit = false;
	n = serial8250_console_filter((const uint8_t *)"\x01"
						       "c",
				      2, out, &esc, &quit);
	CHECK_EQ(n, 2); /* ^A c is no escape: both pass */
	CHECK(!memcmp(out,
		      "\x01"
		      "c",
		      2));
	CHECK(!quit);
}

HARNESS_MAIN(linux_probe_sequence, transmit_goes_to_fd_and_thre_interrupts,
	     receive_raises_rda_until_drained, wide_and_out_of_range_accesses,
	     panic_line_requests_exit_5_after_the_line, console_escape_filter)
