/* globals.bpf.c: global data: a constant table in .rodata, an initialised counter in .data, a
 * zeroed buffer in .bss, and a string constant; test-elf.c checks the values the program returns
 * and what it leaves in the sections' maps. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bulwark/ctx.h>

const volatile __u32 table[4] = {10, 20, 30, 40};
const char greeting[] = "hello, bulwark";
__u64 runs = 100;
__u32 last_msr[4];
static volatile __u32 hidden = 7;

SEC("bulwark/msr.write")
int use_globals(struct bw_msr_write_md *ctx)
{
	__u32 i = ctx->msr & 3;

	runs++;
	last_msr[i] = ctx->msr;
	hidden += 1;
	if (ctx->value == 1)
		return greeting[7] == 'b' ? 2 : 0;
	return table[i] == 10 * (i + 1) ? 1 : 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
