/* tap.c: opening and configuring the tap behind virtio-net (see tap.h). */
#include "dev/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct tap *tap_open(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, hdr = TAP_VNET_HDR_LEN, e;
	struct tap *t;

	if (!name || !*name || strlen(name) >= IFNAMSIZ) {
		snprintf(err, errlen, "tap '%s': name must be 1 to %d characters", name ? name : "",
			 IFNAMSIZ - 1);
		return NULL;
	}
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "tap %s: cannot open /dev/net/tun: %s", name,
			 strerror(errno));
		return NULL;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		e = errno;
		snprintf(err, errlen, "tap %s: cannot attach (TUNSETIFF): %s%s", name, strerror(e),
			 e == EPERM   ? " (needs CAP_NET_ADMIN, or a tap owned by this user)"
			 : e == EBUSY ? " (in use by another process?)"
				      : "");
		close(fd);
		return NULL;
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr)) {
		snprintf(err, errlen, "tap %s: cannot set the vnet header size: %s", name,
			 strerror(errno));
		close(fd);
		return NULL;
	}
	t = tap_open_fd(fd, name);
	if (!t) {
		snprintf(err, errlen, "tap %s: out of memory", name);
		return NULL;
	}
	t->is_tun = true;
	/* Start with no offloads: the tap then never hands us GSO frames before the guest agreed.
	 */
	tap_set_offload(t, 0);
	return t;
}

struct tap *tap_open_fd(int fd, const char *name)
{
	struct tap *t = calloc(1, sizeof(*t));

	if (!t) {
		close(fd);
		return NULL;
	}
	t->fd = fd;
	snprintf(t->name, sizeof(t->name), "%s", name ? name : "fd");
	return t;
}

int tap_set_offload(struct tap *t, unsigned flags)
{
	if (!t->is_tun)
		return 0;
	if (ioctl(t->fd, TUNSETOFFLOAD, (unsigned long)flags))
		return -errno;
	return 0;
}

void tap_close(struct tap *t)
{
	if (!t)
		return;
	close(t->fd);
	free(t);
}
