/* main.c: the `bulwark` command. Dispatches to the subcommands registered with BULWARK_COMMAND()
 * (see command.h) and prints the list of them for `bulwark --help`. */
#include <stdio.h>
#include <string.h>

#include "cli/command.h"

extern const struct bulwark_command __start_bulwark_commands[];
extern const struct bulwark_command __stop_bulwark_commands[];

static void usage(FILE *out)
{
	const struct bulwark_command *c;

	fprintf(
	    out,
	    "usage: bulwark COMMAND [OPTIONS]\n\n"
	    "A thin, hardened KVM virtual machine monitor with a verified eBPF security API.\n\n"
	    "commands:\n");
	for (c = __start_bulwark_commands; c < __stop_bulwark_commands; c++)
		fprintf(out, "  %-12s %s\n", c->name, c->summary);
	fprintf(out, "\n`bulwark COMMAND --help` describes each command.\n");
}

int main(int argc, char **argv)
{
	const struct bulwark_command *c;

	if (argc < 2) {
		usage(stderr);
		return BW_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return BW_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("bulwark %s\n", BULWARK_VERSION);
		return BW_EXIT_OK;
	}
	for (c = __start_bulwark_commands; c < __stop_bulwark_commands; c++)
		if (!strcmp(argv[1], c->name))
			return c->main(argc - 1, argv + 1);
	fprintf(stderr, "bulwark: unknown command '%s' (see `bulwark --help`)\n", argv[1]);
	return BW_EXIT_USAGE;
}
