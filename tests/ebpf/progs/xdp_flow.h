/* xdp_flow.h: the 5-tuple parsing shared by xdp_filter.bpf.c and the benchmark's native C twin
 * (bench/ebpf/bench-engine.c), so both run the same logic. Included by BPF C and host C. */
#ifndef XDP_FLOW_H
#define XDP_FLOW_H

#include <linux/types.h>

struct flow_key {
	__u8 saddr[16]; /* IPv4: first 4 bytes, rest zero */
	__u8 daddr[16];
	__u16 sport, dport; /* network order */
	__u8 proto;
	__u8 family; /* 4 or 6 */
	__u8 pad[2];
};

struct flow_value {
	__u32 verdict;
	__u32 pad;
	__u64 packets;
};

struct lpm_v4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct lpm_v6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

#define FLOW_MAX 65536
#define LPM_MAX 16384

#endif
