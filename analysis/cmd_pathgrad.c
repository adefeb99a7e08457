/* cmd_pathgrad.c: gradflow pathgrad (being written). */
#include "cli.h"
#include "commands.h"

int cmd_pathgrad(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return gf_cli_fail(GF_EXIT_USAGE, "pathgrad", "not built yet");
}
