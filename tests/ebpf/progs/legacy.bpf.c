/* legacy.bpf.c: maps defined the old way, in a "maps" section of struct bpf_map_def (libbpf 1.0
 * dropped the struct from its headers; the layout is the kernel samples' one). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bulwark/ctx.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") legacy_hash = {
    .type = BPF_MAP_TYPE_HASH,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u64),
    .max_entries = 16,
};

struct bpf_map_def SEC("maps") legacy_array = {
    .type = BPF_MAP_TYPE_ARRAY,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u32),
    .max_entries = 2,
};

SEC("bulwark/msr.write")
int legacy_prog(struct bw_msr_write_md *ctx)
{
	__u32 msr = ctx->msr, k = 1;
	__u64 value = ctx->value;
	__u32 *a = bpf_map_lookup_elem(&legacy_array, &k);

	bpf_map_update_elem(&legacy_hash, &msr, &value, BPF_ANY);
	if (a)
		*a += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
