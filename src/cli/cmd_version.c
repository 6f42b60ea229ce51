/* cmd_version.c: `bulwark version`, the build's version and the features compiled in. */
#include <stdio.h>

#include "cli/command.h"

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("bulwark %s\n", BULWARK_VERSION);
	return BW_EXIT_OK;
}

BULWARK_COMMAND(command_version, "version", "print bulwark's version", cmd_version);
