/* map_lpm.c: BPF_MAP_TYPE_LPM_TRIE, longest-prefix match over keys {u32 prefixlen; u8 data[]}
 * (data in network byte order, 1 to 256 bytes: IPv4 4, IPv6 16), as Linux's.
 *
 * A path-compressed binary trie: each node holds a prefix (prefixlen bits of data); a child's
 * prefix extends its parent's, child[b] for the bit b that follows the parent's prefix. Nodes
 * either hold a value (a prefix that was inserted) or are "intermediate" (a branching point
 * created by an insert, always with two children). A lookup walks down from the root while the
 * node's prefix matches the address, remembering the last node with a value: at most one node
 * per distinct prefix length on the path, so a few dozen steps for any IPv4/IPv6 table, each a
 * 32/64-bit XOR and count-leading-zeros.
 *
 * Concurrency (docs/maps.md): lookups walk without locks inside an epoch section; writers hold
 * the map's mutex and only publish fully built nodes with release stores: an update of an
 * existing prefix or a removal of a node replaces/unlinks it and retires the old node (freed
 * when no reader can hold it). The one in-place change is a deleted node with two children
 * becoming intermediate (an atomic flag): a concurrent lookup sees its value or not. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf/epoch.h"
#include "ebpf/map_impl.h"

#define LPM_DATA_MAX 256
#define LPM_INTERMEDIATE 1u

struct lnode {
	struct ebpf_epoch_node ep; /* first: the epoch callback frees the node */
	struct lnode *_Atomic child[2];
	uint32_t prefixlen;
	_Atomic uint32_t flags;
	_Alignas(8) uint8_t data[]; /* prefix (data_size bytes, bits past prefixlen zero), value */
};

struct map_lpm {
	struct ebpf_map map;
	struct lnode *_Atomic root;
	uint32_t data_size, max_prefixlen;
	size_t value_off;
	_Atomic uint32_t count;
	pthread_mutex_t lock;
};

static struct ebpf_map *lpm_create(const struct ebpf_map_def *def, unsigned n_vcpus, char *err,
				   size_t errlen)
{
	struct map_lpm *t;

	if (def->key_size <= 4 || def->key_size > 4 + LPM_DATA_MAX || def->value_size == 0) {
		ebpf_map_errf(err, errlen, def,
			      "lpm_trie map needs key_size 5 to %u (u32 prefixlen + data) and "
			      "value_size > 0, not %u and %u",
			      4 + LPM_DATA_MAX, def->key_size, def->value_size);
		return NULL;
	}
	if (!(def->flags & EBPF_F_NO_PREALLOC)) {
		ebpf_map_errf(err, errlen, def,
			      "lpm_trie map needs map_flags BPF_F_NO_PREALLOC "
			      "(as Linux)");
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		ebpf_map_errf(err, errlen, def, "out of memory");
		return NULL;
	}
	t->data_size = def->key_size - 4;
	t->max_prefixlen = t->data_size * 8;
	t->value_off = ebpf_map_round8(t->data_size);
	pthread_mutex_init(&t->lock, NULL);
	return &t->map;
}

static void lnode_free(struct ebpf_epoch_node *ep)
{
	free(ep);
}

static void lpm_free_tree(struct lnode *n)
{
	while (n) {
		struct lnode *c1 = atomic_load_explicit(&n->child[1], memory_order_relaxed);

		lpm_free_tree(atomic_load_explicit(&n->child[0], memory_order_relaxed));
		free(n);
		n = c1;
	}
}

static void lpm_destroy(struct ebpf_map *m)
{
	struct map_lpm *t = (struct map_lpm *)m;

	lpm_free_tree(atomic_load_explicit(&t->root, memory_order_relaxed));
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static inline uint64_t be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return __builtin_bswap64(v);
}

static inline uint32_t be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return __builtin_bswap32(v);
}

/* Number of leading bits a and b share, at most limit. */
static inline uint32_t lpm_match(const uint8_t *a, const uint8_t *b, uint32_t size, uint32_t limit)
{
	uint32_t bits = 0, i = 0;

	for (; i + 8 <= size && bits < limit; i += 8, bits += 64) {
		uint64_t x = be64(a + i) ^ be64(b + i);

		if (x) {
			bits += __builtin_clzll(x);
			return bits < limit ? bits : limit;
		}
	}
	for (; i + 4 <= size && bits < limit; i += 4, bits += 32) {
		uint32_t x = be32(a + i) ^ be32(b + i);

		if (x) {
			bits += __builtin_clz(x);
			return bits < limit ? bits : limit;
		}
	}
	for (; i < size && bits < limit; i++, bits += 8) {
		uint32_t x = a[i] ^ b[i];

		if (x) {
			bits += __builtin_clz(x) - 24;
			return bits < limit ? bits : limit;
		}
	}
	return bits < limit ? bits : limit;
}

static inline unsigned lpm_bit(const uint8_t *data, uint32_t index)
{
	return (data[index / 8] >> (7 - index % 8)) & 1;
}

static inline uint32_t lpm_node_match(const struct map_lpm *t, const struct lnode *n,
				      const uint8_t *data, uint32_t prefixlen)
{
	return lpm_match(n->data, data, t->data_size,
			 n->prefixlen < prefixlen ? n->prefixlen : prefixlen);
}

/* Longest-prefix match (lock-free; inside an epoch section). */
static struct lnode *lpm_find(struct map_lpm *t, const void *key)
{
	uint32_t prefixlen;
	const uint8_t *data = (const uint8_t *)key + 4;
	struct lnode *n = atomic_load_explicit(&t->root, memory_order_acquire), *found = NULL;

	memcpy(&prefixlen, key, 4);
	if (prefixlen > t->max_prefixlen)
		prefixlen = t->max_prefixlen;
	while (n) {
		uint32_t m = lpm_node_match(t, n, data, prefixlen);

		if (m < n->prefixlen)
			break;
		if (!(atomic_load_explicit(&n->flags, memory_order_relaxed) & LPM_INTERMEDIATE))
			found = n;
		if (n->prefixlen >= prefixlen)
			break;
		n = atomic_load_explicit(&n->child[lpm_bit(data, n->prefixlen)],
					 memory_order_acquire);
	}
	return found;
}

static void *lpm_lookup(struct ebpf_map *m, const void *key)
{
	struct map_lpm *t = (struct map_lpm *)m;
	struct lnode *n = lpm_find(t, key);

	return n ? n->data + t->value_off : NULL;
}

static int lpm_lookup_copy(struct ebpf_map *m, const void *key, void *value)
{
	struct map_lpm *t = (struct map_lpm *)m;
	struct lnode *n = lpm_find(t, key);

	if (!n)
		return -ENOENT;
	ebpf_map_load_words(value, n->data + t->value_off, m->def.value_size);
	return 0;
}

static struct lnode *lpm_node_new(struct map_lpm *t, uint32_t prefixlen, const uint8_t *data,
				  const void *value)
{
	struct lnode *n =
	    calloc(1, sizeof(*n) + t->value_off + ebpf_map_round8(t->map.def.value_size));

	if (!n)
		return NULL;
	n->prefixlen = prefixlen;
	memcpy(n->data, data, (prefixlen + 7) / 8);
	if (prefixlen % 8)
		n->data[prefixlen / 8] &= (uint8_t)(0xff00 >> (prefixlen % 8));
	if (value)
		memcpy(n->data + t->value_off, value, t->map.def.value_size);
	else
		atomic_init(&n->flags, LPM_INTERMEDIATE);
	return n;
}

static int lpm_update(struct ebpf_map *m, const void *key, const void *value, uint64_t flags,
		      bool from_prog)
{
	struct map_lpm *t = (struct map_lpm *)m;
	const uint8_t *data = (const uint8_t *)key + 4;
	struct lnode *_Atomic *slot = &t->root, *n, *nn, *im;
	uint32_t prefixlen, matchlen = 0;
	bool exact;
	int ret = 0;

	memcpy(&prefixlen, key, 4);
	if (prefixlen > t->max_prefixlen)
		return -EINVAL;
	nn = lpm_node_new(t, prefixlen, data, value);
	if (!nn)
		return -ENOMEM;
	pthread_mutex_lock(&t->lock);
	while ((n = atomic_load_explicit(slot, memory_order_relaxed))) {
		matchlen = lpm_node_match(t, n, data, prefixlen);
		if (n->prefixlen != matchlen || n->prefixlen == prefixlen ||
		    n->prefixlen == t->max_prefixlen)
			break;
		slot = &n->child[lpm_bit(data, n->prefixlen)];
	}
	exact = n && n->prefixlen == matchlen && n->prefixlen == prefixlen &&
		!(atomic_load_explicit(&n->flags, memory_order_relaxed) & LPM_INTERMEDIATE);
	if (exact ? flags == EBPF_NOEXIST : flags == EBPF_EXIST) {
		ret = exact ? -EEXIST : -ENOENT;
		goto fail;
	}
	if (!exact && atomic_load_explicit(&t->count, memory_order_relaxed) >= m->def.max_entries) {
		ret = -ENOSPC;
		goto fail;
	}
	if (!n) {
		atomic_store_explicit(slot, nn, memory_order_release);
	} else if (n->prefixlen == matchlen && n->prefixlen == prefixlen) {
		/* same prefix (with a value or intermediate): the new node takes its place */
		atomic_init(&nn->child[0],
			    atomic_load_explicit(&n->child[0], memory_order_relaxed));
		atomic_init(&nn->child[1],
			    atomic_load_explicit(&n->child[1], memory_order_relaxed));
		atomic_store_explicit(slot, nn, memory_order_release);
		ebpf_epoch_retire(&n->ep, lnode_free);
	} else if (matchlen == prefixlen) {
		/* the new prefix covers n: it becomes n's parent */
		atomic_init(&nn->child[lpm_bit(n->data, matchlen)], n);
		atomic_store_explicit(slot, nn, memory_order_release);
	} else {
		/* they diverge after matchlen bits: a branching node above both */
		im = lpm_node_new(t, matchlen, data, NULL);
		if (!im) {
			ret = -ENOMEM;
			goto fail;
		}
		if (lpm_bit(data, matchlen)) {
			atomic_init(&im->child[0], n);
			atomic_init(&im->child[1], nn);
		} else {
			atomic_init(&im->child[0], nn);
			atomic_init(&im->child[1], n);
		}
		atomic_store_explicit(slot, im, memory_order_release);
	}
	if (!exact)
		atomic_fetch_add_explicit(&t->count, 1, memory_order_relaxed);
	pthread_mutex_unlock(&t->lock);
	return 0;
fail:
	pthread_mutex_unlock(&t->lock);
	free(nn);
	return ret;
}

static int lpm_delete(struct ebpf_map *m, const void *key)
{
	struct map_lpm *t = (struct map_lpm *)m;
	const uint8_t *data = (const uint8_t *)key + 4;
	struct lnode *_Atomic *slot = &t->root, *_Atomic *parent_slot = NULL;
	struct lnode *n, *parent = NULL, *c0, *c1;
	uint32_t prefixlen, matchlen = 0;
	int ret = 0;

	memcpy(&prefixlen, key, 4);
	if (prefixlen > t->max_prefixlen)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	while ((n = atomic_load_explicit(slot, memory_order_relaxed))) {
		matchlen = lpm_node_match(t, n, data, prefixlen);
		if (n->prefixlen != matchlen || n->prefixlen == prefixlen)
			break;
		parent = n;
		parent_slot = slot;
		slot = &n->child[lpm_bit(data, n->prefixlen)];
	}
	if (!n || n->prefixlen != prefixlen || n->prefixlen != matchlen ||
	    (atomic_load_explicit(&n->flags, memory_order_relaxed) & LPM_INTERMEDIATE)) {
		ret = -ENOENT;
		goto out;
	}
	atomic_fetch_sub_explicit(&t->count, 1, memory_order_relaxed);
	c0 = atomic_load_explicit(&n->child[0], memory_order_relaxed);
	c1 = atomic_load_explicit(&n->child[1], memory_order_relaxed);
	if (c0 && c1) {
		/* still a branching point: keep it, without value */
		atomic_store_explicit(&n->flags, LPM_INTERMEDIATE, memory_order_release);
	} else if (!c0 && !c1 && parent &&
		   (atomic_load_explicit(&parent->flags, memory_order_relaxed) &
		    LPM_INTERMEDIATE)) {
		/* a leaf under a branching node: the sibling replaces the branching node */
		struct lnode *sib = atomic_load_explicit(
		    &parent->child[atomic_load_explicit(&parent->child[0], memory_order_relaxed) ==
				   n],
		    memory_order_relaxed);

		atomic_store_explicit(parent_slot, sib, memory_order_release);
		ebpf_epoch_retire(&parent->ep, lnode_free);
		ebpf_epoch_retire(&n->ep, lnode_free);
	} else {
		atomic_store_explicit(slot, c0 ? c0 : c1, memory_order_release);
		ebpf_epoch_retire(&n->ep, lnode_free);
	}
out:
	pthread_mutex_unlock(&t->lock);
	return ret;
}

/* Host iteration in pre-order (parents before children, child 0 first); a key that is not in the
 * trie (exactly) restarts from the first. */
static int lpm_get_next_key(struct ebpf_map *m, const void *key, void *next)
{
	struct map_lpm *t = (struct map_lpm *)m;
	struct lnode *path[LPM_DATA_MAX * 8 + 2];
	unsigned depth = 0;
	struct lnode *n = atomic_load_explicit(&t->root, memory_order_acquire);
	uint32_t prefixlen;

	if (key && n) {
		const uint8_t *data = (const uint8_t *)key + 4;

		memcpy(&prefixlen, key, 4);
		while (n && prefixlen <= t->max_prefixlen) {
			uint32_t ml = lpm_node_match(t, n, data, prefixlen);

			if (ml != n->prefixlen)
				n = NULL;
			else if (n->prefixlen == prefixlen)
				break;
			else if (depth < LPM_DATA_MAX * 8 + 1) {
				path[depth++] = n;
				n = atomic_load_explicit(&n->child[lpm_bit(data, n->prefixlen)],
							 memory_order_acquire);
			} else {
				n = NULL;
			}
		}
		if (n && (atomic_load_explicit(&n->flags, memory_order_acquire) & LPM_INTERMEDIATE))
			n = NULL;
		if (!n) {
			/* not there (any more): from the first */
			depth = 0;
			n = atomic_load_explicit(&t->root, memory_order_acquire);
		} else {
			goto advance;
		}
	}
	while (n) {
		if (!(atomic_load_explicit(&n->flags, memory_order_acquire) & LPM_INTERMEDIATE)) {
			memcpy(next, &n->prefixlen, 4);
			memcpy((uint8_t *)next + 4, n->data, t->data_size);
			return 0;
		}
	advance : {
		struct lnode *c = atomic_load_explicit(&n->child[0], memory_order_acquire);

		if (!c)
			c = atomic_load_explicit(&n->child[1], memory_order_acquire);
		if (c && depth < LPM_DATA_MAX * 8 + 1) {
			path[depth++] = n;
			n = c;
			continue;
		}
		/* up until an ancestor whose child 1 we have not visited */
		for (;;) {
			struct lnode *p, *c1;

			if (!depth)
				return -ENOENT;
			p = path[--depth];
			c1 = atomic_load_explicit(&p->child[1], memory_order_acquire);
			if (c1 && c1 != n) {
				path[depth++] = p;
				n = c1;
				break;
			}
			n = p;
		}
	}
	}
	return -ENOENT;
}

static uint32_t lpm_count(struct ebpf_map *m)
{
	return atomic_load(&((struct map_lpm *)m)->count);
}

const struct ebpf_map_ops ebpf_map_lpm_ops = {
    .create = lpm_create,
    .destroy = lpm_destroy,
    .lookup = lpm_lookup,
    .update = lpm_update,
    .delete = lpm_delete,
    .get_next_key = lpm_get_next_key,
    .lookup_copy = lpm_lookup_copy,
    .count = lpm_count,
};
