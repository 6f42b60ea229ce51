/* run_opts.c: option parsing of `bulwark run` (see run_opts.h). */
#include "cli/run_opts.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int run_parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
			return -EINVAL;
		char hex[3] = {s[0], s[1], 0};

		mac[i] = (uint8_t)strtoul(hex, NULL, 16);
		s += 2;
		if (i < 5 && *s++ != ':')
			return -EINVAL;
	}
	return *s ? -EINVAL : 0;
}

static int parse_disk(const char *arg, struct run_disk *d, char *err, size_t errlen)
{
	const char *comma = strchr(arg, ',');
	size_t l = comma ? (size_t)(comma - arg) : strlen(arg);

	d->readonly = false;
	if (comma) {
		if (strcmp(comma + 1, "ro")) {
			snprintf(err, errlen, "--disk %s: unknown flag '%s' (only ',ro' is known)",
				 arg, comma + 1);
			return -EINVAL;
		}
		d->readonly = true;
	}
	if (l == 0 || l >= sizeof(d->path)) {
		snprintf(err, errlen, "--disk %s: %s path", arg, l ? "too long a" : "empty");
		return -EINVAL;
	}
	memcpy(d->path, arg, l);
	d->path[l] = '\0';
	return 0;
}

static int parse_net(const char *arg, struct run_net *n, char *err, size_t errlen)
{
	char buf[128], *save = NULL, *kv;
	bool have_tap = false;

	memset(n, 0, sizeof(*n));
	n->queues = 1;
	if (strlen(arg) >= sizeof(buf)) {
		snprintf(err, errlen, "--net: argument too long");
		return -EINVAL;
	}
	strcpy(buf, arg);
	for (kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		if (!strncmp(kv, "tap=", 4)) {
			size_t l = strlen(kv + 4);

			if (l == 0 || l >= sizeof(n->tap)) {
				snprintf(err, errlen,
					 "--net %s: tap name must have 1 to %zu characters", arg,
					 sizeof(n->tap) - 1);
				return -EINVAL;
			}
			memcpy(n->tap, kv + 4, l + 1);
			have_tap = true;
		} else if (!strncmp(kv, "mac=", 4)) {
			if (run_parse_mac(kv + 4, n->mac)) {
				snprintf(err, errlen,
					 "--net %s: bad MAC address '%s' (expected "
					 "xx:xx:xx:xx:xx:xx)",
					 arg, kv + 4);
				return -EINVAL;
			}
			if (n->mac[0] & 1) {
				snprintf(err, errlen, "--net %s: MAC %s is a multicast address",
					 arg, kv + 4);
				return -EINVAL;
			}
			n->has_mac = true;
		} else if (!strncmp(kv, "queues=", 7)) {
			uint64_t q;

			if (parse_uint(kv + 7, 1, RUN_MAX_NET_QUEUES, &q)) {
				snprintf(
				    err, errlen,
				    "--net %s: queues=%s: expected a number of queue pairs from "
				    "1 to %d",
				    arg, kv + 7, RUN_MAX_NET_QUEUES);
				return -EINVAL;
			}
			n->queues = (unsigned)q;
		} else {
			snprintf(
			    err, errlen,
			    "--net %s: unknown key '%s' (expected tap=NAME[,mac=MAC][,queues=N])",
			    arg, kv);
			return -EINVAL;
		}
	}
	if (!have_tap) {
		snprintf(err, errlen, "--net %s: tap=NAME is required", arg);
		return -EINVAL;
	}
	return 0;
}

int run_opts_parse(int argc, char **argv, struct run_opts *o, char *err, size_t errlen)
{
	static const struct option longopts[] = {
	    {"kernel", required_argument, NULL, 'k'},  {"initrd", required_argument, NULL, 'i'},
	    {"cmdline", required_argument, NULL, 'c'}, {"mem", required_argument, NULL, 'm'},
	    {"cpus", required_argument, NULL, 'p'},    {"disk", required_argument, NULL, 'd'},
	    {"net", required_argument, NULL, 'n'},     {"help", no_argument, NULL, 'h'},
	    {"no-sandbox", no_argument, NULL, 'S'},    {NULL, 0, NULL, 0},
	};
	uint64_t v;
	int c, r;

	memset(o, 0, sizeof(*o));
	o->mem_mib = RUN_DEFAULT_MEM_MIB;
	o->cpus = 1;
	optind = 0; /* full reset: callable more than once (tests) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (o->kernel) {
				snprintf(err, errlen, "--kernel given twice");
				return -EINVAL;
			}
			o->kernel = optarg;
			break;
		case 'i':
			o->initrd = optarg;
			break;
		case 'c':
			o->cmdline = optarg;
			break;
		case 'm':
			if (parse_uint(optarg, RUN_MIN_MEM_MIB, RUN_MAX_MEM_MIB, &v)) {
				snprintf(err, errlen, "--mem %s: expected MiB from %u to %u",
					 optarg, RUN_MIN_MEM_MIB, RUN_MAX_MEM_MIB);
				return -EINVAL;
			}
			o->mem_mib = v;
			break;
		case 'p':
			if (parse_uint(optarg, 1, RUN_MAX_CPUS, &v)) {
				snprintf(err, errlen, "--cpus %s: expected a number from 1 to %u",
					 optarg, RUN_MAX_CPUS);
				return -EINVAL;
			}
			o->cpus = (unsigned)v;
			break;
		case 'd':
			if (o->n_disks == RUN_MAX_DISKS) {
				snprintf(err, errlen, "--disk: at most %d disks", RUN_MAX_DISKS);
				return -EINVAL;
			}
			if ((r = parse_disk(optarg, &o->disk[o->n_disks], err, errlen)))
				return r;
			o->n_disks++;
			break;
		case 'n':
			if (o->n_nets == RUN_MAX_NETS) {
				snprintf(err, errlen, "--net: at most %d network devices",
					 RUN_MAX_NETS);
				return -EINVAL;
			}
			if ((r = parse_net(optarg, &o->net[o->n_nets], err, errlen)))
				return r;
			o->n_nets++;
			break;
		case 'S':
			o->no_sandbox = true;
			break;
		case 'h':
			o->help = true;
			return 0;
		case ':':
			snprintf(err, errlen, "%s: missing argument", argv[optind - 1]);
			return -EINVAL;
		default:
			if (optopt)
				snprintf(err, errlen, "-%c: unknown option", optopt);
			else
				snprintf(err, errlen, "%s: unknown option or missing argument",
					 argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "%s: unexpected argument (options only; see --help)",
			 argv[optind]);
		return -EINVAL;
	}
	if (!o->kernel) {
		snprintf(err, errlen, "--kernel PATH is required");
		return -EINVAL;
	}
	if (!*o->kernel) {
		snprintf(err, errlen, "--kernel: empty path");
		return -EINVAL;
	}
	return 0;
}
