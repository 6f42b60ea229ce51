/* maps.c: the type-independent part of eBPF maps (maps.h): creation with validation of the
 * definition, reference counting, dispatch to the per-type operations (map_impl.h), and small
 * shared tools (word-atomic copies, the key hash). */
#include "ebpf/maps.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ebpf/epoch.h"
#include "ebpf/map_impl.h"
#include "ebpf/prog.h"

void ebpf_map_errf(char *err, size_t errlen, const struct ebpf_map_def *def, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !errlen)
		return;
	n = snprintf(err, errlen, "map '%.64s': ", def->name[0] ? def->name : "(unnamed)");
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
}

const char *ebpf_map_type_name(enum ebpf_map_type type)
{
	switch (type) {
	case EBPF_MAP_HASH:
		return "hash";
	case EBPF_MAP_ARRAY:
		return "array";
	case EBPF_MAP_PROG_ARRAY:
		return "prog_array";
	case EBPF_MAP_PERCPU_ARRAY:
		return "percpu_array";
	case EBPF_MAP_LRU_HASH:
		return "lru_hash";
	case EBPF_MAP_LPM_TRIE:
		return "lpm_trie";
	case EBPF_MAP_RINGBUF:
		return "ringbuf";
	}
	return NULL;
}

static const struct ebpf_map_ops *map_ops_for(enum ebpf_map_type type)
{
	switch (type) {
	case EBPF_MAP_HASH:
		return &ebpf_map_hash_ops;
	case EBPF_MAP_ARRAY:
		return &ebpf_map_array_ops;
	case EBPF_MAP_PROG_ARRAY:
		return &ebpf_map_prog_array_ops;
	case EBPF_MAP_PERCPU_ARRAY:
		return &ebpf_map_percpu_array_ops;
	case EBPF_MAP_LRU_HASH:
		return &ebpf_map_lru_hash_ops;
	case EBPF_MAP_LPM_TRIE:
		return &ebpf_map_lpm_ops;
	case EBPF_MAP_RINGBUF:
		return &ebpf_map_ringbuf_ops;
	}
	return NULL;
}

struct ebpf_map *ebpf_map_create(const struct ebpf_map_def *def, unsigned n_vcpus, char *err,
				 size_t errlen)
{
	const struct ebpf_map_ops *ops;
	struct ebpf_map *m;

	if (err && errlen)
		err[0] = 0;
	if (!def)
		return NULL;
	ops = map_ops_for(def->type);
	if (!ops || !ops->create) {
		ebpf_map_errf(err, errlen, def, "unknown or unsupported map type %u",
			      (unsigned)def->type);
		return NULL;
	}
	if (def->flags & ~(EBPF_F_NO_PREALLOC | EBPF_F_RDONLY_PROG)) {
		ebpf_map_errf(err, errlen, def, "unsupported map_flags 0x%x", def->flags);
		return NULL;
	}
	if (def->max_entries == 0) {
		ebpf_map_errf(err, errlen, def, "max_entries is 0");
		return NULL;
	}
	if (def->key_size > EBPF_MAP_MAX_KEY_SIZE || def->value_size > EBPF_MAP_MAX_VALUE_SIZE) {
		ebpf_map_errf(err, errlen, def,
			      "key_size %u or value_size %u too large (max %u, %u)", def->key_size,
			      def->value_size, EBPF_MAP_MAX_KEY_SIZE, EBPF_MAP_MAX_VALUE_SIZE);
		return NULL;
	}
	if (def->type != EBPF_MAP_RINGBUF && def->max_entries > EBPF_MAP_MAX_ENTRIES) {
		ebpf_map_errf(err, errlen, def, "max_entries %u too large (max %u)",
			      def->max_entries, EBPF_MAP_MAX_ENTRIES);
		return NULL;
	}
	if (n_vcpus == 0)
		n_vcpus = 1;
	m = ops->create(def, n_vcpus, err, errlen);
	if (!m)
		return NULL;
	m->def = *def;
	m->def.name[sizeof(m->def.name) - 1] = 0;
	m->ops = ops;
	m->n_vcpus = n_vcpus;
	atomic_init(&m->refcnt, 1);
	atomic_init(&m->frozen, false);
	return m;
}

struct ebpf_map *ebpf_map_get(struct ebpf_map *m)
{
	if (m)
		atomic_fetch_add_explicit(&m->refcnt, 1, memory_order_relaxed);
	return m;
}

void ebpf_map_put(struct ebpf_map *m)
{
	if (!m || atomic_fetch_sub_explicit(&m->refcnt, 1, memory_order_acq_rel) != 1)
		return;
	m->ops->destroy(m);
	ebpf_epoch_reclaim();
}

const struct ebpf_map_def *ebpf_map_def(const struct ebpf_map *m)
{
	return &m->def;
}

unsigned ebpf_map_n_vcpus(const struct ebpf_map *m)
{
	return m->n_vcpus;
}

void *ebpf_map_lookup(struct ebpf_map *m, const void *key)
{
	return m->ops->lookup ? m->ops->lookup(m, key) : NULL;
}

int ebpf_map_update(struct ebpf_map *m, const void *key, const void *value, uint64_t flags)
{
	bool from_prog = ebpf_map_in_prog();

	if (!m->ops->update)
		return -EINVAL;
	if (flags > EBPF_EXIST)
		return -EINVAL;
	if (from_prog ? (m->def.flags & EBPF_F_RDONLY_PROG) != 0 : atomic_load(&m->frozen))
		return -EPERM;
	return m->ops->update(m, key, value, flags, from_prog);
}

int ebpf_map_delete(struct ebpf_map *m, const void *key)
{
	bool from_prog = ebpf_map_in_prog();

	if (!m->ops->delete)
		return -EINVAL;
	if (from_prog ? (m->def.flags & EBPF_F_RDONLY_PROG) != 0 : atomic_load(&m->frozen))
		return -EPERM;
	return m->ops->delete (m, key);
}

int ebpf_map_get_next_key(struct ebpf_map *m, const void *key, void *next)
{
	int r;

	if (!m->ops->get_next_key)
		return -EINVAL;
	ebpf_epoch_enter();
	r = m->ops->get_next_key(m, key, next);
	ebpf_epoch_exit();
	return r;
}

int ebpf_map_lookup_copy(struct ebpf_map *m, const void *key, void *value)
{
	int r;

	if (!m->ops->lookup_copy)
		return -EINVAL;
	ebpf_epoch_enter();
	r = m->ops->lookup_copy(m, key, value);
	ebpf_epoch_exit();
	return r;
}

uint32_t ebpf_map_count(struct ebpf_map *m)
{
	return m->ops->count ? m->ops->count(m) : 0;
}

void *ebpf_map_direct_value(struct ebpf_map *m)
{
	uint32_t zero = 0;

	if (!m || m->def.type != EBPF_MAP_ARRAY || m->def.max_entries != 1)
		return NULL;
	return m->ops->lookup(m, &zero);
}

void ebpf_map_freeze(struct ebpf_map *m)
{
	atomic_store(&m->frozen, true);
}

bool ebpf_map_frozen(const struct ebpf_map *m)
{
	return atomic_load(&((struct ebpf_map *)m)->frozen);
}

/* ---- shared tools ------------------------------------------------------------------------ */

void ebpf_map_store_words(void *dst, const void *src, size_t n)
{
	uint64_t *d = dst;
	const uint8_t *s = src;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		__atomic_store_n(&d[i / 8], w, __ATOMIC_RELAXED);
	}
	for (; i < n; i++)
		__atomic_store_n((uint8_t *)dst + i, s[i], __ATOMIC_RELAXED);
}

void ebpf_map_load_words(void *dst, const void *src, size_t n)
{
	const uint64_t *s = src;
	uint8_t *d = dst;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t w = __atomic_load_n(&s[i / 8], __ATOMIC_RELAXED);

		memcpy(d + i, &w, 8);
	}
	for (; i < n; i++)
		d[i] = __atomic_load_n((const uint8_t *)src + i, __ATOMIC_RELAXED);
}

static inline uint64_t hash_mix(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t ebpf_map_hash_bytes(const void *key, size_t n, uint64_t seed)
{
	const uint8_t *p = key;
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ull), w;

	while (n >= 8) {
		memcpy(&w, p, 8);
		h = hash_mix(h ^ w, 0xa0761d6478bd642full);
		p += 8;
		n -= 8;
	}
	if (n) {
		w = 0;
		memcpy(&w, p, n);
		h = hash_mix(h ^ w, 0xe7037ed1a0b428dbull);
	}
	return hash_mix(h, 0x8ebc6af09c88c6e3ull);
}

uint64_t ebpf_map_random_seed(void)
{
	uint64_t s = 0;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != sizeof(s))
		s = (uint64_t)(uintptr_t)&s ^ 0x5851f42d4c957f2dull;
	return s;
}

bool ebpf_map_in_prog(void)
{
	return ebpf_run_ctx_current()->prog != NULL;
}

uint32_t ebpf_map_current_vcpu(void)
{
	return ebpf_run_ctx_current()->vcpu;
}
