/* test_helpers.c: the helper table (ids, names and prototypes as Linux's <linux/bpf.h>, MAC
 * classes from the policy vocabulary), the helper functions themselves, bpf_trace_printk's
 * formatting, and the program types (context layouts, verdict ranges, helper lists, lookup by
 * name). */
#include <errno.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <string.h>

#include "bulwark/ctx.h"
#include "ebpf/epoch.h"
#include "ebpf/helpers.h"
#include "ebpf/maps.h"
#include "harness.h"
#include "trust/vocab.h"

static uint64_t call(uint32_t id, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	const struct ebpf_helper *h = ebpf_helper_by_id(id);

	return h && h->fn ? h->fn(a1, a2, a3, a4, 0) : 0xdeadULL;
}

TEST(ids_and_names_are_linux)
{
	static const struct {
		uint32_t id;
		const char *name;
	} want[] = {
	    {BPF_FUNC_map_lookup_elem, "bpf_map_lookup_elem"},
	    {BPF_FUNC_map_update_elem, "bpf_map_update_elem"},
	    {BPF_FUNC_map_delete_elem, "bpf_map_delete_elem"},
	    {BPF_FUNC_ktime_get_ns, "bpf_ktime_get_ns"},
	    {BPF_FUNC_trace_printk, "bpf_trace_printk"},
	    {BPF_FUNC_get_prandom_u32, "bpf_get_prandom_u32"},
	    {BPF_FUNC_get_smp_processor_id, "bpf_get_smp_processor_id"},
	    {BPF_FUNC_tail_call, "bpf_tail_call"},
	    {BPF_FUNC_ktime_get_boot_ns, "bpf_ktime_get_boot_ns"},
	    {BPF_FUNC_ringbuf_output, "bpf_ringbuf_output"},
	    {BPF_FUNC_ringbuf_reserve, "bpf_ringbuf_reserve"},
	    {BPF_FUNC_ringbuf_submit, "bpf_ringbuf_submit"},
	    {BPF_FUNC_ringbuf_discard, "bpf_ringbuf_discard"},
	    {BPF_FUNC_ringbuf_query, "bpf_ringbuf_query"},
	    {BPF_FUNC_ktime_get_coarse_ns, "bpf_ktime_get_coarse_ns"},
	};
	size_t n;
	const struct ebpf_helper *const *all = ebpf_helpers_all(&n);

	CHECK_EQ(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct ebpf_helper *h = ebpf_helper_by_id(want[i].id);

		CHECK(h != NULL);
		if (h)
			CHECK_STR(h->name, want[i].name);
	}
	for (size_t i = 0; i < n; i++) {
		CHECK(all[i]->fn != NULL);
		CHECK(all[i]->cost > 0);
		/* every class is one the policy knows */
		CHECK(trust_obj_from_name(TRUST_OBJ_HELPER, all[i]->mac_class) >= 0);
	}
	CHECK(ebpf_helper_by_id(0) == NULL);
	CHECK(ebpf_helper_by_id(BPF_FUNC_probe_read) == NULL);
	CHECK(ebpf_helper_by_id(BULWARK_HELPER_BASE) == NULL);
	CHECK(BULWARK_HELPER_BASE > __BPF_FUNC_MAX_ID);
}

TEST(prototypes)
{
	const struct ebpf_helper *h = ebpf_helper_by_id(BPF_FUNC_map_lookup_elem);

	CHECK_EQ(h->ret, EBPF_RET_PTR_TO_MAP_VALUE_OR_NULL);
	CHECK_EQ(h->arg[0], EBPF_ARG_CONST_MAP_PTR);
	CHECK_EQ(h->arg[1], EBPF_ARG_PTR_TO_MAP_KEY);
	CHECK_EQ(h->arg[2], EBPF_ARG_NONE);
	CHECK(h->map_types & (1ull << EBPF_MAP_LPM_TRIE));
	CHECK(!(h->map_types & (1ull << EBPF_MAP_RINGBUF)));
	CHECK_STR(h->mac_class, "map");
	h = ebpf_helper_by_id(BPF_FUNC_map_update_elem);
	CHECK_EQ(h->arg[2], EBPF_ARG_PTR_TO_MAP_VALUE);
	CHECK_EQ(h->arg[3], EBPF_ARG_ANYTHING);
	h = ebpf_helper_by_id(BPF_FUNC_ringbuf_reserve);
	CHECK_EQ(h->ret, EBPF_RET_PTR_TO_MEM_OR_NULL);
	CHECK_EQ(h->arg[1], EBPF_ARG_CONST_ALLOC_SIZE);
	CHECK_EQ(h->map_types, 1ull << EBPF_MAP_RINGBUF);
	CHECK_STR(h->mac_class, "event");
	h = ebpf_helper_by_id(BPF_FUNC_ringbuf_submit);
	CHECK_EQ(h->arg[0], EBPF_ARG_PTR_TO_ALLOC_MEM);
	CHECK_EQ(h->ret, EBPF_RET_VOID);
	h = ebpf_helper_by_id(BPF_FUNC_tail_call);
	CHECK_EQ(h->arg[0], EBPF_ARG_PTR_TO_CTX);
	CHECK_EQ(h->map_types, 1ull << EBPF_MAP_PROG_ARRAY);
	h = ebpf_helper_by_id(BPF_FUNC_trace_printk);
	CHECK_EQ(h->arg[0], EBPF_ARG_PTR_TO_MEM);
	CHECK_EQ(h->arg[1], EBPF_ARG_CONST_SIZE);
	CHECK_STR(h->mac_class, "trace");
	CHECK_STR(ebpf_helper_by_id(BPF_FUNC_ktime_get_ns)->mac_class, "time");
	CHECK_STR(ebpf_helper_by_id(BPF_FUNC_get_prandom_u32)->mac_class, "random");
}

TEST(trace_printk_format)
{
	uint64_t a[3] = {(uint64_t)-5, 0xabcdef0123ull, 'z'};
	char out[64];

	CHECK_EQ(ebpf_trace_format(out, sizeof(out), "v=%d %llx %c\n", 16, a), 17);
	CHECK_STR(out, "v=-5 abcdef0123 z");
	CHECK_EQ(ebpf_trace_format(out, sizeof(out), "%u %lu%%", 9, a), 24);
	CHECK_STR(out, "4294967291 737894400291%");
	CHECK_EQ(ebpf_trace_format(out, sizeof(out), "%s", 3, a), -EINVAL);
	CHECK_EQ(ebpf_trace_format(out, sizeof(out), "%n", 3, a), -EINVAL);
	CHECK_EQ(ebpf_trace_format(out, sizeof(out), "%d%d%d%d", 9, a), -EINVAL);
	CHECK_EQ(ebpf_trace_format(out, sizeof(out), "%lllx", 6, a), -EINVAL);
	CHECK_EQ(ebpf_trace_format(out, sizeof(out), "ab%", 3, a), -EINVAL);
	/* fmt_size bounds the read even without a NUL */
	CHECK_EQ(ebpf_trace_format(out, sizeof(out), "abcdef", 3, a), 3);
	CHECK_STR(out, "abc");
	CHECK_EQ(ebpf_trace_format(out, 4, "abcdef", 7, a), 3); /* truncated to the buffer */
	CHECK_STR(out, "abc");
}

static char sink_line[128];
static void sink(const char *prog, const char *line)
{
	snprintf(sink_line, sizeof(sink_line), "%s|%s", prog, line);
}

TEST(helper_functions)
{
	struct ebpf_map_def d = {
	    .type = EBPF_MAP_HASH, .key_size = 4, .value_size = 8, .max_entries = 8, .name = "h"};
	struct ebpf_map_def rd = {.type = EBPF_MAP_RINGBUF, .max_entries = 4096, .name = "rb"};
	struct ebpf_map_def pd = {.type = EBPF_MAP_PROG_ARRAY,
				  .key_size = 4,
				  .value_size = 4,
				  .max_entries = 2,
				  .name = "pa"};
	struct ebpf_map *m = ebpf_map_create(&d, 1, NULL, 0),
			*rb = ebpf_map_create(&rd, 1, NULL, 0);
	struct ebpf_map *pa = ebpf_map_create(&pd, 1, NULL, 0);
	uint32_t k = 3;
	uint64_t v = 77, t1, t2, r[4];
	struct ebpf_prog target = {.name = "t"};
	static const char fmt[] = "x=%d";
	uint8_t *rec;

	CHECK(m && rb && pa);
	if (!m || !rb || !pa)
		return;
	ebpf_epoch_enter();
	CHECK_EQ(call(BPF_FUNC_map_lookup_elem, (uintptr_t)m, (uintptr_t)&k, 0, 0), 0);
	CHECK_EQ(
	    call(BPF_FUNC_map_update_elem, (uintptr_t)m, (uintptr_t)&k, (uintptr_t)&v, BPF_NOEXIST),
	    0);
	CHECK_EQ((int64_t)call(BPF_FUNC_map_update_elem, (uintptr_t)m, (uintptr_t)&k, (uintptr_t)&v,
			       BPF_NOEXIST),
		 -EEXIST);
	CHECK_EQ(*(uint64_t *)(uintptr_t)call(BPF_FUNC_map_lookup_elem, (uintptr_t)m, (uintptr_t)&k,
					      0, 0),
		 77);
	CHECK_EQ(call(BPF_FUNC_map_delete_elem, (uintptr_t)m, (uintptr_t)&k, 0, 0), 0);
	CHECK_EQ((int64_t)call(BPF_FUNC_map_delete_elem, (uintptr_t)m, (uintptr_t)&k, 0, 0),
		 -ENOENT);
	ebpf_epoch_exit();
	t1 = call(BPF_FUNC_ktime_get_ns, 0, 0, 0, 0);
	t2 = call(BPF_FUNC_ktime_get_ns, 0, 0, 0, 0);
	CHECK(t1 > 0 && t2 >= t1);
	for (int i = 0; i < 4; i++)
		r[i] = call(BPF_FUNC_get_prandom_u32, 0, 0, 0, 0);
	CHECK(r[0] <= UINT32_MAX && (r[0] != r[1] || r[1] != r[2] || r[2] != r[3]));
	ebpf_run_ctx_current()->vcpu = 5;
	CHECK_EQ(call(BPF_FUNC_get_smp_processor_id, 0, 0, 0, 0), 5);
	ebpf_run_ctx_current()->vcpu = 0;
	ebpf_trace_set_sink(sink);
	CHECK_EQ(call(BPF_FUNC_trace_printk, (uintptr_t)fmt, sizeof(fmt), 42, 0), 4);
	CHECK_STR(sink_line, "(host)|x=42");
	ebpf_trace_set_sink(NULL);
	/* ring buffer through the helpers */
	CHECK_EQ(call(BPF_FUNC_ringbuf_output, (uintptr_t)rb, (uintptr_t)&v, 8, 0), 0);
	rec = (uint8_t *)(uintptr_t)call(BPF_FUNC_ringbuf_reserve, (uintptr_t)rb, 16, 0, 0);
	CHECK(rec != NULL);
	CHECK_EQ(call(BPF_FUNC_ringbuf_query, (uintptr_t)rb, 0, 0, 0), 16 + 24);
	call(BPF_FUNC_ringbuf_discard, (uintptr_t)rec, 0, 0, 0);
	CHECK_EQ(call(BPF_FUNC_ringbuf_query, (uintptr_t)rb, 1, 0, 0), 4096);
	CHECK_EQ((int64_t)call(BPF_FUNC_ringbuf_output, (uintptr_t)rb, (uintptr_t)&v, 8, 4),
		 -EINVAL);
	/* tail call target */
	CHECK(ebpf_helper_tail_call_target((uintptr_t)pa, 1) == NULL);
	CHECK_EQ(ebpf_prog_array_set(pa, 1, &target), 0);
	CHECK(ebpf_helper_tail_call_target((uintptr_t)pa, 1) == &target);
	CHECK(ebpf_helper_tail_call_target((uintptr_t)pa, 1 + (1ull << 32)) == &target); /* u32 */
	CHECK(ebpf_helper_tail_call_target((uintptr_t)pa, 2) == NULL);
	CHECK(ebpf_helper_tail_call_target((uintptr_t)m, 1) == NULL); /* not a prog array */
	ebpf_map_put(m);
	ebpf_map_put(rb);
	ebpf_map_put(pa);
}

TEST(prog_types)
{
	const struct ebpf_prog_type *x = ebpf_prog_type_find("xdp");
	const struct ebpf_prog_type *names[4];
	static const char *const n[4] = {"xdp", "blk", "mem.write", "msr.write"};

	CHECK(x != NULL);
	if (!x)
		return;
	CHECK(ebpf_prog_type_find("net") == x);
	CHECK(ebpf_prog_type_find("nope") == NULL);
	CHECK(ebpf_prog_type_find(NULL) == NULL);
	CHECK(ebpf_prog_type_find("mem:") == NULL);
	CHECK(ebpf_prog_type_find("mem:12x") == NULL);
	CHECK_EQ(x->ctx_size, sizeof(struct xdp_md));
	CHECK_EQ(x->ret_min, XDP_ABORTED);
	CHECK_EQ(x->ret_max, BW_XDP_PUNT);
	CHECK_EQ(x->n_fields, 6);
	CHECK_STR(x->fields[1].name, "data_end");
	CHECK_EQ(x->fields[1].off, offsetof(struct xdp_md, data_end));
	CHECK_EQ(x->fields[1].size, 4);
	CHECK_EQ(x->fields[1].kind, EBPF_CTX_PKT_END);
	CHECK_EQ(x->fields[1].real_off, offsetof(struct bw_xdp_runtime, data_end));
	CHECK_EQ(x->fields[1].real_size, 8);
	CHECK_EQ(x->fields[3].real_size, 4);
	for (int i = 0; i < 4; i++) {
		names[i] = ebpf_prog_type_find(n[i]);
		CHECK(names[i] != NULL);
		if (!names[i])
			continue;
		CHECK_STR(names[i]->name, n[i]);
		CHECK(ebpf_helper_for_type(names[i], BPF_FUNC_map_lookup_elem) ==
		      ebpf_helper_by_id(BPF_FUNC_map_lookup_elem));
		CHECK(ebpf_helper_for_type(names[i], BPF_FUNC_ringbuf_output) != NULL);
		CHECK(ebpf_helper_for_type(names[i], BPF_FUNC_probe_read) == NULL);
		/* fields lie inside the context, in order, each within its runtime struct */
		for (unsigned f = 0; f < names[i]->n_fields; f++) {
			const struct ebpf_ctx_field *fl = &names[i]->fields[f];

			CHECK(fl->off + fl->size <= names[i]->ctx_size);
			CHECK(f == 0 || fl->off >= names[i]->fields[f - 1].off +
						       names[i]->fields[f - 1].size);
			CHECK(fl->kind == EBPF_CTX_SCALAR ? fl->real_size == fl->size
							  : fl->real_size == 8);
		}
		CHECK(names[i]->hook_names && names[i]->hook_names[0]);
	}
	CHECK_EQ(names[1]->ret_max, BW_PUNT);
	CHECK_EQ(names[3]->fields[2].off, offsetof(struct bw_msr_write_md, value));
	CHECK_EQ(names[2]->fields[5].real_off, offsetof(struct bw_mem_write_runtime, data));
	CHECK(ebpf_helper_for_type(NULL, 1) == NULL);
}

HARNESS_MAIN(ids_and_names_are_linux, prototypes, trace_printk_format, helper_functions, prog_types)
