/* btf.c: BTF reader (btf.h). The type section is walked once to index every record (checking
 * that each record and its trailing data fit, that its kind is known and its referenced ids and
 * name offsets are in range); queries then trust the index. */
#include "ebpf/btf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BTF_MAX_TYPES (1U << 20)
#define BTF_MAX_MOD_DEPTH 32

struct ebpf_btf {
	uint8_t *data; /* our copy: header, types, strings */
	size_t len;
	const uint8_t *types;
	uint32_t types_len;
	const char *strs;
	uint32_t strs_len;
	uint32_t n;	   /* number of types (ids 1..n) */
	uint32_t *offsets; /* offsets[id] into types; offsets[0] unused */
};

static int btf_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int btf_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err && errlen) {
		n = snprintf(err, errlen, "BTF malformed: ");
		va_start(ap, fmt);
		if (n > 0 && (size_t)n < errlen)
			vsnprintf(err + n, errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Size of the data following a record of this kind with vlen entries; -1 for unknown kinds. */
static long btf_extra(unsigned kind, unsigned vlen)
{
	switch (kind) {
	case BTF_KIND_INT:
		return 4;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (long)vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return (long)vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR:
		return sizeof(struct btf_var);
	case BTF_KIND_DATASEC:
		return (long)vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG:
		return sizeof(struct btf_decl_tag);
	case BTF_KIND_ENUM64:
		return (long)vlen * sizeof(struct btf_enum64);
	}
	return -1;
}

static int btf_name_ok(const struct ebpf_btf *b, uint32_t off)
{
	return off < b->strs_len;
}

/* Kinds whose `type` field refers to another type. */
static int btf_has_ref(unsigned kind)
{
	return kind == BTF_KIND_PTR || kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_VOLATILE ||
	       kind == BTF_KIND_CONST || kind == BTF_KIND_RESTRICT || kind == BTF_KIND_FUNC ||
	       kind == BTF_KIND_VAR || kind == BTF_KIND_TYPE_TAG || kind == BTF_KIND_DECL_TAG ||
	       kind == BTF_KIND_FUNC_PROTO;
}

int ebpf_btf_parse(const void *data, size_t len, struct ebpf_btf **out, char *err, size_t errlen)
{
	struct btf_header h;
	struct ebpf_btf *b;
	uint32_t off, cap = 64;
	int ret;

	*out = NULL;
	if (len < sizeof(h))
		return btf_err(err, errlen, "%zu bytes, shorter than the header", len);
	memcpy(&h, data, sizeof(h));
	if (h.magic != BTF_MAGIC)
		return btf_err(err, errlen, "bad magic 0x%x", h.magic);
	if (h.version != BTF_VERSION)
		return btf_err(err, errlen, "version %u, expected %u", h.version, BTF_VERSION);
	if (h.hdr_len < sizeof(h) || h.hdr_len > len)
		return btf_err(err, errlen, "header length %u out of range", h.hdr_len);
	if ((uint64_t)h.hdr_len + h.type_off + h.type_len > len ||
	    (uint64_t)h.hdr_len + h.str_off + h.str_len > len)
		return btf_err(err, errlen, "type or string section beyond the %zu bytes", len);
	if (h.type_off % 4 || h.type_len % 4)
		return btf_err(err, errlen, "type section not 4-byte aligned");
	if (h.str_len == 0 || ((const char *)data)[h.hdr_len + h.str_off + h.str_len - 1] != 0)
		return btf_err(err, errlen, "string section empty or not NUL-terminated");
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->data = malloc(len);
	b->offsets = malloc(cap * sizeof(*b->offsets));
	if (!b->data || !b->offsets) {
		ret = -ENOMEM;
		goto fail;
	}
	memcpy(b->data, data, len);
	b->len = len;
	b->types = b->data + h.hdr_len + h.type_off;
	b->types_len = h.type_len;
	b->strs = (const char *)b->data + h.hdr_len + h.str_off;
	b->strs_len = h.str_len;
	for (off = 0; off < b->types_len;) {
		const struct btf_type *t;
		long extra;

		if (b->types_len - off < sizeof(*t)) {
			ret = btf_err(err, errlen, "type %u at byte %u truncated", b->n + 1, off);
			goto fail;
		}
		t = (const struct btf_type *)(b->types + off);
		extra = btf_extra(ebpf_btf_kind(t), ebpf_btf_vlen(t));
		if (extra < 0) {
			ret = btf_err(err, errlen, "type %u: unknown kind %u", b->n + 1,
				      ebpf_btf_kind(t));
			goto fail;
		}
		if ((uint64_t)b->types_len - off - sizeof(*t) < (uint64_t)extra) {
			ret = btf_err(err, errlen, "type %u at byte %u: data beyond the section",
				      b->n + 1, off);
			goto fail;
		}
		if (!btf_name_ok(b, t->name_off)) {
			ret = btf_err(err, errlen, "type %u: name offset %u out of range", b->n + 1,
				      t->name_off);
			goto fail;
		}
		if (b->n + 2 > cap) {
			uint32_t *o;

			if (cap >= BTF_MAX_TYPES) {
				ret = btf_err(err, errlen, "more than %u types", BTF_MAX_TYPES);
				goto fail;
			}
			cap *= 2;
			o = realloc(b->offsets, cap * sizeof(*o));
			if (!o) {
				ret = -ENOMEM;
				goto fail;
			}
			b->offsets = o;
		}
		b->offsets[++b->n] = off;
		off += sizeof(*t) + (uint32_t)extra;
	}
	/* second pass: referenced ids and member names */
	for (uint32_t id = 1; id <= b->n; id++) {
		const struct btf_type *t = ebpf_btf_type(b, id);
		unsigned kind = ebpf_btf_kind(t), vlen = ebpf_btf_vlen(t);

		if (btf_has_ref(kind) && t->type > b->n) {
			ret = btf_err(err, errlen, "type %u refers to type %u of %u", id, t->type,
				      b->n);
			goto fail;
		}
		if (kind == BTF_KIND_ARRAY) {
			const struct btf_array *a = (const void *)(t + 1);

			if (a->type > b->n || a->index_type > b->n) {
				ret = btf_err(err, errlen, "array type %u refers to type %u of %u",
					      id, a->type, b->n);
				goto fail;
			}
		} else if (kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION) {
			const struct btf_member *m = (const void *)(t + 1);

			for (unsigned i = 0; i < vlen; i++)
				if (m[i].type > b->n || !btf_name_ok(b, m[i].name_off)) {
					ret = btf_err(err, errlen,
						      "member %u of type %u: bad type or "
						      "name",
						      i, id);
					goto fail;
				}
		} else if (kind == BTF_KIND_DATASEC) {
			const struct btf_var_secinfo *v = (const void *)(t + 1);

			for (unsigned i = 0; i < vlen; i++)
				if (v[i].type > b->n) {
					ret = btf_err(err, errlen,
						      "datasec type %u entry %u refers to "
						      "type %u",
						      id, i, v[i].type);
					goto fail;
				}
		} else if (kind == BTF_KIND_FUNC_PROTO) {
			const struct btf_param *p = (const void *)(t + 1);

			for (unsigned i = 0; i < vlen; i++)
				if (p[i].type > b->n || !btf_name_ok(b, p[i].name_off)) {
					ret = btf_err(err, errlen,
						      "parameter %u of type %u: bad type", i, id);
					goto fail;
				}
		}
	}
	*out = b;
	return 0;
fail:
	ebpf_btf_free(b);
	return ret;
}

void ebpf_btf_free(struct ebpf_btf *btf)
{
	if (!btf)
		return;
	free(btf->data);
	free(btf->offsets);
	free(btf);
}

uint32_t ebpf_btf_n_types(const struct ebpf_btf *btf)
{
	return btf->n;
}

const struct btf_type *ebpf_btf_type(const struct ebpf_btf *btf, uint32_t id)
{
	if (!id || id > btf->n)
		return NULL;
	return (const struct btf_type *)(btf->types + btf->offsets[id]);
}

const char *ebpf_btf_name(const struct ebpf_btf *btf, uint32_t name_off)
{
	return name_off < btf->strs_len ? btf->strs + name_off : "";
}

uint32_t ebpf_btf_skip_mods(const struct ebpf_btf *btf, uint32_t id)
{
	for (int depth = 0; depth < BTF_MAX_MOD_DEPTH; depth++) {
		const struct btf_type *t = ebpf_btf_type(btf, id);

		if (!t)
			return 0;
		switch (ebpf_btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			break;
		default:
			return id;
		}
	}
	return 0;
}

static int btf_size_depth(const struct ebpf_btf *btf, uint32_t id, uint64_t *size, int depth)
{
	const struct btf_type *t;

	if (depth > BTF_MAX_MOD_DEPTH)
		return -EINVAL;
	id = ebpf_btf_skip_mods(btf, id);
	t = ebpf_btf_type(btf, id);
	if (!t)
		return -EINVAL;
	switch (ebpf_btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FLOAT:
	case BTF_KIND_DATASEC:
		*size = t->size;
		return 0;
	case BTF_KIND_PTR:
		*size = 8;
		return 0;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = (const void *)(t + 1);
		uint64_t elem;

		if (btf_size_depth(btf, a->type, &elem, depth + 1))
			return -EINVAL;
		if (elem && a->nelems > UINT32_MAX / elem)
			return -EINVAL;
		*size = elem * a->nelems;
		return 0;
	}
	}
	return -EINVAL;
}

int ebpf_btf_size(const struct ebpf_btf *btf, uint32_t id, uint64_t *size)
{
	return btf_size_depth(btf, id, size, 0);
}

uint32_t ebpf_btf_find_datasec(const struct ebpf_btf *btf, const char *name)
{
	for (uint32_t id = 1; id <= btf->n; id++) {
		const struct btf_type *t = ebpf_btf_type(btf, id);

		if (ebpf_btf_kind(t) == BTF_KIND_DATASEC &&
		    !strcmp(ebpf_btf_name(btf, t->name_off), name))
			return id;
	}
	return 0;
}
