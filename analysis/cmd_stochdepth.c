/* cmd_stochdepth.c: gradflow stochdepth (being written). */
#include "cli.h"
#include "commands.h"

int cmd_stochdepth(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return gf_cli_fail(GF_EXIT_USAGE, "stochdepth", "not built yet");
}
