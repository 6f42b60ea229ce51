/* run_opts.h: the command line of `bulwark run`, parsed and validated before anything is opened
 * (so every usage error exits 2 with the option named). cmd_run.c uses it; tests/cli tests it. */
#ifndef BULWARK_CLI_RUN_OPTS_H
#define BULWARK_CLI_RUN_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RUN_MAX_DISKS 8
#define RUN_MAX_NETS 8
#define RUN_MAX_NET_QUEUES 8 /* TAP_MAX_QUEUES */
#define RUN_DEFAULT_MEM_MIB 256
#define RUN_MIN_MEM_MIB 4
#define RUN_MAX_MEM_MIB (64u * 1024)
#define RUN_MAX_CPUS 64

struct run_disk {
	char path[4096];
	bool readonly;
};

struct run_net {
	char tap[16]; /* IFNAMSIZ */
	uint8_t mac[6];
	bool has_mac;
	unsigned queues; /* queue pairs (tap queues), 1 to RUN_MAX_NET_QUEUES */
};

struct run_opts {
	const char *kernel, *initrd, *cmdline;
	uint64_t mem_mib;
	unsigned cpus;
	struct run_disk disk[RUN_MAX_DISKS];
	unsigned n_disks;
	struct run_net net[RUN_MAX_NETS];
	unsigned n_nets;
	bool no_sandbox;
	bool help;
};

/* Parses argv (argv[0] is "run"). Returns 0 or -EINVAL with a message in err naming the option. */
int run_opts_parse(int argc, char **argv, struct run_opts *o, char *err, size_t errlen);
/* Parses "xx:xx:xx:xx:xx:xx" (hex, either case). Returns 0 or -EINVAL. */
int run_parse_mac(const char *s, uint8_t mac[6]);

#endif
