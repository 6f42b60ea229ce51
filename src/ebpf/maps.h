/* maps.h: eBPF maps, the state shared between extension programs and the host (the VMM, the
 * slow path, the CLI). A map is a reference-counted object created from an ELF's definition (or
 * by the host); programs reach it through helpers 1-3 and 130-133 (helpers.h) and lddw src 1/2
 * (insn.h), the host through the same functions plus the host-only ones below.
 *
 * Types and numbers are Linux's. One file per type (map_array.c, map_percpu_array.c,
 * map_hash.c (hash and LRU hash), map_lpm.c, map_ringbuf.c, map_prog_array.c), dispatched
 * through struct ebpf_map_ops (map_impl.h).
 *
 * Concurrency (docs/maps.md): program-side lookups are lock-free readers inside an epoch
 * section (epoch.h; ebpf_prog_run enters it); writers (host or program) serialise per map and
 * never free memory a reader may still see: removed hash/LRU/LPM elements are retired and freed
 * after every reader that could hold them has left its section. Array values are updated in
 * place, word by word with atomic stores, under a per-element sequence count, so host-side
 * copies (ebpf_map_lookup_copy) are never torn. */
#ifndef BULWARK_EBPF_MAPS_H
#define BULWARK_EBPF_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ebpf_map;
struct ebpf_prog;

/* Linux's numbers (enum bpf_map_type). */
enum ebpf_map_type {
	EBPF_MAP_HASH = 1,
	EBPF_MAP_ARRAY = 2,
	EBPF_MAP_PROG_ARRAY = 3,
	EBPF_MAP_PERCPU_ARRAY = 6, /* one value per vCPU (ebpf_run_ctx_current()->vcpu) */
	EBPF_MAP_LRU_HASH = 9,
	EBPF_MAP_LPM_TRIE = 11,
	EBPF_MAP_RINGBUF = 27,
};

struct ebpf_map_def {
	enum ebpf_map_type type;
	uint32_t key_size, value_size, max_entries, flags;
	char name[64];
};

/* Update flags (Linux's BPF_ANY, BPF_NOEXIST, BPF_EXIST). */
#define EBPF_ANY 0
#define EBPF_NOEXIST 1
#define EBPF_EXIST 2

/* Map flags accepted in ebpf_map_def.flags (Linux's values). */
#define EBPF_F_NO_PREALLOC (1U << 0) /* hash/LPM: accepted, ignored (elements are allocated) */
#define EBPF_F_RDONLY_PROG (1U << 8) /* programs may not write (.rodata): helper 2/3 refuse */

/* LPM trie key, as Linux: prefix length in bits, then the address bytes in network order. */
struct ebpf_lpm_key {
	uint32_t prefixlen;
	uint8_t data[];
};

/* Limits (checked by ebpf_map_create). */
#define EBPF_MAP_MAX_KEY_SIZE 512
#define EBPF_MAP_MAX_VALUE_SIZE (1U << 20)
#define EBPF_MAP_MAX_ENTRIES (1U << 24)
#define EBPF_RINGBUF_MAX_SIZE (1U << 28)

/* Creates a map; n_vcpus is the number of value copies of per-vCPU maps (>= 1; others ignore
 * it). On error returns NULL with a message naming the map ("map 'name': ...") in err. */
struct ebpf_map *ebpf_map_create(const struct ebpf_map_def *def, unsigned n_vcpus, char *err,
				 size_t errlen);
struct ebpf_map *ebpf_map_get(struct ebpf_map *m); /* +1 reference; returns m */
void ebpf_map_put(struct ebpf_map *m);		   /* -1; frees at 0; NULL is fine */
const struct ebpf_map_def *ebpf_map_def(const struct ebpf_map *m);
unsigned ebpf_map_n_vcpus(const struct ebpf_map *m);
const char *ebpf_map_type_name(enum ebpf_map_type type); /* "hash", ..., NULL if unknown */

/* Program side (helper 1): pointer to the value, NULL if absent. Valid until the caller leaves
 * its epoch section (the end of the program run). Per-vCPU arrays give the current vCPU's
 * copy. Ring buffers and program arrays have no lookup (NULL). */
void *ebpf_map_lookup(struct ebpf_map *m, const void *key);
/* Both sides (helper 2 / host): flags EBPF_ANY/NOEXIST/EXIST. -EEXIST, -ENOENT, -E2BIG (full,
 * or array index out of range), -EINVAL (bad flags, map type without update), -ENOMEM.
 * Per-vCPU arrays: from a program, the current vCPU's copy; from the host (outside a run), all
 * copies get the value. */
int ebpf_map_update(struct ebpf_map *m, const void *key, const void *value, uint64_t flags);
int ebpf_map_delete(struct ebpf_map *m, const void *key); /* -ENOENT; arrays: -EINVAL */
/* Host-side iteration: key NULL gives the first key; -ENOENT at the end. A key that was
 * deleted meanwhile restarts from the first key (as Linux's hash maps do). */
int ebpf_map_get_next_key(struct ebpf_map *m, const void *key, void *next);
/* Host side: copies the value (value_size bytes; per-vCPU arrays: n_vcpus copies, each at a
 * stride of value_size rounded up to 8, as Linux). A consistent snapshot: never torn by a
 * concurrent update. 0 or -ENOENT / -EINVAL. */
int ebpf_map_lookup_copy(struct ebpf_map *m, const void *key, void *value);
/* Host side: number of elements currently present (arrays: max_entries). */
uint32_t ebpf_map_count(struct ebpf_map *m);

/* Value of key 0 of a 1-entry ARRAY (global data .data/.rodata/.bss); NULL otherwise. */
void *ebpf_map_direct_value(struct ebpf_map *m);
/* Makes a map read-only for programs (after the loader wrote .rodata's initial contents). */
void ebpf_map_freeze(struct ebpf_map *m);
bool ebpf_map_frozen(const struct ebpf_map *m);

/* ---- program arrays (tail calls) ---------------------------------------------------------- */
/* Slot value or NULL (index out of range or empty). Programs are not owned by the map: whoever
 * clears a slot must ebpf_epoch_synchronize() before freeing the program it held. */
struct ebpf_prog *ebpf_prog_array_get(struct ebpf_map *m, uint32_t index);
int ebpf_prog_array_set(struct ebpf_map *m, uint32_t index,
			struct ebpf_prog *p); /* p NULL clears */

/* ---- ring buffers (Linux's BPF_MAP_TYPE_RINGBUF semantics) -------------------------------- */
/* max_entries is the data size in bytes: a power of 2, >= 4096. Records are 8-byte aligned and
 * start with an 8-byte header; a reserved record is invisible to the consumer until it is
 * submitted, and the consumer stops at the first record still reserved (ordering as Linux). */
#define EBPF_RB_NO_WAKEUP (1U << 0)
#define EBPF_RB_FORCE_WAKEUP (1U << 1)
#define EBPF_RB_AVAIL_DATA 0 /* bpf_ringbuf_query flags, for completeness */

void *ebpf_ringbuf_reserve(struct ebpf_map *m, uint64_t size, uint64_t flags); /* NULL if full */
void ebpf_ringbuf_submit(void *data, uint64_t flags);
void ebpf_ringbuf_discard(void *data, uint64_t flags);
int ebpf_ringbuf_output(struct ebpf_map *m, const void *data, uint64_t size, uint64_t flags);
/* Host-side consumer (one consumer at a time per ring): calls cb for each submitted record in
 * order (discarded ones skipped), until cb returns non-zero or no record is ready. Returns the
 * number of records given to cb, or -EINVAL if m is not a ring buffer. */
typedef int (*ebpf_ringbuf_cb)(void *opaque, const void *data, uint32_t size);
int ebpf_ringbuf_consume(struct ebpf_map *m, ebpf_ringbuf_cb cb, void *opaque);
uint64_t ebpf_ringbuf_avail_data(struct ebpf_map *m); /* bytes produced, not yet consumed */
/* bpf_ringbuf_query: flags 0 available data, 1 ring size, 2 consumer position, 3 producer
 * position; 0 for anything else. */
uint64_t ebpf_ringbuf_query(struct ebpf_map *m, uint64_t flags);
/* An eventfd (EFD_NONBLOCK) signalled on submit (unless EBPF_RB_NO_WAKEUP); owned by the map.
 * Returns the fd or -errno. */
int ebpf_ringbuf_wakeup_fd(struct ebpf_map *m);

#endif
