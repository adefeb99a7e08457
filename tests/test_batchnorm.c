/* test_batchnorm.c: batch norm in training mode (backward, running statistics
 * as PyTorch) and in eval mode. */
#include "test_util.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum { N = 32, D = 5 };

/* x with a different mean and scale per feature. */
static void fill_x(double *x, gsl_rng *r)
{
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < D; j++)
            x[i * D + j] = 3.0 * (double)j - 4.0 + (0.2 + (double)j) * tu_fixed(i * D + j) +
                           0.1 * gsl_rng_uniform(r);
}

/* aux: running mean at 0, running var at 16, count at 32. */
static gf_tensor *build_bn(gf_tape *t, tu_fd *c)
{
    const gf_bn_state bn = {.gamma = tu_fd_get(t, c, 1), .beta = tu_fd_get(t, c, 2),
                            .running_mean = c->aux, .running_var = c->aux + 16,
                            .batches_tracked = c->aux + 32, .momentum = 0.1, .eps = 1e-5};
    return tu_mse_fixed(t, gf_batchnorm(t, tu_fd_get(t, c, 0), &bn, 1));
}

static void test_training_backward_matches_finite_differences(void)
{
    tu_fd_case k;
    tu_fd_case_open(&k, 71, build_bn);
    fill_x(k.c.leaf[tu_fd_leaf(&k.c, "x", N, D, 1)].v, k.r);
    tu_fill_uniform(k.c.leaf[tu_fd_leaf(&k.c, "gamma", 1, D, 0)].v, D, k.r, -2.0, 2.0);
    tu_fill_uniform(k.c.leaf[tu_fd_leaf(&k.c, "beta", 1, D, 0)].v, D, k.r, -1.0, 1.0);
    for (int j = 0; j < D; j++)
        k.c.aux[16 + j] = 1.0;
    CU_ASSERT(tu_fd_check(k.tape, &k.c, 1e-5, 1e-6, "batchnorm_train N=32") <= 1e-6);
    /* The batch couples the samples: dL/dx sums to zero over the batch. */
    CU_ASSERT_FATAL(tu_fd_analytic(k.tape, &k.c) == 0);
    for (int j = 0; j < D; j++) {
        double s = 0.0, m = 0.0;
        for (int i = 0; i < N; i++) {
            s += k.c.leaf[0].g[i * D + j];
            m = fmax(m, fabs(k.c.leaf[0].g[i * D + j]));
        }
        CU_ASSERT(fabs(s) <= 1e-12 * m * N);
    }
    tu_fd_case_close(&k);
}

/* gamma, beta and running statistics drawn from r, with copies of the
 * statistics as they were; momentum 0.1, eps 1e-5 as PyTorch; a tape with an
 * N x D input x. */
typedef struct bn_fixture {
    double gv[D], bv[D], rm[D], rv[D], rm0[D], rv0[D], tracked;
    gf_tensor gamma, beta;
    gf_bn_state bn;
    gsl_rng *r;
    gf_tape *tape;
    gf_tensor *x;
} bn_fixture;

/* The fixture drawn from seed, and batch norm of x in the given mode (fatal if NULL). */
static gf_tensor *bn_fixture_forward(bn_fixture *f, unsigned long seed, double tracked,
                                     int training)
{
    gsl_rng *r = f->r = tu_rng(seed);
    tu_fill_uniform(f->gv, D, r, 0.5, 2.0);
    tu_fill_uniform(f->bv, D, r, -1.0, 1.0);
    tu_fill_uniform(f->rm, D, r, -1.0, 1.0);
    tu_fill_uniform(f->rv, D, r, 0.5, 2.0);
    memcpy(f->rm0, f->rm, sizeof f->rm);
    memcpy(f->rv0, f->rv, sizeof f->rv);
    f->tracked = tracked;
    gf_tensor_bind(&f->gamma, 1, D, f->gv, NULL);
    gf_tensor_bind(&f->beta, 1, D, f->bv, NULL);
    f->bn = (gf_bn_state){.gamma = &f->gamma, .beta = &f->beta, .running_mean = f->rm,
                          .running_var = f->rv, .batches_tracked = &f->tracked,
                          .momentum = 0.1, .eps = 1e-5};
    f->tape = gf_tape_alloc(TU_CHUNK);
    f->x = gf_tape_input(f->tape, N, D);
    fill_x(f->x->v, r);
    gf_tensor *y = gf_batchnorm(f->tape, f->x, &f->bn, training);
    CU_ASSERT_FATAL(y != NULL);
    return y;
}

static void bn_fixture_release(bn_fixture *f)
{
    gf_tape_free(f->tape);
    gsl_rng_free(f->r);
}

/* Forward in training mode: the batch statistics with the biased variance;
 * running <- 0.9 running + 0.1 stat with the unbiased variance; the count
 * goes up by one per forward. */
static void test_training_forward_and_running_statistics(void)
{
    bn_fixture f;
    gf_tensor *y = bn_fixture_forward(&f, 72, 4.0, 1), *x = f.x;
    gf_tape *tape = f.tape;
    const gf_bn_state bn = f.bn;
    CU_ASSERT_EQUAL(f.tracked, 5.0);
    for (size_t j = 0; j < D; j++) {
        const double mean = gsl_stats_mean(x->v + j, D, N);
        const double var_b = gsl_stats_variance_with_fixed_mean(x->v + j, D, N, mean); /* / n */
        const double var_u = gsl_stats_variance(x->v + j, D, N); /* / (n - 1) */
        CU_ASSERT_DOUBLE_EQUAL(f.rm[j], 0.9 * f.rm0[j] + 0.1 * mean, 1e-13);
        CU_ASSERT_DOUBLE_EQUAL(f.rv[j], 0.9 * f.rv0[j] + 0.1 * var_u, 1e-13 * (1 + var_u));
        double worst = 0.0;
        for (size_t i = 0; i < N; i++) {
            const double want = f.gv[j] * (x->v[i * D + j] - mean) / sqrt(var_b + 1e-5) + f.bv[j];
            worst = fmax(worst, fabs(y->v[i * D + j] - want));
        }
        CU_ASSERT(worst <= 1e-13);
        /* normalized columns: mean beta, standard deviation about |gamma| */
        CU_ASSERT_DOUBLE_EQUAL(gsl_stats_mean(y->v + j, D, N), f.bv[j], 1e-13);
        CU_ASSERT_DOUBLE_EQUAL(gsl_stats_sd_with_fixed_mean(y->v + j, D, N, f.bv[j]),
                               f.gv[j] * sqrt(var_b / (var_b + 1e-5)), 1e-12);
    }
    /* A second forward moves the statistics again. */
    double rm1[D];
    memcpy(rm1, f.rm, sizeof f.rm);
    CU_ASSERT_PTR_NOT_NULL(gf_batchnorm(tape, x, &bn, 1));
    CU_ASSERT_EQUAL(f.tracked, 6.0);
    for (size_t j = 0; j < D; j++)
        CU_ASSERT_DOUBLE_EQUAL(f.rm[j], 0.9 * rm1[j] + 0.1 * gsl_stats_mean(x->v + j, D, N), 1e-13);
    /* Training mode needs two samples. */
    gf_tensor *one = gf_tape_input(tape, 1, D);
    memset(one->v, 0, D * sizeof(double));
    CU_ASSERT_PTR_NULL(gf_batchnorm(tape, one, &bn, 1));
    bn_fixture_release(&f);
}

/* Eval mode: the running statistics, nothing updated, per-sample. */
static void test_eval_uses_running_statistics(void)
{
    bn_fixture f;
    gf_tensor *y = bn_fixture_forward(&f, 73, 3.0, 0), *x = f.x;
    gf_tape *tape = f.tape;
    const gf_bn_state bn = f.bn;
    CU_ASSERT(memcmp(f.rm, f.rm0, sizeof f.rm) == 0 && memcmp(f.rv, f.rv0, sizeof f.rv) == 0);
    CU_ASSERT_EQUAL(f.tracked, 3.0);
    double worst = 0.0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < D; j++) {
            const double want = f.gv[j] * (x->v[i * D + j] - f.rm[j]) / sqrt(f.rv[j] + 1e-5) + f.bv[j];
            worst = fmax(worst, fabs(y->v[i * D + j] - want));
        }
    CU_ASSERT(worst <= 1e-13);
    /* One sample is enough in eval mode, and gives the same row. */
    gf_tensor *one = gf_tape_input(tape, 1, D);
    memcpy(one->v, x->v + 3 * D, D * sizeof(double));
    gf_tensor *y1 = gf_batchnorm(tape, one, &bn, 0);
    CU_ASSERT_FATAL(y1 != NULL);
    CU_ASSERT(memcmp(y1->v, y->v + 3 * D, D * sizeof(double)) == 0);
    bn_fixture_release(&f);
}

/* In a stack, training forward passes update every batch-norm layer's
 * running statistics and count; eval passes do not. */
static void test_stack_running_statistics(void)
{
    gf_stack_config c = tu_small_config(GF_ARCH_RESNET, 8, 8);
    c.norm = GF_NORM_BATCH;
    tu_run r;
    CU_ASSERT_FATAL(tu_run_stack(&r, &c, 74, 16, 1) == 0);
    const gf_params *p = &r.s->params;
    const int t = gf_params_find(p, "blocks.2.bn2.num_batches_tracked");
    const int m = gf_params_find(p, "blocks.2.bn2.running_mean");
    const int v = gf_params_find(p, "stem_bn.running_var");
    CU_ASSERT_FATAL(t >= 0 && m >= 0);
    CU_ASSERT_EQUAL(p->slot[t].t.v[0], 1.0);
    CU_ASSERT(gf_params_value_log2(p, m) > -INFINITY); /* moved from 0 */
    if (v >= 0) {
        double ones = 0;
        for (size_t j = 0; j < p->slot[v].cols; j++)
            ones += p->slot[v].t.v[j] == 1.0;
        CU_ASSERT(ones < (double)p->slot[v].cols);
    }
    CU_ASSERT_FATAL(tu_run_step(&r, 1) == 0);
    CU_ASSERT_EQUAL(p->slot[t].t.v[0], 2.0);
    const size_t bytes = p->size * sizeof(double);
    double *before = malloc(bytes);
    memcpy(before, p->value, bytes);
    CU_ASSERT_FATAL(tu_run_step(&r, 0) == 0);
    CU_ASSERT(memcmp(before, p->value, bytes) == 0);
    CU_ASSERT(isfinite(r.loss->v[0]));
    free(before);
    tu_run_release(&r);
}

/* ---- batch norm over images: the blocked sums ----------------------------- */

/* 37 images of 10 x 10 x 12: 44,400 entries, enough for the sums' row blocks
 * (GF_PASS_MIN), and 3,700 rows, which 8 blocks do not divide evenly. */
enum { IMG_N = 37, IMG_C = 12, IMG_R = IMG_N * 10 * 10, IMG_SIZE = IMG_R * IMG_C };

/* y, dx, dgamma, dbeta of batch norm over the images on a tape with the given
 * threads, into out (IMG_SIZE + IMG_SIZE + 2 IMG_C). */
static void image_bn(double *out, const double *x0, const double *dy, const double *gb,
                     int threads)
{
    double gv[IMG_C], bv[IMG_C], gg[IMG_C], bg[IMG_C], rm[IMG_C] = {0}, rv[IMG_C], tracked = 0;
    memcpy(gv, gb, sizeof gv);
    memcpy(bv, gb + IMG_C, sizeof bv);
    for (size_t j = 0; j < IMG_C; j++)
        rv[j] = 1.0;
    gf_tensor gamma, beta;
    gf_tensor_bind(&gamma, 1, IMG_C, gv, gg);
    gf_tensor_bind(&beta, 1, IMG_C, bv, bg);
    const gf_bn_state bn = {.gamma = &gamma, .beta = &beta, .running_mean = rm,
                            .running_var = rv, .batches_tracked = &tracked, .momentum = 0.1,
                            .eps = 1e-5};
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    gf_tape_set_threads(tape, threads);
    gf_tensor *x = gf_tape_input(tape, IMG_N, IMG_SIZE / IMG_N);
    memcpy(x->v, x0, IMG_SIZE * sizeof *x0);
    x->flags |= GF_REQUIRES_GRAD;
    gf_tensor *y = gf_batchnorm2d(tape, x, (gf_image_shape){10, 10, IMG_C}, &bn, 1);
    CU_ASSERT_FATAL(y && gf_tape_backward_from(tape, y, dy) == GSL_SUCCESS);
    memcpy(out, y->v, IMG_SIZE * sizeof *out);
    gf_tensor_grad_export(x, out + IMG_SIZE);
    memcpy(out + 2 * IMG_SIZE, gg, sizeof gg);
    memcpy(out + 2 * IMG_SIZE + IMG_C, bg, sizeof bg);
    gf_tape_free(tape);
}

/* A view big enough for the per-channel sums' row blocks: y, dx, dgamma and
 * dbeta against a direct reference in long double (two-pass moments down each
 * channel), to 1e-12 of each channel's largest value (measured: 2.7e-13; the
 * plain sums down each channel that preceded the blocks: 1.3e-12); and the
 * same bits on 1, 2 and 3 threads. Channel j has mean 25 j and standard
 * deviation (0.1 + 0.05 j) / sqrt(12): offsets up to 1,500 deviations. */
static void test_image_batchnorm_blocked_sums(void)
{
    const size_t out_size = 2 * IMG_SIZE + 2 * IMG_C;
    double *x = malloc(IMG_SIZE * sizeof *x), *dy = malloc(IMG_SIZE * sizeof *dy);
    double *a = malloc(out_size * sizeof *a), *b = malloc(out_size * sizeof *b), gb[2 * IMG_C];
    gsl_rng *r = tu_rng(75);
    for (size_t i = 0; i < IMG_SIZE; i++)
        x[i] = 25.0 * (double)(i % IMG_C) + (0.1 + 0.05 * (double)(i % IMG_C)) *
                                               gsl_rng_uniform(r);
    tu_fill_uniform(dy, IMG_SIZE, r, -1.0, 1.0);
    tu_fill_uniform(gb, 2 * IMG_C, r, 0.5, 2.0);
    image_bn(a, x, dy, gb, 1);
    double worst = 0.0; /* per channel: the largest error over the largest value */
    for (size_t j = 0; j < IMG_C; j++) {
        long double m = 0, v = 0, sdy = 0, sdyx = 0, sdy_abs = 0, sdyx_abs = 0;
        for (size_t i = 0; i < IMG_R; i++)
            m += x[i * IMG_C + j];
        m /= IMG_R;
        for (size_t i = 0; i < IMG_R; i++)
            v += (x[i * IMG_C + j] - m) * (x[i * IMG_C + j] - m);
        const long double invstd = 1.0L / sqrtl(v / IMG_R + 1e-5L);
        for (size_t i = 0; i < IMG_R; i++) {
            const long double t = dy[i * IMG_C + j] * (x[i * IMG_C + j] - m) * invstd;
            sdy += dy[i * IMG_C + j], sdy_abs += fabs(dy[i * IMG_C + j]);
            sdyx += t, sdyx_abs += fabsl(t);
        }
        worst = fmax(worst, fabs((double)(a[2 * IMG_SIZE + j] - sdyx)) / (double)sdyx_abs);
        worst = fmax(worst, fabs((double)(a[2 * IMG_SIZE + IMG_C + j] - sdy)) / (double)sdy_abs);
        double ey = 0, ex = 0, my = 0, mx = 0;
        for (size_t i = 0; i < IMG_R; i++) {
            const size_t k = i * IMG_C + j;
            const long double xhat = (x[k] - m) * invstd;
            const long double y = gb[j] * xhat + gb[IMG_C + j];
            const long double dx =
                gb[j] * invstd / IMG_R * (IMG_R * (long double)dy[k] - sdy - xhat * sdyx);
            ey = fmax(ey, fabs((double)(a[k] - y))), my = fmax(my, fabs((double)y));
            ex = fmax(ex, fabs((double)(a[IMG_SIZE + k] - dx))), mx = fmax(mx, fabs((double)dx));
        }
        worst = fmax(worst, fmax(ey / my, ex / mx));
    }
    if (worst > 1e-12)
        fprintf(stderr, "\n  image batch norm: relative error %.3g\n", worst);
    CU_ASSERT(worst <= 1e-12);
    for (int threads = 2; threads <= 3; threads++) {
        image_bn(b, x, dy, gb, threads);
        CU_ASSERT(memcmp(a, b, out_size * sizeof *a) == 0);
    }
    free(x), free(dy), free(a), free(b);
    gsl_rng_free(r);
}

CU_TestInfo batchnorm_tests[] = {
    {"training backward matches finite differences (N = 32)",
     test_training_backward_matches_finite_differences},
    {"training forward, running mean / unbiased var, count", test_training_forward_and_running_statistics},
    {"eval mode uses the running statistics", test_eval_uses_running_statistics},
    {"stack: training passes update running statistics, eval does not", test_stack_running_statistics},
    {"over images: blocked sums against a direct reference, same bits on 1-3 threads",
     test_image_batchnorm_blocked_sums},
    CU_TEST_INFO_NULL,
};
