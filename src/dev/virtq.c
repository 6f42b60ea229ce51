/* virtq.c: device side of split virtqueues (see virtq.h).
 *
 * The rings are shared with a guest that may change them at any moment: every index read from
 * them is read once into a local and checked before use, descriptor walks are bounded by the
 * size of the table they walk, and every buffer address is translated with guest_mem_ptr() for
 * its whole length. Ordering: the avail index is read with acquire semantics before the ring
 * entries it publishes; the used index is written with release semantics after the entries. */
#include "dev/virtq.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static uint16_t load16(const uint8_t *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
}

static uint16_t load16_acquire(const uint8_t *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE);
}

static void store16_release(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, v, __ATOMIC_RELEASE);
}

static void q_fail(struct virtq *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void q_fail(struct virtq *q, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->err, sizeof(q->err), fmt, ap);
	va_end(ap);
	q->broken = true;
	/* The transport logs it once per device (virtio_pci_needs_reset()). */
}

void virtq_init(struct virtq *q, const struct guest_mem *mem, const char *name, uint16_t size)
{
	memset(q, 0, sizeof(*q));
	q->mem = mem;
	q->name = name;
	q->size = size;
}

int virtq_enable(struct virtq *q, bool event_idx, bool indirect)
{
	uint64_t n = q->size;

	q->ready = false;
	if (n == 0 || n > VIRTQ_MAX_SIZE) {
		q_fail(q, "queue size %llu not in 1..%d", (unsigned long long)n, VIRTQ_MAX_SIZE);
		return -EINVAL;
	}
	if ((q->desc_gpa & 15) || (q->avail_gpa & 1) || (q->used_gpa & 3)) {
		q_fail(q, "misaligned rings (desc 0x%llx, avail 0x%llx, used 0x%llx)",
		       (unsigned long long)q->desc_gpa, (unsigned long long)q->avail_gpa,
		       (unsigned long long)q->used_gpa);
		return -EINVAL;
	}
	q->desc = guest_mem_ptr(q->mem, q->desc_gpa, 16 * n);
	q->avail = guest_mem_ptr(q->mem, q->avail_gpa, 6 + 2 * n);
	q->used = guest_mem_ptr(q->mem, q->used_gpa, 6 + 8 * n);
	if (!q->desc || !q->avail || !q->used) {
		q_fail(q, "rings outside guest RAM (desc 0x%llx, avail 0x%llx, used 0x%llx)",
		       (unsigned long long)q->desc_gpa, (unsigned long long)q->avail_gpa,
		       (unsigned long long)q->used_gpa);
		return -EINVAL;
	}
	q->event_idx = event_idx;
	q->indirect = indirect;
	q->last_avail = 0;
	q->used_idx = 0;
	q->signalled_used = 0;
	q->signalled_valid = false;
	q->broken = false;
	q->ready = true;
	return 0;
}

bool virtq_has_work(struct virtq *q)
{
	if (!q->ready || q->broken)
		return false;
	return load16_acquire(q->avail + 2) != q->last_avail;
}

static int add_seg(struct virtq *q, struct virtq_chain *c, const struct virtq_desc *d)
{
	uint8_t *p;
	bool write = d->flags & VIRTQ_DESC_F_WRITE;

	if (d->len == 0) {
		q_fail(q, "zero-length descriptor in chain %u", c->head);
		return -EIO;
	}
	if (!write && c->n_in) {
		q_fail(q, "readable descriptor after a writable one in chain %u", c->head);
		return -EIO;
	}
	if (c->n_out + c->n_in >= VIRTQ_MAX_SEGS) {
		q_fail(q, "chain %u has more than %d segments", c->head, VIRTQ_MAX_SEGS);
		return -EIO;
	}
	p = guest_mem_ptr(q->mem, d->addr, d->len);
	if (!p) {
		q_fail(q, "buffer 0x%llx+0x%x outside guest RAM in chain %u",
		       (unsigned long long)d->addr, d->len, c->head);
		return -EIO;
	}
	c->seg[c->n_out + c->n_in] = (struct virtq_seg){p, d->len};
	if (write) {
		c->n_in++;
		c->in_len += d->len;
	} else {
		c->n_out++;
		c->out_len += d->len;
	}
	return 0;
}

int virtq_pop(struct virtq *q, struct virtq_chain *c)
{
	const uint8_t *table;
	uint32_t n_table, i, walked = 0;
	bool in_indirect = false;
	uint16_t avail_idx, head;

	if (!q->ready)
		return 0;
	if (q->broken)
		return -EIO;
	avail_idx = load16_acquire(q->avail + 2);
	if (avail_idx == q->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - q->last_avail) > q->size) {
		q_fail(q, "avail index %u ran %u entries ahead of %u (queue size %u)", avail_idx,
		       (uint16_t)(avail_idx - q->last_avail), q->last_avail, q->size);
		return -EIO;
	}
	head = load16(q->avail + 4 + 2 * (q->last_avail % q->size));
	if (head >= q->size) {
		q_fail(q, "avail ring entry %u names descriptor %u (queue size %u)", q->last_avail,
		       head, q->size);
		return -EIO;
	}
	c->head = head;
	c->n_out = c->n_in = 0;
	c->out_len = c->in_len = 0;
	table = q->desc;
	n_table = q->size;
	i = head;
	for (;;) {
		struct virtq_desc d;

		if (walked++ >= n_table) {
			q_fail(q, "descriptor chain %u loops or is longer than its table (%u)",
			       head, n_table);
			return -EIO;
		}
		memcpy(&d, table + 16 * i, sizeof(d));
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (!q->indirect || in_indirect) {
				q_fail(q, "%s indirect descriptor in chain %u",
				       in_indirect ? "nested" : "unnegotiated", head);
				return -EIO;
			}
			if (d.flags & VIRTQ_DESC_F_NEXT) {
				q_fail(q, "indirect descriptor with NEXT in chain %u", head);
				return -EIO;
			}
			if (d.len == 0 || d.len % 16 || d.len / 16 > VIRTQ_MAX_SEGS) {
				q_fail(q, "indirect table of %u bytes in chain %u", d.len, head);
				return -EIO;
			}
			table = guest_mem_ptr(q->mem, d.addr, d.len);
			if (!table) {
				q_fail(q,
				       "indirect table 0x%llx+0x%x outside guest RAM in chain %u",
				       (unsigned long long)d.addr, d.len, head);
				return -EIO;
			}
			/* Indirect tables are not aligned in guest RAM: read entries by memcpy. */
			n_table = d.len / 16;
			in_indirect = true;
			walked = 0;
			i = 0;
			continue;
		}
		if (add_seg(q, c, &d))
			return -EIO;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		i = d.next;
		if (i >= n_table) {
			q_fail(q, "descriptor %u's next %u is outside its table (%u) in chain %u",
			       i, d.next, n_table, head);
			return -EIO;
		}
	}
	q->last_avail++;
	return 1;
}

void virtq_unpop(struct virtq *q, unsigned n)
{
	q->last_avail -= (uint16_t)n;
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	uint8_t *e;

	if (!q->ready)
		return;
	e = q->used + 4 + 8 * (q->used_idx % q->size);
	uint32_t id = head;
	memcpy(e, &id, 4);
	memcpy(e + 4, &len, 4);
	q->used_idx++;
	store16_release(q->used + 2, q->used_idx);
}

bool virtq_should_notify(struct virtq *q)
{
	uint16_t old, new_idx, event;
	bool valid;

	if (!q->ready)
		return false;
	/* The used index store must be visible before we read the guest's suppression state. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!q->event_idx)
		return !(load16(q->avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	old = q->signalled_used;
	valid = q->signalled_valid;
	new_idx = q->used_idx;
	q->signalled_used = new_idx;
	q->signalled_valid = true;
	if (!valid)
		return true;
	event = load16(q->avail + 4 + 2 * q->size);
	/* vring_need_event(): did used pass used_event since the last signal? */
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

bool virtq_enable_kick(struct virtq *q)
{
	if (!q->ready || q->broken)
		return false;
	if (q->event_idx) {
		uint16_t v = q->last_avail;

		memcpy(q->used + 4 + 8 * q->size, &v, 2);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return load16_acquire(q->avail + 2) != q->last_avail;
}

size_t virtq_chain_read(const struct virtq_chain *c, size_t off, void *dst, size_t len)
{
	size_t done = 0;

	for (unsigned i = 0; i < c->n_out && done < len; i++) {
		const struct virtq_seg *s = &c->seg[i];
		size_t n;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off;
		if (n > len - done)
			n = len - done;
		memcpy((uint8_t *)dst + done, s->ptr + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t virtq_chain_write(const struct virtq_chain *c, size_t off, const void *src, size_t len)
{
	size_t done = 0;

	for (unsigned i = c->n_out; i < c->n_out + c->n_in && done < len; i++) {
		const struct virtq_seg *s = &c->seg[i];
		size_t n;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off;
		if (n > len - done)
			n = len - done;
		memcpy(s->ptr + off, (const uint8_t *)src + done, n);
		done += n;
		off = 0;
	}
	return done;
}
