/* prog.h: an eBPF program inside bulwark, and the contracts between the parts of the engine.
 *
 *   ELF loader / assembler -> struct ebpf_prog (insns, maps, type)
 *   verifier   (verifier.h)  proves it safe for its type; sets verified, worst_case_insns and may
 *                            rewrite context accesses (Linux-style ctx conversion)
 *   JIT        (jit.h)       compiles a verified program; interpreter (interp.h) runs it directly
 *   hooks      (src/ext)     run it with a context through ebpf_prog_run()
 *
 * Helpers: one table (helpers.h) of every helper with id, name, typed prototype and MAC class;
 * a program type lists which of them its programs may call. Helper functions take five 64-bit
 * arguments; what they need beyond them (the VM, the vCPU, the running program) comes from the
 * per-thread run context (ebpf_run_ctx_current()), as Linux's helpers use `current`.
 *
 * Maps (maps.h) are shared, reference-counted objects; a program refers to them by its own index
 * (lddw src 1/2/5/6, see insn.h). */
#ifndef BULWARK_EBPF_PROG_H
#define BULWARK_EBPF_PROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ebpf/insn.h"

struct ebpf_map;
struct ebpf_jit_image;

/* ---- helpers ---------------------------------------------------------------------------- */

typedef uint64_t (*ebpf_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5);

/* Argument kinds, as the verifier checks them (a subset of Linux's, same meaning). */
enum ebpf_arg_kind {
	EBPF_ARG_NONE = 0,	    /* unused argument slot */
	EBPF_ARG_ANYTHING,	    /* any initialised scalar */
	EBPF_ARG_CONST_MAP_PTR,	    /* a map (lddw map_by_fd/idx) */
	EBPF_ARG_PTR_TO_MAP_KEY,    /* readable memory of the map's key_size */
	EBPF_ARG_PTR_TO_MAP_VALUE,  /* readable memory of the map's value_size */
	EBPF_ARG_PTR_TO_MEM,	    /* readable, initialised memory; size in the next argument */
	EBPF_ARG_PTR_TO_UNINIT_MEM, /* writable memory the helper fills; size in the next argument
				     */
	EBPF_ARG_CONST_SIZE,	    /* size of the previous pointer argument, > 0, bounded */
	EBPF_ARG_CONST_SIZE_OR_ZERO,
	EBPF_ARG_PTR_TO_CTX,	  /* the program's context pointer, unmodified */
	EBPF_ARG_PTR_TO_STR,	  /* NUL-terminated string in readable memory (trace format) */
	EBPF_ARG_SCALAR_PTR_TEST, /* mem:SIZE test type only: any pointer the suite's helpers take
				   */
	/* added by ebpf-elf (ring buffers), appended so the values above keep their numbers: */
	EBPF_ARG_CONST_ALLOC_SIZE, /* known constant size of memory the helper allocates (the
				    * size of an EBPF_RET_PTR_TO_MEM_OR_NULL result), > 0 */
	EBPF_ARG_PTR_TO_ALLOC_MEM, /* unmodified pointer from a helper returning
				    * EBPF_RET_PTR_TO_MEM_OR_NULL, NULL-checked; the call releases
				    * it (ringbuf submit/discard): it must be released exactly once
				    * on every path before exit and is unusable afterwards */
};

enum ebpf_ret_kind {
	EBPF_RET_INTEGER = 0,		   /* scalar */
	EBPF_RET_VOID,			   /* r0 unusable after the call */
	EBPF_RET_PTR_TO_MAP_VALUE_OR_NULL, /* value of the map in argument 1, or NULL */
	EBPF_RET_PTR_TO_MEM_OR_NULL,	   /* writable memory of the size given by the helper's
					    * EBPF_ARG_CONST_ALLOC_SIZE argument, or NULL; a reference
					    * the program must release (EBPF_ARG_PTR_TO_ALLOC_MEM) */
};

struct ebpf_helper {
	uint32_t id;	  /* Linux's id where Linux has the helper (see DESIGN.md) */
	const char *name; /* "bpf_map_lookup_elem" */
	ebpf_helper_fn fn;
	enum ebpf_ret_kind ret;
	enum ebpf_arg_kind arg[5];
	const char *mac_class; /* "map", "time", "random", "trace", "event", "pkt.write", ... */
	uint32_t cost;	       /* worst-case cost in instruction units, for time budgets */
	/* 1 when the helper may end the program at once (the suite's unwind): the engines must
	 * check the return value (0 = stop with r0 = 0). */
	bool may_unwind;
	/* 1 when the helper may write the memory of its EBPF_ARG_PTR_TO_MEM arguments (the
	 * suite's memfrob): the verifier then refuses read-only memory there (frozen map values,
	 * whose bytes it may rely on, e.g. a string's terminating NUL). */
	bool writes_mem;
	/* map types (bit 1 << enum ebpf_map_type, maps.h) its EBPF_ARG_CONST_MAP_PTR argument
	 * accepts; 0 means any map type. */
	uint64_t map_types;
};

/* ---- program types (one per hook, plus the conformance test type) ---------------------- */

enum ebpf_ctx_field_kind {
	EBPF_CTX_SCALAR = 0,
	EBPF_CTX_PKT,	   /* packet start (XDP data) */
	EBPF_CTX_PKT_END,  /* packet end (XDP data_end) */
	EBPF_CTX_PKT_META, /* packet metadata start (XDP data_meta) */
};

struct ebpf_ctx_field {
	const char *name;
	uint16_t off, size; /* as the program sees it (e.g. 4-byte xdp_md.data) */
	enum ebpf_ctx_field_kind kind;
	bool writable;
	uint16_t real_off, real_size; /* where the runtime context keeps it (ctx conversion) */
};

struct ebpf_prog_type {
	const char *name;	/* "xdp", "blk", "mem.write", "msr.write", "mem" */
	const char *hook_names; /* hooks this type attaches to, space separated: "net.rx net.tx" */
	/* context: either a struct of fields, or (test type) a plain buffer of buffer_size bytes in
	 * r1 with its size in r2 (buffer_size 0: r1 = r2 = 0) */
	const struct ebpf_ctx_field *fields;
	unsigned n_fields;
	uint32_t ctx_size; /* size of the context struct the program sees */
	bool ctx_is_buffer;
	uint32_t buffer_size;
	int64_t ret_min, ret_max;		  /* allowed r0 at exit (checked by the verifier) */
	const struct ebpf_helper *const *helpers; /* callable helpers, NULL-terminated */
};

/* The test type of the conformance suite: r1 points to size bytes, r2 = size, helpers 0-5 of
 * the suite. Returns a type owned by a small cache (same size, same pointer). */
const struct ebpf_prog_type *ebpf_prog_type_mem(uint32_t size);
/* By name: "xdp" (also "net"), "blk", "mem.write", "msr.write", "mem:SIZE". NULL if unknown. */
const struct ebpf_prog_type *ebpf_prog_type_find(const char *name);

/* ---- the program ------------------------------------------------------------------------ */

struct ebpf_func_info {
	uint32_t start; /* first slot of a bpf-to-bpf subprogram (0 for the main function) */
	char name[64];
};

struct ebpf_prog {
	char name[64]; /* function or section name, for logs */
	char section[64];
	struct ebpf_insn *insns; /* owned */
	uint32_t n_insns;	 /* slots (lddw counts 2) */
	struct ebpf_map **maps;	 /* owned references; indices used by lddw src 1/2/5/6 */
	uint32_t n_maps;
	struct ebpf_func_info *funcs; /* subprograms, sorted by start; funcs[0].start == 0 */
	uint32_t n_funcs;
	const struct ebpf_prog_type *type;
	char license[64];

	/* set by the verifier */
	bool verified;
	uint64_t worst_case_insns; /* bound on executed instructions of one run */
	uint32_t stack_depth;	   /* bytes over the deepest call chain */

	struct ebpf_jit_image *jit; /* set by ebpf_jit_compile(); owned */

	/* added by ebpf-core: the interpreter's pre-decoded form (interp.c), built on the first
	 * run or by ebpf_interp_prepare(); owned, freed by ebpf_prog_free(). Whoever changes insns
	 * after a run calls ebpf_interp_reset(). */
	void *interp;
};

/* Frees the program, its instructions, JIT image and map references. NULL is fine. */
void ebpf_prog_free(struct ebpf_prog *prog);

/* ---- running ---------------------------------------------------------------------------- */

/* What helpers can learn about the current run (thread-local, set by the caller of a run). */
struct ebpf_run_ctx {
	const struct ebpf_prog *prog;
	void *vm;      /* the VM the hook fired for (struct vm *), NULL in tests */
	uint32_t vcpu; /* per-vCPU maps index */
	uint64_t insns_budget;
};
struct ebpf_run_ctx *ebpf_run_ctx_current(void);

/* Runs a verified program: on the JIT image when there is one, else on the interpreter. r1 is
 * the context (or buffer), r2 its size for buffer types. Returns r0. Refuses (returns 0 and logs
 * once) a program that the verifier has not accepted. */
uint64_t ebpf_prog_run(const struct ebpf_prog *prog, uint64_t r1, uint64_t r2);

#endif
