/* gains.c: mean-field variance recursion and per-layer gradient gains. */
#include "theory/gf_theory.h"

#include <gsl/gsl_integration.h>
#include <math.h>
#include <stdio.h>

static double act_value(gf_act act, double h)
{
    return act == GF_ACT_RELU ? (h > 0 ? h : 0) : act == GF_ACT_TANH ? tanh(h) : h;
}

static double act_slope(gf_act act, double h)
{
    if (act == GF_ACT_RELU)
        return h > 0 ? 1.0 : 0.0;
    if (act == GF_ACT_TANH) {
        const double c = cosh(h);
        return 1.0 / (c * c);
    }
    return 1.0;
}

double gf_theory_gauss_expect(gf_act act, double q, int which)
{
    if (act == GF_ACT_RELU) /* closed forms: E[relu(h)^2] = q/2, E[relu'(h)^2] = 1/2 */
        return which ? 0.5 : 0.5 * q;
    if (act == GF_ACT_LINEAR)
        return which ? 1.0 : q;
    enum { NODES = 80 };
    /* Hermite rule with weight exp(-x^2 / 2): sum w_i f(x_i) = sqrt(2 pi) E[f(z)]. */
    gsl_integration_fixed_workspace *w =
        gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, NODES, 0.0, 0.5, 0.0, 0.0);
    if (!w)
        return NAN;
    const double *x = gsl_integration_fixed_nodes(w), *wt = gsl_integration_fixed_weights(w);
    const double sq = sqrt(q);
    double s = 0.0;
    for (size_t i = 0; i < NODES; i++) {
        const double v = which ? act_slope(act, sq * x[i]) : act_value(act, sq * x[i]);
        s += wt[i] * v * v;
    }
    gsl_integration_fixed_free(w);
    return s / sqrt(2.0 * M_PI);
}

int gf_theory_plain_block_gains(const gf_stack_config *c, double *log10_gain, char *why,
                                size_t size)
{
    if (c->arch != GF_ARCH_PLAIN) {
        snprintf(why, size, "the product of gains describes plain stacks only");
        return -1;
    }
    if (c->norm != GF_NORM_NONE) {
        snprintf(why, size, "no prediction with %s norm (batch statistics couple the samples)",
                 c->norm == GF_NORM_BATCH ? "batch" : "layer");
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
