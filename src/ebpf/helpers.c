/* helpers.c: the helper table (helpers.h). Each entry: Linux's id and name, the function (five
 * 64-bit arguments, context from ebpf_run_ctx_current()), the typed prototype the verifier
 * checks, the MAC class the policy grants (trust/vocab.c's names) and a worst-case cost in
 * instruction units for time budgets. Program types (prog_types.c) pick their helpers from here.
 *
 * The functions trust the verifier for their arguments (map pointers, key/value memory, sizes):
 * they are only reachable from verified programs. */
#include "ebpf/helpers.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/log.h"
#include "ebpf/maps.h"

#define MAP_T(t) (1ull << (t))
#define DATA_MAPS                                                                      \
	(MAP_T(EBPF_MAP_HASH) | MAP_T(EBPF_MAP_ARRAY) | MAP_T(EBPF_MAP_PERCPU_ARRAY) | \
	 MAP_T(EBPF_MAP_LRU_HASH) | MAP_T(EBPF_MAP_LPM_TRIE))

static uint64_t h_map_lookup(uint64_t map, uint64_t key, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return (uint64_t)(uintptr_t)ebpf_map_lookup((struct ebpf_map *)(uintptr_t)map,
						    (const void *)(uintptr_t)key);
}

static uint64_t h_map_update(uint64_t map, uint64_t key, uint64_t value, uint64_t flags,
			     uint64_t a5)
{
	return (uint64_t)(int64_t)ebpf_map_update((struct ebpf_map *)(uintptr_t)map,
						  (const void *)(uintptr_t)key,
						  (const void *)(uintptr_t)value, flags);
}

static uint64_t h_map_delete(uint64_t map, uint64_t key, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return (uint64_t)(int64_t)ebpf_map_delete((struct ebpf_map *)(uintptr_t)map,
						  (const void *)(uintptr_t)key);
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t h_ktime_get_ns(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static uint64_t h_ktime_get_boot_ns(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return clock_ns(CLOCK_BOOTTIME);
}

static uint64_t h_ktime_get_coarse_ns(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
				      uint64_t a5)
{
	return clock_ns(CLOCK_MONOTONIC_COARSE);
}

/* ---- bpf_trace_printk ---------------------------------------------------------------------- */

static void trace_default_sink(const char *prog_name, const char *line)
{
	bw_debug("bpf_trace: %s: %s", prog_name, line);
}

static _Atomic(ebpf_trace_sink) trace_sink = trace_default_sink;

void ebpf_trace_set_sink(ebpf_trace_sink sink)
{
	atomic_store(&trace_sink, sink ? sink : trace_default_sink);
}

/* Formats like Linux's bpf_trace_printk: at most 3 conversions among %d %i %u %x %X %c %p and
 * their l/ll forms, and %%; anything else (notably %s and %n: no memory is read through
 * arguments) makes the call fail with -EINVAL. fmt is read up to its NUL within fmt_size. */
int ebpf_trace_format(char *out, size_t outlen, const char *fmt, uint32_t fmt_size,
		      const uint64_t args[3])
{
	size_t o = 0;
	unsigned used = 0;
	uint32_t i;

	if (!outlen)
		return -EINVAL;
	for (i = 0; i < fmt_size && fmt[i]; i++) {
		char buf[32];
		int len = 0;

		if (fmt[i] != '%') {
			if (o + 1 < outlen)
				out[o++] = fmt[i];
			continue;
		}
		if (i + 1 < fmt_size && fmt[i + 1] == '%') {
			if (o + 1 < outlen)
				out[o++] = '%';
			i++;
			continue;
		}
		while (len < 2 && i + 1 < fmt_size && fmt[i + 1] == 'l') {
			len++;
			i++;
		}
		if (i + 1 >= fmt_size || !strchr("diuxXcp", fmt[i + 1]) || !fmt[i + 1])
			return -EINVAL;
		if (used >= 3)
			return -EINVAL;
		i++;
		switch (fmt[i]) {
		case 'c':
			if (len)
				return -EINVAL;
			snprintf(buf, sizeof(buf), "%c", (char)args[used]);
			break;
		case 'p':
			if (len)
				return -EINVAL;
			snprintf(buf, sizeof(buf), "0x%" PRIx64, args[used]);
			break;
		case 'd':
		case 'i':
			if (len)
				snprintf(buf, sizeof(buf), "%" PRId64, (int64_t)args[used]);
			else
				snprintf(buf, sizeof(buf), "%" PRId32, (int32_t)args[used]);
			break;
		default: {
			uint64_t v = len ? args[used] : (uint32_t)args[used];

			if (fmt[i] == 'u')
				snprintf(buf, sizeof(buf), "%" PRIu64, v);
			else if (fmt[i] == 'x')
				snprintf(buf, sizeof(buf), "%" PRIx64, v);
			else
				snprintf(buf, sizeof(buf), "%" PRIX64, v);
		}
		}
		used++;
		for (const char *p = buf; *p; p++)
			if (o + 1 < outlen)
				out[o++] = *p;
	}
	/* Linux's programs end the format with "\n": the sink gets lines without it */
	while (o && out[o - 1] == '\n')
		o--;
	out[o] = 0;
	return (int)o;
}

static uint64_t h_trace_printk(uint64_t fmt, uint64_t size, uint64_t a1, uint64_t a2, uint64_t a3)
{
	const struct ebpf_prog *p = ebpf_run_ctx_current()->prog;
	uint64_t args[3] = {a1, a2, a3};
	char line[512];
	int n;

	n = ebpf_trace_format(line, sizeof(line), (const char *)(uintptr_t)fmt, (uint32_t)size,
			      args);
	if (n < 0)
		return (uint64_t)(int64_t)n;
	atomic_load (&trace_sink)(p ? p->name : "(host)", line);
	return (uint64_t)n;
}

/* ---- randomness, vCPU ---------------------------------------------------------------------- */

static __thread uint64_t prandom_state;

static uint64_t h_get_prandom_u32(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	uint64_t z;

	if (!prandom_state && getrandom(&prandom_state, sizeof(prandom_state), GRND_NONBLOCK) !=
				  sizeof(prandom_state))
		prandom_state = (uint64_t)(uintptr_t)&prandom_state ^ clock_ns(CLOCK_MONOTONIC);
	/* splitmix64: statistically good, not for secrets (as Linux's prandom) */
	z = (prandom_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static uint64_t h_get_smp_processor_id(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
				       uint64_t a5)
{
	return ebpf_run_ctx_current()->vcpu;
}

/* ---- tail calls ------------------------------------------------------------------------------ */

struct ebpf_prog *ebpf_helper_tail_call_target(uint64_t map, uint64_t index)
{
	struct ebpf_map *m = (struct ebpf_map *)(uintptr_t)map;

	if (!m || ebpf_map_def(m)->type != EBPF_MAP_PROG_ARRAY)
		return NULL;
	return ebpf_prog_array_get(m, (uint32_t)index); /* u32 index, as Linux */
}

/* Never called: the engines implement the tail call themselves (they recognise id 12 named
 * "bpf_tail_call"). Present so a table walk never finds a helper without a function. */
static uint64_t h_tail_call(uint64_t ctx, uint64_t map, uint64_t index, uint64_t a4, uint64_t a5)
{
	return (uint64_t)(int64_t)-ENOTSUP;
}

/* ---- ring buffers ---------------------------------------------------------------------------- */

static uint64_t h_ringbuf_output(uint64_t map, uint64_t data, uint64_t size, uint64_t flags,
				 uint64_t a5)
{
	return (uint64_t)(int64_t)ebpf_ringbuf_output((struct ebpf_map *)(uintptr_t)map,
						      (const void *)(uintptr_t)data, size, flags);
}

static uint64_t h_ringbuf_reserve(uint64_t map, uint64_t size, uint64_t flags, uint64_t a4,
				  uint64_t a5)
{
	return (uint64_t)(uintptr_t)ebpf_ringbuf_reserve((struct ebpf_map *)(uintptr_t)map, size,
							 flags);
}

static uint64_t h_ringbuf_submit(uint64_t data, uint64_t flags, uint64_t a3, uint64_t a4,
				 uint64_t a5)
{
	ebpf_ringbuf_submit((void *)(uintptr_t)data, flags);
	return 0;
}

static uint64_t h_ringbuf_discard(uint64_t data, uint64_t flags, uint64_t a3, uint64_t a4,
				  uint64_t a5)
{
	ebpf_ringbuf_discard((void *)(uintptr_t)data, flags);
	return 0;
}

static uint64_t h_ringbuf_query(uint64_t map, uint64_t flags, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return ebpf_ringbuf_query((struct ebpf_map *)(uintptr_t)map, flags);
}

/* ---- the table ------------------------------------------------------------------------------- */

#define HELPER(var, ID, NAME, FN, RET, CLASS, COST, TYPES, ...) \
	const struct ebpf_helper var = {.id = ID,               \
					.name = NAME,           \
					.fn = FN,               \
					.ret = RET,             \
					.arg = {__VA_ARGS__},   \
					.mac_class = CLASS,     \
					.cost = COST,           \
					.map_types = TYPES}

HELPER(ebpf_helper_map_lookup_elem, EBPF_HELPER_MAP_LOOKUP_ELEM, "bpf_map_lookup_elem",
       h_map_lookup, EBPF_RET_PTR_TO_MAP_VALUE_OR_NULL, "map", 100, DATA_MAPS,
       EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_PTR_TO_MAP_KEY);
HELPER(ebpf_helper_map_update_elem, EBPF_HELPER_MAP_UPDATE_ELEM, "bpf_map_update_elem",
       h_map_update, EBPF_RET_INTEGER, "map", 400, DATA_MAPS, EBPF_ARG_CONST_MAP_PTR,
       EBPF_ARG_PTR_TO_MAP_KEY, EBPF_ARG_PTR_TO_MAP_VALUE, EBPF_ARG_ANYTHING);
HELPER(ebpf_helper_map_delete_elem, EBPF_HELPER_MAP_DELETE_ELEM, "bpf_map_delete_elem",
       h_map_delete, EBPF_RET_INTEGER, "map", 300, DATA_MAPS, EBPF_ARG_CONST_MAP_PTR,
       EBPF_ARG_PTR_TO_MAP_KEY);
HELPER(ebpf_helper_ktime_get_ns, EBPF_HELPER_KTIME_GET_NS, "bpf_ktime_get_ns", h_ktime_get_ns,
       EBPF_RET_INTEGER, "time", 50, 0);
HELPER(ebpf_helper_trace_printk, EBPF_HELPER_TRACE_PRINTK, "bpf_trace_printk", h_trace_printk,
       EBPF_RET_INTEGER, "trace", 2000, 0, EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE,
       EBPF_ARG_ANYTHING, EBPF_ARG_ANYTHING, EBPF_ARG_ANYTHING);
HELPER(ebpf_helper_get_prandom_u32, EBPF_HELPER_GET_PRANDOM_U32, "bpf_get_prandom_u32",
       h_get_prandom_u32, EBPF_RET_INTEGER, "random", 10, 0);
HELPER(ebpf_helper_get_smp_processor_id, EBPF_HELPER_GET_SMP_PROCESSOR_ID,
       "bpf_get_smp_processor_id", h_get_smp_processor_id, EBPF_RET_INTEGER, "time", 5, 0);
HELPER(ebpf_helper_tail_call, EBPF_HELPER_TAIL_CALL, "bpf_tail_call", h_tail_call, EBPF_RET_INTEGER,
       "map", 20, MAP_T(EBPF_MAP_PROG_ARRAY), EBPF_ARG_PTR_TO_CTX, EBPF_ARG_CONST_MAP_PTR,
       EBPF_ARG_ANYTHING);
HELPER(ebpf_helper_ktime_get_boot_ns, EBPF_HELPER_KTIME_GET_BOOT_NS, "bpf_ktime_get_boot_ns",
       h_ktime_get_boot_ns, EBPF_RET_INTEGER, "time", 50, 0);
HELPER(ebpf_helper_ringbuf_output, EBPF_HELPER_RINGBUF_OUTPUT, "bpf_ringbuf_output",
       h_ringbuf_output, EBPF_RET_INTEGER, "event", 300, MAP_T(EBPF_MAP_RINGBUF),
       EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE_OR_ZERO, EBPF_ARG_ANYTHING);
HELPER(ebpf_helper_ringbuf_reserve, EBPF_HELPER_RINGBUF_RESERVE, "bpf_ringbuf_reserve",
       h_ringbuf_reserve, EBPF_RET_PTR_TO_MEM_OR_NULL, "event", 100, MAP_T(EBPF_MAP_RINGBUF),
       EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_CONST_ALLOC_SIZE, EBPF_ARG_ANYTHING);
HELPER(ebpf_helper_ringbuf_submit, EBPF_HELPER_RINGBUF_SUBMIT, "bpf_ringbuf_submit",
       h_ringbuf_submit, EBPF_RET_VOID, "event", 200, 0, EBPF_ARG_PTR_TO_ALLOC_MEM,
       EBPF_ARG_ANYTHING);
HELPER(ebpf_helper_ringbuf_discard, EBPF_HELPER_RINGBUF_DISCARD, "bpf_ringbuf_discard",
       h_ringbuf_discard, EBPF_RET_VOID, "event", 200, 0, EBPF_ARG_PTR_TO_ALLOC_MEM,
       EBPF_ARG_ANYTHING);
HELPER(ebpf_helper_ringbuf_query, EBPF_HELPER_RINGBUF_QUERY, "bpf_ringbuf_query", h_ringbuf_query,
       EBPF_RET_INTEGER, "event", 10, MAP_T(EBPF_MAP_RINGBUF), EBPF_ARG_CONST_MAP_PTR,
       EBPF_ARG_ANYTHING);
HELPER(ebpf_helper_ktime_get_coarse_ns, EBPF_HELPER_KTIME_GET_COARSE_NS, "bpf_ktime_get_coarse_ns",
       h_ktime_get_coarse_ns, EBPF_RET_INTEGER, "time", 30, 0);

static const struct ebpf_helper *const helpers_all[] = {
    &ebpf_helper_map_lookup_elem,      &ebpf_helper_map_update_elem,
    &ebpf_helper_map_delete_elem,      &ebpf_helper_ktime_get_ns,
    &ebpf_helper_trace_printk,	       &ebpf_helper_get_prandom_u32,
    &ebpf_helper_get_smp_processor_id, &ebpf_helper_tail_call,
    &ebpf_helper_ktime_get_boot_ns,    &ebpf_helper_ringbuf_output,
    &ebpf_helper_ringbuf_reserve,      &ebpf_helper_ringbuf_submit,
    &ebpf_helper_ringbuf_discard,      &ebpf_helper_ringbuf_query,
    &ebpf_helper_ktime_get_coarse_ns,
};

const struct ebpf_helper *ebpf_helper_by_id(uint32_t id)
{
	for (size_t i = 0; i < sizeof(helpers_all) / sizeof(helpers_all[0]); i++)
		if (helpers_all[i]->id == id)
			return helpers_all[i];
	return NULL;
}

const struct ebpf_helper *ebpf_helper_for_type(const struct ebpf_prog_type *t, uint32_t id)
{
	if (!t || !t->helpers)
		return NULL;
	for (const struct ebpf_helper *const *h = t->helpers; *h; h++)
		if ((*h)->id == id)
			return *h;
	return NULL;
}

const struct ebpf_helper *const *ebpf_helpers_all(size_t *n_out)
{
	*n_out = sizeof(helpers_all) / sizeof(helpers_all[0]);
	return helpers_all;
}
