/* policy.h: bulwark's mandatory access-control policy (docs/policy.md): which verified subject
 * (signer, bundle name) may, on which class of VMs, attach to which hooks, call which helper
 * classes and make which agent requests. Root-signed like the trust list (FILE.minisig, trusted
 * comment "bulwark-policy/1 version=N"), compiled at load into bitmaps that the queries below
 * read without parsing anything.
 *
 *   bulwark-policy 1
 *   version 3
 *   mode enforcing                                   (or permissive: enforces nothing, audits all)
 *   vmclass prod names prod-* db-?
 *   subject acmefw signer acme names acme-fw*        (signer: a vendor of the trust list)
 *   allow acmefw prod hook net.rx net.tx
 *   allow acmefw * helper map time
 *   deny * prod helper guest.mem.protect
 *   neverallow * * helper guest.mem.protect          (a conflicting allow fails the load)
 *   hook net.rx budget 20000 fail-closed             (worst-case instructions; on failure)
 *
 * Default deny; deny and neverallow beat allow. '*' as a subject means any verified bundle, as
 * a VM class any VM, as an object every object of the kind. Names must be defined before use;
 * unknown keywords, names, hooks and helper classes are errors naming the line. */
#ifndef BULWARK_TRUST_POLICY_H
#define BULWARK_TRUST_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "trust/minisign.h"
#include "trust/refusal.h"
#include "trust/state.h"
#include "trust/text.h"
#include "trust/vocab.h"

#define POLICY_MAX_SIZE (256 * 1024)
#define POLICY_MAX_CLASSES 64  /* vm classes, and subjects, each */
#define POLICY_MAX_PATTERNS 32 /* per vm class or subject */
#define POLICY_MAX_RULES 4096
#define POLICY_DEFAULT_BUDGET 100000
#define POLICY_MAX_BUDGET 1000000000

struct policy_class {
	char name[TRUST_NAME_MAX + 1];
	char signer[TRUST_NAME_MAX + 1]; /* subjects only */
	size_t npatterns;
	char patterns[POLICY_MAX_PATTERNS][TRUST_PATTERN_MAX + 1];
};

enum policy_action { POLICY_ALLOW, POLICY_DENY, POLICY_NEVERALLOW };

struct policy_rule {
	enum policy_action action;
	int subject; /* index, or POLICY_ANY */
	int vmclass; /* index, or POLICY_ANY */
	enum trust_obj_kind kind;
	uint32_t mask; /* bit per object */
	unsigned line;
};

#define POLICY_ANY (-1)

struct policy_hook_setting {
	uint64_t budget; /* worst-case instructions per run */
	bool fail_open;	 /* on timeout or failure: pass (true) or refuse (false) */
	bool set;	 /* written in the policy (else the defaults) */
};

struct policy {
	uint64_t version;
	bool permissive;
	size_t nsubjects, nvmclasses, nrules;
	struct policy_class *subjects;	/* nsubjects of them */
	struct policy_class *vmclasses; /* nvmclasses of them */
	struct policy_rule *rules;
	/* Compiled bitmaps, one uint32_t per (action, subject + 1, vmclass + 1, kind), index 0 of
	 * subject and vmclass standing for '*'; see policy_bits(). */
	uint32_t *bits;
	struct policy_hook_setting hooks[TRUST_HOOK_COUNT];
};

/* The compiled bitmap of objects of kind that action names for subject index s and VM class
 * index v (0: '*', i + 1: subjects[i] / vmclasses[i]). */
uint32_t policy_bits(const struct policy *p, enum policy_action action, size_t s, size_t v,
		     enum trust_obj_kind kind);

/* Parses and compiles a policy. Returns 0; -EINVAL (syntax, unknown name) or -EPERM (an allow
 * conflicts with a neverallow) with "policy line N: ..." in err; or -ENOMEM. */
int policy_parse(const char *text, size_t len, struct policy **out, char *err, size_t errlen);
void policy_free(struct policy *p);

/* Loads path with path.minisig (see rootsigned.h: signature by root, trusted comment
 * "bulwark-policy/1 version=N", no version below st->policy_version when st is given).
 * Refusal codes: policy-<signature reasons>, policy-bad-format, policy-neverallow-conflict,
 * policy-trusted-comment-mismatch, policy-rollback. */
int policy_load(const char *path, const struct minisign_pubkey *root, const struct trust_state *st,
		struct policy **out, struct trust_refusal *why);

/* The objects of a kind granted to the verified bundle (signer vendor, bundle name) on the VM
 * named vm: allow minus deny minus neverallow, over every subject and VM class that match. */
uint32_t policy_granted(const struct policy *p, const char *vendor, const char *name,
			const char *vm, enum trust_obj_kind kind);

/* Whether requested (bits of kind) is granted. Returns true when every bit is, or when the
 * policy is permissive; *missing gets the bits not granted either way (for the audit log). */
bool policy_check(const struct policy *p, const char *vendor, const char *name, const char *vm,
		  enum trust_obj_kind kind, uint32_t requested, uint32_t *missing);

/* May the subject attach to hook on vm? (policy_check for one hook) */
bool policy_may_attach(const struct policy *p, const char *vendor, const char *name, const char *vm,
		       enum trust_hook hook);

/* The verifier's list of helper classes an extension's call sites reach: true when all are
 * granted (or permissive); *first_missing gets the first class not granted, or -1. */
bool policy_check_helper_classes(const struct policy *p, const char *vendor, const char *name,
				 const char *vm, const enum trust_helper_class *classes, size_t n,
				 int *first_missing);

/* The same with the class names the verifier reports (struct ebpf_verify_result's
 * helper_classes): an unknown name counts as not granted. *first_missing: the first class not
 * granted, or NULL. */
bool policy_check_helper_class_names(const struct policy *p, const char *vendor, const char *name,
				     const char *vm, const char *const *classes, size_t n,
				     const char **first_missing);

/* Everything the loader asks before attaching a verified extension of the bundle (vendor, name)
 * to hook on vm: the hook is granted (policy-hook-denied), every helper class its call sites
 * reach is granted (policy-helper-denied), its worst-case instruction count fits the hook's
 * budget (policy-budget-exceeded). Returns 0 or -EPERM with why filled; in permissive mode
 * returns 0 and fills why with what would have been refused (why->code empty otherwise), for the
 * audit log. */
int policy_check_extension(const struct policy *p, const char *vendor, const char *name,
			   const char *vm, enum trust_hook hook, const char *const *classes,
			   size_t nclasses, uint64_t worst_case_insns, struct trust_refusal *why);

/* The hook's settings (the defaults when the policy has no line for it). */
struct policy_hook_setting policy_hook_setting(const struct policy *p, enum trust_hook hook);

/* Writes "who may do what" for people: `bulwark policy check`. */
void policy_explain(const struct policy *p, FILE *out);

/* Formats the names of mask's objects of kind, space-separated ("-" when empty). */
void policy_mask_names(enum trust_obj_kind kind, uint32_t mask, char *out, size_t outlen);

#endif
