/* ringbuf.bpf.c: events through a ring buffer: a reserved record submitted for odd MSRs,
 * discarded for even ones, and a copied record (bpf_ringbuf_output) every time. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bulwark/ctx.h>

struct event {
	__u32 kind;
	__u32 msr;
	__u64 value;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("bulwark/msr.write")
int emit(struct bw_msr_write_md *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	struct event copy = {.kind = 2, .msr = ctx->msr, .value = ctx->value};

	if (!e)
		return 0;
	e->kind = 1;
	e->msr = ctx->msr;
	e->value = ctx->value;
	if (ctx->msr & 1)
		bpf_ringbuf_submit(e, 0);
	else
		bpf_ringbuf_discard(e, 0);
	return bpf_ringbuf_output(&events, &copy, sizeof(copy), 0) == 0 ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
