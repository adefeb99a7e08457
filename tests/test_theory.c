/* test_theory.c: Gaussian expectations and the plain stack's product of gains. */
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

CU_TestInfo theory_tests[] = {
    {"gf_theory_gauss_expect against adaptive quadrature", test_gauss_expect_against_quadrature},
    {"plain block gains: torch+relu log10(1/6), he+relu 0", test_plain_block_gains},
    {"he + relu plain stack measured level", test_he_relu_measured_level},
    CU_TEST_INFO_NULL,
};
