/* elf_loader.c: eBPF ELF objects (as clang -target bpf builds them, libbpf conventions) to
 * bulwark programs and maps (elf_loader.h). The steps:
 *   1. sections: program sections (executable, by SEC name; .text holds subprograms), "license",
 *      "maps" (legacy struct bpf_map_def), ".maps" (BTF-defined), global data (.rodata*, .data*,
 *      .bss*), .BTF, the symbol table and the .rel<sec> relocation sections;
 *   2. maps: BTF-defined ones (in .maps order), legacy ones, then one 1-entry array per global
 *      data section with its initial contents (.rodata* frozen and read-only for programs);
 *   3. programs: each global function of a program section; the subprograms it calls (bpf-to-bpf
 *      calls, in its own section or in .text) are appended after it, transitively, and the call
 *      offsets fixed; lddw relocations become map (src 1) or map value (src 2) references with the
 *      object's map index;
 *   4. prog arrays declared with __array(values, ...) get their initial programs.
 * The input is hostile (fuzz/fuzz-elf-loader.c): every index, offset and size is checked, and
 * anything not understood refuses the whole object with "ORIGIN: section 'S'[, symbol 'X'],
 * offset N: what". */
#include "ebpf/elf_loader.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf/btf.h"
#include "ebpf/insn.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#ifndef R_BPF_64_64
#define R_BPF_64_64 1
#endif
#ifndef R_BPF_64_32
#define R_BPF_64_32 10
#endif
#define R_BPF_64_ABS64 2
#define R_BPF_64_ABS32 3
#define R_BPF_64_NODYLD32 4

#define ELF_MAX_SECTIONS 4096
#define ELF_MAX_MAPS 256
#define ELF_MAX_FUNCS 1024
#define ELF_MAX_TOTAL_INSNS (4U * EBPF_MAX_INSNS) /* over all programs of an object */

enum sec_kind {
	SEC_OTHER = 0,
	SEC_PROG,    /* executable, not .text */
	SEC_TEXT,    /* .text: subprograms */
	SEC_DATA,    /* .rodata*, .data*, .bss* */
	SEC_MAPS,    /* legacy "maps" */
	SEC_BTFMAPS, /* ".maps" */
};

struct sec {
	const char *name;
	GElf_Shdr sh;
	const uint8_t *data; /* NULL for NOBITS */
	size_t size;
	enum sec_kind kind;
	int map; /* SEC_DATA: its map index */
	int rel; /* index of the SHT_REL section for this one, or 0 */
	const struct ebpf_prog_type *type;
	int32_t *rel_at;  /* code sections: relocation index per slot, -1 if none */
	int32_t *func_at; /* code sections: STT_FUNC symbol starting at each slot, -1 if none */
};

struct map_sym {
	uint32_t sec;		       /* section of the definition */
	uint64_t off, size;	       /* where in it */
	int map;		       /* object map index */
	uint32_t values_off, values_n; /* BTF __array(values): byte offset in the section, count */
};

struct loader {
	const char *origin;
	char *err;
	size_t errlen;
	Elf *elf;
	struct sec *secs;
	size_t n_secs;
	Elf_Data *symtab;
	size_t n_syms;
	uint32_t strtab, symtab_idx;
	Elf_Data **reldata; /* per section: its relocations (if any) */
	uint64_t total_insns;
	struct ebpf_btf *btf;
	struct map_sym msyms[ELF_MAX_MAPS];
	unsigned n_msyms;
	struct ebpf_object *obj;
	unsigned n_vcpus;
	uint32_t maps_cap;
	uint32_t progs_cap;
};

static int lerr(struct loader *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int lerr(struct loader *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!l->err || !l->errlen)
		return -EINVAL;
	n = snprintf(l->err, l->errlen, "%s: ", l->origin);
	if (n < 0 || (size_t)n >= l->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(l->err + n, l->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- program types by section name ------------------------------------------------------- */

const struct ebpf_prog_type *ebpf_elf_section_type(const char *s)
{
	if (!s)
		return NULL;
	if (!strcmp(s, "xdp") || !strncmp(s, "xdp/", 4) || !strncmp(s, "xdp.frags", 9))
		return ebpf_prog_type_find("xdp");
	if (!strcmp(s, "bulwark/blk") || !strncmp(s, "bulwark/blk/", 12))
		return ebpf_prog_type_find("blk");
	if (!strcmp(s, "bulwark/mem.write") || !strncmp(s, "bulwark/mem.write/", 18))
		return ebpf_prog_type_find("mem.write");
	if (!strcmp(s, "bulwark/msr.write") || !strncmp(s, "bulwark/msr.write/", 18))
		return ebpf_prog_type_find("msr.write");
	if (!strncmp(s, "bulwark/test/mem:", 17))
		return ebpf_prog_type_find(s + 13);
	return NULL;
}

/* ---- symbols ------------------------------------------------------------------------------- */

static int sym_get(struct loader *l, size_t i, GElf_Sym *sym, const char **name)
{
	if (i >= l->n_syms || !gelf_getsym(l->symtab, (int)i, sym))
		return -1;
	*name = elf_strptr(l->elf, l->strtab, sym->st_name);
	if (!*name)
		*name = "";
	return 0;
}

/* Offset and size of the (non-section) symbol named name in section sec. */
static int find_sym_in(struct loader *l, uint32_t sec, const char *name, uint64_t *off,
		       uint64_t *size)
{
	for (size_t i = 0; i < l->n_syms; i++) {
		GElf_Sym sym;
		const char *n;

		if (sym_get(l, i, &sym, &n) || sym.st_shndx != sec ||
		    GELF_ST_TYPE(sym.st_info) == STT_SECTION || strcmp(n, name))
			continue;
		*off = sym.st_value;
		*size = sym.st_size;
		return 0;
	}
	return -1;
}

/* ---- maps ---------------------------------------------------------------------------------- */

static int obj_add_map(struct loader *l, struct ebpf_map *m)
{
	struct ebpf_object *o = l->obj;

	if (o->n_maps >= ELF_MAX_MAPS) {
		ebpf_map_put(m);
		return lerr(l, "more than %u maps", ELF_MAX_MAPS);
	}
	if (o->n_maps == l->maps_cap) {
		uint32_t cap = l->maps_cap ? l->maps_cap * 2 : 8;
		struct ebpf_map **nm = realloc(o->maps, cap * sizeof(*nm));

		if (!nm) {
			ebpf_map_put(m);
			return -ENOMEM;
		}
		o->maps = nm;
		l->maps_cap = cap;
	}
	o->maps[o->n_maps] = m;
	return (int)o->n_maps++;
}

static int create_map(struct loader *l, const struct ebpf_map_def *def, const char *where)
{
	char e[256];
	struct ebpf_map *m = ebpf_map_create(def, l->n_vcpus, e, sizeof(e));

	if (!m)
		return lerr(l, "%s: %s", where, e);
	return obj_add_map(l, m);
}

/* Value of a BTF map field __uint(name, N): int (*name)[N]. */
static int btf_map_uint(struct loader *l, uint32_t type, uint32_t *val)
{
	const struct btf_type *t = ebpf_btf_type(l->btf, ebpf_btf_skip_mods(l->btf, type));
	const struct btf_array *a;

	if (!t || ebpf_btf_kind(t) != BTF_KIND_PTR)
		return -1;
	t = ebpf_btf_type(l->btf, ebpf_btf_skip_mods(l->btf, t->type));
	if (!t || ebpf_btf_kind(t) != BTF_KIND_ARRAY)
		return -1;
	a = (const void *)(t + 1);
	*val = a->nelems;
	return 0;
}

/* Size of the type of a BTF map field __type(name, T): T *name. */
static int btf_map_type_size(struct loader *l, uint32_t type, uint32_t *size)
{
	const struct btf_type *t = ebpf_btf_type(l->btf, ebpf_btf_skip_mods(l->btf, type));
	uint64_t s;

	if (!t || ebpf_btf_kind(t) != BTF_KIND_PTR || ebpf_btf_size(l->btf, t->type, &s) ||
	    s > UINT32_MAX)
		return -1;
	*size = (uint32_t)s;
	return 0;
}

static int load_btf_maps(struct loader *l, uint32_t sec_idx)
{
	struct sec *s = &l->secs[sec_idx];
	uint32_t ds;
	const struct btf_type *dt;
	const struct btf_var_secinfo *vi;

	if (!l->btf)
		return lerr(l, "section '.maps': BTF-defined maps but no .BTF section");
	ds = ebpf_btf_find_datasec(l->btf, ".maps");
	if (!ds)
		return lerr(l, "section '.maps': no DATASEC '.maps' in the BTF");
	dt = ebpf_btf_type(l->btf, ds);
	vi = (const void *)(dt + 1);
	for (unsigned v = 0; v < ebpf_btf_vlen(dt); v++) {
		const struct btf_type *var = ebpf_btf_type(l->btf, vi[v].type), *st;
		const struct btf_member *mem;
		struct ebpf_map_def def = {0};
		const char *vname;
		bool have_type = false, have_key = false, have_value = false, have_max = false;
		uint32_t values_off = 0, values_n = 0;
		uint64_t var_off, var_size;
		char where[160];
		int idx;

		if (!var || ebpf_btf_kind(var) != BTF_KIND_VAR)
			return lerr(l, "section '.maps': BTF DATASEC entry %u is not a variable",
				    v);
		vname = ebpf_btf_name(l->btf, var->name_off);
		/* clang leaves DATASEC offsets and sizes to the loader: the symbol has them */
		if (find_sym_in(l, sec_idx, vname, &var_off, &var_size))
			return lerr(l, "section '.maps': map '%.64s' has no symbol", vname);
		snprintf(where, sizeof(where), "section '.maps', map '%.64s' (offset %llu)", vname,
			 (unsigned long long)var_off);
		if (var_off > s->size || var_size > s->size - var_off)
			return lerr(l, "%s: %llu bytes beyond the section's %zu", where,
				    (unsigned long long)var_size, s->size);
		st = ebpf_btf_type(l->btf, ebpf_btf_skip_mods(l->btf, var->type));
		if (!st || ebpf_btf_kind(st) != BTF_KIND_STRUCT)
			return lerr(l, "%s: BTF type is not a struct", where);
		snprintf(def.name, sizeof(def.name), "%s", vname);
		mem = (const void *)(st + 1);
		for (unsigned i = 0; i < ebpf_btf_vlen(st); i++) {
			const char *f = ebpf_btf_name(l->btf, mem[i].name_off);
			uint32_t val = 0;
			int bad;

			if (!strcmp(f, "type")) {
				bad = btf_map_uint(l, mem[i].type, &val);
				def.type = val;
				have_type = true;
			} else if (!strcmp(f, "max_entries")) {
				bad = btf_map_uint(l, mem[i].type, &def.max_entries);
				have_max = true;
			} else if (!strcmp(f, "map_flags")) {
				bad = btf_map_uint(l, mem[i].type, &def.flags);
			} else if (!strcmp(f, "key_size") || !strcmp(f, "value_size")) {
				bad = btf_map_uint(l, mem[i].type, &val);
				if (f[0] == 'k') {
					if (have_key && def.key_size != val)
						return lerr(l, "%s: key and key_size disagree",
							    where);
					def.key_size = val;
					have_key = true;
				} else {
					if (have_value && def.value_size != val)
						return lerr(l, "%s: value and value_size disagree",
							    where);
					def.value_size = val;
					have_value = true;
				}
			} else if (!strcmp(f, "key") || !strcmp(f, "value")) {
				bad = btf_map_type_size(l, mem[i].type, &val);
				if (f[0] == 'k') {
					if (have_key && def.key_size != val)
						return lerr(l, "%s: key and key_size disagree",
							    where);
					def.key_size = val;
					have_key = true;
				} else {
					if (have_value && def.value_size != val)
						return lerr(l, "%s: value and value_size disagree",
							    where);
					def.value_size = val;
					have_value = true;
				}
			} else if (!strcmp(f, "values")) {
				/* __array(values, T): T *values[]: initial slots from relocations
				 */
				const struct btf_type *at =
				    ebpf_btf_type(l->btf, ebpf_btf_skip_mods(l->btf, mem[i].type));
				uint32_t bit = BTF_INFO_KFLAG(st->info)
						   ? BTF_MEMBER_BIT_OFFSET(mem[i].offset)
						   : mem[i].offset;

				bad = !at || ebpf_btf_kind(at) != BTF_KIND_ARRAY || bit % 8;
				values_off = (uint32_t)var_off + bit / 8;
				values_n =
				    var_size > bit / 8 ? (uint32_t)(var_size - bit / 8) / 8 : 0;
			} else if (!strcmp(f, "pinning") || !strcmp(f, "numa_node")) {
				bad = btf_map_uint(l, mem[i].type, &val);
				if (!bad && val)
					return lerr(l, "%s: field '%s' = %u is not supported",
						    where, f, val);
			} else {
				return lerr(l, "%s: unknown map field '%s'", where, f);
			}
			if (bad)
				return lerr(
				    l,
				    "%s: field '%s' is not encoded as libbpf's __uint/__type "
				    "macros make it",
				    where, f);
		}
		if (!have_type || !have_max)
			return lerr(l, "%s: map definition without type or max_entries", where);
		if (def.type == EBPF_MAP_PROG_ARRAY && !have_value) {
			def.value_size = 4;
			have_value = true;
		}
		if (!ebpf_map_type_name(def.type))
			return lerr(l, "%s: map definition of unknown or unsupported type %u",
				    where, (unsigned)def.type);
		idx = create_map(l, &def, where);
		if (idx < 0)
			return idx;
		if (l->n_msyms >= ELF_MAX_MAPS)
			return lerr(l, "more than %u maps", ELF_MAX_MAPS);
		l->msyms[l->n_msyms++] = (struct map_sym){.sec = sec_idx,
							  .off = var_off,
							  .size = var_size,
							  .map = idx,
							  .values_off = values_off,
							  .values_n = values_n};
	}
	return 0;
}

/* struct bpf_map_def of libbpf's legacy "maps" section */
struct legacy_map_def {
	uint32_t type, key_size, value_size, max_entries, map_flags;
};

static int load_legacy_maps(struct loader *l, uint32_t sec_idx)
{
	struct sec *s = &l->secs[sec_idx];
	size_t n = 0, def_size;

	for (size_t i = 0; i < l->n_syms; i++) {
		GElf_Sym sym;
		const char *name;

		if (!sym_get(l, i, &sym, &name) && sym.st_shndx == sec_idx &&
		    GELF_ST_TYPE(sym.st_info) != STT_SECTION && name[0])
			n++;
	}
	if (!n)
		return lerr(l, "section 'maps': no map symbols");
	def_size = s->size / n;
	if (def_size < sizeof(struct legacy_map_def) || s->size % n || def_size % 4)
		return lerr(l,
			    "section 'maps': %zu bytes for %zu maps: not struct bpf_map_def "
			    "records",
			    s->size, n);
	for (size_t i = 0; i < l->n_syms; i++) {
		GElf_Sym sym;
		const char *name;
		struct legacy_map_def ld;
		struct ebpf_map_def def = {0};
		char where[160];
		int idx;

		if (sym_get(l, i, &sym, &name) || sym.st_shndx != sec_idx ||
		    GELF_ST_TYPE(sym.st_info) == STT_SECTION || !name[0])
			continue;
		snprintf(where, sizeof(where), "section 'maps', symbol '%.64s', offset %llu", name,
			 (unsigned long long)sym.st_value);
		if (sym.st_value % def_size || sym.st_value + def_size > s->size || !s->data)
			return lerr(l, "%s: not at a map definition", where);
		memcpy(&ld, s->data + sym.st_value, sizeof(ld));
		for (size_t b = sizeof(ld); b < def_size; b++)
			if (s->data[sym.st_value + b])
				return lerr(l, "%s: unsupported extra map definition fields",
					    where);
		if (!ebpf_map_type_name(ld.type))
			return lerr(l, "%s: map definition of unknown or unsupported type %u",
				    where, ld.type);
		def.type = ld.type;
		def.key_size = ld.key_size;
		def.value_size = ld.value_size;
		def.max_entries = ld.max_entries;
		def.flags = ld.map_flags;
		snprintf(def.name, sizeof(def.name), "%s", name);
		idx = create_map(l, &def, where);
		if (idx < 0)
			return idx;
		if (l->n_msyms >= ELF_MAX_MAPS)
			return lerr(l, "more than %u maps", ELF_MAX_MAPS);
		l->msyms[l->n_msyms++] = (struct map_sym){
		    .sec = sec_idx, .off = sym.st_value, .size = def_size, .map = idx};
	}
	return 0;
}

static int load_data_map(struct loader *l, uint32_t sec_idx)
{
	struct sec *s = &l->secs[sec_idx];
	struct ebpf_map_def def = {.type = EBPF_MAP_ARRAY, .key_size = 4, .max_entries = 1};
	bool ro = !strncmp(s->name, ".rodata", 7);
	char where[160];
	int idx;

	if (s->size > EBPF_MAP_MAX_VALUE_SIZE)
		return lerr(l, "section '%s': %zu bytes of global data, more than %u", s->name,
			    s->size, EBPF_MAP_MAX_VALUE_SIZE);
	def.value_size = (uint32_t)s->size;
	def.flags = ro ? EBPF_F_RDONLY_PROG : 0;
	snprintf(def.name, sizeof(def.name), "%s", s->name);
	snprintf(where, sizeof(where), "section '%s'", s->name);
	idx = create_map(l, &def, where);
	if (idx < 0)
		return idx;
	if (s->data)
		memcpy(ebpf_map_direct_value(l->obj->maps[idx]), s->data, s->size);
	if (ro)
		ebpf_map_freeze(l->obj->maps[idx]);
	s->map = idx;
	return 0;
}

/* ---- programs ------------------------------------------------------------------------------ */

struct func {
	uint32_t sec;	   /* section */
	uint32_t start, n; /* slots in the section */
	uint32_t at;	   /* first slot in the program */
	const char *name;
};

struct linkage {
	struct func funcs[ELF_MAX_FUNCS];
	unsigned n_funcs;
	struct ebpf_insn *insns;
	uint32_t n, cap;
};

/* The function symbol of code section sec starting at slot slot. */
static int find_func(struct loader *l, uint32_t sec, uint32_t slot, struct func *f)
{
	GElf_Sym sym;
	const char *name;
	int32_t si;

	if (!l->secs[sec].func_at || slot >= l->secs[sec].size / 8)
		return -1;
	si = l->secs[sec].func_at[slot];
	if (si < 0 || sym_get(l, (size_t)si, &sym, &name))
		return -1;
	f->sec = sec;
	f->start = slot;
	f->n = (uint32_t)(sym.st_size / 8);
	f->name = name;
	return 0;
}

/* Adds a function to the program (once) and returns its first slot in the program. */
static int link_add(struct loader *l, struct linkage *k, const struct func *f)
{
	for (unsigned i = 0; i < k->n_funcs; i++)
		if (k->funcs[i].sec == f->sec && k->funcs[i].start == f->start)
			return (int)k->funcs[i].at;
	if (k->n_funcs >= ELF_MAX_FUNCS)
		return lerr(l, "section '%s': more than %u functions in one program",
			    l->secs[f->sec].name, ELF_MAX_FUNCS);
	if ((uint64_t)k->n + f->n > EBPF_MAX_INSNS || l->total_insns + f->n > ELF_MAX_TOTAL_INSNS)
		return lerr(l, "section '%s', function '%s': program longer than %u instructions",
			    l->secs[f->sec].name, f->name, EBPF_MAX_INSNS);
	if (k->n + f->n > k->cap) {
		uint32_t cap = k->cap ? k->cap : 64;
		struct ebpf_insn *ni;

		while (cap < k->n + f->n)
			cap *= 2;
		ni = realloc(k->insns, cap * sizeof(*ni));
		if (!ni)
			return -ENOMEM;
		k->insns = ni;
		k->cap = cap;
	}
	memcpy(k->insns + k->n, l->secs[f->sec].data + (size_t)f->start * 8, (size_t)f->n * 8);
	l->total_insns += f->n;
	k->funcs[k->n_funcs] = *f;
	k->funcs[k->n_funcs].at = k->n;
	k->n_funcs++;
	k->n += f->n;
	return (int)(k->n - f->n);
}

/* The map of a relocation against symbol sym (in a maps section), or -1. */
static int map_for_sym(struct loader *l, const GElf_Sym *sym, uint64_t addend)
{
	uint64_t off = sym->st_value + addend;

	for (unsigned i = 0; i < l->n_msyms; i++)
		if (l->msyms[i].sec == sym->st_shndx && off >= l->msyms[i].off &&
		    off < l->msyms[i].off + (l->msyms[i].size ? l->msyms[i].size : 1))
			return l->msyms[i].map;
	return -1;
}

/* Applies the relocations of function fi of the program (its copy at k->funcs[fi].at); calls
 * are resolved (adding callees) by link_calls. */
static int link_relocs(struct loader *l, struct linkage *k, unsigned fi)
{
	struct func f = k->funcs[fi];
	struct sec *s = &l->secs[f.sec];
	Elf_Data *rd = l->reldata[f.sec];

	if (!rd)
		return 0;
	for (uint32_t i = 0; i < f.n; i++) {
		GElf_Rel rel;
		GElf_Sym sym;
		const char *sname;
		uint32_t slot, type;
		int32_t r = s->rel_at[f.start + i];
		struct ebpf_insn *in;

		if (r < 0)
			continue;
		if (!gelf_getrel(rd, r, &rel))
			return lerr(l, "section '%s': relocation %d unreadable",
				    l->secs[s->rel].name, r);
		type = (uint32_t)GELF_R_TYPE(rel.r_info);
		if (sym_get(l, GELF_R_SYM(rel.r_info), &sym, &sname))
			return lerr(l,
				    "section '%s', offset %llu: relocation to unknown symbol #%llu",
				    s->name, (unsigned long long)rel.r_offset,
				    (unsigned long long)GELF_R_SYM(rel.r_info));
		slot = f.at + i;
		in = &k->insns[slot];
		if (type == R_BPF_NONE)
			continue;
		if (type == R_BPF_64_32) {
			if (in->code != (EBPF_CLASS_JMP | EBPF_JMP_CALL) ||
			    in->src != EBPF_PSEUDO_CALL)
				return lerr(l,
					    "section '%s', symbol '%s', offset %llu: R_BPF_64_32 "
					    "relocation not on a bpf-to-bpf call",
					    s->name, sname, (unsigned long long)rel.r_offset);
			continue; /* resolved by link_calls */
		}
		if (type != R_BPF_64_64)
			return lerr(l,
				    "section '%s', symbol '%s', offset %llu: unknown relocation "
				    "type %u",
				    s->name, sname, (unsigned long long)rel.r_offset, type);
		if (!ebpf_insn_is_lddw(in) || i + 1 >= f.n || in->src != 0)
			return lerr(l,
				    "section '%s', symbol '%s', offset %llu: lddw expected at "
				    "the relocation",
				    s->name, sname, (unsigned long long)rel.r_offset);
		if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= l->n_secs)
			return lerr(l,
				    "section '%s', offset %llu: relocation to unknown symbol '%s' "
				    "(externs are not supported)",
				    s->name, (unsigned long long)rel.r_offset, sname);
		switch (l->secs[sym.st_shndx].kind) {
		case SEC_MAPS:
		case SEC_BTFMAPS: {
			int m = map_for_sym(l, &sym, 0);

			if (m < 0)
				return lerr(l,
					    "section '%s', symbol '%s', offset %llu: no map "
					    "definition at the symbol",
					    s->name, sname, (unsigned long long)rel.r_offset);
			in->src = EBPF_PSEUDO_MAP_FD;
			in->imm = m;
			in[1].imm = 0;
			break;
		}
		case SEC_DATA: {
			struct sec *ds = &l->secs[sym.st_shndx];
			int64_t off = (int64_t)sym.st_value + in->imm;

			if (ds->map < 0 || off < 0 || (uint64_t)off >= ds->size)
				return lerr(l,
					    "section '%s', symbol '%s', offset %llu: global data "
					    "offset %lld outside section '%s' (%zu bytes)",
					    s->name, sname, (unsigned long long)rel.r_offset,
					    (long long)off, ds->name, ds->size);
			in->src = EBPF_PSEUDO_MAP_VALUE;
			in->imm = ds->map;
			in[1].imm = (int32_t)off;
			break;
		}
		default:
			return lerr(l,
				    "section '%s', symbol '%s', offset %llu: relocation against "
				    "section '%s', which is neither maps nor global data",
				    s->name, sname, (unsigned long long)rel.r_offset,
				    l->secs[sym.st_shndx].name);
		}
	}
	return 0;
}

/* Resolves the bpf-to-bpf calls of function fi, adding callees to the program. */
static int link_calls(struct loader *l, struct linkage *k, unsigned fi)
{
	struct func f = k->funcs[fi];
	struct sec *s = &l->secs[f.sec];

	for (uint32_t i = 0; i < f.n; i++) {
		struct ebpf_insn *in = &k->insns[f.at + i];
		uint32_t tsec = f.sec;
		int64_t target;
		struct func callee;
		int at;
		bool relocated = false;

		if (ebpf_insn_is_lddw(in)) {
			i++;
			continue;
		}
		if (in->code != (EBPF_CLASS_JMP | EBPF_JMP_CALL) || in->src != EBPF_PSEUDO_CALL)
			continue;
		/* a relocation on the call names the target section (libbpf: sym + imm + 1) */
		if (s->rel_at && s->rel_at[f.start + i] >= 0) {
			GElf_Rel rel;
			GElf_Sym sym;
			const char *sname;

			if (!gelf_getrel(l->reldata[f.sec], s->rel_at[f.start + i], &rel) ||
			    GELF_R_TYPE(rel.r_info) != R_BPF_64_32 ||
			    sym_get(l, GELF_R_SYM(rel.r_info), &sym, &sname) ||
			    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= l->n_secs ||
			    sym.st_value % 8)
				return lerr(l,
					    "section '%s', offset %llu: call relocation to an "
					    "unknown or misplaced symbol",
					    s->name, (unsigned long long)(f.start + i) * 8);
			tsec = sym.st_shndx;
			target = (int64_t)(sym.st_value / 8) + in->imm + 1;
			relocated = true;
		}
		if (!relocated)
			target = (int64_t)f.start + i + in->imm + 1;
		if (l->secs[tsec].kind != SEC_PROG && l->secs[tsec].kind != SEC_TEXT)
			return lerr(l,
				    "section '%s', offset %llu: call into section '%s', which "
				    "has no code",
				    s->name, (unsigned long long)(f.start + i) * 8,
				    l->secs[tsec].name);
		if (target < 0 || (uint64_t)target >= l->secs[tsec].size / 8 ||
		    find_func(l, tsec, (uint32_t)target, &callee))
			return lerr(
			    l,
			    "section '%s', function '%s', offset %llu: call target "
			    "(section '%s', instruction %lld) is not the start of a function",
			    s->name, f.name, (unsigned long long)(f.start + i) * 8,
			    l->secs[tsec].name, (long long)target);
		at = link_add(l, k, &callee);
		if (at < 0)
			return at;
		in = &k->insns[f.at + i]; /* link_add may have moved the instructions */
		in->imm = at - (int32_t)(f.at + i) - 1;
	}
	return 0;
}

static int obj_add_prog(struct loader *l, struct ebpf_prog *p)
{
	struct ebpf_object *o = l->obj;

	if (o->n_progs == l->progs_cap) {
		uint32_t cap = l->progs_cap ? l->progs_cap * 2 : 8;
		struct ebpf_prog **np = realloc(o->progs, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		o->progs = np;
		l->progs_cap = cap;
	}
	o->progs[o->n_progs++] = p;
	return 0;
}

/* ebpf_prog_free (prog.c) frees the program with its map references and what the engines
 * attached to it. */
static void prog_destroy(struct ebpf_prog *p)
{
	ebpf_prog_free(p);
}

static int load_prog(struct loader *l, const struct func *main_fn)
{
	struct linkage *k = calloc(1, sizeof(*k));
	struct ebpf_prog *p = NULL;
	int ret;

	if (!k)
		return -ENOMEM;
	ret = link_add(l, k, main_fn);
	for (unsigned fi = 0; ret >= 0 && fi < k->n_funcs; fi++) {
		ret = link_relocs(l, k, fi);
		if (ret >= 0)
			ret = link_calls(l, k, fi);
	}
	if (ret < 0)
		goto out;
	ret = -ENOMEM;
	p = calloc(1, sizeof(*p));
	if (!p)
		goto out;
	p->insns = k->insns;
	k->insns = NULL;
	p->n_insns = k->n;
	p->funcs = calloc(k->n_funcs, sizeof(*p->funcs));
	p->maps = l->obj->n_maps ? calloc(l->obj->n_maps, sizeof(*p->maps)) : NULL;
	if (!p->funcs || (l->obj->n_maps && !p->maps))
		goto out;
	p->n_funcs = k->n_funcs;
	for (unsigned i = 0; i < k->n_funcs; i++) {
		p->funcs[i].start = k->funcs[i].at;
		snprintf(p->funcs[i].name, sizeof(p->funcs[i].name), "%s", k->funcs[i].name);
	}
	for (uint32_t i = 0; i < l->obj->n_maps; i++)
		p->maps[i] = ebpf_map_get(l->obj->maps[i]);
	p->n_maps = l->obj->n_maps;
	snprintf(p->name, sizeof(p->name), "%s", main_fn->name);
	snprintf(p->section, sizeof(p->section), "%s", l->secs[main_fn->sec].name);
	p->type = l->secs[main_fn->sec].type;
	ret = obj_add_prog(l, p);
	if (!ret)
		p = NULL;
out:
	prog_destroy(p);
	free(k->insns);
	free(k);
	return ret;
}

/* Initial slots of prog arrays declared with __array(values, ...): relocations in .rel.maps. */
static int load_prog_array_values(struct loader *l, uint32_t maps_sec)
{
	Elf_Data *rd = l->reldata[maps_sec];
	size_t nrel = rd ? rd->d_size / sizeof(Elf64_Rel) : 0;
	for (size_t r = 0; r < nrel; r++) {
		GElf_Rel rel;
		GElf_Sym sym;
		const char *sname;
		struct map_sym *ms = NULL;
		struct ebpf_prog *target = NULL;

		if (!gelf_getrel(rd, (int)r, &rel))
			return lerr(l, "section '.rel.maps': relocation %zu unreadable", r);
		for (unsigned i = 0; i < l->n_msyms; i++)
			if (l->msyms[i].values_n && rel.r_offset >= l->msyms[i].values_off &&
			    rel.r_offset < l->msyms[i].values_off + 8ull * l->msyms[i].values_n)
				ms = &l->msyms[i];
		if (!ms || (rel.r_offset - ms->values_off) % 8 ||
		    (GELF_R_TYPE(rel.r_info) != R_BPF_64_ABS64 &&
		     GELF_R_TYPE(rel.r_info) != R_BPF_64_64) ||
		    sym_get(l, GELF_R_SYM(rel.r_info), &sym, &sname))
			return lerr(l,
				    "section '.maps', offset %llu: relocation outside a map's "
				    "__array(values)",
				    (unsigned long long)rel.r_offset);
		if (ebpf_map_def(l->obj->maps[ms->map])->type != EBPF_MAP_PROG_ARRAY)
			return lerr(l,
				    "section '.maps', symbol '%s', offset %llu: __array(values) "
				    "is only supported for prog arrays",
				    sname, (unsigned long long)rel.r_offset);
		for (uint32_t i = 0; i < l->obj->n_progs; i++)
			if (!strcmp(l->obj->progs[i]->name, sname))
				target = l->obj->progs[i];
		if (!target)
			return lerr(l,
				    "section '.maps', symbol '%s', offset %llu: not a program of "
				    "this object",
				    sname, (unsigned long long)rel.r_offset);
		if (ebpf_prog_array_set(l->obj->maps[ms->map],
					(uint32_t)((rel.r_offset - ms->values_off) / 8), target))
			return lerr(l,
				    "section '.maps', symbol '%s', offset %llu: slot beyond "
				    "max_entries",
				    sname, (unsigned long long)rel.r_offset);
	}
	return 0;
}

/* ---- the object ---------------------------------------------------------------------------- */

static int scan_sections(struct loader *l)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrnum(l->elf, &l->n_secs) || elf_getshdrstrndx(l->elf, &shstrndx))
		return lerr(l, "unreadable section headers");
	if (l->n_secs > ELF_MAX_SECTIONS)
		return lerr(l, "%zu sections, more than %u", l->n_secs, ELF_MAX_SECTIONS);
	l->secs = calloc(l->n_secs ? l->n_secs : 1, sizeof(*l->secs));
	if (!l->secs)
		return -ENOMEM;
	for (size_t i = 0; i < l->n_secs; i++) {
		l->secs[i].name = "";
		l->secs[i].map = -1;
	}
	while ((scn = elf_nextscn(l->elf, scn))) {
		size_t i = elf_ndxscn(scn);
		struct sec *s;
		Elf_Data *d;

		if (i >= l->n_secs)
			return lerr(l, "section index %zu out of range", i);
		s = &l->secs[i];
		if (!gelf_getshdr(scn, &s->sh))
			return lerr(l, "section %zu: unreadable header", i);
		s->name = elf_strptr(l->elf, shstrndx, s->sh.sh_name);
		if (!s->name)
			return lerr(l, "section %zu: bad name offset", i);
		if (s->sh.sh_type == SHT_NOBITS) {
			s->size = s->sh.sh_size;
		} else if (s->sh.sh_type != SHT_NULL) {
			d = elf_getdata(scn, NULL);
			if (!d && s->sh.sh_size)
				return lerr(l, "section '%s': data beyond the end of the file",
					    s->name);
			if (d && d->d_size != s->sh.sh_size)
				return lerr(l, "section '%s': size %llu but %zu bytes readable",
					    s->name, (unsigned long long)s->sh.sh_size, d->d_size);
			s->data = d ? d->d_buf : NULL;
			s->size = d ? d->d_size : 0;
			if (s->size && !s->data)
				return lerr(l, "section '%s': no data", s->name);
		}
		if (s->sh.sh_type == SHT_SYMTAB) {
			if (l->symtab)
				return lerr(l, "section '%s': a second symbol table", s->name);
			l->symtab = elf_getdata(scn, NULL);
			if (!l->symtab || !s->sh.sh_entsize || s->sh.sh_link >= l->n_secs)
				return lerr(l, "section '%s': bad symbol table", s->name);
			l->n_syms = l->symtab->d_size / sizeof(Elf64_Sym);
			l->strtab = s->sh.sh_link;
			l->symtab_idx = (uint32_t)i;
		} else if (s->sh.sh_type == SHT_REL) {
			/* assigned below, when the target's kind is known */
		} else if (s->sh.sh_type == SHT_RELA) {
			return lerr(l, "section '%s': RELA relocations are not used by BPF objects",
				    s->name);
		} else if (s->sh.sh_type == SHT_PROGBITS && (s->sh.sh_flags & SHF_EXECINSTR)) {
			if (s->size % 8)
				return lerr(l, "section '%s': %zu bytes is not whole instructions",
					    s->name, s->size);
			if (!strcmp(s->name, ".text")) {
				s->kind = SEC_TEXT;
			} else {
				s->kind = SEC_PROG;
				s->type = ebpf_elf_section_type(s->name);
				if (!s->type)
					return lerr(l,
						    "section '%s': unknown program type (program "
						    "sections: xdp, xdp/NAME, bulwark/blk, "
						    "bulwark/mem.write, bulwark/msr.write; "
						    "docs/extensions.md)",
						    s->name);
			}
		} else if (!strcmp(s->name, "maps")) {
			s->kind = SEC_MAPS;
		} else if (!strcmp(s->name, ".maps")) {
			s->kind = SEC_BTFMAPS;
		} else if ((s->sh.sh_flags & SHF_ALLOC) &&
			   (s->sh.sh_type == SHT_PROGBITS || s->sh.sh_type == SHT_NOBITS) &&
			   (!strncmp(s->name, ".rodata", 7) || !strncmp(s->name, ".data", 5) ||
			    !strncmp(s->name, ".bss", 4))) {
			s->kind = SEC_DATA;
		}
	}
	if (!l->symtab)
		return lerr(l, "no symbol table");
	l->reldata = calloc(l->n_secs ? l->n_secs : 1, sizeof(*l->reldata));
	if (!l->reldata)
		return -ENOMEM;
	for (size_t i = 0; i < l->n_secs; i++) {
		struct sec *s = &l->secs[i], *t;
		Elf_Data *rd;
		size_t nrel;

		if (s->sh.sh_type != SHT_REL)
			continue;
		if (s->sh.sh_info >= l->n_secs || s->sh.sh_info == 0)
			return lerr(l, "section '%s': relocates section %u, out of range", s->name,
				    s->sh.sh_info);
		if (s->sh.sh_link != l->symtab_idx)
			return lerr(l, "section '%s': not linked to the symbol table", s->name);
		if (s->size % sizeof(Elf64_Rel))
			return lerr(l, "section '%s': size not a multiple of a relocation",
				    s->name);
		t = &l->secs[s->sh.sh_info];
		if (t->rel)
			return lerr(l, "section '%s': a second relocation section for '%s'",
				    s->name, t->name);
		t->rel = (int)i;
		rd = elf_getdata(elf_getscn(l->elf, i), NULL);
		if (!rd)
			return lerr(l, "section '%s': unreadable", s->name);
		l->reldata[s->sh.sh_info] = rd;
		if (t->kind != SEC_PROG && t->kind != SEC_TEXT)
			continue; /* .rel.maps: read by load_prog_array_values; others unused */
		nrel = rd->d_size / sizeof(Elf64_Rel);
		t->rel_at = malloc((t->size / 8 + 1) * sizeof(*t->rel_at));
		if (!t->rel_at)
			return -ENOMEM;
		memset(t->rel_at, 0xff, (t->size / 8 + 1) * sizeof(*t->rel_at));
		for (size_t r = 0; r < nrel && r < INT32_MAX; r++) {
			GElf_Rel rel;

			if (!gelf_getrel(rd, (int)r, &rel))
				return lerr(l, "section '%s': relocation %zu unreadable", s->name,
					    r);
			if (rel.r_offset % 8 || rel.r_offset >= t->size)
				return lerr(l,
					    "section '%s', offset %llu: relocation outside the "
					    "instructions of '%s'",
					    s->name, (unsigned long long)rel.r_offset, t->name);
			if (t->rel_at[rel.r_offset / 8] >= 0)
				return lerr(l,
					    "section '%s', offset %llu: two relocations of one "
					    "instruction",
					    t->name, (unsigned long long)rel.r_offset);
			t->rel_at[rel.r_offset / 8] = (int32_t)r;
		}
	}
	/* function symbols of the code sections, by start slot */
	for (size_t i = 0; i < l->n_secs; i++) {
		struct sec *s = &l->secs[i];

		if (s->kind != SEC_PROG && s->kind != SEC_TEXT)
			continue;
		s->func_at = malloc((s->size / 8 + 1) * sizeof(*s->func_at));
		if (!s->func_at)
			return -ENOMEM;
		memset(s->func_at, 0xff, (s->size / 8 + 1) * sizeof(*s->func_at));
	}
	for (size_t i = 0; i < l->n_syms && i < INT32_MAX; i++) {
		GElf_Sym sym;
		const char *name;
		struct sec *s;

		if (sym_get(l, i, &sym, &name) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= l->n_secs)
			continue;
		s = &l->secs[sym.st_shndx];
		if (!s->func_at || sym.st_value % 8 || sym.st_size % 8 || !sym.st_size ||
		    sym.st_value >= s->size || sym.st_size > s->size - sym.st_value)
			continue;
		if (s->func_at[sym.st_value / 8] < 0)
			s->func_at[sym.st_value / 8] = (int32_t)i;
	}
	return 0;
}

int ebpf_elf_load(const void *data, size_t len, const char *origin, struct ebpf_object **out,
		  char *err, size_t errlen)
{
	return ebpf_elf_load_opts(data, len, origin, NULL, out, err, errlen);
}

int ebpf_elf_load_opts(const void *data, size_t len, const char *origin,
		       const struct ebpf_elf_opts *opts, struct ebpf_object **out, char *err,
		       size_t errlen)
{
	struct loader l = {.origin = origin ? origin : "(object)",
			   .err = err,
			   .errlen = errlen,
			   .n_vcpus = opts && opts->n_vcpus ? opts->n_vcpus : 1};
	char *copy = NULL;
	GElf_Ehdr eh;
	int ret;

	*out = NULL;
	if (err && errlen)
		err[0] = 0;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return lerr(&l, "libelf: %s", elf_errmsg(-1));
	if (!data || len < sizeof(Elf64_Ehdr))
		return lerr(&l, "%zu bytes: too short for an ELF header", len);
	copy = malloc(len);
	l.obj = calloc(1, sizeof(*l.obj));
	if (!copy || !l.obj) {
		ret = -ENOMEM;
		goto fail;
	}
	memcpy(copy, data, len);
	l.elf = elf_memory(copy, len);
	if (!l.elf || elf_kind(l.elf) != ELF_K_ELF) {
		ret = lerr(&l, "not an ELF file");
		goto fail;
	}
	if (!gelf_getehdr(l.elf, &eh) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		ret = lerr(&l, "not a 64-bit little-endian ELF object");
		goto fail;
	}
	if (eh.e_machine != EM_BPF || eh.e_type != ET_REL) {
		ret = lerr(&l, "not a BPF relocatable object (e_machine %u, e_type %u)",
			   eh.e_machine, eh.e_type);
		goto fail;
	}
	ret = scan_sections(&l);
	if (ret)
		goto fail;
	/* license */
	for (size_t i = 0; i < l.n_secs; i++) {
		struct sec *s = &l.secs[i];

		if (strcmp(s->name, "license"))
			continue;
		if (!s->data || !s->size || !memchr(s->data, 0, s->size) ||
		    strlen((const char *)s->data) >= sizeof(l.obj->license)) {
			ret = lerr(&l,
				   "section 'license': not a NUL-terminated string of at most "
				   "%zu bytes",
				   sizeof(l.obj->license) - 1);
			goto fail;
		}
		strcpy(l.obj->license, (const char *)s->data);
	}
	/* BTF */
	for (size_t i = 0; i < l.n_secs; i++) {
		struct sec *s = &l.secs[i];
		char e[200];

		if (strcmp(s->name, ".BTF") || !s->data)
			continue;
		if (l.btf) {
			ret = lerr(&l, "section '.BTF': a second BTF section");
			goto fail;
		}
		if (ebpf_btf_parse(s->data, s->size, &l.btf, e, sizeof(e))) {
			ret = lerr(&l, "section '.BTF': %s", e);
			goto fail;
		}
	}
	/* maps, in section order: BTF-defined, legacy, global data */
	for (size_t i = 0; i < l.n_secs && !ret; i++) {
		if (l.secs[i].kind == SEC_BTFMAPS)
			ret = load_btf_maps(&l, (uint32_t)i);
		else if (l.secs[i].kind == SEC_MAPS)
			ret = load_legacy_maps(&l, (uint32_t)i);
	}
	for (size_t i = 0; i < l.n_secs && !ret; i++)
		if (l.secs[i].kind == SEC_DATA && l.secs[i].size)
			ret = load_data_map(&l, (uint32_t)i);
	if (ret)
		goto fail;
	/* programs: every global function of a program section */
	for (size_t i = 0; i < l.n_syms; i++) {
		GElf_Sym sym;
		const char *name;
		struct func f;

		if (sym_get(&l, i, &sym, &name) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= l.n_secs ||
		    l.secs[sym.st_shndx].kind != SEC_PROG || GELF_ST_BIND(sym.st_info) == STB_LOCAL)
			continue;
		if (sym.st_value % 8 || sym.st_size % 8 || !sym.st_size ||
		    sym.st_value + sym.st_size > l.secs[sym.st_shndx].size ||
		    sym.st_value + sym.st_size < sym.st_value) {
			ret =
			    lerr(&l,
				 "section '%s', symbol '%s', offset %llu: function outside its "
				 "section",
				 l.secs[sym.st_shndx].name, name, (unsigned long long)sym.st_value);
			goto fail;
		}
		f = (struct func){.sec = sym.st_shndx,
				  .start = (uint32_t)(sym.st_value / 8),
				  .n = (uint32_t)(sym.st_size / 8),
				  .name = name};
		ret = load_prog(&l, &f);
		if (ret)
			goto fail;
	}
	if (!l.obj->n_progs) {
		ret = lerr(&l, "no programs (no global function in a program section)");
		goto fail;
	}
	for (size_t i = 0; i < l.n_secs && !ret; i++)
		if (l.secs[i].kind == SEC_BTFMAPS)
			ret = load_prog_array_values(&l, (uint32_t)i);
	if (ret)
		goto fail;
	for (uint32_t i = 0; i < l.obj->n_progs; i++)
		snprintf(l.obj->progs[i]->license, sizeof(l.obj->progs[i]->license), "%s",
			 l.obj->license);
	*out = l.obj;
	l.obj = NULL;
fail:
	if (ret == -ENOMEM && err && errlen && !err[0])
		lerr(&l, "out of memory");
	ebpf_object_free(l.obj);
	ebpf_btf_free(l.btf);
	if (l.elf)
		elf_end(l.elf);
	for (size_t i = 0; l.secs && i < l.n_secs; i++) {
		free(l.secs[i].rel_at);
		free(l.secs[i].func_at);
	}
	free(l.reldata);
	free(l.secs);
	free(copy);
	return ret;
}

void ebpf_object_free(struct ebpf_object *obj)
{
	if (!obj)
		return;
	/* prog arrays of this object may point at its programs: clear them first */
	for (uint32_t i = 0; i < obj->n_maps; i++)
		if (ebpf_map_def(obj->maps[i])->type == EBPF_MAP_PROG_ARRAY)
			for (uint32_t s = 0; s < ebpf_map_def(obj->maps[i])->max_entries; s++)
				ebpf_prog_array_set(obj->maps[i], s, NULL);
	for (uint32_t i = 0; i < obj->n_progs; i++)
		prog_destroy(obj->progs[i]);
	for (uint32_t i = 0; i < obj->n_maps; i++)
		ebpf_map_put(obj->maps[i]);
	free(obj->progs);
	free(obj->maps);
	free(obj);
}

struct ebpf_prog *ebpf_object_prog(const struct ebpf_object *obj, const char *name)
{
	for (uint32_t i = 0; obj && i < obj->n_progs; i++)
		if (!strcmp(obj->progs[i]->name, name))
			return obj->progs[i];
	for (uint32_t i = 0; obj && i < obj->n_progs; i++)
		if (!strcmp(obj->progs[i]->section, name))
			return obj->progs[i];
	return NULL;
}

struct ebpf_map *ebpf_object_map(const struct ebpf_object *obj, const char *name)
{
	for (uint32_t i = 0; obj && i < obj->n_maps; i++)
		if (!strcmp(ebpf_map_def(obj->maps[i])->name, name))
			return obj->maps[i];
	return NULL;
}
