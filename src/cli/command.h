/* command.h: how a subcommand joins the `bulwark` command line.
 *
 * Each subcommand lives in its own file (src/cli/cmd_<name>.c) and registers itself with
 * BULWARK_COMMAND(); the entry lands in the "bulwark_commands" linker section, which main.c walks.
 * No central table, so modules add commands without touching each other's files.
 *
 * Conventions for every subcommand: `--help` prints usage to stdout and returns 0; a usage error
 * prints a message naming the option and returns 2; other failures return 1 (subcommands such as
 * `run` document further codes). */
#ifndef BULWARK_CLI_COMMAND_H
#define BULWARK_CLI_COMMAND_H

struct bulwark_command {
	const char *name;		    /* first word after `bulwark` */
	const char *summary;		    /* one line for `bulwark --help` */
	int (*main)(int argc, char **argv); /* argv[0] is the subcommand's name */
};

#define BULWARK_COMMAND(ident, cmd_name, cmd_summary, cmd_main)                             \
	static const struct bulwark_command ident                                           \
	    __attribute__((used, section("bulwark_commands"), aligned(sizeof(void *)))) = { \
		.name = (cmd_name), .summary = (cmd_summary), .main = (cmd_main)}

/* Exit statuses shared by all subcommands. */
enum { BW_EXIT_OK = 0, BW_EXIT_FAILURE = 1, BW_EXIT_USAGE = 2 };

#endif
