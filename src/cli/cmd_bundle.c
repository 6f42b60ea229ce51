/* cmd_bundle.c: `bulwark bundle create|check`: a vendor writes a bundle's MANIFEST (and signs it
 * with stock minisign); an administrator checks a bundle against the trust list, the MAC policy
 * and the host's state, with every decision in the audit log (src/trust/admit.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/command.h"
#include "common/file.h"
#include "trust/admit.h"
#include "trust/bundle.h"
#include "trust/manifest.h"
#include "trust/minisign.h"
#include "trust/state.h"
#include "trust/vocab.h"

#define DEFAULT_AUDIT_LOG "/var/log/bulwark/audit.log"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: bulwark bundle create DIR --name NAME --version VERSION --seq N\n"
	    "                             [--expires RFC3339] [--hook HOOK]... [--helper "
	    "CLASS]...\n"
	    "                             [--key VENDOR.pub] [--sign VENDOR.key] "
	    "[ext:|agent:]FILE...\n"
	    "       bulwark bundle check --root-key PUB --trust LIST [--policy FILE] [--vm NAME]\n"
	    "                            [--state DIR] [--audit LOG] [--host-key KEY] BUNDLE\n\n"
	    "create  writes DIR/MANIFEST listing FILEs (paths relative to DIR) with their\n"
	    "        BLAKE2b-512, and prints the stock minisign command that signs it. A FILE's "
	    "kind\n"
	    "        is ext (eBPF object) or agent (executable): given as a prefix, or guessed\n"
	    "        from its ELF header. --key copies the vendor's public key to "
	    "DIR/MANIFEST.pub;\n"
	    "        --sign signs with an unencrypted (minisign -W) secret key instead of "
	    "minisign.\n"
	    "check   verifies BUNDLE in order (prehashed signature, vendor key, signatures,\n"
	    "        trusted comment, trust list, payload hashes, MAC policy for VM --vm) and\n"
	    "        prints 'admitted' (exit 0) or 'refused: REASON: message' (exit 1). "
	    "Signatures\n"
	    "        are LIST.minisig, FILE.minisig, BUNDLE/MANIFEST.minisig. Every decision goes\n"
	    "        to the audit log (default %s; checkpoints signed with --host-key);\n"
	    "        if it cannot be written the bundle is refused. --state (default %s)\n"
	    "        keeps the highest trust-list and policy versions and the rollback floors.\n"
	    "        BULWARK_NOW=RFC3339 overrides the clock (tests).\n"
	    "Hooks: net.rx net.tx blk.read blk.write mem.write msr.write vm.start vm.stop\n"
	    "Helper classes: map time random trace event pkt.write net.redirect guest.mem.read\n"
	    "                guest.mem.protect vcpu.regs.read\n"
	    "Format and reason codes: docs/bundle-format.md.\n",
	    DEFAULT_AUDIT_LOG, TRUST_STATE_DEFAULT_DIR);
}

/* ext for an eBPF ELF (EM_BPF, 247), agent for another ELF, -1 otherwise. */
static int guess_kind(const uint8_t *d, size_t n)
{
	if (n < 20 || memcmp(d, "\177ELF", 4))
		return -1;
	return (d[18] | d[19] << 8) == 247 ? MANIFEST_KIND_EXT : MANIFEST_KIND_AGENT;
}

static int add_file(struct manifest *m, int dirfd, const char *dir, const char *arg)
{
	const char *path = arg;
	int kind = -1, rc;
	uint8_t *data;
	size_t len, dl = strlen(dir);
	char err[512];

	if (!strncmp(path, "ext:", 4)) {
		kind = MANIFEST_KIND_EXT;
		path += 4;
	} else if (!strncmp(path, "agent:", 6)) {
		kind = MANIFEST_KIND_AGENT;
		path += 6;
	}
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	if (!strncmp(path, dir, dl) && path[dl] == '/')
		path += dl + 1; /* DIR/FILE given: keep the part inside DIR */
	if (manifest_check_path(path, err, sizeof(err))) {
		fprintf(stderr, "bulwark bundle create: %s\n", err);
		return -EINVAL;
	}
	if (m->nfiles == MANIFEST_MAX_FILES) {
		fprintf(stderr, "bulwark bundle create: more than %d files\n", MANIFEST_MAX_FILES);
		return -E2BIG;
	}
	rc = bundle_read_beneath(dirfd, path, BUNDLE_PAYLOAD_MAX, &data, &len, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "bulwark bundle create: %s/%s\n", dir, err);
		return rc;
	}
	if (kind < 0)
		kind = guess_kind(data, len);
	if (kind < 0) {
		fprintf(stderr,
			"bulwark bundle create: %s: not an ELF file; say ext:%s or agent:%s\n",
			path, path, path);
		free(data);
		return -EINVAL;
	}
	for (size_t i = 0; i < m->nfiles; i++) {
		if (!strcmp(m->files[i].path, path)) {
			fprintf(stderr, "bulwark bundle create: %s given twice\n", path);
			free(data);
			return -EINVAL;
		}
	}
	m->files[m->nfiles].kind = (enum manifest_kind)kind;
	snprintf(m->files[m->nfiles].path, sizeof(m->files[0].path), "%s", path);
	crypto_generichash(m->files[m->nfiles].hash, MANIFEST_HASH_LEN, data, len, NULL, 0);
	m->nfiles++;
	free(data);
	return 0;
}

static int write_in_dir(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4200];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = bw_write_file_atomic(path, data, len, 0644);
	if (rc)
		fprintf(stderr, "bulwark bundle create: %s: %s\n", path, strerror(-rc));
	return rc;
}

static int bundle_create(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'}, {"version", required_argument, NULL, 'v'},
	    {"seq", required_argument, NULL, 's'},  {"expires", required_argument, NULL, 'e'},
	    {"hook", required_argument, NULL, 'H'}, {"helper", required_argument, NULL, 'C'},
	    {"key", required_argument, NULL, 'k'},  {"sign", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},	    {NULL, 0, NULL, 0},
	};
	struct manifest *m;
	const char *key = NULL, *sign = NULL, *dir;
	char *text = NULL, err[512], tc[MANIFEST_COMMENT_MAX];
	size_t len;
	int c, idx, dirfd = -1, ret = BW_EXIT_USAGE;
	bool have_name = false, have_version = false, have_seq = false;

	if (sodium_init() < 0)
		return BW_EXIT_FAILURE;
	m = calloc(1, sizeof(*m));
	if (!m)
		return BW_EXIT_FAILURE;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!trust_valid_name(optarg)) {
				fprintf(stderr,
					"bulwark bundle create: --name '%s': 1 to %d of "
					"letters, digits, . _ + -, starting with a letter or "
					"digit\n",
					optarg, TRUST_NAME_MAX);
				goto out;
			}
			strcpy(m->name, optarg);
			have_name = true;
			break;
		case 'v':
			if (!manifest_valid_version(optarg)) {
				fprintf(stderr,
					"bulwark bundle create: --version '%s': 1 to %d of "
					"letters, digits, . _ + ~ -\n",
					optarg, MANIFEST_VERSION_MAX);
				goto out;
			}
			strcpy(m->version, optarg);
			have_version = true;
			break;
		case 's':
			if (trust_parse_u64(optarg, MANIFEST_SEQ_MAX, &m->seq)) {
				fprintf(stderr,
					"bulwark bundle create: --seq '%s': a decimal number\n",
					optarg);
				goto out;
			}
			have_seq = true;
			break;
		case 'e':
			if (strlen(optarg) >= sizeof(m->expires_text) ||
			    trust_parse_time(optarg, &m->expires)) {
				fprintf(stderr,
					"bulwark bundle create: --expires '%s': RFC 3339 with "
					"a time zone (2027-06-30T00:00:00Z)\n",
					optarg);
				goto out;
			}
			strcpy(m->expires_text, optarg);
			m->has_expires = true;
			break;
		case 'H':
		case 'C':
			idx = c == 'H' ? trust_hook_from_name(optarg)
				       : trust_helper_class_from_name(optarg);
			if (idx < 0) {
				fprintf(stderr,
					"bulwark bundle create: unknown %s '%s' (see --help)\n",
					c == 'H' ? "hook" : "helper class", optarg);
				goto out;
			}
			if (c == 'H')
				m->hooks |= 1u << idx;
			else
				m->helpers |= 1u << idx;
			break;
		case 'k':
			key = optarg;
			break;
		case 'S':
			sign = optarg;
			break;
		case 'h':
			usage(stdout);
			ret = BW_EXIT_OK;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind >= argc || !have_name || !have_version || !have_seq) {
		fprintf(stderr, "bulwark bundle create: needs DIR, --name, --version and --seq "
				"(see --help)\n");
		goto out;
	}
	dir = argv[optind++];
	if (optind >= argc) {
		fprintf(stderr, "bulwark bundle create: no FILE given (a bundle carries at least "
				"one)\n");
		goto out;
	}
	ret = BW_EXIT_FAILURE;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		fprintf(stderr, "bulwark bundle create: %s: %s\n", dir, strerror(errno));
		goto out;
	}
	for (; optind < argc; optind++)
		if (add_file(m, dirfd, dir, argv[optind]))
			goto out;
	if (manifest_write(m, &text, &len, err, sizeof(err))) {
		fprintf(stderr, "bulwark bundle create: %s\n", err);
		goto out;
	}
	if (write_in_dir(dir, "MANIFEST", text, len))
		goto out;
	manifest_trusted_comment(m, tc);
	if (key) {
		struct minisign_pubkey pk;
		char b64[57], pub[200];
		int n;

		if (minisign_read_pubkey_file(key, &pk, err, sizeof(err))) {
			fprintf(stderr, "bulwark bundle create: --key %s\n", err);
			goto out;
		}
		minisign_pubkey_base64(&pk, b64);
		n = snprintf(pub, sizeof(pub), "untrusted comment: bulwark bundle signer\n%s\n",
			     b64);
		if (write_in_dir(dir, "MANIFEST.pub", pub, (size_t)n))
			goto out;
	}
	printf("wrote %s/MANIFEST (%zu file%s)\n", dir, m->nfiles, m->nfiles == 1 ? "" : "s");
	if (sign) {
		struct minisign_seckey sk;
		char *sig = NULL;

		if (minisign_read_seckey_file(sign, &sk, err, sizeof(err))) {
			fprintf(stderr, "bulwark bundle create: --sign %s\n", err);
			goto out;
		}
		if (minisign_sign(&sk, (const uint8_t *)text, len, tc, &sig)) {
			sodium_memzero(&sk, sizeof(sk));
			fprintf(stderr, "bulwark bundle create: signing failed\n");
			goto out;
		}
		sodium_memzero(&sk, sizeof(sk));
		if (write_in_dir(dir, "MANIFEST.minisig", sig, strlen(sig))) {
			free(sig);
			goto out;
		}
		free(sig);
		printf("signed %s/MANIFEST.minisig (trusted comment \"%s\")\n", dir, tc);
	} else {
		printf("sign it with:\n  minisign -S -s VENDOR.key -m %s/MANIFEST -t \"%s\"\n", dir,
		       tc);
	}
	ret = BW_EXIT_OK;
out:
	if (dirfd >= 0)
		close(dirfd);
	free(text);
	free(m);
	return ret;
}

static int bundle_check(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"root-key", required_argument, NULL, 'r'},
	    {"trust", required_argument, NULL, 't'},
	    {"policy", required_argument, NULL, 'p'},
	    {"state", required_argument, NULL, 's'},
	    {"audit", required_argument, NULL, 'a'},
	    {"vm", required_argument, NULL, 'v'},
	    {"host-key", required_argument, NULL, 'k'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct trust_admit_opts o = {.state_dir = TRUST_STATE_DEFAULT_DIR};
	const char *audit_path = DEFAULT_AUDIT_LOG, *host_key = NULL, *dir;
	struct trust_refusal why = {"", ""};
	struct bundle *b = NULL;
	char err[512], *abs_dir = NULL, *abs_trust = NULL, *abs_policy = NULL;
	int c, rc, close_rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o.root_key = optarg;
			break;
		case 't':
			o.trust = optarg;
			break;
		case 'p':
			o.policy = optarg;
			break;
		case 's':
			o.state_dir = optarg;
			break;
		case 'a':
			audit_path = optarg;
			break;
		case 'v':
			o.vm = optarg;
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
	if (!o.root_key || !o.trust) {
		fprintf(stderr, "bulwark bundle check: --root-key and --trust are required\n");
		return BW_EXIT_USAGE;
	}
	if (o.policy && !o.vm) {
		fprintf(stderr, "bulwark bundle check: --policy needs --vm NAME (the policy grants "
				"per VM)\n");
		return BW_EXIT_USAGE;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "bulwark bundle check: give exactly one BUNDLE directory\n");
		return BW_EXIT_USAGE;
	}
	/* the audit log names files by their absolute paths when they have one */
	abs_dir = realpath(argv[optind], NULL);
	dir = abs_dir ? abs_dir : argv[optind];
	abs_trust = realpath(o.trust, NULL);
	if (abs_trust)
		o.trust = abs_trust;
	abs_policy = o.policy ? realpath(o.policy, NULL) : NULL;
	if (abs_policy)
		o.policy = abs_policy;
	rc = audit_log_open(audit_path, host_key, &o.audit, err, sizeof(err));
	if (rc) {
		/* no audit log, no decision: refused */
		printf("refused: audit-failed: cannot open the audit log: %s\n", err);
		free(abs_dir);
		free(abs_trust);
		free(abs_policy);
		return BW_EXIT_FAILURE;
	}
	rc = trust_admit_bundle(&o, dir, &b, &why);
	close_rc = audit_log_close(o.audit);
	free(abs_dir);
	free(abs_trust);
	free(abs_policy);
	if (!rc && close_rc) {
		printf("refused: audit-failed: closing the audit log failed: %s\n",
		       strerror(-close_rc));
		bundle_free(b);
		return BW_EXIT_FAILURE;
	}
	if (rc) {
		printf("refused: %s: %s\n", why.code, why.msg);
		return BW_EXIT_FAILURE;
	}
	{
		char id[17];

		minisign_key_id_hex(b->signer.key_id, id);
		printf("admitted: %s %s seq %" PRIu64 " signed by vendor %s (key %s), %zu file%s\n",
		       b->manifest.name, b->manifest.version, b->manifest.seq, b->vendor, id,
		       b->manifest.nfiles, b->manifest.nfiles == 1 ? "" : "s");
		if (b->permissive.code[0])
			printf("permissive policy: would have refused: %s: %s\n",
			       b->permissive.code, b->permissive.msg);
	}
	bundle_free(b);
	return BW_EXIT_OK;
}

static int cmd_bundle(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? BW_EXIT_USAGE : BW_EXIT_OK;
	}
	if (!strcmp(argv[1], "create"))
		return bundle_create(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return bundle_check(argc - 1, argv + 1);
	fprintf(stderr, "bulwark bundle: unknown subcommand '%s' (create, check)\n", argv[1]);
	return BW_EXIT_USAGE;
}

BULWARK_COMMAND(command_bundle, "bundle", "create or check a signed extension bundle", cmd_bundle);
