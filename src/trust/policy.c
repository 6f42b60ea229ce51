/* policy.c: parser, compiler and queries of the MAC policy (see policy.h, docs/policy.md).
 * Rules are kept as parsed (for the neverallow check and the explanation) and OR-ed into the
 * bitmaps p->bits[action][subject][vmclass][kind]; a query ORs the bitmaps of every subject and
 * VM class that match and of '*', then takes allow & ~deny & ~neverallow. */
#include "trust/policy.h"

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "trust/rootsigned.h"

#define MAX_TOKENS (5 + POLICY_MAX_PATTERNS)

static const char *const action_names[] = {"allow", "deny", "neverallow"};

void policy_free(struct policy *p)
{
	if (!p)
		return;
	free(p->rules);
	free(p->bits);
	free(p->subjects);
	free(p->vmclasses);
	free(p);
}

static int find_class(const struct policy_class *c, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].name, name))
			return (int)i;
	return -1;
}

static uint32_t kind_all(enum trust_obj_kind kind)
{
	int n = trust_obj_count(kind);

	return n >= 32 ? UINT32_MAX : (1u << n) - 1;
}

void policy_mask_names(enum trust_obj_kind kind, uint32_t mask, char *out, size_t outlen)
{
	size_t n = 0;

	if (!outlen)
		return;
	out[0] = '\0';
	for (int i = 0; i < trust_obj_count(kind); i++) {
		if (!(mask & (1u << i)))
			continue;
		n += (size_t)snprintf(out + n, n < outlen ? outlen - n : 0, "%s%s", n ? " " : "",
				      trust_obj_name(kind, i));
		if (n >= outlen)
			return;
	}
	if (!n)
		snprintf(out, outlen, "-");
}

/* "vmclass NAME names PATTERN..." and "subject NAME signer VENDOR names PATTERN..." */
static int parse_class(struct trust_text *t, struct policy *p, char **tok, int n, bool subject,
		       char *err, size_t errlen)
{
	struct policy_class *c;
	size_t *count = subject ? &p->nsubjects : &p->nvmclasses;
	int first = subject ? 5 : 3;

	if (n < first + 1 || (subject && (strcmp(tok[2], "signer") || strcmp(tok[4], "names"))) ||
	    (!subject && strcmp(tok[2], "names")))
		return trust_line_err(t, err, errlen, "expected '%s'",
				      subject ? "subject NAME signer VENDOR names PATTERN..."
					      : "vmclass NAME names PATTERN...");
	if (n - first > POLICY_MAX_PATTERNS)
		return trust_line_err(t, err, errlen, "more than %d patterns", POLICY_MAX_PATTERNS);
	if (!trust_valid_name(tok[1]))
		return trust_line_err(t, err, errlen, "invalid %s name '%.80s'",
				      subject ? "subject" : "vmclass", tok[1]);
	if (find_class(subject ? p->subjects : p->vmclasses, *count, tok[1]) >= 0)
		return trust_line_err(t, err, errlen, "duplicate %s '%s'",
				      subject ? "subject" : "vmclass", tok[1]);
	if (*count == POLICY_MAX_CLASSES)
		return trust_line_err(t, err, errlen, "more than %d %ss", POLICY_MAX_CLASSES,
				      subject ? "subject" : "vmclasse");
	c = realloc(subject ? p->subjects : p->vmclasses, (*count + 1) * sizeof(*c));
	if (!c) {
		trust_errf(err, errlen, "out of memory reading the policy");
		return -ENOMEM;
	}
	if (subject)
		p->subjects = c;
	else
		p->vmclasses = c;
	c += *count;
	memset(c, 0, sizeof(*c));
	strcpy(c->name, tok[1]);
	if (subject) {
		if (!trust_valid_name(tok[3]))
			return trust_line_err(t, err, errlen,
					      "invalid signer '%.80s' (a vendor name of the trust "
					      "list)",
					      tok[3]);
		strcpy(c->signer, tok[3]);
	}
	for (int i = first; i < n; i++) {
		if (!trust_valid_pattern(tok[i]))
			return trust_line_err(t, err, errlen,
					      "invalid name pattern '%.80s' (letters, digits, . _ "
					      "+ - and the glob characters * ? [ ] !)",
					      tok[i]);
		strcpy(c->patterns[c->npatterns++], tok[i]);
	}
	(*count)++;
	return 0;
}

static int parse_rule(struct trust_text *t, struct policy *p, enum policy_action action, char **tok,
		      int n, char *err, size_t errlen)
{
	struct policy_rule r = {.action = action, .line = t->line};
	struct policy_rule *grown;
	int kind;

	if (n < 5)
		return trust_line_err(t, err, errlen,
				      "expected '%s SUBJECT VMCLASS hook|helper|agent NAME...'",
				      action_names[action]);
	if (!strcmp(tok[1], "*")) {
		r.subject = POLICY_ANY;
	} else {
		r.subject = find_class(p->subjects, p->nsubjects, tok[1]);
		if (r.subject < 0)
			return trust_line_err(t, err, errlen,
					      "unknown subject '%.80s' (define it with a subject "
					      "line first, or use *)",
					      tok[1]);
	}
	if (!strcmp(tok[2], "*")) {
		r.vmclass = POLICY_ANY;
	} else {
		r.vmclass = find_class(p->vmclasses, p->nvmclasses, tok[2]);
		if (r.vmclass < 0)
			return trust_line_err(t, err, errlen,
					      "unknown vmclass '%.80s' (define it with a vmclass "
					      "line first, or use *)",
					      tok[2]);
	}
	for (kind = 0; kind < TRUST_OBJ_KINDS; kind++)
		if (!strcmp(tok[3], trust_obj_kind_name(kind)))
			break;
	if (kind == TRUST_OBJ_KINDS)
		return trust_line_err(
		    t, err, errlen, "unknown object kind '%.40s' (hook, helper or agent)", tok[3]);
	r.kind = (enum trust_obj_kind)kind;
	for (int i = 4; i < n; i++) {
		int idx;

		if (!strcmp(tok[i], "*")) {
			r.mask |= kind_all(r.kind);
			continue;
		}
		idx = trust_obj_from_name(r.kind, tok[i]);
		if (idx < 0)
			return trust_line_err(t, err, errlen, "unknown %s '%.80s'",
					      kind == TRUST_OBJ_HOOK	 ? "hook"
					      : kind == TRUST_OBJ_HELPER ? "helper class"
									 : "agent request",
					      tok[i]);
		r.mask |= 1u << idx;
	}
	if (p->nrules == POLICY_MAX_RULES)
		return trust_line_err(t, err, errlen, "more than %d rules", POLICY_MAX_RULES);
	if ((p->nrules & (p->nrules - 1)) == 0) {
		grown = realloc(p->rules, (p->nrules ? 2 * p->nrules : 1) * sizeof(*grown));
		if (!grown) {
			trust_errf(err, errlen, "out of memory reading the policy");
			return -ENOMEM;
		}
		p->rules = grown;
	}
	p->rules[p->nrules++] = r;
	return 0;
}

static int parse_hook(struct trust_text *t, struct policy *p, char **tok, int n, char *err,
		      size_t errlen)
{
	int h;
	uint64_t budget;

	if (n != 5 || strcmp(tok[2], "budget") ||
	    (strcmp(tok[4], "fail-open") && strcmp(tok[4], "fail-closed")))
		return trust_line_err(t, err, errlen,
				      "expected 'hook HOOK budget N fail-open|fail-closed'");
	h = trust_hook_from_name(tok[1]);
	if (h < 0)
		return trust_line_err(t, err, errlen, "unknown hook '%.80s'", tok[1]);
	if (p->hooks[h].set)
		return trust_line_err(t, err, errlen, "duplicate settings for hook '%s'", tok[1]);
	if (trust_parse_u64(tok[3], POLICY_MAX_BUDGET, &budget) || budget == 0)
		return trust_line_err(t, err, errlen,
				      "invalid budget '%.40s' (instructions, 1 to %d)", tok[3],
				      POLICY_MAX_BUDGET);
	p->hooks[h].budget = budget;
	p->hooks[h].fail_open = !strcmp(tok[4], "fail-open");
	p->hooks[h].set = true;
	return 0;
}

static size_t bits_index(const struct policy *p, int action, size_t s, size_t v, int kind)
{
	return (((size_t)action * (p->nsubjects + 1) + s) * (p->nvmclasses + 1) + v) *
		   TRUST_OBJ_KINDS +
	       (size_t)kind;
}

uint32_t policy_bits(const struct policy *p, enum policy_action action, size_t s, size_t v,
		     enum trust_obj_kind kind)
{
	if ((unsigned)action > POLICY_NEVERALLOW || s > p->nsubjects || v > p->nvmclasses ||
	    (unsigned)kind >= TRUST_OBJ_KINDS)
		return 0;
	return p->bits[bits_index(p, action, s, v, kind)];
}

/* ORs every rule into the bitmaps, sized for the subjects and VM classes defined. */
static int compile(struct policy *p, char *err, size_t errlen)
{
	p->bits = calloc(3 * (p->nsubjects + 1) * (p->nvmclasses + 1) * TRUST_OBJ_KINDS,
			 sizeof(*p->bits));
	if (!p->bits) {
		trust_errf(err, errlen, "out of memory compiling the policy");
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->nrules; i++) {
		const struct policy_rule *r = &p->rules[i];

		p->bits[bits_index(p, r->action, (size_t)(r->subject + 1), (size_t)(r->vmclass + 1),
				   r->kind)] |= r->mask;
	}
	return 0;
}

static bool overlap(int a, int b)
{
	return a == POLICY_ANY || b == POLICY_ANY || a == b;
}

/* A neverallow forbids every allow rule that names the same (or '*') subject and VM class and
 * an object it lists. Overlaps through different subjects whose patterns happen to match the
 * same bundle cannot be decided here; the queries subtract neverallow bits for those. */
static int check_neverallow(const struct policy *p, char *err, size_t errlen)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct policy_rule *nv = &p->rules[i];

		if (nv->action != POLICY_NEVERALLOW)
			continue;
		for (size_t j = 0; j < p->nrules; j++) {
			const struct policy_rule *a = &p->rules[j];
			char names[256];

			if (a->action != POLICY_ALLOW || a->kind != nv->kind ||
			    !(a->mask & nv->mask) || !overlap(a->subject, nv->subject) ||
			    !overlap(a->vmclass, nv->vmclass))
				continue;
			policy_mask_names(a->kind, a->mask & nv->mask, names, sizeof(names));
			trust_errf(err, errlen,
				   "policy line %u: allow %s %s %s %s conflicts with the "
				   "neverallow on line %u",
				   a->line,
				   a->subject == POLICY_ANY ? "*" : p->subjects[a->subject].name,
				   a->vmclass == POLICY_ANY ? "*" : p->vmclasses[a->vmclass].name,
				   trust_obj_kind_name(a->kind), names, nv->line);
			return -EPERM;
		}
	}
	return 0;
}

int policy_parse(const char *text, size_t len, struct policy **out, char *err, size_t errlen)
{
	struct trust_text t;
	char line[TRUST_LINE_MAX + 1];
	char *tok[MAX_TOKENS];
	struct policy *p;
	int stage = 0; /* 0: header, 1: version, 2: mode or body, 3: body */
	int rc, n;

	*out = NULL;
	if (len > POLICY_MAX_SIZE) {
		trust_errf(err, errlen, "policy is %zu bytes (at most %d)", len, POLICY_MAX_SIZE);
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	trust_text_init(&t, "policy", text, len, false);
	while ((rc = trust_text_next(&t, line, sizeof(line), err, errlen)) > 0) {
		n = trust_split(&t, line, tok, MAX_TOKENS, err, errlen);
		if (n < 0) {
			rc = n;
			break;
		}
		rc = 0;
		if (stage == 0) {
			if (n != 2 || strcmp(tok[0], "bulwark-policy"))
				rc = trust_line_err(&t, err, errlen,
						    "the first line must be 'bulwark-policy 1'");
			else if (strcmp(tok[1], "1"))
				rc = trust_line_err(&t, err, errlen,
						    "unsupported format version '%.20s' (this "
						    "bulwark reads version 1)",
						    tok[1]);
			stage = 1;
		} else if (stage == 1) {
			if (n != 2 || strcmp(tok[0], "version"))
				rc = trust_line_err(&t, err, errlen,
						    "the second line must be 'version N'");
			else if (trust_parse_u64(tok[1], (uint64_t)INT64_MAX, &p->version) ||
				 p->version == 0)
				rc = trust_line_err(&t, err, errlen,
						    "invalid version '%.40s' (a decimal number "
						    "from 1, no leading zeros)",
						    tok[1]);
			stage = 2;
		} else if (!strcmp(tok[0], "mode")) {
			if (stage != 2)
				rc = trust_line_err(&t, err, errlen,
						    "'mode' must come right after 'version' (and "
						    "only once)");
			else if (n != 2 ||
				 (strcmp(tok[1], "enforcing") && strcmp(tok[1], "permissive")))
				rc = trust_line_err(&t, err, errlen,
						    "expected 'mode enforcing' or 'mode "
						    "permissive'");
			else
				p->permissive = !strcmp(tok[1], "permissive");
			stage = 3;
		} else {
			stage = 3;
			if (!strcmp(tok[0], "vmclass"))
				rc = parse_class(&t, p, tok, n, false, err, errlen);
			else if (!strcmp(tok[0], "subject"))
				rc = parse_class(&t, p, tok, n, true, err, errlen);
			else if (!strcmp(tok[0], "allow"))
				rc = parse_rule(&t, p, POLICY_ALLOW, tok, n, err, errlen);
			else if (!strcmp(tok[0], "deny"))
				rc = parse_rule(&t, p, POLICY_DENY, tok, n, err, errlen);
			else if (!strcmp(tok[0], "neverallow"))
				rc = parse_rule(&t, p, POLICY_NEVERALLOW, tok, n, err, errlen);
			else if (!strcmp(tok[0], "hook"))
				rc = parse_hook(&t, p, tok, n, err, errlen);
			else if (!strcmp(tok[0], "bulwark-policy") || !strcmp(tok[0], "version"))
				rc = trust_line_err(&t, err, errlen,
						    "'%s' must come first (and only once)", tok[0]);
			else
				rc = trust_line_err(&t, err, errlen,
						    "unknown keyword '%.40s' (expected vmclass, "
						    "subject, allow, deny, neverallow or hook)",
						    tok[0]);
		}
		if (rc)
			break;
	}
	if (rc == 0 && stage < 2) {
		trust_errf(err, errlen, "policy ends before its %s line",
			   stage == 0 ? "'bulwark-policy 1'" : "'version N'");
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = check_neverallow(p, err, errlen);
	if (rc == 0)
		rc = compile(p, err, errlen);
	if (rc < 0) {
		policy_free(p);
		return rc;
	}
	for (int h = 0; h < TRUST_HOOK_COUNT; h++)
		if (!p->hooks[h].set)
			p->hooks[h].budget = POLICY_DEFAULT_BUDGET;
	*out = p;
	return 0;
}

int policy_load(const char *path, const struct minisign_pubkey *root, const struct trust_state *st,
		struct policy **out, struct trust_refusal *why)
{
	struct minisign_sig sig;
	struct policy *p = NULL;
	uint8_t *data;
	size_t len;
	char err[512];
	int rc;

	*out = NULL;
	rc = rootsigned_read(path, POLICY_MAX_SIZE, root, "policy", &data, &len, &sig, why);
	if (rc)
		return rc;
	rc = policy_parse((const char *)data, len, &p, err, sizeof(err));
	free(data);
	if (rc == -EPERM)
		return trust_refuse(why, "policy-neverallow-conflict", "%s: %s", path, err);
	if (rc)
		return trust_refuse(why, "policy-bad-format", "%s: %s", path, err);
	rc = rootsigned_check_comment(&sig, "bulwark-policy/1", p->version, path, "policy", why);
	if (!rc && st && p->version < st->policy_version)
		rc = trust_refuse(why, "policy-rollback",
				  "%s: version %" PRIu64 " is older than version %" PRIu64
				  " already accepted on this host (%s)",
				  path, p->version, st->policy_version, st->path);
	if (rc) {
		policy_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

static bool class_matches(const struct policy_class *c, const char *name)
{
	for (size_t i = 0; i < c->npatterns; i++)
		if (!fnmatch(c->patterns[i], name, 0))
			return true;
	return false;
}

uint32_t policy_granted(const struct policy *p, const char *vendor, const char *name,
			const char *vm, enum trust_obj_kind kind)
{
	bool subj[POLICY_MAX_CLASSES + 1], vms[POLICY_MAX_CLASSES + 1];
	uint32_t acc[3] = {0, 0, 0};

	if ((unsigned)kind >= TRUST_OBJ_KINDS)
		return 0;
	subj[0] = vms[0] = true; /* '*' */
	for (size_t s = 0; s < p->nsubjects; s++)
		subj[s + 1] =
		    !strcmp(p->subjects[s].signer, vendor) && class_matches(&p->subjects[s], name);
	for (size_t v = 0; v < p->nvmclasses; v++)
		vms[v + 1] = class_matches(&p->vmclasses[v], vm);
	for (size_t s = 0; s <= p->nsubjects; s++) {
		if (!subj[s])
			continue;
		for (size_t v = 0; v <= p->nvmclasses; v++) {
			if (!vms[v])
				continue;
			for (int a = 0; a < 3; a++)
				acc[a] |= policy_bits(p, a, s, v, kind);
		}
	}
	return acc[POLICY_ALLOW] & ~acc[POLICY_DENY] & ~acc[POLICY_NEVERALLOW];
}

bool policy_check(const struct policy *p, const char *vendor, const char *name, const char *vm,
		  enum trust_obj_kind kind, uint32_t requested, uint32_t *missing)
{
	uint32_t m = requested & ~policy_granted(p, vendor, name, vm, kind);

	if (missing)
		*missing = m;
	return !m || p->permissive;
}

bool policy_may_attach(const struct policy *p, const char *vendor, const char *name, const char *vm,
		       enum trust_hook hook)
{
	if ((unsigned)hook >= TRUST_HOOK_COUNT)
		return false;
	return policy_check(p, vendor, name, vm, TRUST_OBJ_HOOK, 1u << hook, NULL);
}

bool policy_check_helper_classes(const struct policy *p, const char *vendor, const char *name,
				 const char *vm, const enum trust_helper_class *classes, size_t n,
				 int *first_missing)
{
	uint32_t granted = policy_granted(p, vendor, name, vm, TRUST_OBJ_HELPER);

	*first_missing = -1;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned)classes[i] >= TRUST_HC_COUNT || !(granted & (1u << classes[i]))) {
			*first_missing = (int)classes[i];
			return p->permissive;
		}
	}
	return true;
}

bool policy_check_helper_class_names(const struct policy *p, const char *vendor, const char *name,
				     const char *vm, const char *const *classes, size_t n,
				     const char **first_missing)
{
	uint32_t granted = policy_granted(p, vendor, name, vm, TRUST_OBJ_HELPER);

	*first_missing = NULL;
	for (size_t i = 0; i < n; i++) {
		int c = classes[i] ? trust_helper_class_from_name(classes[i]) : -1;

		if (c < 0 || !(granted & (1u << c))) {
			*first_missing = classes[i] ? classes[i] : "(null)";
			return p->permissive;
		}
	}
	return true;
}

int policy_check_extension(const struct policy *p, const char *vendor, const char *name,
			   const char *vm, enum trust_hook hook, const char *const *classes,
			   size_t nclasses, uint64_t worst_case_insns, struct trust_refusal *why)
{
	struct policy_hook_setting hs = policy_hook_setting(p, hook);
	const char *missing;
	int rc = 0;

	memset(why, 0, sizeof(*why));
	if ((unsigned)hook >= TRUST_HOOK_COUNT)
		return trust_refuse(why, "policy-hook-denied", "unknown hook %d", (int)hook);
	if (!(policy_granted(p, vendor, name, vm, TRUST_OBJ_HOOK) & (1u << hook)))
		rc =
		    trust_refuse(why, "policy-hook-denied",
				 "the policy does not let '%s' (signer %s) attach to hook %s on VM "
				 "'%s'",
				 name, vendor, trust_hook_name(hook), vm);
	else if (!policy_check_helper_class_names(p, vendor, name, vm, classes, nclasses,
						  &missing) ||
		 missing)
		rc = trust_refuse(
		    why, "policy-helper-denied",
		    "an extension of '%s' (signer %s) calls helpers of class %s, which "
		    "the policy does not grant on VM '%s'",
		    name, vendor, missing, vm);
	else if (worst_case_insns > hs.budget)
		rc = trust_refuse(why, "policy-budget-exceeded",
				  "an extension of '%s' may run %" PRIu64
				  " instructions, more than the budget of hook %s (%" PRIu64 ")",
				  name, worst_case_insns, trust_hook_name(hook), hs.budget);
	return p->permissive ? 0 : rc;
}

struct policy_hook_setting policy_hook_setting(const struct policy *p, enum trust_hook hook)
{
	struct policy_hook_setting def = {POLICY_DEFAULT_BUDGET, false, false};

	if ((unsigned)hook >= TRUST_HOOK_COUNT)
		return def;
	return p->hooks[hook];
}

static void print_class(FILE *out, const struct policy_class *c)
{
	for (size_t i = 0; i < c->npatterns; i++)
		fprintf(out, " %s", c->patterns[i]);
}

void policy_explain(const struct policy *p, FILE *out)
{
	char names[512];

	fprintf(out, "policy version %" PRIu64 ", mode %s%s\n", p->version,
		p->permissive ? "permissive" : "enforcing",
		p->permissive ? " (nothing is enforced; every would-be refusal is audited)" : "");
	fprintf(out, "\nVM classes (by VM name):\n");
	if (!p->nvmclasses)
		fprintf(out, "  (none: only '*' rules apply)\n");
	for (size_t v = 0; v < p->nvmclasses; v++) {
		fprintf(out, "  %-16s", p->vmclasses[v].name);
		print_class(out, &p->vmclasses[v]);
		fprintf(out, "\n");
	}
	fprintf(out, "\nsubjects (verified signer, bundle names):\n");
	if (!p->nsubjects)
		fprintf(out, "  (none: only '*' rules apply)\n");
	for (size_t s = 0; s < p->nsubjects; s++) {
		fprintf(out, "  %-16s signer %s, names", p->subjects[s].name,
			p->subjects[s].signer);
		print_class(out, &p->subjects[s]);
		fprintf(out, "\n");
	}
	fprintf(out,
		"\nwho may do what (allow minus deny minus neverallow; '*' rules folded in):\n");
	for (size_t s = 0; s <= p->nsubjects; s++) {
		for (size_t v = 0; v <= p->nvmclasses; v++) {
			bool any = false;

			for (int k = 0; k < TRUST_OBJ_KINDS; k++) {
				uint32_t acc[3] = {0, 0, 0};

				/* this subject (and '*'), on this VM class (and '*') */
				for (int a = 0; a < 3; a++) {
					acc[a] = policy_bits(p, a, s, v, k) |
						 policy_bits(p, a, 0, v, k) |
						 policy_bits(p, a, s, 0, k) |
						 policy_bits(p, a, 0, 0, k);
				}
				acc[0] &= ~acc[1] & ~acc[2];
				if (!acc[0])
					continue;
				if (!any)
					fprintf(out, "  %s on %s:\n",
						s ? p->subjects[s - 1].name : "any subject (*)",
						v ? p->vmclasses[v - 1].name : "any VM (*)");
				any = true;
				policy_mask_names(k, acc[0], names, sizeof(names));
				fprintf(out, "    %-7s %s\n", trust_obj_kind_name(k), names);
			}
		}
	}
	fprintf(out, "\nrules that refuse:\n");
	for (size_t i = 0; i < p->nrules; i++) {
		const struct policy_rule *r = &p->rules[i];

		if (r->action == POLICY_ALLOW)
			continue;
		policy_mask_names(r->kind, r->mask, names, sizeof(names));
		fprintf(out, "  line %u: %s %s %s %s %s\n", r->line, action_names[r->action],
			r->subject == POLICY_ANY ? "*" : p->subjects[r->subject].name,
			r->vmclass == POLICY_ANY ? "*" : p->vmclasses[r->vmclass].name,
			trust_obj_kind_name(r->kind), names);
	}
	fprintf(out, "\nhook settings (worst-case instruction budget, on failure):\n");
	for (int h = 0; h < TRUST_HOOK_COUNT; h++)
		fprintf(out, "  %-10s budget %-10" PRIu64 " %s%s\n", trust_hook_name(h),
			p->hooks[h].budget, p->hooks[h].fail_open ? "fail-open" : "fail-closed",
			p->hooks[h].set ? "" : " (default)");
	fprintf(out, "\nanything not listed above is refused (default deny)\n");
}
