/* bad_extern.bpf.c: a program reading an extern variable (libbpf resolves those from kconfig or
 * kernel symbols; bulwark has none): the loader must refuse, naming the symbol. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bulwark/ctx.h>

extern __u32 host_secret __attribute__((section(".data.extern")));

SEC("bulwark/msr.write")
int read_extern(struct bw_msr_write_md *ctx)
{
	return host_secret == ctx->msr;
}

char LICENSE[] SEC("license") = "GPL";
