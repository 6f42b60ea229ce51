/* prog_type_mem.c: the `mem:SIZE` program type of the conformance suite: r1 points to a SIZE-byte
 * buffer (NULL when SIZE is 0), r2 holds SIZE, any return value, and the suite's helpers 0-5
 * (numbered as the suite numbers them, not as Linux does; they exist only in this type):
 *   0 gather_bytes(a, b, c, d, e) = a<<32 | b<<24 | c<<16 | d<<8 | e (low bytes)
 *   1 memfrob(p, n): XORs n bytes at p with 42, returns 0
 *   2 no_op() = 0
 *   3 sqrti(a) = floor(sqrt(a))
 *   4 strcmp(a, b)
 *   5 unwind(a) = a; 0 ends the program at once with r0 = 0 (may_unwind)
 * Types are cached per size, so the same size gives the same pointer. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf/prog.h"

static uint64_t mem_gather_bytes(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return (a & 0xff) << 32 | (b & 0xff) << 24 | (c & 0xff) << 16 | (d & 0xff) << 8 |
	       (e & 0xff);
}

static uint64_t mem_memfrob(uint64_t p, uint64_t n, uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint8_t *b = (uint8_t *)(uintptr_t)p;

	for (uint64_t i = 0; i < n; i++)
		b[i] ^= 42;
	return 0;
}

static uint64_t mem_no_op(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return 0;
}

static uint64_t mem_sqrti(uint64_t a, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint64_t r = (uint64_t)sqrtl((long double)a);

	/* exact floor even where long double rounds */
	while (r && r > a / r)
		r--;
	while ((r + 1) <= a / (r + 1))
		r++;
	return r;
}

static uint64_t mem_strcmp(uint64_t a, uint64_t b, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return (uint64_t)(int64_t)strcmp((const char *)(uintptr_t)a, (const char *)(uintptr_t)b);
}

static uint64_t mem_unwind(uint64_t a, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return a;
}

static const struct ebpf_helper mem_helpers[] = {
    {.id = 0,
     .name = "gather_bytes",
     .fn = mem_gather_bytes,
     .ret = EBPF_RET_INTEGER,
     .arg = {EBPF_ARG_ANYTHING, EBPF_ARG_ANYTHING, EBPF_ARG_ANYTHING, EBPF_ARG_ANYTHING,
	     EBPF_ARG_ANYTHING},
     .mac_class = "test",
     .cost = 1},
    {.id = 1,
     .name = "memfrob",
     .fn = mem_memfrob,
     .ret = EBPF_RET_INTEGER,
     .arg = {EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE},
     .mac_class = "test",
     .cost = 64,
     .writes_mem = true},
    {.id = 2,
     .name = "no_op",
     .fn = mem_no_op,
     .ret = EBPF_RET_INTEGER,
     .mac_class = "test",
     .cost = 1},
    {.id = 3,
     .name = "sqrti",
     .fn = mem_sqrti,
     .ret = EBPF_RET_INTEGER,
     .arg = {EBPF_ARG_ANYTHING},
     .mac_class = "test",
     .cost = 4},
    {.id = 4,
     .name = "strcmp",
     .fn = mem_strcmp,
     .ret = EBPF_RET_INTEGER,
     .arg = {EBPF_ARG_PTR_TO_STR, EBPF_ARG_PTR_TO_STR},
     .mac_class = "test",
     .cost = 64},
    {.id = 5,
     .name = "unwind",
     .fn = mem_unwind,
     .ret = EBPF_RET_INTEGER,
     .arg = {EBPF_ARG_ANYTHING},
     .mac_class = "test",
     .cost = 1,
     .may_unwind = true},
};

static const struct ebpf_helper *const mem_helper_list[] = {
    &mem_helpers[0],
    &mem_helpers[1],
    &mem_helpers[2],
    &mem_helpers[3],
    &mem_helpers[4],
    &mem_helpers[5],
    NULL,
};

struct mem_type {
	struct mem_type *next;
	struct ebpf_prog_type type;
	char name[24];
};

static pthread_mutex_t mem_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mem_type *mem_types;

const struct ebpf_prog_type *ebpf_prog_type_mem(uint32_t size)
{
	struct mem_type *t;

	pthread_mutex_lock(&mem_lock);
	for (t = mem_types; t; t = t->next)
		if (t->type.buffer_size == size)
			goto out;
	t = calloc(1, sizeof(*t));
	if (!t)
		goto out;
	snprintf(t->name, sizeof(t->name), "mem:%u", size);
	t->type.name = t->name;
	t->type.hook_names = "";
	t->type.ctx_is_buffer = true;
	t->type.buffer_size = size;
	t->type.ctx_size = size;
	t->type.ret_min = INT64_MIN;
	t->type.ret_max = INT64_MAX;
	t->type.helpers = mem_helper_list;
	t->next = mem_types;
	mem_types = t;
out:
	pthread_mutex_unlock(&mem_lock);
	return t ? &t->type : NULL;
}
