/* pvpanic.h: QEMU's pvpanic ISA device at port 0x505. A guest writes bit 0 (PANICKED) when its
 * kernel panics; bulwark then ends the VM with the guest-panic status (docs/exit-codes.md). Reads
 * return the supported events (PANICKED | CRASH_LOADED). Linux finds the device only through ACPI,
 * so with `noacpi` the serial console watch (serial8250.h) is what catches Linux panics; test
 * guests and other kernels can use the port directly. */
#ifndef BULWARK_DEV_PVPANIC_H
#define BULWARK_DEV_PVPANIC_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/dev_host.h"

#define PVPANIC_PORT 0x505
#define PVPANIC_PANICKED 0x01
#define PVPANIC_CRASH_LOADED 0x02
#define PVPANIC_STATUS 5

struct pvpanic {
	struct dev_host *host;
};

int pvpanic_init(struct pvpanic *p, struct dev_host *host);
void pvpanic_destroy(struct pvpanic *p);
void pvpanic_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
