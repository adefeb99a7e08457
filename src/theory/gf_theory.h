/* gf_theory.h: what theory predicts for the gradient norms of a plain stack.
 *
 * Backward through one weight layer x_out = act(W x_in + b) multiplies the
 * expected squared gradient norm by
 *     fan_in * sigma_w^2 * E[act'(h)^2],   h ~ N(0, q),
 * where q is the pre-activation variance, carried from layer to layer by the
 * mean-field recursion q' = fan_in sigma_w^2 E[act(h)^2] + sigma_b^2 (Poole et
 * al. 2016, Schoenholz et al. 2017). For relu E[act'^2] = 1/2 whatever q, for
 * linear 1, for tanh it depends on q (adaptive Gauss-Kronrod quadrature). The product
 * of these gains over the layers between x_l and x_B is the "product decay"
 * of a plain stack. With normalization layers the samples of a batch are
 * coupled and this simple product does not hold: no prediction is made.
 */
#ifndef GF_THEORY_H
#define GF_THEORY_H

#include "nn/gf_nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* E[f(sqrt(q) z)], z ~ N(0, 1), for f = act^2 (which = 0) or act'^2 (which = 1). */
double gf_theory_gauss_expect(gf_act act, double q, int which);

/* Predicted log10(||dL/dx_l|| / ||dL/dx_{l+1}||) for each block l = 0..B-1 of a
 * plain stack, input features standardized. Returns 0, or -1 with a reason
 * when no prediction is made (not plain, or normalized). */
int gf_theory_plain_block_gains(const gf_stack_config *c, double *log10_gain, char *why,
                                size_t size);

#ifdef __cplusplus
}
#endif
#endif
