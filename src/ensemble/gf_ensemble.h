/* gf_ensemble.h: the ensemble view of residual networks (Veit, Wilber and
 * Belongie 2016): paths, the gradient each path length carries, and the
 * pathgrad experiment (pathgrad_run.c, pathgrad_write.c).
 *
 * Unrolled, B residual blocks x_{l+1} = x_l + F_l(x_l) open 2^B paths from
 * input to output: at every block a path takes the skip or the branch. The
 * number of paths through exactly k branches is C(B, k).
 *
 * Gradient by path length. Linearize the network at the current input: the
 * activation pattern (ReLU masks, batch norm with running statistics) is
 * fixed by the forward pass, so each block's Jacobian is
 *   J_l = D_l (S_l + J_{F_l}),
 * with D_l the derivative of the map after the sum (resnet: the activation;
 * identity for preact; gf_model_post_derivative) and S_l the skip (the
 * identity, or a cnn's option A where the width changes: gf_model_skip).
 * The network is any residual model (gf_model: stem, blocks, skips,
 * branches, head). dL/dx_0 = J_0^T ... J_{B-1}^T dL/dx_B expands into 2^B terms,
 * one per path; grouping them by the number k of branches taken gives
 *   dL/dx_0 = sum_k g_k.
 * gradflow propagates one cotangent per k backward through the blocks: at
 * block l every cotangent is multiplied by D_l, keeps its k through the skip
 * (S_l^T) and moves to k + 1 through the branch's vector-Jacobian product (all B + 1
 * cotangents in one batched pass through the branch). The sum of the g_k is
 * the ordinary gradient, to rounding.
 */
#ifndef GF_ENSEMBLE_H
#define GF_ENSEMBLE_H

#include "data/gf_data.h"
#include "model/gf_model.h"
#include "nn/gf_nn.h"

#include <gsl/gsl_rng.h>

#ifdef __cplusplus
extern "C" {
#endif

/* log10 C(n, k), exact to rounding for any n (log-gamma). */
double gf_log10_binomial(int n, int k);

/* The path-length distribution of n blocks, k = 0..n: log10 of the number
 * of paths C(n, k) and the fraction of all 2^n paths (a binomial(n, 1/2)
 * probability, computed in log space so n = 10,000 works). */
void gf_path_lengths(int n, double *log10_count, double *fraction);

/* The exact decomposition of dL/dx_0 by path length, for one batch. */
typedef struct gf_pathgrad {
    int blocks;
    size_t n, d;             /* batch x width */
    double *g;               /* (blocks + 1) x n x d: g_k, the gradient at x_0 of paths with k branches */
    double *full;            /* n x d: dL/dx_0 from an ordinary backward pass */
    double loss;
} gf_pathgrad;

/* For a residual model m (gf_model_residual: resnet, preact, cnn-resnet, cnn-preact;
 * evaluated in evaluation mode, its training mode restored after) and the
 * batch x (n x in_dim) with labels: the mean cross-entropy's gradient at
 * x_0 split by path length. 0, or -1 with a reason (a failed pass: the
 * tape's message). */
int gf_pathgrad_exact(gf_model *m, const double *x, const int *labels, size_t n,
                      gf_pathgrad *out, char *why, size_t size);
void gf_pathgrad_release(gf_pathgrad *p);

/* Veit et al.'s estimate by sampling: `samples` paths of length k drawn
 * uniformly (k of the B branches), each propagated alone. Returns, over the
 * samples, the mean path gradient (a vector, n x d, into mean: times C(B, k)
 * it estimates g_k), the standard error of the norm of that estimate of g_k
 * (from the samples' spread), and the mean of the paths' own norms
 * (Veit's "gradient magnitude per path") with its standard error. 0, or -1
 * with a reason. */
typedef struct gf_path_sample {
    int k, samples;
    double norm_estimate;    /* ||C(B, k) mean||: estimates ||g_k|| */
    double norm_stderr;      /* its standard error */
    double mean_path_norm;   /* mean over samples of ||path gradient|| */
    double mean_path_norm_se;/* its standard error (from the spread of the samples' norms) */
} gf_path_sample;

int gf_pathgrad_sample(gf_model *m, const double *x, const int *labels, size_t n, int k,
                       int samples, gsl_rng *rng, gf_path_sample *out, double *mean, char *why,
                       size_t size);

/* ---- paths and the gradient by path length (`gradflow paths`, `gradflow
 * pathgrad`, the lesson on the ensemble view) ------------------------------ *
 *
 * Veit et al. (2016) unroll B residual blocks into 2^B paths and ask which
 * path lengths carry the gradient. gf_pathgrad_measure splits dL/dx_0 of one
 * batch exactly into g_0..g_B (gf_pathgrad_exact: g_k sums the paths through
 * k branches) and samples single paths of chosen lengths as Veit did
 * (gf_pathgrad_sample); gf_pathgrad_read says where the gradient lies.
 */

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
                                      /* (||C mean|| / se, the same against 0, is
                                         10^(log10_est - log10_est_se)) */
    double *log10_path, *log10_path_se; /* mean norm of one path ("per path", no cancelling) */
    double seconds_exact, seconds_sampled;
} gf_pathgrad_curve;

/* Measure model m on the batch x (n x in_dim) with labels: the exact split,
 * then `samples` paths at each of the n_ks lengths ks (none when n_ks is
 * 0), drawn from rng; progress(ctx, done, n_ks) after each length (may be
 * NULL). state names the curve. 0, or -1 with a reason. */
int gf_pathgrad_measure(gf_model *m, const double *x, const int *labels, size_t n, const int *ks,
                        int n_ks, int samples, gsl_rng *rng, const char *state,
                        void (*progress)(void *ctx, int done, int total), void *ctx,
                        gf_pathgrad_curve *out, char *why, size_t size);
void gf_pathgrad_curve_release(gf_pathgrad_curve *c);

/* z = (sampled - exact) / standard error at length k: NaN where k was not
 * sampled; for a single path (se 0) 0 when the two agree to rounding. A
 * difference of norms: about 1 by construction wherever the mean of the
 * sampled paths is noise, so it is no test (gf_pathgrad_read's within2 and
 * zero_pass are). */
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
    /* The test (it can fail): at each of those, the vector error
     * ||C(B,k) mean - g_k|| in standard errors (err_ratio, about 1 for an
     * unbiased estimate) against 2 and 3. It fails for an estimate off by
     * more than about 2 standard errors, so where the standard error exceeds
     * ||g_k|| it passes for any answer near 0 as well: zero_pass counts the
     * lengths where the same test against the wrong answer 0 (||C(B,k)
     * mean|| / se <= 2) passes too, i.e. where the sample cannot tell g_k
     * from nothing. */
    int within2, within3;   /* err_ratio <= 2, <= 3 */
    int zero_pass;          /* ||C(B,k) mean|| within 2 standard errors of 0 */
    int k_told[GF_PATHGRAD_MAX_LENGTHS]; /* the compared - zero_pass lengths where it fails */
    int resolved;           /* standard error below half the exact norm */
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
 * samples, log10_sampled, log10_sampled_se, zero_ratio (||C mean|| / se),
 * error_ratio (||C mean - g_k|| / se), log10_path,
 * log10_path_se, log10_veit_total. 0, or -1 with a reason. */
int gf_pathgrad_write(const gf_pathgrad_curve *c, int n_states, const char *dir, char *why,
                      size_t size);

#ifdef __cplusplus
}
#endif
#endif
