/* gf_measure.h: the gradient-norm experiment, shared by `gradflow gradnorm`
 * and the lessons.
 *
 * For each architecture and seed: build the stack, initialize it from the
 * seed, draw a batch of the synthetic set, run forward (batch norm in
 * training mode unless told otherwise), the mean cross-entropy and backward
 * with probes everywhere, and keep every probe's norms (as log2) and every
 * parameter's norms.
 */
#ifndef GF_MEASURE_H
#define GF_MEASURE_H

#include "data/gf_data.h"
#include "nn/gf_nn.h"
#include "plots/gf_plot.h"
#include "probe/gf_probe.h"
#include "train/gf_train.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_gradnorm_spec {
    gf_stack_config base;       /* arch is taken from archs[] */
    const gf_arch *archs;
    int n_archs;
    int seeds;
    unsigned long seed0;        /* seed k is seed0 + k: weights and batch */
    size_t batch;
    int bn_eval;                /* batch norm with running statistics */
    const gf_dataset *data;     /* inputs in_dim = data->dim, classes = data->classes */
    const char *save;           /* safetensors path (first seed of each arch), or NULL */
    void (*progress)(void *ctx, int done, int total);
    void *progress_ctx;
} gf_gradnorm_spec;

typedef struct gf_gradnorm_probe {
    int arch, seed;             /* index into archs[], seed offset k */
    gf_probe_record rec;        /* tensor pointer cleared */
} gf_gradnorm_probe;

typedef struct gf_gradnorm_param {
    int arch, seed, slot;
    char name[64];
    size_t numel;
    double log2_grad, log2_value; /* -inf for zero; NaN grad for buffers */
} gf_gradnorm_param;

typedef struct gf_gradnorm_result {
    gf_gradnorm_spec spec;
    int blocks;
    gf_gradnorm_probe *probe;   /* every probe, in (arch, seed, record) order */
    size_t n_probes;
    gf_gradnorm_param *param;
    size_t n_params;
    double *loss;               /* [arch * seeds + seed] */
    double *theory;             /* [arch * blocks + l]: predicted log10 block gains, or NaN */
    char (*theory_why)[128];    /* [arch]: why there is no prediction ("" when there is one) */
} gf_gradnorm_result;

/* Run the experiment; 0, or -1 with a one-line reason. */
int gf_gradnorm_run(const gf_gradnorm_spec *spec, gf_gradnorm_result *res, char *why,
                    size_t size);
void gf_gradnorm_release(gf_gradnorm_result *res);

/* The block-boundary record of (arch, seed, block), or NULL. */
const gf_probe_record *gf_gradnorm_block(const gf_gradnorm_result *res, int arch, int seed,
                                         int block);

/* Over seeds at one block boundary: mean, min and max of log10 ||dL/dx||. */
void gf_gradnorm_block_stats(const gf_gradnorm_result *res, int arch, int block, double *mean,
                             double *min, double *max);

/* Write gradnorm.tsv, gradnorm_mean.tsv, probes.tsv, params.tsv and, when a
 * residual architecture ran, split_mean.tsv into dir. 0, or -1 with reason. */
int gf_gradnorm_write(const gf_gradnorm_result *res, const char *dir, char *why, size_t size);

/* ---- the degradation experiment (`gradflow degrade`, lesson 02) ---------- *
 *
 * For each architecture, depth and seed: build the stack, initialize it from
 * the seed, train it with the same settings, evaluate after every epoch, and
 * keep what the trainer recorded. A net whose loss or gradient stops being
 * finite is stopped and marked; the others go on.
 */

enum { GF_DEGRADE_MAX_DEPTHS = 8 };

typedef enum { GF_DATA_AUTO, GF_DATA_FASHION, GF_DATA_SYNTHETIC } gf_data_kind;
extern const char *const gf_data_names[]; /* "auto", "fashion", "synthetic", NULL */

/* Load the experiment's data: Fashion-MNIST from dir (AUTO: when installed),
 * else the synthetic set (gradnorm's generator, 32 features; its last ntest
 * samples held out). *name is "Fashion-MNIST" or "synthetic". 0, or -1
 * with a reason. */
int gf_degrade_data(gf_data_kind kind, const char *dir, size_t ntrain, size_t ntest,
                    gf_dataset *train, gf_dataset *test, const char **name, char *why,
                    size_t size);

typedef struct gf_degrade_run {
    gf_arch arch;
    int depth;
    long seed;
    char name[24];                    /* "plain-56" */
    gf_epoch_stats *hist;             /* [epochs] */
    int epochs_done;
    gf_train_probe *probes;
    size_t n_probes;
    gf_train_param_norm *pnorms;
    size_t n_pnorms;
    char (*slot_names)[64];           /* the net's parameter names, for pnorms */
    long steps_per_epoch;
    int resumed_from;                 /* epochs read from a checkpoint; 0: fresh */
    int failed;                       /* stopped: why[] says where */
    char why[512];
} gf_degrade_run;

typedef struct gf_degrade_spec {
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
    /* called when a net starts, and after every step */
    void (*on_run)(void *ctx, const gf_degrade_run *r, int index, int total);
    gf_step_fn on_step;
    void *ctx;
} gf_degrade_spec;

typedef struct gf_degrade_result {
    gf_degrade_spec spec;
    gf_degrade_run *runs;             /* arch-major, then depth, then seed */
    int n_runs;
    int any_failed;
    double wall_seconds;
} gf_degrade_result;

/* Train every net. 0 (also when some nets diverged: see runs[i].failed), or
 * -1 with a reason for failures that end the experiment. */
int gf_degrade_run_all(const gf_degrade_spec *spec, gf_degrade_result *res, char *why,
                       size_t size);
void gf_degrade_release(gf_degrade_result *res);

/* Write curves.tsv, curves_mean.tsv, gradnorm_training.tsv,
 * params_training.tsv and table.md into dir. 0, or -1 with a reason. */
int gf_degrade_write(const gf_degrade_result *res, const char *dir, char *why, size_t size);

/* The table of final errors (Markdown), as in table.md. */
int gf_degrade_write_table(FILE *f, const void *res);

/* Final training and test error of (arch, depth) over the seeds that
 * finished: mean and sample standard deviation (0 for one seed). */
void gf_degrade_final(const gf_degrade_result *res, gf_arch arch, int depth, double *train_mean,
                      double *train_sd, double *test_mean, double *test_sd, int *n);

/* The deepest requested depth (the nets of the gradient-norm figure). */
int gf_degrade_deepest(const gf_degrade_result *res);

/* The figures' recipes filled from a result: the error curves (plain nets
 * left, residual right) and the per-depth gradient norm at up to 6 probed
 * steps of the deepest nets, first seed. Pointers inside point into f. */
typedef struct gf_degrade_figs {
    gf_fig_curves curves;
    gf_fig_training_norms norms;
    char title[256], subtitle[256], norms_title[256];
    char names[GF_ARCH_COUNT * GF_DEGRADE_MAX_DEPTHS][24];
    const char *left[GF_ARCH_COUNT * GF_DEGRADE_MAX_DEPTHS];
    const char *right[GF_ARCH_COUNT * GF_DEGRADE_MAX_DEPTHS];
    int left_rank[GF_ARCH_COUNT * GF_DEGRADE_MAX_DEPTHS];
    int right_rank[GF_ARCH_COUNT * GF_DEGRADE_MAX_DEPTHS];
    char norm_names[GF_ARCH_COUNT][24];
    const char *norm_nets[GF_ARCH_COUNT];
    long steps[6];
    int step_epochs[6];
} gf_degrade_figs;
void gf_degrade_figs_make(const gf_degrade_result *res, gf_degrade_figs *f);

#ifdef __cplusplus
}
#endif
#endif
