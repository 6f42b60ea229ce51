/* tap.h: the host side of virtio-net: a Linux tap device with a 12-byte virtio-net header
 * (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, TUNSETVNETHDRSZ), non-blocking, close-on-exec.
 *
 * Frames cross it as [12-byte struct virtio_net_hdr_mrg_rxbuf][Ethernet frame], one frame per
 * read()/writev(). A multiqueue tap (IFF_MULTI_QUEUE) is opened as one struct tap per queue (one
 * fd each, the kernel spreads the host's flows over them); queues can be detached and attached
 * again (TUNSETQUEUE) so that the kernel only steers frames to queues the guest uses. Tests,
 * fuzzers and benchmarks use tap_open_fd() over any packet fd (a SOCK_SEQPACKET socketpair keeps
 * frame boundaries) where offload settings are no-ops. */
#ifndef BULWARK_DEV_TAP_H
#define BULWARK_DEV_TAP_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#define TAP_VNET_HDR_LEN 12

#define TAP_MAX_QUEUES 8

struct tap {
	int fd;
	bool is_tun;	  /* a real tap: TUNSETOFFLOAD applies */
	bool multi_queue; /* one queue of an IFF_MULTI_QUEUE tap: TUNSETQUEUE applies */
	bool attached;	  /* (multi_queue) the kernel steers frames to this queue */
	char name[IFNAMSIZ];
};

/* Opens (or creates) tap name. Returns NULL with err naming the tap and the reason. */
struct tap *tap_open(const char *name, char *err, size_t errlen);
/* Opens n (1 to TAP_MAX_QUEUES) queues of tap name into out[0..n): n == 1 is tap_open(), n > 1
 * opens it with IFF_MULTI_QUEUE (a persistent tap must have been created multi_queue). All
 * attached. 0, or -errno with err naming the tap, the queue and the reason (nothing left open). */
int tap_open_queues(const char *name, unsigned n, struct tap **out, char *err, size_t errlen);
/* Attaches or detaches a queue of a multiqueue tap (TUNSETQUEUE); no-op otherwise or when it
 * already is. 0 or -errno. */
int tap_set_queue(struct tap *t, bool attach);
/* Wraps an fd carrying frames with the 12-byte header (takes ownership). */
struct tap *tap_open_fd(int fd, const char *name);
/* TUN_F_* offloads the guest can take (TUNSETOFFLOAD); 0 or -errno. No-op on a wrapped fd. */
int tap_set_offload(struct tap *t, unsigned flags);
void tap_close(struct tap *t);

#endif
