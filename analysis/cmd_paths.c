/* cmd_paths.c: gradflow paths (being written). */
#include "cli.h"
#include "commands.h"

int cmd_paths(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return gf_cli_fail(GF_EXIT_USAGE, "paths", "not built yet");
}
