/* i8042.c: the keyboard controller model (see i8042.h). */
#include "dev/i8042.h"

#include <string.h>

#include "common/log.h"

#define STS_OBF 0x01	/* output buffer full */
#define STS_SYS 0x04	/* system flag (self test passed) */
#define STS_CMD 0x08	/* last write was a command */
#define STS_AUXOBF 0x20 /* output buffer holds aux data */

#define CTR_KBDINT 0x01
#define CTR_AUXINT 0x02
#define CTR_SYS 0x04
#define CTR_KBDDIS 0x10
#define CTR_AUXDIS 0x20
#define CTR_XLATE 0x40

static void update_irq(struct i8042 *k)
{
	bool obf = k->q_count > 0;
	bool aux = obf && k->queue_aux[k->q_head];
	bool irq1 = obf && !aux && (k->ctr & CTR_KBDINT);
	bool irq12 = obf && aux && (k->ctr & CTR_AUXINT);
	const struct dev_host_ops *ops = k->host ? k->host->ops : NULL;

	if (irq1 != k->irq1) {
		k->irq1 = irq1;
		if (ops && ops->irq_line)
			ops->irq_line(k->host->ctx, I8042_KBD_IRQ, irq1);
	}
	if (irq12 != k->irq12) {
		k->irq12 = irq12;
		if (ops && ops->irq_line)
			ops->irq_line(k->host->ctx, I8042_AUX_IRQ, irq12);
	}
}

static void push(struct i8042 *k, uint8_t v, bool aux)
{
	unsigned i;

	if (k->q_count == sizeof(k->queue))
		return;
	i = (k->q_head + k->q_count) % sizeof(k->queue);
	k->queue[i] = v;
	k->queue_aux[i] = aux;
	k->q_count++;
}

static void reset_system(struct i8042 *k, const char *how)
{
	if (k->reset_requested)
		return;
	k->reset_requested = true;
	if (k->host && k->host->ops && k->host->ops->request_exit)
		k->host->ops->request_exit(k->host->ctx, 0, how);
}

static void kbd_write(struct i8042 *k, uint8_t v)
{
	if (k->kbd_pending) {
		/* argument of 0xED (LEDs), 0xF0 (scan code set) or 0xF3 (typematic) */
		if (k->kbd_pending == 0xf0 && v == 0)
			push(k, 0xfa, false), push(k, 0x02, false);
		else
			push(k, 0xfa, false);
		k->kbd_pending = 0;
		return;
	}
	switch (v) {
	case 0xff: /* reset: ACK, then basic assurance test passed */
		push(k, 0xfa, false);
		push(k, 0xaa, false);
		break;
	case 0xf2: /* identify: MF2 keyboard */
		push(k, 0xfa, false);
		push(k, 0xab, false);
		push(k, 0x83, false);
		break;
	case 0xee: /* echo */
		push(k, 0xee, false);
		break;
	case 0xed:
	case 0xf0:
	case 0xf3:
		k->kbd_pending = v;
		push(k, 0xfa, false);
		break;
	default: /* enable/disable scanning, defaults, ...: ACK */
		push(k, 0xfa, false);
		break;
	}
}

static void cmd_data(struct i8042 *k, uint8_t cmd, uint8_t v)
{
	switch (cmd) {
	case 0x60: /* write command byte */
		k->ctr = v;
		break;
	case 0xd1: /* write output port */
		k->outport = v;
		if (!(v & 1))
			reset_system(k, "i8042 reset (output port)");
		break;
	case 0xd2: /* write keyboard output buffer */
		push(k, v, false);
		break;
	case 0xd3: /* write aux output buffer */
		push(k, v, true);
		break;
	case 0xd4: /* write to aux device: there is none, answer "resend"-free silence */
		break;
	}
}

static void command(struct i8042 *k, uint8_t c)
{
	switch (c) {
	case 0x20: /* read command byte */
		push(k, k->ctr, false);
		break;
	case 0x60:
	case 0xd1:
	case 0xd2:
	case 0xd3:
	case 0xd4:
		k->pending_cmd = c;
		break;
	case 0xa7: /* disable aux */
		k->ctr |= CTR_AUXDIS;
		break;
	case 0xa8: /* enable aux */
		k->ctr &= ~CTR_AUXDIS;
		break;
	case 0xa9: /* aux interface test: 0 = ok */
	case 0xab: /* keyboard interface test */
		push(k, 0x00, false);
		break;
	case 0xaa: /* controller self test */
		k->ctr |= CTR_SYS;
		push(k, 0x55, false);
		break;
	case 0xad: /* disable keyboard */
		k->ctr |= CTR_KBDDIS;
		break;
	case 0xae: /* enable keyboard */
		k->ctr &= ~CTR_KBDDIS;
		break;
	case 0xc0: /* read input port */
		push(k, 0x80, false);
		break;
	case 0xd0: /* read output port */
		push(k, k->outport, false);
		break;
	case 0xfe: /* pulse reset */
		reset_system(k, "i8042 reset");
		break;
	default:
		if (c >= 0xf0 && !(c & 1)) /* pulse output lines: bit 0 low pulses reset */
			reset_system(k, "i8042 reset");
		break;
	}
}

void i8042_data_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct i8042 *k = opaque;

	pthread_mutex_lock(&k->lock);
	if (is_write) {
		k->last_was_cmd = false;
		if (k->pending_cmd) {
			uint8_t c = k->pending_cmd;

			k->pending_cmd = 0;
			cmd_data(k, c, data[0]);
		} else {
			kbd_write(k, data[0]);
		}
	} else {
		uint8_t v = 0;

		if (k->q_count) {
			v = k->queue[k->q_head];
			k->q_head = (k->q_head + 1) % sizeof(k->queue);
			k->q_count--;
		}
		memset(data, 0, len);
		data[0] = v;
	}
	update_irq(k);
	pthread_mutex_unlock(&k->lock);
}

void i8042_cmd_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct i8042 *k = opaque;

	pthread_mutex_lock(&k->lock);
	if (is_write) {
		k->last_was_cmd = true;
		k->pending_cmd = 0;
		command(k, data[0]);
	} else {
		uint8_t s = STS_SYS;

		if (k->q_count) {
			s |= STS_OBF;
			if (k->queue_aux[k->q_head])
				s |= STS_AUXOBF;
		}
		if (k->last_was_cmd)
			s |= STS_CMD;
		memset(data, 0, len);
		data[0] = s;
	}
	update_irq(k);
	pthread_mutex_unlock(&k->lock);
}

int i8042_init(struct i8042 *k, struct dev_host *host)
{
	int r;

	memset(k, 0, sizeof(*k));
	pthread_mutex_init(&k->lock, NULL);
	k->host = host;
	k->ctr = CTR_KBDINT | CTR_SYS | CTR_XLATE;
	k->outport = 0x01;
	if (host && host->pio) {
		r = io_bus_register(host->pio, I8042_DATA_PORT, 1, i8042_data_io, k, "i8042 data");
		if (r)
			goto fail;
		r = io_bus_register(host->pio, I8042_CMD_PORT, 1, i8042_cmd_io, k, "i8042 command");
		if (r) {
			io_bus_unregister(host->pio, I8042_DATA_PORT, k);
			goto fail;
		}
	}
	return 0;
fail:
	pthread_mutex_destroy(&k->lock);
	return r;
}

void i8042_destroy(struct i8042 *k)
{
	if (k->host && k->host->pio) {
		io_bus_unregister(k->host->pio, I8042_DATA_PORT, k);
		io_bus_unregister(k->host->pio, I8042_CMD_PORT, k);
	}
	pthread_mutex_destroy(&k->lock);
}
