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

/* Stochastic depth (Huang et al. 2016) as a rule over a net's B blocks:
 * none, linear decay p_l = 1 - (l/B)(1 - p_last) (gf_survival_linear) or
 * uniform p_l = p_last (gf_survival_uniform). */
typedef enum { GF_SURVIVAL_NONE, GF_SURVIVAL_LINEAR, GF_SURVIVAL_UNIFORM,
               GF_SURVIVAL_COUNT } gf_survival_kind;
extern const char *const gf_survival_names[]; /* "none", "linear", "uniform", NULL */

/* The survival probabilities p[0..blocks-1] of a rule (NONE: all 1). */
void gf_survival_fill(gf_survival_kind kind, double p_last, int blocks, double *p);

typedef struct gf_degrade_run {
    gf_arch arch;
    int depth;
    long seed;
    int sd;                           /* 1: trained with the spec's stochastic depth */
    char name[24];                    /* "plain-56", "resnet-56-sd" */
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
    /* stochastic depth (`gradflow stochdepth`): with a rule other than NONE
     * every residual net is trained twice, whole ("resnet-56") and then
     * with blocks dropped by the rule ("resnet-56-sd"); plain nets whole
     * only. NONE (zero): every net whole, as degrade does. */
    gf_survival_kind survival;
    double p_last;
    /* called when a net starts, and after every step */
    void (*on_run)(void *ctx, const gf_degrade_run *r, int index, int total);
    gf_step_fn on_step;
    void *ctx;
} gf_degrade_spec;

typedef struct gf_degrade_result {
    gf_degrade_spec spec;
    gf_degrade_run *runs;             /* arch-major, then depth, whole / -sd, then seed */
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
/* The same for the net of that name ("resnet-56-sd"). */
void gf_degrade_final_net(const gf_degrade_result *res, const char *net, double *train_mean,
                          double *train_sd, double *test_mean, double *test_sd, int *n);

/* log10 of ||dL/dx_0|| / ||dL/dx_B|| of run r at its first and last probed
 * step. 0, or -1 when r has fewer than two probed steps. */
int gf_degrade_gradient_ends(const gf_degrade_run *r, double *first, double *last);

/* The deepest requested depth (the nets of the gradient-norm figure). */
int gf_degrade_deepest(const gf_degrade_result *res);


/* ---- stochastic depth (`gradflow stochdepth`) ------------------------------ *
 *
 * A degrade experiment with spec.survival set trains each residual net whole
 * and with stochastic depth. A pair compares the two: what the rule leads
 * one to expect, and what was measured.
 */
typedef struct gf_stochdepth_pair {
    char whole[24], sd[24];           /* net names: "resnet-56", "resnet-56-sd" */
    gf_arch arch;
    int depth, blocks;
    double expected_blocks;           /* E[blocks run in a step] = sum_l p_l */
    double expected_layers;           /* E[weight layers run] = 2 sum_l p_l + 2 */
    double block_fraction;            /* sum_l p_l / B */
    double mac_fraction;              /* expected share of the whole net's Linear multiply-adds:
                                         (in w + w c + 2 w^2 sum p_l) / (in w + w c + 2 w^2 B) */
    double fixed_share;               /* the stem and head's share of the whole net's:
                                         (in w + w c) / (in w + w c + 2 w^2 B) */
    /* [0] whole, [1] -sd; times of the training steps of an epoch over every
     * epoch of every seed: median and fastest (each epoch does the same work,
     * so the fastest is the one other programs disturbed least) */
    double seconds[2], seconds_min[2], cpu_seconds[2], cpu_seconds_min[2];
    double spread[2];                 /* of the wall seconds: interquartile range / median */
    double eval_seconds[2];           /* evaluation after an epoch: median */
    double train_err[2], test_err[2]; /* final, mean over the seeds that finished */
    int finished[2];                  /* seeds that finished */
} gf_stochdepth_pair;

/* The pairs of a result (one per residual architecture and depth), at most
 * max. Their count. */
int gf_stochdepth_pairs(const gf_degrade_result *res, gf_stochdepth_pair *out, int max);

/* Write stochdepth.tsv (a row per net: the rule, the expected depth and
 * work, final errors, times per epoch and their ratio to the whole net)
 * and epoch_times.tsv (a row per net, seed and epoch: wall and processor
 * seconds of the training steps, seconds of the evaluation) into dir. 0,
 * or -1 with a reason. */
int gf_stochdepth_write(const gf_degrade_result *res, const char *dir, char *why, size_t size);

/* ---- lesions (`gradflow lesion`, the ensemble-view lesson) ---------------- *
 *
 * Veit, Wilber and Belongie (2016, Figs. 3 to 5): a trained net evaluated on
 * a test set with blocks deleted or reordered. A deleted block is the
 * identity, x_{l+1} = x_l: for resnet and preact this removes the branch F
 * (resnet: relu(0 + x_l) = x_l, since x_l >= 0 already), for plain the whole
 * block. Reordering swaps k random pairs of block positions. Evaluation mode
 * throughout: batch norm uses its running statistics, so in a plain net the
 * blocks after a deleted one see inputs their statistics do not describe.
 *
 * The draws depend only on (seed, k, draw, B), so nets of the same depth see
 * the same lesions: row k of the deletions draws from an mt19937 seeded with
 * seed * 1000003 + 2k, row k of the swaps from one seeded with
 * seed * 1000003 + 2k + 1, draw after draw.
 */

/* A net to lesion, loaded from a safetensors file gradflow wrote (a training
 * checkpoint or an export): its metadata must describe cfg. NULL with a
 * reason naming the file and the first difference ("width is 32 in the
 * file, 64 here"). *epochs_done: the epochs a checkpoint records, or -1. */
gf_stack *gf_lesion_load(const char *path, const gf_stack_config *cfg, int *epochs_done,
                         char *why, size_t size);

/* Draw k distinct positions of `blocks` to delete (drop[i] = 1), uniformly. */
void gf_lesion_draw_deletion(gsl_rng *rng, int blocks, int k, unsigned char *drop);
/* The block order after k swaps of random pairs of positions, from in order. */
void gf_lesion_draw_swaps(gsl_rng *rng, int blocks, int k, int *order);
/* Kendall's tau between order and 0..n-1: 1 - 4 inversions / (n (n - 1)); 1 for n < 2. */
double gf_kendall_tau(const int *order, int n);

typedef struct gf_lesion_spec {
    const gf_dataset *test;     /* the images evaluated, in evaluation mode */
    int draws;                  /* random draws for every k (>= 1) */
    int max_delete;             /* k = 0..max_delete blocks deleted (<= B) */
    int max_swaps;              /* k = 0..max_swaps pairs swapped (0 when B < 2) */
    unsigned long seed;         /* the draws, >= 1 */
    size_t eval_batch;          /* memory only: the errors do not depend on it */
    void (*progress)(void *ctx, int done, int total); /* after every evaluation */
    void *progress_ctx;
} gf_lesion_spec;

/* Rows k = 0..kmax of random lesions, up to `draws` each. A row whose lesion
 * is the same for every draw (nothing deleted, or everything; no swap) is
 * evaluated once: n[k] = 1. */
typedef struct gf_lesion_set {
    int kmax, draws, blocks;
    int *n;                     /* [kmax + 1]: draws evaluated */
    double *err, *loss, *tau;   /* [(kmax + 1) * draws]: row k, draw j; tau of the order */
    unsigned char *drop;        /* deletions: [(kmax + 1) * draws * blocks], 1 = deleted */
    int *order;                 /* [(kmax + 1) * draws * blocks]: the block run at each position */
} gf_lesion_set;

typedef struct gf_lesion_result {
    gf_lesion_spec spec;
    gf_arch arch;
    int depth, blocks;
    char name[24];              /* "resnet-56" */
    double base_err, base_loss; /* the whole net, no plan */
    double *single_err, *single_loss; /* [blocks]: block b deleted, the rest in order */
    gf_lesion_set del, swap;
    double seconds[3];          /* wall time: single deletions, random deletions, swaps */
} gf_lesion_result;

/* Every lesion of net (its running statistics are not changed). 0, or -1
 * with a reason. */
int gf_lesion_run(gf_stack *net, const gf_lesion_spec *spec, gf_lesion_result *res, char *why,
                  size_t size);
void gf_lesion_release(gf_lesion_result *res);

/* Over the draws of row k: mean and sample standard deviation (0 for one
 * draw) of the error, its min and max, and the mean Kendall's tau. */
void gf_lesion_row_stats(const gf_lesion_set *s, int k, double *mean, double *sd, double *min,
                         double *max, double *tau);

/* Write lesion_single.tsv, lesion_delete.tsv, lesion_delete_mean.tsv,
 * lesion_swap.tsv and lesion_swap_mean.tsv for n nets into dir (errors as
 * fractions). 0, or -1 with a reason. */
int gf_lesion_write(const gf_lesion_result *res, int n, const char *dir, char *why, size_t size);


/* ---- the Jacobian experiment (`gradflow jacobian`, the gradient-flow lesson) ---- *
 *
 * For each architecture and seed: build the stack, initialize it from the
 * seed, draw one sample of the synthetic set, set batch norm's running
 * statistics, and compute at that sample the block Jacobians J_l =
 * dx_{l+1}/dx_l and the end-to-end Jacobians dx_B/dx_l (gf_jacobians_compute:
 * batched vector-Jacobian products, batch norm in evaluation mode). Up to
 * GF_JACOBIAN_FULL_MAX features every singular value of every Jacobian is
 * computed (gf_singular_values_fast); above, only the largest (power
 * iteration: a lower bound that converges from below) and the Frobenius norm.
 *
 * The numerical rank counts singular values above d * eps * sigma_max (as
 * NumPy's matrix_rank). ReLU stacks are exactly singular where units are
 * off: rows of J are zero. Their condition number is then infinite, and the
 * condition number on the range, sigma_max / (smallest sigma above that
 * tolerance), says how unevenly the directions that survive are scaled; it
 * cannot exceed 1 / (d * eps), the limit of double precision.
 */

enum { GF_JACOBIAN_FULL_MAX = 512 };

typedef enum { GF_JAC_END, GF_JAC_BLOCK } gf_jac_kind;
extern const char *const gf_jac_kind_names[]; /* "end", "block", NULL */

typedef struct gf_jacobian_spec {
    gf_stack_config base;       /* arch from archs[]; in_dim and classes from data */
    const gf_arch *archs;
    int n_archs;
    int seeds;
    unsigned long seed0;        /* seed k = seed0 + k: weights, then the sample, then warm-up */
    const gf_dataset *data;
    int bn_warmup;              /* batch norm: training-mode passes that set the running
                                   statistics (their cumulative average); 0 keeps (0, 1) */
    size_t warmup_batch;        /* samples per warm-up pass */
    const int *spectra;         /* block boundaries whose whole spectra spectra.tsv keeps */
    int n_spectra;
    void (*progress)(void *ctx, int done, int total);
    void *progress_ctx;
} gf_jacobian_spec;

/* One Jacobian: kind END is dx_B/dx_l (l = 0..B; l = B is the identity),
 * BLOCK is J_l (l = 0..B-1). NaN and rank -1 where not computed (wide). */
typedef struct gf_jacobian_stat {
    int arch, seed, l;          /* arch: index into archs[]; seed offset k */
    gf_jac_kind kind;
    double sv_max, sv_min;      /* sv_min as computed: rounding level when singular */
    double sv_min_nonzero;      /* smallest above the rank tolerance */
    double frobenius;           /* sqrt(sum sigma^2) */
    int rank;                   /* numerical rank */
} gf_jacobian_stat;

typedef struct gf_jacobian_result {
    gf_jacobian_spec spec;
    int blocks;
    size_t d;                   /* width */
    int full;                   /* every singular value computed (d <= FULL_MAX) */
    gf_jacobian_stat *stat;     /* [(arch * seeds + k) * (2B + 1) + (end: l, block: B + 1 + l)] */
    size_t n_stats;
    double *sv;                 /* full: stat i's values at sv + i * d, largest first */
    double *theory;             /* [arch * blocks + l]: predicted log10 RMS gain of J_l, or NaN */
    char (*theory_why)[128];    /* [arch]: why there is none ("" when there is one) */
    double seconds_jacobians;   /* in gf_jacobians_compute */
    double seconds_spectra;     /* singular values or power iterations */
    double seconds;             /* the whole run */
} gf_jacobian_result;

/* Run the experiment; 0, or -1 with a one-line reason. */
int gf_jacobian_run(const gf_jacobian_spec *spec, gf_jacobian_result *res, char *why,
                    size_t size);
void gf_jacobian_release(gf_jacobian_result *res);

/* The record of (arch, seed offset k, kind, l), or NULL outside the run. */
const gf_jacobian_stat *gf_jacobian_get(const gf_jacobian_result *res, int arch, int k,
                                        gf_jac_kind kind, int l);
/* Its spectrum (d values, largest first), or NULL when not computed. */
const double *gf_jacobian_spectrum(const gf_jacobian_result *res, const gf_jacobian_stat *st);

/* The tolerance of the numerical rank: d * eps * sigma_max. */
double gf_jacobian_rank_tol(size_t d, double sv_max);
/* sigma_max / sigma_min: +inf when numerically singular, NaN when not computed. */
double gf_jacobian_condition(const gf_jacobian_result *res, const gf_jacobian_stat *st);
/* sigma_max / sv_min_nonzero (NaN when not computed). */
double gf_jacobian_condition_range(const gf_jacobian_stat *st);
/* ||J||_F / sqrt(d): the root-mean-square singular value, the gain of J^T on a
 * random direction (what the product-of-gains theory predicts). */
double gf_jacobian_rms_gain(const gf_jacobian_result *res, const gf_jacobian_stat *st);

/* Over seeds at (arch, kind, l): mean, min and max of log10 of x(stat), x one
 * of the GF_JSTAT_ columns (RANK: the rank itself, not its log); non-finite
 * values (the log of a zero) are skipped, n counts the rest. */
typedef enum {
    GF_JSTAT_SV_MAX, GF_JSTAT_SV_MIN_NONZERO, GF_JSTAT_RMS_GAIN, GF_JSTAT_CONDITION_RANGE,
    GF_JSTAT_RANK
} gf_jstat;
void gf_jacobian_seed_stats(const gf_jacobian_result *res, int arch, gf_jac_kind kind, int l,
                            gf_jstat what, double *mean, double *min, double *max, int *n);

/* Write jacobian.tsv, jacobian_mean.tsv and (full) spectra.tsv into dir. 0,
 * or -1 with a reason. */
int gf_jacobian_write(const gf_jacobian_result *res, const char *dir, char *why, size_t size);

/* ---- paths and the gradient by path length (`gradflow paths`, `gradflow
 * pathgrad`, the lesson on the ensemble view) ------------------------------ *
 *
 * Veit et al. (2016) unroll B residual blocks into 2^B paths and ask which
 * path lengths carry the gradient. gf_pathgrad_measure splits dL/dx_0 of one
 * batch exactly into g_0..g_B (gf_pathgrad_exact: g_k sums the paths through
 * k branches) and samples single paths of chosen lengths as Veit did
 * (gf_pathgrad_sample); gf_pathgrad_read says where the gradient lies.
 */

/* What a checkpoint records of its training, where it does (else 0). */
typedef struct gf_checkpoint_info {
    long seed;                        /* the training seed: the initial weights' seed */
    long epochs_done;
} gf_checkpoint_info;

/* A network saved by gf_trainer_save (`gradflow degrade`, `gradflow
 * pathgrad`): its configuration from the file's metadata, then its state;
 * info may be NULL. NULL with a one-line reason. */
gf_stack *gf_stack_from_checkpoint(const char *path, gf_checkpoint_info *info, char *why,
                                   size_t size);

enum { GF_PATHGRAD_MAX_LENGTHS = 64 };

/* The lengths sampled by default: 1, 2, 3, then about every B/8 up to B - 1
 * (k = 0 and k = B are single paths, exact by construction). Their count,
 * ascending and distinct, into ks (room for GF_PATHGRAD_MAX_LENGTHS). */
int gf_pathgrad_default_lengths(int blocks, int *ks);

/* One network state, per path length k = 0..B (arrays of B + 1). */
typedef struct gf_pathgrad_curve {
    char state[16];                   /* "init", "trained" */
    int blocks;
    size_t n;                         /* images in the batch */
    double loss;                      /* mean cross-entropy of the batch, evaluation mode */
    double log10_grad;                /* log10 ||dL/dx_0|| (Frobenius norm over the batch) */
    double sum_rel_err;               /* ||sum_k g_k - dL/dx_0|| / ||dL/dx_0|| */
    double *log10_norm;               /* log10 ||g_k||; -inf where g_k is exactly 0 */
    double *share;                    /* <g_k, dL/dx_0> / ||dL/dx_0||^2: sums to 1 */
    /* Veit's sampling at the sampled lengths (NaN elsewhere); C = C(B, k) */
    int samples;                      /* paths per sampled length; 0: none sampled */
    unsigned char *sampled;           /* 1 where k was sampled */
    double *log10_est, *log10_est_se; /* ||C mean of the sampled paths||: estimates ||g_k|| */
    double *err_ratio;                /* ||C mean - g_k|| / its standard error: about 1 */
    double *log10_path, *log10_path_se; /* mean norm of one path ("per path", no cancelling) */
    double seconds_exact, seconds_sampled;
} gf_pathgrad_curve;

/* Measure stack s on the batch x (n x in_dim) with labels: the exact split,
 * then `samples` paths at each of the n_ks lengths ks (none when n_ks is
 * 0), drawn from rng; progress(ctx, done, n_ks) after each length (may be
 * NULL). state names the curve. 0, or -1 with a reason. */
int gf_pathgrad_measure(gf_stack *s, const double *x, const int *labels, size_t n, const int *ks,
                        int n_ks, int samples, gsl_rng *rng, const char *state,
                        void (*progress)(void *ctx, int done, int total), void *ctx,
                        gf_pathgrad_curve *out, char *why, size_t size);
void gf_pathgrad_curve_release(gf_pathgrad_curve *c);

/* z = (sampled - exact) / standard error at length k: NaN where k was not
 * sampled; for a single path (se 0) 0 when the two agree to rounding. */
double gf_pathgrad_z(const gf_pathgrad_curve *c, int k);

/* Where the gradient lies, read from a curve. "Mass" is the share of
 * sum_k ||g_k|| (each length's magnitude, before the lengths cancel). */
typedef struct gf_pathgrad_reading {
    int k_peak;             /* the length with the largest ||g_k|| */
    int k_lo, k_hi;         /* central 90% of the mass: where it passes 5% and 95% */
    double short_mass;      /* mass of the lengths k < B/2 */
    double short_proj;      /* sum over k < B/2 of share_k: their part of dL/dx_0 */
    double slope_exact;     /* least-squares slope over k of log10(||g_k|| / C): decades per
                               branch, for the norm of the average path of length k */
    double slope_paths;     /* the same for the sampled mean norm of one path (NaN: < 2 lengths) */
    int compared;           /* sampled lengths with more than one path */
    int within2, within3;   /* of those: |estimate - exact| within 2 and 3 standard errors */
    int resolved;           /* of those: standard error below half the exact norm */
    double ratio_min, ratio_max; /* err_ratio over those (about 1 when they agree) */
    double overstate_min, overstate_max; /* log10 of C mean ||path|| / ||g_k||: how far Veit's
                                            product (a) x (b) exceeds the length's total */
    int overstate_k;        /* where it is largest */
    double need_min, need_max; /* log10 of the samples the unresolved lengths would need for a
                                  standard error of half ||g_k|| (se ~ 1 / sqrt(samples)) */
} gf_pathgrad_reading;
void gf_pathgrad_read(const gf_pathgrad_curve *c, gf_pathgrad_reading *r);

/* Smallest and largest k of the central `mass` of the path-length
 * distribution of B blocks (e.g. 0.95: 95% of all paths have k_lo..k_hi). */
void gf_paths_central(int blocks, double mass, int *k_lo, int *k_hi);

/* paths.tsv in dir: k, paths (exact up to 66 blocks, else d.dddddde+N),
 * log10_paths, fraction, log10_fraction, cumulative. 0, or -1 with a reason. */
int gf_paths_write(int blocks, const char *dir, char *why, size_t size);

/* pathgrad.tsv in dir: one row per (state, k): state, k, log10_paths,
 * fraction, cumulative_paths, log10_norm, log10_per_path, mass,
 * cumulative_mass, share,
 * samples, log10_sampled, log10_sampled_se, z, error_ratio, log10_path,
 * log10_path_se, log10_veit_total. 0, or -1 with a reason. */
int gf_pathgrad_write(const gf_pathgrad_curve *c, int n_states, const char *dir, char *why,
                      size_t size);


/* ---- fluctuations (`gradflow hanin`; hanin.c) ------------------------------ *
 *
 * Hanin (2018): in a plain ReLU net at He initialization, ln of the squared
 * gradient fluctuates from one initialization to the next with a variance
 * that grows with beta = sum over hidden layers of 1/width. For each depth and
 * width, `seeds` plain stacks (He, no norm, relu; a batch of `batch`
 * synthetic inputs) each give ln ||dL/dx_0||^2, L either logit 0 (the
 * Jacobian) or the mean cross-entropy (through gf_gradnorm_run, whose
 * softmax adds its own fluctuation: a net whose logits happen to be large
 * is confidently right or wrong, and |dL/dlogits| swings with it); beta counts the depth - 2 ReLU layers between
 * x_0 and the head: (depth - 2) / width. Cell c (depth-major, then width)
 * uses seeds seed0 + c seeds .. seed0 + (c + 1) seeds - 1, so no two nets
 * share weights. The line Var = C beta + a is fitted by least squares
 * (gsl_fit_linear: standard errors from the scatter about the line).
 */
enum { GF_HANIN_MAX = 16 };

typedef struct gf_hanin_spec {
    const int *depths;                /* 2B + 2 each */
    int n_depths;
    const size_t *widths;
    int n_widths;
    int seeds;                        /* per cell, >= 2 */
    unsigned long seed0;              /* >= 1 */
    size_t batch;                     /* 1: a single input, Hanin's setting */
    int xent;                         /* 0: L = the sum over the batch of logit 0, so dL/dx_0
                                         is a row of the Jacobian (Hanin's quantity); 1: L =
                                         the mean cross-entropy, run by gf_gradnorm_run */
    const gf_dataset *data;           /* input size and classes */
    void (*progress)(void *ctx, int done, int total); /* after every net */
    void *progress_ctx;
} gf_hanin_spec;

typedef struct gf_hanin_cell {
    int depth;
    size_t width;
    double beta;                      /* (depth - 2) / width */
    unsigned long seed_first;
    int seeds;
    double mean, variance, sd;        /* of ln ||dL/dx_0||^2; variance with n - 1 */
    double variance_se;               /* variance sqrt(2 / (seeds - 1)) (Gaussian samples) */
    double predicted;                 /* gf_hanin_predicted (logit 0, batch 1; else NaN) */
    double seconds;
} gf_hanin_cell;

typedef struct gf_hanin_fit {
    double slope, intercept, se_slope, se_intercept, r2; /* NaN for fewer than 3 points */
    int n;
} gf_hanin_fit;

typedef struct gf_hanin_result {
    gf_hanin_spec spec;
    gf_hanin_cell *cell;              /* [d * n_widths + w] */
    int n_cells;
    double *ln_sq;                    /* [cell * seeds + k]: ln ||dL/dx_0||^2 */
    gf_hanin_fit fit;                 /* variance against beta over the cells */
    double wall_seconds;
} gf_hanin_result;

double gf_hanin_beta(int depth, size_t width);
/* The variance one ReLU layer of width n adds to ln ||g||^2 when its units
 * pass the gradient independently with probability 1/2 and its weights are
 * Gaussian: a unit count k ~ Binomial(n, 1/2) (k >= 1), the share of ||g||^2
 * on them ~ Beta(k/2, (n-k)/2), and the weights' chi-square with n degrees:
 *   v(n) = E_k[psi'(k/2)] + Var_k[psi(k/2)]  (psi the digamma function),
 * 5/n to leading order (3/n the units, 2/n the weights). */
double gf_hanin_layer_var(size_t n);
/* Var[ln ||dL/dx_0||^2] for L = logit 0 of a plain stack at He init under
 * the same independence: (depth - 2) v(n) + psi'(n/2), the last the head
 * row's chi-square. */
double gf_hanin_predicted(int depth, size_t width);
/* Least squares y = intercept + slope x with standard errors and R^2. 0, or
 * -1 (fewer than 3 points, or a degenerate x): fields NaN. */
int gf_hanin_fit_line(const double *x, const double *y, int n, gf_hanin_fit *fit);
/* Run every cell. 0, or -1 with a reason. */
int gf_hanin_run(const gf_hanin_spec *spec, gf_hanin_result *res, char *why, size_t size);
void gf_hanin_release(gf_hanin_result *res);
/* hanin.tsv (a row per cell: depth, width, sum_inv_width, seeds, mean,
 * variance, sd, variance_se, fitted, predicted, first_seed) and hanin_seeds.tsv (depth,
 * width, sum_inv_width, seed, ln_grad_sq) into dir. 0, or -1 with a reason. */
int gf_hanin_write(const gf_hanin_result *res, const char *dir, char *why, size_t size);


/* ---- shattered gradients (`gradflow shatter`; shatter.c, shatter_run.c) ---- *
 *
 * Balduzzi et al. (2017): a net with a scalar input and a scalar output, the
 * derivative d output / d input at every point of a grid, and how alike the
 * derivatives at neighbouring points are. Nets (width = hidden features):
 *   plain-D, resnet-D,  gradflow stacks of D = 2B + 2 weight layers, one
 *   preact-D            input, output column 0 of a two-column head; D = 2 is
 *                       the stem and the head (one hidden layer). He weights
 *                       with PyTorch's default biases U(+-1/sqrt(fan_in)): with
 *                       zero biases a ReLU net of a scalar input is linear on
 *                       each side of 0 and nothing can shatter.
 *   ...-bn              batch norm after every Linear (no bias there). The
 *                       running statistics are set by one training-mode pass
 *                       over the grid with momentum 1 (the grid's own
 *                       statistics, unbiased variance); the derivative is then
 *                       taken in evaluation mode: each point's own derivative
 *                       of a fixed function, not a batch Jacobian's diagonal.
 *   ll-D                "looks linear": D weight layers, the first x -> h
 *                       (h = width / 2), then D - 1 times CReLU and mirrored
 *                       weights [W0, -W0], W0 orthogonal, no biases: the net
 *                       is exactly linear at initialization.
 * Seed k initializes the weights of every net (mt19937, in creation order).
 */
typedef enum {
    GF_SHATTER_PLAIN, GF_SHATTER_RESNET, GF_SHATTER_PREACT, GF_SHATTER_LL, GF_SHATTER_KINDS
} gf_shatter_kind;
extern const char *const gf_shatter_kind_names[]; /* "plain", "resnet", "preact", "ll", NULL */

typedef struct gf_shatter_net {
    gf_shatter_kind kind;
    int depth;                        /* weight layers (0 for a kind without a depth) */
    int batchnorm;                    /* plain, resnet, preact */
} gf_shatter_net;

/* "plain-24-bn", "resnet-50", "preact-50-bn", "ll-24" (and without the
 * depth: "plain-bn", "ll") into net. 0, or -1 with a one-line reason. */
int gf_shatter_net_parse(const char *s, gf_shatter_net *net, char *why, size_t size);
int gf_shatter_arch_parse(const char *s, gf_shatter_net *net, char *why, size_t size);
void gf_shatter_net_name(const gf_shatter_net *net, char *buf, size_t size);  /* "plain-24-bn" */
void gf_shatter_arch_name(const gf_shatter_net *net, char *buf, size_t size); /* "plain-bn" */

/* A net built and initialized from seed, batch norm statistics taken from
 * the grid (n points). It runs on tape (kept by the caller, reset at every
 * use; NULL: the model makes its own). NULL with a reason. */
typedef struct gf_shatter_model gf_shatter_model;
gf_shatter_model *gf_shatter_model_new(const gf_shatter_net *net, size_t width,
                                       unsigned long seed, const double *grid, size_t n,
                                       gf_tape *tape, char *why, size_t size);
/* Initialize the same net again from another seed (as _new would). 0 or -1. */
int gf_shatter_model_reseed(gf_shatter_model *m, unsigned long seed, const double *grid,
                            size_t n);
/* The output f(x_i) and d f / d x at x_i for n points, in evaluation mode
 * (either pointer may be NULL). 0 or -1. */
int gf_shatter_model_eval(gf_shatter_model *m, const double *x, size_t n, double *f,
                          double *grad);
void gf_shatter_model_free(gf_shatter_model *m);

/* n points evenly from lo to hi. */
void gf_shatter_grid(double *x, size_t n, double lo, double hi);

/* The sample autocorrelation of g at lags 0..max_lag: sum_i (g_i - m)
 * (g_{i+k} - m) / sum_i (g_i - m)^2 (NaN for k >= n). Returns 1 when g is
 * constant to rounding (spread below 1e-9 of its largest value): every lag
 * is then 1, a constant being perfectly correlated with itself. */
int gf_shatter_autocorr(const double *g, size_t n, int max_lag, double *acf);

enum { GF_SHATTER_MAX_NETS = 16, GF_SHATTER_MAX_DEPTHS = 32 };

typedef struct gf_shatter_spec {
    size_t points;                    /* the grid: 256 points */
    double lo, hi;                    /* in [-2, 2] */
    size_t width;                     /* 200 */
    const gf_shatter_net *nets;       /* the figure's nets, seed seed0 */
    int n_nets;
    int noise;                        /* add brown and white noise as references */
    const gf_shatter_net *archs;      /* the depth sweep (depth ignored) */
    int n_archs;
    const int *depths;
    int n_depths;
    int seeds;                        /* per sweep point: seed0 .. seed0 + seeds - 1 */
    unsigned long seed0;              /* >= 1 */
    int max_lag;                      /* autocorrelation lags 0..max_lag (< points) */
    void (*progress)(void *ctx, int done, int total);
    void *progress_ctx;
} gf_shatter_spec;

typedef struct gf_shatter_series {
    char name[32];                    /* the net's name, "brown-noise", "white-noise" */
    int is_net;
    gf_shatter_net net;               /* when is_net */
    double *grad, *out;               /* [points]; out NaN for noise */
    double *acf;                      /* [max_lag + 1] */
    int constant;                     /* constant to rounding: acf 1 */
    double grad_mean, grad_sd;
} gf_shatter_series;

typedef struct gf_shatter_point {     /* one arch and depth of the sweep */
    int arch, depth, seeds;
    int constant;                     /* seeds whose gradient was constant */
    double mean, sd, se, min, max;    /* of the lag-1 autocorrelation over seeds */
} gf_shatter_point;

typedef struct gf_shatter_decay {     /* fits of ln(mean) over the resolved points */
    int points;                       /* means above twice their standard error */
    double per_layer, per_layer_se;   /* exp(slope) of ln(mean) against depth: 2^-L gives 0.5 */
    double power, power_se;           /* slope against ln depth: 1/sqrt(L) gives -0.5 */
    double r2_exp, r2_power;          /* how well each line fits */
} gf_shatter_decay;

typedef struct gf_shatter_result {
    gf_shatter_spec spec;
    double *grid;
    gf_shatter_series *series;        /* the nets, then the noises */
    int n_series;
    double *corr;                     /* [(a * n_depths + d) * seeds + k] */
    gf_shatter_point *point;          /* [a * n_depths + d] */
    gf_shatter_decay *decay;          /* [a] */
    gf_tape *tape;                    /* while running: the one tape every net uses */
    double wall_seconds;
} gf_shatter_result;

int gf_shatter_run(const gf_shatter_spec *spec, gf_shatter_result *res, char *why, size_t size);
void gf_shatter_release(gf_shatter_result *res);
const gf_shatter_series *gf_shatter_find(const gf_shatter_result *res, const char *name);
/* shatter.tsv (net, x, gradient, output), autocorr.tsv (net, lag,
 * correlation, constant) and, with a sweep, depth.tsv (arch, depth, seeds,
 * correlation, sd, se, min, max, constant) and depth_seeds.tsv (arch, depth,
 * seed, correlation). 0, or -1 with a reason. */
int gf_shatter_write(const gf_shatter_result *res, const char *dir, char *why, size_t size);


#ifdef __cplusplus
}
#endif
#endif
