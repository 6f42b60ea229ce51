/* tap.c: opening and configuring the tap behind virtio-net (see tap.h): single-queue taps and the
 * queues of a multiqueue tap (IFF_MULTI_QUEUE, one fd per queue pair of the device). */
#include "dev/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Opens one queue of tap name (queue q of n, for messages). */
static struct tap *open_queue(const char *name, unsigned q, unsigned n, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, hdr = TAP_VNET_HDR_LEN, e;
	struct tap *t;
	char which[32] = "";

	if (n > 1)
		snprintf(which, sizeof(which), " queue %u of %u", q, n);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "tap %s%s: cannot open /dev/net/tun: %s", name, which,
			 strerror(errno));
		return NULL;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | (n > 1 ? IFF_MULTI_QUEUE : 0);
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		e = errno;
		snprintf(err, errlen, "tap %s%s: cannot attach (TUNSETIFF): %s%s", name, which,
			 strerror(e),
			 e == EPERM   ? " (needs CAP_NET_ADMIN, or a tap owned by this user)"
			 : e == EBUSY ? " (in use by another process?)"
			 : e == EINVAL
			     ? (n > 1 ? " (a tap created without multi_queue? ip tuntap add ... "
					"multi_queue)"
				      : " (a tap created with multi_queue? give queues=N)")
			     : "");
		close(fd);
		return NULL;
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr)) {
		snprintf(err, errlen, "tap %s%s: cannot set the vnet header size: %s", name, which,
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
	t->multi_queue = n > 1;
	t->attached = true;
	/* Start with no offloads: the tap then never hands us GSO frames before the guest agreed.
	 */
	tap_set_offload(t, 0);
	return t;
}

int tap_open_queues(const char *name, unsigned n, struct tap **out, char *err, size_t errlen)
{
	if (!name || !*name || strlen(name) >= IFNAMSIZ) {
		snprintf(err, errlen, "tap '%s': name must be 1 to %d characters", name ? name : "",
			 IFNAMSIZ - 1);
		return -EINVAL;
	}
	if (n < 1 || n > TAP_MAX_QUEUES) {
		snprintf(err, errlen, "tap %s: %u queues (1 to %d)", name, n, TAP_MAX_QUEUES);
		return -EINVAL;
	}
	for (unsigned i = 0; i < n; i++) {
		out[i] = open_queue(name, i, n, err, errlen);
		if (!out[i]) {
			while (i--) {
				tap_close(out[i]);
				out[i] = NULL;
			}
			return -EIO;
		}
	}
	return 0;
}

struct tap *tap_open(const char *name, char *err, size_t errlen)
{
	struct tap *t = NULL;

	if (tap_open_queues(name, 1, &t, err, errlen))
		return NULL;
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
	t->attached = true;
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

int tap_set_queue(struct tap *t, bool attach)
{
	struct ifreq ifr;

	if (!t->is_tun || !t->multi_queue || t->attached == attach)
		return 0;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = attach ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
	if (ioctl(t->fd, TUNSETQUEUE, &ifr))
		return -errno;
	t->attached = attach;
	return 0;
}

void tap_close(struct tap *t)
{
	if (!t)
		return;
	close(t->fd);
	free(t);
}
