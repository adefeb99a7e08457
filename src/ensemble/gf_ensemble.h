/* gf_ensemble.h: the ensemble view of residual networks (Veit, Wilber and
 * Belongie 2016): paths, and the gradient each path length carries.
 *
 * Unrolled, B residual blocks x_{l+1} = x_l + F_l(x_l) open 2^B paths from
 * input to output: at every block a path takes the skip or the branch. The
 * number of paths through exactly k branches is C(B, k).
 *
 * Gradient by path length. Linearize the network at the current input: the
 * activation pattern (ReLU masks, batch norm with running statistics) is
 * fixed by the forward pass, so each block's Jacobian is
 *   J_l = D_l (I + J_{F_l}),
 * with D_l the derivative of the activation after the sum (resnet; identity
 * for preact). dL/dx_0 = J_0^T ... J_{B-1}^T dL/dx_B expands into 2^B terms,
 * one per path; grouping them by the number k of branches taken gives
 *   dL/dx_0 = sum_k g_k.
 * gradflow propagates one cotangent per k backward through the blocks: at
 * block l every cotangent is multiplied by D_l, keeps its k through the skip
 * and moves to k + 1 through the branch's vector-Jacobian product (all B + 1
 * cotangents in one batched pass through the branch). The sum of the g_k is
 * the ordinary gradient, to rounding.
 */
#ifndef GF_ENSEMBLE_H
#define GF_ENSEMBLE_H

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

/* For a residual stack s (resnet or preact; batch norm, if any, in
 * evaluation mode) and the batch x (n x in_dim) with labels: the mean
 * cross-entropy's gradient at x_0 split by path length. 0, or -1 with a
 * reason. */
int gf_pathgrad_exact(gf_stack *s, const double *x, const int *labels, size_t n,
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

int gf_pathgrad_sample(gf_stack *s, const double *x, const int *labels, size_t n, int k,
                       int samples, gsl_rng *rng, gf_path_sample *out, double *mean, char *why,
                       size_t size);

#ifdef __cplusplus
}
#endif
#endif
