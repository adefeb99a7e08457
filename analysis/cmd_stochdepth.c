/* cmd_stochdepth.c: gradflow stochdepth: the same residual net trained whole
 * and with stochastic depth (Huang et al. 2016): errors, time per epoch
 * against the work the rule skips, expected depth, gradient norms. */
#include "cli.h"
#include "commands.h"
#include "stochdepth.h"

#include <stdio.h>

static const char CMD[] = "stochdepth";

/* "none" is the whole net, trained anyway */
static int set_survival(const cli_arg *a, void *opts)
{
    const stochdepth_options *o = opts;
    if (o->survival == GF_SURVIVAL_NONE)
        return cli_fail(CLI_EXIT_USAGE, a->cmd, "--survival: choose linear or uniform (the "
                        "whole net is trained beside it anyway)");
    return 0;
}

/* p_B = 0 would never run the last block */
static int set_p_last(const cli_arg *a, void *opts)
{
    const stochdepth_options *o = opts;
    if (o->p_last == 0.0)
        return cli_fail(CLI_EXIT_USAGE, a->cmd, "--p-last: 0 would never run the last block; "
                        "give a probability in (0, 1]");
    return 0;
}

static const cli_option table[] = {
    {CLI_TEXT, .help = "Stochastic depth:\n"},
    {CLI_CHOICE, "survival", 0, "RULE",
     "linear: p_l = 1 - (l/B)(1 - p_last), l = 1..B (Huang et al.);\n"
     "uniform: p_l = p_last                    [linear]",
     CLI_AT(stochdepth_options, survival), .names = gf_survival_names, .set = set_survival},
    {CLI_REAL, "p-last", 0, "X",
     "survival probability of the last block, in (0, 1]; 1 trains\n"
     "the -sd net exactly as the whole one     [0.5]",
     CLI_AT(stochdepth_options, p_last), .min = 0.0, .max = 1.0, .set = set_p_last},
    {CLI_TEXT, .help = "Networks:\n"},
    CLI_ARCH(stochdepth_options, "resnet, preact (plain has no branch to drop) [resnet]\n"
             "(cnn-resnet, cnn-preact: He et al.'s CIFAR nets, depth 6n+2; a\n"
             "dropped downsampling block keeps its option-A skip)"),
    CLI_WIDTH_MULT(stochdepth_options),
    {CLI_DEPTH, "depth", 'd', "N", "weight layers, 2B + 2                    [56]",
     CLI_AT(stochdepth_options, depth)},
    CLI_RESIDUAL_TRAINING(stochdepth_options, "runs/stochdepth", "figure"),
};

static void init(void *opts)
{
    stochdepth_options *o = opts;
    cli_train_defaults(&o->c, &o->t, "runs/stochdepth", 64, GF_NORM_BATCH,
                       (const int[]){GF_ARCH_RESNET}, 1);
    o->depth = 56;
    o->survival = GF_SURVIVAL_LINEAR;
    o->p_last = 0.5;
}

static int check(void *opts)
{
    stochdepth_options *o = opts;
    if (cli_train_opts_finish(CMD, &o->t) != 0)
        return CLI_EXIT_USAGE;
    /* the linear rule's p_B = 1 - (1 - p_last) is 0 below about 1e-17 */
    if (o->survival == GF_SURVIVAL_LINEAR && !(1.0 - (1.0 - o->p_last) > 0.0))
        return cli_fail(CLI_EXIT_USAGE, CMD, "--p-last %g: the linear rule's last probability, "
                        "1 - (1 - p), is 0 in double precision (give 1e-16 or more, or "
                        "--survival uniform)", o->p_last);
    for (int a = 0; a < o->c.n_archs; a++)
        if (!gf_arch_residual((gf_arch)o->c.archs[a]))
            return cli_fail(CLI_EXIT_USAGE, CMD, "--arch %s: %s has no residual branch to "
                            "drop (choose resnet or preact, or their cnn-)",
                            gf_arch_names[o->c.archs[a]],
                            gf_arch_is_mlp((gf_arch)o->c.archs[a]) ||
                                    o->c.archs[a] == GF_ARCH_CNN_PLAIN
                                ? "a plain net"
                                : "a DenseNet (its layers concatenate, none adds)");
    return cli_experiment_check(CMD, &o->c, &o->depth, 1);
}

static int run(cli_run *r, void *opts)
{
    const stochdepth_options *o = opts;
    const cli_experiment e = {.t = &o->t, .depths = &o->depth, .n_depths = 1,
                              .survival = o->survival, .p_last = o->p_last,
                              .write = stochdepth_write, .describe = stochdepth_describe,
                              .figures = stochdepth_figures, .summary = stochdepth_summary,
                              .ctx = o};
    return cli_experiment_run(r, &e);
}

const cli_command cli_stochdepth = {
    .name = CMD,
    .summary = "train with stochastic depth against without",
    .about =
        "Trains each residual net twice with the same seed and optimizer: whole (NET), and\n"
        "with stochastic depth (NET-sd): in every training step block l runs with probability\n"
        "p_l and is otherwise the identity, costing nothing in forward and backward; in\n"
        "evaluation every branch is scaled by its p_l. Compares the training and test error\n"
        "curves, the time of each epoch's training steps (wall-clock and processor) against\n"
        "the fraction of blocks (and of multiply-adds) the rule expects to run, the expected\n"
        "depth (sum of p_l blocks, 2 sum p_l + 2 weight layers) and the gradient norm at every\n"
        "depth during training.\n"
        "With several seeds: errors as mean ± sd, the difference NET-sd minus NET seed by\n"
        "seed, and min-max bands over the seeds in the figure.\n"
        "Writes into the run folder: curves.tsv, curves_mean.tsv, table.md, stochdepth.tsv,\n"
        "epoch_times.tsv, gradnorm_training.tsv, params_training.tsv, manifest.json,\n"
        "stochdepth.png/.svg/.gp, gradnorm_training.png/.svg/.gp and\n"
        "checkpoints/NET-seedK.safetensors (every epoch).\n\n",
    .epilog =
        "Times are the seconds of an epoch's training steps (evaluation apart), wall-clock and\n"
        "processor. Every epoch does the same work, so the fastest epochs, the ones other\n"
        "programs disturbed least, are compared with the expected saving; medians beside.\n"
        "A progress line is shown on a terminal. A non-finite loss or gradient stops that\n"
        "net with the step and the layer where it appeared.\n"
        "Exit status: 0 success, 1 runtime failure (a net diverged, missing data, unwritable\n"
        "folder), 2 usage error.\n",
    .table = table, .size = sizeof(stochdepth_options), .init = init, .check = check,
    .run = run,
};
