/* asm.c: the assembler for the conformance suite's eBPF assembly syntax (see asm.h for the
 * syntax). Two passes: each line becomes one or two slots, label references are recorded as
 * fixups and resolved once every label is known. Hostile text never overflows anything: the
 * input is copied once and cut in place, every number is range-checked, every error names the
 * line and the token. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf/asm.h"

#define ASM_NAME_MAX 64
#define ASM_MAX_OPERANDS 5

struct asm_label {
	char name[ASM_NAME_MAX];
	uint32_t pc;
};

struct asm_fixup {
	char name[ASM_NAME_MAX];
	uint32_t pc;
	unsigned line;
	bool in_imm; /* ja32 and call local: target in imm; else in off */
};

struct asm_state {
	struct ebpf_insn *insns;
	uint32_t n, cap;
	struct asm_label *labels;
	uint32_t n_labels, cap_labels;
	struct asm_fixup *fixups;
	uint32_t n_fixups, cap_fixups;
	int64_t first_exit;
	unsigned line;
	char *err;
	size_t errlen;
};

static int asm_error(struct asm_state *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int asm_error(struct asm_state *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!s->err || !s->errlen)
		return -EINVAL;
	n = snprintf(s->err, s->errlen, "line %u: ", s->line);
	if (n < 0 || (size_t)n >= s->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(s->err + n, s->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void *asm_grow(void *p, uint32_t *cap, uint32_t need, size_t elem)
{
	uint32_t c = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return p;
	while (c < need) {
		if (c > UINT32_MAX / 2)
			return NULL;
		c *= 2;
	}
	q = realloc(p, (size_t)c * elem);
	if (q)
		*cap = c;
	return q;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\v' || *s == '\f')
		s++;
	e = s + strlen(s);
	while (e > s &&
	       (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\v' || e[-1] == '\f'))
		*--e = 0;
	return s;
}

/* Token quoted in messages, shortened so hostile lines do not flood the message. */
static const char *tok(const char *t)
{
	static __thread char buf[48];
	size_t n = strlen(t);

	if (n < sizeof(buf))
		return t;
	memcpy(buf, t, sizeof(buf) - 4);
	strcpy(buf + sizeof(buf) - 4, "...");
	return buf;
}

/* Parses a decimal or 0x-hex number with an optional sign, the whole string. */
static bool parse_num(const char *s, bool *neg, uint64_t *mag)
{
	uint64_t v = 0;
	unsigned base = 10, d;

	*neg = false;
	if (*s == '+' || *s == '-') {
		*neg = *s == '-';
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*mag = v;
	return true;
}

static int parse_imm32(struct asm_state *s, const char *t, int32_t *out)
{
	bool neg;
	uint64_t mag;

	if (!parse_num(t, &neg, &mag))
		return asm_error(s, "bad number '%s'", tok(t));
	if (neg ? mag > 0x80000000ull : mag > 0xffffffffull)
		return asm_error(s, "immediate '%s' does not fit in 32 bits", tok(t));
	*out = (int32_t)(uint32_t)(neg ? (uint64_t)(-(int64_t)mag) : mag);
	return 0;
}

static int parse_imm64(struct asm_state *s, const char *t, uint64_t *out)
{
	bool neg;
	uint64_t mag;

	if (!parse_num(t, &neg, &mag))
		return asm_error(s, "bad number '%s'", tok(t));
	if (neg && mag > 0x8000000000000000ull)
		return asm_error(s, "immediate '%s' does not fit in 64 bits", tok(t));
	*out = neg ? 0 - mag : mag;
	return 0;
}

static int parse_off16(struct asm_state *s, const char *t, int16_t *out)
{
	bool neg;
	uint64_t mag;

	if (!parse_num(t, &neg, &mag))
		return asm_error(s, "bad offset '%s'", tok(t));
	if (neg ? mag > 32768 : mag > 32767)
		return asm_error(s, "offset '%s' does not fit in 16 bits", tok(t));
	*out = (int16_t)(neg ? -(int32_t)mag : (int32_t)mag);
	return 0;
}

static int parse_reg(struct asm_state *s, const char *t, uint8_t *reg)
{
	const char *p = t;
	unsigned v = 0;

	if (*p == '%')
		p++;
	if (*p != 'r' || !isdigit((unsigned char)p[1]))
		return asm_error(s, "bad register '%s'", tok(t));
	p++;
	if (p[0] == '0' && p[1])
		return asm_error(s, "bad register '%s'", tok(t));
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p) || v > 15)
			return asm_error(s, "bad register '%s'", tok(t));
		v = v * 10 + (*p - '0');
	}
	if (v > 15)
		return asm_error(s, "bad register '%s' (r0-r10)", tok(t));
	*reg = (uint8_t)v;
	return 0;
}

static bool is_reg(const char *t)
{
	return t[0] == '%' || (t[0] == 'r' && isdigit((unsigned char)t[1]));
}

/* [%rN], [%rN+off], [%rN-off], spaces allowed inside */
static int parse_mem(struct asm_state *s, char *t, uint8_t *reg, int16_t *off)
{
	size_t n = strlen(t);
	char *in, *p, save;
	int rc;

	if (n < 3 || t[0] != '[' || t[n - 1] != ']')
		return asm_error(s, "expected a memory operand like [%%r1+8], got '%s'", tok(t));
	t[n - 1] = 0;
	in = trim(t + 1);
	p = in;
	while (*p && *p != '+' && *p != '-' && *p != ' ' && *p != '\t')
		p++;
	save = *p;
	*p = 0;
	rc = parse_reg(s, in, reg);
	*p = save;
	if (rc)
		return rc;
	p = trim(p);
	*off = 0;
	if (!*p)
		return 0;
	if (*p != '+' && *p != '-')
		return asm_error(s, "bad memory operand offset '%s'", tok(p));
	if (*p == '+') {
		p = trim(p + 1);
		if (*p == '-' || *p == '+')
			return asm_error(s, "bad memory operand offset '%s'", tok(p));
	} else {
		char *q = trim(p + 1);

		if (*q == '-' || *q == '+')
			return asm_error(s, "bad memory operand offset '%s'", tok(q));
		if (q != p + 1) { /* "- 8": glue the sign back */
			q[-1] = '-';
			p = q - 1;
		}
	}
	return parse_off16(s, p, off);
}

static bool valid_label(const char *name)
{
	size_t i;

	if (!*name || strlen(name) >= ASM_NAME_MAX)
		return false;
	if (!isalpha((unsigned char)name[0]) && name[0] != '_' && name[0] != '.')
		return false;
	for (i = 1; name[i]; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '.')
			return false;
	return true;
}

static struct ebpf_insn *emit(struct asm_state *s)
{
	struct ebpf_insn *i;

	if (s->n >= EBPF_MAX_INSNS) {
		asm_error(s, "program longer than %u slots", EBPF_MAX_INSNS);
		return NULL;
	}
	i = asm_grow(s->insns, &s->cap, s->n + 1, sizeof(*s->insns));
	if (!i) {
		asm_error(s, "out of memory");
		return NULL;
	}
	s->insns = i;
	i = &s->insns[s->n++];
	memset(i, 0, sizeof(*i));
	return i;
}

/* A jump target: +N/-N relative, or a label (resolved later). */
static int parse_target(struct asm_state *s, const char *t, uint32_t pc, bool in_imm,
			struct ebpf_insn *insn)
{
	struct asm_fixup *f;

	if (t[0] == '+' || t[0] == '-') {
		if (in_imm)
			return parse_imm32(s, t, &insn->imm);
		return parse_off16(s, t, &insn->off);
	}
	if (!valid_label(t))
		return asm_error(s, "bad jump target '%s' (a label or +N/-N)", tok(t));
	f = asm_grow(s->fixups, &s->cap_fixups, s->n_fixups + 1, sizeof(*s->fixups));
	if (!f)
		return asm_error(s, "out of memory");
	s->fixups = f;
	f = &s->fixups[s->n_fixups++];
	snprintf(f->name, sizeof(f->name), "%s", t);
	f->pc = pc;
	f->line = s->line;
	f->in_imm = in_imm;
	return 0;
}

struct alu_op {
	const char *name;
	uint8_t op;
	int16_t off;
};

static const struct alu_op alu_ops[] = {
    {"add", EBPF_ALU_ADD, 0}, {"sub", EBPF_ALU_SUB, 0},	  {"mul", EBPF_ALU_MUL, 0},
    {"div", EBPF_ALU_DIV, 0}, {"sdiv", EBPF_ALU_DIV, 1},  {"or", EBPF_ALU_OR, 0},
    {"and", EBPF_ALU_AND, 0}, {"lsh", EBPF_ALU_LSH, 0},	  {"rsh", EBPF_ALU_RSH, 0},
    {"mod", EBPF_ALU_MOD, 0}, {"smod", EBPF_ALU_MOD, 1},  {"xor", EBPF_ALU_XOR, 0},
    {"mov", EBPF_ALU_MOV, 0}, {"arsh", EBPF_ALU_ARSH, 0},
};

static const struct {
	const char *name;
	uint8_t op;
} jmp_ops[] = {
    {"jeq", EBPF_JMP_JEQ},   {"jgt", EBPF_JMP_JGT},   {"jge", EBPF_JMP_JGE},
    {"jset", EBPF_JMP_JSET}, {"jne", EBPF_JMP_JNE},   {"jsgt", EBPF_JMP_JSGT},
    {"jsge", EBPF_JMP_JSGE}, {"jlt", EBPF_JMP_JLT},   {"jle", EBPF_JMP_JLE},
    {"jslt", EBPF_JMP_JSLT}, {"jsle", EBPF_JMP_JSLE},
};

static const struct {
	const char *name;
	uint8_t size;
} sizes[] = {
    {"b", EBPF_SIZE_B},
    {"h", EBPF_SIZE_H},
    {"w", EBPF_SIZE_W},
    {"dw", EBPF_SIZE_DW},
};

static int size_of(const char *suffix)
{
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (!strcmp(suffix, sizes[i].name))
			return sizes[i].size;
	return -1;
}

static int want_ops(struct asm_state *s, const char *mn, int n, int want)
{
	if (n != want)
		return asm_error(s, "'%s' takes %d operand%s, got %d", tok(mn), want,
				 want == 1 ? "" : "s", n);
	return 0;
}

/* Splits "a, b, c" into up to ASM_MAX_OPERANDS trimmed operands (brackets keep their commas). */
static int split_operands(struct asm_state *s, char *rest, char **ops, int *n)
{
	char *p = rest, *start = rest;
	int depth = 0;

	*n = 0;
	rest = trim(rest);
	if (!*rest)
		return 0;
	for (p = start = rest;; p++) {
		if (*p == '[')
			depth++;
		else if (*p == ']')
			depth--;
		if ((*p == ',' && depth <= 0) || !*p) {
			bool end = !*p;

			*p = 0;
			if (*n >= ASM_MAX_OPERANDS)
				return asm_error(s, "too many operands");
			ops[*n] = trim(start);
			if (!*ops[*n])
				return asm_error(s, "empty operand");
			(*n)++;
			if (end)
				break;
			start = p + 1;
		}
	}
	return 0;
}

/* Extra words of an lddw pseudo source: "map_value 3 + 8" */
static int asm_lddw_pseudo(struct asm_state *s, struct ebpf_insn *i, char *arg)
{
	static const struct {
		const char *name;
		uint8_t src;
		bool has_off;
	} kinds[] = {
	    {"map_fd", EBPF_PSEUDO_MAP_FD, false},
	    {"map_value", EBPF_PSEUDO_MAP_VALUE, true},
	    {"var_addr", EBPF_PSEUDO_VAR_ADDR, false},
	    {"code_addr", EBPF_PSEUDO_CODE_ADDR, false},
	    {"map_idx", EBPF_PSEUDO_MAP_IDX, false},
	    {"map_idx_value", EBPF_PSEUDO_MAP_IDX_VALUE, true},
	};
	char *words[5], *save = NULL, *w;
	int nw = 0, rc;

	for (w = strtok_r(arg, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (nw == 5)
			return asm_error(s, "too many words in lddw operand");
		words[nw++] = w;
	}
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if (strcmp(words[0], kinds[k].name))
			continue;
		if (nw < 2)
			return asm_error(s, "'%s' needs a number", kinds[k].name);
		rc = parse_imm32(s, words[1], &i[0].imm);
		if (rc)
			return rc;
		i[0].src = kinds[k].src;
		if (nw == 2)
			return 0;
		if (!kinds[k].has_off || nw != 4 ||
		    (strcmp(words[2], "+") && strcmp(words[2], "-")))
			return asm_error(s, "unexpected '%s' after '%s %s'", tok(words[2]),
					 kinds[k].name, tok(words[1]));
		rc = parse_imm32(s, words[3], &i[1].imm);
		if (rc)
			return rc;
		if (words[2][0] == '-') {
			if (words[3][0] == '-' || words[3][0] == '+')
				return asm_error(s, "bad offset '%s'", tok(words[3]));
			i[1].imm = (int32_t)(0u - (uint32_t)i[1].imm);
		}
		return 0;
	}
	return asm_error(s, "bad lddw operand '%s'", tok(words[0]));
}

static int asm_lddw(struct asm_state *s, char **ops, int nops)
{
	struct ebpf_insn *i;
	uint64_t v = 0;
	uint8_t r;
	int rc;

	if ((rc = want_ops(s, "lddw", nops, 2)))
		return rc;
	if (!emit(s) || !emit(s))
		return -EINVAL;
	i = &s->insns[s->n - 2];
	i[0].code = EBPF_CLASS_LD | EBPF_SIZE_DW | EBPF_MODE_IMM;
	if ((rc = parse_reg(s, ops[0], &r)))
		return rc;
	i[0].dst = r;
	if (isalpha((unsigned char)ops[1][0]) || ops[1][0] == '_')
		return asm_lddw_pseudo(s, i, ops[1]);
	if ((rc = parse_imm64(s, ops[1], &v)))
		return rc;
	i[0].imm = (int32_t)(uint32_t)v;
	i[1].imm = (int32_t)(uint32_t)(v >> 32);
	return 0;
}

static int asm_lock(struct asm_state *s, char *rest)
{
	char *p = trim(rest), *w1, *w2 = NULL, *ops[ASM_MAX_OPERANDS];
	struct ebpf_insn *i;
	bool fetch = false, is32 = false;
	int nops, rc;
	uint8_t r;
	size_t len;
	static const struct {
		const char *name;
		int32_t imm;
		bool fetch_ok;
	} kinds[] = {
	    {"add", EBPF_ATOMIC_ADD, true},    {"and", EBPF_ATOMIC_AND, true},
	    {"or", EBPF_ATOMIC_OR, true},      {"xor", EBPF_ATOMIC_XOR, true},
	    {"xchg", EBPF_ATOMIC_XCHG, false}, {"cmpxchg", EBPF_ATOMIC_CMPXCHG, false},
	};
	int k = -1;

	w1 = p;
	while (*p && *p != ' ' && *p != '\t' && *p != '[')
		p++;
	if (*p && *p != '[')
		*p++ = 0;
	else if (*p == '[')
		return asm_error(s, "'lock' needs an operation before '['");
	if (!strcmp(w1, "fetch")) {
		fetch = true;
		p = trim(p);
		w2 = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '[')
			p++;
		if (*p && *p != '[')
			*p++ = 0;
		else
			return asm_error(s, "'lock fetch' needs an operation");
		w1 = w2;
	}
	if (!*w1)
		return asm_error(s, "'lock' needs an operation");
	len = strlen(w1);
	if (len > 2 && !strcmp(w1 + len - 2, "32")) {
		is32 = true;
		w1[len - 2] = 0;
	}
	for (size_t j = 0; j < sizeof(kinds) / sizeof(kinds[0]); j++)
		if (!strcmp(w1, kinds[j].name))
			k = (int)j;
	if (k < 0) {
		if (is32)
			w1[len - 2] = '3';
		return asm_error(s, "unknown atomic operation '%s'", tok(w1));
	}
	if (fetch && !kinds[k].fetch_ok)
		return asm_error(s, "'%s' always fetches: write 'lock %s'", kinds[k].name,
				 kinds[k].name);
	if ((rc = split_operands(s, p, ops, &nops)))
		return rc;
	if ((rc = want_ops(s, "lock", nops, 2)))
		return rc;
	if (!(i = emit(s)))
		return -EINVAL;
	i->code = EBPF_CLASS_STX | EBPF_MODE_ATOMIC | (is32 ? EBPF_SIZE_W : EBPF_SIZE_DW);
	i->imm = kinds[k].imm | (fetch ? EBPF_ATOMIC_FETCH : 0);
	if ((rc = parse_mem(s, ops[0], &r, &i->off)))
		return rc;
	i->dst = r;
	if ((rc = parse_reg(s, ops[1], &r)))
		return rc;
	i->src = r;
	return 0;
}

static int asm_call(struct asm_state *s, char *rest)
{
	char *p = trim(rest), *w, *arg;
	struct ebpf_insn *i;
	uint8_t r;
	int rc;

	if (!*p)
		return asm_error(s, "'call' needs a helper number, 'local LABEL' or a register");
	if (!(i = emit(s)))
		return -EINVAL;
	i->code = EBPF_CLASS_JMP | EBPF_JMP_CALL;
	w = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = 0;
	arg = trim(p);
	if (!strcmp(w, "local") || !strcmp(w, "helper")) {
		if (!*arg || strpbrk(arg, " \t,"))
			return asm_error(s, "'call %s' needs one operand, got '%s'", w, tok(arg));
		if (w[0] == 'h')
			return parse_imm32(s, arg, &i->imm);
		i->src = EBPF_PSEUDO_CALL;
		return parse_target(s, arg, s->n - 1, true, i);
	}
	if (*arg)
		return asm_error(s, "unexpected '%s' after 'call %s'", tok(arg), tok(w));
	if (is_reg(w)) {
		if ((rc = parse_reg(s, w, &r)))
			return rc;
		i->code |= EBPF_SRC_X;
		i->dst = r;
		return 0;
	}
	return parse_imm32(s, w, &i->imm);
}

static int asm_insn_raw(struct asm_state *s, char **ops, int nops)
{
	struct ebpf_insn *i;
	int32_t code, dst, src, imm;
	int16_t off;
	int rc;

	if ((rc = want_ops(s, ".insn", nops, 5)))
		return rc;
	if ((rc = parse_imm32(s, ops[0], &code)) || (rc = parse_imm32(s, ops[1], &dst)) ||
	    (rc = parse_imm32(s, ops[2], &src)) || (rc = parse_off16(s, ops[3], &off)) ||
	    (rc = parse_imm32(s, ops[4], &imm)))
		return rc;
	if (code < 0 || code > 255)
		return asm_error(s, "opcode '%s' out of range 0-255", tok(ops[0]));
	if (dst < 0 || dst > 15)
		return asm_error(s, "register number '%s' out of range 0-15", tok(ops[1]));
	if (src < 0 || src > 15)
		return asm_error(s, "register number '%s' out of range 0-15", tok(ops[2]));
	if (!(i = emit(s)))
		return -EINVAL;
	i->code = (uint8_t)code;
	i->dst = (uint8_t)dst;
	i->src = (uint8_t)src;
	i->off = off;
	i->imm = imm;
	return 0;
}

static int asm_line(struct asm_state *s, char *line)
{
	char *p, *mn, *ops[ASM_MAX_OPERANDS];
	struct ebpf_insn *i;
	int nops = 0, rc, sz;
	size_t len;
	uint8_t r;

	p = strpbrk(line, "#;");
	if (p)
		*p = 0;
	line = trim(line);

	/* labels, possibly followed by an instruction */
	for (;;) {
		p = line;
		while (*p && *p != ' ' && *p != '\t' && *p != ':')
			p++;
		if (*p != ':')
			break;
		*p = 0;
		if (!valid_label(line))
			return asm_error(s, "bad label name '%s'", tok(line));
		for (uint32_t k = 0; k < s->n_labels; k++)
			if (!strcmp(s->labels[k].name, line))
				return asm_error(s, "duplicate label '%s'", tok(line));
		{
			struct asm_label *l = asm_grow(s->labels, &s->cap_labels, s->n_labels + 1,
						       sizeof(*s->labels));

			if (!l)
				return asm_error(s, "out of memory");
			s->labels = l;
			l = &s->labels[s->n_labels++];
			snprintf(l->name, sizeof(l->name), "%s", line);
			l->pc = s->n;
		}
		line = trim(p + 1);
	}
	if (!*line)
		return 0;

	mn = line;
	p = line;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = 0;
	len = strlen(mn);

	if (!strcmp(mn, "lock"))
		return asm_lock(s, p);
	if (!strcmp(mn, "call"))
		return asm_call(s, p);
	if ((rc = split_operands(s, p, ops, &nops)))
		return rc;
	if (!strcmp(mn, ".insn"))
		return asm_insn_raw(s, ops, nops);
	if (!strcmp(mn, "lddw"))
		return asm_lddw(s, ops, nops);
	if (!strcmp(mn, "exit")) {
		if ((rc = want_ops(s, mn, nops, 0)))
			return rc;
		if (!(i = emit(s)))
			return -EINVAL;
		i->code = EBPF_CLASS_JMP | EBPF_JMP_EXIT;
		if (s->first_exit < 0)
			s->first_exit = s->n - 1;
		return 0;
	}
	if (!strcmp(mn, "ja") || !strcmp(mn, "ja32") || !strcmp(mn, "gotol")) {
		bool is32 = mn[1] != 'a' || mn[2];

		if ((rc = want_ops(s, mn, nops, 1)))
			return rc;
		if (!(i = emit(s)))
			return -EINVAL;
		i->code = (is32 ? EBPF_CLASS_JMP32 : EBPF_CLASS_JMP) | EBPF_JMP_JA;
		return parse_target(s, ops[0], s->n - 1, is32, i);
	}
	/* conditional jumps */
	for (size_t k = 0; k < sizeof(jmp_ops) / sizeof(jmp_ops[0]); k++) {
		size_t jl = strlen(jmp_ops[k].name);
		bool is32;

		if (strncmp(mn, jmp_ops[k].name, jl) || (mn[jl] && strcmp(mn + jl, "32")))
			continue;
		is32 = mn[jl] != 0;
		if ((rc = want_ops(s, mn, nops, 3)))
			return rc;
		if (!(i = emit(s)))
			return -EINVAL;
		i->code = (is32 ? EBPF_CLASS_JMP32 : EBPF_CLASS_JMP) | jmp_ops[k].op;
		if ((rc = parse_reg(s, ops[0], &r)))
			return rc;
		i->dst = r;
		if (is_reg(ops[1])) {
			if ((rc = parse_reg(s, ops[1], &r)))
				return rc;
			i->src = r;
			i->code |= EBPF_SRC_X;
		} else if ((rc = parse_imm32(s, ops[1], &i->imm))) {
			return rc;
		}
		return parse_target(s, ops[2], s->n - 1, false, i);
	}
	/* byte swaps */
	if ((!strncmp(mn, "be", 2) && len == 4) || (!strncmp(mn, "le", 2) && len == 4) ||
	    (!strncmp(mn, "bswap", 5) && len == 7) || (!strncmp(mn, "swap", 4) && len == 6)) {
		const char *w = mn + len - 2;
		int32_t width = !strcmp(w, "16")   ? 16
				: !strcmp(w, "32") ? 32
				: !strcmp(w, "64") ? 64
						   : 0;

		if (width) {
			if ((rc = want_ops(s, mn, nops, 1)))
				return rc;
			if (!(i = emit(s)))
				return -EINVAL;
			if (mn[0] == 'b' && mn[1] == 'e')
				i->code = EBPF_CLASS_ALU | EBPF_ALU_END | EBPF_SRC_X;
			else if (mn[0] == 'l')
				i->code = EBPF_CLASS_ALU | EBPF_ALU_END | EBPF_SRC_K;
			else
				i->code = EBPF_CLASS_ALU64 | EBPF_ALU_END | EBPF_SRC_K;
			i->imm = width;
			if ((rc = parse_reg(s, ops[0], &r)))
				return rc;
			i->dst = r;
			return 0;
		}
	}
	/* movsx{8,16,32}{32,64} */
	if (!strncmp(mn, "movsx", 5)) {
		static const struct {
			const char *name;
			int16_t off;
			uint8_t cls;
		} mx[] = {
		    {"movsx832", 8, EBPF_CLASS_ALU},	 {"movsx1632", 16, EBPF_CLASS_ALU},
		    {"movsx864", 8, EBPF_CLASS_ALU64},	 {"movsx1664", 16, EBPF_CLASS_ALU64},
		    {"movsx3264", 32, EBPF_CLASS_ALU64},
		};
		for (size_t k = 0; k < sizeof(mx) / sizeof(mx[0]); k++) {
			if (strcmp(mn, mx[k].name))
				continue;
			if ((rc = want_ops(s, mn, nops, 2)))
				return rc;
			if (!(i = emit(s)))
				return -EINVAL;
			i->code = mx[k].cls | EBPF_ALU_MOV | EBPF_SRC_X;
			i->off = mx[k].off;
			if ((rc = parse_reg(s, ops[0], &r)))
				return rc;
			i->dst = r;
			if (!is_reg(ops[1]))
				return asm_error(s, "'%s' needs a source register, got '%s'", mn,
						 tok(ops[1]));
			if ((rc = parse_reg(s, ops[1], &r)))
				return rc;
			i->src = r;
			return 0;
		}
		return asm_error(s, "unknown mnemonic '%s'", tok(mn));
	}
	/* neg */
	if (!strcmp(mn, "neg") || !strcmp(mn, "neg32") || !strcmp(mn, "neg64")) {
		if ((rc = want_ops(s, mn, nops, 1)))
			return rc;
		if (!(i = emit(s)))
			return -EINVAL;
		i->code = (mn[3] == '3' ? EBPF_CLASS_ALU : EBPF_CLASS_ALU64) | EBPF_ALU_NEG;
		if ((rc = parse_reg(s, ops[0], &r)))
			return rc;
		i->dst = r;
		return 0;
	}
	/* two-operand ALU */
	for (size_t k = 0; k < sizeof(alu_ops) / sizeof(alu_ops[0]); k++) {
		size_t al = strlen(alu_ops[k].name);
		bool is32;

		if (strncmp(mn, alu_ops[k].name, al) ||
		    (mn[al] && strcmp(mn + al, "32") && strcmp(mn + al, "64")))
			continue;
		is32 = mn[al] == '3';
		if ((rc = want_ops(s, mn, nops, 2)))
			return rc;
		if (!(i = emit(s)))
			return -EINVAL;
		i->code = (is32 ? EBPF_CLASS_ALU : EBPF_CLASS_ALU64) | alu_ops[k].op;
		i->off = alu_ops[k].off;
		if ((rc = parse_reg(s, ops[0], &r)))
			return rc;
		i->dst = r;
		if (is_reg(ops[1])) {
			if ((rc = parse_reg(s, ops[1], &r)))
				return rc;
			i->src = r;
			i->code |= EBPF_SRC_X;
			return 0;
		}
		return parse_imm32(s, ops[1], &i->imm);
	}
	/* loads and stores */
	if (!strncmp(mn, "ldxs", 4) && (sz = size_of(mn + 4)) >= 0 && sz != EBPF_SIZE_DW) {
		if ((rc = want_ops(s, mn, nops, 2)))
			return rc;
		if (!(i = emit(s)))
			return -EINVAL;
		i->code = EBPF_CLASS_LDX | EBPF_MODE_MEMSX | sz;
		goto ldx_operands;
	}
	if (!strncmp(mn, "ldx", 3) && (sz = size_of(mn + 3)) >= 0) {
		if ((rc = want_ops(s, mn, nops, 2)))
			return rc;
		if (!(i = emit(s)))
			return -EINVAL;
		i->code = EBPF_CLASS_LDX | EBPF_MODE_MEM | sz;
	ldx_operands:
		if ((rc = parse_reg(s, ops[0], &r)))
			return rc;
		i->dst = r;
		if ((rc = parse_mem(s, ops[1], &r, &i->off)))
			return rc;
		i->src = r;
		return 0;
	}
	if (!strncmp(mn, "stx", 3) && (sz = size_of(mn + 3)) >= 0) {
		if ((rc = want_ops(s, mn, nops, 2)))
			return rc;
		if (!(i = emit(s)))
			return -EINVAL;
		i->code = EBPF_CLASS_STX | EBPF_MODE_MEM | sz;
		if ((rc = parse_mem(s, ops[0], &r, &i->off)))
			return rc;
		i->dst = r;
		if ((rc = parse_reg(s, ops[1], &r)))
			return rc;
		i->src = r;
		return 0;
	}
	if (!strncmp(mn, "st", 2) && (sz = size_of(mn + 2)) >= 0) {
		if ((rc = want_ops(s, mn, nops, 2)))
			return rc;
		if (!(i = emit(s)))
			return -EINVAL;
		i->code = EBPF_CLASS_ST | EBPF_MODE_MEM | sz;
		if ((rc = parse_mem(s, ops[0], &r, &i->off)))
			return rc;
		i->dst = r;
		return parse_imm32(s, ops[1], &i->imm);
	}
	return asm_error(s, "unknown mnemonic '%s'", tok(mn));
}

static int resolve(struct asm_state *s)
{
	for (uint32_t k = 0; k < s->n_fixups; k++) {
		struct asm_fixup *f = &s->fixups[k];
		int64_t target = -1, rel;

		for (uint32_t l = 0; l < s->n_labels; l++)
			if (!strcmp(s->labels[l].name, f->name))
				target = s->labels[l].pc;
		if (target < 0 && !strcmp(f->name, "exit"))
			target = s->first_exit;
		s->line = f->line;
		if (target < 0)
			return asm_error(s, "unknown label '%s'", tok(f->name));
		rel = target - (int64_t)f->pc - 1;
		if (f->in_imm) {
			s->insns[f->pc].imm = (int32_t)rel;
		} else {
			if (rel < INT16_MIN || rel > INT16_MAX)
				return asm_error(s, "label '%s' is too far for a 16-bit offset",
						 tok(f->name));
			s->insns[f->pc].off = (int16_t)rel;
		}
	}
	return 0;
}

int ebpf_asm(const char *text, struct ebpf_insn **out, uint32_t *n_out, char *err, size_t errlen)
{
	struct asm_state s = {.first_exit = -1, .err = err, .errlen = errlen};
	char *copy, *line, *next;
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	if (err && errlen)
		err[0] = 0;
	copy = strdup(text);
	if (!copy) {
		asm_error(&s, "out of memory");
		return -ENOMEM;
	}
	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		s.line++;
		rc = asm_line(&s, line);
		if (rc)
			break;
	}
	if (!rc)
		rc = resolve(&s);
	free(copy);
	free(s.labels);
	free(s.fixups);
	if (rc) {
		free(s.insns);
		return rc;
	}
	if (!s.insns) { /* empty program: a valid, empty array */
		s.insns = malloc(sizeof(*s.insns));
		if (!s.insns)
			return -ENOMEM;
	}
	*out = s.insns;
	*n_out = s.n;
	return 0;
}
