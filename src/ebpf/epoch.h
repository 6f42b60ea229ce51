/* epoch.h: epoch-based reclamation for eBPF maps (docs/maps.md). Readers (program runs, host
 * lookups) are lock-free: they announce themselves with ebpf_epoch_enter() and leave with
 * ebpf_epoch_exit(); a writer that unlinks an element hands it to ebpf_epoch_retire(), which frees
 * it once every reader that was inside a section when it was retired has left. Sections nest
 * (per thread) and must be short (one program run): a reader stuck inside delays reclamation but
 * never makes it unsafe. */
#ifndef BULWARK_EBPF_EPOCH_H
#define BULWARK_EBPF_EPOCH_H

void ebpf_epoch_enter(void);
void ebpf_epoch_exit(void);
/* Frees p with fn(p) once no reader can hold it. Never blocks. */
void ebpf_epoch_retire(void *p, void (*fn)(void *));
/* Waits until every element retired before the call is freed (not from inside a section). */
void ebpf_epoch_synchronize(void);
/* Frees what can be freed now without waiting; returns the number still pending. */
unsigned long ebpf_epoch_reclaim(void);

#endif
