/* act.h: the activations and their first two derivatives, for the theory
 * files only (not installed). relu'(0) = 0 as in PyTorch; relu'' is zero
 * away from the kink, and phi'' phi vanishes there too, so the kink adds
 * nothing to any expectation used here. */
#ifndef GF_THEORY_ACT_H
#define GF_THEORY_ACT_H

#include "nn/gf_nn.h"

#include <math.h>

static inline double gf_act_phi(gf_act act, double h)
{
    return act == GF_ACT_RELU ? (h > 0 ? h : 0) : act == GF_ACT_TANH ? tanh(h) : h;
}

static inline double gf_act_dphi(gf_act act, double h)
{
    if (act == GF_ACT_RELU)
        return h > 0 ? 1.0 : 0.0;
    if (act == GF_ACT_TANH) {
        const double c = cosh(h);
        return 1.0 / (c * c);
    }
    return 1.0;
}

/* phi''(h) phi(h): -2 tanh(h)^2 / cosh(h)^2 for tanh, 0 for relu and linear. */
static inline double gf_act_d2phi_phi(gf_act act, double h)
{
    if (act != GF_ACT_TANH)
        return 0.0;
    const double t = tanh(h), c = cosh(h);
    return -2.0 * t * t / (c * c);
}

#endif
