/* io_bus.c: see io_bus.h. Lookups are a binary search over the sorted ranges. */
#include "dev/io_bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void io_bus_init(struct io_bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	pthread_rwlock_init(&bus->lock, NULL);
	bus->name = name;
}

void io_bus_destroy(struct io_bus *bus)
{
	free(bus->ranges);
	pthread_rwlock_destroy(&bus->lock);
	memset(bus, 0, sizeof(*bus));
}

/* Index of the first range whose base is > addr. */
static unsigned upper_bound(const struct io_bus *bus, uint64_t addr)
{
	unsigned lo = 0, hi = bus->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (bus->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len, io_handler_fn fn, void *opaque,
		    const char *name)
{
	unsigned i;
	int err = 0;

	if (len == 0 || base + len - 1 < base)
		return -EINVAL;
	pthread_rwlock_wrlock(&bus->lock);
	i = upper_bound(bus, base);
	if ((i > 0 && bus->ranges[i - 1].base + bus->ranges[i - 1].len - 1 >= base) ||
	    (i < bus->n && bus->ranges[i].base <= base + len - 1)) {
		err = -EBUSY;
		goto out;
	}
	if (bus->n == bus->cap) {
		unsigned cap = bus->cap ? bus->cap * 2 : 16;
		struct io_range *r = realloc(bus->ranges, cap * sizeof(*r));

		if (!r) {
			err = -ENOMEM;
			goto out;
		}
		bus->ranges = r;
		bus->cap = cap;
	}
	memmove(&bus->ranges[i + 1], &bus->ranges[i], (bus->n - i) * sizeof(bus->ranges[0]));
	bus->ranges[i] = (struct io_range){base, len, fn, opaque, name};
	bus->n++;
out:
	pthread_rwlock_unlock(&bus->lock);
	return err;
}

int io_bus_unregister(struct io_bus *bus, uint64_t base, void *opaque)
{
	int err = -ENOENT;

	pthread_rwlock_wrlock(&bus->lock);
	for (unsigned i = 0; i < bus->n; i++) {
		if (bus->ranges[i].base == base && bus->ranges[i].opaque == opaque) {
			memmove(&bus->ranges[i], &bus->ranges[i + 1],
				(bus->n - i - 1) * sizeof(bus->ranges[0]));
			bus->n--;
			err = 0;
			break;
		}
	}
	pthread_rwlock_unlock(&bus->lock);
	return err;
}

bool io_bus_access(struct io_bus *bus, uint64_t addr, uint8_t *data, uint32_t len, bool is_write)
{
	struct io_range r;
	unsigned i;
	bool found = false;

	pthread_rwlock_rdlock(&bus->lock);
	i = upper_bound(bus, addr);
	if (i > 0) {
		r = bus->ranges[i - 1];
		found = addr - r.base < r.len && len <= r.len - (addr - r.base);
	}
	pthread_rwlock_unlock(&bus->lock);
	if (!found) {
		if (!is_write)
			memset(data, 0xff, len);
		return false;
	}
	/* Called outside the bus lock so a handler may re-register its own ranges (BAR moves). */
	r.fn(r.opaque, addr - r.base, data, len, is_write);
	return true;
}
