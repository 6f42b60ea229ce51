/* cmd_policy.c: `bulwark policy check`: parses and compiles a MAC policy (checking its
 * neverallow rules), verifies its root signature when --root-key is given, and explains who may
 * do what; --signer/--name/--vm ask about one verified bundle on one VM. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/command.h"
#include "common/file.h"
#include "trust/policy.h"
#include "trust/state.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: bulwark policy check [--root-key PUB [--state DIR]]\n"
	    "                            [--signer VENDOR --name BUNDLE --vm VM] FILE\n\n"
	    "Parses and compiles the MAC policy FILE (unknown names and neverallow conflicts are\n"
	    "errors naming the line) and explains who may do what. With --root-key, also\n"
	    "verifies FILE.minisig (trusted comment \"bulwark-policy/1 version=N\") and that the\n"
	    "version is not below DIR/trust.state's (default %s); without it the signature\n"
	    "is NOT checked (authoring). --signer, --name and --vm print what that verified\n"
	    "bundle may do on that VM. Exit 0 valid, 1 refused, 2 usage. Grammar: "
	    "docs/policy.md.\n",
	    TRUST_STATE_DEFAULT_DIR);
}

static int policy_check_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"root-key", required_argument, NULL, 'r'},
	    {"state", required_argument, NULL, 's'},
	    {"signer", required_argument, NULL, 'S'},
	    {"name", required_argument, NULL, 'n'},
	    {"vm", required_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *root_key = NULL, *state_dir = TRUST_STATE_DEFAULT_DIR, *path;
	const char *signer = NULL, *name = NULL, *vm = NULL;
	struct policy *p = NULL;
	char err[512];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root_key = optarg;
			break;
		case 's':
			state_dir = optarg;
			break;
		case 'S':
			signer = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'v':
			vm = optarg;
			break;
		case 'h':
			usage(stdout);
			return BW_EXIT_OK;
		default:
			usage(stderr);
			return BW_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "bulwark policy check: give one policy FILE\n");
		return BW_EXIT_USAGE;
	}
	if ((signer || name || vm) && !(signer && name && vm)) {
		fprintf(stderr, "bulwark policy check: --signer, --name and --vm go together\n");
		return BW_EXIT_USAGE;
	}
	path = argv[optind];
	if (root_key) {
		struct minisign_pubkey root;
		struct trust_state *st = NULL;
		struct trust_refusal why;

		if (minisign_read_pubkey_file(root_key, &root, err, sizeof(err))) {
			printf("refused: root-key-unreadable: %s: %s\n", root_key, err);
			return BW_EXIT_FAILURE;
		}
		if (trust_state_open(state_dir, false, &st, err, sizeof(err))) {
			printf("refused: state-unreadable: %s\n", err);
			return BW_EXIT_FAILURE;
		}
		if (policy_load(path, &root, st, &p, &why)) {
			printf("refused: %s: %s\n", why.code, why.msg);
			trust_state_close(st);
			return BW_EXIT_FAILURE;
		}
		trust_state_close(st);
		printf("%s: signature verified with the root key\n", path);
	} else {
		uint8_t *text;
		size_t len;
		int rc = bw_read_file(path, POLICY_MAX_SIZE, &text, &len);

		if (rc) {
			printf("refused: policy-unreadable: %s: %s\n", path, strerror(-rc));
			return BW_EXIT_FAILURE;
		}
		rc = policy_parse((const char *)text, len, &p, err, sizeof(err));
		free(text);
		if (rc) {
			printf("refused: %s: %s: %s\n",
			       rc == -EPERM ? "policy-neverallow-conflict" : "policy-bad-format",
			       path, err);
			return BW_EXIT_FAILURE;
		}
		printf("%s: signature NOT checked (no --root-key)\n", path);
	}
	if (signer) {
		char names[512];

		printf("%s (signer %s) on VM %s%s:\n", name, signer, vm,
		       p->permissive ? " (permissive: nothing enforced)" : "");
		for (int k = 0; k < TRUST_OBJ_KINDS; k++) {
			policy_mask_names(k, policy_granted(p, signer, name, vm, k), names,
					  sizeof(names));
			printf("  %-7s %s\n", trust_obj_kind_name(k), names);
		}
	} else {
		policy_explain(p, stdout);
	}
	policy_free(p);
	return BW_EXIT_OK;
}

static int cmd_policy(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? BW_EXIT_USAGE : BW_EXIT_OK;
	}
	if (!strcmp(argv[1], "check"))
		return policy_check_main(argc - 1, argv + 1);
	fprintf(stderr, "bulwark policy: unknown subcommand '%s' (check)\n", argv[1]);
	return BW_EXIT_USAGE;
}

BULWARK_COMMAND(command_policy, "policy", "check and explain a MAC policy", cmd_policy);
