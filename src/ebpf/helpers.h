/* helpers.h: the table of helpers eBPF extensions may call, with Linux's ids and prototypes
 * where Linux has the helper (so libbpf's <bpf/bpf_helpers.h> works unchanged), each with its
 * typed prototype (prog.h: argument and return kinds, for the verifier), MAC class (DESIGN.md:
 * "map", "time", "random", "trace", "event", ...; for the policy) and worst-case cost (for time
 * budgets). Program types (prog_types.c) list which of them their programs may call.
 * bulwark's own helpers take ids from EBPF_HELPER_BULWARK_BASE up (include/bulwark/helpers.h). */
#ifndef BULWARK_EBPF_HELPERS_H
#define BULWARK_EBPF_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include "bulwark/helpers.h"
#include "ebpf/prog.h"

/* Linux's ids (enum bpf_func_id). */
enum ebpf_helper_id {
	EBPF_HELPER_MAP_LOOKUP_ELEM = 1,
	EBPF_HELPER_MAP_UPDATE_ELEM = 2,
	EBPF_HELPER_MAP_DELETE_ELEM = 3,
	EBPF_HELPER_KTIME_GET_NS = 5,
	EBPF_HELPER_TRACE_PRINTK = 6,
	EBPF_HELPER_GET_PRANDOM_U32 = 7,
	EBPF_HELPER_GET_SMP_PROCESSOR_ID = 8, /* the vCPU index */
	EBPF_HELPER_TAIL_CALL = 12,
	EBPF_HELPER_KTIME_GET_BOOT_NS = 125,
	EBPF_HELPER_RINGBUF_OUTPUT = 130,
	EBPF_HELPER_RINGBUF_RESERVE = 131,
	EBPF_HELPER_RINGBUF_SUBMIT = 132,
	EBPF_HELPER_RINGBUF_DISCARD = 133,
	EBPF_HELPER_RINGBUF_QUERY = 134,
	EBPF_HELPER_KTIME_GET_COARSE_NS = 160,
};

/* The helper with this id, NULL if there is none. */
const struct ebpf_helper *ebpf_helper_by_id(uint32_t id);
/* The helper with this id if programs of type t may call it, else NULL. */
const struct ebpf_helper *ebpf_helper_for_type(const struct ebpf_prog_type *t, uint32_t id);
/* All helpers of the table (for listings and tests), n_out set to their number. */
const struct ebpf_helper *const *ebpf_helpers_all(size_t *n_out);

/* Where bpf_trace_printk output goes: default bw_log at debug level ("bpf_trace: prog: text").
 * A sink gets the formatted line without a trailing newline. NULL restores the default. */
typedef void (*ebpf_trace_sink)(const char *prog_name, const char *line);
void ebpf_trace_set_sink(ebpf_trace_sink sink);
/* bpf_trace_printk's formatting (exposed for tests): %d %i %u %x %X %c %p with l/ll, %%; at most
 * three conversions; anything else -EINVAL. Returns the length written (NUL-terminated, trailing
 * newlines dropped). */
int ebpf_trace_format(char *out, size_t outlen, const char *fmt, uint32_t fmt_size,
		      const uint64_t args[3]);

/* The table's entries, for program types' helper lists. */
extern const struct ebpf_helper ebpf_helper_map_lookup_elem, ebpf_helper_map_update_elem,
    ebpf_helper_map_delete_elem, ebpf_helper_ktime_get_ns, ebpf_helper_trace_printk,
    ebpf_helper_get_prandom_u32, ebpf_helper_get_smp_processor_id, ebpf_helper_tail_call,
    ebpf_helper_ktime_get_boot_ns, ebpf_helper_ringbuf_output, ebpf_helper_ringbuf_reserve,
    ebpf_helper_ringbuf_submit, ebpf_helper_ringbuf_discard, ebpf_helper_ringbuf_query,
    ebpf_helper_ktime_get_coarse_ns;

/* Tail call (helper 12): the engines implement it (the current program ends and the target
 * runs, prog.h); this resolves the target for them: the program in slot index of map (a
 * PROG_ARRAY) or NULL (then the call returns -ENOENT to the program and execution goes on). */
struct ebpf_prog *ebpf_helper_tail_call_target(uint64_t map, uint64_t index);

#endif
