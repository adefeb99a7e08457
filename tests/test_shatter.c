/* test_shatter.c: the nets of `gradflow shatter` (the looks-linear net is a
 * linear map at initialization; every net's input gradient against central
 * differences; batch norm in evaluation mode couples no points), the
 * autocorrelation, the names; and Hanin's fluctuations (the per-layer count,
 * the fit, the measured gradient against a hand-written backward pass). */
#include "test_util.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gf_shatter_net net_of(const char *name)
{
    gf_shatter_net n;
    char why[256];
    CU_ASSERT_FATAL(gf_shatter_net_parse(name, &n, why, sizeof why) == 0);
    return n;
}

static gf_shatter_model *model(const char *name, size_t width, unsigned long seed,
                               const double *grid, size_t n)
{
    const gf_shatter_net net = net_of(name);
    char why[256];
    gf_shatter_model *m = gf_shatter_model_alloc(&net, width, seed, grid, n, NULL, why, sizeof why);
    if (!m)
        fprintf(stderr, "\n  %s: %s\n", name, why);
    CU_ASSERT_FATAL(m != NULL);
    return m;
}

/* Item 7 of the issue: CReLU with mirrored weights is W0 h, so the whole
 * net is linear: the gradient is the same at every point and the output is
 * that gradient times x, to rounding. */
static void test_looks_linear_is_linear(void)
{
    enum { N = 64 };
    double x[N], f[N], g[N], acf[4];
    gf_shatter_grid(x, N, -2.0, 2.0);
    static const char *const nets[] = {"ll-2", "ll-3", "ll-8", "ll-24"};
    for (size_t i = 0; i < sizeof nets / sizeof *nets; i++) {
        gf_shatter_model *m = model(nets[i], 20, 7 + i, x, N);
        CU_ASSERT_FATAL(gf_shatter_model_eval(m, x, N, f, g) == 0);
        double top = 0.0, worst_g = 0.0, worst_f = 0.0;
        for (int k = 0; k < N; k++)
            top = fmax(top, fabs(f[k]));
        for (int k = 0; k < N; k++) {
            worst_g = fmax(worst_g, fabs(g[k] - g[0]));
            worst_f = fmax(worst_f, fabs(f[k] - g[0] * x[k]));
        }
        CU_ASSERT(fabs(g[0]) > 1e-6);             /* not trivially zero */
        CU_ASSERT(worst_g <= 1e-13 * fabs(g[0])); /* constant gradient */
        CU_ASSERT(worst_f <= 1e-13 * top);        /* f(x) = g x */
        CU_ASSERT(gf_shatter_autocorr(g, N, 3, acf) == 1 && acf[1] == 1.0);
        /* and an input off the grid, and 0 itself: f(0) = 0 */
        const double z[2] = {0.0, 1.2345};
        CU_ASSERT_FATAL(gf_shatter_model_eval(m, z, 2, f, g + 1) == 0);
        CU_ASSERT(f[0] == 0.0 && fabs(f[1] - g[0] * 1.2345) <= 1e-13 * fabs(f[1]));
        gf_shatter_model_free(m);
    }
}

/* d f / d x by backward against central differences of f, point by point,
 * in evaluation mode. A kink of a ReLU within h of a point spoils its
 * difference: at most one point per net may disagree. */
static void test_gradient_against_differences(void)
{
    enum { N = 48 };
    double x[N], xp[N], xm[N], f[N], fp[N], fm[N], g[N];
    gf_shatter_grid(x, N, -2.0, 2.0);
    const double h = 1e-6;
    for (int k = 0; k < N; k++) {
        x[k] += 0.013; /* off the grid the model saw (batch norm statistics) */
        xp[k] = x[k] + h;
        xm[k] = x[k] - h;
    }
    static const char *const nets[] = {"plain-2",  "plain-6",   "plain-6-bn", "resnet-6",
                                       "resnet-8-bn", "preact-6", "preact-8-bn", "ll-5"};
    for (size_t i = 0; i < sizeof nets / sizeof *nets; i++) {
        double grid[N];
        gf_shatter_grid(grid, N, -2.0, 2.0);
        gf_shatter_model *m = model(nets[i], 16, 3 + i, grid, N);
        CU_ASSERT_FATAL(gf_shatter_model_eval(m, x, N, f, g) == 0);
        CU_ASSERT_FATAL(gf_shatter_model_eval(m, xp, N, fp, NULL) == 0);
        CU_ASSERT_FATAL(gf_shatter_model_eval(m, xm, N, fm, NULL) == 0);
        double scale = 0.0;
        for (int k = 0; k < N; k++)
            scale = fmax(scale, fabs(g[k]));
        int bad = 0;
        for (int k = 0; k < N; k++) {
            const double fd = (fp[k] - fm[k]) / (2 * h);
            if (fabs(fd - g[k]) > 1e-6 * scale + 1e-7 * fabs(g[k]))
                bad++;
        }
        if (bad > 1)
            fprintf(stderr, "\n  %s: %d of %d points disagree with central differences\n",
                    nets[i], bad, N);
        CU_ASSERT(scale > 0 && bad <= 1);
        gf_shatter_model_free(m);
    }
}

/* Batch norm in evaluation mode: a point's output and gradient do not
 * depend on the other points evaluated with it; and the same seed gives
 * the same bytes, whether built anew or reseeded. */
static void test_points_independent_and_reproducible(void)
{
    enum { N = 32 };
    double x[N], f[N], g[N], f1, g1, f2[N], g2[N];
    gf_shatter_grid(x, N, -2.0, 2.0);
    gf_shatter_model *m = model("resnet-8-bn", 16, 11, x, N);
    CU_ASSERT_FATAL(gf_shatter_model_eval(m, x, N, f, g) == 0);
    int same = 1;
    for (int k = 0; k < N; k += 5) {
        CU_ASSERT_FATAL(gf_shatter_model_eval(m, x + k, 1, &f1, &g1) == 0);
        same &= fabs(f1 - f[k]) <= 1e-12 * (1 + fabs(f[k])) &&
                fabs(g1 - g[k]) <= 1e-12 * (1 + fabs(g[k]));
    }
    CU_ASSERT(same);
    /* reseed to another seed and back: the same numbers as a new model */
    CU_ASSERT(gf_shatter_model_reseed(m, 12, x, N) == 0);
    CU_ASSERT(gf_shatter_model_reseed(m, 11, x, N) == 0);
    CU_ASSERT_FATAL(gf_shatter_model_eval(m, x, N, f2, g2) == 0);
    CU_ASSERT(memcmp(f, f2, sizeof f) == 0 && memcmp(g, g2, sizeof g) == 0);
    gf_shatter_model_free(m);
    gf_shatter_model *n = model("resnet-8-bn", 16, 11, x, N);
    CU_ASSERT_FATAL(gf_shatter_model_eval(n, x, N, f2, g2) == 0);
    CU_ASSERT(memcmp(f, f2, sizeof f) == 0 && memcmp(g, g2, sizeof g) == 0);
    gf_shatter_model_free(n);
}

static void test_autocorrelation(void)
{
    enum { N = 100 };
    double a[N], acf[N + 1];
    for (int i = 0; i < N; i++)
        a[i] = i % 2 ? 1.0 : -1.0; /* alternating: lag 1 is -(N-1)/N */
    CU_ASSERT(gf_shatter_autocorr(a, N, 2, acf) == 0);
    CU_ASSERT(fabs(acf[0] - 1.0) < 1e-15 && fabs(acf[1] + (N - 1.0) / N) < 1e-12 &&
              fabs(acf[2] - (N - 2.0) / N) < 1e-12);
    for (int i = 0; i < N; i++)
        a[i] = 3.0;
    CU_ASSERT(gf_shatter_autocorr(a, N, 5, acf) == 1 && acf[5] == 1.0);
    /* a slow sine: lag 1 close to cos(2 pi / period) */
    for (int i = 0; i < N; i++)
        a[i] = sin(2 * M_PI * i / 50.0);
    CU_ASSERT(gf_shatter_autocorr(a, N, N, acf) == 0);
    CU_ASSERT(fabs(acf[1] - 0.99 * cos(2 * M_PI / 50.0)) < 0.01 && isnan(acf[N]));
}

static void test_names(void)
{
    static const char *const good[] = {"plain-2", "plain-24-bn", "resnet-50", "preact-50-bn",
                                       "ll-3", "ll-24"};
    char why[256], back[32];
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        gf_shatter_net n;
        CU_ASSERT(gf_shatter_net_parse(good[i], &n, why, sizeof why) == 0);
        gf_shatter_net_name(&n, back, sizeof back);
        CU_ASSERT_STRING_EQUAL(back, good[i]);
    }
    static const char *const bad[] = {"", "plain", "plain-3", "plain-0", "ll-1", "ll-24-bn",
                                      "plain-24-bn-bn", "plain--24", "plain-24-", "foo-24",
                                      "resnet-x", "plain-24-ln", "plain-1e2"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        gf_shatter_net n;
        why[0] = '\0';
        CU_ASSERT(gf_shatter_net_parse(bad[i], &n, why, sizeof why) == -1 && why[0]);
    }
    gf_shatter_net a;
    CU_ASSERT(gf_shatter_arch_parse("resnet-bn", &a, why, sizeof why) == 0 && a.batchnorm &&
              a.kind == GF_SHATTER_RESNET);
    CU_ASSERT(gf_shatter_arch_parse("ll", &a, why, sizeof why) == 0 && a.kind == GF_SHATTER_LL);
    CU_ASSERT(gf_shatter_arch_parse("ll-bn", &a, why, sizeof why) == -1);
    CU_ASSERT(gf_shatter_arch_parse("plain-24", &a, why, sizeof why) == -1);
}

/* ---- hanin ---------------------------------------------------------------------- */

static void test_hanin_layer_count_and_fit(void)
{
    /* 5/n to leading order; exactly, the chi-square part alone for n = 1 */
    CU_ASSERT(fabs(gf_hanin_layer_var(4096) * 4096 / 5.0 - 1.0) < 0.01);
    CU_ASSERT(gf_hanin_layer_var(16) > gf_hanin_layer_var(32) * 2);
    CU_ASSERT(fabs(gf_hanin_beta(42, 20) - 2.0) < 1e-15);
    double x[5] = {0, 1, 2, 3, 4}, y[5];
    for (int i = 0; i < 5; i++)
        y[i] = 0.5 + 2.0 * x[i];
    gf_hanin_fit f;
    CU_ASSERT(gf_hanin_fit_line(x, y, 5, &f) == 0);
    CU_ASSERT(fabs(f.slope - 2.0) < 1e-12 && fabs(f.intercept - 0.5) < 1e-12 &&
              fabs(f.r2 - 1.0) < 1e-12 && f.se_slope < 1e-10);
    CU_ASSERT(gf_hanin_fit_line(x, y, 2, &f) == -1 && isnan(f.slope));
}

/* ln ||dL/dx_0||^2 of the first net of a run against a backward pass
 * written out by hand: g = W1^T D1 W2^T D2 head_0 for depth 4. */
static void test_hanin_gradient_by_hand(void)
{
    gf_dataset data;
    CU_ASSERT_FATAL(gf_synthetic_make(&data, 64, 6, 3, 1.5, 0) == 0);
    const int depths[] = {4, 6, 8};
    const size_t widths[] = {8, 12};
    gf_hanin_spec spec = {.depths = depths, .n_depths = 3, .widths = widths, .n_widths = 2,
                          .seeds = 4, .seed0 = 5, .batch = 1, .data = &data};
    gf_hanin_result res;
    char why[256];
    CU_ASSERT_FATAL(gf_hanin_run(&spec, &res, why, sizeof why) == 0);
    CU_ASSERT(res.n_cells == 6 && res.cell[1].width == 12 && res.cell[1].seed_first == 9);
    CU_ASSERT(isfinite(res.fit.slope) && res.fit.n == 6);

    /* cell 0: depth 4, width 8, seed 5 */
    gf_stack_config c = tu_config(GF_ARCH_PLAIN, 4, 8, 6, 3);
    c.init = GF_INIT_HE;
    gf_stack *s = gf_stack_alloc(&c);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);
    CU_ASSERT_FATAL(s && gf_stack_init_weights(s, rng) == 0);
    double in[6], x0[8], a1[8], a2[8], g2[8], g1[8];
    int label;
    gf_dataset_sample(&data, rng, 1, in, &label);
    const gf_params *p = &s->params;
    const double *W0 = p->slot[s->stem.weight].t.v, *b0 = p->slot[s->stem.bias].t.v;
    const double *W1 = p->slot[s->block[0].fc1.weight].t.v;
    const double *W2 = p->slot[s->block[0].fc2.weight].t.v;
    const double *H = p->slot[s->head.weight].t.v;
    for (int i = 0; i < 8; i++) {
        double h = b0[i];
        for (int j = 0; j < 6; j++)
            h += W0[i * 6 + j] * in[j];
        x0[i] = h > 0 ? h : 0;
    }
    for (int i = 0; i < 8; i++) {
        double h = 0;
        for (int j = 0; j < 8; j++)
            h += W1[i * 8 + j] * x0[j];
        a1[i] = h;
    }
    for (int i = 0; i < 8; i++) {
        double h = 0;
        for (int j = 0; j < 8; j++)
            h += W2[i * 8 + j] * (a1[j] > 0 ? a1[j] : 0);
        a2[i] = h;
    }
    for (int i = 0; i < 8; i++)
        g2[i] = a2[i] > 0 ? H[i] : 0; /* row 0 of the head through relu' */
    for (int j = 0; j < 8; j++) {
        double v = 0;
        for (int i = 0; i < 8; i++)
            v += W2[i * 8 + j] * g2[i];
        g1[j] = a1[j] > 0 ? v : 0;
    }
    double sq = 0;
    for (int j = 0; j < 8; j++) {
        double v = 0;
        for (int i = 0; i < 8; i++)
            v += W1[i * 8 + j] * g1[i];
        sq += v * v;
    }
    CU_ASSERT(fabs(log(sq) - res.ln_sq[0]) < 1e-10);
    gf_stack_free(s);
    gsl_rng_free(rng);

    /* the cross-entropy runs (gf_gradnorm_run) give other, finite numbers */
    spec.xent = 1;
    gf_hanin_result rx;
    CU_ASSERT_FATAL(gf_hanin_run(&spec, &rx, why, sizeof why) == 0);
    CU_ASSERT(isfinite(rx.ln_sq[0]) && rx.ln_sq[0] != res.ln_sq[0] && isnan(rx.cell[0].predicted));
    gf_hanin_release(&rx);
    gf_hanin_release(&res);
    gf_dataset_release(&data);
}

/* The correlation at distant inputs: +1, -1 and about 0 where they should be. */
static void test_far_correlation(void)
{
    enum { N = 400 };
    double g[N];
    for (int i = 0; i < N; i++)
        g[i] = 2.5;
    CU_ASSERT_DOUBLE_EQUAL(gf_shatter_far_corr(g, N, N / 2), 1.0, 1e-15);
    for (int i = 0; i < N; i++)
        g[i] = i < N / 2 ? 1.0 + 0.1 * (i % 3) : -1.0 - 0.1 * ((i - N / 2) % 3);
    CU_ASSERT_DOUBLE_EQUAL(gf_shatter_far_corr(g, N, N / 2), -1.0, 1e-15);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    for (int i = 0; i < N; i++)
        g[i] = gsl_ran_gaussian(rng, 1.0);
    gsl_rng_free(rng);
    CU_ASSERT(fabs(gf_shatter_far_corr(g, N, N / 2)) < 4.0 / sqrt(N / 2.0));
    CU_ASSERT(isnan(gf_shatter_far_corr(g, N, N)));
}

CU_TestInfo shatter_tests[] = {
    {"the correlation at distant inputs", test_far_correlation},
    {"looks-linear nets are linear at initialization", test_looks_linear_is_linear},
    {"d output / d x against central differences, every kind", test_gradient_against_differences},
    {"batch norm couples no points in evaluation; same seed, same bytes",
     test_points_independent_and_reproducible},
    {"autocorrelation of known sequences", test_autocorrelation},
    {"net names: parse and print, refusals", test_names},
    {"hanin: the per-layer count and the least-squares line", test_hanin_layer_count_and_fit},
    {"hanin: ln ||dL/dx_0||^2 against a backward pass by hand", test_hanin_gradient_by_hand},
    CU_TEST_INFO_NULL,
};
