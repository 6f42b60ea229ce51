/* admit.h: the whole admission of a bundle as `bulwark bundle check` (and later the loader)
 * runs it: root key, trust list, MAC policy, bundle verification, state and audit, each decision
 * appended to the audit log before it takes effect. If an audit record cannot be written the
 * bundle is refused (reason audit-failed): never a silent gap.
 *
 * Audit events (detail fields are key=value, msg="..." last):
 *   trust.load    list=PATH version=N
 *   trust.refuse  list=PATH reason=CODE msg="..."
 *   policy.load   policy=PATH version=N mode=enforcing|permissive
 *   policy.refuse policy=PATH reason=CODE msg="..."
 *   policy.permissive bundle=DIR name=NAME would-refuse=CODE msg="..."
 *   bundle.admit  bundle=DIR name=NAME version=V seq=N vendor=V key=KEYID manifest=HASH vm=VM
 *   bundle.refuse bundle=DIR reason=CODE msg="..."
 * State (versions, floors) is saved before the bundle.admit record; a bundle admitted raises its
 * name's floor to its seq. */
#ifndef BULWARK_TRUST_ADMIT_H
#define BULWARK_TRUST_ADMIT_H

#include <stdbool.h>

#include "trust/audit.h"
#include "trust/bundle.h"
#include "trust/refusal.h"

struct trust_admit_opts {
	const char *root_key;  /* root public key file */
	const char *trust;     /* trust list (signature: TRUST.minisig) */
	const char *policy;    /* MAC policy or NULL (signature: POLICY.minisig) */
	const char *state_dir; /* see state.h */
	const char *vm;	       /* VM name (required with a policy) */
	struct audit_log *audit;
};

/* Admits or refuses the bundle in dir. Returns 0 with *out (when out is not NULL; free with
 * bundle_free) or -EPERM with why filled (code and message). */
int trust_admit_bundle(const struct trust_admit_opts *o, const char *dir, struct bundle **out,
		       struct trust_refusal *why);

/* Appends "EVENT ... reason=CODE msg=\"MSG\"" with the message made safe for one field. */
int trust_audit_refusal(struct audit_log *log, const char *event, const char *what_key,
			const char *what, const struct trust_refusal *r);

#endif
