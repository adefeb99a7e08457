/* gf_jacobian.h: the Jacobians of a model (any family: gf_model) at one input, their spectra, and
 * the Jacobian experiment (`gradflow jacobian`; jacobian_run.c, jacobian_write.c).
 *
 * For one sample x (batch norm in evaluation mode: with batch statistics the
 * samples of a batch are coupled and a per-sample Jacobian is not defined),
 * the block Jacobian J_l = dx_{l+1}/dx_l and the end-to-end Jacobians
 * dx_B/dx_l, l = 0..B, are computed with the engine's vector-Jacobian
 * products: the sample is copied d times (d = width), so one backward pass
 * seeded with the d x d identity returns all d rows of a Jacobian at once
 * (row i is the gradient of output unit i). The end-to-end Jacobians of
 * every l come out of a single pass through the whole stack.
 *
 *   residual: J_l = D_l (I + dF_l/dx),   plain: J_l = dF_l/dx (with its activation)
 */
#ifndef GF_JACOBIAN_H
#define GF_JACOBIAN_H

#include "data/gf_data.h"
#include "model/gf_model.h"
#include "nn/gf_nn.h"

#include <gsl/gsl_rng.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_jacobians {
    int blocks;
    size_t d;
    double *block;   /* B x d x d: J_l, row-major, row i = d x_{l+1,i} / d x_l */
    double *end;     /* (B + 1) x d x d: dx_B/dx_l; l = B is the identity */
} gf_jacobians;

/* x: one sample (in_dim values); m in evaluation mode for the call, its
 * training mode restored after. 0, or -1 with a reason (a failed pass: the
 * tape's message). */
int gf_jacobians_compute(gf_model *m, const double *x, gf_jacobians *out, char *why,
                         size_t size);
void gf_jacobians_release(gf_jacobians *j);

/* All singular values of the m x n row-major matrix a, largest first
 * (min(m, n) of them), by GSL's SVD. 0 or -1. */
int gf_singular_values(const double *a, size_t m, size_t n, double *sv);

/* The same values without singular vectors, 15 to 30 times faster at 256 x 256
 * (svals.c): GSL's Householder bidiagonalization, then bisection on the
 * bidiagonal's Golub-Kahan form. Agrees with gf_singular_values to a few
 * eps * sigma_max; values below eps^2 * sigma_max come back as 0. 0, or -1
 * (out of memory, or a non-finite entry). */
int gf_singular_values_fast(const double *a, size_t m, size_t n, double *sv);

/* The largest singular value of the n x n matrix a by power iteration on
 * a^T a (for widths where a full SVD is too slow): iterates until the
 * estimate changes by less than tol relatively, at most max_iter times. */
double gf_spectral_norm(const double *a, size_t n, double tol, int max_iter, gsl_rng *rng);

/* The largest singular value of the map x_a -> x_b (blocks a..b-1 of m,
 * any widths) at x_a (d values), without forming its Jacobian J: power
 * iteration on J^T J, with J v by central differences (exact up to rounding
 * while no ReLU changes state: in evaluation mode the map is piecewise
 * linear) and J^T u by the engine's vector-Jacobian product. *sigma is
 * ||J^T u|| for a unit u: a lower bound that converges from below; it stops
 * when an iteration changes it by less than tol relatively, or after iters.
 * m runs in evaluation mode, its training mode restored after. 0, or -1
 * with a reason (the tape's message). */
int gf_jacobian_top_sv(gf_model *m, const double *x_a, size_t d, int a, int b, int iters,
                       double tol, gsl_rng *rng, double *sigma, char *why, size_t size);

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
 *
 * Nets whose blocks change width (the cnn family: a downsampling block maps
 * 28x28x16 to 14x14x32) have Jacobians of differing shapes, too large to
 * form on images (12544 x 12544 doubles, 1.2 GB, for the first stage of
 * Fashion-MNIST): when any arch of a run is not an MLP stack the run is
 * matrix-free. No Jacobian is formed; the largest singular value of every
 * block map and of every end-to-end map x_l -> x_B is found by power
 * iteration on J^T J (gf_jacobian_top_sv: at most GF_JACOBIAN_TOP_ITERS
 * iterations, relative change below 1e-6); the Frobenius norm, the smallest
 * singular values and the rank are NaN / -1 (not computed).
 */

enum { GF_JACOBIAN_FULL_MAX = 512, GF_JACOBIAN_TOP_ITERS = 300 };

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
    const char *load;           /* NULL, or the one net (archs[0]) from this file: seeds draw
                                   the sample only, batch norm keeps the file's statistics */
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
    int matrix_free;            /* no Jacobian formed: sv_max by gf_jacobian_top_sv only */
    size_t *width;              /* matrix-free: [arch * (blocks + 1) + l], x_l's width
                                   (seed 0's); else NULL */
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

/* An exact upper bound on the rank of dx_B/dx_l (seed offset k): the
 * fewest directions any of its factors passes, min over l' >= l of the
 * numerical rank of J_l' (a single block is resolved well above rounding;
 * for plain ReLU stacks it is the fewest active units in any layer). The
 * numerical rank of the product can fall below it only where double
 * precision loses the smallest directions. d for l = B; -1 when not computed. */
int gf_jacobian_rank_bound(const gf_jacobian_result *res, int arch, int k, int l);

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

#ifdef __cplusplus
}
#endif
#endif
