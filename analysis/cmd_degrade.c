/* cmd_degrade.c: gradflow degrade, the degradation experiment of He et al.
 * (2016, Fig. 1 and 6): plain and residual nets of two depths, trained alike. */
#include "cli.h"
#include "commands.h"
#include "degrade.h"

#include <stdio.h>

static const char CMD[] = "degrade";

static void help(void)
{
    printf(
        "Usage: gradflow degrade [OPTIONS]\n\n"
        "Trains plain and residual stacks of each depth on Fashion-MNIST (Debian's\n"
        "dataset-fashion-mnist) with the same optimizer, and records per epoch the training\n"
        "loss, training error and test error, and at chosen steps the gradient norm at every\n"
        "depth. A deeper plain net with a higher *training* error than a shallower one is the\n"
        "degradation problem; the residual nets show whether the skip connections remove it.\n"
        "Writes into the run folder: curves.tsv, curves_mean.tsv, table.md, gradnorm_training.tsv,\n"
        "params_training.tsv, manifest.json, degradation.png/.svg/.gp,\n"
        "gradnorm_training.png/.svg/.gp and checkpoints/NET-seedK.safetensors (every epoch).\n\n"
        "Networks:\n"
        "  -a, --arch LIST       plain, resnet, preact                    [plain,resnet]\n"
        "  -d, --depth LIST      weight layers, each 2B + 2               [20,56]\n"
        "  -w, --width N         features in every block                  [64]\n"
        "      --init NAME       torch, he, xavier, lecun, orthogonal     [he]\n"
        "      --norm NAME       none, batch, layer                       [batch]\n"
        "      --act NAME        relu, tanh, linear                       [relu]\n"
        "      --zero-init-residual  zero the last layer of each residual branch\n"
        CLI_TRAIN_HELP
        "Output:\n"
        "  -o, --out DIR         run folder                               [runs/degrade]\n"
        "      --term TERM       also draw the curves in the terminal: dumb [none]\n"
        "      --no-plot         write the data and .gp scripts, draw nothing\n"
        "  -q, --quiet           no summary on stdout\n"
        "  -h, --help            this help\n"
        "  -V, --version         the version\n\n"
        "A progress line is shown on a terminal. A non-finite loss or gradient stops that net\n"
        "with the step and the layer where it appeared; the other nets go on and what was\n"
        "measured is written.\n"
        "Exit status: 0 success, 1 runtime failure (a net diverged, missing data, unwritable\n"
        "folder), 2 usage error.\n");
}

/* ---- options ---------------------------------------------------------------- */

static int parse_depth(const char *cmd, const char *opt, const char *item, void *out)
{
    return cli_depth(cmd, opt, item, out);
}

static int parse(int argc, char **argv, degrade_options *o)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, CLI_TRAIN_LONGOPTS, {"depth", required_argument, 0, 'd'}, {0, 0, 0, 0},
    };
    gf_stack_config cfg = gf_stack_config_default();
    cfg.width = 64;
    cfg.norm = GF_NORM_BATCH;
    cfg.init = GF_INIT_HE;
    *o = (degrade_options){
        .c = {.cfg = cfg, .archs = {GF_ARCH_PLAIN, GF_ARCH_RESNET}, .n_archs = 2, .seeds = 1,
              .seed = 1, .out = "runs/degrade"},
        .depths = {20, 56}, .n_depths = 2};
    cli_train_opts_default(&o->t);
    int c;
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
        /* 'd', the only option of degrade's own */
        if ((o->n_depths = cli_list(CMD, "--depth", optarg, GF_GRID_MAX_DEPTHS,
                                       parse_depth, o->depths, sizeof *o->depths)) < 0)
            return -1;
    }
    if (cli_common_finish(CMD, argc, argv, &o->c) != 0 || cli_train_opts_finish(CMD, &o->t) != 0)
        return -1;
    for (int i = 0; i < o->n_depths; i++)
        for (int j = 0; j < i; j++)
            if (o->depths[i] == o->depths[j]) {
                cli_fail(CLI_EXIT_USAGE, CMD, "--depth: %d is listed twice", o->depths[i]);
                return -1;
            }
    return 0;
}

static int figures(const gf_grid_result *res, const void *o, int *drawn)
{
    return degrade_figures(res, o, drawn);
}

static void summary(const gf_grid_result *res, const void *o, int drawn)
{
    degrade_summary(res, o, drawn);
}

int cmd_degrade(int argc, char **argv)
{
    degrade_options o;
    const int p = parse(argc, argv, &o);
    if (p != 0)
        return p > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    const cli_experiment e = {.cmd = CMD, .c = &o.c, .t = &o.t, .depths = o.depths,
                             .n_depths = o.n_depths, .figures = figures, .summary = summary,
                             .ctx = &o};
    return cli_experiment_run(&e, argc, argv);
}
