/* bad_maptype.bpf.c: a map type bulwark does not implement (perf event array): the loader must
 * refuse with the map's name and type. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bulwark/ctx.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

SEC("bulwark/msr.write")
int uses_perf(struct bw_msr_write_md *ctx)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&perf_events, &k) != 0;
}

char LICENSE[] SEC("license") = "GPL";
