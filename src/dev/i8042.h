/* i8042.h: the PC keyboard controller, enough for Linux's i8042 driver to probe it and to reboot
 * through it: status (0x64 read), commands (0x64 write: read/write the command byte, self tests,
 * enable/disable the ports, output-port write, pulse reset), data (0x60) with a small output
 * queue, keyboard replies (ACK, reset BAT, ID) on IRQ 1. No keys are ever typed (the serial port is
 * the console). A reset (command 0xFE, a pulse with bit 0 low, or an output-port write clearing
 * bit 0) asks the host to end the VM with status 0 ("i8042 reset"), which is how `reboot=k` ends a
 * Linux guest. */
#ifndef BULWARK_DEV_I8042_H
#define BULWARK_DEV_I8042_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "dev/dev_host.h"

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT 0x64
#define I8042_KBD_IRQ 1
#define I8042_AUX_IRQ 12

struct i8042 {
	pthread_mutex_t lock;
	struct dev_host *host;
	uint8_t ctr;	     /* controller command byte */
	uint8_t outport;     /* output port (bit 0: reset line, active low) */
	uint8_t pending_cmd; /* command waiting for its data byte on 0x60, 0 when none */
	uint8_t kbd_pending; /* keyboard command waiting for its argument, 0 when none */
	uint8_t queue[16];
	uint8_t queue_aux[16]; /* 1 when the byte comes from the aux port */
	unsigned q_head, q_count;
	bool last_was_cmd; /* status bit 3: last write went to 0x64 */
	bool irq1, irq12;
	bool reset_requested;
};

/* Initialises k and claims 0x60 and 0x64 on host->pio (host->pio may be NULL in tests). */
int i8042_init(struct i8042 *k, struct dev_host *host);
void i8042_destroy(struct i8042 *k);

/* io_bus handlers (exposed for tests): offset is always 0 (one-port claims). */
void i8042_data_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);
void i8042_cmd_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
