/* bench_engine.c: the engine benchmark of issue 3 (bench/ebpf/bench-engine.sh). Two XDP filters
 * built by clang from tests/ebpf/progs/ (xdp_filter: Ethernet/IPv4/IPv6/TCP/UDP parse + 5-tuple
 * hash lookup; xdp_lpm: source address against an LPM trie of 10,000 prefixes), on 64-byte
 * packets, timed on bulwark's JIT, its interpreter, the same logic as native C (calling the same
 * map code), and the Linux kernel's JIT through BPF_PROG_TEST_RUN (same ELF, loaded by libbpf;
 * needs root). Each engine's empty program (xdp_empty / an empty C function) is the baseline that
 * is subtracted. A measurement is a batch of many packet runs; per packet min and median over
 * repeated batches. Also: JIT compile time per instruction slot. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulwark/ctx.h"
#include "ebpf/elf_loader.h"
#include "ebpf/epoch.h"
#include "ebpf/jit.h"
#include "ebpf/maps.h"
#include "ebpf/verifier.h"
#include "../../tests/ebpf/progs/xdp_flow.h"

#ifdef HAVE_LIBBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#endif

#define N_PKTS 256
#define N_FLOWS 1024
#define N_PREFIXES 10000
#define REPS 15

static uint8_t pkts[N_PKTS][64];
static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* packet i: flow i % N_FLOWS (hits for even i, misses for odd), IPv4 TCP, IPv4 UDP or IPv6 UDP */
static void make_packets(void)
{
	for (int i = 0; i < N_PKTS; i++) {
		uint8_t *p = pkts[i];
		uint32_t f = (uint32_t)i % N_FLOWS;
		uint16_t sport = htons((uint16_t)(1000 + f + (i & 1) * 30000)), dport = htons(80);
		uint16_t proto;

		memset(p, 0, 64);
		if (i % 3 != 2) {
			struct iphdr ip = {.version = 4, .ihl = 5};

			proto = htons(ETH_P_IP);
			ip.protocol = i % 3 ? IPPROTO_UDP : IPPROTO_TCP;
			ip.saddr = htonl(0x0a000000 | f);
			ip.daddr = htonl(0xc0a80001);
			memcpy(p + 14, &ip, sizeof(ip));
			memcpy(p + 34, &sport, 2);
			memcpy(p + 36, &dport, 2);
		} else {
			struct ipv6hdr ip6 = {.version = 6, .nexthdr = IPPROTO_UDP};

			proto = htons(ETH_P_IPV6);
			ip6.saddr.s6_addr[0] = 0x20;
			ip6.saddr.s6_addr[1] = 0x01;
			memcpy(&ip6.saddr.s6_addr[12], &f, 4);
			ip6.daddr.s6_addr[15] = 1;
			memcpy(p + 14, &ip6, sizeof(ip6));
			memcpy(p + 54, &sport, 2);
			memcpy(p + 56, &dport, 2);
		}
		memcpy(p + 12, &proto, 2);
	}
}

/* The flow key of packet i as the filter builds it. */
static void flow_key_of(int i, struct flow_key *k)
{
	const uint8_t *p = pkts[i];

	memset(k, 0, sizeof(*k));
	if (p[12] == 0x08) {
		memcpy(k->saddr, p + 26, 4);
		memcpy(k->daddr, p + 30, 4);
		k->proto = p[23];
		k->family = 4;
		memcpy(&k->sport, p + 34, 2);
		memcpy(&k->dport, p + 36, 2);
	} else {
		memcpy(k->saddr, p + 22, 16);
		memcpy(k->daddr, p + 38, 16);
		k->proto = p[20];
		k->family = 6;
		memcpy(&k->sport, p + 54, 2);
		memcpy(&k->dport, p + 56, 2);
	}
}

/* ---- native C twins of the two filters (same parse, same map code) ---------------------- */

static struct ebpf_map *n_flows, *n_v4, *n_v6;

static __attribute__((noinline)) int native_filter(const struct bw_xdp_runtime *ctx)
{
	const uint8_t *data = ctx->data, *end = ctx->data_end, *l4;
	struct flow_key key;
	struct flow_value *v;
	uint16_t proto;

	if (data + 14 > end)
		return XDP_DROP;
	memset(&key, 0, sizeof(key));
	memcpy(&proto, data + 12, 2);
	if (proto == htons(ETH_P_IP)) {
		if (data + 34 > end || (data[14] & 15) < 5)
			return XDP_DROP;
		memcpy(key.saddr, data + 26, 4);
		memcpy(key.daddr, data + 30, 4);
		key.proto = data[23];
		key.family = 4;
		l4 = data + 14 + (data[14] & 15) * 4;
	} else if (proto == htons(ETH_P_IPV6)) {
		if (data + 54 > end)
			return XDP_DROP;
		memcpy(key.saddr, data + 22, 16);
		memcpy(key.daddr, data + 38, 16);
		key.proto = data[20];
		key.family = 6;
		l4 = data + 54;
	} else {
		return XDP_PASS;
	}
	if (key.proto == IPPROTO_TCP || key.proto == IPPROTO_UDP) {
		if (l4 + (key.proto == IPPROTO_TCP ? 20 : 8) > end)
			return XDP_DROP;
		memcpy(&key.sport, l4, 2);
		memcpy(&key.dport, l4 + 2, 2);
	}
	v = ebpf_map_lookup(n_flows, &key);
	if (!v)
		return XDP_PASS;
	v->packets++;
	return v->verdict == XDP_DROP ? XDP_DROP : XDP_PASS;
}

static __attribute__((noinline)) int native_lpm(const struct bw_xdp_runtime *ctx)
{
	const uint8_t *data = ctx->data, *end = ctx->data_end;
	uint32_t *verdict;
	uint16_t proto;

	if (data + 14 > end)
		return XDP_DROP;
	memcpy(&proto, data + 12, 2);
	if (proto == htons(ETH_P_IP)) {
		struct lpm_v4_key k = {.prefixlen = 32};

		if (data + 34 > end)
			return XDP_DROP;
		memcpy(k.addr, data + 26, 4);
		verdict = ebpf_map_lookup(n_v4, &k);
	} else if (proto == htons(ETH_P_IPV6)) {
		struct lpm_v6_key k = {.prefixlen = 128};

		if (data + 54 > end)
			return XDP_DROP;
		memcpy(k.addr, data + 22, 16);
		verdict = ebpf_map_lookup(n_v6, &k);
	} else {
		return XDP_PASS;
	}
	if (!verdict)
		return XDP_PASS;
	return *verdict == XDP_DROP ? XDP_DROP : XDP_PASS;
}

static __attribute__((noinline)) int native_empty(const struct bw_xdp_runtime *ctx)
{
	return XDP_PASS;
}

/* ---- populating maps (same contents everywhere) ------------------------------------------- */

typedef int (*put_fn)(void *map, const void *key, const void *value);

static void fill_flows(put_fn put, void *map)
{
	for (int i = 0; i < N_PKTS; i += 2) {
		struct flow_key k;
		struct flow_value v = {.verdict = (i / 2) % 4 ? XDP_PASS : XDP_DROP};

		flow_key_of(i, &k);
		put(map, &k, &v);
	}
	for (int i = 0; i < N_FLOWS - N_PKTS / 2; i++) { /* more flows, never hit */
		struct flow_key k = {.family = 4, .proto = IPPROTO_TCP};
		struct flow_value v = {.verdict = XDP_PASS};
		uint32_t a = 0x0b000000 + (uint32_t)i;

		memcpy(k.saddr, &a, 4);
		put(map, &k, &v);
	}
}

static void fill_lpm(put_fn put, void *v4, void *v6)
{
	rnd_state = 777;
	for (int i = 0; i < N_PREFIXES; i++) {
		struct lpm_v4_key k = {.prefixlen = 16 + rnd() % 17};
		uint32_t a = rnd(), verdict = i % 2 ? XDP_DROP : XDP_PASS;

		if (i < N_PKTS) /* prefixes covering the packets' sources (10.0.0.x) */
			a = htonl(0x0a000000 | (uint32_t)i), k.prefixlen = 24 + (uint32_t)i % 9;
		a &= k.prefixlen ? htonl(~0u << (32 - k.prefixlen)) : 0;
		memcpy(k.addr, &a, 4);
		put(v4, &k, &verdict);
	}
	for (int i = 0; i < 1000; i++) {
		struct lpm_v6_key k = {.prefixlen = 32 + rnd() % 97};
		uint32_t verdict = XDP_DROP;

		for (int b = 0; b < 16; b++)
			k.addr[b] = (uint8_t)rnd();
		k.addr[0] = 0x20;
		k.addr[1] = 0x01;
		for (uint32_t b = k.prefixlen; b < 128; b++)
			k.addr[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
		put(v6, &k, &verdict);
	}
}

static int put_bulwark(void *map, const void *key, const void *value)
{
	return ebpf_map_update(map, key, value, BPF_ANY);
}

/* ---- timing --------------------------------------------------------------------------------- */

struct fig {
	double min, med;
};

typedef uint64_t (*run_fn)(void *prog, struct bw_xdp_runtime *ctx);

struct cfg {
	run_fn run;
	void *prog;
	int batches;
	double t[REPS];
};

static struct bw_xdp_runtime ctxs[N_PKTS];

/* One measurement of one configuration: ns per packet over a batch. */
static double time_batch(const struct cfg *c)
{
	volatile uint64_t sink = 0;
	double t0 = now_ns();

	for (int b = 0; b < c->batches; b++)
		for (int i = 0; i < N_PKTS; i++)
			sink += c->run(c->prog, &ctxs[i]);
	(void)sink;
	return (now_ns() - t0) / ((double)c->batches * N_PKTS);
}

/* Measures all configurations in turn, REPS rounds, so that machine noise hits them alike. */
static void time_all(struct cfg *c, int n, struct fig *out)
{
	for (int i = 0; i < N_PKTS; i++)
		ctxs[i] = (struct bw_xdp_runtime){
		    .data = pkts[i], .data_end = pkts[i] + 64, .data_meta = pkts[i]};
	for (int r = 0; r < REPS; r++)
		for (int k = 0; k < n; k++)
			c[k].t[r] = time_batch(&c[k]);
	for (int k = 0; k < n; k++) {
		qsort(c[k].t, REPS, sizeof(double), cmp_d);
		out[k] = (struct fig){c[k].t[0], c[k].t[REPS / 2]};
	}
}

static uint64_t run_bulwark(void *prog, struct bw_xdp_runtime *ctx)
{
	return ebpf_prog_run(prog, (uint64_t)(uintptr_t)ctx, 0);
}

static uint64_t run_native(void *fn, struct bw_xdp_runtime *ctx)
{
	uint64_t r;

	ebpf_epoch_enter(); /* what ebpf_prog_run does around a program */
	r = (uint64_t)((int (*)(const struct bw_xdp_runtime *))fn)(ctx);
	ebpf_epoch_exit();
	return r;
}

static struct ebpf_object *load(const char *path, bool jit, char *err, size_t errlen)
{
	struct ebpf_object *o = NULL;
	FILE *f = fopen(path, "rb");
	static uint8_t buf[1 << 20];
	size_t n;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (ebpf_elf_load(buf, n, path, &o, err, errlen))
		return NULL;
	for (uint32_t i = 0; i < o->n_progs; i++) {
		struct ebpf_verify_result res;

		if (ebpf_verify(o->progs[i], NULL, &res)) {
			snprintf(err, errlen, "%s: %.900s", o->progs[i]->name, res.message);
			ebpf_verify_result_free(&res);
			ebpf_object_free(o);
			return NULL;
		}
		ebpf_verify_result_free(&res);
		if (jit && ebpf_jit_compile(o->progs[i], NULL, err, errlen)) {
			ebpf_object_free(o);
			return NULL;
		}
	}
	return o;
}

/* ---- the kernel ------------------------------------------------------------------------------ */

#ifdef HAVE_LIBBPF
static int put_kernel(void *map, const void *key, const void *value)
{
	struct bpf_map *m = map;

	return bpf_map__update_elem(m, key, bpf_map__key_size(m), value, bpf_map__value_size(m),
				    BPF_ANY);
}

/* ns per run of prog over the packets, min and median over REPS (kernel-measured duration) */
static int kernel_time(struct bpf_program *prog, int repeat, struct fig *out)
{
	double t[REPS];
	int fd = bpf_program__fd(prog);

	for (int r = 0; r < REPS; r++) {
		double sum = 0;

		for (int i = 0; i < N_PKTS; i++) {
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkts[i], .data_size_in = 64,
				    .repeat = repeat);
			int e = bpf_prog_test_run_opts(fd, &o);

			if (e)
				return e;
			sum += o.duration;
		}
		t[r] = sum / N_PKTS;
	}
	qsort(t, REPS, sizeof(t[0]), cmp_d);
	*out = (struct fig){t[0], t[REPS / 2]};
	return 0;
}

static struct bpf_object *kernel_load(const char *path, char *why, size_t len)
{
	struct bpf_object *o = bpf_object__open_file(path, NULL);
	int e;

	if (!o) {
		snprintf(why, len, "open %s: %s", path, strerror(errno));
		return NULL;
	}
	e = bpf_object__load(o);
	if (e) {
		snprintf(why, len, "load %s: %s", path, strerror(-e));
		bpf_object__close(o);
		return NULL;
	}
	return o;
}
#endif

static void row(const char *name, struct fig f, struct fig base)
{
	printf("  %-22s %8.2f %8.2f   (raw min %.2f, empty-program baseline %.2f)\n", name,
	       f.min - base.min, f.med - base.med, f.min, base.min);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "build/tests/ebpf";
	char fpath[512], lpath[512], err[1024];
	struct ebpf_object *fj, *fi, *lj, *li;
	struct fig r[2][5], base[4];
	int batches = 200;

	snprintf(fpath, sizeof(fpath), "%s/xdp_filter.bpf.o", dir);
	snprintf(lpath, sizeof(lpath), "%s/xdp_lpm.bpf.o", dir);
	make_packets();
	fj = load(fpath, true, err, sizeof(err));
	fi = fj ? load(fpath, false, err, sizeof(err)) : NULL;
	lj = fi ? load(lpath, true, err, sizeof(err)) : NULL;
	li = lj ? load(lpath, false, err, sizeof(err)) : NULL;
	if (!li) {
		fprintf(stderr, "bench-engine: %s\n", err);
		return 1;
	}
	fill_flows(put_bulwark, ebpf_object_map(fj, "flows"));
	fill_flows(put_bulwark, ebpf_object_map(fi, "flows"));
	n_flows = ebpf_object_map(fi, "flows"); /* native C uses the interpreter object's maps */
	fill_lpm(put_bulwark, ebpf_object_map(lj, "src_v4"), ebpf_object_map(lj, "src_v6"));
	fill_lpm(put_bulwark, ebpf_object_map(li, "src_v4"), ebpf_object_map(li, "src_v6"));
	n_v4 = ebpf_object_map(li, "src_v4");
	n_v6 = ebpf_object_map(li, "src_v6");

	/* sanity: every engine gives the same verdicts */
	for (int i = 0; i < N_PKTS; i++) {
		struct bw_xdp_runtime c = {pkts[i], pkts[i] + 64, pkts[i], 0, 0, 0, 0};
		uint64_t a = run_bulwark(ebpf_object_prog(fj, "xdp_filter"), &c);
		uint64_t b = run_bulwark(ebpf_object_prog(fi, "xdp_filter"), &c);
		uint64_t n = run_native((void *)native_filter, &c);
		uint64_t la = run_bulwark(ebpf_object_prog(lj, "xdp_lpm"), &c);
		uint64_t lb = run_bulwark(ebpf_object_prog(li, "xdp_lpm"), &c);
		uint64_t ln = run_native((void *)native_lpm, &c);

		if (a != b || a != n || la != lb || la != ln) {
			fprintf(stderr, "bench-engine: engines disagree on packet %d\n", i);
			return 1;
		}
	}

	printf("bulwark engine benchmark: %d distinct 64-byte packets (IPv4 TCP/UDP, IPv6 UDP; "
	       "half hit a flow), %d batches x %d repetitions, ns per packet\n",
	       N_PKTS, batches, REPS);
	{
		struct cfg c[9] = {
		    {run_bulwark, ebpf_object_prog(fj, "xdp_empty"), batches},
		    {run_bulwark, ebpf_object_prog(fi, "xdp_empty"), batches / 4},
		    {run_native, (void *)native_empty, batches},
		    {run_bulwark, ebpf_object_prog(fj, "xdp_filter"), batches},
		    {run_bulwark, ebpf_object_prog(fi, "xdp_filter"), batches / 4},
		    {run_native, (void *)native_filter, batches},
		    {run_bulwark, ebpf_object_prog(lj, "xdp_lpm"), batches},
		    {run_bulwark, ebpf_object_prog(li, "xdp_lpm"), batches / 4},
		    {run_native, (void *)native_lpm, batches},
		};
		struct fig out[9];

		time_all(c, 9, out);
		for (int k = 0; k < 3; k++) {
			base[k] = out[k];
			r[0][k] = out[3 + k];
			r[1][k] = out[6 + k];
		}
	}

	bool have_kernel = false;
	char why[512] = "bulwark was built without libbpf";
#ifdef HAVE_LIBBPF
	{
		struct bpf_object *kf, *kl = NULL;

		libbpf_set_print(NULL);
		kf = kernel_load(fpath, why, sizeof(why));
		if (kf)
			kl = kernel_load(lpath, why, sizeof(why));
		if (kf && kl) {
			fill_flows(put_kernel, bpf_object__find_map_by_name(kf, "flows"));
			fill_lpm(put_kernel, bpf_object__find_map_by_name(kl, "src_v4"),
				 bpf_object__find_map_by_name(kl, "src_v6"));
			int e = kernel_time(bpf_object__find_program_by_name(kf, "xdp_empty"), 2000,
					    &base[3]);
			if (!e)
				e = kernel_time(bpf_object__find_program_by_name(kf, "xdp_filter"),
						2000, &r[0][3]);
			if (!e)
				e = kernel_time(bpf_object__find_program_by_name(kl, "xdp_lpm"),
						2000, &r[1][3]);
			if (e)
				snprintf(why, sizeof(why), "BPF_PROG_TEST_RUN: %s", strerror(-e));
			else
				have_kernel = true;
		}
		bpf_object__close(kf);
		bpf_object__close(kl);
	}
#endif
	const char *names[2] = {"5-tuple hash filter", "LPM source filter (10,000 prefixes)"};

	for (int f = 0; f < 2; f++) {
		double jit = r[f][0].min - base[0].min, in = r[f][1].min - base[1].min;
		double nat = r[f][2].min - base[2].min;

		printf("\n%s: body ns/packet        min   median\n", names[f]);
		row("bulwark JIT", r[f][0], base[0]);
		row("bulwark interpreter", r[f][1], base[1]);
		row("native C (same maps)", r[f][2], base[2]);
		if (have_kernel)
			row("Linux kernel JIT", r[f][3], base[3]);
		else
			printf("  %-22s unavailable: %s\n", "Linux kernel JIT", why);
		printf(
		    "  ratios (min): JIT/native %.2f (goal <= 1.2), interpreter/JIT %.2f (goal <= "
		    "10)",
		    jit / nat, in / jit);
		if (have_kernel)
			printf(", JIT/kernel %.2f", jit / (r[f][3].min - base[3].min));
		printf("\n");
	}

	/* JIT compile time per instruction slot */
	{
		struct ebpf_prog *p = ebpf_object_prog(fj, "xdp_filter");
		double t[REPS];

		for (int rr = 0; rr < REPS; rr++) {
			double t0 = now_ns();

			for (int k = 0; k < 50; k++) {
				ebpf_jit_free(p->jit);
				p->jit = NULL;
				if (ebpf_jit_compile(p, NULL, err, sizeof(err)))
					return 1;
			}
			t[rr] = (now_ns() - t0) / 50 / p->n_insns;
		}
		qsort(t, REPS, sizeof(t[0]), cmp_d);
		printf("\nJIT compile time: %.1f ns per instruction slot (min; median %.1f) on "
		       "xdp_filter (%u slots)\n",
		       t[0], t[REPS / 2], p->n_insns);
	}
	ebpf_object_free(fj);
	ebpf_object_free(fi);
	ebpf_object_free(lj);
	ebpf_object_free(li);
	return 0;
}
