/* cmd_stochdepth.c: gradflow stochdepth: the same residual net trained whole
 * and with stochastic depth (Huang et al. 2016): errors, time per epoch
 * against the work the rule skips, expected depth, gradient norms. */
#include "cli.h"
#include "commands.h"
#include "stochdepth.h"

#include <stdio.h>

static const char CMD[] = "stochdepth";

static void help(void)
{
    printf(
        "Usage: gradflow stochdepth [OPTIONS]\n\n"
        "Trains each residual net twice with the same seed and optimizer: whole (NET), and\n"
        "with stochastic depth (NET-sd): in every training step block l runs with probability\n"
        "p_l and is otherwise the identity, costing nothing in forward and backward; in\n"
        "evaluation every branch is scaled by its p_l. Compares the training and test error\n"
        "curves, the wall time of each epoch's training steps against the fraction of blocks\n"
        "(and of multiply-adds) the rule expects to run, the expected depth (sum of p_l blocks,\n"
        "2 sum p_l + 2 weight layers) and the gradient norm at every depth during training.\n"
        "Writes into the run folder: curves.tsv, curves_mean.tsv, table.md, stochdepth.tsv,\n"
        "epoch_times.tsv, gradnorm_training.tsv, params_training.tsv, manifest.json,\n"
        "stochdepth.png/.svg/.gp, gradnorm_training.png/.svg/.gp and\n"
        "checkpoints/NET-seedK.safetensors (every epoch).\n\n"
        "Stochastic depth:\n"
        "      --survival RULE   linear: p_l = 1 - (l/B)(1 - p_last), l = 1..B (Huang et al.);\n"
        "                        uniform: p_l = p_last                    [linear]\n"
        "      --p-last X        survival probability of the last block, in (0, 1]; 1 trains\n"
        "                        the -sd net exactly as the whole one     [0.5]\n"
        "Networks:\n"
        "  -a, --arch LIST       resnet, preact (plain has no branch to drop) [resnet]\n"
        "  -d, --depth N         weight layers, 2B + 2                    [56]\n"
        "  -w, --width N         features in every block                  [64]\n"
        "      --init NAME       torch, he, xavier, lecun, orthogonal     [he]\n"
        "      --norm NAME       none, batch, layer                       [batch]\n"
        "      --act NAME        relu, tanh, linear                       [relu]\n"
        "      --zero-init-residual  zero the last layer of each residual branch\n");
    fputs( /* apart: one string would pass the 4095 characters C99 promises */
        CLI_TRAIN_HELP
        "Output:\n"
        "  -o, --out DIR         run folder                               [runs/stochdepth]\n"
        "      --term TERM       also draw the figure in the terminal: dumb [none]\n"
        "      --no-plot         write the data and .gp scripts, draw nothing\n"
        "  -q, --quiet           no summary on stdout\n"
        "  -h, --help            this help\n"
        "  -V, --version         the version\n\n"
        "Times are the seconds of an epoch's training steps (evaluation apart), wall-clock and\n"
        "processor. Every epoch does the same work, so the fastest epochs, the ones other\n"
        "programs disturbed least, are compared with the expected saving; medians beside.\n"
        "A progress line is shown on a terminal. A non-finite loss or gradient stops that\n"
        "net with the step and the layer where it appeared.\n"
        "Exit status: 0 success, 1 runtime failure (a net diverged, missing data, unwritable\n"
        "folder), 2 usage error.\n",
        stdout);
}

static int parse(int argc, char **argv, stochdepth_options *o)
{
    enum { O_SURVIVAL = CLI_OPT_OWN, O_PLAST };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, CLI_TRAIN_LONGOPTS, {"depth", required_argument, 0, 'd'},
        {"survival", required_argument, 0, O_SURVIVAL}, {"p-last", required_argument, 0, O_PLAST},
        {0, 0, 0, 0},
    };
    gf_stack_config cfg = gf_stack_config_default();
    cfg.width = 64;
    cfg.norm = GF_NORM_BATCH;
    cfg.init = GF_INIT_HE;
    *o = (stochdepth_options){
        .c = {.cfg = cfg, .archs = {GF_ARCH_RESNET}, .n_archs = 1, .seeds = 1, .seed = 1,
              .out = "runs/stochdepth"},
        .depth = 56, .survival = GF_SURVIVAL_LINEAR, .p_last = 0.5};
    cli_train_opts_default(&o->t);
    int c, k;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS CLI_TRAIN_SHORTOPTS "d:", longopts,
                            NULL)) != -1) {
        int r = cli_common_option(CMD, c, optarg, argv, &o->c, help);
        if (r == 0)
            r = cli_train_option(CMD, c, optarg, &o->t);
        if (r < 0 || r == 2)
            return r < 0 ? -1 : 1;
        if (r == 1)
            continue;
        int bad = 0;
        switch (c) {
        case 'd':
            bad = cli_depth(CMD, "--depth", optarg, &o->depth) != 0;
            break;
        case O_SURVIVAL: /* "none" is the whole net, trained anyway */
            bad = (k = cli_choice(CMD, "--survival", optarg, gf_survival_names)) < 0 ||
                  (k == GF_SURVIVAL_NONE &&
                   cli_fail(-1, CMD, "--survival: choose linear or uniform (the whole net "
                                        "is trained beside it anyway)"));
            o->survival = (gf_survival_kind)k;
            break;
        default: /* O_PLAST: p_B = 0 would never run the last block */
            bad = cli_real(CMD, "--p-last", optarg, 0.0, 1.0, &o->p_last) != 0 ||
                  (o->p_last == 0.0 &&
                   cli_fail(-1, CMD, "--p-last: 0 would never run the last block; give a "
                                        "probability in (0, 1]"));
            break;
        }
        if (bad)
            return -1;
    }
    if (cli_common_finish(CMD, argc, argv, &o->c) != 0 || cli_train_opts_finish(CMD, &o->t) != 0)
        return -1;
    for (int a = 0; a < o->c.n_archs; a++)
        if (o->c.archs[a] == GF_ARCH_PLAIN)
            return cli_fail(-1, CMD, "--arch plain: a plain stack has no residual branch to "
                                        "drop (choose resnet or preact)");
    return 0;
}

int cmd_stochdepth(int argc, char **argv)
{
    stochdepth_options o;
    const int p = parse(argc, argv, &o);
    if (p != 0)
        return p > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    const cli_experiment e = {.cmd = CMD, .c = &o.c, .t = &o.t, .depths = &o.depth, .n_depths = 1,
                             .survival = o.survival, .p_last = o.p_last,
                             .write = stochdepth_write, .describe = stochdepth_describe,
                             .figures = stochdepth_figures, .summary = stochdepth_summary,
                             .ctx = &o};
    return cli_experiment_run(&e, argc, argv);
}
