/* interp.h: the eBPF interpreter (interp.c), RFC 9669 up to v4 plus callx, helper calls through
 * the program type's table, bpf-to-bpf calls (512-byte frames), tail calls (helper 12) and lddw
 * map sources.
 *
 * A program is first pre-decoded (ebpf_interp_prepare): each slot becomes a record holding the
 * address of its handler (direct-threaded code, GNU computed goto), its operands with the
 * immediate already sign-extended, jump targets as pointers, lddw constants and map addresses
 * resolved, helpers resolved to their functions. Running is then a chain of indirect jumps with
 * no decoding. The interpreter does not check memory accesses (the verifier proves them); it
 * keeps its own host safety: no jump leaves the pre-decoded array (checked at prepare time),
 * falling off the end or into lddw's second slot ends the run, call depth and tail calls are
 * bounded, and it has no internal loop that the program does not drive. */
#ifndef BULWARK_EBPF_INTERP_H
#define BULWARK_EBPF_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "ebpf/prog.h"

/* Pre-decodes prog into prog->interp (idempotent; thread-safe). Returns 0, or -EINVAL with a
 * message naming the instruction in err: an encoding RFC 9669 does not define, a jump out of the
 * program, a helper the program type does not offer, a map index without a map, or -ENOMEM. */
int ebpf_interp_prepare(struct ebpf_prog *prog, char *err, size_t errlen);

/* Runs prog on the interpreter with r1, r2 and returns r0. Prepares it first if needed; a
 * program that cannot be prepared returns 0. Does not check prog->verified (the caller's job:
 * ebpf_prog_run does). */
uint64_t ebpf_interp_run(const struct ebpf_prog *prog, uint64_t r1, uint64_t r2);

/* Drops the pre-decoded form (after insns were changed, and from ebpf_prog_free). */
void ebpf_interp_reset(struct ebpf_prog *prog);

/* Frames of EBPF_STACK_SIZE bytes a run may use: the main function and up to 7 nested
 * bpf-to-bpf calls (as the JIT; a deeper call ends the run with r0 = 0). */
#define EBPF_INTERP_MAX_FRAMES EBPF_MAX_CALL_DEPTH
/* Tail calls allowed in one run (Linux's MAX_TAIL_CALL_CNT). */
#define EBPF_MAX_TAIL_CALLS 33

#endif
