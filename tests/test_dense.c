/* test_dense.c: the dense-layer input op (gf_dense_bnrelu, gf_dense_restore):
 * finite differences (its builders are in test_ops.c's table through
 * tests/test_dense.h), values and gradients against concat + batchnorm + relu
 * on (n hw) x c matrices, shared scratch against fresh memory, and gradient
 * accumulation over every later consumer. */
#include "test_dense.h"

#include <math.h>
#include <string.h>

enum { N = 3, HW = 2, K = 3 };
static const size_t CH[K] = {2, 1, 3}; /* C = 6 */
enum { C = 6, OUT = HW * 2 };

/* Leaves: x0..x2 (n x hw c_i), then gamma, beta (1 x C); aux: running
 * mean at 0, variance at 8, count at 16. */
static void setup_common(tu_fd *c, gsl_rng *r, int eval)
{
    static const char *names[K] = {"x0", "x1", "x2"};
    for (int i = 0; i < K; i++)
        tu_fd_uniform_leaf(c, r, names[i], N, HW * CH[i], i == 1, -2, 2);
    tu_fd_uniform_leaf(c, r, "gamma", 1, C, 0, 0.5, 1.5);
    tu_fd_uniform_leaf(c, r, "beta", 1, C, 0, -0.5, 0.5);
    for (int j = 0; j < C; j++) {
        c->aux[j] = eval ? gsl_ran_flat(r, -1, 1) : 0.0;
        c->aux[8 + j] = eval ? gsl_ran_flat(r, 0.5, 2.0) : 1.0;
    }
}
void tu_dense_setup_train(tu_fd *c, gsl_rng *r) { setup_common(c, r, 0); }
void tu_dense_setup_eval(tu_fd *c, gsl_rng *r) { setup_common(c, r, 1); }

static gf_bn_state bn_of(gf_tape *t, tu_fd *c, int gamma_leaf, double *stats)
{
    return (gf_bn_state){.gamma = tu_fd_get(t, c, gamma_leaf),
                         .beta = tu_fd_get(t, c, gamma_leaf + 1), .running_mean = stats,
                         .running_var = stats + 8, .batches_tracked = stats + 16,
                         .momentum = 0.1, .eps = 1e-5};
}

static gf_tensor *build_plain(gf_tape *t, tu_fd *c, int training)
{
    gf_tensor *xs[K] = {tu_fd_get(t, c, 0), tu_fd_get(t, c, 1), tu_fd_get(t, c, 2)};
    const gf_bn_state bn = bn_of(t, c, 3, c->aux);
    return tu_mse_fixed(t, gf_dense_bnrelu(t, xs, K, HW, &bn, training, NULL, NULL));
}
gf_tensor *tu_dense_build_train(gf_tape *t, tu_fd *c) { return build_plain(t, c, 1); }
gf_tensor *tu_dense_build_eval(gf_tape *t, tu_fd *c) { return build_plain(t, c, 0); }

/* Two layers sharing one scratch, each consumed by a Linear (whose weight
 * gradient reads the shared values): x0, x1 -> h1 -> a = h1 W1^T;
 * [x0, x1, a] -> h2 -> b = h2 W2^T; L = mse(b). Leaves: x0, x1, W1, W2,
 * gamma1, beta1, gamma2, beta2. c->s = 0 leaves the restores out (wrong). */
void tu_dense_setup_restore(tu_fd *c, gsl_rng *r)
{
    tu_fd_uniform_leaf(c, r, "x0", N, HW * 2, 1, -2, 2);
    tu_fd_uniform_leaf(c, r, "x1", N, HW * 1, 0, -2, 2);
    tu_fd_uniform_leaf(c, r, "W1", OUT, HW * 3, 0, -1, 1);
    tu_fd_uniform_leaf(c, r, "W2", 3, HW * 5, 0, -1, 1);
    tu_fd_uniform_leaf(c, r, "gamma1", 1, 3, 0, 0.5, 1.5);
    tu_fd_uniform_leaf(c, r, "beta1", 1, 3, 0, -0.5, 0.5);
    tu_fd_uniform_leaf(c, r, "gamma2", 1, 5, 0, 0.5, 1.5);
    tu_fd_uniform_leaf(c, r, "beta2", 1, 5, 0, -0.5, 0.5);
    for (int j = 0; j < 64; j++) /* two running statistics: at 0 and at 24 */
        c->aux[j] = j % 24 >= 8 && j % 24 < 16 ? 1.0 : 0.0;
    c->s = 1.0;
}

gf_tensor *tu_dense_build_restore(gf_tape *t, tu_fd *c)
{
    gf_dense_scratch *s = gf_dense_scratch_get(t, N * HW * 5);
    gf_tensor *x0 = tu_fd_get(t, c, 0), *x1 = tu_fd_get(t, c, 1);
    const gf_bn_state bn1 = bn_of(t, c, 4, c->aux), bn2 = bn_of(t, c, 6, c->aux + 24);
    gf_tensor *h1 = gf_dense_bnrelu(t, (gf_tensor *[]){x0, x1}, 2, HW, &bn1, 1, s, NULL);
    gf_tensor *a = gf_linear(t, h1, tu_fd_get(t, c, 2), NULL);
    if (c->s != 0.0)
        a = gf_dense_restore(t, a, h1);
    gf_tensor *h2 = gf_dense_bnrelu(t, (gf_tensor *[]){x0, x1, a}, 3, HW, &bn2, 1, s, NULL);
    gf_tensor *b = gf_linear(t, h2, tu_fd_get(t, c, 3), NULL);
    if (c->s != 0.0)
        b = gf_dense_restore(t, b, h2);
    return tu_mse_fixed(t, b);
}

/* The restore is what makes the shared scratch right: without it the first
 * Linear's weight gradient reads the second layer's values, and the
 * finite-difference check catches it. */
static void test_restore_is_needed(void)
{
    tu_fd_case k;
    tu_fd_case_open(&k, 21, tu_dense_build_restore);
    tu_dense_setup_restore(&k.c, k.r);
    CU_ASSERT(tu_fd_check(k.tape, &k.c, 1e-5, 1e-6, "dense with restore") <= 1e-6);
    k.c.s = 0.0;
    CU_ASSERT_EQUAL_FATAL(tu_fd_analytic(k.tape, &k.c), 0);
    double num[OUT * HW * 3];
    tu_fd_numeric(k.tape, &k.c, 2, 1e-5, num);
    CU_ASSERT(tu_rel_err(k.c.leaf[2].g, num, OUT * HW * 3) > 1e-3);
    tu_fd_case_close(&k);
}

/* ---- against concat + batchnorm + relu -------------------------------------- */

/* One pass of the three-input op (mode 0: fresh memory, 1: scratch) or of
 * the reference (mode 2: the inputs as (n hw) x c_i, gf_concat, gf_batchnorm,
 * gf_relu); the output values and every input's gradient into out. */
static void run_mode(int mode, int training, const double *xv, double *out)
{
    gf_tape *t = gf_tape_alloc(TU_CHUNK);
    double gam[C], bet[C], gg[C], gb[C], stats[64] = {0};
    for (int j = 0; j < C; j++) {
        gam[j] = 0.7 + 0.1 * j;
        bet[j] = 0.05 * j - 0.1;
        stats[j] = 0.1 * j;
        stats[16 + j] = 1.0 + 0.2 * j;
    }
    gf_tensor gamma, beta;
    gf_tensor_bind(&gamma, 1, C, gam, gg);
    gf_tensor_bind(&beta, 1, C, bet, gb);
    const gf_bn_state bn = {.gamma = &gamma, .beta = &beta, .running_mean = stats,
                            .running_var = stats + 16, .batches_tracked = stats + 32,
                            .momentum = 0.1, .eps = 1e-5};
    gf_tensor *xs[K];
    const double *src = xv;
    for (int i = 0; i < K; i++) {
        xs[i] = mode == 2 ? gf_tape_input(t, N * HW, CH[i]) : gf_tape_input(t, N, HW * CH[i]);
        memcpy(xs[i]->v, src, N * HW * CH[i] * sizeof *src);
        src += N * HW * CH[i];
        xs[i]->flags |= GF_REQUIRES_GRAD;
    }
    gf_tensor *h = mode == 2 ? gf_relu(t, gf_batchnorm(t, gf_concat(t, xs, K), &bn, training))
                             : gf_dense_bnrelu(t, xs, K, HW, &bn, training,
                                               mode ? gf_dense_scratch_get(t, N * HW * C) : NULL,
                                               NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    memcpy(out, h->v, N * HW * C * sizeof *out);
    CU_ASSERT_EQUAL(gf_tape_backward(t, tu_mse_fixed(t, h)), 0);
    double *o = out + N * HW * C;
    for (int i = 0; i < K; i++) {
        gf_tensor_grad_export(xs[i], o);
        o += N * HW * CH[i];
    }
    memcpy(o, gg, sizeof gg);
    memcpy(o + C, gb, sizeof gb);
    gf_tape_free(t);
}

static void test_matches_concat_batchnorm_relu(void)
{
    enum { SIZE = 2 * N * HW * C + 2 * C };
    double xv[N * HW * C], ref[SIZE], fresh[SIZE], shared[SIZE];
    gsl_rng *r = tu_rng(5);
    tu_fill_uniform(xv, N * HW * C, r, -2, 2);
    for (int training = 0; training <= 1; training++) {
        run_mode(2, training, xv, ref);
        run_mode(0, training, xv, fresh);
        run_mode(1, training, xv, shared);
        CU_ASSERT(tu_rel_err(ref, fresh, SIZE) < 1e-13);
        CU_ASSERT(memcmp(fresh, shared, sizeof fresh) == 0); /* the same arithmetic */
        CU_ASSERT(tu_norm(ref + N * HW * C, N * HW * C) > 0.1);
    }
    gsl_rng_free(r);
}

/* ---- gradient accumulation --------------------------------------------------- */

/* A block of three layers on x0 (c 2): layer l reads [x0, y_1 .. y_{l-1}]
 * and adds y_l (n x hw*1) = Linear(h_l). Loss: the sum of mse terms on
 * the layers named by mask (bit l-1: layer l). Returns x0's gradient in g. */
static void block_grad(int scratch, unsigned mask, const double *xv, const double *wv,
                       double *g, double norms[3][3])
{
    gf_tape *t = gf_tape_alloc(TU_CHUNK);
    double gam[8], bet[8], stats[3][64] = {{0}};
    for (int j = 0; j < 8; j++) {
        gam[j] = 1.0 + 0.05 * j;
        bet[j] = 0.1 - 0.03 * j;
    }
    gf_tensor *x0 = gf_tape_input(t, N, HW * 2), *feat[4] = {x0}, *loss = NULL;
    memcpy(x0->v, xv, N * HW * 2 * sizeof *xv);
    x0->flags |= GF_REQUIRES_GRAD;
    gf_dense_scratch *s = scratch ? gf_dense_scratch_get(t, N * HW * 4) : NULL;
    gf_tensor gamma[3], beta[3]; /* the tape points at them until it is freed */
    for (int l = 1; l <= 3; l++) {
        gf_tensor *w = gf_tape_input(t, HW, HW * (size_t)(l + 1));
        gf_tensor_bind(&gamma[l - 1], 1, (size_t)l + 1, gam, NULL);
        gf_tensor_bind(&beta[l - 1], 1, (size_t)l + 1, bet, NULL);
        memcpy(w->v, wv, w->n * w->d * sizeof *wv);
        const gf_bn_state bn = {.gamma = &gamma[l - 1], .beta = &beta[l - 1],
                                .running_mean = stats[l - 1],
                                .running_var = stats[l - 1] + 16,
                                .batches_tracked = stats[l - 1] + 32, .momentum = 0.1,
                                .eps = 1e-5};
        stats[l - 1][16] = stats[l - 1][17] = stats[l - 1][18] = stats[l - 1][19] = 1.0;
        gf_tensor *h = gf_dense_bnrelu(t, feat, l, HW, &bn, 1, s, norms[l - 1]);
        gf_tensor *y = gf_linear(t, h, w, NULL);
        feat[l] = s ? gf_dense_restore(t, y, h) : y;
        if (mask & (1u << (l - 1))) {
            gf_tensor *term = tu_mse_fixed(t, feat[l]);
            loss = loss ? gf_add(t, loss, term) : term;
        }
    }
    CU_ASSERT_EQUAL(gf_tape_backward(t, loss), 0);
    gf_tensor_grad_export(x0, g);
    gf_tape_free(t);
}

/* x0 feeds every layer: its gradient is the sum of what each later consumer
 * sends it, in fresh memory and in the shared scratch alike. */
static void test_gradient_accumulates(void)
{
    double xv[N * HW * 2], wv[64], all[N * HW * 2], part[N * HW * 2], sum[N * HW * 2] = {0};
    double norms[3][3], shared_norms[3][3];
    gsl_rng *r = tu_rng(9);
    tu_fill_uniform(xv, N * HW * 2, r, -2, 2);
    tu_fill_uniform(wv, 64, r, -1, 1);
    for (int scratch = 0; scratch <= 1; scratch++) {
        block_grad(scratch, 7u, xv, wv, all, scratch ? shared_norms : norms);
        memset(sum, 0, sizeof sum);
        for (int l = 0; l < 3; l++) { /* the loss of one layer at a time */
            double unused[3][3];
            block_grad(scratch, 1u << l, xv, wv, part, unused);
            for (int i = 0; i < N * HW * 2; i++)
                sum[i] += part[i];
        }
        CU_ASSERT(tu_rel_err(all, sum, N * HW * 2) < 1e-13);
        CU_ASSERT(tu_norm(all, N * HW * 2) > 1e-3);
    }
    /* The connection norms: every layer sends x0 something, the same in both. */
    for (int l = 0; l < 3; l++)
        for (int j = 0; j <= l; j++) {
            CU_ASSERT(isfinite(norms[l][j]));
            CU_ASSERT_DOUBLE_EQUAL(norms[l][j], shared_norms[l][j], 1e-12);
        }
    gsl_rng_free(r);
}

static void test_shape_errors(void)
{
    gf_tape *t = gf_tape_alloc(TU_CHUNK);
    gf_tensor *x = gf_tape_input(t, 2, 5), *g = gf_tape_input(t, 1, 2), *b = gf_tape_input(t, 1, 2);
    double stats[64] = {0};
    const gf_bn_state bn = {.gamma = g, .beta = b, .running_mean = stats,
                            .running_var = stats + 16, .batches_tracked = stats + 32,
                            .momentum = 0.1, .eps = 1e-5};
    CU_ASSERT_PTR_NULL(gf_dense_bnrelu(t, &x, 1, 2, &bn, 1, NULL, NULL)); /* 5 % 2 != 0 */
    CU_ASSERT(strstr(gf_tape_error(t), "dense_bnrelu") != NULL);
    gf_tape_reset(t);
    x = gf_tape_input(t, 2, 4);
    CU_ASSERT_PTR_NULL(gf_dense_restore(t, x, x)); /* not a dense output */
    CU_ASSERT(strstr(gf_tape_error(t), "dense_restore") != NULL);
    gf_tape_free(t);
}

CU_TestInfo dense_op_tests[] = {
    {"values and gradients equal concat + batchnorm + relu", test_matches_concat_batchnorm_relu},
    {"each input's gradient sums every later consumer's", test_gradient_accumulates},
    {"the shared scratch needs its restore (the check can fail)", test_restore_is_needed},
    {"shape errors name the op", test_shape_errors},
    CU_TEST_INFO_NULL,
};
