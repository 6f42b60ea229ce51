/* verifier_arena.c: where the verifier keeps its stored and pending states.
 *
 * One verification allocates many small blocks (state snapshots, verifier.c) and frees them all
 * at the end, so they are carved from a bump arena instead of malloc. What costs is fresh memory:
 * every page touched for the first time is a page fault (about 0.25 us on bare metal, 12 us on a
 * host with shadow paging such as a kvm-pvm guest), so the arena touches as few pages as it can:
 *  - A chunk is a large reservation of address space (ARENA_CHUNK, MAP_NORESERVE: no memory yet)
 *    that is populated in steps (MADV_POPULATE_WRITE: one system call for many pages instead of
 *    one fault per page) just ahead of use. Steps double from ARENA_STEP_MIN to ARENA_STEP_MAX, so
 *    a small program touches a few pages and a large one makes few system calls. On kernels
 *    without MADV_POPULATE_WRITE (< 5.14) the pages simply fault in on first use.
 *  - Chunks, with their populated pages, are kept after a verification, up to ARENA_CACHE_MAX
 *    populated bytes in the process, for the next one (as the kernel's slab caches keep its
 *    verifier's memory): unmapping and re-populating cost ~10% of a large program's time.
 * Blocks are 16-byte aligned. Thread-safe: the cache is shared behind a mutex, an arena is per
 * verification. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#include "ebpf/verifier_internal.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

struct varena_chunk {
	struct varena_chunk *next;
	size_t size;	  /* bytes reserved */
	size_t populated; /* bytes from the start known to be backed by memory */
	size_t used;	  /* bytes handed out (header included) */
};

#define ARENA_CHUNK (64u << 20) /* address space per chunk, not memory */
#define ARENA_STEP_MIN (8u << 10)
#define ARENA_STEP_MAX (1u << 20)
#define ARENA_CACHE_MAX (8u << 20) /* populated bytes kept between verifications */
#define ARENA_HDR ((sizeof(struct varena_chunk) + 15) & ~(size_t)15)

static pthread_mutex_t arena_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct varena_chunk *arena_cache; /* released chunks, most populated first */
static size_t arena_cache_bytes;	 /* populated bytes in the cache */

static size_t page_round(size_t n)
{
	return (n + 4095) & ~(size_t)4095;
}

/* backs [c->populated, end) with memory; end must be page-aligned and <= c->size (madvise
 * refuses an unaligned start, and the next call starts at this end) */
static void chunk_populate(struct varena_chunk *c, size_t end)
{
	if (end <= c->populated)
		return;
	/* failure (a kernel before 5.14, or no memory free right now) is not fatal: the pages
	 * then fault in on first use, as with any other allocation */
	(void)madvise((char *)c + c->populated, end - c->populated, MADV_POPULATE_WRITE);
	c->populated = end;
}

static struct varena_chunk *chunk_new(size_t min_size)
{
	size_t size = min_size > ARENA_CHUNK ? page_round(min_size) : ARENA_CHUNK;
	struct varena_chunk *c;
	void *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	c = m;
	c->populated = 0;
	chunk_populate(c, ARENA_STEP_MIN);
	c->size = size;
	return c;
}

/* a cached chunk with room for n more bytes (the most populated one), or NULL */
static struct varena_chunk *arena_cache_take(size_t n)
{
	struct varena_chunk **pp, *c = NULL;

	pthread_mutex_lock(&arena_cache_lock);
	for (pp = &arena_cache; *pp; pp = &(*pp)->next) {
		if ((*pp)->size - ARENA_HDR >= n) {
			c = *pp;
			*pp = c->next;
			arena_cache_bytes -= c->populated;
			break;
		}
	}
	pthread_mutex_unlock(&arena_cache_lock);
	return c;
}

void *varena_alloc(struct venv *env, size_t n)
{
	struct varena_chunk *c = env->arena;

	n = (n + 15) & ~(size_t)15;
	if (!c || c->size - c->used < n) {
		c = arena_cache_take(n);
		if (!c && !(c = chunk_new(n + ARENA_HDR)))
			return NULL;
		c->used = ARENA_HDR;
		c->next = env->arena;
		env->arena = c;
	}
	if (c->used + n > c->populated) {
		/* grow by a quarter of what is populated (at most 25% more than is needed) */
		size_t step = c->populated / 4, end = page_round(c->used + n);
		step = step < ARENA_STEP_MIN   ? ARENA_STEP_MIN
		       : step > ARENA_STEP_MAX ? ARENA_STEP_MAX
					       : step;
		if (end < c->populated + step)
			end = page_round(c->populated + step);
		if (end > c->size)
			end = c->size;
		chunk_populate(c, end);
	}
	c->used += n;
	return (char *)c + c->used - n;
}

void varena_free_all(struct venv *env)
{
	struct varena_chunk *c = env->arena, *nx;

	for (; c; c = nx) {
		bool keep;
		nx = c->next;
		pthread_mutex_lock(&arena_cache_lock);
		keep = arena_cache_bytes + c->populated <= ARENA_CACHE_MAX;
		if (keep) {
			/* most populated first: the next verification reuses the most memory */
			struct varena_chunk **pp = &arena_cache;
			while (*pp && (*pp)->populated >= c->populated)
				pp = &(*pp)->next;
			c->next = *pp;
			*pp = c;
			arena_cache_bytes += c->populated;
		}
		pthread_mutex_unlock(&arena_cache_lock);
		if (!keep)
			munmap(c, c->size);
	}
	env->arena = NULL;
}

size_t varena_cached_bytes(void)
{
	size_t n;

	pthread_mutex_lock(&arena_cache_lock);
	n = arena_cache_bytes;
	pthread_mutex_unlock(&arena_cache_lock);
	return n;
}
