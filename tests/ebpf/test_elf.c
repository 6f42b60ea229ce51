/* test_elf.c: ELF objects compiled by clang from tests/ebpf/progs/NAME.bpf.c at build time (as
 * vendors build extensions), loaded with ebpf_elf_load, verified with ebpf_verify, and run on
 * both engines (interpreter and JIT) through ebpf_prog_run: maps of each type (BTF-defined and
 * legacy), global data, bpf-to-bpf calls, bounded loops, atomics, tail calls, ring buffers and XDP
 * programs; the results and the map contents are checked from the host. Then the refusals: each
 * names the section, symbol and offset. */
#include <errno.h>
#include <gelf.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/ctx.h"
#include "ebpf/elf_loader.h"
#include "ebpf/epoch.h"
#include "ebpf/jit.h"
#include "ebpf/maps.h"
#include "ebpf/verifier.h"
#include "harness.h"
#include "progs/xdp_flow.h"

#ifndef BPF_OBJ_DIR
#define BPF_OBJ_DIR NULL
#endif

static uint8_t *read_obj(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	uint8_t *buf;
	long n;

	if (!BPF_OBJ_DIR)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s.bpf.o", BPF_OBJ_DIR ? BPF_OBJ_DIR : "", name);
	f = fopen(path, "rb");
	if (!f) {
		printf("# cannot open %s\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* the last program's verification result in load() (its log freed) */
static struct ebpf_verify_result load_last;

/* Loads name.bpf.o, verifies every program and, for the JIT engine, compiles it. */
static struct ebpf_object *load(const char *name, bool jit, unsigned n_vcpus)
{
	struct ebpf_elf_opts opts = {.n_vcpus = n_vcpus};
	struct ebpf_object *obj = NULL;
	size_t len;
	uint8_t *data = read_obj(name, &len);
	char err[512];

	CHECK(data != NULL);
	if (!data)
		return NULL;
	if (ebpf_elf_load_opts(data, len, name, &opts, &obj, err, sizeof(err))) {
		printf("# load %s: %s\n", name, err);
		CHECK(!"load failed");
		free(data);
		return NULL;
	}
	free(data);
	for (uint32_t i = 0; i < obj->n_progs; i++) {
		struct ebpf_verify_result res;
		int r = ebpf_verify(obj->progs[i], NULL, &res);

		if (r)
			printf("# verify %s/%s: %s\n", name, obj->progs[i]->name, res.message);
		CHECK_EQ(r, 0);
		load_last = res;
		load_last.log = NULL;
		ebpf_verify_result_free(&res);
		if (jit && !r) {
			r = ebpf_jit_compile(obj->progs[i], NULL, err, sizeof(err));
			if (r)
				printf("# jit %s/%s: %s\n", name, obj->progs[i]->name, err);
			CHECK_EQ(r, 0);
			CHECK(obj->progs[i]->jit != NULL);
		}
	}
	return obj;
}

static bool have_objects(void)
{
	if (BPF_OBJ_DIR)
		return true;
	SKIP("clang was not found at configure time: no BPF objects were built");
	return false;
}

static uint64_t run_msr(struct ebpf_prog *p, uint32_t msr, uint64_t value, uint64_t rip)
{
	struct bw_msr_write_md ctx = {.msr = msr, .vcpu = 0, .value = value, .rip = rip};

	return ebpf_prog_run(p, (uint64_t)(uintptr_t)&ctx, 0);
}

static void maps_on(bool jit)
{
	struct ebpf_object *o = load("maps", jit, 2);
	struct ebpf_map *count, *sums, *per, *recent, *routes;
	struct ebpf_prog *p;
	uint64_t v, pv[2];
	uint32_t k, r;
	struct lpm_v4_key lk;

	if (!o)
		return;
	CHECK_EQ(o->n_maps, 5);
	CHECK_STR(o->license, "GPL");
	p = ebpf_object_prog(o, "count_msr");
	count = ebpf_object_map(o, "msr_count");
	sums = ebpf_object_map(o, "sums");
	per = ebpf_object_map(o, "per_vcpu");
	recent = ebpf_object_map(o, "recent");
	routes = ebpf_object_map(o, "routes");
	CHECK(p && count && sums && per && recent && routes);
	if (!p || !count || !sums || !per || !recent || !routes)
		goto out;
	CHECK_EQ(ebpf_map_def(count)->type, EBPF_MAP_HASH);
	CHECK_EQ(ebpf_map_def(count)->key_size, 4);
	CHECK_EQ(ebpf_map_def(count)->value_size, 8);
	CHECK_EQ(ebpf_map_def(count)->max_entries, 64);
	CHECK_EQ(ebpf_map_def(routes)->key_size, 8);
	CHECK_EQ(ebpf_map_def(routes)->flags, BPF_F_NO_PREALLOC);
	CHECK_EQ(ebpf_map_n_vcpus(per), 2);
	lk = (struct lpm_v4_key){8, {10, 0, 0, 0}};
	r = 1;
	CHECK_EQ(ebpf_map_update(routes, &lk, &r, BPF_ANY), 0);
	lk = (struct lpm_v4_key){16, {10, 1, 0, 0}};
	r = 2;
	CHECK_EQ(ebpf_map_update(routes, &lk, &r, BPF_ANY), 0);
	/* value's low 4 bytes, little-endian, are the address: 0x0302010a is 10.1.2.3 */
	CHECK_EQ(run_msr(p, 0x10, 0x0302010a, 0x1000), 2);
	CHECK_EQ(run_msr(p, 0x10, 0x0302020a, 0x2000), 1);
	CHECK_EQ(run_msr(p, 0x11, 0x0302020b, 0x3000), 0);
	ebpf_run_ctx_current()->vcpu = 1;
	CHECK_EQ(run_msr(p, 0x18, 5, 0x4000), 0);
	ebpf_run_ctx_current()->vcpu = 0;
	k = 0x10;
	CHECK_EQ(ebpf_map_lookup_copy(count, &k, &v), 0);
	CHECK_EQ(v, 2);
	k = 0x11;
	CHECK_EQ(ebpf_map_lookup_copy(count, &k, &v), 0);
	CHECK_EQ(v, 1);
	CHECK_EQ(ebpf_map_count(count), 3);
	k = 0;
	CHECK_EQ(ebpf_map_lookup_copy(sums, &k, &v), 0); /* 0x10 & 7 and 0x18 & 7 */
	CHECK_EQ(v, 0x0302010aull + 0x0302020aull + 5);
	k = 1;
	CHECK_EQ(ebpf_map_lookup_copy(sums, &k, &v), 0);
	CHECK_EQ(v, 0x0302020bull);
	k = 0;
	CHECK_EQ(ebpf_map_lookup_copy(per, &k, pv), 0);
	CHECK_EQ(pv[0], 3); /* vCPU 0 ran three times, vCPU 1 once */
	CHECK_EQ(pv[1], 1);
	k = 0x18;
	CHECK_EQ(ebpf_map_lookup_copy(recent, &k, &v), 0);
	CHECK_EQ(v, 0x4000);
	CHECK_EQ(ebpf_map_count(recent), 3);
out:
	ebpf_object_free(o);
}

TEST(maps_interp)
{
	if (have_objects())
		maps_on(false);
}

TEST(maps_jit)
{
	if (have_objects())
		maps_on(true);
}

static void globals_on(bool jit)
{
	struct ebpf_object *o = load("globals", jit, 1);
	struct ebpf_map *ro, *d, *bss;
	struct ebpf_prog *p;
	uint32_t k = 0;

	if (!o)
		return;
	p = ebpf_object_prog(o, "use_globals");
	ro = ebpf_object_map(o, ".rodata");
	d = ebpf_object_map(o, ".data");
	bss = ebpf_object_map(o, ".bss");
	CHECK(p && ro && d && bss);
	if (!p || !ro || !d || !bss)
		goto out;
	CHECK_STR(o->license, "Dual BSD/GPL");
	CHECK(ebpf_map_frozen(ro));
	CHECK(ebpf_map_def(ro)->flags & EBPF_F_RDONLY_PROG);
	CHECK(!ebpf_map_frozen(d));
	CHECK_EQ(ebpf_map_update(ro, &k, ebpf_map_direct_value(ro), BPF_ANY), -EPERM);
	/* initial contents: table {10,20,30,40}, runs = 100 */
	CHECK_EQ(((uint32_t *)ebpf_map_direct_value(ro))[2], 30);
	CHECK(memmem(ebpf_map_direct_value(ro), ebpf_map_def(ro)->value_size, "hello, bulwark",
		     15) != NULL);
	CHECK_EQ(run_msr(p, 6, 0, 0), 1);
	CHECK_EQ(run_msr(p, 7, 1, 0), 2);
	CHECK_EQ(run_msr(p, 9, 0, 0), 1);
	CHECK(memmem(ebpf_map_direct_value(d), ebpf_map_def(d)->value_size, &(uint64_t){103}, 8) !=
	      NULL); /* runs */
	CHECK(memmem(ebpf_map_direct_value(d), ebpf_map_def(d)->value_size, &(uint32_t){10}, 4) !=
	      NULL); /* hidden: 7 + 3 */
	CHECK_EQ(ebpf_map_def(bss)->value_size, 16);
	CHECK_EQ(((uint32_t *)ebpf_map_direct_value(bss))[2], 6);
	CHECK_EQ(((uint32_t *)ebpf_map_direct_value(bss))[3], 7);
	CHECK_EQ(((uint32_t *)ebpf_map_direct_value(bss))[1], 9);
out:
	ebpf_object_free(o);
}

TEST(globals_interp)
{
	if (have_objects())
		globals_on(false);
}

TEST(globals_jit)
{
	if (have_objects())
		globals_on(true);
}

struct result {
	uint64_t sum, fib, add, or, and, xor, xchg_old, cmpxchg_old, cmpxchg_new;
	uint32_t add32, xchg32;
};

static uint64_t ref_sum(uint32_t n)
{
	uint64_t s = 0;

	for (uint32_t i = 0; i < 64 && i < n; i++)
		s = s * 3 + (i ^ n);
	return s;
}

static uint64_t ref_fib(uint32_t n)
{
	uint64_t a = 0, b = 1;

	for (uint32_t i = 0; i < 90 && i < n; i++) {
		uint64_t t = a + b;

		a = b;
		b = t;
	}
	return a;
}

static void calls_on(bool jit)
{
	struct ebpf_object *o = load("calls", jit, 1);
	struct ebpf_prog *p, *q;
	struct ebpf_map *out;
	struct result r;
	uint32_t k = 0;
	uint64_t x = 0x0f0f0000000000aaull;

	if (!o)
		return;
	p = ebpf_object_prog(o, "calls_main");
	q = ebpf_object_prog(o, "calls_second");
	out = ebpf_object_map(o, "out");
	CHECK(p && q && out);
	if (!p || !q || !out)
		goto out;
	/* main + sum_to, outer, middle, fib, atomics: the callees were appended to the program */
	CHECK_EQ(p->n_funcs, 6);
	CHECK_EQ(q->n_funcs, 2);
	CHECK_STR(p->funcs[0].name, "calls_main");
	CHECK_EQ(run_msr(p, 50, 80, x), 1);
	CHECK_EQ(run_msr(q, 20, 0, 0), 2);
	CHECK_EQ(ebpf_map_lookup_copy(out, &k, &r), 0);
	CHECK_EQ(r.sum, ref_sum(50));
	CHECK_EQ(r.fib, (ref_fib(80) + 1) * 2);
	CHECK_EQ(r.add, 5 + x);
	CHECK_EQ(r.or, 0x10 | x);
	CHECK_EQ(r.and, 0xff & x);
	CHECK_EQ(r.xor, 0xf0 ^ x);
	CHECK_EQ(r.xchg_old, 0);
	CHECK_EQ(r.cmpxchg_old, 99);
	CHECK_EQ(r.cmpxchg_new, x);
	CHECK_EQ(r.xchg32, (uint32_t)(7 + (uint32_t)x));
	CHECK_EQ(r.add32, 3);
	k = 1;
	CHECK_EQ(ebpf_map_lookup_copy(out, &k, &r), 0);
	CHECK_EQ(r.sum, ref_sum(21));
out:
	ebpf_object_free(o);
}

TEST(calls_loops_atomics_interp)
{
	if (have_objects())
		calls_on(false);
}

TEST(calls_loops_atomics_jit)
{
	if (have_objects())
		calls_on(true);
}

static void tail_on(bool jit)
{
	struct ebpf_object *o = load("tail", jit, 1);
	struct ebpf_prog *entry;
	struct ebpf_map *trail, *jump;
	uint32_t k = 0;
	uint64_t v, zero = 0;

	if (!o)
		return;
	entry = ebpf_object_prog(o, "tail_entry");
	trail = ebpf_object_map(o, "trail");
	jump = ebpf_object_map(o, "jump");
	CHECK(entry && trail && jump);
	if (!entry || !trail || !jump)
		goto out;
	CHECK(ebpf_prog_array_get(jump, 1) == ebpf_object_prog(o, "tail_one"));
	CHECK(ebpf_prog_array_get(jump, 2) == ebpf_object_prog(o, "tail_two"));
	CHECK(ebpf_prog_array_get(jump, 3) == NULL);
	CHECK_EQ(run_msr(entry, 1, 0, 0), 1);
	CHECK_EQ(ebpf_map_lookup_copy(trail, &k, &v), 0);
	CHECK_EQ(v, 91);
	CHECK_EQ(ebpf_map_update(trail, &k, &zero, BPF_ANY), 0);
	CHECK_EQ(run_msr(entry, 6, 0, 0), 2);
	CHECK_EQ(ebpf_map_lookup_copy(trail, &k, &v), 0);
	CHECK_EQ(v, 92);
	CHECK_EQ(ebpf_map_update(trail, &k, &zero, BPF_ANY), 0);
	CHECK_EQ(run_msr(entry, 3, 0, 0), 0); /* empty slot: the entry program goes on */
	CHECK_EQ(ebpf_map_lookup_copy(trail, &k, &v), 0);
	CHECK_EQ(v, 97);
	/* the host changes a slot: the next run follows it */
	CHECK_EQ(ebpf_prog_array_set(jump, 3, ebpf_object_prog(o, "tail_one")), 0);
	CHECK_EQ(ebpf_map_update(trail, &k, &zero, BPF_ANY), 0);
	CHECK_EQ(run_msr(entry, 3, 0, 0), 1);
	CHECK_EQ(ebpf_map_lookup_copy(trail, &k, &v), 0);
	CHECK_EQ(v, 91);
out:
	ebpf_object_free(o);
}

TEST(tail_calls_interp)
{
	if (have_objects())
		tail_on(false);
}

TEST(tail_calls_jit)
{
	if (have_objects())
		tail_on(true);
}

struct ev {
	uint32_t kind, msr;
	uint64_t value;
};

static int collect(void *opaque, const void *data, uint32_t size)
{
	struct ev *evs = opaque;
	int i = 0;

	while (evs[i].kind)
		i++;
	if (size == sizeof(struct ev) && i < 15)
		memcpy(&evs[i], data, size);
	return 0;
}

static void ringbuf_on(bool jit)
{
	struct ebpf_object *o = load("ringbuf", jit, 1);
	struct ebpf_prog *p;
	struct ebpf_map *rb;
	struct ev evs[16];

	if (!o)
		return;
	p = ebpf_object_prog(o, "emit");
	rb = ebpf_object_map(o, "events");
	CHECK(p && rb);
	if (!p || !rb)
		goto out;
	CHECK_EQ(ebpf_map_def(rb)->max_entries, 4096);
	CHECK_EQ(run_msr(p, 3, 33, 0), 1);
	CHECK_EQ(run_msr(p, 4, 44, 0), 1);
	memset(evs, 0, sizeof(evs));
	CHECK_EQ(ebpf_ringbuf_consume(rb, collect, evs), 3);
	CHECK_EQ(evs[0].kind, 1); /* reserved and submitted (odd MSR) */
	CHECK_EQ(evs[0].msr, 3);
	CHECK_EQ(evs[0].value, 33);
	CHECK_EQ(evs[1].kind, 2); /* output copy */
	CHECK_EQ(evs[1].msr, 3);
	CHECK_EQ(evs[2].kind, 2); /* MSR 4: the reserved record was discarded */
	CHECK_EQ(evs[2].msr, 4);
	CHECK_EQ(evs[2].value, 44);
out:
	ebpf_object_free(o);
}

TEST(ringbuf_interp)
{
	if (have_objects())
		ringbuf_on(false);
}

TEST(ringbuf_jit)
{
	if (have_objects())
		ringbuf_on(true);
}

static void legacy_on(bool jit)
{
	struct ebpf_object *o = load("legacy", jit, 1);
	struct ebpf_map *h, *a;
	uint32_t k;
	uint64_t v;
	uint32_t c;

	if (!o)
		return;
	h = ebpf_object_map(o, "legacy_hash");
	a = ebpf_object_map(o, "legacy_array");
	CHECK(h && a && o->n_progs == 1);
	if (!h || !a)
		goto out;
	CHECK_EQ(ebpf_map_def(h)->max_entries, 16);
	CHECK_EQ(run_msr(o->progs[0], 0x175, 0xabcdef, 0), 0);
	CHECK_EQ(run_msr(o->progs[0], 0x176, 0x123, 0), 0);
	k = 0x175;
	CHECK_EQ(ebpf_map_lookup_copy(h, &k, &v), 0);
	CHECK_EQ(v, 0xabcdef);
	k = 1;
	CHECK_EQ(ebpf_map_lookup_copy(a, &k, &c), 0);
	CHECK_EQ(c, 2);
out:
	ebpf_object_free(o);
}

TEST(legacy_maps_interp)
{
	if (have_objects())
		legacy_on(false);
}

TEST(legacy_maps_jit)
{
	if (have_objects())
		legacy_on(true);
}

/* A 64-byte IPv4/TCP packet from 10.0.0.1:1234 to 10.0.0.2:80. */
static void make_packet(uint8_t *pkt, uint8_t src_last, uint16_t sport)
{
	struct iphdr ip = {.version = 4, .ihl = 5, .protocol = IPPROTO_TCP};
	struct tcphdr tcp = {.source = htons(sport), .dest = htons(80)};
	uint16_t proto = htons(ETH_P_IP);

	memset(pkt, 0, 64);
	memcpy(pkt + 12, &proto, 2);
	ip.saddr = htonl(0x0a000000 | src_last);
	ip.daddr = htonl(0x0a000002);
	memcpy(pkt + 14, &ip, sizeof(ip));
	memcpy(pkt + 34, &tcp, sizeof(tcp));
}

static uint64_t run_xdp(struct ebpf_prog *p, uint8_t *pkt, size_t len)
{
	struct bw_xdp_runtime ctx = {.data = pkt, .data_end = pkt + len, .data_meta = pkt};

	return ebpf_prog_run(p, (uint64_t)(uintptr_t)&ctx, 0);
}

static void xdp_on(bool jit)
{
	struct ebpf_object *o = load("xdp_filter", jit, 1), *l = load("xdp_lpm", jit, 1);
	struct ebpf_prog *p, *lp;
	struct ebpf_map *flows, *src;
	struct flow_key key = {.proto = IPPROTO_TCP, .family = 4};
	struct flow_value val = {.verdict = XDP_DROP}, got;
	struct lpm_v4_key lk = {24, {10, 0, 0, 0}};
	uint32_t drop = XDP_DROP;
	uint8_t pkt[64];

	if (!o || !l)
		goto out;
	p = ebpf_object_prog(o, "xdp_filter");
	lp = ebpf_object_prog(l, "xdp_lpm");
	flows = ebpf_object_map(o, "flows");
	src = ebpf_object_map(l, "src_v4");
	CHECK(p && lp && flows && src);
	if (!p || !lp || !flows || !src)
		goto out;
	CHECK_STR(p->type->name, "xdp");
	key.saddr[0] = 10;
	key.saddr[3] = 1;
	key.daddr[0] = 10;
	key.daddr[3] = 2;
	key.sport = htons(1234);
	key.dport = htons(80);
	CHECK_EQ(ebpf_map_update(flows, &key, &val, BPF_ANY), 0);
	make_packet(pkt, 1, 1234);
	CHECK_EQ(run_xdp(p, pkt, 64), XDP_DROP);
	CHECK_EQ(run_xdp(p, pkt, 64), XDP_DROP);
	CHECK_EQ(ebpf_map_lookup_copy(flows, &key, &got), 0);
	CHECK_EQ(got.packets, 2);
	make_packet(pkt, 1, 1235); /* another flow */
	CHECK_EQ(run_xdp(p, pkt, 64), XDP_PASS);
	CHECK_EQ(run_xdp(p, pkt, 30), XDP_DROP); /* truncated: no room for the IP header */
	make_packet(pkt, 1, 1234);
	CHECK_EQ(run_xdp(lp, pkt, 64), XDP_PASS);
	CHECK_EQ(ebpf_map_update(src, &lk, &drop, BPF_ANY), 0);
	CHECK_EQ(run_xdp(lp, pkt, 64), XDP_DROP);
	make_packet(pkt, 1, 1234);
	pkt[26] = 11; /* source 11.0.0.1 */
	CHECK_EQ(run_xdp(lp, pkt, 64), XDP_PASS);
out:
	ebpf_object_free(o);
	ebpf_object_free(l);
}

TEST(xdp_interp)
{
	if (have_objects())
		xdp_on(false);
}

TEST(xdp_jit)
{
	if (have_objects())
		xdp_on(true);
}

/* fw_range.bpf.c (110 two-compare port-range rules): accepted within a small processed-instruction
 * count only thanks to the verifier's precision tracking (before it, more than 1,000,000 were
 * processed and the program was refused; now ~7,400, the kernel's 6,892), and it filters */
static void fw_range_on(bool jit)
{
	struct ebpf_object *o = load("fw_range", jit, 1);
	struct ebpf_verify_result res = load_last;
	struct ebpf_prog *p;
	uint8_t pkt[64];
	uint32_t s = htonl(0x9e163100), d = htonl(0x00004830); /* rule 1's addresses */
	uint16_t port;

	if (!o)
		return;
	p = ebpf_object_prog(o, "fw_range110");
	CHECK(p != NULL);
	if (!p)
		goto out;
	printf("#   fw_range110: %" PRIu64 " instructions processed, worst case %" PRIu64 "\n",
	       res.processed, res.worst_case_insns);
	CHECK(res.processed < 20000);
	CHECK(res.worst_case_insns >= 110 && res.worst_case_insns < 2000);
	CHECK_EQ(res.r0_smin, 1);
	CHECK_EQ(res.r0_smax, 2);
	/* rule 1: TCP, both addresses, destination port in [37, 38] */
	for (port = 35; port <= 40; port++) {
		uint16_t dp = htons(port);
		make_packet(pkt, 1, 1234);
		memcpy(pkt + 26, &s, 4);
		memcpy(pkt + 30, &d, 4);
		memcpy(pkt + 36, &dp, 2);
		CHECK_EQ(run_xdp(p, pkt, 64), port == 37 || port == 38 ? XDP_DROP : XDP_PASS);
	}
	pkt[23] = IPPROTO_UDP; /* rule 1 is TCP only */
	CHECK_EQ(run_xdp(p, pkt, 64), XDP_PASS);
out:
	ebpf_object_free(o);
}

TEST(fw_range_interp)
{
	if (have_objects())
		fw_range_on(false);
}

TEST(fw_range_jit)
{
	if (have_objects())
		fw_range_on(true);
}

/* ---- refusals ------------------------------------------------------------------------------ */

static int load_err(const uint8_t *data, size_t len, char *err, size_t errlen)
{
	struct ebpf_object *o = NULL;
	int r = ebpf_elf_load(data, len, "t.o", &o, err, errlen);

	ebpf_object_free(o);
	return r;
}

static void refuse_obj(const char *name, const char *want)
{
	size_t len;
	uint8_t *data = read_obj(name, &len);
	char err[512];

	CHECK(data != NULL);
	if (!data)
		return;
	CHECK_EQ(load_err(data, len, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, want);
	free(data);
}

TEST(refuses_unknown_section_extern_and_map_type)
{
	if (!have_objects())
		return;
	refuse_obj("bad_section", "section 'kprobe/do_sys_open': unknown program type");
	refuse_obj("bad_extern", "relocation to unknown symbol 'host_secret'");
	refuse_obj("bad_extern", "section 'bulwark/msr.write', offset ");
	refuse_obj("bad_maptype", "map 'perf_events'");
	refuse_obj("bad_maptype", "unknown or unsupported type 4");
}

/* Finds the file offset of a section's data by name. */
static long section_offset(uint8_t *data, size_t len, const char *want, size_t *size)
{
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	long off = -1;

	elf_version(EV_CURRENT);
	e = elf_memory((char *)data, len);
	if (!e)
		return -1;
	elf_getshdrstrndx(e, &shstrndx);
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *n;

		gelf_getshdr(scn, &sh);
		n = elf_strptr(e, shstrndx, sh.sh_name);
		if (n && !strcmp(n, want)) {
			off = (long)sh.sh_offset;
			*size = sh.sh_size;
		}
	}
	elf_end(e);
	return off;
}

TEST(refuses_corrupted_objects)
{
	size_t len, size = 0;
	uint8_t *good, *bad;
	char err[512];
	long off;

	if (!have_objects())
		return;
	good = read_obj("legacy", &len);
	CHECK(good != NULL);
	if (!good)
		return;
	bad = malloc(len);
	CHECK_EQ(load_err(good, len, err, sizeof(err)), 0);
	/* not ELF */
	memcpy(bad, good, len);
	bad[1] = 'X';
	CHECK_EQ(load_err(bad, len, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "t.o: not an ELF file");
	/* unknown relocation type on the first relocation of the program section */
	memcpy(bad, good, len);
	off = section_offset(bad, len, ".relbulwark/msr.write", &size);
	CHECK(off > 0 && size >= 16);
	if (off > 0) {
		uint64_t info, roff;

		memcpy(&roff, bad + off, 8);
		memcpy(&info, bad + off + 8, 8);
		info = (info & ~0xffffffffull) | 7;
		memcpy(bad + off + 8, &info, 8);
		CHECK_EQ(load_err(bad, len, err, sizeof(err)), -EINVAL);
		CHECK_CONTAINS(err, "unknown relocation type 7");
		CHECK_CONTAINS(err, "symbol 'legacy_array'");
		/* lddw expected at the relocation: make the instruction a mov */
		memcpy(bad, good, len);
		long text = section_offset(bad, len, "bulwark/msr.write", &size);

		CHECK(text > 0);
		bad[text + roff] = 0xb7;
		CHECK_EQ(load_err(bad, len, err, sizeof(err)), -EINVAL);
		CHECK_CONTAINS(err, "lddw expected at the relocation");
		/* relocation offset outside the section */
		memcpy(bad, good, len);
		roff = 1u << 20;
		memcpy(bad + off, &roff, 8);
		CHECK_EQ(load_err(bad, len, err, sizeof(err)), -EINVAL);
		CHECK_CONTAINS(err, "outside the instructions");
	}
	free(good);
	free(bad);
	/* BTF malformed */
	good = read_obj("maps", &len);
	CHECK(good != NULL);
	if (!good)
		return;
	bad = malloc(len);
	memcpy(bad, good, len);
	off = section_offset(bad, len, ".BTF", &size);
	CHECK(off > 0);
	if (off > 0) {
		bad[off] ^= 0xff; /* magic */
		CHECK_EQ(load_err(bad, len, err, sizeof(err)), -EINVAL);
		CHECK_CONTAINS(err, "section '.BTF': BTF malformed: bad magic");
		memcpy(bad, good, len);
		bad[off + 12] = 0xff; /* type_len huge */
		bad[off + 13] = 0xff;
		bad[off + 14] = 0xff;
		CHECK_EQ(load_err(bad, len, err, sizeof(err)), -EINVAL);
		CHECK_CONTAINS(err, "BTF malformed");
	}
	/* every truncation is refused cleanly */
	for (size_t cut = 0; cut < len; cut += 97)
		CHECK(load_err(good, cut, err, sizeof(err)) < 0);
	free(good);
	free(bad);
}

HARNESS_MAIN(maps_interp, maps_jit, globals_interp, globals_jit, calls_loops_atomics_interp,
	     calls_loops_atomics_jit, tail_calls_interp, tail_calls_jit, ringbuf_interp,
	     ringbuf_jit, legacy_maps_interp, legacy_maps_jit, xdp_interp, xdp_jit, fw_range_interp,
	     fw_range_jit, refuses_unknown_section_extern_and_map_type, refuses_corrupted_objects)
