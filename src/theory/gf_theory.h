/* gf_theory.h: what theory predicts for the gradient norms of the stacks.
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
 *
 * The same mean field gives the order-to-chaos picture of Schoenholz et al.
 * (2017): the fixed point q* of that recursion, the gain chi_1 at q*, the
 * correlation map and the depth scales xi_q, xi_c (gf_meanfield_*), and, for
 * residual stacks, the variance recursion of Yang & Schoenholz (2017) with
 * the branch's gain (gf_theory_block_gains).
 */
#ifndef GF_THEORY_H
#define GF_THEORY_H

#include "nn/gf_nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* E[f(sqrt(q) z)], z ~ N(0, 1), for f = act^2 (which = 0), act'^2 (which = 1)
 * or act'' act (which = 2; 0 for relu and linear). */
double gf_theory_gauss_expect(gf_act act, double q, int which);

/* Predicted log10(||dL/dx_l|| / ||dL/dx_{l+1}||) for each block l = 0..B-1 of a
 * plain stack, input features standardized. Returns 0, or -1 with a reason
 * when no prediction is made (not plain, or normalized). */
int gf_theory_plain_block_gains(const gf_stack_config *c, double *log10_gain, char *why,
                                size_t size);

/* ---- residual stacks (residual.c) ----------------------------------------- *
 *
 * Infinite width, weights N(0, sw2 / fan_in), biases N(0, sb2), and the
 * gradient-independence assumption (backward weights independent of the
 * forward ones, so E[g . J_F^T g] = 0). Per coordinate:
 *   preact  x' = x + F(x), F(x) = W2 phi(W1 phi(x) + b1) + b2.  x stays Gaussian:
 *           p' = p + sw2 E[phi(h1)^2] + sb2,  h1 ~ N(0, q1), q1 = sw2 E[phi(x)^2] + sb2;
 *           E||dL/dx||^2 = (1 + chi_F) E||dL/dx'||^2, chi_F = sw2 E[phi'(h1)^2] sw2 E[phi'(x)^2].
 *   resnet  x' = phi(u), u = x + F(x), F(x) = W2 phi(W1 x + b1) + b2. x is not
 *           Gaussian (relu: x >= 0): the law of u is carried on a lattice,
 *           u' = phi(u) + N(0, s), s = sw2 E[phi(h1)^2] + sb2, q1 = sw2 E[x^2] + sb2;
 *           with independent act' factors E||dL/dx||^2 = E[phi'(u')^2] (1 + chi_F) E||dL/dx'||^2,
 *           chi_F = sw2^2 E[phi'(h1)^2]. But the skip path multiplies one coordinate's
 *           act' from block to block, and these are correlated (relu: x >= 0 is
 *           carried on, a positive coordinate stays positive): the recursion also
 *           carries the gradient energy as a function of the coordinate's u.
 * He init and relu: preact gains exactly 2 per block (+0.151 decades of the
 * norm); resnet P(u' > 0) * 3 with independent masks (+0.145), more with the
 * masks followed (residual.c says how much).
 */

/* Preact blocks from x_0 ~ N(0, p0): p[l] = Var(x_l) for l = 0..blocks (p may
 * be NULL) and log10_gain[l] = predicted log10(||dL/dx_l|| / ||dL/dx_{l+1}||).
 * 0, or -1 when a quadrature failed or the variance overflowed. */
int gf_theory_preact_recursion(gf_act act, double sw2, double sb2, double p0, int blocks,
                               double *p, double *log10_gain);

/* Post-activation blocks from x_0 = phi(u_0), u_0 ~ N(0, q0): m2[l] = E[x_l^2]
 * for l = 0..blocks (may be NULL), log10_gain[l] as above with each coordinate's
 * act' factors followed from block to block, and log10_gain_indep[l] (may be
 * NULL) with them taken as independent. 0, or -1 as above. */
int gf_theory_resnet_recursion(gf_act act, double sw2, double sb2, double q0, int blocks,
                               double *m2, double *log10_gain, double *log10_gain_indep);

/* Predicted log10 block gains for plain (the product above), resnet and
 * preact stacks, input features standardized. Zeroed branches (F = 0) are
 * exact: preact 0; resnet relu 0 but for log10(1/2)/2 at the block next to the
 * head, where the zero coordinates of x_0 drop out. Returns 0, or -1 with a
 * reason when no prediction is made (normalization; resnet with tanh and
 * zeroed branches). */
int gf_theory_block_gains(const gf_stack_config *c, double *log10_gain, char *why, size_t size);

/* ---- mean field of a deep fully connected net (meanfield.c) --------------- *
 *
 * h^{l+1} = W phi(h^l) + b, W_ij ~ N(0, sw2 / N), b_i ~ N(0, sb2), N -> infinity
 * (Poole et al. 2016, Schoenholz et al. 2017); sw2 = sigma_w^2, sb2 = sigma_b^2.
 *   q map     q' = V(q) = sw2 E[phi(sqrt(q) z)^2] + sb2           fixed point q*
 *   chi_1     sw2 E[phi'(h)^2], h ~ N(0, q*): the gain of E||grad||^2 per layer
 *   c map     c' = (sw2 E[phi(u1) phi(u2)] + sb2) / q*, u ~ N(0, q* [[1 c] [c 1]])
 *             fixed point c* (1 in the ordered phase)
 *   chi_c     sw2 E[phi'(u1) phi'(u2)] at c* (= chi_1 when c* = 1): the c map's slope
 *   xi_q      -1 / log(chi_1 + sw2 E[phi''(h) phi(h)])   (the q map's slope at q*)
 *   xi_c      -1 / log(chi_c)
 *   xi_grad   -1 / log(chi_1)  (negative in the chaotic phase: gradients explode)
 * Ordered phase chi_1 < 1, chaotic chi_1 > 1 (tanh; relu has no chaotic phase:
 * past chi_1 = 1 only q and the gradients grow); Schoenholz et al. found that
 * nets train when their depth is below about 6 xi_c.
 */

typedef enum {
    GF_MF_FIXED,     /* a finite q* > 0 attracts q */
    GF_MF_ZERO,      /* sb2 = 0 and q -> 0 (tanh sw2 <= 1, relu sw2 < 2): values are the
                      * limit sb2 -> 0+ (exactly at sb2 = 0 the vanishing signal sees a
                      * linear or positively homogeneous map and c relaxes only polynomially) */
    GF_MF_MARGINAL,  /* every q is fixed (relu sw2 = 2, linear sw2 = 1, sb2 = 0) */
    GF_MF_UNBOUNDED, /* no fixed point: q grows without bound (relu sw2 >= 2 with a bias,
                      * relu sw2 > 2); chi_1 and xi_grad only */
} gf_mf_status;

extern const char *const gf_mf_status_names[]; /* "fixed", "zero", "marginal", "unbounded" */

typedef struct gf_meanfield {
    gf_act act;
    double sw2, sb2;
    gf_mf_status status;
    double q_star;  /* NaN when marginal or unbounded */
    double chi_1, q_slope, c_star, chi_c;
    double xi_q, xi_c, xi_grad; /* inf at criticality, NaN when undefined */
} gf_meanfield;

/* The q map V(q). */
double gf_meanfield_qmap(gf_act act, double sw2, double sb2, double q);

/* E[f(u1) f(u2)], (u1, u2) ~ N(0, q [[1 c] [c 1]]), f = act (which 0) or act'
 * (which 1); closed forms for relu (arc-cosine kernels) and linear, nested
 * adaptive quadrature for tanh. NaN when a quadrature fails. */
double gf_theory_gauss_expect2(gf_act act, double q, double c, int which);

/* Everything above at one (sw2, sb2). 0, or -1 (bad input, a quadrature or
 * root finder that failed). */
int gf_meanfield_point(gf_act act, double sw2, double sb2, gf_meanfield *mf);

/* The critical sw2 (chi_1 = 1) at bias variance sb2: 2 for relu, 1 for
 * linear, for tanh 1 at sb2 = 0 and a root otherwise. 0, or -1. */
int gf_meanfield_critical_sw2(gf_act act, double sb2, double *sw2);

/* The trainable band at sb2 for a depth: the sw2 in [lo, hi] where 6 xi_c >=
 * depth, an interval around the critical line. *left, *right are its ends,
 * clipped to [lo, hi] (then *clipped_left / *clipped_right are 1); NaN when
 * the band misses [lo, hi]. relu (and linear): past the critical line q has
 * no fixed point and there is no xi_c, so nothing bounds the band there:
 * *right is NaN while *left is not (the band reaches the critical line, and
 * past it no edge is computed), unless the critical line is beyond hi
 * (*right = hi, clipped). 0, or -1 when a computation failed. */
int gf_meanfield_band(gf_act act, double sb2, double depth, double lo, double hi, double *left,
                      double *right, int *clipped_left, int *clipped_right);

/* ---- the phase diagram (phase.c) ------------------------------------------ *
 *
 * The mean field above over a grid of (sw2, sb2), the critical line chi_1 = 1
 * and, per depth, the edges of the trainable band 6 xi_c >= depth, both
 * sampled at nb values of sb2 that are denser near the bottom of the range
 * (where the tanh critical line leaves sw2 = 1 like a square root), plus
 * chosen points: the inits torch, he and lecun at a width, then the user's.
 */

enum { GF_PHASE_MAX_DEPTHS = 8, GF_PHASE_MAX_POINTS = 16 };

typedef struct gf_phase_spec {
    gf_act act;                  /* tanh or relu */
    double sw2[2], sb2[2];       /* the ranges, LO < HI */
    long nw, nb;                 /* grid points along sw2 and sb2 */
    const double *depths;        /* whose bands; at most GF_PHASE_MAX_DEPTHS */
    int n_depths;
    size_t width;                /* fan_in of the init points (square layers) */
    const double (*user)[2];     /* more points (sw2, sb2); at most GF_PHASE_MAX_POINTS - 3 */
    int n_user;
    void (*progress)(void *ctx, int done, int total); /* per grid row; may be NULL */
    void *progress_ctx;
} gf_phase_spec;

typedef struct gf_phase_point {
    char label[32]; /* "torch", "he", "lecun", "point 1", ... */
    gf_meanfield mf;
} gf_phase_point;

typedef struct gf_phase_band {
    double sb2, left, right; /* the band's edges at sb2; NaN where it misses the range */
    int clip_left, clip_right;
} gf_phase_band;

typedef struct gf_phase {
    gf_phase_spec spec;
    gf_meanfield *grid;      /* [nb][nw], sw2 fastest */
    double *crit_sb2, *crit; /* [nb]: sb2 and the critical sw2 there */
    gf_phase_band *band;     /* [n_depths][nb], at crit_sb2 */
    gf_phase_point pts[GF_PHASE_MAX_POINTS];
    int n_pts;
} gf_phase;

/* Compute everything. 0, or -1 with a reason (release p either way). */
int gf_phase_compute(const gf_phase_spec *spec, gf_phase *p, char *why, size_t size);
void gf_phase_release(gf_phase *p);

/* "ordered" (chi_1 < 1), "critical", or for chi_1 > 1 "chaotic" (tanh) or
 * "exploding" (relu, linear: no chaotic phase, the correlation map keeps c* = 1
 * and q has no fixed point; only the gradients grow). */
const char *gf_phase_name(gf_act act, double chi_1);

/* The rows of depth d's band: left edges, then right edges (one closed
 * polygon for a figure: the left edge upward, the right edge downward). */
void gf_phase_band_counts(const gf_phase *p, int d, int *left, int *right);

/* dir/phase.tsv (the grid), critical.tsv, band.tsv and theory_points.tsv,
 * each atomically. 0, or -1 with a reason. */
int gf_phase_write(const gf_phase *p, const char *dir, char *why, size_t size);

#ifdef __cplusplus
}
#endif
#endif
