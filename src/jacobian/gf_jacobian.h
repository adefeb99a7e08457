/* gf_jacobian.h: the Jacobians of a stack at one input, and their spectra.
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

/* x: one sample (in_dim values). 0, or -1 with a reason. */
int gf_jacobians_compute(gf_stack *s, const double *x, gf_jacobians *out, char *why,
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

#ifdef __cplusplus
}
#endif
#endif
