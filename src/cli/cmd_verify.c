/* cmd_verify.c: `bulwark verify [--type TYPE] [--log] [--max-insns N] FILE`, the verifier
 * (src/ebpf/verifier.h) on the command line.
 *
 * FILE is an ELF object as clang builds it (every program in it is verified, each under the type
 * its section names unless --type is given), a `.s` file in the conformance suite's assembly
 * syntax (default type mem:0), or a conformance `.data` file (default type mem:SIZE, SIZE the
 * length of its `-- mem` section). Accepted: prints each program's worst-case instruction count
 * and exits 0. Refused: the verifier's message (instruction, disassembly, registers, reason) on
 * stderr, exit 1. Usage errors exit 2. --log prints every verification step to stdout. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/command.h"
#include "ebpf/asm.h"
#include "ebpf/conformance.h"
#include "ebpf/elf_loader.h"
#include "ebpf/maps.h"
#include "ebpf/verifier.h"

static void verify_usage(FILE *f)
{
	fprintf(f,
		"usage: bulwark verify [--type TYPE] [--log] [--max-insns N] FILE\n"
		"  FILE          an eBPF ELF object (each program is verified), a .s file in the\n"
		"                conformance syntax, or a conformance .data file\n"
		"  --type TYPE   program type: xdp, blk, mem.write, msr.write, mem:SIZE\n"
		"                (default: from the ELF section; mem:0 for .s; mem:<mem size> for "
		".data)\n"
		"  --log         print every verification step with the register state\n"
		"  --max-insns N complexity limit in processed instructions (default 1000000)\n"
		"exit status: 0 accepted, 1 refused (reason on stderr), 2 usage error\n");
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 65536 + 1 > cap) {
			char *nb;
			cap = cap ? cap * 2 : 131072;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, 65536, f);
		n += r;
	} while (r == 65536);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* verifies one program; returns 0 accepted, 1 refused */
static int verify_one(struct ebpf_prog *prog, const char *what, bool log_all, uint64_t max)
{
	struct ebpf_verify_opts opts = {.log_all = log_all, .max_processed = max};
	struct ebpf_verify_result res;
	int rc = ebpf_verify(prog, &opts, &res);

	if (log_all && res.log)
		fwrite(res.log, 1, res.log_len, stdout);
	if (rc) {
		fprintf(stderr, "bulwark verify: %s: refused: %s\n", what, res.message);
		ebpf_verify_result_free(&res);
		return 1;
	}
	printf("%s: accepted (%s): worst case %" PRIu64 " instructions, %" PRIu64
	       " processed, stack %u bytes, r0 in [%" PRId64 ", %" PRId64 "]",
	       what, prog->type->name, res.worst_case_insns, res.processed, prog->stack_depth,
	       res.r0_smin, res.r0_smax);
	if (res.n_helper_classes) {
		printf(", helper classes:");
		for (unsigned k = 0; k < res.n_helper_classes; k++)
			printf(" %s", res.helper_classes[k]);
	}
	printf("\n");
	ebpf_verify_result_free(&res);
	return 0;
}

static int verify_elf(const char *path, const char *data, size_t len,
		      const struct ebpf_prog_type *type, bool log_all, uint64_t max)
{
	struct ebpf_object *obj = NULL;
	char err[512], what[300];
	int refused = 0;

	if (ebpf_elf_load(data, len, path, &obj, err, sizeof(err))) {
		fprintf(stderr, "bulwark verify: %s\n", err);
		return BW_EXIT_FAILURE;
	}
	if (!obj->n_progs) {
		fprintf(stderr, "bulwark verify: %s: no programs in the object\n", path);
		ebpf_object_free(obj);
		return BW_EXIT_FAILURE;
	}
	for (uint32_t k = 0; k < obj->n_progs; k++) {
		struct ebpf_prog *p = obj->progs[k];
		if (type)
			p->type = type;
		snprintf(what, sizeof(what), "%s: %s (section %s)", path, p->name, p->section);
		if (!p->type) {
			fprintf(stderr, "bulwark verify: %s: no program type (use --type)\n", what);
			refused = 1;
			continue;
		}
		refused |= verify_one(p, what, log_all, max);
	}
	ebpf_object_free(obj);
	return refused ? BW_EXIT_FAILURE : BW_EXIT_OK;
}

static int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"type", required_argument, NULL, 't'},
	    {"log", no_argument, NULL, 'l'},
	    {"max-insns", required_argument, NULL, 'm'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *type_name = NULL, *path;
	const struct ebpf_prog_type *type = NULL;
	bool log_all = false;
	uint64_t max = 0;
	char *data, *end, err[512];
	size_t len = 0, plen;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:lm:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			type_name = optarg;
			break;
		case 'l':
			log_all = true;
			break;
		case 'm':
			errno = 0;
			max = strtoull(optarg, &end, 0);
			if (errno || *end || !max) {
				fprintf(stderr,
					"bulwark verify: --max-insns: invalid number '%s'\n",
					optarg);
				return BW_EXIT_USAGE;
			}
			break;
		case 'h':
			verify_usage(stdout);
			return BW_EXIT_OK;
		default:
			verify_usage(stderr);
			return BW_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "bulwark verify: %s\n",
			optind >= argc ? "missing FILE" : "one FILE only");
		verify_usage(stderr);
		return BW_EXIT_USAGE;
	}
	path = argv[optind];
	if (type_name) {
		type = ebpf_prog_type_find(type_name);
		if (!type) {
			fprintf(stderr,
				"bulwark verify: --type: unknown program type '%s' (xdp, blk, "
				"mem.write, msr.write, mem:SIZE)\n",
				type_name);
			return BW_EXIT_USAGE;
		}
	}
	data = read_all(path, &len);
	if (!data) {
		fprintf(stderr, "bulwark verify: %s: %s\n", path, strerror(errno));
		return BW_EXIT_FAILURE;
	}
	if (len >= 4 && !memcmp(data, "\177ELF", 4)) {
		rc = verify_elf(path, data, len, type, log_all, max);
		free(data);
		return rc;
	}
	plen = strlen(path);
	{
		struct ebpf_prog prog = {0};
		struct ebpf_conf_test t = {0};
		bool is_data = plen > 5 && !strcmp(path + plen - 5, ".data");
		const char *text = data;

		if (is_data) {
			if (ebpf_conf_parse(data, &t, err, sizeof(err))) {
				fprintf(stderr, "bulwark verify: %s: %s\n", path, err);
				free(data);
				return BW_EXIT_FAILURE;
			}
			text = t.asm_text;
			if (!type)
				type = ebpf_prog_type_mem((uint32_t)t.mem_len);
		} else if (!type) {
			type = ebpf_prog_type_mem(0);
		}
		if (text) {
			if (ebpf_asm(text, &prog.insns, &prog.n_insns, err, sizeof(err))) {
				fprintf(stderr, "bulwark verify: %s: %s\n", path, err);
				ebpf_conf_free(&t);
				free(data);
				return BW_EXIT_FAILURE;
			}
		} else if (t.raw) {
			prog.insns = malloc(t.n_raw * sizeof(*prog.insns));
			if (!prog.insns) {
				ebpf_conf_free(&t);
				free(data);
				return BW_EXIT_FAILURE;
			}
			memcpy(prog.insns, t.raw, t.n_raw * sizeof(*prog.insns));
			prog.n_insns = t.n_raw;
		}
		ebpf_conf_free(&t);
		free(data);
		if (!prog.n_insns) {
			fprintf(stderr, "bulwark verify: %s: no program\n", path);
			free(prog.insns);
			return BW_EXIT_FAILURE;
		}
		prog.type = type;
		snprintf(prog.name, sizeof(prog.name), "%s", "prog");
		rc = verify_one(&prog, path, log_all, max) ? BW_EXIT_FAILURE : BW_EXIT_OK;
		free(prog.insns);
		return rc;
	}
}

BULWARK_COMMAND(command_verify, "verify", "verify an eBPF program (ELF object or .s file)",
		cmd_verify);
