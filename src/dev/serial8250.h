/* serial8250.h: a 16550A UART (the PC's COM1 at 0x3f8, IRQ 4) good enough for Linux's 8250 driver
 * and for polled guests: THR/RBR, IER, IIR (RDA, THRE and modem-status interrupts by priority),
 * FCR (16-byte FIFO mode reported in IIR), LCR with DLAB (DLL/DLM), MCR with loopback, LSR, MSR,
 * SCR. Transmitted bytes go to an output fd at once (THR is always empty); received bytes come
 * from serial8250_input() (bulwark run feeds it from stdin). The interrupt line goes through the
 * dev_host irq_line op. Output lines are also watched for "Kernel panic - not syncing": after the
 * line ends the UART asks the host to end the VM with the panic status. */
#ifndef BULWARK_DEV_SERIAL8250_H
#define BULWARK_DEV_SERIAL8250_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/dev_host.h"

#define SERIAL8250_COM1_BASE 0x3f8
#define SERIAL8250_COM1_IRQ 4
#define SERIAL8250_RX_BUF 4096
#define SERIAL8250_PANIC_STRING "Kernel panic - not syncing"
#define SERIAL8250_PANIC_STATUS 5 /* `bulwark run` exit status for a guest panic */

/* register offsets */
enum {
	UART_RBR_THR = 0, /* DLL with DLAB */
	UART_IER = 1,	  /* DLM with DLAB */
	UART_IIR_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_MSR = 6,
	UART_SCR = 7,
};

struct serial8250 {
	pthread_mutex_t lock;
	struct dev_host *host;
	uint16_t base;
	uint32_t irq;
	int out_fd; /* -1: output dropped */
	uint8_t ier, lcr, mcr, msr, scr, fcr, dll, dlm;
	bool thre_pending; /* THR-empty interrupt condition (cleared by reading IIR or writing THR)
			    */
	bool irq_level;
	uint8_t rx[SERIAL8250_RX_BUF];
	unsigned rx_head, rx_count;
	char line[256]; /* current output line, for the panic watch */
	unsigned line_len;
	bool panic_seen;
	uint64_t tx_bytes;
};

/* Initialises s and claims [base, base + 8) on host->pio. Returns 0 or -errno. */
int serial8250_init(struct serial8250 *s, struct dev_host *host, uint16_t base, uint32_t irq,
		    int out_fd);
void serial8250_destroy(struct serial8250 *s);

/* Queues received bytes (raises RDA). Returns how many were taken (the buffer may be full). */
size_t serial8250_input(struct serial8250 *s, const uint8_t *buf, size_t len);
/* Free space in the receive buffer. */
size_t serial8250_rx_room(struct serial8250 *s);

/* The register interface (the io_bus handler; exposed for tests). */
void serial8250_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

/* Console escape handling for stdin (QEMU's ^A prefix): ^A x asks to quit, ^A ^A sends one ^A.
 * Filters in[0..n) into out (at least n + 1 bytes); *state carries a pending ^A across calls.
 * Returns the number of bytes written to out; *quit is set when ^A x was seen (bytes after it
 * dropped). */
size_t serial8250_console_filter(const uint8_t *in, size_t n, uint8_t *out, bool *state,
				 bool *quit);

#endif
