/* test_policy.c: the MAC policy language: the documented example compiles to the grants it
 * says; deny and neverallow beat allow; '*' means any subject, VM or object; neverallow
 * conflicts fail the load naming both lines; permissive mode enforces nothing but reports;
 * the helper-class list from the verifier is checked; malformed policies name the line. */
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
#include "trust/policy.h"

static char err[512];

static struct policy *parse(const char *text)
{
	struct policy *p = NULL;

	err[0] = '\0';
	if (policy_parse(text, strlen(text), &p, err, sizeof(err)))
		return NULL;
	return p;
}

#define HOOK(h) (1u << TRUST_HOOK_##h)
#define HC(c) (1u << TRUST_HC_##c)

static const char example[] = "# the example of policy.h and docs/policy.md\n"
			      "bulwark-policy 1\n"
			      "version 3\n"
			      "mode enforcing\n"
			      "vmclass prod names prod-* db-?\n"
			      "vmclass test names test-*\n"
			      "subject acmefw signer acme names acme-fw*\n"
			      "subject mon signer acme names acme-mon\n"
			      "allow acmefw prod hook net.rx net.tx\n"
			      "allow acmefw * helper map time guest.mem.protect\n"
			      "allow mon * hook *\n"
			      "allow * test agent verdict\n"
			      "deny * prod helper guest.mem.protect\n"
			      "deny mon prod hook msr.write\n"
			      "neverallow mon * helper pkt.write\n"
			      "hook net.rx budget 20000 fail-closed\n"
			      "hook vm.stop budget 5 fail-open\n";

TEST(example_grants)
{
	struct policy *p = parse(example);

	CHECK(p != NULL);
	if (!p) {
		printf("# %s\n", err);
		return;
	}
	CHECK_EQ(p->version, 3);
	CHECK(!p->permissive);
	/* subject acmefw: hooks on prod only */
	CHECK_EQ(policy_granted(p, "acme", "acme-fw", "prod-1", TRUST_OBJ_HOOK),
		 HOOK(NET_RX) | HOOK(NET_TX));
	CHECK_EQ(policy_granted(p, "acme", "acme-fw2", "db-1", TRUST_OBJ_HOOK),
		 HOOK(NET_RX) | HOOK(NET_TX));
	CHECK_EQ(policy_granted(p, "acme", "acme-fw", "db-10", TRUST_OBJ_HOOK), 0);
	CHECK_EQ(policy_granted(p, "acme", "acme-fw", "test-1", TRUST_OBJ_HOOK), 0);
	/* helpers everywhere, minus the deny on prod */
	CHECK_EQ(policy_granted(p, "acme", "acme-fw", "test-1", TRUST_OBJ_HELPER),
		 HC(MAP) | HC(TIME) | HC(GUEST_MEM_PROTECT));
	CHECK_EQ(policy_granted(p, "acme", "acme-fw", "prod-1", TRUST_OBJ_HELPER),
		 HC(MAP) | HC(TIME));
	/* the signer matters: same name, other vendor = nothing */
	CHECK_EQ(policy_granted(p, "evil", "acme-fw", "prod-1", TRUST_OBJ_HOOK), 0);
	CHECK_EQ(policy_granted(p, "evil", "acme-fw", "prod-1", TRUST_OBJ_HELPER), 0);
	/* mon: every hook, but not msr.write on prod */
	CHECK_EQ(policy_granted(p, "acme", "acme-mon", "test-1", TRUST_OBJ_HOOK),
		 (1u << TRUST_HOOK_COUNT) - 1);
	CHECK_EQ(policy_granted(p, "acme", "acme-mon", "prod-1", TRUST_OBJ_HOOK),
		 ((1u << TRUST_HOOK_COUNT) - 1) & ~HOOK(MSR_WRITE));
	/* '*' subject: any verified bundle, even one no subject line names */
	CHECK_EQ(policy_granted(p, "other", "x", "test-9", TRUST_OBJ_AGENT),
		 1u << TRUST_AR_VERDICT);
	CHECK_EQ(policy_granted(p, "other", "x", "prod-9", TRUST_OBJ_AGENT), 0);
	/* single-hook query and hook settings */
	CHECK(policy_may_attach(p, "acme", "acme-fw", "prod-1", TRUST_HOOK_NET_RX));
	CHECK(!policy_may_attach(p, "acme", "acme-fw", "prod-1", TRUST_HOOK_BLK_READ));
	CHECK(!policy_may_attach(p, "acme", "acme-fw", "prod-1", TRUST_HOOK_COUNT));
	CHECK_EQ(policy_hook_setting(p, TRUST_HOOK_NET_RX).budget, 20000);
	CHECK(!policy_hook_setting(p, TRUST_HOOK_NET_RX).fail_open);
	CHECK(policy_hook_setting(p, TRUST_HOOK_VM_STOP).fail_open);
	CHECK_EQ(policy_hook_setting(p, TRUST_HOOK_NET_TX).budget, POLICY_DEFAULT_BUDGET);
	CHECK(!policy_hook_setting(p, TRUST_HOOK_NET_TX).set);
	policy_free(p);
}

TEST(check_reports_missing)
{
	struct policy *p = parse(example);
	uint32_t missing = 0;

	if (!p)
		return;
	CHECK(policy_check(p, "acme", "acme-fw", "prod-1", TRUST_OBJ_HOOK, HOOK(NET_RX), &missing));
	CHECK_EQ(missing, 0);
	CHECK(!policy_check(p, "acme", "acme-fw", "prod-1", TRUST_OBJ_HOOK,
			    HOOK(NET_RX) | HOOK(BLK_WRITE), &missing));
	CHECK_EQ(missing, HOOK(BLK_WRITE));
	policy_free(p);
}

TEST(helper_classes_from_the_verifier)
{
	struct policy *p = parse(example);
	enum trust_helper_class ok[] = {TRUST_HC_MAP, TRUST_HC_TIME};
	enum trust_helper_class bad[] = {TRUST_HC_MAP, TRUST_HC_GUEST_MEM_READ, TRUST_HC_TIME};
	int first = 99;

	if (!p)
		return;
	CHECK(policy_check_helper_classes(p, "acme", "acme-fw", "prod-1", ok, 2, &first));
	CHECK_EQ(first, -1);
	CHECK(!policy_check_helper_classes(p, "acme", "acme-fw", "prod-1", bad, 3, &first));
	CHECK_EQ(first, TRUST_HC_GUEST_MEM_READ);
	/* guest.mem.protect is granted on test VMs but denied on prod */
	bad[1] = TRUST_HC_GUEST_MEM_PROTECT;
	CHECK(policy_check_helper_classes(p, "acme", "acme-fw", "test-1", bad, 3, &first));
	CHECK(!policy_check_helper_classes(p, "acme", "acme-fw", "prod-1", bad, 3, &first));
	CHECK_EQ(first, TRUST_HC_GUEST_MEM_PROTECT);
	CHECK(policy_check_helper_classes(p, "acme", "acme-fw", "prod-1", NULL, 0, &first));
	policy_free(p);
}

TEST(extension_load_checks)
{
	struct policy *p = parse(example);
	const char *ok[] = {"map", "time"};
	const char *bad[] = {"map", "vcpu.regs.read"};
	const char *unknown[] = {"kernel.write"};
	const char *missing;
	struct trust_refusal why;

	if (!p)
		return;
	CHECK_EQ(policy_check_extension(p, "acme", "acme-fw", "prod-1", TRUST_HOOK_NET_RX, ok, 2,
					20000, &why),
		 0);
	CHECK_STR(why.code, "");
	CHECK_EQ(policy_check_extension(p, "acme", "acme-fw", "prod-1", TRUST_HOOK_NET_RX, ok, 2,
					20001, &why),
		 -EPERM);
	CHECK_STR(why.code, "policy-budget-exceeded");
	CHECK_EQ(policy_check_extension(p, "acme", "acme-fw", "prod-1", TRUST_HOOK_NET_RX, bad, 2,
					10, &why),
		 -EPERM);
	CHECK_STR(why.code, "policy-helper-denied");
	CHECK_CONTAINS(why.msg, "vcpu.regs.read");
	CHECK_EQ(policy_check_extension(p, "acme", "acme-fw", "prod-1", TRUST_HOOK_BLK_READ, ok, 2,
					10, &why),
		 -EPERM);
	CHECK_STR(why.code, "policy-hook-denied");
	/* default budget on net.tx */
	CHECK_EQ(policy_check_extension(p, "acme", "acme-fw", "prod-1", TRUST_HOOK_NET_TX, ok, 2,
					POLICY_DEFAULT_BUDGET + 1, &why),
		 -EPERM);
	CHECK(
	    !policy_check_helper_class_names(p, "acme", "acme-fw", "prod-1", unknown, 1, &missing));
	CHECK_STR(missing, "kernel.write");
	CHECK(policy_check_helper_class_names(p, "acme", "acme-fw", "prod-1", ok, 2, &missing));
	CHECK(missing == NULL);
	policy_free(p);
	p = parse("bulwark-policy 1\nversion 1\nmode permissive\n");
	if (!p)
		return;
	CHECK_EQ(policy_check_extension(p, "a", "b", "c", TRUST_HOOK_NET_RX, ok, 2, 1, &why), 0);
	CHECK_STR(why.code, "policy-hook-denied"); /* reported, not enforced */
	policy_free(p);
}

TEST(neverallow_conflicts_fail_the_load)
{
	struct policy *p = NULL;
	static const char *conflicts[] = {
	    "bulwark-policy 1\nversion 1\nsubject s signer v names x\n"
	    "allow s * helper map pkt.write\nneverallow * * helper pkt.write\n",
	    /* neverallow first, allow after: also a conflict */
	    "bulwark-policy 1\nversion 1\nsubject s signer v names x\nvmclass c names c*\n"
	    "neverallow s c hook net.tx\nallow * * hook *\n",
	    "bulwark-policy 1\nversion 1\nvmclass c names c*\n"
	    "allow * c agent vm.pause\nneverallow * * agent *\n",
	};

	for (size_t i = 0; i < sizeof(conflicts) / sizeof(conflicts[0]); i++) {
		err[0] = '\0';
		CHECK_EQ(policy_parse(conflicts[i], strlen(conflicts[i]), &p, err, sizeof(err)),
			 -EPERM);
		CHECK_CONTAINS(err, "conflicts with the neverallow on line 5");
		CHECK(p == NULL);
	}
	/* allow on another VM class or another kind: no conflict */
	p = parse("bulwark-policy 1\nversion 1\nvmclass a names a*\nvmclass b names b*\n"
		  "allow * a hook net.rx\nneverallow * b hook net.rx\n"
		  "allow * * helper map\n");
	CHECK(p != NULL);
	policy_free(p);
}

TEST(neverallow_beats_allow_through_overlapping_subjects)
{
	/* s1 and s2 both match bundle "x-1": the load cannot see it, the query does */
	struct policy *p =
	    parse("bulwark-policy 1\nversion 1\n"
		  "subject s1 signer v names x-*\nsubject s2 signer v names *-1\n"
		  "allow s1 * helper map pkt.write\nneverallow s2 * helper pkt.write\n");

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_EQ(policy_granted(p, "v", "x-1", "vm", TRUST_OBJ_HELPER), HC(MAP));
	CHECK_EQ(policy_granted(p, "v", "x-2", "vm", TRUST_OBJ_HELPER), HC(MAP) | HC(PKT_WRITE));
	policy_free(p);
}

TEST(default_deny_and_permissive)
{
	struct policy *p = parse("bulwark-policy 1\nversion 1\n");
	uint32_t missing;

	CHECK(p != NULL);
	if (!p)
		return;
	for (int k = 0; k < TRUST_OBJ_KINDS; k++)
		CHECK_EQ(policy_granted(p, "v", "n", "vm", k), 0);
	CHECK(!policy_check(p, "v", "n", "vm", TRUST_OBJ_HOOK, HOOK(NET_RX), &missing));
	policy_free(p);
	p = parse("bulwark-policy 1\nversion 1\nmode permissive\n");
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(p->permissive);
	CHECK(policy_check(p, "v", "n", "vm", TRUST_OBJ_HOOK, HOOK(NET_RX), &missing));
	CHECK_EQ(missing, HOOK(NET_RX)); /* reported for the audit log */
	policy_free(p);
}

TEST(explain)
{
	struct policy *p = parse(example);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!p)
		return;
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	policy_explain(p, f);
	fclose(f);
	CHECK_CONTAINS(buf, "policy version 3, mode enforcing");
	CHECK_CONTAINS(buf, "acmefw           signer acme, names acme-fw*");
	CHECK_CONTAINS(buf, "  acmefw on prod:\n    hook    net.rx net.tx\n    helper  map time\n");
	CHECK_CONTAINS(buf, "line 13: deny * prod helper guest.mem.protect");
	CHECK_CONTAINS(buf, "net.rx     budget 20000      fail-closed\n");
	CHECK_CONTAINS(buf, "net.tx     budget 100000     fail-closed (default)");
	free(buf);
	policy_free(p);
}

TEST(refuses_malformed_policies)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
	    {"", "ends before its 'bulwark-policy 1' line"},
	    {"bulwark-policy 1\n", "ends before its 'version N' line"},
	    {"bulwark-policy 2\nversion 1\n", "unsupported format version '2'"},
	    {"version 1\n", "line 1: the first line must be 'bulwark-policy 1'"},
	    {"bulwark-policy 1\nmode permissive\n", "line 2: the second line must be"},
	    {"bulwark-policy 1\nversion 0\n", "invalid version '0'"},
	    {"bulwark-policy 1\nversion 1\nvmclass a names a\nmode permissive\n",
	     "line 4: 'mode' must come right after 'version'"},
	    {"bulwark-policy 1\nversion 1\nmode lax\n", "expected 'mode enforcing'"},
	    {"bulwark-policy 1\nversion 1\npermit * * hook net.rx\n",
	     "line 3: unknown keyword 'permit'"},
	    {"bulwark-policy 1\nversion 1\nversion 2\n", "'version' must come first"},
	    {"bulwark-policy 1\nversion 1\nvmclass a\n", "expected 'vmclass NAME names"},
	    {"bulwark-policy 1\nversion 1\nvmclass a prod-*\n", "expected 'vmclass NAME names"},
	    {"bulwark-policy 1\nversion 1\nvmclass a names a\nvmclass a names b\n",
	     "line 4: duplicate vmclass 'a'"},
	    {"bulwark-policy 1\nversion 1\nvmclass a names a/b\n", "invalid name pattern"},
	    {"bulwark-policy 1\nversion 1\nvmclass * names a\n", "invalid vmclass name"},
	    {"bulwark-policy 1\nversion 1\nsubject s names x\n",
	     "expected 'subject NAME signer VENDOR names"},
	    {"bulwark-policy 1\nversion 1\nsubject s signer * names x\n", "invalid signer"},
	    {"bulwark-policy 1\nversion 1\nsubject s signer v names x\nsubject s signer w names "
	     "y\n",
	     "duplicate subject 's'"},
	    {"bulwark-policy 1\nversion 1\nallow s * hook net.rx\n", "line 3: unknown subject 's'"},
	    {"bulwark-policy 1\nversion 1\nallow * prod hook net.rx\n",
	     "line 3: unknown vmclass 'prod'"},
	    {"bulwark-policy 1\nversion 1\nallow * * hooks net.rx\n",
	     "unknown object kind 'hooks'"},
	    {"bulwark-policy 1\nversion 1\nallow * * hook net.foo\n", "unknown hook 'net.foo'"},
	    {"bulwark-policy 1\nversion 1\ndeny * * helper kernel.write\n",
	     "unknown helper class 'kernel.write'"},
	    {"bulwark-policy 1\nversion 1\nneverallow * * agent reboot\n",
	     "unknown agent request 'reboot'"},
	    {"bulwark-policy 1\nversion 1\nallow * * hook\n", "expected 'allow SUBJECT VMCLASS"},
	    {"bulwark-policy 1\nversion 1\nhook net.rx budget 10\n", "expected 'hook HOOK budget"},
	    {"bulwark-policy 1\nversion 1\nhook net.rx budget 0 fail-open\n", "invalid budget"},
	    {"bulwark-policy 1\nversion 1\nhook net.rx budget 1000000001 fail-open\n",
	     "invalid budget"},
	    {"bulwark-policy 1\nversion 1\nhook net.rx budget 10 fail-maybe\n",
	     "expected 'hook HOOK budget"},
	    {"bulwark-policy 1\nversion 1\nhook disk.rx budget 10 fail-open\n",
	     "unknown hook 'disk.rx'"},
	    {"bulwark-policy 1\nversion 1\nhook net.rx budget 10 fail-open\n"
	     "hook net.rx budget 20 fail-open\n",
	     "line 4: duplicate settings for hook 'net.rx'"},
	    {"bulwark-policy 1\nversion 1\nallow * * hook net.rx", "no newline"},
	    {"bulwark-policy 1\nversion 1\nallow * * hook net.rx\x7f\n", "byte 0x7f"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct policy *p = parse(bad[i].text);

		if (p || !strstr(err, bad[i].msg))
			printf("#   case %zu: message '%s', expected '%s'\n", i, err, bad[i].msg);
		CHECK(p == NULL);
		CHECK_CONTAINS(err, bad[i].msg);
		policy_free(p);
	}
}

TEST(limits)
{
	char *big = malloc(POLICY_MAX_SIZE + 1);
	size_t n;
	struct policy *p = NULL;

	if (!big)
		return;
	n = (size_t)sprintf(big, "bulwark-policy 1\nversion 1\n");
	for (int i = 0; i <= POLICY_MAX_CLASSES; i++)
		n += (size_t)sprintf(big + n, "vmclass c%d names c%d\n", i, i);
	CHECK_EQ(policy_parse(big, n, &p, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "more than 64 vmclasses");
	n = (size_t)sprintf(big, "bulwark-policy 1\nversion 1\nvmclass c names");
	for (int i = 0; i <= POLICY_MAX_PATTERNS; i++)
		n += (size_t)sprintf(big + n, " p%d", i);
	n += (size_t)sprintf(big + n, "\n");
	CHECK_EQ(policy_parse(big, n, &p, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "line 3: more than 32 patterns");
	memset(big, 'a', POLICY_MAX_SIZE + 1);
	CHECK_EQ(policy_parse(big, POLICY_MAX_SIZE + 1, &p, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "at most");
	n = (size_t)sprintf(big, "bulwark-policy 1\nversion 1\n");
	for (int i = 0; i < 3000; i++)
		n += (size_t)sprintf(big + n, "allow * * hook net.rx\n");
	CHECK_EQ(policy_parse(big, n, &p, err, sizeof(err)), 0);
	if (p)
		CHECK_EQ(p->nrules, 3000);
	policy_free(p);
	free(big);
}

HARNESS_MAIN(example_grants, check_reports_missing, helper_classes_from_the_verifier,
	     extension_load_checks, neverallow_conflicts_fail_the_load,
	     neverallow_beats_allow_through_overlapping_subjects, default_deny_and_permissive,
	     explain, refuses_malformed_policies, limits)
