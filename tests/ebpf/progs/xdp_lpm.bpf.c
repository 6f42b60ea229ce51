/* xdp_lpm.bpf.c: an XDP source-address filter: the IPv4 (or IPv6) source is matched against a
 * longest-prefix-match trie of prefixes (a block list of 10,000 in the benchmark); the value of
 * the longest matching prefix is the verdict. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdp_flow.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, LPM_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v4_key);
	__type(value, __u32);
} src_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, LPM_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v6_key);
	__type(value, __u32);
} src_v6 SEC(".maps");

SEC("xdp")
int xdp_lpm(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 *verdict;

	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		struct lpm_v4_key k = {.prefixlen = 32};

		if ((void *)(ip + 1) > end)
			return XDP_DROP;
		__builtin_memcpy(k.addr, &ip->saddr, 4);
		verdict = bpf_map_lookup_elem(&src_v4, &k);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		struct lpm_v6_key k = {.prefixlen = 128};

		if ((void *)(ip6 + 1) > end)
			return XDP_DROP;
		__builtin_memcpy(k.addr, &ip6->saddr, 16);
		verdict = bpf_map_lookup_elem(&src_v6, &k);
	} else {
		return XDP_PASS;
	}
	if (!verdict)
		return XDP_PASS;
	return *verdict == XDP_DROP ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
