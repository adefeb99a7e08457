/* gf_grid.h: the training harness: train a grid of nets (architectures x
 * depths x seeds, optionally each residual net also with stochastic depth)
 * with the same settings, and keep what every trainer recorded. `gradflow
 * degrade` is this grid and its files; stochdepth, init-compare, pathgrad,
 * lesion and the lessons train their nets through it.
 *
 * For each architecture, depth and seed: build the stack, initialize it from
 * the seed, train it with the same settings, evaluate after every epoch, and
 * keep what the trainer recorded. A net whose loss or gradient stops being
 * finite is stopped and marked; the others go on.
 */
#ifndef GF_GRID_H
#define GF_GRID_H

#include "data/gf_data.h"
#include "nn/gf_nn.h"
#include "train/gf_train.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { GF_GRID_MAX_DEPTHS = 8 };

typedef struct gf_grid_net {
    gf_arch arch;
    int depth;
    long seed;
    int stochastic_depth;             /* 1: trained with the spec's stochastic depth */
    char name[GF_NET_NAME_MAX];       /* "plain-56", "resnet-56-sd" */
    gf_epoch_stats *hist;             /* [epochs] */
    int epochs_done;
    gf_epoch_stats init;              /* with spec.eval_init: the net before any step (epoch
                                         0, step 0; errors and losses, the rest 0) */
    int has_init;                     /* 1: init holds that evaluation */
    gf_train_probe *probes;
    size_t n_probes;
    gf_train_param_norm *pnorms;
    size_t n_pnorms;
    char (*slot_names)[64];           /* the net's parameter names, for pnorms */
    long steps_per_epoch;
    int resumed_from;                 /* epochs read from a checkpoint; 0: fresh */
    int failed;                       /* stopped: why[] says where */
    char why[512];
} gf_grid_net;

typedef struct gf_grid_spec {
    gf_stack_config base;             /* arch and depth come from the lists */
    const gf_arch *archs;
    int n_archs;
    const int *depths;
    int n_depths;
    int seeds;
    long seed0;                       /* seed k: weights and batch order */
    gf_train_config train;
    const gf_dataset *train_set, *test_set;
    const char *data_name;
    const char *out;                  /* rewrite the data files here after every epoch; or NULL */
    int checkpoints;                  /* save out/checkpoints/NET-seedK.safetensors every epoch */
    int resume;                       /* continue from those checkpoints where they exist */
    int eval_init;                    /* 1: evaluate every net at initialization too, as the
                                         trainer does after an epoch (evaluation mode: batch
                                         norm with its initial running statistics, mean 0 and
                                         variance 1); written as epoch 0 of the curves */
    /* stochastic depth (`gradflow stochdepth`): with a rule other than NONE
     * every residual net is trained twice, whole ("resnet-56") and then
     * with blocks dropped by the rule ("resnet-56-sd"); plain nets whole
     * only. NONE (zero): every net whole, as degrade does. */
    gf_survival_kind survival;
    double p_last;
    /* called when a net starts, and after every step */
    void (*on_run)(void *ctx, const gf_grid_net *r, int index, int total);
    gf_step_fn on_step;
    void *ctx;
} gf_grid_spec;

typedef struct gf_grid_result {
    gf_grid_spec spec;
    gf_grid_net *runs;             /* arch-major, then depth, whole / -sd, then seed */
    int n_runs;
    int any_failed;
    double wall_seconds;
} gf_grid_result;

/* Train every net. 0 (also when some nets diverged: see runs[i].failed), or
 * -1 with a reason for failures that end the experiment. */
int gf_grid_train(const gf_grid_spec *spec, gf_grid_result *res, char *why,
                       size_t size);
void gf_grid_release(gf_grid_result *res);

/* Write curves.tsv, curves_mean.tsv, gradnorm_training.tsv,
 * params_training.tsv and table.md into dir (with spec.eval_init the curves
 * open with an epoch-0 row per net). 0, or -1 with a reason. */
int gf_grid_write(const gf_grid_result *res, const char *dir, char *why, size_t size);

/* The columns that name a run in the TSV files: net, arch, depth, seed. */
void gf_grid_run_columns(FILE *f, const gf_grid_net *run);

/* The table of final errors (Markdown), as in table.md. */
int gf_grid_write_table(FILE *f, const gf_grid_result *res);

/* Final training and test error of (arch, depth) over the seeds that
 * finished: mean and sample standard deviation (0 for one seed). */
void gf_grid_final(const gf_grid_result *res, gf_arch arch, int depth, double *train_mean,
                      double *train_sd, double *test_mean, double *test_sd, int *n);
/* The same for the net of that name ("resnet-56-sd"). */
void gf_grid_final_net(const gf_grid_result *res, const char *net, double *train_mean,
                          double *train_sd, double *test_mean, double *test_sd, int *n);

/* log10 of ||dL/dx_0|| / ||dL/dx_B|| of run r at its first and last probed
 * step. 0, or -1 when r has fewer than two probed steps. */
int gf_grid_gradient_ends(const gf_grid_net *r, double *first, double *last);

/* The deepest requested depth (the nets of the gradient-norm figure). */
int gf_grid_deepest(const gf_grid_result *res);

#ifdef __cplusplus
}
#endif
#endif
