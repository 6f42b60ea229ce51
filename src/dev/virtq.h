/* virtq.h: split virtqueues (virtio 1.2 section 2.7) processed on the device side.
 *
 * A virtq is configured by the transport (virtio_pci.c) with the guest-physical addresses of its
 * three rings and checked once by virtq_enable(); the device model then pops descriptor chains
 * (virtq_pop), turns them into lists of host segments (readable ones first, then writable ones)
 * and pushes them back with the number of bytes written (virtq_push). Every guest address goes
 * through guest_mem_ptr(): descriptor loops, chains longer than the queue, buffers outside guest
 * RAM, zero or giant lengths, bad or nested indirect tables and an avail index that runs ahead by
 * more than the queue size all make virtq_pop() fail with the queue marked broken (the transport
 * then sets NEEDS_RESET); nothing is ever read or written outside guest RAM.
 *
 * A virtq is used by one thread at a time (the device's worker); it has no lock of its own. */
#ifndef BULWARK_DEV_VIRTQ_H
#define BULWARK_DEV_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_mem.h"

#define VIRTQ_MAX_SIZE 1024 /* largest queue size the devices offer */
#define VIRTQ_MAX_SEGS 1024 /* segments in one chain, indirect tables included */

struct virtq_seg {
	uint8_t *ptr; /* host address, valid for len bytes */
	uint32_t len;
};

struct virtq_chain {
	uint16_t head;
	unsigned n_out, n_in; /* seg[0, n_out) readable by the device, then n_in writable */
	uint64_t out_len, in_len;
	struct virtq_seg seg[VIRTQ_MAX_SEGS];
};

struct virtq {
	const struct guest_mem *mem;
	const char *name; /* "virtio-net@00:02.0 rx": for logs */
	uint16_t size;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool event_idx, indirect; /* negotiated ring features */
	bool ready, broken;
	/* Host views of the rings, set by virtq_enable(). */
	uint8_t *desc, *avail, *used;
	uint16_t last_avail; /* next avail entry to pop */
	uint16_t used_idx;   /* next used entry to fill */
	uint16_t signalled_used;
	bool signalled_valid;
	char err[96]; /* why the queue broke */
};

/* Resets q to unconfigured with the given size. */
void virtq_init(struct virtq *q, const struct guest_mem *mem, const char *name, uint16_t size);
/* Checks the rings lie in guest RAM, are aligned, and the size is sane; then the queue is ready.
 * Returns 0 or -EINVAL with q->err set. */
int virtq_enable(struct virtq *q, bool event_idx, bool indirect);

/* Pops the next available chain into *c. Returns 1 when one was popped, 0 when the queue is
 * empty (or not ready), -EIO when the guest broke the queue (q->broken, q->err say why; the
 * caller sets NEEDS_RESET, which logs it once). */
int virtq_pop(struct virtq *q, struct virtq_chain *c);
/* Gives back the n chains popped last without using them (they will be popped again). */
void virtq_unpop(struct virtq *q, unsigned n);
/* Returns chain head to the guest with len bytes written into its writable segments. */
void virtq_push(struct virtq *q, uint16_t head, uint32_t len);
/* True when the guest wants an interrupt for what was pushed since the last notification. */
bool virtq_should_notify(struct virtq *q);
/* After the queue was drained: asks the guest to kick on the next buffer (EVENT_IDX avail_event).
 * Returns true when buffers arrived meanwhile (the caller polls again). */
bool virtq_enable_kick(struct virtq *q);
/* True when the guest made chains available that were not popped yet. */
bool virtq_has_work(struct virtq *q);

/* Copies from/to the chain's readable / writable bytes starting at byte offset off of that
 * direction; returns the number of bytes copied (short at the end of the segments). */
size_t virtq_chain_read(const struct virtq_chain *c, size_t off, void *dst, size_t len);
size_t virtq_chain_write(const struct virtq_chain *c, size_t off, const void *src, size_t len);

#endif
