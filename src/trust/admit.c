/* admit.c: see admit.h. */
#include "trust/admit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust/rootsigned.h"
#include "trust/text.h"

/* Copies s with double quotes turned into single ones so that msg="..." stays one field. */
static void quote_safe(const char *s, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < outlen; i++)
		out[i] = s[i] == '"' ? '\'' : s[i];
	out[i] = '\0';
}

int trust_audit_refusal(struct audit_log *log, const char *event, const char *what_key,
			const char *what, const struct trust_refusal *r)
{
	char msg[sizeof(r->msg)];

	quote_safe(r->msg, msg, sizeof(msg));
	return audit_log_append(log, event, "%s=%s reason=%s msg=\"%s\"", what_key, what, r->code,
				msg);
}

/* Audits a refusal; when even that fails the refusal becomes audit-failed (still refused). */
static int refuse_audited(struct audit_log *log, const char *event, const char *what_key,
			  const char *what, struct trust_refusal *why)
{
	int rc = trust_audit_refusal(log, event, what_key, what, why);

	if (rc) {
		char prev[sizeof(why->msg)];

		snprintf(prev, sizeof(prev), "%s", why->msg);
		trust_refuse(why, "audit-failed",
			     "could not write the audit record (%s), refusing; the refusal was: "
			     "%.700s",
			     strerror(-rc), prev);
	}
	return -EPERM;
}

int trust_admit_bundle(const struct trust_admit_opts *o, const char *dir, struct bundle **out,
		       struct trust_refusal *why)
{
	struct minisign_pubkey root;
	struct trust_state *st = NULL;
	struct trustlist *tl = NULL;
	struct policy *pol = NULL;
	struct bundle *b = NULL;
	struct bundle_checks checks = {0};
	char err[512], id[17], mhash[129];
	int rc;

	if (out)
		*out = NULL;
	if (trust_now(&checks.now, err, sizeof(err))) {
		trust_refuse(why, "clock-unreadable", "%s", err);
		return refuse_audited(o->audit, "bundle.refuse", "bundle", dir, why);
	}
	if (minisign_read_pubkey_file(o->root_key, &root, err, sizeof(err))) {
		trust_refuse(why, "root-key-unreadable", "root key %s: %s", o->root_key, err);
		return refuse_audited(o->audit, "bundle.refuse", "bundle", dir, why);
	}
	rc = trust_state_open(o->state_dir, true, &st, err, sizeof(err));
	if (rc) {
		trust_refuse(why, "state-unreadable", "%s", err);
		return refuse_audited(o->audit, "bundle.refuse", "bundle", dir, why);
	}
	/* the trust list */
	if (trust_load_list(o->trust, &root, checks.now, st, &tl, why)) {
		struct trust_refusal list_why = *why;

		rc = refuse_audited(o->audit, "trust.refuse", "list", o->trust, why);
		if (!strcmp(why->code, "audit-failed"))
			goto out;
		*why = list_why;
		rc = refuse_audited(o->audit, "bundle.refuse", "bundle", dir, why);
		goto out;
	}
	if (audit_log_append(o->audit, "trust.load", "list=%s version=%" PRIu64, o->trust,
			     tl->version)) {
		rc = trust_refuse(why, "audit-failed",
				  "could not write the audit record for the trust list %s",
				  o->trust);
		goto out;
	}
	if (trust_state_accept_list(st, tl)) {
		trust_refuse(why, "state-failed", "cannot record the trust list's floors");
		rc = refuse_audited(o->audit, "bundle.refuse", "bundle", dir, why);
		goto out;
	}
	/* the MAC policy */
	if (o->policy) {
		if (policy_load(o->policy, &root, st, &pol, why)) {
			struct trust_refusal pol_why = *why;

			rc = refuse_audited(o->audit, "policy.refuse", "policy", o->policy, why);
			if (!strcmp(why->code, "audit-failed"))
				goto out;
			*why = pol_why;
			rc = refuse_audited(o->audit, "bundle.refuse", "bundle", dir, why);
			goto out;
		}
		if (audit_log_append(o->audit, "policy.load",
				     "policy=%s version=%" PRIu64 " mode=%s", o->policy,
				     pol->version, pol->permissive ? "permissive" : "enforcing")) {
			rc = trust_refuse(why, "audit-failed",
					  "could not write the audit record for the policy %s",
					  o->policy);
			goto out;
		}
		if (pol->version > st->policy_version) {
			st->policy_version = pol->version;
			st->dirty = true;
		}
	}
	/* the bundle */
	checks.trust = tl;
	checks.state = st;
	checks.policy = pol;
	checks.vm = o->vm;
	rc = bundle_verify(dir, &checks, &b, why);
	if (rc) {
		if (rc != -EPERM)
			trust_refuse(why, "bundle-unreadable", "%s: %s", dir, strerror(-rc));
		/* the accepted list's version and floors are kept even when the bundle is not */
		trust_state_save(st, err, sizeof(err));
		rc = refuse_audited(o->audit, "bundle.refuse", "bundle", dir, why);
		goto out;
	}
	if (b->permissive.code[0] &&
	    trust_audit_refusal(o->audit, "policy.permissive", "bundle", dir, &b->permissive)) {
		rc = trust_refuse(why, "audit-failed",
				  "could not write the audit record of a permissive-mode policy "
				  "refusal");
		goto out;
	}
	if (trust_state_raise_floor(st, b->manifest.name, b->manifest.seq) ||
	    trust_state_save(st, err, sizeof(err))) {
		trust_refuse(why, "state-failed", "cannot save the trust state: %s", err);
		rc = refuse_audited(o->audit, "bundle.refuse", "bundle", dir, why);
		goto out;
	}
	minisign_key_id_hex(b->signer.key_id, id);
	trust_hex(b->manifest_hash, 64, mhash);
	if (audit_log_append(o->audit, "bundle.admit",
			     "bundle=%s name=%s version=%s seq=%" PRIu64
			     " vendor=%s key=%s manifest=%s vm=%s",
			     dir, b->manifest.name, b->manifest.version, b->manifest.seq, b->vendor,
			     id, mhash, o->vm ? o->vm : "-")) {
		rc = trust_refuse(why, "audit-failed",
				  "could not write the audit record admitting %s: refused", dir);
		goto out;
	}
	if (out) {
		*out = b;
		b = NULL;
	}
	rc = 0;
out:
	bundle_free(b);
	policy_free(pol);
	trustlist_free(tl);
	trust_state_close(st);
	return rc;
}
