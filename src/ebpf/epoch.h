/* epoch.h: epoch-based reclamation for eBPF maps (docs/maps.md). Readers (program runs, host
 * lookups) are lock-free: they announce themselves with ebpf_epoch_enter() and leave with
 * ebpf_epoch_exit(); a writer that unlinks an element hands it to ebpf_epoch_retire(), which frees
 * it once every reader that was inside a section when it was retired has left. Sections nest
 * (per thread) and must be short (one program run): a reader stuck inside delays reclamation but
 * never makes it unsafe. Retiring never blocks and never allocates (the node is embedded in the
 * element), so programs may delete map elements from inside their own section. */
#ifndef BULWARK_EBPF_EPOCH_H
#define BULWARK_EBPF_EPOCH_H

#include <stdint.h>

struct ebpf_epoch_node {
	struct ebpf_epoch_node *next;
	uint64_t epoch;
	void (*free_fn)(struct ebpf_epoch_node *node);
};

void ebpf_epoch_enter(void);
void ebpf_epoch_exit(void);
/* Calls free_fn(node) once no reader can hold the element any more. Never blocks. */
void ebpf_epoch_retire(struct ebpf_epoch_node *node, void (*free_fn)(struct ebpf_epoch_node *));
/* Waits until everything retired before the call is freed. Must not be called from inside a
 * section (it would wait for itself): returns -EDEADLK then. */
int ebpf_epoch_synchronize(void);
/* Frees what can be freed now without waiting; returns the number of elements still pending. */
unsigned long ebpf_epoch_reclaim(void);

#endif
