/* cmd_trust.c: `bulwark trust check`: verifies the administrator's trust list as `bundle check`
 * would (root signature, trusted comment, expiry, no rollback below the host's state) and shows
 * what it admits. Read-only: the state is not changed; with --audit the decision is recorded. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/command.h"
#include "trust/admit.h"
#include "trust/rootsigned.h"
#include "trust/state.h"
#include "trust/text.h"
#include "trust/trustlist.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: bulwark trust check --root-key PUB [--state DIR] [--audit LOG]\n"
	    "                           [--host-key KEY] LIST\n\n"
	    "Verifies LIST with LIST.minisig (signed with the root key, trusted comment\n"
	    "\"bulwark-trust/1 version=N\"), its format, its expiry and that its version is not\n"
	    "below the one recorded in DIR/trust.state (default %s), then prints the vendors,\n"
	    "their name patterns, the deny lines and the floors. Exit 0 valid, 1 refused (with\n"
	    "the reason), 2 usage. The state is only read; --audit LOG records the decision.\n"
	    "BULWARK_NOW=RFC3339 overrides the clock. Format: docs/trust-list.md.\n",
	    TRUST_STATE_DEFAULT_DIR);
}

static void print_list(const char *path, const struct trustlist *tl, const struct trust_state *st)
{
	char id[17], when[32], b64[57];

	printf("%s: valid trust list version %" PRIu64, path, tl->version);
	if (tl->has_expires) {
		trust_format_time(tl->expires, when);
		printf(", expires %s", when);
	}
	printf(" (host state: version %" PRIu64 ")\n", st->trust_version);
	printf("vendors (default deny: only these keys, only these names):\n");
	if (!tl->nvendors)
		printf("  (none: every bundle is refused)\n");
	for (size_t i = 0; i < tl->nvendors; i++) {
		minisign_key_id_hex(tl->vendors[i].key.key_id, id);
		printf("  %-16s key %s names", tl->vendors[i].name, id);
		for (size_t j = 0; j < tl->vendors[i].npatterns; j++)
			printf(" %s", tl->vendors[i].patterns[j]);
		printf("\n");
	}
	for (size_t i = 0; i < tl->ndeny_keys; i++) {
		minisign_key_id_hex(tl->deny_keys[i].key_id, id);
		minisign_pubkey_base64(&tl->deny_keys[i], b64);
		printf("deny key %s (%s)\n", id, b64);
	}
	for (size_t i = 0; i < tl->ndeny_hashes; i++) {
		char hex[129];

		trust_hex(tl->deny_hashes[i], 64, hex);
		printf("deny hash %s\n", hex);
	}
	for (size_t i = 0; i < tl->ndeny_names; i++)
		printf("deny name %s\n", tl->deny_names[i]);
	for (size_t i = 0; i < tl->nfloors; i++) {
		uint64_t s = trust_state_floor(st, tl->floors[i].name);

		printf("floor %s %" PRIu64, tl->floors[i].name, tl->floors[i].seq);
		if (s > tl->floors[i].seq)
			printf(" (host state: %" PRIu64 ")", s);
		printf("\n");
	}
}

static int trust_check(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"root-key", required_argument, NULL, 'r'}, {"state", required_argument, NULL, 's'},
	    {"audit", required_argument, NULL, 'a'},	{"host-key", required_argument, NULL, 'k'},
	    {"help", no_argument, NULL, 'h'},		{NULL, 0, NULL, 0},
	};
	const char *root_key = NULL, *state_dir = TRUST_STATE_DEFAULT_DIR, *audit_path = NULL;
	const char *host_key = NULL, *path;
	struct minisign_pubkey root;
	struct trust_state *st = NULL;
	struct trustlist *tl = NULL;
	struct audit_log *log = NULL;
	struct trust_refusal why = {"", ""};
	char err[512];
	int64_t now;
	int c, rc, ret = BW_EXIT_FAILURE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root_key = optarg;
			break;
		case 's':
			state_dir = optarg;
			break;
		case 'a':
			audit_path = optarg;
			break;
		case 'k':
			host_key = optarg;
			break;
		case 'h':
			usage(stdout);
			return BW_EXIT_OK;
		default:
			usage(stderr);
			return BW_EXIT_USAGE;
		}
	}
	if (!root_key || optind != argc - 1) {
		fprintf(stderr, "bulwark trust check: needs --root-key PUB and one LIST\n");
		return BW_EXIT_USAGE;
	}
	path = argv[optind];
	if (audit_path && audit_log_open(audit_path, host_key, &log, err, sizeof(err))) {
		printf("refused: audit-failed: cannot open the audit log: %s\n", err);
		return BW_EXIT_FAILURE;
	}
	if (trust_now(&now, err, sizeof(err))) {
		trust_refuse(&why, "clock-unreadable", "%s", err);
	} else if (minisign_read_pubkey_file(root_key, &root, err, sizeof(err))) {
		trust_refuse(&why, "root-key-unreadable", "root key %s: %s", root_key, err);
	} else if ((rc = trust_state_open(state_dir, false, &st, err, sizeof(err)))) {
		trust_refuse(&why, "state-unreadable", "%s", err);
	} else if (trust_load_list(path, &root, now, st, &tl, &why) == 0) {
		if (log && audit_log_append(log, "trust.load", "list=%s version=%" PRIu64, path,
					    tl->version)) {
			trust_refuse(&why, "audit-failed", "could not write the audit record");
		} else {
			print_list(path, tl, st);
			ret = BW_EXIT_OK;
		}
	}
	if (ret != BW_EXIT_OK) {
		if (log && strcmp(why.code, "audit-failed") &&
		    trust_audit_refusal(log, "trust.refuse", "list", path, &why))
			fprintf(stderr, "bulwark trust check: could not write the audit record\n");
		printf("refused: %s: %s\n", why.code, why.msg);
	}
	if (log && audit_log_close(log) && ret == BW_EXIT_OK) {
		printf("refused: audit-failed: closing the audit log failed\n");
		ret = BW_EXIT_FAILURE;
	}
	trustlist_free(tl);
	trust_state_close(st);
	return ret;
}

static int cmd_trust(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? BW_EXIT_USAGE : BW_EXIT_OK;
	}
	if (!strcmp(argv[1], "check"))
		return trust_check(argc - 1, argv + 1);
	fprintf(stderr, "bulwark trust: unknown subcommand '%s' (check)\n", argv[1]);
	return BW_EXIT_USAGE;
}

BULWARK_COMMAND(command_trust, "trust", "check the administrator's signed trust list", cmd_trust);
