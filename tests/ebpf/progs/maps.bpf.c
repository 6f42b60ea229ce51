/* maps.bpf.c: one program using a map of each data type (test-elf.c runs it on both engines
 * and checks the maps from the host): on each MSR write it counts the MSR in a hash map, adds
 * the value to an array slot with an atomic add, counts per vCPU, remembers the MSR in an LRU
 * hash, and looks the low 32 bits of the value up as an IPv4 address in an LPM trie, whose value
 * (0-2, a msr.write verdict) it returns. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bulwark/ctx.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} msr_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} sums SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} per_vcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} recent SEC(".maps");

struct lpm_v4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v4);
	__type(value, __u32);
} routes SEC(".maps");

SEC("bulwark/msr.write")
int count_msr(struct bw_msr_write_md *ctx)
{
	__u32 msr = ctx->msr, slot = ctx->msr & 7, zero = 0;
	__u64 one = 1, rip, *v;
	struct lpm_v4 k = {.prefixlen = 32};
	__u32 *route;

	v = bpf_map_lookup_elem(&msr_count, &msr);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&msr_count, &msr, &one, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&sums, &slot);
	if (v)
		__sync_fetch_and_add(v, ctx->value);
	v = bpf_map_lookup_elem(&per_vcpu, &zero);
	if (v)
		*v += 1;
	rip = ctx->rip; /* helpers take stack or map memory, not the context */
	bpf_map_update_elem(&recent, &msr, &rip, BPF_ANY);
	__builtin_memcpy(k.addr, &ctx->value, 4);
	route = bpf_map_lookup_elem(&routes, &k);
	if (!route)
		return 0;
	return *route <= 2 ? *route : 0;
}

char LICENSE[] SEC("license") = "GPL";
