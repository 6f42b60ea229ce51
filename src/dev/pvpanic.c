/* pvpanic.c: the pvpanic port (see pvpanic.h). */
#include "dev/pvpanic.h"

#include <string.h>

void pvpanic_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct pvpanic *p = opaque;

	if (!is_write) {
		memset(data, 0, len);
		data[0] = PVPANIC_PANICKED | PVPANIC_CRASH_LOADED;
		return;
	}
	/* CRASH_LOADED alone means a kdump kernel takes over: the guest goes on */
	if ((data[0] & PVPANIC_PANICKED) && p->host && p->host->ops && p->host->ops->request_exit)
		p->host->ops->request_exit(p->host->ctx, PVPANIC_STATUS,
					   "guest kernel panic (pvpanic port 0x505)");
}

int pvpanic_init(struct pvpanic *p, struct dev_host *host)
{
	p->host = host;
	return io_bus_register(host->pio, PVPANIC_PORT, 1, pvpanic_io, p, "pvpanic");
}

void pvpanic_destroy(struct pvpanic *p)
{
	io_bus_unregister(p->host->pio, PVPANIC_PORT, p);
}
