/* test_jacobian.c: Jacobians against finite differences, and the exact
 * cases: a deep linear orthogonal stack (every singular value 1) and a
 * residual block with a zero branch (the identity). */
#include "test_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The width of an MLP stack: the size of every x_l. */
static size_t width_of(const gf_model *m)
{
    return ((const gf_stack_config *)gf_model_config(m))->width;
}

/* A stack of the family mlp in evaluation mode. */
static gf_model *make(gf_arch arch, int depth, size_t width, gf_norm norm, gf_act act,
                      gf_init init, int zero, unsigned long seed)
{
    gf_stack_config c = tu_small_config(arch, depth, width);
    c.norm = norm;
    c.act = act;
    c.init = init;
    c.zero_branch = zero;
    gf_model *s = gf_model_alloc(&gf_model_mlp, &c, NULL, 0);
    gsl_rng *r = tu_rng(seed);
    if (s && gf_model_init(s, r) == 0)
        for (size_t i = 0; i < gf_model_params(s)->n_slots; i++) { /* non-trivial running statistics */
            gf_slot *sl = &gf_model_params(s)->slot[i];
            if (strstr(sl->name, "running_mean"))
                tu_fill_uniform(sl->t.v, sl->cols, r, -0.2, 0.2);
            else if (strstr(sl->name, "running_var"))
                tu_fill_uniform(sl->t.v, sl->cols, r, 0.5, 1.5);
        }
    gsl_rng_free(r);
    if (s)
        gf_model_set_training(s, 0);
    return s;
}

/* x_l of one sample, l = 0..B (values), with x given. */
static void activations(gf_model *s, const double *x, double *xs)
{
    gf_tape *t = gf_tape_alloc(TU_CHUNK);
    gf_tensor *in = gf_tape_input(t, 1, gf_model_in_dim(s));
    memcpy(in->v, x, gf_model_in_dim(s) * sizeof *x);
    gf_tensor *h = gf_model_stem(s, t, in);
    const size_t d = width_of(s);
    memcpy(xs, h->v, d * sizeof *xs);
    for (int l = 0; l < gf_model_blocks(s); l++) {
        h = gf_model_block(s, t, l, h);
        memcpy(xs + (size_t)(l + 1) * d, h->v, d * sizeof *xs);
    }
    gf_tape_free(t);
}

/* y = blocks from..to-1 applied to the row v (one sample). */
static void run_blocks(gf_model *s, int from, int to, const double *v, double *y)
{
    gf_tape *t = gf_tape_alloc(TU_CHUNK);
    const size_t d = width_of(s);
    gf_tensor *h = gf_tape_input(t, 1, d);
    memcpy(h->v, v, d * sizeof *v);
    for (int l = from; l < to; l++)
        h = gf_model_block(s, t, l, h);
    memcpy(y, h->v, d * sizeof *y);
    gf_tape_free(t);
}

/* Central differences of blocks from..to-1 at v: J[i][j] = d y_i / d v_j. */
static void fd_jacobian(gf_model *s, int from, int to, const double *v, double *J)
{
    const size_t d = width_of(s);
    double *p = malloc(d * sizeof *p), *yp = malloc(d * sizeof *yp), *ym = malloc(d * sizeof *ym);
    const double h = 1e-6;
    for (size_t j = 0; j < d; j++) {
        memcpy(p, v, d * sizeof *p);
        p[j] += h;
        run_blocks(s, from, to, p, yp);
        p[j] -= 2 * h;
        run_blocks(s, from, to, p, ym);
        for (size_t i = 0; i < d; i++)
            J[i * d + j] = (yp[i] - ym[i]) / (2 * h);
    }
    free(p);
    free(yp);
    free(ym);
}

static void test_against_finite_differences(void)
{
    static const struct { gf_arch arch; gf_norm norm; gf_act act; } cases[] = {
        {GF_ARCH_PLAIN, GF_NORM_NONE, GF_ACT_TANH},  {GF_ARCH_RESNET, GF_NORM_BATCH, GF_ACT_TANH},
        {GF_ARCH_PREACT, GF_NORM_BATCH, GF_ACT_TANH}, {GF_ARCH_PREACT, GF_NORM_LAYER, GF_ACT_TANH},
        {GF_ARCH_RESNET, GF_NORM_NONE, GF_ACT_RELU},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        gf_model *s = make(cases[c].arch, 8, 6, cases[c].norm, cases[c].act, GF_INIT_HE, 0, 50 + c);
        CU_ASSERT_FATAL(s != NULL);
        const size_t d = 6, dd = 36, B = 3;
        double x[16], xs[4 * 6], J[36];
        gsl_rng *r = tu_rng(60 + c);
        tu_fill_gauss(x, gf_model_in_dim(s), r, 1.0);
        gsl_rng_free(r);
        gf_jacobians jac;
        char why[128];
        CU_ASSERT_FATAL(gf_jacobians_compute(s, x, &jac, why, sizeof why) == 0);
        activations(s, x, xs);
        for (size_t l = 0; l < B; l++) {
            fd_jacobian(s, (int)l, (int)l + 1, xs + l * d, J);
            CU_ASSERT(tu_rel_err(jac.block + l * dd, J, dd) < 1e-7);
            fd_jacobian(s, (int)l, (int)B, xs + l * d, J);
            CU_ASSERT(tu_rel_err(jac.end + l * dd, J, dd) < 1e-7);
        }
        gf_jacobians_release(&jac);
        gf_model_free(s);
    }
}

/* A plain linear stack with orthogonal weights and zero biases: the
 * end-to-end Jacobian is a product of orthogonal matrices. */
static void test_deep_linear_orthogonal(void)
{
    gf_model *s = make(GF_ARCH_PLAIN, 42, 16, GF_NORM_NONE, GF_ACT_LINEAR, GF_INIT_ORTHOGONAL, 0, 3);
    CU_ASSERT_FATAL(s != NULL);
    double x[16] = {0.5, -1.0, 2.0};
    gf_jacobians jac;
    char why[128];
    CU_ASSERT_FATAL(gf_jacobians_compute(s, x, &jac, why, sizeof why) == 0);
    double sv[16];
    for (int l = 0; l <= jac.blocks; l += 4) {
        CU_ASSERT_FATAL(gf_singular_values(jac.end + (size_t)l * 256, 16, 16, sv) == 0);
        for (int i = 0; i < 16; i++)
            CU_ASSERT_DOUBLE_EQUAL(sv[i], 1.0, 1e-12);
    }
    gf_jacobians_release(&jac);
    gf_model_free(s);
}

/* preact with zeroed branches: x_{l+1} = x_l + 0, J_l = I exactly. */
static void test_zero_branch_is_identity(void)
{
    gf_model *s = make(GF_ARCH_PREACT, 10, 8, GF_NORM_BATCH, GF_ACT_RELU, GF_INIT_HE, 1, 4);
    CU_ASSERT_FATAL(s != NULL);
    double x[16] = {1.0, 0.25, -0.5};
    gf_jacobians jac;
    char why[128];
    CU_ASSERT_FATAL(gf_jacobians_compute(s, x, &jac, why, sizeof why) == 0);
    double I[64] = {0};
    for (int i = 0; i < 8; i++)
        I[i * 8 + i] = 1.0;
    for (int l = 0; l < jac.blocks; l++) {
        CU_ASSERT(memcmp(jac.block + (size_t)l * 64, I, sizeof I) == 0);
        CU_ASSERT(memcmp(jac.end + (size_t)l * 64, I, sizeof I) == 0);
    }
    gf_jacobians_release(&jac);
    gf_model_free(s);
}

static void test_singular_values_and_power_iteration(void)
{
    /* diag(3, 2, 1) rotated: singular values 3, 2, 1; a 2 x 3 matrix too */
    const double a[9] = {0, 3, 0, 2, 0, 0, 0, 0, -1}, b[6] = {3, 0, 0, 0, 4, 0};
    double sv[3];
    CU_ASSERT_FATAL(gf_singular_values(a, 3, 3, sv) == 0);
    CU_ASSERT_DOUBLE_EQUAL(sv[0], 3, 1e-14);
    CU_ASSERT_DOUBLE_EQUAL(sv[1], 2, 1e-14);
    CU_ASSERT_DOUBLE_EQUAL(sv[2], 1, 1e-14);
    CU_ASSERT_FATAL(gf_singular_values(b, 2, 3, sv) == 0);
    CU_ASSERT_DOUBLE_EQUAL(sv[0], 4, 1e-14);
    CU_ASSERT_DOUBLE_EQUAL(sv[1], 3, 1e-14);
    gsl_rng *r = tu_rng(5);
    double m[64 * 64], s64[64];
    tu_fill_gauss(m, 64 * 64, r, 1.0);
    CU_ASSERT_FATAL(gf_singular_values(m, 64, 64, s64) == 0);
    CU_ASSERT_DOUBLE_EQUAL(gf_spectral_norm(m, 64, 1e-12, 5000, r), s64[0], 1e-6 * s64[0]);
    gsl_rng_free(r);
}

/* Largest |a_i - b_i| over n values, relative to scale. */
static double max_diff(const double *a, const double *b, size_t n, double scale)
{
    double e = 0.0;
    for (size_t i = 0; i < n; i++)
        e = fmax(e, fabs(a[i] - b[i]) / scale);
    return e;
}

/* The values-only path against GSL's SVD: Gaussian matrices of every shape,
 * graded ones (singular values over 24 decades), exactly singular ones, the
 * zero matrix, and the Jacobians of a deep plain ReLU stack. */
static void test_fast_singular_values(void)
{
    gsl_rng *r = tu_rng(8);
    double a[40 * 40], ref[40], sv[40];
    for (size_t m = 1; m <= 40; m += 3)
        for (size_t n = 1; n <= 40; n += 7) {
            tu_fill_gauss(a, m * n, r, 1.0);
            const size_t k = m < n ? m : n;
            CU_ASSERT_FATAL(gf_singular_values(a, m, n, ref) == 0);
            CU_ASSERT_FATAL(gf_singular_values_fast(a, m, n, sv) == 0);
            CU_ASSERT(max_diff(sv, ref, k, ref[0]) < 1e-13);
        }
    /* graded: A = Q1 diag(10^-0.8i) Q2 built as columns scaled before mixing */
    const size_t n = 32;
    double q[32 * 32], g[32 * 32];
    tu_fill_gauss(q, n * n, r, 1.0);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            g[i * n + j] = q[i * n + j] * pow(10.0, -0.8 * (double)j);
    CU_ASSERT_FATAL(gf_singular_values(g, n, n, ref) == 0);
    CU_ASSERT_FATAL(gf_singular_values_fast(g, n, n, sv) == 0);
    CU_ASSERT(max_diff(sv, ref, n, ref[0]) < 1e-13);
    for (size_t i = 0; i < n && ref[i] > 1e-12 * ref[0]; i++)
        CU_ASSERT(fabs(sv[i] - ref[i]) < 1e-6 * ref[i]);
    /* rank 5 of 20: 15 values at rounding level; diag(4, 3, 2, 1) exactly */
    double u[20 * 5], v[5 * 20], low[20 * 20] = {0}, d4[16] = {4, 0, 0, 0, 0, 0, 3, 0,
                                                               0, -2, 0, 0, 0, 0, 0, 1};
    tu_fill_gauss(u, 100, r, 1.0);
    tu_fill_gauss(v, 100, r, 1.0);
    for (size_t i = 0; i < 20; i++)
        for (size_t j = 0; j < 20; j++)
            for (size_t t = 0; t < 5; t++)
                low[i * 20 + j] += u[i * 5 + t] * v[t * 20 + j];
    CU_ASSERT_FATAL(gf_singular_values(low, 20, 20, ref) == 0);
    CU_ASSERT_FATAL(gf_singular_values_fast(low, 20, 20, sv) == 0);
    CU_ASSERT(max_diff(sv, ref, 20, ref[0]) < 1e-13);
    CU_ASSERT(sv[5] < 1e-13 * sv[0]);
    CU_ASSERT_FATAL(gf_singular_values_fast(d4, 4, 4, sv) == 0);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_DOUBLE_EQUAL(sv[i], 4 - i, 4e-15);
    memset(a, 0, sizeof a);
    CU_ASSERT_FATAL(gf_singular_values_fast(a, 7, 9, sv) == 0);
    for (int i = 0; i < 7; i++)
        CU_ASSERT(sv[i] == 0.0);
    a[3] = NAN;
    CU_ASSERT(gf_singular_values_fast(a, 7, 9, sv) == -1);
    gsl_rng_free(r);
    /* the end-to-end Jacobians of a plain ReLU stack: exact zeros and a tail
     * over many decades */
    gf_model *s = make(GF_ARCH_PLAIN, 20, 24, GF_NORM_NONE, GF_ACT_RELU, GF_INIT_TORCH, 0, 9);
    CU_ASSERT_FATAL(s != NULL);
    double x[16] = {0.3, -1.2, 0.8, 1.5};
    gf_jacobians jac;
    char why[128];
    CU_ASSERT_FATAL(gf_jacobians_compute(s, x, &jac, why, sizeof why) == 0);
    for (int l = 0; l <= jac.blocks; l++) {
        CU_ASSERT_FATAL(gf_singular_values(jac.end + (size_t)l * 576, 24, 24, ref) == 0);
        CU_ASSERT_FATAL(gf_singular_values_fast(jac.end + (size_t)l * 576, 24, 24, sv) == 0);
        CU_ASSERT(max_diff(sv, ref, 24, ref[0]) < 1e-13);
    }
    gf_jacobians_release(&jac);
    gf_model_free(s);
}

CU_TestInfo jacobian_tests[] = {
    {"block and end-to-end Jacobians against finite differences", test_against_finite_differences},
    {"a deep linear orthogonal stack: every singular value is 1", test_deep_linear_orthogonal},
    {"a zero residual branch: the Jacobian is the identity", test_zero_branch_is_identity},
    {"singular values (GSL) and the power iteration", test_singular_values_and_power_iteration},
    {"singular values without vectors agree with GSL's SVD", test_fast_singular_values},
    CU_TEST_INFO_NULL,
};
