/* tap.h: the host side of virtio-net: a Linux tap device with a 12-byte virtio-net header
 * (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, TUNSETVNETHDRSZ), non-blocking, close-on-exec.
 *
 * Frames cross it as [12-byte struct virtio_net_hdr_mrg_rxbuf][Ethernet frame], one frame per
 * read()/writev(). Tests, fuzzers and benchmarks use tap_open_fd() over any packet fd (a
 * SOCK_SEQPACKET socketpair keeps frame boundaries) where offload settings are no-ops. */
#ifndef BULWARK_DEV_TAP_H
#define BULWARK_DEV_TAP_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#define TAP_VNET_HDR_LEN 12

struct tap {
	int fd;
	bool is_tun; /* a real tap: TUNSETOFFLOAD applies */
	char name[IFNAMSIZ];
};

/* Opens (or creates) tap name. Returns NULL with err naming the tap and the reason. */
struct tap *tap_open(const char *name, char *err, size_t errlen);
/* Wraps an fd carrying frames with the 12-byte header (takes ownership). */
struct tap *tap_open_fd(int fd, const char *name);
/* TUN_F_* offloads the guest can take (TUNSETOFFLOAD); 0 or -errno. No-op on a wrapped fd. */
int tap_set_offload(struct tap *t, unsigned flags);
void tap_close(struct tap *t);

#endif
