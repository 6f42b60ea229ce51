/* virtio_blk.c: virtio-blk over virtio-pci with a raw image file behind it (see virtio_blk.h).
 *
 * One request per descriptor chain: a 16-byte header the device reads (type, reserved, sector),
 * data, and a status byte the device writes (the last writable byte of the chain). Data moves
 * between the file and guest RAM with preadv/pwritev straight into the chain's segments; the
 * worker thread of the transport runs it (virtio_dev_ops.queue_kick). A chain without room for
 * the status byte or with a short header is a guest error: NEEDS_RESET. */
#include "dev/virtio_blk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_blk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/log.h"
#include "dev/virtio_pci.h"

#define BLK_QUEUE_MAX 256
#define BLK_SEG_MAX (BLK_QUEUE_MAX - 2)
#define BLK_HDR_LEN 16
#define BLK_CFG_SIZE 0x40

struct virtio_blk {
	struct virtio_pci *vp;
	int fd;
	bool readonly;
	uint64_t capacity; /* sectors */
	char path[256];
	char serial[VIRTIO_BLK_ID_BYTES];
	struct virtq_chain chain;
	struct iovec iov[VIRTQ_MAX_SEGS];
};

/* iovecs over bytes [off, off + len) of segments [s0, s1) of c. Returns the count. */
static int chain_iov(const struct virtq_chain *c, unsigned s0, unsigned s1, uint64_t off,
		     uint64_t len, struct iovec *iov)
{
	int n = 0;

	for (unsigned i = s0; i < s1 && len; i++) {
		uint64_t l = c->seg[i].len;

		if (off >= l) {
			off -= l;
			continue;
		}
		l -= off;
		if (l > len)
			l = len;
		iov[n++] = (struct iovec){c->seg[i].ptr + off, l};
		len -= l;
		off = 0;
	}
	return n;
}

static bool full_io(ssize_t r, uint64_t want)
{
	return r >= 0 && (uint64_t)r == want;
}

/* preadv/pwritev a possibly long iovec list (IOV_MAX is 1024, as VIRTQ_MAX_SEGS). */
static uint8_t do_io(struct virtio_blk *b, bool write, struct iovec *iov, int n, uint64_t pos,
		     uint64_t len)
{
	ssize_t r = write ? pwritev(b->fd, iov, n, (off_t)pos) : preadv(b->fd, iov, n, (off_t)pos);

	return full_io(r, len) ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
}

/* Serves one request; returns bytes written into the chain (status included) or -1 when the
 * chain itself is malformed. */
static int64_t blk_request(struct virtio_blk *b, struct virtq_chain *c)
{
	struct virtio_blk_outhdr hdr;
	uint8_t status = VIRTIO_BLK_S_OK;
	uint64_t data_in = c->in_len - 1, written = 0;
	int n;

	if (c->out_len < BLK_HDR_LEN || c->n_in == 0 ||
	    virtq_chain_read(c, 0, &hdr, sizeof(hdr)) != sizeof(hdr))
		return -1;
	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT: {
		bool write = hdr.type == VIRTIO_BLK_T_OUT;
		uint64_t len = write ? c->out_len - BLK_HDR_LEN : data_in;
		uint64_t sectors = len / 512;

		if (write && b->readonly) {
			/* The spec has no "read-only" status: Linux expects IOERR (it also saw
			 * VIRTIO_BLK_F_RO and should not have tried). */
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		if (len % 512 || hdr.sector > b->capacity || sectors > b->capacity - hdr.sector) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		if (write)
			n = chain_iov(c, 0, c->n_out, BLK_HDR_LEN, len, b->iov);
		else
			n = chain_iov(c, c->n_out, c->n_out + c->n_in, 0, len, b->iov);
		if (len)
			status = do_io(b, write, b->iov, n, hdr.sector * 512, len);
		if (!write && status == VIRTIO_BLK_S_OK)
			written = len;
		break;
	}
	case VIRTIO_BLK_T_FLUSH:
		if (fdatasync(b->fd))
			status = VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_GET_ID: {
		uint64_t len = data_in < VIRTIO_BLK_ID_BYTES ? data_in : VIRTIO_BLK_ID_BYTES;

		written = virtq_chain_write(c, 0, b->serial, len);
		break;
	}
	default:
		status = VIRTIO_BLK_S_UNSUPP;
	}
	virtq_chain_write(c, c->in_len - 1, &status, 1);
	return (int64_t)written + 1;
}

static void blk_kick(void *opaque, unsigned qi)
{
	struct virtio_blk *b = opaque;
	struct virtq *q = virtio_pci_queue(b->vp, qi);
	int r;

	if (!q)
		return;
	for (;;) {
		while ((r = virtq_pop(q, &b->chain)) == 1) {
			int64_t len = blk_request(b, &b->chain);

			if (len < 0) {
				char why[96];

				snprintf(why, sizeof(why),
					 "request chain %u without a full header or status byte",
					 b->chain.head);
				virtio_pci_needs_reset(b->vp, why);
				return;
			}
			virtq_push(q, b->chain.head, (uint32_t)len);
		}
		if (r < 0) {
			virtio_pci_needs_reset(b->vp, q->err);
			return;
		}
		virtio_pci_notify(b->vp, qi);
		if (!virtq_enable_kick(q))
			break;
	}
}

static void blk_cfg_read(void *opaque, uint32_t off, uint8_t *data, uint32_t len)
{
	struct virtio_blk *b = opaque;
	uint8_t cfg[BLK_CFG_SIZE] = {0};
	uint64_t cap = b->capacity;
	uint32_t seg_max = BLK_SEG_MAX, blk_size = 512, size_max = 0;

	memcpy(cfg + 0, &cap, 8);
	memcpy(cfg + 8, &size_max, 4);
	memcpy(cfg + 12, &seg_max, 4);
	memcpy(cfg + 20, &blk_size, 4);
	if (off < sizeof(cfg) && len <= sizeof(cfg) - off)
		memcpy(data, cfg + off, len);
}

static const struct virtio_dev_ops blk_ops = {
    .cfg_read = blk_cfg_read,
    .queue_kick = blk_kick,
};

struct virtio_blk *virtio_blk_create(struct pci_bus *bus, struct dev_host *host, const char *path,
				     bool readonly, char *err, size_t errlen)
{
	struct virtio_pci_config cfg = {
	    .name = "virtio-blk",
	    .device_type = 2,
	    .class_code = 0x018000, /* mass storage, other */
	    .features = (1ULL << VIRTIO_BLK_F_SEG_MAX) | (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
			(1ULL << VIRTIO_BLK_F_FLUSH) | (readonly ? 1ULL << VIRTIO_BLK_F_RO : 0),
	    .num_queues = 1,
	    .queue_max = BLK_QUEUE_MAX,
	    .cfg_size = BLK_CFG_SIZE,
	    .ops = &blk_ops,
	};
	struct virtio_blk *b;
	struct stat st;
	const char *base;

	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "disk %s: out of memory", path);
		return NULL;
	}
	b->fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->fd < 0) {
		snprintf(err, errlen, "disk %s: cannot open%s: %s", path,
			 readonly ? " read-only" : " read-write", strerror(errno));
		free(b);
		return NULL;
	}
	if (fstat(b->fd, &st) || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		snprintf(err, errlen, "disk %s: not a regular file or block device", path);
		goto fail;
	}
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(b->fd, 0, SEEK_END);

		st.st_size = end < 0 ? 0 : end;
	}
	if (st.st_size % 512)
		bw_warn(
		    "disk %s: size %lld is not a multiple of 512; the last %lld bytes are unused",
		    path, (long long)st.st_size, (long long)(st.st_size % 512));
	b->capacity = (uint64_t)st.st_size / 512;
	b->readonly = readonly;
	snprintf(b->path, sizeof(b->path), "%s", path);
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	/* GET_ID: up to 20 bytes, not NUL-terminated when all 20 are used. */
	memcpy(b->serial, base, strnlen(base, sizeof(b->serial)));
	cfg.dev = b;
	b->vp = virtio_pci_create(bus, host, &cfg);
	if (!b->vp) {
		snprintf(err, errlen, "disk %s: cannot add the virtio-blk PCI function", path);
		goto fail;
	}
	return b;
fail:
	close(b->fd);
	free(b);
	return NULL;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	if (!b)
		return;
	virtio_pci_destroy(b->vp);
	if (!b->readonly && fdatasync(b->fd))
		bw_err("disk %s: flush failed: %s", b->path, strerror(errno));
	close(b->fd);
	free(b);
}

struct virtio_pci *virtio_blk_transport(struct virtio_blk *b)
{
	return b->vp;
}
