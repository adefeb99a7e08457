/* experiment.h: what the commands that train nets share (degrade,
 * stochdepth, init-compare, lesion, pathgrad): the data and training options
 * (their option-table entries), the data and the training with a progress
 * line, and (degrade, stochdepth) one run of the library's
 * experiment (gf_grid_*) from loading the data to the summary, with the
 * command's own files, manifest entries, figures and summary as hooks. */
#ifndef CLI_EXPERIMENT_H
#define CLI_EXPERIMENT_H

#include "options.h"
#include "run.h"

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

/* ---- option-table entries; T is the command's options struct, with
 * `cli_common c` and `cli_train_opts t` members ----------------------------------- */

int cli_set_optimizer(const cli_arg *a, void *opts);  /* CLI_CALL at a gf_optim_config */
int cli_set_milestones(const cli_arg *a, void *opts); /* CLI_CALL at a gf_schedule */
int cli_set_probe_every(const cli_arg *a, void *opts); /* CLI_CALL at a cli_train_opts */

#define CLI_TRAIN_DATA(T, help)                                                              \
    {CLI_CHOICE, "data", 0, "NAME", help, CLI_AT(T, t.data), .names = gf_data_names}
#define CLI_TRAIN_DATA_DIR(T, help)                                                          \
    {CLI_STRING, "data-dir", 0, "DIR", help, CLI_AT(T, t.data_dir), .set = cli_set_path}
#define CLI_TRAIN_NTRAIN(T, help)                                                            \
    {CLI_INT, "ntrain", 0, "N", help, CLI_AT(T, t.ntrain), .min = 2, .max = 1 << 24}
#define CLI_TRAIN_NTEST(T, help)                                                             \
    {CLI_INT, "ntest", 0, "N", help, CLI_AT(T, t.ntest), .min = 0, .max = 1 << 24}
#define CLI_TRAIN_EPOCHS(T, help)                                                            \
    {CLI_INT, "epochs", 'e', "N", help, CLI_AT(T, t.train.epochs), .min = 1, .max = 100000}
#define CLI_TRAIN_BATCH(T, help)                                                             \
    {CLI_INT, "batch", 'b', "N", help, CLI_AT(T, t.train.batch), .min = 2, .max = 1 << 20}
#define CLI_TRAIN_OPTIMIZER(T, help)                                                         \
    {CLI_CALL, "optimizer", 0, "NAME", help, CLI_AT(T, t.train.optim),                      \
     .names = gf_optim_names, .set = cli_set_optimizer}
#define CLI_TRAIN_LR(T, help)                                                                \
    {CLI_REAL, "lr", 0, "X", help, CLI_AT(T, t.lr), .min = 1e-12, .max = 1e6}
#define CLI_TRAIN_MOMENTUM(T, help)                                                          \
    {CLI_REAL, "momentum", 0, "X", help, CLI_AT(T, t.momentum), .min = 0.0, .max = 0.999999}
#define CLI_TRAIN_NESTEROV(T, help) {CLI_FLAG, "nesterov", 0, NULL, help, CLI_AT(T, t.nesterov)}
#define CLI_TRAIN_WD(T, help)                                                                \
    {CLI_REAL, "weight-decay", 0, "X", help, CLI_AT(T, t.wd), .min = 0.0, .max = 1.0}
#define CLI_TRAIN_SCHEDULE(T, help)                                                          \
    {CLI_CHOICE, "schedule", 0, "NAME", help, CLI_AT(T, t.train.sched.kind),                \
     .names = gf_sched_names}
#define CLI_TRAIN_MILESTONES(T, help)                                                        \
    {CLI_CALL, "milestones", 0, "LIST", help, CLI_AT(T, t.train.sched),                     \
     .set = cli_set_milestones}
#define CLI_TRAIN_GAMMA(T, help)                                                             \
    {CLI_REAL, "gamma", 0, "X", help, CLI_AT(T, t.train.sched.gamma), .min = 1e-9, .max = 1.0}
#define CLI_TRAIN_WARMUP(T, help)                                                            \
    {CLI_INT, "warmup", 0, "N", help, CLI_AT(T, t.train.sched.warmup_steps), .min = 0,      \
     .max = 1099511627776.0}
#define CLI_TRAIN_CLIP(T, help)                                                              \
    {CLI_REAL, "clip", 0, "X", help, CLI_AT(T, t.train.clip), .min = 1e-12, .max = 1e12}
#define CLI_TRAIN_PROBE(T, help)                                                             \
    {CLI_CALL, "probe-every", 0, "N", help, CLI_AT(T, t), .min = 1, .max = 1099511627776.0, \
     .set = cli_set_probe_every}
#define CLI_TRAIN_RESUME(T, help) {CLI_FLAG, "resume", 0, NULL, help, CLI_AT(T, t.resume)}

/* The data and training options with their usual help (degrade, stochdepth):
 * the "Data:" and "Training" headings, the seeds among them; not --resume
 * (CLI_TRAIN_RESUME), for the commands that keep checkpoints. */
#define CLI_TRAIN(T) CLI_TRAIN_WITH(T, "10000", "10000", "10", "128", "step", "1")

/* CLI_TRAIN with the defaults a command sets in place of cli_train_defaults'
 * (init-compare, densenet), as the help shows them. */
#define CLI_TRAIN_WITH(T, NTRAIN, NTEST, EPOCHS, BATCH, SCHEDULE, SEEDS)                    \
    {CLI_TEXT, .help = "Data:\n"},                                                           \
    CLI_TRAIN_DATA(T, "fashion, synthetic    [fashion when installed, else synthetic]"),     \
    CLI_TRAIN_DATA_DIR(T, "where the Fashion-MNIST files are [" GF_FASHION_DIR "]"),         \
    CLI_TRAIN_NTRAIN(T, "training images (a fixed subset of the 60,000)  [" NTRAIN "]"),     \
    CLI_TRAIN_NTEST(T, "test images (the first of the 10,000, never trained on) [" NTEST "]"), \
    {CLI_TEXT, .help = "Training (He et al.'s CIFAR-10 setting, scaled to the epochs given):\n"}, \
    CLI_TRAIN_EPOCHS(T, "epochs                                   [" EPOCHS "]"),            \
    CLI_TRAIN_BATCH(T, "mini-batch (the last incomplete one of an epoch is dropped) [" BATCH "]"), \
    CLI_TRAIN_OPTIMIZER(T, "sgd, adam, adamw                         [sgd]"),                \
    CLI_TRAIN_LR(T, "base learning rate             [0.1 for sgd, 0.001 for adam]"),         \
    CLI_TRAIN_MOMENTUM(T, "sgd momentum                             [0.9]"),                 \
    CLI_TRAIN_NESTEROV(T, "Nesterov momentum"),                                              \
    CLI_TRAIN_WD(T, "L2 decay (adamw: decoupled)    [1e-4 for sgd, 0 adam, 0.01 adamw]"),    \
    CLI_TRAIN_SCHEDULE(T, "constant, step, cosine                   [" SCHEDULE "]"),        \
    CLI_TRAIN_MILESTONES(T, "step: fractions of training where lr *= gamma  [0.5,0.75]"),    \
    CLI_TRAIN_GAMMA(T, "step: the factor                         [0.1]"),                    \
    CLI_TRAIN_WARMUP(T, "linear warm-up over the first N steps    [0]"),                     \
    CLI_TRAIN_CLIP(T, "clip the global gradient norm to X       [off]"),                     \
    CLI_SEEDS(T, "seeds per net (weights and batch order)  [" SEEDS "]"),                    \
    CLI_SEED(T, "first seed, at least 1                   [1]"),                             \
    CLI_TRAIN_PROBE(T, "record gradient norms every N steps (and at the first and\n"         \
                       "last step)                               [once per epoch]")

/* The rest of the table of a residual training command (degrade, stochdepth)
 * after its architectures and depth: the stack (width 64, init he, norm
 * batch, act relu), the training, and the output: --out (the default run
 * folder RUNS), --term (what it draws, WHAT), --no-plot, the tail. */
#define CLI_RESIDUAL_TRAINING(T, RUNS, WHAT)                                                 \
    CLI_WIDTH(T, "features in every block                  [64]"),                           \
        CLI_INIT(T, "torch, he, xavier, lecun, orthogonal     [he]"),                        \
        CLI_NORM(T, "none, batch, layer                       [batch]"),                     \
        CLI_ACT(T, "relu, tanh, linear                       [relu]"), CLI_ZERO_INIT(T),     \
        CLI_TRAIN(T), CLI_TRAIN_RESUME(T, "continue from the checkpoints in the run folder"), \
        {CLI_TEXT, .help = "Output:\n"},                                                    \
        CLI_OUT(T, "run folder                               [" RUNS "]"),                  \
        CLI_TERM(T, "also draw the " WHAT " in the terminal: dumb [none]"),                 \
        CLI_TABLE_END(T, "write the data and .gp scripts, draw nothing")

/* The defaults of a training command (into its options, which cli_main
 * zeroes): the network (width, norm, init he), the architectures, seeds 1
 * from seed 1, the run folder, and the training of cli_train_opts_default. */
void cli_train_defaults(cli_common *c, cli_train_opts *t, const char *out, size_t width,
                        gf_norm norm, const int *archs, int n_archs);

/* The defaults: Fashion-MNIST when installed, 10,000 / 10,000 images, 10
 * epochs of batch 128, sgd (momentum 0.9, decay 1e-4), lr 0.1, step decay
 * by 0.1 at 50% and 75% of training, probes once per epoch. */
void cli_train_opts_default(cli_train_opts *t);

/* Once all options are read (from a command's check): settle the defaults
 * that depend on others and check the combination. 0, or CLI_EXIT_USAGE
 * after a usage message. */
int cli_train_opts_finish(const char *cmd, cli_train_opts *t);

/* With --resume, before training into dir: when dir/checkpoints is absent (a
 * new run folder, or one that never trained), warn that every net trains from
 * the start. */
void cli_train_resume_note(const char *cmd, const cli_train_opts *t, const char *dir);

/* Load t's data (ntrain / ntest images); unless quiet, warn when
 * Fashion-MNIST was wanted by default and the synthetic set stands in.
 * 0, or CLI_EXIT_RUNTIME after a message. */
int cli_train_data(const char *cmd, const cli_train_opts *t, int quiet, gf_dataset *train,
                   gf_dataset *test, const char **data_name);

/* gf_grid_train with a progress line on a terminal. */
int cli_train_nets(const char *cmd, const gf_grid_spec *spec, gf_grid_result *res,
                   char *why, size_t len);

/* One run of a training command. The hooks get ctx; any may be NULL. */
typedef struct cli_experiment {
    const cli_train_opts *t;      /* with the run's cli_common: archs, stack, seeds */
    const int *depths;
    int n_depths;
    gf_survival_kind survival;        /* NONE, or train every residual net twice */
    double p_last;
    /* the command's files (after the experiment's); 0, or -1 after a message */
    int (*write)(const gf_grid_result *res, const void *ctx);
    /* the command's entries of manifest.json */
    void (*describe)(json_t *m, const gf_grid_result *res, const void *ctx);
    /* the figures, drawn through r; 0, or CLI_EXIT_RUNTIME after a message */
    int (*figures)(cli_run *r, const gf_grid_result *res, const void *ctx);
    void (*summary)(const gf_grid_result *res, const void *ctx, int drawn);
    const void *ctx;
} cli_experiment;

/* The usage check of the stacks: no depth listed twice, every depth with the
 * options' network. 0, or CLI_EXIT_USAGE after a message. */
int cli_experiment_check(const char *cmd, const cli_common *c, const int *depths, int n);

/* Load the data, train every net with a progress line on a terminal, write
 * the files into the run folder, the manifest, the figures, and the summary
 * unless --quiet. The exit status. */
int cli_experiment_run(cli_run *r, const cli_experiment *x);

/* Write dir/NAME.gp and, unless --no-plot, draw NAME.png and NAME.svg;
 * warn once (through *warned) when gnuplot is missing. 0, or -1 after a
 * message. (For the commands not yet on cli_run.) */
int cli_experiment_figure(const char *cmd, const cli_common *c, const char *name,
                         gf_plot_body body, const void *fig, int *warned);

/* The first line of a summary: data, network, optimizer, epochs, seeds. */
/* ||dL/dx_0|| / ||dL/dx_B|| from its log10 as "10^+1.23"; a ratio of 0 (no
 * gradient reaches x_0: a dead net), of 0 / 0 (no gradient at all) or inf
 * in words. buf returned. */
const char *cli_ratio_text(char *buf, size_t size, double log10_ratio);

void cli_experiment_heading(const char *cmd, const gf_grid_result *res,
                           const cli_common *c, const cli_train_opts *t);

#endif
