/* tap_echo.c: host side of tests/dev/kvm-net.sh (not a unit test). Listens on interface IFACE
 * with an AF_PACKET socket for frames of ethertype 0x88b5 (what guest/cpl3/net-echo sends), checks
 * each one's payload (seq, length, pattern), and sends it back to its sender with ethertype
 * 0x88b6. Exits 0 after N distinct good frames, 1 on a bad frame or after TIMEOUT seconds.
 *   tap-echo IFACE N TIMEOUT READY_FILE */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static unsigned frame_len(unsigned seq)
{
	unsigned l = 60 + seq * 97;

	return l > 1514 ? 1514 : l;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll sll = {0};
	unsigned n, good = 0;
	bool seen[256] = {false};
	time_t end;
	int fd;
	FILE *f;

	if (argc != 5) {
		fprintf(stderr, "usage: tap-echo IFACE N TIMEOUT READY_FILE\n");
		return 2;
	}
	n = (unsigned)atoi(argv[2]);
	end = time(NULL) + atoi(argv[3]);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(0x88b5));
	if (fd < 0) {
		perror("tap-echo: socket");
		return 1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(0x88b5);
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "tap-echo: cannot bind to %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	f = fopen(argv[4], "w");
	if (f)
		fclose(f);
	while (good < n && time(NULL) < end) {
		struct pollfd p = {fd, POLLIN, 0};
		uint8_t buf[2048], out[2048];
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t r;
		unsigned seq, len;

		if (poll(&p, 1, 500) <= 0)
			continue;
		r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (r < 17 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		seq = buf[14];
		len = buf[15] | (buf[16] << 8);
		if (seq >= 256 || len + 14 != (unsigned)r || (unsigned)r != frame_len(seq)) {
			fprintf(stderr, "tap-echo: frame %u has length %zd (payload says %u)\n",
				seq, r, len);
			return 1;
		}
		for (unsigned j = 3; j < len; j++)
			if (buf[14 + j] != (uint8_t)(seq * 17 + j)) {
				fprintf(stderr, "tap-echo: frame %u differs at byte %u\n", seq,
					14 + j);
				return 1;
			}
		if (!seen[seq]) {
			seen[seq] = true;
			good++;
		}
		memcpy(out, buf + 6, 6); /* back to the sender */
		memcpy(out + 6, buf, 6);
		out[12] = 0x88;
		out[13] = 0xb6;
		memcpy(out + 14, buf + 14, (size_t)r - 14);
		sll.sll_protocol = htons(0x88b6);
		if (sendto(fd, out, (size_t)r, 0, (struct sockaddr *)&sll, sizeof(sll)) != r) {
			perror("tap-echo: sendto");
			return 1;
		}
	}
	printf("tap-echo: %u good frames from the guest\n", good);
	return good == n ? 0 : 1;
}
