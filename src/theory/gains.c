/* gains.c: mean-field variance recursion and per-layer gradient gains. */
#include "theory/gf_theory.h"

#include "theory/act.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <math.h>
#include <stdio.h>

typedef struct gauss_ctx {
    gf_act act;
    double sq; /* sqrt(q) */
    int which;
} gauss_ctx;

/* f(sqrt(q) z)^2 exp(-z^2 / 2), f = act or act'; or act'' act (which 2). */
static double gauss_integrand(double z, void *p)
{
    const gauss_ctx *c = p;
    const double h = c->sq * z;
    if (c->which == 2)
        return gf_act_d2phi_phi(c->act, h) * exp(-0.5 * z * z);
    const double v = c->which ? gf_act_dphi(c->act, h) : gf_act_phi(c->act, h);
    return v * v * exp(-0.5 * z * z);
}

double gf_theory_gauss_expect(gf_act act, double q, int which)
{
    if (which == 2 && act != GF_ACT_TANH) /* relu'' relu = 0, linear'' = 0 */
        return 0.0;
    if (act == GF_ACT_RELU) /* closed forms: E[relu(h)^2] = q/2, E[relu'(h)^2] = 1/2 */
        return which ? 0.5 : 0.5 * q;
    if (act == GF_ACT_LINEAR)
        return which ? 1.0 : q;
    /* Adaptive Gauss-Kronrod on each half line, cut at |z| = 40 where the
     * Gaussian weight (e^-800) is below anything a double can add. A fixed
     * Gauss-Hermite rule is not enough here: tanh has poles at i pi / 2, and
     * an 80-node rule is off by 1e-8 at q = 1 and 6e-3 at q = 9. */
    enum { LIMIT = 512 };
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(LIMIT);
    if (!w)
        return NAN;
    gauss_ctx ctx = {act, sqrt(q), which};
    gsl_function f = {.function = gauss_integrand, .params = &ctx};
    double lo = NAN, hi = NAN, err;
    const int s1 = gsl_integration_qag(&f, -40.0, 0.0, 1e-13, 1e-12, LIMIT, GSL_INTEG_GAUSS41, w,
                                       &lo, &err);
    const int s2 = gsl_integration_qag(&f, 0.0, 40.0, 1e-13, 1e-12, LIMIT, GSL_INTEG_GAUSS41, w,
                                       &hi, &err);
    gsl_integration_workspace_free(w);
    if (s1 != GSL_SUCCESS && s1 != GSL_EROUND)
        return NAN;
    if (s2 != GSL_SUCCESS && s2 != GSL_EROUND)
        return NAN;
    return (lo + hi) / sqrt(2.0 * M_PI);
}

int gf_theory_plain_block_gains(const gf_stack_config *c, double *log10_gain, char *why,
                                size_t size)
{
    if (c->arch != GF_ARCH_PLAIN) {
        snprintf(why, size, "the product of gains describes plain stacks only");
        return -1;
    }
    if (c->norm != GF_NORM_NONE) {
        snprintf(why, size, "%s",
                 c->norm == GF_NORM_BATCH
                     ? "no prediction with batch norm (batch statistics couple the samples)"
                     : "no prediction with layer norm (its Jacobian is not a per-layer gain "
                       "of this product)");
        return -1;
    }
    const size_t w = c->width;
    const double vw_stem = gf_init_weight_var(c->init, c->in_dim, w);
    const double vb_stem = gf_init_bias_var(c->init, c->in_dim);
    const double vw = gf_init_weight_var(c->init, w, w), vb = gf_init_bias_var(c->init, w);
    /* Pre-activation variance of the stem (unit-variance inputs), then of each layer. */
    double q = (double)c->in_dim * vw_stem + vb_stem;
    for (int b = 0; b < gf_stack_blocks(c); b++) {
        double log_gain2 = 0.0;
        for (int layer = 0; layer < 2; layer++) {
            q = (double)w * vw * gf_theory_gauss_expect(c->act, q, 0) + vb;
            log_gain2 += log10((double)w * vw * gf_theory_gauss_expect(c->act, q, 1));
        }
        log10_gain[b] = 0.5 * log_gain2;
    }
    return 0;
}
