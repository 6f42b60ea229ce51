/* xdp_filter.bpf.c: an XDP firewall fast path: parse Ethernet, IPv4 or IPv6, TCP or UDP, look
 * the 5-tuple up in a hash map of flows and return the flow's verdict (counting its packets);
 * unknown flows pass, malformed packets are dropped. A Linux XDP program: the benchmark runs this
 * same object in the kernel (BPF_PROG_TEST_RUN) and on bulwark's JIT and interpreter. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdp_flow.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FLOW_MAX);
	__type(key, struct flow_key);
	__type(value, struct flow_value);
} flows SEC(".maps");

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct flow_key key = {};
	struct flow_value *v;
	void *l4;

	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->ihl < 5)
			return XDP_DROP;
		__builtin_memcpy(key.saddr, &ip->saddr, 4);
		__builtin_memcpy(key.daddr, &ip->daddr, 4);
		key.proto = ip->protocol;
		key.family = 4;
		l4 = (void *)ip + ip->ihl * 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return XDP_DROP;
		__builtin_memcpy(key.saddr, &ip6->saddr, 16);
		__builtin_memcpy(key.daddr, &ip6->daddr, 16);
		key.proto = ip6->nexthdr;
		key.family = 6;
		l4 = ip6 + 1;
	} else {
		return XDP_PASS;
	}
	if (key.proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > end)
			return XDP_DROP;
		key.sport = tcp->source;
		key.dport = tcp->dest;
	} else if (key.proto == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > end)
			return XDP_DROP;
		key.sport = udp->source;
		key.dport = udp->dest;
	}
	v = bpf_map_lookup_elem(&flows, &key);
	if (!v)
		return XDP_PASS;
	v->packets++;
	return v->verdict == XDP_DROP ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
