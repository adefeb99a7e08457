/* cmd_lesion.c: gradflow lesion (being written). */
#include "cli.h"
#include "commands.h"

int cmd_lesion(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return gf_cli_fail(GF_EXIT_USAGE, "lesion", "not built yet");
}
