/* epoch.c: epoch-based reclamation (epoch.h, docs/maps.md).
 *
 * A global epoch counter; each thread that ever reads has a record in a global list (records are
 * reused after their thread exits, never freed) holding the epoch it announced on entering its
 * outermost section, 0 when outside. A writer unlinks an element (release store), then retires
 * it: after a full fence it advances the global epoch and tags the element with the epoch before
 * the advance. An element tagged E may be freed once every thread is either outside or announced
 * an epoch > E. Why that is safe: a reader that can still reach the element loaded its pointer
 * before the unlink became visible; the reader's announcement store is ordered before that load
 * by its fence, and the writer's scan after its own fence, so the scan sees the announcement,
 * whose value was read from the global counter before the advance, hence <= E. */
#include "ebpf/epoch.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

struct epoch_thread {
	_Atomic uint64_t active; /* announced epoch, 0 outside a section */
	_Atomic bool in_use;
	struct epoch_thread *next;
};

static _Atomic uint64_t epoch_global = 1;
static struct epoch_thread *_Atomic epoch_threads;
static pthread_mutex_t epoch_retire_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ebpf_epoch_node *epoch_retired; /* oldest first */
static struct ebpf_epoch_node **epoch_retired_tail = &epoch_retired;
static unsigned long epoch_n_retired;
static pthread_key_t epoch_key;
static pthread_once_t epoch_key_once = PTHREAD_ONCE_INIT;

static __thread struct epoch_thread *epoch_self;
static __thread unsigned epoch_nest;

#define EPOCH_RECLAIM_BATCH 64

static void epoch_thread_exit(void *p)
{
	struct epoch_thread *t = p;

	atomic_store_explicit(&t->active, 0, memory_order_release);
	atomic_store_explicit(&t->in_use, false, memory_order_release);
}

static void epoch_key_init(void)
{
	if (pthread_key_create(&epoch_key, epoch_thread_exit))
		abort(); /* only fails when the process is out of TLS keys at start-up */
}

static struct epoch_thread *epoch_register(void)
{
	struct epoch_thread *t;

	pthread_once(&epoch_key_once, epoch_key_init);
	for (t = atomic_load_explicit(&epoch_threads, memory_order_acquire); t; t = t->next) {
		bool expect = false;

		if (atomic_compare_exchange_strong(&t->in_use, &expect, true))
			goto found;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		abort(); /* a few bytes once per thread: nothing sensible to do without them */
	atomic_store(&t->in_use, true);
	t->next = atomic_load(&epoch_threads);
	while (!atomic_compare_exchange_weak(&epoch_threads, &t->next, t))
		;
found:
	pthread_setspecific(epoch_key, t);
	epoch_self = t;
	return t;
}

void ebpf_epoch_enter(void)
{
	struct epoch_thread *t = epoch_self;

	if (epoch_nest++)
		return;
	if (!t)
		t = epoch_register();
	atomic_store_explicit(&t->active, atomic_load_explicit(&epoch_global, memory_order_relaxed),
			      memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
}

void ebpf_epoch_exit(void)
{
	if (!epoch_nest || --epoch_nest)
		return;
	atomic_store_explicit(&epoch_self->active, 0, memory_order_release);
}

/* Smallest epoch announced by a thread inside a section; UINT64_MAX if none. */
static uint64_t epoch_min_active(void)
{
	uint64_t min = UINT64_MAX;

	atomic_thread_fence(memory_order_seq_cst);
	for (struct epoch_thread *t = atomic_load_explicit(&epoch_threads, memory_order_acquire); t;
	     t = t->next) {
		uint64_t a = atomic_load_explicit(&t->active, memory_order_acquire);

		if (a && a < min)
			min = a;
	}
	return min;
}

/* With epoch_retire_lock held: frees the elements whose epoch is below min (the list is in
 * epoch order). Returns them as a list to free after dropping the lock. */
static struct ebpf_epoch_node *epoch_take_freeable(uint64_t min)
{
	struct ebpf_epoch_node *head = epoch_retired, *n = head, *last = NULL;

	while (n && n->epoch < min) {
		last = n;
		n = n->next;
		epoch_n_retired--;
	}
	if (!last)
		return NULL;
	last->next = NULL;
	epoch_retired = n;
	if (!n)
		epoch_retired_tail = &epoch_retired;
	return head;
}

static void epoch_free_list(struct ebpf_epoch_node *n)
{
	while (n) {
		struct ebpf_epoch_node *next = n->next;

		n->free_fn(n);
		n = next;
	}
}

void ebpf_epoch_retire(struct ebpf_epoch_node *node, void (*free_fn)(struct ebpf_epoch_node *))
{
	struct ebpf_epoch_node *freeable = NULL;

	atomic_thread_fence(memory_order_seq_cst);
	node->free_fn = free_fn;
	node->next = NULL;
	pthread_mutex_lock(&epoch_retire_lock);
	node->epoch = atomic_fetch_add(&epoch_global, 1);
	*epoch_retired_tail = node;
	epoch_retired_tail = &node->next;
	if (++epoch_n_retired >= EPOCH_RECLAIM_BATCH)
		freeable = epoch_take_freeable(epoch_min_active());
	pthread_mutex_unlock(&epoch_retire_lock);
	epoch_free_list(freeable);
}

unsigned long ebpf_epoch_reclaim(void)
{
	struct ebpf_epoch_node *freeable;
	unsigned long left;

	pthread_mutex_lock(&epoch_retire_lock);
	freeable = epoch_take_freeable(epoch_min_active());
	left = epoch_n_retired;
	pthread_mutex_unlock(&epoch_retire_lock);
	epoch_free_list(freeable);
	return left;
}

int ebpf_epoch_synchronize(void)
{
	uint64_t target;

	if (epoch_nest)
		return -EDEADLK;
	atomic_thread_fence(memory_order_seq_cst);
	target = atomic_fetch_add(&epoch_global, 1);
	while (epoch_min_active() <= target)
		sched_yield();
	ebpf_epoch_reclaim();
	return 0;
}
