/* gf_hanin.h: the fluctuation of the gradient over initializations
 * (`gradflow hanin`; Hanin 2018). */
#ifndef GF_HANIN_H
#define GF_HANIN_H

#include "data/gf_data.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

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
 * share weights.
 *
 * A net whose gradient is exactly zero (some ReLU layer has every unit off
 * at the input: probability 1 - (1 - 2^-n)^(depth - 1) at width n, the biases
 * being zero) is dead: ln 0 = -inf. It is counted per cell and left out of
 * the cell's statistics (Hanin's bounds, and the per-layer count below, are
 * for nets that pass a gradient). The headline line Var = C beta goes
 * through the origin (a variance cannot be negative) and is weighted by
 * the Gaussian standard error of a cell's variance at the line, C beta
 * sqrt(2 / (alive - 1)): C is the weighted mean of Var / beta over the
 * cells, its standard error from their scatter (gsl_fit_wmul).
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
    int dead;                         /* nets whose gradient is exactly 0 (left out below) */
    double mean, variance, sd;        /* of ln ||dL/dx_0||^2 over the seeds - dead live nets;
                                         variance with n - 1; NaN for fewer than 2 */
    double variance_se;               /* variance sqrt(2 / (live - 1)) (Gaussian samples) */
    double predicted;                 /* gf_hanin_predicted (logit 0, batch 1; else NaN) */
    double seconds;
} gf_hanin_cell;

typedef struct gf_hanin_fit {
    double slope, intercept, se_slope, se_intercept, r2; /* NaN for fewer than 3 points */
    int n;
} gf_hanin_fit;

/* The shape of ln ||g||^2 at one width: every live net of the width's cells,
 * standardized by its cell's mean and sd (cells with 3 or more live nets). */
typedef struct gf_hanin_shape {
    size_t width;
    int n;                            /* standardized values */
    double skewness, excess_kurtosis; /* 0 and 0 for a Gaussian (g log-normal); NaN for n < 3 */
} gf_hanin_shape;

typedef struct gf_hanin_result {
    gf_hanin_spec spec;
    gf_hanin_cell *cell;              /* [d * n_widths + w] */
    int n_cells;
    double *ln_sq;                    /* [cell * seeds + k]: ln ||dL/dx_0||^2 (-inf: dead) */
    gf_hanin_fit fit;                 /* Var = C beta over the cells with a variance: through
                                         the origin, weighted (intercept 0, se_intercept NaN;
                                         r2 = 1 - weighted residual / weighted total) */
    gf_hanin_shape shape[GF_HANIN_MAX]; /* [width] */
    double *qq;                       /* the widths' standardized values, each sorted, one
                                         width after the other (shape[w].n each) */
    int dead;                         /* over every cell */
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
/* Weighted least squares through the origin, y = slope x, weights w; the
 * slope's standard error from the weighted scatter about the line. 0, or -1
 * (fewer than 2 points): fields NaN. */
int gf_hanin_fit_origin(const double *x, const double *y, const double *w, int n,
                        gf_hanin_fit *fit);
/* The chance that a net of the cell is dead: 1 - (1 - 2^-width)^(depth - 1). */
double gf_hanin_dead_chance(int depth, size_t width);
/* Run every cell. 0, or -1 with a reason. */
int gf_hanin_run(const gf_hanin_spec *spec, gf_hanin_result *res, char *why, size_t size);
void gf_hanin_release(gf_hanin_result *res);
/* hanin.tsv (a row per cell: depth, width, sum_inv_width, seeds, dead,
 * dead_fraction, mean, variance, sd, variance_se, fitted, predicted,
 * first_seed), hanin_seeds.tsv (depth, width, sum_inv_width, seed,
 * ln_grad_sq: -inf for a dead net) and hanin_qq.tsv (width, normal_quantile,
 * z: a width's standardized values sorted, against the Gaussian's quantiles
 * (i + 1/2) / n) into dir. 0, or -1 with a reason. */
int gf_hanin_write(const gf_hanin_result *res, const char *dir, char *why, size_t size);

#ifdef __cplusplus
}
#endif
#endif
