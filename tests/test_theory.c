/* test_theory.c: Gaussian expectations, the plain stack's product of gains, the
 * mean-field calculator and the residual recursions. */
#include "test_util.h"

#include <gsl/gsl_integration.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct integrand { gf_act act; double q; int which; } integrand;

/* f(sqrt(q) z) phi(z), f = act^2 or act'^2, computed directly. */
static double gauss_integrand(double z, void *p)
{
    const integrand *in = p;
    const double h = sqrt(in->q) * z;
    double f;
    switch (in->act) {
    case GF_ACT_RELU:
        f = in->which ? (h > 0 ? 1.0 : 0.0) : (h > 0 ? h : 0.0);
        break;
    case GF_ACT_TANH:
        f = in->which ? 1.0 - tanh(h) * tanh(h) : tanh(h);
        break;
    default:
        f = in->which ? 1.0 : h;
        break;
    }
    return f * f * exp(-0.5 * z * z) / sqrt(2.0 * M_PI);
}

/* The integral over the line, split at the kink of relu. */
static double direct(gf_act act, double q, int which)
{
    integrand in = {act, q, which};
    gsl_function F = {.function = gauss_integrand, .params = &in};
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    double lo, hi, err;
    gsl_integration_qagil(&F, 0.0, 1e-14, 1e-13, 1000, w, &lo, &err);
    gsl_integration_qagiu(&F, 0.0, 1e-14, 1e-13, 1000, w, &hi, &err);
    gsl_integration_workspace_free(w);
    return lo + hi;
}

static void test_gauss_expect_against_quadrature(void)
{
    static const double qs[] = {0.05, 0.5, 1.0, 2.7, 9.0};
    for (int act = 0; act < GF_ACT_COUNT; act++)
        for (size_t k = 0; k < sizeof qs / sizeof *qs; k++)
            for (int which = 0; which < 2; which++) {
                const double got = gf_theory_gauss_expect((gf_act)act, qs[k], which);
                const double want = direct((gf_act)act, qs[k], which);
                if (!(fabs(got - want) <= 1e-10))
                    fprintf(stderr, "\n  E[%s%s], q = %g: %.15g, quadrature %.15g\n",
                            gf_act_names[act], which ? "'^2" : "^2", qs[k], got, want);
                CU_ASSERT(fabs(got - want) <= 1e-10);
            }
    /* The closed forms. */
    CU_ASSERT_DOUBLE_EQUAL(gf_theory_gauss_expect(GF_ACT_RELU, 3.0, 0), 1.5, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(gf_theory_gauss_expect(GF_ACT_RELU, 3.0, 1), 0.5, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(gf_theory_gauss_expect(GF_ACT_LINEAR, 3.0, 0), 3.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(gf_theory_gauss_expect(GF_ACT_LINEAR, 3.0, 1), 1.0, 1e-15);
}

/* torch init + relu: per layer fan_in * 1/(3 fan_in) * 1/2 = 1/6 in squared
 * norm, so per block (two layers) 0.5 log10((1/6)^2) = log10(1/6). */
static void test_plain_block_gains(void)
{
    gf_stack_config c = tu_small_config(GF_ARCH_PLAIN, 20, 64);
    double g[9];
    char why[128];
    CU_ASSERT_FATAL(gf_theory_plain_block_gains(&c, g, why, sizeof why) == 0);
    for (int l = 0; l < 9; l++)
        CU_ASSERT_DOUBLE_EQUAL(g[l], log10(1.0 / 6.0), 1e-12);
    /* he + relu keeps the norm: gain 1. */
    c.init = GF_INIT_HE;
    CU_ASSERT_FATAL(gf_theory_plain_block_gains(&c, g, why, sizeof why) == 0);
    for (int l = 0; l < 9; l++)
        CU_ASSERT_DOUBLE_EQUAL(g[l], 0.0, 1e-12);
    /* lecun + linear: gain 1; lecun + tanh: below 1 (tanh' <= 1). */
    c.init = GF_INIT_LECUN;
    c.act = GF_ACT_LINEAR;
    CU_ASSERT_FATAL(gf_theory_plain_block_gains(&c, g, why, sizeof why) == 0);
    for (int l = 0; l < 9; l++)
        CU_ASSERT_DOUBLE_EQUAL(g[l], 0.0, 1e-12);
    c.act = GF_ACT_TANH;
    CU_ASSERT_FATAL(gf_theory_plain_block_gains(&c, g, why, sizeof why) == 0);
    for (int l = 0; l < 9; l++)
        CU_ASSERT(isfinite(g[l]) && g[l] < 0.0);
    /* No prediction for residual stacks or with normalization. */
    c.arch = GF_ARCH_RESNET;
    why[0] = '\0';
    CU_ASSERT(gf_theory_plain_block_gains(&c, g, why, sizeof why) == -1);
    CU_ASSERT(strlen(why) > 0);
    c.arch = GF_ARCH_PLAIN;
    c.norm = GF_NORM_BATCH;
    why[0] = '\0';
    CU_ASSERT(gf_theory_plain_block_gains(&c, g, why, sizeof why) == -1);
    CU_ASSERT(strlen(why) > 0);
}

/* The prediction against a measurement: a wide plain relu stack under the
 * he init keeps its gradient norm within a decade over 20 blocks. */
static void test_he_relu_measured_level(void)
{
    gf_stack_config c = tu_small_config(GF_ARCH_PLAIN, 42, 256);
    c.init = GF_INIT_HE;
    tu_run r;
    CU_ASSERT_FATAL(tu_run_stack(&r, &c, 81, 32, 1) == 0);
    const gf_probe_record *a = gf_recorder_find(&r.rec, GF_PROBE_BLOCK, 0);
    const gf_probe_record *b = gf_recorder_find(&r.rec, GF_PROBE_BLOCK, r.s->blocks);
    CU_ASSERT_FATAL(a && b);
    CU_ASSERT(fabs((a->log2_frob - b->log2_frob) * log10(2.0)) < 1.0);
    tu_run_release(&r);
}

/* ---- the mean-field calculator -------------------------------------------------- */

/* ReLU: chi_1 = sigma_w^2 E[relu'(h)^2] = sigma_w^2 / 2 whatever q (the closed
 * form against an independent quadrature of E[relu'^2] at q*), and q* =
 * sb2 / (1 - sw2 / 2) solves the map. */
static void test_relu_chi1_closed_form(void)
{
    static const double sw2s[] = {0.25, 1.0, 1.5, 1.9}, sb2s[] = {0.0, 0.01, 0.3};
    for (size_t i = 0; i < sizeof sw2s / sizeof *sw2s; i++)
        for (size_t j = 0; j < sizeof sb2s / sizeof *sb2s; j++) {
            gf_meanfield m;
            CU_ASSERT_FATAL(gf_meanfield_point(GF_ACT_RELU, sw2s[i], sb2s[j], &m) == 0);
            CU_ASSERT_DOUBLE_EQUAL(m.chi_1, sw2s[i] / 2.0, 1e-15);
            const double q = m.q_star > 0 ? m.q_star : 1.0; /* q* = 0: any q gives 1/2 */
            CU_ASSERT_DOUBLE_EQUAL(sw2s[i] * direct(GF_ACT_RELU, q, 1), sw2s[i] / 2.0, 1e-12);
            CU_ASSERT_DOUBLE_EQUAL(m.q_star, sb2s[j] / (1.0 - sw2s[i] / 2.0), 1e-15);
            CU_ASSERT(m.status == (sb2s[j] > 0 ? GF_MF_FIXED : GF_MF_ZERO));
            CU_ASSERT_DOUBLE_EQUAL(m.c_star, 1.0, 0.0);
            CU_ASSERT_DOUBLE_EQUAL(m.xi_c, -1.0 / log(sw2s[i] / 2.0), 1e-12);
        }
    gf_meanfield m; /* He: exactly critical; beyond: no fixed point, chi_1 still sw2 / 2 */
    CU_ASSERT_FATAL(gf_meanfield_point(GF_ACT_RELU, 2.0, 0.0, &m) == 0);
    CU_ASSERT(m.status == GF_MF_MARGINAL && m.chi_1 == 1.0 && isinf(m.xi_c) && isinf(m.xi_grad));
    CU_ASSERT_FATAL(gf_meanfield_point(GF_ACT_RELU, 2.0, 0.1, &m) == 0);
    CU_ASSERT(m.status == GF_MF_UNBOUNDED && isnan(m.q_star) && isnan(m.xi_c));
    CU_ASSERT_FATAL(gf_meanfield_point(GF_ACT_RELU, 3.0, 0.0, &m) == 0);
    CU_ASSERT(m.status == GF_MF_UNBOUNDED && m.chi_1 == 1.5 && m.xi_grad < 0);
    /* the arc-cosine kernels at c = 0 and 1 */
    CU_ASSERT_DOUBLE_EQUAL(gf_theory_gauss_expect2(GF_ACT_RELU, 2.0, 0.0, 0), 1.0 / M_PI, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(gf_theory_gauss_expect2(GF_ACT_RELU, 2.0, 1.0, 0), 1.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(gf_theory_gauss_expect2(GF_ACT_RELU, 2.0, 0.0, 1), 0.25, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(gf_theory_gauss_expect2(GF_ACT_RELU, 2.0, -1.0, 1), 0.0, 1e-15);
    CU_ASSERT(gf_meanfield_point(GF_ACT_RELU, -1.0, 0.0, &m) == -1);
    CU_ASSERT(gf_meanfield_point(GF_ACT_TANH, 1.0, NAN, &m) == -1);
}

/* tanh: q* solves q = sw2 E[tanh(sqrt(q) z)^2] + sb2, with E from an
 * independent quadrature; chi_1 and the q map's slope likewise. */
static void test_tanh_fixed_point(void)
{
    static const double pts[][2] = {{0.7, 0.05}, {1.5, 0.0}, {1.76, 0.05}, {2.5, 0.3}, {4.0, 1.0},
                                    {9.0, 0.2}};
    for (size_t k = 0; k < sizeof pts / sizeof *pts; k++) {
        gf_meanfield m;
        const double sw2 = pts[k][0], sb2 = pts[k][1];
        CU_ASSERT_FATAL(gf_meanfield_point(GF_ACT_TANH, sw2, sb2, &m) == 0);
        CU_ASSERT(m.status == GF_MF_FIXED && m.q_star > 0);
        const double map = sw2 * direct(GF_ACT_TANH, m.q_star, 0) + sb2;
        if (!(fabs(map - m.q_star) <= 1e-10))
            fprintf(stderr, "\n  tanh (%g, %g): q* %.17g, map %.17g\n", sw2, sb2, m.q_star, map);
        CU_ASSERT(fabs(map - m.q_star) <= 1e-10);
        CU_ASSERT_DOUBLE_EQUAL(m.chi_1, sw2 * direct(GF_ACT_TANH, m.q_star, 1), 1e-10);
        /* the slope of the map at q*, by central differences */
        const double h = 1e-5 * m.q_star;
        const double slope = (gf_meanfield_qmap(GF_ACT_TANH, sw2, sb2, m.q_star + h) -
                              gf_meanfield_qmap(GF_ACT_TANH, sw2, sb2, m.q_star - h)) / (2 * h);
        CU_ASSERT_DOUBLE_EQUAL(m.q_slope, slope, 1e-7);
        CU_ASSERT(m.q_slope > 0 && m.q_slope < 1); /* a stable fixed point */
    }
    gf_meanfield m; /* no bias, sw2 <= 1: the signal dies, q* = 0 */
    CU_ASSERT_FATAL(gf_meanfield_point(GF_ACT_TANH, 0.8, 0.0, &m) == 0);
    CU_ASSERT(m.status == GF_MF_ZERO && m.q_star == 0.0 && m.chi_1 == 0.8);
}

/* The correlation map of tanh: c* and chi_c (Mehler's expansion inside the
 * calculator) against the nested 2-D quadrature of gf_theory_gauss_expect2. */
static void test_tanh_correlation_map(void)
{
    static const double pts[][2] = {{2.5, 0.05}, {3.0, 0.3}, {4.0, 0.5}, {2.0, 0.0}, {6.0, 0.1}};
    for (size_t k = 0; k < sizeof pts / sizeof *pts; k++) {
        gf_meanfield m;
        const double sw2 = pts[k][0], sb2 = pts[k][1];
        CU_ASSERT_FATAL(gf_meanfield_point(GF_ACT_TANH, sw2, sb2, &m) == 0);
        CU_ASSERT(m.chi_1 > 1.0 && m.c_star < 1.0 && m.chi_c < 1.0);
        const double q = m.q_star, c = m.c_star;
        const double cmap = (sw2 * gf_theory_gauss_expect2(GF_ACT_TANH, q, c, 0) + sb2) / q;
        CU_ASSERT_DOUBLE_EQUAL(cmap, c, 1e-9);
        CU_ASSERT_DOUBLE_EQUAL(m.chi_c, sw2 * gf_theory_gauss_expect2(GF_ACT_TANH, q, c, 1), 1e-9);
        if (sb2 == 0.0)
            CU_ASSERT_DOUBLE_EQUAL(c, 0.0, 0.0); /* the map is odd */
    }
    /* c = 1 is E[tanh^2], E[tanh'^2] */
    CU_ASSERT_DOUBLE_EQUAL(gf_theory_gauss_expect2(GF_ACT_TANH, 1.3, 1.0, 0),
                           direct(GF_ACT_TANH, 1.3, 0), 1e-10);
    CU_ASSERT_DOUBLE_EQUAL(gf_theory_gauss_expect2(GF_ACT_TANH, 1.3, 1.0, 1),
                           direct(GF_ACT_TANH, 1.3, 1), 1e-10);
}

/* The critical line of tanh meets sigma_b^2 = 0 at sigma_w^2 = 1: chi_1 crosses
 * 1 there, and the root found at a tiny bias is next to it. */
static void test_tanh_critical_line(void)
{
    gf_meanfield lo, hi, near;
    CU_ASSERT_FATAL(gf_meanfield_point(GF_ACT_TANH, 0.999, 0.0, &lo) == 0);
    CU_ASSERT_FATAL(gf_meanfield_point(GF_ACT_TANH, 1.001, 0.0, &hi) == 0);
    CU_ASSERT_FATAL(gf_meanfield_point(GF_ACT_TANH, 1.0001, 0.0, &near) == 0);
    CU_ASSERT(lo.chi_1 < 1.0 && hi.chi_1 > 1.0 && hi.status == GF_MF_FIXED);
    CU_ASSERT(fabs(near.chi_1 - 1.0) < 1e-6);
    double sw2;
    CU_ASSERT_FATAL(gf_meanfield_critical_sw2(GF_ACT_TANH, 0.0, &sw2) == 0);
    CU_ASSERT_DOUBLE_EQUAL(sw2, 1.0, 0.0);
    CU_ASSERT_FATAL(gf_meanfield_critical_sw2(GF_ACT_TANH, 1e-12, &sw2) == 0);
    CU_ASSERT(sw2 > 1.0 && sw2 < 1.001);
    /* Schoenholz et al.'s point: sigma_b^2 = 0.05 is critical near sigma_w^2 = 1.76 */
    CU_ASSERT_FATAL(gf_meanfield_critical_sw2(GF_ACT_TANH, 0.05, &sw2) == 0);
    CU_ASSERT(fabs(sw2 - 1.76) < 0.01);
    gf_meanfield m;
    CU_ASSERT_FATAL(gf_meanfield_point(GF_ACT_TANH, sw2, 0.05, &m) == 0);
    CU_ASSERT_DOUBLE_EQUAL(m.chi_1, 1.0, 1e-10);
    CU_ASSERT_FATAL(gf_meanfield_critical_sw2(GF_ACT_RELU, 0.3, &sw2) == 0);
    CU_ASSERT_DOUBLE_EQUAL(sw2, 2.0, 0.0);
}

/* xi_c diverges at the critical line, from both sides, about like 1 / distance. */
static void test_xi_c_diverges(void)
{
    double crit;
    CU_ASSERT_FATAL(gf_meanfield_critical_sw2(GF_ACT_TANH, 0.05, &crit) == 0);
    for (int side = -1; side <= 1; side += 2) {
        double prev = 0.0;
        for (double d = 1e-2; d > 1e-5; d /= 10) {
            gf_meanfield m;
            CU_ASSERT_FATAL(gf_meanfield_point(GF_ACT_TANH, crit + side * d, 0.05, &m) == 0);
            CU_ASSERT(m.xi_c > 5.0 * prev);
            prev = m.xi_c;
        }
        CU_ASSERT(prev > 1e3);
    }
    /* the band of trainable depths shrinks around it as the depth grows */
    double l56, r56, l110, r110;
    int cl, cr;
    CU_ASSERT_FATAL(gf_meanfield_band(GF_ACT_TANH, 0.05, 56, 0.5, 4.0, &l56, &r56, &cl, &cr) == 0);
    CU_ASSERT_FATAL(gf_meanfield_band(GF_ACT_TANH, 0.05, 110, 0.5, 4.0, &l110, &r110, &cl, &cr) ==
                    0);
    CU_ASSERT(l56 < l110 && l110 < crit && crit < r110 && r110 < r56);
    gf_meanfield m;
    CU_ASSERT_FATAL(gf_meanfield_point(GF_ACT_TANH, l56, 0.05, &m) == 0);
    CU_ASSERT_DOUBLE_EQUAL(6.0 * m.xi_c, 56.0, 1e-6);
    CU_ASSERT_FATAL(gf_meanfield_point(GF_ACT_TANH, r110, 0.05, &m) == 0);
    CU_ASSERT_DOUBLE_EQUAL(6.0 * m.xi_c, 110.0, 1e-6);
    /* relu: from 2 e^(-6/depth); no right edge (no xi_c past sigma_w^2 = 2) unless
     * the range ends first */
    CU_ASSERT_FATAL(gf_meanfield_band(GF_ACT_RELU, 0.1, 56, 0.5, 4.0, &l56, &r56, &cl, &cr) == 0);
    CU_ASSERT_DOUBLE_EQUAL(l56, 2.0 * exp(-6.0 / 56.0), 1e-15);
    CU_ASSERT(isnan(r56) && !cr);
    CU_ASSERT_FATAL(gf_meanfield_band(GF_ACT_RELU, 0.1, 56, 0.5, 1.95, &l56, &r56, &cl, &cr) == 0);
    CU_ASSERT(r56 == 1.95 && cr);
    CU_ASSERT_STRING_EQUAL(gf_phase_name(GF_ACT_RELU, 1.1), "exploding");
    CU_ASSERT_STRING_EQUAL(gf_phase_name(GF_ACT_TANH, 1.1), "chaotic");
    CU_ASSERT_STRING_EQUAL(gf_phase_name(GF_ACT_RELU, 0.5), "ordered");
}

/* ---- residual stacks ------------------------------------------------------------- */

/* Closed forms: preact with He init and relu doubles the variance and the
 * squared gradient norm per block; resnet with a linear act is Gaussian and
 * gains 1 + sw2^2; resnet's first block with relu, masks independent, gains
 * P(u_1 > 0) (1 + chi_F), P = 1/2 + asin(rho) / (2 pi) (an orthant probability). */
static void test_residual_recursions(void)
{
    double p[7], g[6], gi[6], m2[7];
    CU_ASSERT_FATAL(gf_theory_preact_recursion(GF_ACT_RELU, 2.0, 0.0, 1.5, 6, p, g) == 0);
    for (int l = 0; l < 6; l++) {
        CU_ASSERT_DOUBLE_EQUAL(g[l], 0.5 * log10(2.0), 1e-15);
        CU_ASSERT_DOUBLE_EQUAL(p[l + 1], 1.5 * pow(2.0, l + 1), 1e-12);
    }
    CU_ASSERT_FATAL(gf_theory_resnet_recursion(GF_ACT_LINEAR, 0.5, 0.0, 1.0, 6, m2, g, gi) == 0);
    for (int l = 0; l < 6; l++) {
        CU_ASSERT_DOUBLE_EQUAL(g[l], 0.5 * log10(1.25), 1e-9);
        CU_ASSERT_DOUBLE_EQUAL(gi[l], 0.5 * log10(1.25), 1e-9);
        CU_ASSERT_DOUBLE_EQUAL(m2[l + 1] / m2[l], 1.25, 1e-9);
    }
    /* relu, sw2 = 2: q1 = 2 E[x_0^2] = q0, s = q0, rho = 1/sqrt(2), P = 5/8, chi_F = 2 */
    CU_ASSERT_FATAL(gf_theory_resnet_recursion(GF_ACT_RELU, 2.0, 0.0, 2.0, 3, m2, g, gi) == 0);
    CU_ASSERT_DOUBLE_EQUAL(m2[0], 1.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(gi[0], 0.5 * log10(0.625 * 3.0), 5e-5); /* O(h^2) at the kink */
    CU_ASSERT_DOUBLE_EQUAL(g[2], gi[2], 1e-12); /* the last block: nothing behind it yet */
    /* a positive coordinate stays positive: following the masks gains more */
    CU_ASSERT(g[0] > gi[0]);
    /* with a bias the first mask: rho = sqrt(q0 / (q0 + s)), s = q1 / 2 + sb2, q1 = q0 / 2 + sb2 */
    const double q0 = 1.0, sb2 = 0.1, q1 = q0 / 2 + sb2, s = q1 / 2 + sb2;
    const double P = 0.5 + asin(sqrt(q0 / (q0 + s))) / (2 * M_PI);
    CU_ASSERT_FATAL(gf_theory_resnet_recursion(GF_ACT_RELU, 1.0, sb2, q0, 1, m2, g, gi) == 0);
    CU_ASSERT_DOUBLE_EQUAL(gi[0], 0.5 * log10(P * 1.5), 5e-5);
    CU_ASSERT_DOUBLE_EQUAL(g[0], gi[0], 1e-12);
}

/* Every stack's prediction, and where none is made. */
static void test_block_gains(void)
{
    gf_stack_config c = tu_small_config(GF_ARCH_PREACT, 20, 64);
    c.init = GF_INIT_HE;
    double g[9];
    char why[160];
    CU_ASSERT_FATAL(gf_theory_block_gains(&c, g, why, sizeof why) == 0);
    for (int l = 0; l < 9; l++)
        CU_ASSERT_DOUBLE_EQUAL(g[l], 0.5 * log10(2.0), 1e-15);
    c.zero_branch = 1; /* F = 0: the identity */
    CU_ASSERT_FATAL(gf_theory_block_gains(&c, g, why, sizeof why) == 0);
    CU_ASSERT_DOUBLE_EQUAL(g[4], 0.0, 0.0);
    c.arch = GF_ARCH_RESNET; /* relu(x + 0) = x, but x_0's zeros drop out next to the head */
    CU_ASSERT_FATAL(gf_theory_block_gains(&c, g, why, sizeof why) == 0);
    CU_ASSERT_DOUBLE_EQUAL(g[8], 0.5 * log10(0.5), 0.0);
    CU_ASSERT_DOUBLE_EQUAL(g[0], 0.0, 0.0);
    c.act = GF_ACT_TANH;
    why[0] = '\0';
    CU_ASSERT(gf_theory_block_gains(&c, g, why, sizeof why) == -1 && strlen(why) > 0);
    c.act = GF_ACT_RELU;
    c.zero_branch = 0;
    CU_ASSERT_FATAL(gf_theory_block_gains(&c, g, why, sizeof why) == 0);
    for (int l = 0; l < 9; l++)
        CU_ASSERT(g[l] > 0.12 && g[l] < 0.17);
    c.norm = GF_NORM_BATCH;
    why[0] = '\0';
    CU_ASSERT(gf_theory_block_gains(&c, g, why, sizeof why) == -1 && strstr(why, "batch norm"));
    c.arch = GF_ARCH_PLAIN; /* plain goes through the product of gains */
    CU_ASSERT(gf_theory_block_gains(&c, g, why, sizeof why) == -1);
}

/* The prediction against a measurement: a wide preact stack at He init
 * grows by 10^0.151 per block (one seed: within 0.4 decades over 12 blocks). */
static void test_preact_he_measured_growth(void)
{
    gf_stack_config c = tu_small_config(GF_ARCH_PREACT, 26, 256);
    c.init = GF_INIT_HE;
    double g[12], want = 0.0;
    char why[160];
    CU_ASSERT_FATAL(gf_theory_block_gains(&c, g, why, sizeof why) == 0);
    for (int l = 0; l < 12; l++)
        want += g[l];
    tu_run r;
    CU_ASSERT_FATAL(tu_run_stack(&r, &c, 5, 32, 1) == 0);
    const gf_probe_record *a = gf_recorder_find(&r.rec, GF_PROBE_BLOCK, 0);
    const gf_probe_record *b = gf_recorder_find(&r.rec, GF_PROBE_BLOCK, r.s->blocks);
    CU_ASSERT_FATAL(a && b);
    const double got = (a->log2_frob - b->log2_frob) * log10(2.0);
    if (!(fabs(got - want) < 0.4))
        fprintf(stderr, "\n  preact he: measured %+.3f decades, predicted %+.3f\n", got, want);
    CU_ASSERT(fabs(got - want) < 0.4);
    tu_run_release(&r);
}

CU_TestInfo theory_tests[] = {
    {"gf_theory_gauss_expect against adaptive quadrature", test_gauss_expect_against_quadrature},
    {"plain block gains: torch+relu log10(1/6), he+relu 0", test_plain_block_gains},
    {"he + relu plain stack measured level", test_he_relu_measured_level},
    {"mean field relu: chi_1 = sigma_w^2 / 2, q*, statuses, arc-cosine kernels",
     test_relu_chi1_closed_form},
    {"mean field tanh: q* solves the map to 1e-10, chi_1, the map's slope", test_tanh_fixed_point},
    {"mean field tanh: c* and chi_c against nested quadrature", test_tanh_correlation_map},
    {"critical line: tanh at sigma_b^2 = 0 is sigma_w^2 = 1; relu 2", test_tanh_critical_line},
    {"xi_c diverges at criticality; the trainable band", test_xi_c_diverges},
    {"residual recursions against closed forms", test_residual_recursions},
    {"block gains of every stack, and where none is made", test_block_gains},
    {"preact he: predicted growth against a measurement", test_preact_he_measured_growth},
    CU_TEST_INFO_NULL,
};
