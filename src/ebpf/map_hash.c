/* map_hash.c: BPF_MAP_TYPE_HASH and BPF_MAP_TYPE_LRU_HASH.
 *
 * A power-of-two array of buckets, each a singly linked chain of elements (key, then the value
 * 8-byte aligned). Readers (program lookups, host copies and iteration) walk the chains without
 * locks, inside an epoch section (epoch.h). Writers (host or program: update, delete, LRU
 * eviction) serialise on the map's lock and never change an element a reader can see except its
 * next pointer: an update of an existing key links a new element in place of the old one, a
 * delete unlinks; the unlinked element is retired and freed once no reader can hold it. So a
 * reader always finds a complete element, old or new, and a value pointer a program got stays
 * valid (with the value it had, or with the program's own writes) until its run ends.
 *
 * LRU: a lookup sets the element's referenced bit; when an insert finds the map full, a clock hand
 * sweeps the buckets, clearing referenced bits, and evicts the first element found unreferenced
 * (an approximation of least-recently-used, as Linux's is). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf/epoch.h"
#include "ebpf/map_impl.h"

struct hnode {
	struct ebpf_epoch_node ep; /* first: the epoch callback frees the node */
	struct hnode *_Atomic next;
	uint64_t hash;
	_Atomic uint8_t referenced; /* LRU */
	_Alignas(8) uint8_t data[]; /* key, then value at value_off */
};

struct map_hash {
	struct ebpf_map map;
	struct hnode *_Atomic *buckets;
	uint64_t mask;
	uint64_t seed;
	size_t value_off;
	bool lru;
	_Atomic uint32_t count;
	uint64_t clock_hand; /* LRU: next bucket the eviction sweep looks at */
	pthread_mutex_t lock;
};

#define HASH_MAX_BUCKETS (1U << 20)

static struct ebpf_map *hash_create_common(const struct ebpf_map_def *def, bool lru, char *err,
					   size_t errlen)
{
	struct map_hash *h;
	uint64_t nb = 16;

	if (def->key_size == 0 || def->value_size == 0) {
		ebpf_map_errf(err, errlen, def, "%s map needs key_size and value_size > 0",
			      ebpf_map_type_name(def->type));
		return NULL;
	}
	while (nb < def->max_entries && nb < HASH_MAX_BUCKETS)
		nb <<= 1;
	h = calloc(1, sizeof(*h));
	if (!h)
		goto nomem;
	h->buckets = calloc(nb, sizeof(*h->buckets));
	if (!h->buckets) {
		free(h);
		goto nomem;
	}
	h->mask = nb - 1;
	h->seed = ebpf_map_random_seed();
	h->value_off = ebpf_map_round8(def->key_size);
	h->lru = lru;
	pthread_mutex_init(&h->lock, NULL);
	return &h->map;
nomem:
	ebpf_map_errf(err, errlen, def, "out of memory");
	return NULL;
}

static struct ebpf_map *hash_create(const struct ebpf_map_def *def, unsigned n_vcpus, char *err,
				    size_t errlen)
{
	return hash_create_common(def, false, err, errlen);
}

static struct ebpf_map *lru_hash_create(const struct ebpf_map_def *def, unsigned n_vcpus, char *err,
					size_t errlen)
{
	return hash_create_common(def, true, err, errlen);
}

static void hnode_free(struct ebpf_epoch_node *ep)
{
	free(ep); /* ep is the first member of struct hnode */
}

static void hash_destroy(struct ebpf_map *m)
{
	struct map_hash *h = (struct map_hash *)m;
	uint32_t left = atomic_load_explicit(&h->count, memory_order_relaxed);

	/* count is exactly the number of linked elements (changed under the lock with each link
	 * and unlink): stop when all are freed, so an empty or sparse large map does not read
	 * (fault in) every untouched page of its bucket array on the way out */
	for (uint64_t b = 0; left && b <= h->mask; b++) {
		struct hnode *n = atomic_load_explicit(&h->buckets[b], memory_order_relaxed);

		while (n) {
			struct hnode *next = atomic_load_explicit(&n->next, memory_order_relaxed);

			free(n);
			left--;
			n = next;
		}
	}
	pthread_mutex_destroy(&h->lock);
	free(h->buckets);
	free(h);
}

static inline struct hnode *hash_find(struct map_hash *h, const void *key, uint64_t hash)
{
	struct hnode *n = atomic_load_explicit(&h->buckets[hash & h->mask], memory_order_acquire);
	uint32_t ks = h->map.def.key_size;

	for (; n; n = atomic_load_explicit(&n->next, memory_order_acquire))
		if (n->hash == hash && !memcmp(n->data, key, ks))
			return n;
	return NULL;
}

static void *hash_lookup(struct ebpf_map *m, const void *key)
{
	struct map_hash *h = (struct map_hash *)m;
	uint64_t hash = ebpf_map_hash_bytes(key, m->def.key_size, h->seed);
	struct hnode *n = hash_find(h, key, hash);

	if (!n)
		return NULL;
	if (h->lru && !atomic_load_explicit(&n->referenced, memory_order_relaxed))
		atomic_store_explicit(&n->referenced, 1, memory_order_relaxed);
	return n->data + h->value_off;
}

/* With the lock held: the link that points to the element with this key (or NULL). */
static struct hnode *_Atomic *hash_find_link(struct map_hash *h, const void *key, uint64_t hash)
{
	struct hnode *_Atomic *link = &h->buckets[hash & h->mask];
	struct hnode *n;

	while ((n = atomic_load_explicit(link, memory_order_relaxed))) {
		if (n->hash == hash && !memcmp(n->data, key, h->map.def.key_size))
			return link;
		link = &n->next;
	}
	return NULL;
}

/* With the lock held: unlinks the element *link points to and retires it. */
static void hash_unlink(struct map_hash *h, struct hnode *_Atomic *link)
{
	struct hnode *n = atomic_load_explicit(link, memory_order_relaxed);

	atomic_store_explicit(link, atomic_load_explicit(&n->next, memory_order_relaxed),
			      memory_order_release);
	atomic_fetch_sub_explicit(&h->count, 1, memory_order_relaxed);
	ebpf_epoch_retire(&n->ep, hnode_free);
}

/* With the lock held: evicts one element by the clock sweep; false if the map is empty. */
static bool lru_evict_one(struct map_hash *h)
{
	uint64_t nb = h->mask + 1;

	for (uint64_t steps = 0; steps < 2 * nb + 2; steps++) {
		uint64_t b = h->clock_hand & h->mask;
		struct hnode *_Atomic *link = &h->buckets[b];
		struct hnode *n;

		while ((n = atomic_load_explicit(link, memory_order_relaxed))) {
			if (!atomic_load_explicit(&n->referenced, memory_order_relaxed)) {
				hash_unlink(h, link);
				return true;
			}
			atomic_store_explicit(&n->referenced, 0, memory_order_relaxed);
			link = &n->next;
		}
		h->clock_hand++;
	}
	return false;
}

static int hash_update(struct ebpf_map *m, const void *key, const void *value, uint64_t flags,
		       bool from_prog)
{
	struct map_hash *h = (struct map_hash *)m;
	uint64_t hash = ebpf_map_hash_bytes(key, m->def.key_size, h->seed);
	struct hnode *_Atomic *link, *old, *n;
	int ret = 0;

	n = malloc(sizeof(*n) + h->value_off + ebpf_map_round8(m->def.value_size));
	if (!n)
		return -ENOMEM;
	n->hash = hash;
	atomic_init(&n->referenced, 1);
	memcpy(n->data, key, m->def.key_size);
	memcpy(n->data + h->value_off, value, m->def.value_size);

	pthread_mutex_lock(&h->lock);
	link = hash_find_link(h, key, hash);
	old = link ? atomic_load_explicit(link, memory_order_relaxed) : NULL;
	if (old && flags == EBPF_NOEXIST) {
		ret = -EEXIST;
		goto fail;
	}
	if (!old && flags == EBPF_EXIST) {
		ret = -ENOENT;
		goto fail;
	}
	if (old) {
		/* replace: the new element takes the old one's place in the chain */
		atomic_init(&n->next, atomic_load_explicit(&old->next, memory_order_relaxed));
		atomic_store_explicit(link, n, memory_order_release);
		ebpf_epoch_retire(&old->ep, hnode_free);
		pthread_mutex_unlock(&h->lock);
		return 0;
	}
	if (atomic_load_explicit(&h->count, memory_order_relaxed) >= m->def.max_entries &&
	    !(h->lru && lru_evict_one(h))) {
		ret = -E2BIG;
		goto fail;
	}
	link = &h->buckets[hash & h->mask];
	atomic_init(&n->next, atomic_load_explicit(link, memory_order_relaxed));
	atomic_store_explicit(link, n, memory_order_release);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	pthread_mutex_unlock(&h->lock);
	return 0;
fail:
	pthread_mutex_unlock(&h->lock);
	free(n);
	return ret;
}

static int hash_delete(struct ebpf_map *m, const void *key)
{
	struct map_hash *h = (struct map_hash *)m;
	uint64_t hash = ebpf_map_hash_bytes(key, m->def.key_size, h->seed);
	struct hnode *_Atomic *link;
	int ret = -ENOENT;

	pthread_mutex_lock(&h->lock);
	link = hash_find_link(h, key, hash);
	if (link) {
		hash_unlink(h, link);
		ret = 0;
	}
	pthread_mutex_unlock(&h->lock);
	return ret;
}

static int hash_get_next_key(struct ebpf_map *m, const void *key, void *next)
{
	struct map_hash *h = (struct map_hash *)m;
	uint64_t b = 0;
	struct hnode *n = NULL;

	if (key) {
		uint64_t hash = ebpf_map_hash_bytes(key, m->def.key_size, h->seed);

		n = hash_find(h, key, hash);
		if (n) {
			b = (hash & h->mask) + 1;
			n = atomic_load_explicit(&n->next, memory_order_acquire);
		}
	}
	for (; !n && b <= h->mask; b++)
		n = atomic_load_explicit(&h->buckets[b], memory_order_acquire);
	if (!n)
		return -ENOENT;
	memcpy(next, n->data, m->def.key_size);
	return 0;
}

static int hash_lookup_copy(struct ebpf_map *m, const void *key, void *value)
{
	struct map_hash *h = (struct map_hash *)m;
	struct hnode *n = hash_find(h, key, ebpf_map_hash_bytes(key, m->def.key_size, h->seed));

	if (!n)
		return -ENOENT;
	ebpf_map_load_words(value, n->data + h->value_off, m->def.value_size);
	return 0;
}

static uint32_t hash_count(struct ebpf_map *m)
{
	return atomic_load(&((struct map_hash *)m)->count);
}

const struct ebpf_map_ops ebpf_map_hash_ops = {
    .create = hash_create,
    .destroy = hash_destroy,
    .lookup = hash_lookup,
    .update = hash_update,
    .delete = hash_delete,
    .get_next_key = hash_get_next_key,
    .lookup_copy = hash_lookup_copy,
    .count = hash_count,
};

const struct ebpf_map_ops ebpf_map_lru_hash_ops = {
    .create = lru_hash_create,
    .destroy = hash_destroy,
    .lookup = hash_lookup,
    .update = hash_update,
    .delete = hash_delete,
    .get_next_key = hash_get_next_key,
    .lookup_copy = hash_lookup_copy,
    .count = hash_count,
};
