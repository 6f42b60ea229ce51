/* verifier_cases.h: program types, helpers and the case-file reader shared by the verifier's
 * tests (test_verifier.c) and its benchmark driver. A case file (tests/ebpf/verifier-cases/
 * *.s) holds many programs, each introduced by `=== name` and header lines:
 *   type: mem:SIZE | tbuf:SIZE | txdp | tctx | xdp      program type (default mem:0)
 *   map: TYPE KEY VALUE ENTRIES [rdonly]              maps 0, 1, ... (hash, array, prog_array...);
 *                      rdonly: read-only for programs and frozen (as .rodata)
 *   reason: TEXT       the program must be refused with TEXT in the message
 *   accept             the program must be accepted
 *   worst: N           ... with exactly this worst-case instruction count
 *   r0: SMIN SMAX      ... and this signed r0 range
 *   max: N             processed-instruction limit for this case
 * and then the program in the conformance syntax (src/ebpf/asm.h).
 *
 * Test types: tbuf:SIZE is a buffer type like mem:SIZE with Linux-style test helpers; txdp is
 * XDP's context (struct xdp_md as programs see it; runtime layout with 64-bit pointers) with
 * the map, ring buffer and tail-call helpers; tctx is a small context with a writable field. */
#ifndef BULWARK_TESTS_VERIFIER_CASES_H
#define BULWARK_TESTS_VERIFIER_CASES_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf/maps.h"
#include "ebpf/prog.h"

static uint64_t vt_helper_fn(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	(void)a, (void)b, (void)c, (void)d, (void)e;
	return 0;
}

#define VT_H(id_, name_, ret_, cost_, mt_, ...)                                                \
	{                                                                                      \
		.id = (id_), .name = (name_), .fn = vt_helper_fn, .ret = (ret_),               \
		.arg = {__VA_ARGS__}, .mac_class = "test", .cost = (cost_), .map_types = (mt_) \
	}

#define VT_MT(t) (1ULL << (t))
static const struct ebpf_helper vt_helpers[] = {
    VT_H(1, "map_lookup_elem", EBPF_RET_PTR_TO_MAP_VALUE_OR_NULL, 10,
	 VT_MT(EBPF_MAP_HASH) | VT_MT(EBPF_MAP_ARRAY) | VT_MT(EBPF_MAP_PERCPU_ARRAY) |
	     VT_MT(EBPF_MAP_LRU_HASH) | VT_MT(EBPF_MAP_LPM_TRIE),
	 EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_PTR_TO_MAP_KEY),
    VT_H(2, "map_update_elem", EBPF_RET_INTEGER, 20,
	 VT_MT(EBPF_MAP_HASH) | VT_MT(EBPF_MAP_ARRAY) | VT_MT(EBPF_MAP_PERCPU_ARRAY) |
	     VT_MT(EBPF_MAP_LRU_HASH) | VT_MT(EBPF_MAP_LPM_TRIE),
	 EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_PTR_TO_MAP_KEY, EBPF_ARG_PTR_TO_MAP_VALUE,
	 EBPF_ARG_ANYTHING),
    VT_H(3, "map_delete_elem", EBPF_RET_INTEGER, 20,
	 VT_MT(EBPF_MAP_HASH) | VT_MT(EBPF_MAP_LRU_HASH) | VT_MT(EBPF_MAP_LPM_TRIE),
	 EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_PTR_TO_MAP_KEY),
    VT_H(5, "ktime_get_ns", EBPF_RET_INTEGER, 5, 0, EBPF_ARG_NONE),
    VT_H(6, "trace_printk", EBPF_RET_INTEGER, 50, 0, EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE,
	 EBPF_ARG_ANYTHING, EBPF_ARG_ANYTHING, EBPF_ARG_ANYTHING),
    VT_H(7, "get_prandom_u32", EBPF_RET_INTEGER, 5, 0, EBPF_ARG_NONE),
    VT_H(12, "tail_call", EBPF_RET_INTEGER, 10, VT_MT(EBPF_MAP_PROG_ARRAY), EBPF_ARG_PTR_TO_CTX,
	 EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_ANYTHING),
    VT_H(130, "ringbuf_output", EBPF_RET_INTEGER, 30, VT_MT(EBPF_MAP_RINGBUF),
	 EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE_OR_ZERO,
	 EBPF_ARG_ANYTHING),
    VT_H(131, "ringbuf_reserve", EBPF_RET_PTR_TO_MEM_OR_NULL, 20, VT_MT(EBPF_MAP_RINGBUF),
	 EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_CONST_ALLOC_SIZE, EBPF_ARG_ANYTHING),
    VT_H(132, "ringbuf_submit", EBPF_RET_VOID, 20, 0, EBPF_ARG_PTR_TO_ALLOC_MEM, EBPF_ARG_ANYTHING),
    VT_H(133, "ringbuf_discard", EBPF_RET_VOID, 20, 0, EBPF_ARG_PTR_TO_ALLOC_MEM,
	 EBPF_ARG_ANYTHING),
    VT_H(200, "fill", EBPF_RET_INTEGER, 8, 0, EBPF_ARG_PTR_TO_UNINIT_MEM, EBPF_ARG_CONST_SIZE),
    VT_H(201, "print_str", EBPF_RET_INTEGER, 8, 0, EBPF_ARG_PTR_TO_STR),
    VT_H(202, "add3", EBPF_RET_INTEGER, 1, 0, EBPF_ARG_ANYTHING, EBPF_ARG_ANYTHING,
	 EBPF_ARG_ANYTHING),
};
static const struct ebpf_helper *const vt_helper_list[] = {
    &vt_helpers[0],  &vt_helpers[1],  &vt_helpers[2],  &vt_helpers[3],	&vt_helpers[4],
    &vt_helpers[5],  &vt_helpers[6],  &vt_helpers[7],  &vt_helpers[8],	&vt_helpers[9],
    &vt_helpers[10], &vt_helpers[11], &vt_helpers[12], &vt_helpers[13], NULL,
};

/* struct xdp_md as programs see it; the runtime keeps 64-bit pointers first */
static const struct ebpf_ctx_field vt_xdp_fields[] = {
    {"data", 0, 4, EBPF_CTX_PKT, false, 0, 8},
    {"data_end", 4, 4, EBPF_CTX_PKT_END, false, 8, 8},
    {"data_meta", 8, 4, EBPF_CTX_PKT_META, false, 16, 8},
    {"ingress_ifindex", 12, 4, EBPF_CTX_SCALAR, false, 24, 4},
    {"rx_queue_index", 16, 4, EBPF_CTX_SCALAR, false, 28, 4},
    {"egress_ifindex", 20, 4, EBPF_CTX_SCALAR, false, 32, 4},
};
static const struct ebpf_prog_type vt_xdp = {
    .name = "txdp",
    .fields = vt_xdp_fields,
    .n_fields = 6,
    .ctx_size = 24,
    .ret_min = 0,
    .ret_max = 4,
    .helpers = vt_helper_list,
};
static const struct ebpf_ctx_field vt_ctx_fields[] = {
    {"gpa", 0, 8, EBPF_CTX_SCALAR, false, 8, 8},
    {"len", 8, 4, EBPF_CTX_SCALAR, false, 0, 4},
    {"verdict", 12, 4, EBPF_CTX_SCALAR, true, 4, 4},
};
static const struct ebpf_prog_type vt_ctx = {
    .name = "tctx",
    .fields = vt_ctx_fields,
    .n_fields = 3,
    .ctx_size = 16,
    .ret_min = -1,
    .ret_max = 1,
    .helpers = vt_helper_list,
};

/* tbuf:SIZE types (a small cache) */
static const struct ebpf_prog_type *vt_buf_type(uint32_t size)
{
	static struct ebpf_prog_type types[16];
	static unsigned n;

	for (unsigned k = 0; k < n; k++)
		if (types[k].buffer_size == size)
			return &types[k];
	if (n == 16)
		return NULL;
	types[n] = (struct ebpf_prog_type){.name = "tbuf",
					   .ctx_is_buffer = true,
					   .buffer_size = size,
					   .ret_min = INT64_MIN,
					   .ret_max = INT64_MAX,
					   .helpers = vt_helper_list};
	return &types[n++];
}

struct vt_case {
	char name[96];
	char type[32];
	char reason[256];
	bool accept;
	bool has_worst, has_r0;
	uint64_t worst, max_processed;
	int64_t r0_smin, r0_smax;
	struct ebpf_map_def maps[8];
	bool map_rdonly[8];
	unsigned n_maps;
	char *text;
	const char *file;
	unsigned line;
};

static int vt_map_type(const char *s)
{
	static const struct {
		const char *n;
		int t;
	} tab[] = {
	    {"hash", EBPF_MAP_HASH},
	    {"array", EBPF_MAP_ARRAY},
	    {"prog_array", EBPF_MAP_PROG_ARRAY},
	    {"percpu_array", EBPF_MAP_PERCPU_ARRAY},
	    {"lru_hash", EBPF_MAP_LRU_HASH},
	    {"lpm_trie", EBPF_MAP_LPM_TRIE},
	    {"ringbuf", EBPF_MAP_RINGBUF},
	};
	for (size_t k = 0; k < sizeof(tab) / sizeof(tab[0]); k++)
		if (!strcmp(tab[k].n, s))
			return tab[k].t;
	return -1;
}

/* Splits a case file into cases (malloc'ed array, texts malloc'ed). */
static int vt_parse_cases(const char *file, const char *data, struct vt_case **out, unsigned *n_out)
{
	struct vt_case *cs = NULL, *c = NULL;
	unsigned n = 0, line = 0;
	const char *p = data;
	size_t tlen = 0, tcap = 0;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char buf[512];
		line++;
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, p, len);
		buf[len] = 0;
		p = e ? e + 1 : p + len;
		if (!strncmp(buf, "=== ", 4)) {
			struct vt_case *ncs = realloc(cs, (n + 1) * sizeof(*cs));
			if (!ncs)
				return -ENOMEM;
			cs = ncs;
			c = &cs[n++];
			memset(c, 0, sizeof(*c));
			snprintf(c->name, sizeof(c->name), "%.90s", buf + 4);
			strcpy(c->type, "mem:0");
			c->file = file;
			c->line = line;
			tlen = tcap = 0;
			continue;
		}
		if (!c)
			continue;
		if (!strncmp(buf, "type: ", 6)) {
			snprintf(c->type, sizeof(c->type), "%.30s", buf + 6);
		} else if (!strncmp(buf, "reason: ", 8)) {
			snprintf(c->reason, sizeof(c->reason), "%.250s", buf + 8);
		} else if (!strcmp(buf, "accept")) {
			c->accept = true;
		} else if (!strncmp(buf, "worst: ", 7)) {
			c->has_worst = true;
			c->worst = strtoull(buf + 7, NULL, 0);
		} else if (!strncmp(buf, "max: ", 5)) {
			c->max_processed = strtoull(buf + 5, NULL, 0);
		} else if (!strncmp(buf, "r0: ", 4)) {
			char *end;
			c->has_r0 = true;
			c->r0_smin = strtoll(buf + 4, &end, 0);
			c->r0_smax = strtoll(end, NULL, 0);
		} else if (!strncmp(buf, "map: ", 5) && c->n_maps < 8) {
			char t[32] = "";
			unsigned ks = 0, vs = 0, me = 0;
			char ro[16] = "";
			struct ebpf_map_def *d = &c->maps[c->n_maps];
			if (sscanf(buf + 5, "%31s %u %u %u %15s", t, &ks, &vs, &me, ro) < 4 ||
			    vt_map_type(t) < 0) {
				fprintf(stderr, "%s:%u: bad map line\n", file, line);
				return -EINVAL;
			}
			d->type = (enum ebpf_map_type)vt_map_type(t);
			d->key_size = ks;
			d->value_size = vs;
			d->max_entries = me;
			snprintf(d->name, sizeof(d->name), "m%u", c->n_maps);
			c->map_rdonly[c->n_maps] = !strcmp(ro, "rdonly");
			/* rdonly: constant data as the ELF loader makes .rodata (read-only for
			 * programs, frozen by the test) */
			if (c->map_rdonly[c->n_maps])
				d->flags |= EBPF_F_RDONLY_PROG;
			c->n_maps++;
		} else {
			if (tlen + len + 2 > tcap) {
				size_t nc = (tcap ? tcap * 2 : 256) + len;
				char *nt = realloc(c->text, nc);
				if (!nt)
					return -ENOMEM;
				c->text = nt;
				tcap = nc;
			}
			memcpy(c->text + tlen, buf, len);
			tlen += len;
			c->text[tlen++] = '\n';
			c->text[tlen] = 0;
		}
	}
	*out = cs;
	*n_out = n;
	return 0;
}

static char *vt_read_file(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + len, 1, 4096, f);
		len += r;
		if (r < 4096)
			break;
	}
	fclose(f);
	buf[len] = 0;
	if (len_out)
		*len_out = len;
	return buf;
}

#endif
