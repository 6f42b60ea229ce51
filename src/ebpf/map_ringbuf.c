/* map_ringbuf.c: BPF_MAP_TYPE_RINGBUF, events from programs (any vCPU) to one host consumer
 * (user-space agents, the slow path), with Linux's semantics: bpf_ringbuf_reserve() hands out a
 * record the program fills, then bpf_ringbuf_submit() (or _discard()) releases it;
 * bpf_ringbuf_output() copies. Records are 8-byte aligned, each after an 8-byte header
 * {u32 len | BUSY | DISCARD, u32 offset of the header from the map in 8-byte units} (so submit
 * finds the ring from the record pointer, as Linux's pg_off does). The consumer sees records in
 * reservation order and stops at the first one still reserved.
 *
 * Concurrency: producers serialise on a spin lock only to move the producer position and write
 * the header (a few instructions); they fill the record without it. Submit is one release store of
 * the header. The consumer advances the consumer position after its callback returned, so a
 * producer never overwrites a record being read.
 *
 * Linux maps the data area twice so a record may wrap around the end; bulwark instead never
 * splits a record: when one does not fit before the end, the rest of the area becomes a
 * discarded padding record and the record starts at offset 0 (so a record larger than half the
 * ring may not fit even in an empty ring, depending on where the positions are). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ebpf/map_impl.h"

#define RB_BUSY (1u << 31)
#define RB_DISCARD (1u << 30)
#define RB_HDR 8u

struct rb_hdr {
	_Atomic uint32_t len;
	uint32_t off8; /* (header - map) / 8 */
};

struct map_ringbuf {
	struct ebpf_map map;
	uint64_t size, mask;
	_Atomic uint64_t producer_pos;
	_Atomic uint64_t consumer_pos;
	_Atomic int lock;
	_Atomic int wakeup_fd;
	_Alignas(64) uint8_t data[];
};

static struct ebpf_map *ringbuf_create(const struct ebpf_map_def *def, unsigned n_vcpus, char *err,
				       size_t errlen)
{
	struct map_ringbuf *rb;
	uint32_t size = def->max_entries;

	if (def->key_size || def->value_size) {
		ebpf_map_errf(err, errlen, def, "ringbuf map needs key_size and value_size 0");
		return NULL;
	}
	if (size < 4096 || (size & (size - 1)) || size > EBPF_RINGBUF_MAX_SIZE) {
		ebpf_map_errf(err, errlen, def,
			      "ringbuf max_entries (size in bytes) must be a power of 2 from 4096 "
			      "to %u, not %u",
			      EBPF_RINGBUF_MAX_SIZE, size);
		return NULL;
	}
	rb = aligned_alloc(64, sizeof(*rb) + size);
	if (!rb) {
		ebpf_map_errf(err, errlen, def, "out of memory");
		return NULL;
	}
	memset(rb, 0, sizeof(*rb));
	rb->size = size;
	rb->mask = size - 1;
	atomic_init(&rb->wakeup_fd, -1);
	return &rb->map;
}

static void ringbuf_destroy(struct ebpf_map *m)
{
	struct map_ringbuf *rb = (struct map_ringbuf *)m;
	int fd = atomic_load(&rb->wakeup_fd);

	if (fd >= 0)
		close(fd);
	free(rb);
}

static struct map_ringbuf *rb_of(struct ebpf_map *m)
{
	return m && m->def.type == EBPF_MAP_RINGBUF ? (struct map_ringbuf *)m : NULL;
}

static void rb_lock(struct map_ringbuf *rb)
{
	while (atomic_exchange_explicit(&rb->lock, 1, memory_order_acquire))
		while (atomic_load_explicit(&rb->lock, memory_order_relaxed))
			__builtin_ia32_pause();
}

static void rb_unlock(struct map_ringbuf *rb)
{
	atomic_store_explicit(&rb->lock, 0, memory_order_release);
}

void *ebpf_ringbuf_reserve(struct ebpf_map *m, uint64_t size, uint64_t flags)
{
	struct map_ringbuf *rb = rb_of(m);
	uint64_t total, prod, cons, off, pad = 0;
	struct rb_hdr *h;

	if (!rb || flags || size == 0 || size > rb->size - RB_HDR)
		return NULL;
	total = ebpf_map_round8(size + RB_HDR);
	rb_lock(rb);
	cons = atomic_load_explicit(&rb->consumer_pos, memory_order_acquire);
	prod = atomic_load_explicit(&rb->producer_pos, memory_order_relaxed);
	off = prod & rb->mask;
	if (off + total > rb->size)
		pad = rb->size - off;
	if (prod + pad + total - cons > rb->size) {
		rb_unlock(rb);
		return NULL;
	}
	if (pad) {
		h = (struct rb_hdr *)(rb->data + off);
		h->off8 = (uint32_t)(((uint8_t *)h - (uint8_t *)rb) / 8);
		atomic_store_explicit(&h->len, (uint32_t)(pad - RB_HDR) | RB_DISCARD,
				      memory_order_relaxed);
	}
	h = (struct rb_hdr *)(rb->data + ((prod + pad) & rb->mask));
	h->off8 = (uint32_t)(((uint8_t *)h - (uint8_t *)rb) / 8);
	atomic_store_explicit(&h->len, (uint32_t)size | RB_BUSY, memory_order_relaxed);
	atomic_store_explicit(&rb->producer_pos, prod + pad + total, memory_order_release);
	rb_unlock(rb);
	return h + 1;
}

static void rb_commit(void *data, uint64_t flags, bool discard)
{
	struct rb_hdr *h = (struct rb_hdr *)data - 1;
	struct map_ringbuf *rb = (struct map_ringbuf *)((uint8_t *)h - (size_t)h->off8 * 8);
	uint32_t len = atomic_load_explicit(&h->len, memory_order_relaxed) & ~RB_BUSY;
	uint64_t pos = (uint64_t)((uint8_t *)h - rb->data);
	int fd;

	atomic_store_explicit(&h->len, len | (discard ? RB_DISCARD : 0), memory_order_release);
	if (flags & EBPF_RB_NO_WAKEUP)
		return;
	fd = atomic_load_explicit(&rb->wakeup_fd, memory_order_acquire);
	if (fd < 0)
		return;
	/* wake the consumer when it waits for this very record (it caught up), or when forced */
	if ((flags & EBPF_RB_FORCE_WAKEUP) ||
	    (atomic_load_explicit(&rb->consumer_pos, memory_order_acquire) & rb->mask) == pos)
		(void)eventfd_write(fd, 1);
}

void ebpf_ringbuf_submit(void *data, uint64_t flags)
{
	if (data)
		rb_commit(data, flags, false);
}

void ebpf_ringbuf_discard(void *data, uint64_t flags)
{
	if (data)
		rb_commit(data, flags, true);
}

int ebpf_ringbuf_output(struct ebpf_map *m, const void *data, uint64_t size, uint64_t flags)
{
	void *rec;

	if (!rb_of(m) || (flags & ~(uint64_t)(EBPF_RB_NO_WAKEUP | EBPF_RB_FORCE_WAKEUP)))
		return -EINVAL;
	rec = ebpf_ringbuf_reserve(m, size, 0);
	if (!rec)
		return -EAGAIN;
	memcpy(rec, data, size);
	ebpf_ringbuf_submit(rec, flags);
	return 0;
}

int ebpf_ringbuf_consume(struct ebpf_map *m, ebpf_ringbuf_cb cb, void *opaque)
{
	struct map_ringbuf *rb = rb_of(m);
	uint64_t cons;
	int n = 0;

	if (!rb)
		return -EINVAL;
	cons = atomic_load_explicit(&rb->consumer_pos, memory_order_relaxed);
	while (cons < atomic_load_explicit(&rb->producer_pos, memory_order_acquire)) {
		struct rb_hdr *h = (struct rb_hdr *)(rb->data + (cons & rb->mask));
		uint32_t len = atomic_load_explicit(&h->len, memory_order_acquire);
		int stop = 0;

		if (len & RB_BUSY)
			break;
		if (!(len & RB_DISCARD)) {
			n++;
			stop = cb(opaque, h + 1, len);
		}
		cons += ebpf_map_round8((len & ~RB_DISCARD) + RB_HDR);
		atomic_store_explicit(&rb->consumer_pos, cons, memory_order_release);
		if (stop)
			break;
	}
	return n;
}

uint64_t ebpf_ringbuf_avail_data(struct ebpf_map *m)
{
	struct map_ringbuf *rb = rb_of(m);

	if (!rb)
		return 0;
	return atomic_load(&rb->producer_pos) - atomic_load(&rb->consumer_pos);
}

uint64_t ebpf_ringbuf_query(struct ebpf_map *m, uint64_t flags)
{
	struct map_ringbuf *rb = rb_of(m);

	if (!rb)
		return 0;
	switch (flags) {
	case 0:
		return ebpf_ringbuf_avail_data(m);
	case 1:
		return rb->size;
	case 2:
		return atomic_load(&rb->consumer_pos);
	case 3:
		return atomic_load(&rb->producer_pos);
	}
	return 0;
}

int ebpf_ringbuf_wakeup_fd(struct ebpf_map *m)
{
	struct map_ringbuf *rb = rb_of(m);
	int fd, expect = -1;

	if (!rb)
		return -EINVAL;
	fd = atomic_load(&rb->wakeup_fd);
	if (fd >= 0)
		return fd;
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!atomic_compare_exchange_strong(&rb->wakeup_fd, &expect, fd)) {
		close(fd);
		fd = expect;
	}
	return fd;
}

const struct ebpf_map_ops ebpf_map_ringbuf_ops = {
    .create = ringbuf_create,
    .destroy = ringbuf_destroy,
};
