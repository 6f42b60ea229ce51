/* tail.bpf.c: tail calls through a prog array whose slots are set in the object itself
 * (__array(values, ...)): the entry program jumps to slot (msr & 3); slot 1 and 2 hold programs,
 * slot 3 is empty (the call fails and the entry program goes on). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bulwark/ctx.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} trail SEC(".maps");

static void mark(__u64 what)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&trail, &k);

	if (v)
		*v = *v * 10 + what;
}

SEC("bulwark/msr.write")
int tail_one(struct bw_msr_write_md *ctx)
{
	mark(1);
	return 1;
}

SEC("bulwark/msr.write")
int tail_two(struct bw_msr_write_md *ctx)
{
	mark(2);
	return 2;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} jump SEC(".maps") = {
    .values = {[1] = (void *)&tail_one, [2] = (void *)&tail_two},
};

SEC("bulwark/msr.write")
int tail_entry(struct bw_msr_write_md *ctx)
{
	mark(9);
	bpf_tail_call(ctx, &jump, ctx->msr & 3);
	mark(7);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
