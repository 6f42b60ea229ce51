/* fuzz_policy.c: hostile bytes into the MAC policy parser and compiler; a policy that loads is
 * queried (every kind, a fixed subject and VM) and explained into /dev/null. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "trust/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	static const enum trust_helper_class classes[] = {TRUST_HC_MAP, TRUST_HC_PKT_WRITE};
	struct policy *p = NULL;
	char err[512];
	uint32_t missing;
	int first;

	if (!null)
		null = fopen("/dev/null", "w");
	if (policy_parse((const char *)data, size, &p, err, sizeof(err)) != 0)
		return 0;
	for (int k = 0; k < TRUST_OBJ_KINDS; k++) {
		uint32_t g = policy_granted(p, "acme", "acme-fw", "prod-1", k);

		/* the query never grants what is not in the vocabulary */
		if (g & ~((1u << trust_obj_count(k)) - 1))
			abort();
		(void)policy_check(p, "acme", "acme-fw", "prod-1", k, 0xffffffffu, &missing);
	}
	(void)policy_check_helper_classes(p, "acme", "acme-fw", "prod-1", classes, 2, &first);
	(void)policy_hook_setting(p, TRUST_HOOK_NET_RX);
	if (null)
		policy_explain(p, null);
	policy_free(p);
	return 0;
}
