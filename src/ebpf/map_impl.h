/* map_impl.h: what the map types (map_*.c) share with maps.c, the dispatcher behind maps.h. Each
 * type embeds struct ebpf_map first in its own struct and provides a struct ebpf_map_ops. Not for
 * use outside src/ebpf. */
#ifndef BULWARK_EBPF_MAP_IMPL_H
#define BULWARK_EBPF_MAP_IMPL_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ebpf/maps.h"

struct ebpf_map_ops {
	/* validates def (type-specific) and allocates the map; message in err */
	struct ebpf_map *(*create)(const struct ebpf_map_def *def, unsigned n_vcpus, char *err,
				   size_t errlen);
	void (*destroy)(struct ebpf_map *m); /* no reader or writer left */
	void *(*lookup)(struct ebpf_map *m, const void *key);
	int (*update)(struct ebpf_map *m, const void *key, const void *value, uint64_t flags,
		      bool from_prog);
	int (*delete)(struct ebpf_map *m, const void *key);
	int (*get_next_key)(struct ebpf_map *m, const void *key, void *next);
	int (*lookup_copy)(struct ebpf_map *m, const void *key, void *value);
	uint32_t (*count)(struct ebpf_map *m);
};

struct ebpf_map {
	struct ebpf_map_def def;
	const struct ebpf_map_ops *ops;
	_Atomic uint32_t refcnt;
	unsigned n_vcpus;
	_Atomic bool frozen;
};

extern const struct ebpf_map_ops ebpf_map_array_ops, ebpf_map_percpu_array_ops, ebpf_map_hash_ops,
    ebpf_map_lru_hash_ops, ebpf_map_lpm_ops, ebpf_map_ringbuf_ops, ebpf_map_prog_array_ops;

/* Formats "map 'NAME': ..." into err. */
void ebpf_map_errf(char *err, size_t errlen, const struct ebpf_map_def *def, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Copies n bytes with 8-byte (and for the tail 1-byte) relaxed atomic stores/loads, so a
 * concurrent reader never sees a torn word. dst (store) / src (load) must be 8-byte aligned. */
void ebpf_map_store_words(void *dst, const void *src, size_t n);
void ebpf_map_load_words(void *dst, const void *src, size_t n);

/* Seeded hash of a key (not a PRF; the seed is per map, from getrandom). */
uint64_t ebpf_map_hash_bytes(const void *key, size_t n, uint64_t seed);
uint64_t ebpf_map_random_seed(void);

static inline size_t ebpf_map_round8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* True when the calling thread is inside a program run (program-side semantics). */
bool ebpf_map_in_prog(void);
/* The current vCPU index of a program run (0 on the host side). */
uint32_t ebpf_map_current_vcpu(void);

#endif
