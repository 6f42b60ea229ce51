/* verifier.h: the static verifier of bulwark's eBPF engine (issue 4).
 *
 * ebpf_verify() proves a program safe for its program type (prog->type) before anything runs it:
 * control flow (no jump out of the program or into lddw's second slot, no unreachable code, no
 * reserved encodings, call depth and stack limits), initialisation of registers and stack bytes,
 * bounds of every memory access (context fields, stack, map values after a null check, packet
 * after a check against data_end, helper memory, the mem:SIZE buffer), no pointer leaks, helper
 * prototypes, termination (path-sensitive exploration with state pruning and a processed-
 * instruction limit) and a worst-case executed-instruction count.
 *
 * On acceptance it sets prog->verified, prog->worst_case_insns and prog->stack_depth, and rewrites
 * context loads/stores from the layout the program sees (struct ebpf_ctx_field off/size) to the
 * runtime layout (real_off/real_size), so ebpf_prog_run() may run it.
 *
 * Files: verifier.c (driver, CFG and encoding checks, exploration), verifier_state.c (abstract
 * registers and stack), tnum.c (known-bits arithmetic), verifier_helpers.c (helper arguments),
 * ctx_convert.c (context rewrite), verifier_log.c (messages). */
#ifndef BULWARK_EBPF_VERIFIER_H
#define BULWARK_EBPF_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ebpf/prog.h"

struct ebpf_verify_opts {
	bool log_all;		/* log every processed instruction with the register state */
	uint64_t max_processed; /* complexity limit; 0: 1,000,000 processed instructions */
};

struct ebpf_verify_result {
	int err_insn;	    /* instruction index of the refusal, -1 when none */
	char message[1024]; /* refusal: "insn N: <disassembly>: <reason> (<registers>)" */
	char *log;	    /* NUL-terminated log (every step with log_all), malloc'ed or NULL */
	size_t log_len;
	uint64_t
	    worst_case_insns;  /* max executed instructions over the explored paths + helper cost */
	uint64_t processed;    /* instructions processed by the exploration */
	uint64_t peak_states;  /* stored (pruning) states alive at once, at most */
	uint64_t total_states; /* states stored over the whole exploration */
	int64_t r0_smin, r0_smax; /* r0 range over every exit of the main function */
	uint64_t r0_umin, r0_umax;
	const char
	    *helper_classes[32]; /* MAC classes of the helpers the program calls (distinct) */
	unsigned n_helper_classes;
};

/* Returns 0 when accepted, -EACCES when refused (res->message says why), -EINVAL when the program
 * is malformed (no type, no instructions, too long). opts may be NULL. res is always filled
 * (free res->log with ebpf_verify_result_free). */
int ebpf_verify(struct ebpf_prog *prog, const struct ebpf_verify_opts *opts,
		struct ebpf_verify_result *res);
void ebpf_verify_result_free(struct ebpf_verify_result *res);

#endif
