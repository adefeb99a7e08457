/* cmd_degrade.c: gradflow degrade, the degradation experiment of He et al.
 * (2016, Fig. 1 and 6): plain and residual nets of two depths, trained alike. */
#include "cli.h"
#include "commands.h"
#include "degrade.h"

#include <stdio.h>

static const char CMD[] = "degrade";

static const cli_option table[] = {
    {CLI_TEXT, .help = "Networks:\n"},
    CLI_ARCH(degrade_options, "plain, resnet, preact                    [plain,resnet]"
                              CLI_ARCH_CNN_HELP),
    CLI_WIDTH_MULT(degrade_options),
    {CLI_DEPTHS, "depth", 'd', "LIST", "weight layers, each 2B + 2               [20,56]",
     CLI_AT(degrade_options, depths), .count_at = offsetof(degrade_options, n_depths)},
    CLI_RESIDUAL_TRAINING(degrade_options, "runs/degrade", "curves"),
};

static void init(void *opts)
{
    degrade_options *o = opts;
    cli_train_defaults(&o->c, &o->t, "runs/degrade", 64, GF_NORM_BATCH,
                       (const int[]){GF_ARCH_PLAIN, GF_ARCH_RESNET}, 2);
    o->depths[0] = 20;
    o->depths[1] = 56;
    o->n_depths = 2;
}

static int check(void *opts)
{
    degrade_options *o = opts;
    if (cli_train_opts_finish(CMD, &o->t) != 0)
        return CLI_EXIT_USAGE;
    for (int i = 0; i < o->n_depths; i++)
        for (int j = 0; j < i; j++)
            if (o->depths[i] == o->depths[j])
                return cli_fail(CLI_EXIT_USAGE, CMD, "--depth: %d is listed twice",
                                o->depths[i]);
    return cli_experiment_check(CMD, &o->c, o->depths, o->n_depths);
}

static int figures(cli_run *r, const gf_grid_result *res, const void *o)
{
    (void)o;
    return degrade_figures(r, res);
}

static void summary(const gf_grid_result *res, const void *o, int drawn)
{
    degrade_summary(res, o, drawn);
}

static int run(cli_run *r, void *opts)
{
    const degrade_options *o = opts;
    const cli_experiment e = {.t = &o->t, .depths = o->depths, .n_depths = o->n_depths,
                              .figures = figures, .summary = summary, .ctx = o};
    return cli_experiment_run(r, &e);
}

const cli_command cli_degrade = {
    .name = CMD,
    .summary = "train plain and residual nets of two depths: the degradation experiment",
    .about =
        "Trains plain and residual stacks of each depth on Fashion-MNIST (Debian's\n"
        "dataset-fashion-mnist) with the same optimizer, and records per epoch (and at\n"
        "initialization, epoch 0) the training loss, training error and test error, and at\n"
        "chosen steps the gradient norm at every depth. A deeper plain net with a higher\n"
        "*training* error than a shallower one is the degradation problem; the residual nets\n"
        "show whether the skip connections remove it. With several seeds the table gives\n"
        "mean ± sd and the figure draws each curve's min-max band over the seeds.\n"
        "Writes into the run folder: curves.tsv, curves_mean.tsv, table.md, gradnorm_training.tsv,\n"
        "params_training.tsv, manifest.json, degradation.png/.svg/.gp,\n"
        "gradnorm_training.png/.svg/.gp and checkpoints/NET-seedK.safetensors (every epoch).\n\n",
    .epilog =
        "A progress line is shown on a terminal. A non-finite loss or gradient stops that net\n"
        "with the step and the layer where it appeared; the other nets go on and what was\n"
        "measured is written.\n"
        "Exit status: 0 success, 1 runtime failure (a net diverged, missing data, unwritable\n"
        "folder), 2 usage error.\n",
    .table = table, .size = sizeof(degrade_options), .init = init, .check = check, .run = run,
};
