/* cmd_audit.c: `bulwark audit verify|tail`, reading the tamper-evident audit log
 * (src/trust/audit.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/command.h"
#include "common/file.h"
#include "trust/audit.h"

#define DEFAULT_AUDIT_LOG "/var/log/bulwark/audit.log"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: bulwark audit verify [--host-key PUB] [LOG]\n"
	    "       bulwark audit tail [-n N] [LOG]\n\n"
	    "verify  checks the hash chain of every record, the signature of every checkpoint\n"
	    "        with the host's minisign public key, and the head file (LOG.head): any edit,\n"
	    "        reorder or deletion is reported with its line; records after the last\n"
	    "        checkpoint are reported as unsigned (their truncation cannot be detected).\n"
	    "        Exit 0 intact, 1 tampering found or unreadable, 2 usage.\n"
	    "tail    prints the last N records (default 20).\n\n"
	    "LOG defaults to %s.\n",
	    DEFAULT_AUDIT_LOG);
}

static int audit_verify_main(int argc, char **argv)
{
	static const struct option opts[] = {{"host-key", required_argument, NULL, 'k'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *key_path = NULL, *log_path = DEFAULT_AUDIT_LOG;
	struct minisign_pubkey pk;
	struct audit_verify_report rep;
	char err[512];
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return BW_EXIT_OK;
		default:
			usage(stderr);
			return BW_EXIT_USAGE;
		}
	}
	if (optind < argc)
		log_path = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "bulwark audit verify: unexpected argument '%s'\n", argv[optind]);
		return BW_EXIT_USAGE;
	}
	if (key_path && minisign_read_pubkey_file(key_path, &pk, err, sizeof(err))) {
		fprintf(stderr, "bulwark audit verify: --host-key %s\n", err);
		return BW_EXIT_FAILURE;
	}
	r = audit_verify_file(log_path, key_path ? &pk : NULL, &rep);
	if (r == -EBADMSG) {
		fprintf(stderr, "bulwark audit verify: %s: TAMPERED: %s\n", log_path, rep.problem);
		return BW_EXIT_FAILURE;
	}
	if (r) {
		fprintf(stderr, "bulwark audit verify: %s: %s\n", log_path, strerror(-r));
		return BW_EXIT_FAILURE;
	}
	printf("%s: intact: %llu records, %llu checkpoints%s", log_path,
	       (unsigned long long)rep.records, (unsigned long long)rep.checkpoints,
	       key_path ? " (signatures verified)" : " (signatures NOT verified: no --host-key)");
	if (rep.checkpoints)
		printf(", last checkpoint at record %llu",
		       (unsigned long long)rep.last_checkpoint_seq);
	printf("\n");
	if (rep.unsigned_tail)
		printf(
		    "%s: %llu record(s) after the last checkpoint are not signed yet: truncation "
		    "of those cannot be detected\n",
		    log_path, (unsigned long long)rep.unsigned_tail);
	return BW_EXIT_OK;
}

static int audit_tail_main(int argc, char **argv)
{
	const char *log_path = DEFAULT_AUDIT_LOG;
	unsigned long n = 20;
	uint8_t *text;
	size_t len, i, lines = 0;
	char *end;
	int r, a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
			usage(stdout);
			return BW_EXIT_OK;
		} else if (!strcmp(argv[a], "-n") && a + 1 < argc) {
			n = strtoul(argv[++a], &end, 10);
			if (*end || !*argv[a]) {
				fprintf(stderr, "bulwark audit tail: -n needs a number, not '%s'\n",
					argv[a]);
				return BW_EXIT_USAGE;
			}
		} else if (argv[a][0] == '-') {
			fprintf(stderr, "bulwark audit tail: unknown option '%s'\n", argv[a]);
			return BW_EXIT_USAGE;
		} else {
			log_path = argv[a];
		}
	}
	r = bw_read_file(log_path, (size_t)1 << 34, &text, &len);
	if (r) {
		fprintf(stderr, "bulwark audit tail: %s: %s\n", log_path, strerror(-r));
		return BW_EXIT_FAILURE;
	}
	/* find the start of the last n lines */
	i = len;
	if (i && text[i - 1] == '\n')
		i--;
	while (i > 0 && lines < n) {
		if (text[i - 1] == '\n' && ++lines == n)
			break;
		i--;
	}
	for (size_t p = i; p < len;) {
		char *nl = memchr(text + p, '\n', len - p);
		size_t ll = nl ? (size_t)(nl - (char *)text) - p : len - p;
		char *line = strndup((char *)text + p, ll), *f[5], *save = NULL;
		int k = 0;

		for (char *t = strtok_r(line, "\t", &save); t && k < 5;
		     t = strtok_r(NULL, "\t", &save))
			f[k++] = t;
		if (k == 5)
			printf("%6s  %s  %-14s %s\n", f[0], f[1], f[2], f[3]);
		else
			printf("(malformed) %s\n", (char *)text + p);
		free(line);
		p += ll + 1;
	}
	free(text);
	return BW_EXIT_OK;
}

static int cmd_audit(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? BW_EXIT_USAGE : BW_EXIT_OK;
	}
	if (!strcmp(argv[1], "verify"))
		return audit_verify_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "tail"))
		return audit_tail_main(argc - 1, argv + 1);
	fprintf(stderr, "bulwark audit: unknown subcommand '%s' (verify, tail)\n", argv[1]);
	return BW_EXIT_USAGE;
}

BULWARK_COMMAND(command_audit, "audit", "verify or show the tamper-evident audit log", cmd_audit);
