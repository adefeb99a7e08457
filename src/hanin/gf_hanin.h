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

#ifdef __cplusplus
}
#endif
#endif
