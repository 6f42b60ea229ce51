/* fw_range.bpf.c: an XDP firewall of 110 rules as vendors write them: protocol, source and
 * destination address under a per-rule wildcard mask, and a destination port range written as
 * two compares (`dp >= lo && dp <= hi`). The compares refine a register that stays live, and
 * clang keeps the verdict of a half-matched rule in r0: without precision tracking the
 * verifier's states differ in values nothing depends on and cannot prune each other
 * (before, bulwark refused these 110 rules: more than 1,000,000 instructions processed; with
 * it about 7,400, the kernel 6.18 6,892). From 120 rules on, clang keeps the masks in registers
 * and both verifiers exceed the limit. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>

#define M1(i) (0xff000000u | ((((i)*40503u) & 0xffffu) << 8))
#define M2(i) (0xffff0000u | (((i)*2654435761u) & 0xffffu))
#define LO(i) (((i)*37u) % 60000u)
#define RULE(i)                                                                               \
	if (proto == ((i) % 3 == 0 ? 17 : 6) && (s & M1(i)) == (((i)*2654435761u) & M1(i)) && \
	    (d & M2(i)) == (((i)*40503u + 12345u) & M2(i)) && dp >= LO(i) &&                  \
	    dp <= LO(i) + (i) % 200)                                                          \
		return XDP_DROP;
#define RULES10(b)                                                                          \
	RULE(b + 1)                                                                         \
	RULE(b + 2) RULE(b + 3) RULE(b + 4) RULE(b + 5) RULE(b + 6) RULE(b + 7) RULE(b + 8) \
	    RULE(b + 9) RULE(b + 10)

SEC("xdp")
int fw_range110(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);

	if ((void *)(tcp + 1) > end)
		return XDP_PASS;
	if (eth->h_proto != __builtin_bswap16(ETH_P_IP))
		return XDP_PASS;
	__u32 s = __builtin_bswap32(ip->saddr), d = __builtin_bswap32(ip->daddr);
	__u16 dp = __builtin_bswap16(tcp->dest);
	__u8 proto = ip->protocol;

	RULES10(0)
	RULES10(10) RULES10(20) RULES10(30) RULES10(40) RULES10(50) RULES10(60) RULES10(70)
	    RULES10(80) RULES10(90) RULES10(100) return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
