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
    CLI_WIDTH_MULT_HELP(degrade_options, "cnn-*: filters 16X, 32X, 64X; 16X even   [0.25]"),
    {CLI_FLAG, "quick", 0, NULL, "a run of about a minute or less: 1,000 training and 500\n"
     "test images, 3 epochs; cnn-*: depths 8,20 and --width-mult\n"
     "0.125 (with DenseNets: 10,22 at 0.25; options given keep\n"
     "their values)", CLI_AT(degrade_options, quick)},
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

enum { GIVEN_MULT = 1, GIVEN_NTRAIN = 2, GIVEN_NTEST = 4, GIVEN_EPOCHS = 8, GIVEN_DEPTH = 16 };

static void given(const cli_option *e, void *opts)
{
    static const char *const names[] = {"width-mult", "ntrain", "ntest", "epochs", "depth", NULL};
    const int i = gf_name_lookup(names, e->name);
    if (i >= 0)
        ((degrade_options *)opts)->given |= 1u << i;
}

/* How many nets of the list are DenseNets (densenet, densenet-bc) and how many
 * He et al.'s cnn nets. */
static void conv_kinds(const cli_common *c, int *dense, int *cnn)
{
    *dense = *cnn = 0;
    for (int a = 0; a < c->n_archs; a++) {
        const int d = c->archs[a] == GF_ARCH_DENSENET || c->archs[a] == GF_ARCH_DENSENET_BC;
        *dense += d;
        *cnn += !d && !gf_arch_is_mlp((gf_arch)c->archs[a]);
    }
}

/* The defaults --quick and the cnn nets change, where not given: cnn nets
 * train on 4,000 images (1,000 test) at --width-mult 0.25, so that the
 * default run (plain and residual, 20 and 56 layers, 10 epochs) takes about 8
 * minutes of processor time per seed (measured: 4.1 s and 12.2 s of training
 * per epoch at 20 and 56 layers, one core); --quick: 1,000 / 500 images, 3 epochs, cnn depths
 * 8,20 at --width-mult 0.125; with DenseNets: depths 10,22 (3n + 4, 6n + 4 and 2B + 2
 * all) at --width-mult 0.25 (growth rate 3: 12 x it must be whole). */
static void settle_defaults(degrade_options *o)
{
    int dense, cnn;
    conv_kinds(&o->c, &dense, &cnn);
    const int conv = dense || cnn;
    const unsigned g = o->given;
    if (conv && !(g & GIVEN_MULT))
        o->c.cfg.width_mult = o->quick && !dense ? 0.125 : 0.25;
    if (!(g & GIVEN_NTRAIN) && (o->quick || conv))
        o->t.ntrain = o->quick ? 1000 : 4000;
    if (!(g & GIVEN_NTEST) && (o->quick || conv))
        o->t.ntest = o->quick ? 500 : 1000;
    if (!(g & GIVEN_EPOCHS) && o->quick)
        o->t.train.epochs = 3;
    if (!(g & GIVEN_DEPTH) && o->quick && conv) {
        o->depths[0] = dense ? 10 : 8;
        o->depths[1] = dense ? 22 : 20;
        o->n_depths = 2;
    }
}

static int check(void *opts)
{
    degrade_options *o = opts;
    settle_defaults(o);
    int dense, cnn;
    conv_kinds(&o->c, &dense, &cnn);
    if (dense && cnn) /* every net trains at every depth */
        return cli_fail(CLI_EXIT_USAGE, CMD, "--arch: the DenseNets (depth 3n + 4, 6n + 4) and "
                        "the cnn nets (6n + 2) have no depth in common: train them in separate "
                        "runs");
    if (cli_train_opts_finish(CMD, &o->t) != 0)
        return CLI_EXIT_USAGE;
    return cli_experiment_check(CMD, &o->c, o->depths, o->n_depths); /* repeats, archs */
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
        "With the convolutional nets (cnn-plain, cnn-resnet, cnn-preact: He et al.'s CIFAR\n"
        "ResNets on 28 x 28 images) the defaults become 4,000 training and 1,000 test images\n"
        "at --width-mult 0.25: per seed about 8 minutes of processor time (measured on\n"
        "one BLAS thread: about 4 s of training per epoch for a 20-layer net, 12 s for a\n"
        "56-layer one, plus the evaluations), within 10 minutes on 2 cores; --quick is a smoke run.\n"
        "A longer setting that tries for He et al.'s whole picture (plain-56 above plain-20,\n"
        "resnet-56 at or below resnet-20) within 30 minutes on 2 cores: --arch\n"
        "cnn-plain,cnn-resnet --ntrain 8000 --epochs 15 (about 22 minutes of processor\n"
        "time for one seed).\n"
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
    .given = given,
};
