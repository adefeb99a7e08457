/* main.c: the gradflow command: a small dispatcher over the subcommands. */
#include "commands.h"
#include "run.h"

#include "gradflow.h"

#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

/* Every command, in the order of `gradflow --help`; cli_main runs each. */
static const cli_command *const commands[] = {
    &cli_gradnorm, &cli_degrade,  &cli_paths,  &cli_pathgrad, &cli_lesion,       &cli_stochdepth,
    &cli_responses, &cli_jacobian, &cli_hanin, &cli_shatter, &cli_theory, &cli_init_compare,
    &cli_densenet, &cli_sweep, &cli_transformer, &cli_landscape, &cli_identity,
};

enum { N_COMMANDS = sizeof commands / sizeof *commands };

static void usage(void)
{
    FILE *out = stdout;
    fprintf(out, "Usage: gradflow [--help] [--version] COMMAND [OPTIONS]\n"
                 "       gradflow help [COMMAND]\n\n"
                 "Measures why residual connections make deep networks trainable.\n\n"
                 "Commands:\n");
    for (int i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\n'gradflow COMMAND --help' describes a command's options.\n"
                 "Exit status: 0 success, 1 runtime failure, 2 usage error.\n"
                 "Environment: GRADFLOW_BLAS_CORETYPE=NAME|default chooses the OpenBLAS kernel\n"
                 "(OPENBLAS_CORETYPE, when set, is respected).\n");
}

int main(int argc, char **argv)
{
    const char *why = NULL;
    if (gf_blas_setup(argv, &why) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, NULL, "%s", why);
    gsl_set_error_handler_off(); /* library errors come back as statuses */
    if (argc < 2)
        return cli_fail(CLI_EXIT_USAGE, NULL, "no command given: gradflow COMMAND [OPTIONS] "
                        "(gradflow --help lists the commands)");
    const int top_help = strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0;
    if (top_help && argc == 2)
        return usage(), cli_stdout_done(NULL, CLI_EXIT_OK);
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        if (argc > 2)
            return cli_fail(CLI_EXIT_USAGE, NULL, "%s takes nothing after it, not '%s'", argv[1],
                            argv[2]);
        const gf_blas_info *b = gf_blas_info_get();
        printf("gradflow %s\nBLAS: %s, kernel %s (%s), %d threads\ncblas_dgemm: %s\n",
               GF_VERSION, b->library, b->kernel, b->selected_by, b->threads, b->dgemm_from);
        return cli_stdout_done(NULL, CLI_EXIT_OK);
    }
    const int help = top_help || strcmp(argv[1], "help") == 0; /* help [COMMAND], --help CMD */
    if (help && argc == 2)
        return usage(), cli_stdout_done(NULL, CLI_EXIT_OK);
    const char *name = help ? argv[2] : argv[1];
    if (help && argc > 3)
        return cli_fail(CLI_EXIT_USAGE, NULL, "help takes one command, not '%s'", argv[3]);
    for (int i = 0; i < N_COMMANDS; i++)
        if (strcmp(name, commands[i]->name) == 0) {
            if (help)
                return cli_help(commands[i]), cli_stdout_done(commands[i]->name, CLI_EXIT_OK);
            return cli_main(commands[i], argc - 1, argv + 1);
        }
    if (name[0] == '-')
        return cli_fail(CLI_EXIT_USAGE, NULL, "unknown option '%s' before the command (see "
                        "gradflow --help)", name);
    return cli_fail(CLI_EXIT_USAGE, NULL, "unknown command '%s' (see gradflow --help)", name);
}
