/* main.c: the gradflow command: a small dispatcher over the subcommands. */
#include "commands.h"
#include "run.h"

#include "gradflow.h"

#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

/* A command on an option table (cli_main runs it), or one with its own main. */
typedef struct entry {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    const cli_command *cmd;
} entry;

static const entry commands[] = {
    {.cmd = &cli_gradnorm},
    {.cmd = &cli_degrade},
    {.cmd = &cli_paths},
    {.cmd = &cli_pathgrad},
    {.cmd = &cli_lesion},
    {.cmd = &cli_stochdepth},
    {.cmd = &cli_jacobian},
    {.cmd = &cli_hanin},
    {.cmd = &cli_shatter},
    {.cmd = &cli_theory},
    {.cmd = &cli_init_compare},
};
static const char *name_of(const entry *e)
{
    return e->cmd ? e->cmd->name : e->name;
}

enum { N_COMMANDS = sizeof commands / sizeof *commands };

static void usage(FILE *out)
{
    fprintf(out, "Usage: gradflow [--help] [--version] COMMAND [OPTIONS]\n\n"
                 "Measures why residual connections make deep networks trainable.\n\n"
                 "Commands:\n");
    for (int i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-12s %s\n", name_of(&commands[i]),
                commands[i].cmd ? commands[i].cmd->summary : commands[i].summary);
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
    gf_temp_cleanup_on_signals(); /* an interrupted run leaves no temporary file */
    if (argc < 2)
        return usage(stderr), CLI_EXIT_USAGE;
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return usage(stdout), CLI_EXIT_OK;
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        const gf_blas_info *b = gf_blas_info_get();
        printf("gradflow %s\nBLAS: %s, kernel %s (%s), %d threads\ncblas_dgemm: %s\n",
               GF_VERSION, b->library, b->kernel, b->selected_by, b->threads, b->dgemm_from);
        return CLI_EXIT_OK;
    }
    for (int i = 0; i < N_COMMANDS; i++)
        if (strcmp(argv[1], name_of(&commands[i])) == 0)
            return commands[i].cmd ? cli_main(commands[i].cmd, argc - 1, argv + 1)
                                   : commands[i].run(argc - 1, argv + 1);
    return cli_fail(CLI_EXIT_USAGE, NULL, "unknown command '%s' (see gradflow --help)", argv[1]);
}
