/* serial8250.c: the 16550A UART model (see serial8250.h). */
#include "dev/serial8250.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

#define IER_RDI 0x01  /* received data available */
#define IER_THRI 0x02 /* transmitter holding register empty */
#define IER_RLSI 0x04 /* receiver line status */
#define IER_MSI 0x08  /* modem status */

#define IIR_NO_INT 0x01
#define IIR_MSI 0x00
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFO_ON 0xc0

#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80
#define MSR_DELTAS 0x0f

/* Interrupt identification of the highest-priority pending source. */
static uint8_t pending_iir(const struct serial8250 *s)
{
	if ((s->ier & IER_RDI) && s->rx_count)
		return IIR_RDI;
	if ((s->ier & IER_THRI) && s->thre_pending)
		return IIR_THRI;
	if ((s->ier & IER_MSI) && (s->msr & MSR_DELTAS))
		return IIR_MSI;
	return IIR_NO_INT;
}

static void update_irq(struct serial8250 *s)
{
	bool level = pending_iir(s) != IIR_NO_INT;

	/* in loopback mode the interrupt output is disconnected from the bus (OUT2 gates it on a
	 * PC, but Linux's driver keeps OUT2 set, so only loopback is considered) */
	if (s->mcr & MCR_LOOP)
		level = false;
	if (level == s->irq_level)
		return;
	s->irq_level = level;
	if (s->host && s->host->ops && s->host->ops->irq_line)
		s->host->ops->irq_line(s->host->ctx, s->irq, level);
}

static bool rx_push(struct serial8250 *s, uint8_t c)
{
	if (s->rx_count == SERIAL8250_RX_BUF)
		return false;
	s->rx[(s->rx_head + s->rx_count) % SERIAL8250_RX_BUF] = c;
	s->rx_count++;
	return true;
}

static void watch_panic(struct serial8250 *s, uint8_t c)
{
	if (c == '\n') {
		s->line[s->line_len] = '\0';
		if (!s->panic_seen && strstr(s->line, SERIAL8250_PANIC_STRING)) {
			s->panic_seen = true;
			if (s->host && s->host->ops && s->host->ops->request_exit)
				s->host->ops->request_exit(s->host->ctx, SERIAL8250_PANIC_STATUS,
							   "guest kernel panic (seen on the serial "
							   "console)");
		}
		s->line_len = 0;
		return;
	}
	if (s->line_len < sizeof(s->line) - 1)
		s->line[s->line_len++] = (char)c;
}

static void transmit(struct serial8250 *s, uint8_t c)
{
	if (s->mcr & MCR_LOOP) {
		rx_push(s, c);
	} else {
		s->tx_bytes++;
		if (s->out_fd >= 0) {
			ssize_t w;

			do
				w = write(s->out_fd, &c, 1);
			while (w < 0 && errno == EINTR);
		}
		watch_panic(s, c);
	}
	/* the byte left at once: THR is empty again */
	s->thre_pending = true;
}

static uint8_t modem_status(struct serial8250 *s)
{
	uint8_t m = s->msr & MSR_DELTAS;

	if (s->mcr & MCR_LOOP) {
		if (s->mcr & MCR_RTS)
			m |= MSR_CTS;
		if (s->mcr & MCR_DTR)
			m |= MSR_DSR;
		if (s->mcr & MCR_OUT1)
			m |= MSR_RI;
		if (s->mcr & MCR_OUT2)
			m |= MSR_DCD;
	} else {
		m |= MSR_DCD | MSR_DSR | MSR_CTS; /* a connected terminal */
	}
	return m;
}

static uint8_t reg_read(struct serial8250 *s, unsigned off)
{
	uint8_t v = 0;

	switch (off) {
	case UART_RBR_THR:
		if (s->lcr & LCR_DLAB)
			return s->dll;
		if (s->rx_count) {
			v = s->rx[s->rx_head];
			s->rx_head = (s->rx_head + 1) % SERIAL8250_RX_BUF;
			s->rx_count--;
		}
		return v;
	case UART_IER:
		return (s->lcr & LCR_DLAB) ? s->dlm : s->ier;
	case UART_IIR_FCR:
		v = pending_iir(s);
		if (v == IIR_THRI)
			s->thre_pending = false; /* reading IIR acknowledges THRE */
		return v | ((s->fcr & FCR_ENABLE) ? IIR_FIFO_ON : 0);
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		return (s->rx_count ? LSR_DR : 0) | LSR_THRE | LSR_TEMT;
	case UART_MSR:
		v = modem_status(s);
		s->msr &= ~MSR_DELTAS;
		return v;
	case UART_SCR:
		return s->scr;
	}
	return 0xff;
}

static void reg_write(struct serial8250 *s, unsigned off, uint8_t v)
{
	switch (off) {
	case UART_RBR_THR:
		if (s->lcr & LCR_DLAB) {
			s->dll = v;
			return;
		}
		transmit(s, v);
		return;
	case UART_IER:
		if (s->lcr & LCR_DLAB) {
			s->dlm = v;
			return;
		}
		/* enabling the THRE interrupt while THR is empty raises it at once (16550
		 * behaviour Linux's driver relies on) */
		if ((v & IER_THRI) && !(s->ier & IER_THRI))
			s->thre_pending = true;
		s->ier = v & 0x0f;
		return;
	case UART_IIR_FCR:
		if (v & FCR_CLEAR_RX) {
			s->rx_head = 0;
			s->rx_count = 0;
		}
		s->fcr = v & ~(FCR_CLEAR_RX | FCR_CLEAR_TX);
		if (v & FCR_CLEAR_TX)
			s->thre_pending = true;
		return;
	case UART_LCR:
		s->lcr = v;
		return;
	case UART_MCR: {
		uint8_t before = modem_status(s), after;

		s->mcr = v & 0x1f;
		after = modem_status(s);
		/* in loopback, modem-control changes show up as modem-status deltas */
		if ((before ^ after) & MSR_CTS)
			s->msr |= MSR_DCTS;
		if ((before ^ after) & MSR_DSR)
			s->msr |= MSR_DDSR;
		if ((before & MSR_RI) && !(after & MSR_RI))
			s->msr |= MSR_TERI;
		if ((before ^ after) & MSR_DCD)
			s->msr |= MSR_DDCD;
		return;
	}
	case UART_LSR:
	case UART_MSR:
		return; /* read-only (factory test registers on real parts) */
	case UART_SCR:
		s->scr = v;
		return;
	}
}

void serial8250_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct serial8250 *s = opaque;

	pthread_mutex_lock(&s->lock);
	/* byte registers: wider accesses touch consecutive registers, as on an ISA bus */
	for (uint32_t i = 0; i < len; i++) {
		uint64_t off = offset + i;

		if (off >= 8) {
			if (!is_write)
				data[i] = 0xff;
			continue;
		}
		if (is_write)
			reg_write(s, (unsigned)off, data[i]);
		else
			data[i] = reg_read(s, (unsigned)off);
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

size_t serial8250_input(struct serial8250 *s, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&s->lock);
	/* in loopback the receiver is connected to the transmitter, not the line */
	if (!(s->mcr & MCR_LOOP))
		while (n < len && rx_push(s, buf[n]))
			n++;
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return n;
}

size_t serial8250_rx_room(struct serial8250 *s)
{
	size_t room;

	pthread_mutex_lock(&s->lock);
	room = SERIAL8250_RX_BUF - s->rx_count;
	pthread_mutex_unlock(&s->lock);
	return room;
}

int serial8250_init(struct serial8250 *s, struct dev_host *host, uint16_t base, uint32_t irq,
		    int out_fd)
{
	int r;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->host = host;
	s->base = base;
	s->irq = irq;
	s->out_fd = out_fd;
	s->lcr = 0x03; /* 8N1 */
	s->dll = 0x0c; /* 9600 baud */
	s->mcr = MCR_OUT2;
	if (host && host->pio) {
		r = io_bus_register(host->pio, base, 8, serial8250_io, s, "serial 8250");
		if (r) {
			pthread_mutex_destroy(&s->lock);
			return r;
		}
	}
	return 0;
}

void serial8250_destroy(struct serial8250 *s)
{
	if (s->host && s->host->pio)
		io_bus_unregister(s->host->pio, s->base, s);
	pthread_mutex_destroy(&s->lock);
}

size_t serial8250_console_filter(const uint8_t *in, size_t n, uint8_t *out, bool *state, bool *quit)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = in[i];

		if (*state) {
			*state = false;
			if (c == 'x' || c == 'X') {
				*quit = true;
				return o;
			}
			if (c != 0x01)
				out[o++] = 0x01; /* not an escape: pass both */
			out[o++] = c;
		} else if (c == 0x01) {
			*state = true;
		} else {
			out[o++] = c;
		}
	}
	return o;
}
