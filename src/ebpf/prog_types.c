/* prog_types.c: the program types of bulwark's hooks (prog.h): for each, the context the program
 * sees (fields with their offsets in the program's view and in the runtime struct, for the
 * verifier's ctx conversion; include/bulwark/ctx.h), the verdicts it may return, the hooks it
 * attaches to and the helpers it may call. ebpf_prog_type_find() resolves a name ("xdp", "blk",
 * "mem.write", "msr.write", or the conformance test type "mem:SIZE" of prog_type_mem.c). */
#include <errno.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/ctx.h"
#include "ebpf/helpers.h"
#include "ebpf/prog.h"

#define FIELD(NAME, STRUCT, MEMBER, KIND, RSTRUCT, RMEMBER)                             \
	{                                                                               \
		.name = NAME, .off = offsetof(STRUCT, MEMBER),                          \
		.size = sizeof(((STRUCT *)0)->MEMBER), .kind = KIND, .writable = false, \
		.real_off = offsetof(RSTRUCT, RMEMBER),                                 \
		.real_size = sizeof(((RSTRUCT *)0)->RMEMBER)                            \
	}

/* Every hook type may call these. */
#define COMMON_HELPERS                                                                            \
	&ebpf_helper_map_lookup_elem, &ebpf_helper_map_update_elem, &ebpf_helper_map_delete_elem, \
	    &ebpf_helper_ktime_get_ns, &ebpf_helper_ktime_get_boot_ns,                            \
	    &ebpf_helper_ktime_get_coarse_ns, &ebpf_helper_trace_printk,                          \
	    &ebpf_helper_get_prandom_u32, &ebpf_helper_get_smp_processor_id,                      \
	    &ebpf_helper_tail_call, &ebpf_helper_ringbuf_output, &ebpf_helper_ringbuf_reserve,    \
	    &ebpf_helper_ringbuf_submit, &ebpf_helper_ringbuf_discard, &ebpf_helper_ringbuf_query

static const struct ebpf_helper *const hook_helpers[] = {COMMON_HELPERS, NULL};

/* ---- xdp ---------------------------------------------------------------------------------- */

static const struct ebpf_ctx_field xdp_fields[] = {
    FIELD("data", struct xdp_md, data, EBPF_CTX_PKT, struct bw_xdp_runtime, data),
    FIELD("data_end", struct xdp_md, data_end, EBPF_CTX_PKT_END, struct bw_xdp_runtime, data_end),
    FIELD("data_meta", struct xdp_md, data_meta, EBPF_CTX_PKT_META, struct bw_xdp_runtime,
	  data_meta),
    FIELD("ingress_ifindex", struct xdp_md, ingress_ifindex, EBPF_CTX_SCALAR, struct bw_xdp_runtime,
	  ingress_ifindex),
    FIELD("rx_queue_index", struct xdp_md, rx_queue_index, EBPF_CTX_SCALAR, struct bw_xdp_runtime,
	  rx_queue_index),
    FIELD("egress_ifindex", struct xdp_md, egress_ifindex, EBPF_CTX_SCALAR, struct bw_xdp_runtime,
	  egress_ifindex),
};

static const struct ebpf_prog_type type_xdp = {
    .name = "xdp",
    .hook_names = "net.rx net.tx",
    .fields = xdp_fields,
    .n_fields = sizeof(xdp_fields) / sizeof(xdp_fields[0]),
    .ctx_size = sizeof(struct xdp_md),
    .ret_min = XDP_ABORTED,
    .ret_max = BW_XDP_PUNT,
    .helpers = hook_helpers,
};

/* ---- blk ---------------------------------------------------------------------------------- */

static const struct ebpf_ctx_field blk_fields[] = {
    FIELD("sector", struct bw_blk_md, sector, EBPF_CTX_SCALAR, struct bw_blk_runtime, sector),
    FIELD("nr_sectors", struct bw_blk_md, nr_sectors, EBPF_CTX_SCALAR, struct bw_blk_runtime,
	  nr_sectors),
    FIELD("op", struct bw_blk_md, op, EBPF_CTX_SCALAR, struct bw_blk_runtime, op),
    FIELD("dev_index", struct bw_blk_md, dev_index, EBPF_CTX_SCALAR, struct bw_blk_runtime,
	  dev_index),
    FIELD("data", struct bw_blk_md, data, EBPF_CTX_PKT, struct bw_blk_runtime, data),
    FIELD("data_end", struct bw_blk_md, data_end, EBPF_CTX_PKT_END, struct bw_blk_runtime,
	  data_end),
};

static const struct ebpf_prog_type type_blk = {
    .name = "blk",
    .hook_names = "blk.read blk.write",
    .fields = blk_fields,
    .n_fields = sizeof(blk_fields) / sizeof(blk_fields[0]),
    .ctx_size = sizeof(struct bw_blk_md),
    .ret_min = BW_ALLOW,
    .ret_max = BW_PUNT,
    .helpers = hook_helpers,
};

/* ---- mem.write ---------------------------------------------------------------------------- */

static const struct ebpf_ctx_field mem_write_fields[] = {
    FIELD("gpa", struct bw_mem_write_md, gpa, EBPF_CTX_SCALAR, struct bw_mem_write_runtime, gpa),
    FIELD("value", struct bw_mem_write_md, value, EBPF_CTX_SCALAR, struct bw_mem_write_runtime,
	  value),
    FIELD("rip", struct bw_mem_write_md, rip, EBPF_CTX_SCALAR, struct bw_mem_write_runtime, rip),
    FIELD("len", struct bw_mem_write_md, len, EBPF_CTX_SCALAR, struct bw_mem_write_runtime, len),
    FIELD("vcpu", struct bw_mem_write_md, vcpu, EBPF_CTX_SCALAR, struct bw_mem_write_runtime, vcpu),
    FIELD("data", struct bw_mem_write_md, data, EBPF_CTX_PKT, struct bw_mem_write_runtime, data),
    FIELD("data_end", struct bw_mem_write_md, data_end, EBPF_CTX_PKT_END,
	  struct bw_mem_write_runtime, data_end),
};

static const struct ebpf_prog_type type_mem_write = {
    .name = "mem.write",
    .hook_names = "mem.write",
    .fields = mem_write_fields,
    .n_fields = sizeof(mem_write_fields) / sizeof(mem_write_fields[0]),
    .ctx_size = sizeof(struct bw_mem_write_md),
    .ret_min = BW_ALLOW,
    .ret_max = BW_PUNT,
    .helpers = hook_helpers,
};

/* ---- msr.write ---------------------------------------------------------------------------- */

static const struct ebpf_ctx_field msr_write_fields[] = {
    FIELD("msr", struct bw_msr_write_md, msr, EBPF_CTX_SCALAR, struct bw_msr_write_md, msr),
    FIELD("vcpu", struct bw_msr_write_md, vcpu, EBPF_CTX_SCALAR, struct bw_msr_write_md, vcpu),
    FIELD("value", struct bw_msr_write_md, value, EBPF_CTX_SCALAR, struct bw_msr_write_md, value),
    FIELD("rip", struct bw_msr_write_md, rip, EBPF_CTX_SCALAR, struct bw_msr_write_md, rip),
};

static const struct ebpf_prog_type type_msr_write = {
    .name = "msr.write",
    .hook_names = "msr.write",
    .fields = msr_write_fields,
    .n_fields = sizeof(msr_write_fields) / sizeof(msr_write_fields[0]),
    .ctx_size = sizeof(struct bw_msr_write_md),
    .ret_min = BW_ALLOW,
    .ret_max = BW_PUNT,
    .helpers = hook_helpers,
};

static const struct ebpf_prog_type *const hook_types[] = {&type_xdp, &type_blk, &type_mem_write,
							  &type_msr_write};

const struct ebpf_prog_type *ebpf_prog_type_find(const char *name)
{
	if (!name)
		return NULL;
	if (!strcmp(name, "net"))
		return &type_xdp;
	for (size_t i = 0; i < sizeof(hook_types) / sizeof(hook_types[0]); i++)
		if (!strcmp(name, hook_types[i]->name))
			return hook_types[i];
	if (!strncmp(name, "mem:", 4) && name[4] >= '0' && name[4] <= '9') {
		char *end;
		unsigned long size;

		errno = 0;
		size = strtoul(name + 4, &end, 10);
		if (*end || errno || size > 65536)
			return NULL;
		return ebpf_prog_type_mem((uint32_t)size);
	}
	return NULL;
}
