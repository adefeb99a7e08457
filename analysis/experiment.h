/* experiment.h: what the commands that train nets share (degrade,
 * stochdepth): the data and training options, and one run of the library's
 * experiment (gf_grid_*) from loading the data to the summary, with the
 * command's own files, manifest entries, figures and summary as hooks. */
#ifndef CLI_EXPERIMENT_H
#define CLI_EXPERIMENT_H

#include "options.h"

#include "gradflow.h"

#include <jansson.h>

typedef struct cli_train_opts {
    gf_data_kind data;
    const char *data_dir;
    long ntrain, ntest;
    gf_train_config train;            /* batch, epochs, optimizer, schedule, clip, probes */
    int probe_every_set;              /* 0: once per epoch */
    int resume;
    double lr, wd, momentum;          /* as given; NaN: the optimizer's default */
    int nesterov;
} cli_train_opts;

/* Option codes of the training options without a short letter. */
enum {
    CLI_OPT_DATA = 400, CLI_OPT_DATA_DIR, CLI_OPT_NTRAIN, CLI_OPT_NTEST, CLI_OPT_OPTIM, CLI_OPT_LR,
    CLI_OPT_MOMENTUM, CLI_OPT_NESTEROV, CLI_OPT_WD, CLI_OPT_SCHED, CLI_OPT_MILESTONES, CLI_OPT_GAMMA,
    CLI_OPT_WARMUP, CLI_OPT_CLIP, CLI_OPT_PROBE, CLI_OPT_RESUME
};

/* The training entries of a getopt_long table (short letters e, b). */
#define CLI_TRAIN_LONGOPTS                                                                      \
    {"epochs", required_argument, 0, 'e'}, {"batch", required_argument, 0, 'b'},             \
        {"data", required_argument, 0, CLI_OPT_DATA},                                          \
        {"data-dir", required_argument, 0, CLI_OPT_DATA_DIR},                                  \
        {"ntrain", required_argument, 0, CLI_OPT_NTRAIN},                                      \
        {"ntest", required_argument, 0, CLI_OPT_NTEST},                                        \
        {"optimizer", required_argument, 0, CLI_OPT_OPTIM},                                    \
        {"lr", required_argument, 0, CLI_OPT_LR},                                              \
        {"momentum", required_argument, 0, CLI_OPT_MOMENTUM},                                  \
        {"nesterov", no_argument, 0, CLI_OPT_NESTEROV},                                        \
        {"weight-decay", required_argument, 0, CLI_OPT_WD},                                    \
        {"schedule", required_argument, 0, CLI_OPT_SCHED},                                     \
        {"milestones", required_argument, 0, CLI_OPT_MILESTONES},                              \
        {"gamma", required_argument, 0, CLI_OPT_GAMMA},                                        \
        {"warmup", required_argument, 0, CLI_OPT_WARMUP},                                      \
        {"clip", required_argument, 0, CLI_OPT_CLIP},                                          \
        {"probe-every", required_argument, 0, CLI_OPT_PROBE},                                  \
        {"resume", no_argument, 0, CLI_OPT_RESUME}
#define CLI_TRAIN_SHORTOPTS "e:b:"

/* The help of those options (and of the data). */
#define CLI_TRAIN_HELP                                                                          \
    "Data:\n"                                                                                  \
    "      --data NAME       fashion, synthetic    [fashion when installed, else synthetic]\n"  \
    "      --data-dir DIR    where the Fashion-MNIST files are [" GF_FASHION_DIR "]\n"          \
    "      --ntrain N        training images (a fixed subset of the 60,000)  [10000]\n"         \
    "      --ntest N         test images (the first of the 10,000, never trained on) [10000]\n" \
    "Training (He et al.'s CIFAR-10 setting, scaled to the epochs given):\n"                   \
    "  -e, --epochs N        epochs                                   [10]\n"                   \
    "  -b, --batch N         mini-batch (the last incomplete one of an epoch is dropped) [128]\n" \
    "      --optimizer NAME  sgd, adam, adamw                         [sgd]\n"                  \
    "      --lr X            base learning rate             [0.1 for sgd, 0.001 for adam]\n"    \
    "      --momentum X      sgd momentum                             [0.9]\n"                  \
    "      --nesterov        Nesterov momentum\n"                                               \
    "      --weight-decay X  L2 decay (adamw: decoupled)    [1e-4 for sgd, 0 adam, 0.01 adamw]\n" \
    "      --schedule NAME   constant, step, cosine                   [step]\n"                 \
    "      --milestones LIST step: fractions of training where lr *= gamma  [0.5,0.75]\n"       \
    "      --gamma X         step: the factor                         [0.1]\n"                  \
    "      --warmup N        linear warm-up over the first N steps    [0]\n"                    \
    "      --clip X          clip the global gradient norm to X       [off]\n"                  \
    "  -s, --seeds N         seeds per net (weights and batch order)  [1]\n"                    \
    "      --seed N          first seed, at least 1                   [1]\n"                    \
    "      --probe-every N   record gradient norms every N steps (and at the first and\n"      \
    "                        last step)                               [once per epoch]\n"       \
    "      --resume          continue from the checkpoints in the run folder\n"

/* The defaults: Fashion-MNIST when installed, 10,000 / 10,000 images, 10
 * epochs of batch 128, sgd (momentum 0.9, decay 1e-4), lr 0.1, step decay
 * by 0.1 at 50% and 75% of training, probes once per epoch. */
void cli_train_opts_default(cli_train_opts *t);

/* Handle getopt_long's result c when it is a training option: 1 when
 * handled, 0 when it is not one, -1 after a usage message. */
int cli_train_option(const char *cmd, int c, const char *arg, cli_train_opts *t);

/* Once all options are read: settle the defaults that depend on others and
 * check the combination. 0, or -1 after a usage message. */
int cli_train_opts_finish(const char *cmd, cli_train_opts *t);

/* One run of a training command. The hooks get ctx; any may be NULL. */
typedef struct cli_experiment {
    const char *cmd;
    const cli_common *c;          /* archs, stack, seeds, out, drawing */
    const cli_train_opts *t;
    const int *depths;
    int n_depths;
    gf_survival_kind survival;        /* NONE, or train every residual net twice */
    double p_last;
    /* the command's files (after the experiment's); 0, or -1 after a message */
    int (*write)(const gf_grid_result *res, const void *ctx);
    /* the command's entries of manifest.json */
    void (*describe)(json_t *m, const gf_grid_result *res, const void *ctx);
    /* the figures; *drawn 1 when gnuplot drew them; 0, or -1 after a message */
    int (*figures)(const gf_grid_result *res, const void *ctx, int *drawn);
    void (*summary)(const gf_grid_result *res, const void *ctx, int drawn);
    const void *ctx;
} cli_experiment;

/* Check the stacks (usage), load the data, train every net with a progress
 * line on a terminal, write the files, the manifest, the figures, and the
 * summary unless --quiet. The exit status. */
int cli_experiment_run(const cli_experiment *x, int argc, char **argv);

/* Write dir/NAME.gp and, unless --no-plot, draw NAME.png and NAME.svg;
 * warn once (through *warned) when gnuplot is missing. 0, or -1 after a
 * message. */
int cli_experiment_figure(const char *cmd, const cli_common *c, const char *name,
                         gf_plot_body body, const void *fig, int *warned);

/* The first line of a summary: data, network, optimizer, epochs, seeds. */
void cli_experiment_heading(const char *cmd, const gf_grid_result *res,
                           const cli_common *c, const cli_train_opts *t);

#endif
