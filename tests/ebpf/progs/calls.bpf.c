/* calls.bpf.c: bpf-to-bpf calls (static noinline functions in .text, a chain three deep, one
 * called from two programs), bounded loops and atomics on a map value (add, or, and, xor, xchg,
 * cmpxchg, 64 and 32 bit). Results go to the "out" array for test-elf.c to check. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bulwark/ctx.h>

struct result {
	__u64 sum; /* loop result */
	__u64 fib; /* through the call chain */
	__u64 add, or, and, xor, xchg_old, cmpxchg_old, cmpxchg_new;
	__u32 add32, xchg32;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct result);
} out SEC(".maps");

static __attribute__((noinline)) __u64 sum_to(__u32 n)
{
	__u64 s = 0;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < 64; i++) {
		if (i >= n)
			break;
		s = s * 3 + (i ^ n);
	}
	return s;
}

static __attribute__((noinline)) __u64 fib(__u32 n)
{
	__u64 a = 0, b = 1;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < 90 && i < n; i++) {
		__u64 t = a + b;

		a = b;
		b = t;
	}
	return a;
}

static __attribute__((noinline)) __u64 middle(__u32 n)
{
	return fib(n) + 1;
}

static __attribute__((noinline)) __u64 outer(__u32 n)
{
	return middle(n) * 2;
}

static __attribute__((noinline)) int atomics(struct result *r, __u64 x)
{
	r->add = 5;
	r->or = 0x10;
	r->and = 0xff;
	r->xor = 0xf0;
	r->add32 = 7;
	__sync_fetch_and_add(&r->add, x);
	__sync_fetch_and_or(&r->or, x);
	__sync_fetch_and_and(&r->and, x);
	__sync_fetch_and_xor(&r->xor, x);
	__sync_fetch_and_add(&r->add32, (__u32)x);
	r->xchg_old = __sync_lock_test_and_set(&r->cmpxchg_new, 99);
	r->cmpxchg_old = __sync_val_compare_and_swap(&r->cmpxchg_new, 99, x);
	r->xchg32 = __sync_lock_test_and_set(&r->add32, 3);
	return 0;
}

SEC("bulwark/msr.write")
int calls_main(struct bw_msr_write_md *ctx)
{
	__u32 k = 0;
	struct result *r = bpf_map_lookup_elem(&out, &k);

	if (!r)
		return 0;
	r->sum = sum_to(ctx->msr);
	r->fib = outer((__u32)ctx->value);
	atomics(r, ctx->rip);
	return 1;
}

SEC("bulwark/msr.write")
int calls_second(struct bw_msr_write_md *ctx)
{
	__u32 k = 1;
	struct result *r = bpf_map_lookup_elem(&out, &k);

	if (!r)
		return 0;
	r->sum = sum_to(ctx->msr + 1);
	return 2;
}

char LICENSE[] SEC("license") = "GPL";
