/* test_conv.c: the image ops (gf_conv.h). Convolution against a direct
 * nested-loop reference (values and all three gradients) over kernel sizes,
 * strides, paddings, odd channel counts and batch sizes; batch norm over
 * channels against a direct computation with its running statistics; the
 * option-A shortcut, pooling and channel concatenation against hand-written
 * expectations; shape errors. Their finite-difference builders are in
 * tu_image_op_cases[], run by the ops suite with every other op. */
#include "test_util.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ON_TAPE = 1, BOUND = 0 };

/* ---- finite-difference builders ------------------------------------------ */

/* A convolution case: x (n x h*w*c), W (co x kh*kw*c), b (1 x co) when
 * b_tape >= 0; loss of conv(x), or of conv(x) + x when skip (x's gradient then
 * comes from two ops: accumulation). */
typedef struct fd_conv {
    size_t n, co;
    gf_image_shape in;
    gf_conv_geom g;
    int x_tape, w_tape, b_tape, skip;
} fd_conv;
static const fd_conv FD_CONV[] = {
    {2, 4, {5, 4, 3}, {3, 3, 2, 1}, ON_TAPE, BOUND, BOUND, 0},
    {2, 3, {4, 5, 2}, {2, 3, 1, 1}, BOUND, ON_TAPE, -1, 0},
    {2, 3, {3, 2, 5}, {1, 1, 1, 0}, ON_TAPE, BOUND, ON_TAPE, 0},
    {2, 16, {4, 4, 16}, {3, 3, 1, 1}, ON_TAPE, BOUND, -1, 1}, /* dX flipped, added to */
    /* a 1x1 conv's dX is written by a GEMM, here adding to the skip's */
    {3, 4, {2, 3, 4}, {1, 1, 1, 0}, ON_TAPE, BOUND, -1, 1},
    /* size-keeping stride 1 from 16 channels: dX by the flipped kernel, written fresh */
    {2, 3, {6, 5, 16}, {5, 5, 1, 2}, ON_TAPE, BOUND, -1, 0},
};

/* The leaves of case k (its index kept in iaux[0] for build_conv). */
static void setup_conv_case(tu_fd *c, gsl_rng *r, int k)
{
    const fd_conv *q = &FD_CONV[k];
    c->iaux[0] = k;
    tu_fd_uniform_leaf(c, r, "x", q->n, q->in.h * q->in.w * q->in.c, q->x_tape, -1, 1);
    tu_fd_uniform_leaf(c, r, "W", q->co, q->g.kh * q->g.kw * q->in.c, q->w_tape, -1, 1);
    if (q->b_tape >= 0)
        tu_fd_uniform_leaf(c, r, "b", 1, q->co, q->b_tape, -1, 1);
}
static void setup_conv(tu_fd *c, gsl_rng *r) { setup_conv_case(c, r, 0); }
static void setup_conv_rect(tu_fd *c, gsl_rng *r) { setup_conv_case(c, r, 1); }
static void setup_conv_1x1(tu_fd *c, gsl_rng *r) { setup_conv_case(c, r, 2); }
static void setup_conv_skip(tu_fd *c, gsl_rng *r) { setup_conv_case(c, r, 3); }
static void setup_conv_1x1_skip(tu_fd *c, gsl_rng *r) { setup_conv_case(c, r, 4); }
static void setup_conv_5x5(tu_fd *c, gsl_rng *r) { setup_conv_case(c, r, 5); }

static gf_tensor *build_conv(gf_tape *t, tu_fd *c)
{
    const fd_conv *q = &FD_CONV[c->iaux[0]];
    gf_tensor *x = tu_fd_get(t, c, 0);
    gf_tensor *y = gf_conv2d(t, x, q->in, tu_fd_get(t, c, 1),
                             q->b_tape >= 0 ? tu_fd_get(t, c, 2) : NULL, q->g);
    return tu_mse_fixed(t, q->skip ? gf_add(t, y, x) : y);
}

/* Batch norm over 3 channels of 2 x 2 images, 3 images (12 values per
 * channel), with per-channel offsets; running statistics in aux. */
static void setup_bn2d(tu_fd *c, gsl_rng *r, int eval)
{
    tu_fd_bn_leaves(c, r, 3, 2 * 2 * 3, 3, eval);
}
static void setup_bn2d_train(tu_fd *c, gsl_rng *r) { setup_bn2d(c, r, 0); }
static void setup_bn2d_eval(tu_fd *c, gsl_rng *r) { setup_bn2d(c, r, 1); }
static gf_tensor *build_bn2d(gf_tape *t, tu_fd *c, int training)
{
    const gf_bn_state bn = tu_fd_bn_state(t, c);
    return tu_mse_fixed(t, gf_batchnorm2d(t, tu_fd_get(t, c, 0), (gf_image_shape){2, 2, 3}, &bn,
                                          training));
}
static gf_tensor *build_bn2d_train(gf_tape *t, tu_fd *c) { return build_bn2d(t, c, 1); }
static gf_tensor *build_bn2d_eval(gf_tape *t, tu_fd *c) { return build_bn2d(t, c, 0); }

static void setup_concat_ch(tu_fd *c, gsl_rng *r)
{
    tu_fd_uniform_leaf(c, r, "x0", 2, 4 * 2, ON_TAPE, -1, 1);
    tu_fd_uniform_leaf(c, r, "x1", 2, 4 * 3, BOUND, -1, 1);
    tu_fd_uniform_leaf(c, r, "x2", 2, 4 * 1, ON_TAPE, -1, 1);
}
static gf_tensor *build_concat_ch(gf_tape *t, tu_fd *c)
{
    gf_tensor *xs[3] = {tu_fd_get(t, c, 0), tu_fd_get(t, c, 1), tu_fd_get(t, c, 2)};
    return tu_mse_fixed(t, gf_concat_channels(t, xs, 3, 4));
}

static void setup_pool(tu_fd *c, gsl_rng *r)
{
    tu_fd_uniform_leaf(c, r, "x", 2, 4 * 5 * 3, ON_TAPE, -1, 1);
}
static gf_tensor *build_pool2(gf_tape *t, tu_fd *c)
{
    return tu_mse_fixed(t, gf_avgpool2d(t, tu_fd_get(t, c, 0), (gf_image_shape){4, 5, 3}, 2, 2));
}
static gf_tensor *build_pool3(gf_tape *t, tu_fd *c) /* overlapping windows */
{
    return tu_mse_fixed(t, gf_avgpool2d(t, tu_fd_get(t, c, 0), (gf_image_shape){4, 5, 3}, 3, 1));
}
static gf_tensor *build_gap(gf_tape *t, tu_fd *c)
{
    return tu_mse_fixed(t, gf_global_avgpool(t, tu_fd_get(t, c, 0), (gf_image_shape){4, 5, 3}));
}

static void setup_shortcut(tu_fd *c, gsl_rng *r)
{
    tu_fd_uniform_leaf(c, r, "x", 2, 5 * 5 * 2, ON_TAPE, -1, 1);
}
static gf_tensor *build_shortcut(gf_tape *t, tu_fd *c)
{
    return tu_mse_fixed(t, gf_shortcut_a(t, tu_fd_get(t, c, 0), (gf_image_shape){5, 5, 2}, 5, 2));
}
static gf_tensor *build_shortcut_id(gf_tape *t, tu_fd *c)
{
    return tu_mse_fixed(t, gf_shortcut_a(t, tu_fd_get(t, c, 0), (gf_image_shape){5, 5, 2}, 2, 1));
}

const tu_op_case tu_image_op_cases[] = {
    {"conv2d", "3x3 stride 2 pad 1, bias", setup_conv, build_conv},
    {"conv2d", "2x3 stride 1 pad 1, no bias", setup_conv_rect, build_conv},
    {"conv2d", "1x1 (a GEMM on x), bias", setup_conv_1x1, build_conv},
    {"conv2d", "conv(x) + x", setup_conv_skip, build_conv},
    {"conv2d", "1x1 conv(x) + x", setup_conv_1x1_skip, build_conv},
    {"conv2d", "5x5 stride 1 pad 2 (dX by the flipped kernel)", setup_conv_5x5, build_conv},
    {"batchnorm_train", "over channels", setup_bn2d_train, build_bn2d_train},
    {"batchnorm_eval", "over channels", setup_bn2d_eval, build_bn2d_eval},
    {"concat", "channels of 4-pixel images", setup_concat_ch, build_concat_ch},
    {"avgpool2d", "2x2 stride 2, odd width", setup_pool, build_pool2},
    {"avgpool2d", "3x3 stride 1, overlapping", setup_pool, build_pool3},
    {"global_avgpool", "4x5 image", setup_pool, build_gap},
    {"shortcut_a", "stride 2, 2 -> 5 channels", setup_shortcut, build_shortcut},
    {"shortcut_a", "stride 1, same channels", setup_shortcut, build_shortcut_id},
};
const int tu_n_image_op_cases = sizeof tu_image_op_cases / sizeof *tu_image_op_cases;

/* ---- convolution against a direct nested loop ---------------------------- */

typedef struct conv_case {
    size_t n, h, w, ci, co, kh, kw, s, p;
    int bias;
} conv_case;

/* The convolution looped as written in the header, W in (out, in, kh, kw)
 * order. dy NULL: y = conv(x) (+ b). Otherwise the gradients of
 * L = <dy, conv(x)> into dx, dw, db (zeroed first), the products turned around. */
static void ref_conv(const conv_case *k, const double *x, const double *w, const double *b,
                     double *y, const double *dy, double *dx, double *dw, double *db)
{
    const size_t ho = (k->h + 2 * k->p - k->kh) / k->s + 1;
    const size_t wo = (k->w + 2 * k->p - k->kw) / k->s + 1;
    if (dy) {
        memset(dx, 0, k->n * k->h * k->w * k->ci * sizeof *dx);
        memset(dw, 0, k->co * k->ci * k->kh * k->kw * sizeof *dw);
        memset(db, 0, k->co * sizeof *db);
    }
    for (size_t i = 0; i < k->n; i++)
        for (size_t oy = 0; oy < ho; oy++)
            for (size_t ox = 0; ox < wo; ox++)
                for (size_t o = 0; o < k->co; o++) {
                    const size_t yi = ((i * ho + oy) * wo + ox) * k->co + o;
                    double acc = b ? b[o] : 0.0;
                    if (dy)
                        db[o] += dy[yi];
                    for (size_t c = 0; c < k->ci; c++)
                        for (size_t ky = 0; ky < k->kh; ky++)
                            for (size_t kx = 0; kx < k->kw; kx++) {
                                const long iy = (long)(oy * k->s + ky) - (long)k->p;
                                const long ix = (long)(ox * k->s + kx) - (long)k->p;
                                if (iy < 0 || ix < 0 || iy >= (long)k->h || ix >= (long)k->w)
                                    continue;
                                const size_t wi = ((o * k->ci + c) * k->kh + ky) * k->kw + kx;
                                const size_t xi =
                                    ((i * k->h + (size_t)iy) * k->w + (size_t)ix) * k->ci + c;
                                if (dy) {
                                    dw[wi] += dy[yi] * x[xi];
                                    dx[xi] += dy[yi] * w[wi];
                                } else {
                                    acc += w[wi] * x[xi];
                                }
                            }
                    if (!dy)
                        y[yi] = acc;
                }
}

/* Worst relative error (tu_rel_err) of y, dx, dW and db against the reference;
 * w_shift is added to W[0] in gradflow's copy only (to show the check fails). */
static double conv_vs_reference(const conv_case *k, unsigned long seed, double w_shift)
{
    gsl_rng *r = tu_rng(seed);
    const gf_image_shape in = {k->h, k->w, k->ci};
    const gf_conv_geom g = {k->kh, k->kw, k->s, k->p};
    const gf_image_shape out = gf_conv_out_shape(in, g, k->co);
    const size_t nx = k->n * gf_image_size(in), ny = k->n * gf_image_size(out);
    const size_t nw = k->co * k->ci * k->kh * k->kw;
    double *buf = calloc(3 * nx + 3 * nw + 3 * k->co + 3 * ny, sizeof *buf);
    double *x = buf, *gx = x + nx, *rgx = gx + nx, *w = rgx + nx, *gw = w + nw, *rgw = gw + nw;
    double *b = rgw + nw, *gb = b + k->co, *rgb = gb + k->co, *dy = rgb + k->co, *y = dy + ny;
    double *ry = y + ny;
    tu_fill_uniform(x, nx, r, -1, 1);
    tu_fill_uniform(w, nw, r, -1, 1);
    tu_fill_uniform(b, k->co, r, -1, 1);
    tu_fill_uniform(dy, ny, r, -1, 1);
    ref_conv(k, x, w, k->bias ? b : NULL, ry, NULL, NULL, NULL, NULL);
    ref_conv(k, x, w, NULL, NULL, dy, rgx, rgw, rgb);
    w[0] += w_shift;

    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    gf_tensor W, B, *xt = gf_tape_input(tape, k->n, gf_image_size(in));
    gf_tensor_bind(&W, k->co, nw / k->co, w, gw);
    gf_tensor_bind(&B, 1, k->co, b, gb);
    memcpy(xt->v, x, nx * sizeof *x);
    xt->flags |= GF_REQUIRES_GRAD;
    gf_tensor *yt = gf_conv2d(tape, xt, in, &W, k->bias ? &B : NULL, g);
    double err = INFINITY;
    if (yt && yt->d == gf_image_size(out) && gf_tape_backward_from(tape, yt, dy) == GSL_SUCCESS) {
        gf_tensor_grad_export(xt, gx);
        err = fmax(tu_rel_err(yt->v, ry, ny),
                   fmax(tu_rel_err(gx, rgx, nx), tu_rel_err(gw, rgw, nw)));
        if (k->bias)
            err = fmax(err, tu_rel_err(gb, rgb, k->co));
    }
    gf_tape_free(tape);
    free(buf);
    gsl_rng_free(r);
    return err;
}

/* Kernel sizes 1, 3, 5 and non-square; strides 1 and 2; pads 0, 1, 2; odd
 * channel counts; batches of 1 and several; images that span several chunks;
 * size-keeping convs from 16 and 33 channels (dX by the flipped kernel), one
 * to more output channels than input (its columns are the wider). */
static const conv_case conv_cases[] = {
    {1, 5, 5, 1, 1, 1, 1, 1, 0, 0},   {3, 6, 5, 3, 7, 1, 1, 1, 0, 1},
    {2, 5, 5, 3, 2, 1, 1, 2, 0, 1},   {2, 7, 7, 3, 5, 3, 3, 1, 1, 1},
    {3, 8, 6, 5, 4, 3, 3, 2, 1, 0},   {1, 4, 4, 2, 3, 3, 3, 1, 0, 1},
    {3, 11, 10, 6, 9, 3, 3, 2, 0, 1}, {2, 9, 9, 2, 3, 5, 5, 1, 2, 1},
    {1, 9, 7, 3, 2, 5, 5, 2, 2, 0},   {2, 6, 7, 3, 5, 2, 3, 1, 0, 1},
    {2, 7, 8, 4, 3, 3, 1, 2, 1, 1},   {1, 3, 3, 2, 2, 3, 3, 1, 2, 1},
    {5, 14, 14, 16, 8, 3, 3, 1, 1, 1}, {4, 12, 12, 33, 5, 3, 3, 1, 1, 0},
    {3, 10, 10, 7, 11, 3, 3, 2, 1, 1},  {2, 6, 6, 16, 24, 3, 3, 1, 1, 1},
};

static void test_conv_matches_reference(void)
{
    for (size_t i = 0; i < sizeof conv_cases / sizeof *conv_cases; i++) {
        const conv_case *k = &conv_cases[i];
        const double err = conv_vs_reference(k, 500 + i, 0.0);
        if (!(err <= 1e-12))
            fprintf(stderr, "\n  conv case %zu (n %zu, %zux%zux%zu -> %zu, %zux%zu s%zu p%zu): "
                    "error %.3g\n", i, k->n, k->h, k->w, k->ci, k->co, k->kh, k->kw, k->s, k->p,
                    err);
        CU_ASSERT(err <= 1e-12);
    }
}

/* An input that needs no gradient (the data, at the stem): dW and db alone,
 * as the reference has them. */
static void test_conv_input_without_gradient(void)
{
    const conv_case k = {3, 6, 6, 1, 4, 3, 3, 1, 1, 1};
    const gf_image_shape in = {6, 6, 1};
    const gf_conv_geom g = {3, 3, 1, 1};
    enum { NX = 3 * 36, NY = 3 * 36 * 4, NW = 4 * 9 };
    double x[NX], w[NW], gw[NW], b[4], gb[4], dy[NY], ry[NY], rgx[NX], rgw[NW], rgb[4];
    gsl_rng *r = tu_rng(5);
    tu_fill_uniform(x, NX, r, -1, 1);
    tu_fill_uniform(w, NW, r, -1, 1);
    tu_fill_uniform(b, 4, r, -1, 1);
    tu_fill_uniform(dy, NY, r, -1, 1);
    ref_conv(&k, x, w, b, ry, NULL, NULL, NULL, NULL);
    ref_conv(&k, x, w, NULL, NULL, dy, rgx, rgw, rgb);
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    gf_tensor W, B, *xt = gf_tape_input(tape, 3, 36);
    gf_tensor_bind(&W, 4, 9, w, gw);
    gf_tensor_bind(&B, 1, 4, b, gb);
    memcpy(xt->v, x, sizeof x);
    gf_tensor *y = gf_conv2d(tape, xt, in, &W, &B, g);
    CU_ASSERT_FATAL(y && gf_tape_backward_from(tape, y, dy) == GSL_SUCCESS);
    CU_ASSERT(tu_rel_err(y->v, ry, NY) <= 1e-12);
    CU_ASSERT(tu_rel_err(gw, rgw, NW) <= 1e-12 && tu_rel_err(gb, rgb, 4) <= 1e-12);
    CU_ASSERT(!gf_tensor_has_grad(xt));
    /* The chunks live in the tape's scratch: 36 pixels of 9 taps at least. */
    CU_ASSERT(gf_tape_scratch_bytes(tape) >= 36 * 9 * sizeof(double));
    gf_tape_free(tape);
    gsl_rng_free(r);
}

/* The comparison can fail: a weight moved by 1e-6 shows in y and dx. */
static void test_conv_check_can_fail(void)
{
    const conv_case k = {2, 7, 7, 3, 5, 3, 3, 1, 1, 1};
    CU_ASSERT(conv_vs_reference(&k, 9, 0.0) <= 1e-12);
    CU_ASSERT(conv_vs_reference(&k, 9, 1e-6) > 1e-9);
}

/* ---- batch norm over channels ------------------------------------------- */

/* Against a direct computation: per channel, the mean and biased variance
 * over the n h w pixels; running statistics as PyTorch's BatchNorm2d
 * (momentum 0.1, unbiased variance); and the same bits as gf_batchnorm on the
 * (n h w) x c view. */
static void test_bn2d_matches_direct(void)
{
    enum { N = 4, H = 3, W = 2, C = 3, R = N * H * W };
    gsl_rng *r = tu_rng(31);
    double x[R * C], gv[C], bv[C], rm[C] = {0.5, -0.5, 0}, rv[C] = {1, 2, 0.5}, tracked = 3;
    double rm2[C], rv2[C], tracked2 = 3;
    for (size_t i = 0; i < R * C; i++)
        x[i] = (double)(i % C) * 2.0 - 1.0 + (1.0 + (double)(i % C)) * gsl_rng_uniform(r);
    tu_fill_uniform(gv, C, r, 0.5, 2);
    tu_fill_uniform(bv, C, r, -1, 1);
    memcpy(rm2, rm, sizeof rm);
    memcpy(rv2, rv, sizeof rv);
    gf_tensor gamma, beta;
    gf_tensor_bind(&gamma, 1, C, gv, NULL);
    gf_tensor_bind(&beta, 1, C, bv, NULL);
    gf_bn_state bn = {.gamma = &gamma, .beta = &beta, .running_mean = rm, .running_var = rv,
                      .batches_tracked = &tracked, .momentum = 0.1, .eps = 1e-5};
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    gf_tensor *xt = gf_tape_input(tape, N, H * W * C), *xv = gf_tape_input(tape, R, C);
    memcpy(xt->v, x, sizeof x);
    memcpy(xv->v, x, sizeof x);
    gf_tensor *y = gf_batchnorm2d(tape, xt, (gf_image_shape){H, W, C}, &bn, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    for (size_t c = 0; c < C; c++) {
        double m = 0, v = 0;
        for (size_t p = 0; p < R; p++)
            m += x[p * C + c] / R;
        for (size_t p = 0; p < R; p++)
            v += (x[p * C + c] - m) * (x[p * C + c] - m) / R;
        for (size_t p = 0; p < R; p++)
            CU_ASSERT_DOUBLE_EQUAL(y->v[p * C + c],
                                   gv[c] * (x[p * C + c] - m) / sqrt(v + 1e-5) + bv[c], 1e-12);
        CU_ASSERT_DOUBLE_EQUAL(rm[c], 0.9 * rm2[c] + 0.1 * m, 1e-14);
        CU_ASSERT_DOUBLE_EQUAL(rv[c], 0.9 * rv2[c] + 0.1 * v * R / (R - 1), 1e-14);
    }
    CU_ASSERT_EQUAL(tracked, 4.0);
    bn.running_mean = rm2;
    bn.running_var = rv2;
    bn.batches_tracked = &tracked2;
    gf_tensor *y2 = gf_batchnorm(tape, xv, &bn, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(y2);
    CU_ASSERT(memcmp(y->v, y2->v, sizeof x) == 0);
    CU_ASSERT(memcmp(rm, rm2, sizeof rm) == 0 && memcmp(rv, rv2, sizeof rv) == 0);
    gf_tape_free(tape);
    gsl_rng_free(r);
}

/* ---- shortcut, pooling, concatenation: hand-written answers --------------- */

/* x[pixel p, channel c] = 10 p + c on a 3 x 3 x 2 image; stride 2 keeps
 * pixels 0, 2, 6, 8; 2 -> 6 channels puts 2 zeros before and 2 after, 2 -> 5
 * puts 1 before and 2 after. */
static void test_shortcut_values(void)
{
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    gf_tensor *x = gf_tape_input(tape, 1, 18);
    for (size_t p = 0; p < 9; p++)
        for (size_t c = 0; c < 2; c++)
            x->v[p * 2 + c] = 10.0 * (double)p + (double)c + 1.0;
    gf_tensor *y = gf_shortcut_a(tape, x, (gf_image_shape){3, 3, 2}, 6, 2);
    const double want6[24] = {0, 0, 1, 2, 0, 0,   0, 0, 21, 22, 0, 0,
                              0, 0, 61, 62, 0, 0, 0, 0, 81, 82, 0, 0};
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    CU_ASSERT_EQUAL(y->d, 24);
    CU_ASSERT(memcmp(y->v, want6, sizeof want6) == 0);
    gf_tensor *y5 = gf_shortcut_a(tape, x, (gf_image_shape){3, 3, 2}, 5, 2);
    const double want5[20] = {0, 1, 2, 0, 0,  0, 21, 22, 0, 0,
                              0, 61, 62, 0, 0, 0, 81, 82, 0, 0};
    CU_ASSERT_PTR_NOT_NULL_FATAL(y5);
    CU_ASSERT(memcmp(y5->v, want5, sizeof want5) == 0);
    const gf_image_shape s = gf_shortcut_out_shape((gf_image_shape){7, 7, 32}, 64, 2);
    CU_ASSERT(s.h == 4 && s.w == 4 && s.c == 64); /* ceil(7 / 2), as x[:, :, ::2, ::2] */
    gf_tape_free(tape);
}

static void test_pool_and_concat_values(void)
{
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    gf_tensor *x = gf_tape_input(tape, 1, 16);
    for (size_t i = 0; i < 16; i++)
        x->v[i] = (double)i;
    gf_tensor *p = gf_avgpool2d(tape, x, (gf_image_shape){4, 4, 1}, 2, 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT(p->d == 4 && p->v[0] == 2.5 && p->v[1] == 4.5 && p->v[2] == 10.5 && p->v[3] == 12.5);
    gf_tensor *g = gf_global_avgpool(tape, x, (gf_image_shape){2, 4, 2}); /* channels: even, odd */
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT(g->d == 2 && g->v[0] == 7.0 && g->v[1] == 8.0);
    gf_tensor *a = gf_tape_input(tape, 1, 2), *b = gf_tape_input(tape, 1, 4);
    const double av[2] = {1, 2}, bv[4] = {10, 11, 20, 21}, want[6] = {1, 10, 11, 2, 20, 21};
    memcpy(a->v, av, sizeof av);
    memcpy(b->v, bv, sizeof bv);
    gf_tensor *ab[2] = {a, b};
    gf_tensor *cat = gf_concat_channels(tape, ab, 2, 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cat);
    CU_ASSERT(cat->d == 6 && memcmp(cat->v, want, sizeof want) == 0);
    gf_tape_free(tape);
}

/* ---- shape errors ---------------------------------------------------------- */

/* Each call fails with NULL, GSL_EBADLEN and a message that starts with want. */
static void expect_error(gf_tape *tape, gf_tensor *y, const char *want)
{
    CU_ASSERT_PTR_NULL(y);
    CU_ASSERT_EQUAL(gf_tape_status(tape), GSL_EBADLEN);
    if (strncmp(gf_tape_error(tape), want, strlen(want)) != 0)
        fprintf(stderr, "\n  error '%s', expected '%s...'\n", gf_tape_error(tape), want);
    CU_ASSERT(strncmp(gf_tape_error(tape), want, strlen(want)) == 0);
    gf_tape_reset(tape);
}

static void test_image_shape_errors(void)
{
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    gf_tensor *x = gf_tape_input(tape, 2, 10), *w = gf_tape_input(tape, 4, 9);
    const gf_conv_geom g3 = {3, 3, 1, 1};
    expect_error(tape, gf_conv2d(tape, x, (gf_image_shape){3, 3, 1}, w, NULL, g3),
                 "conv2d: x is 2 x 10 but the image is 3 x 3 x 1 (h w c = 9)");
    x = gf_tape_input(tape, 2, 9);
    w = gf_tape_input(tape, 4, 8);
    expect_error(tape, gf_conv2d(tape, x, (gf_image_shape){3, 3, 1}, w, NULL, g3),
                 "conv2d: W is 4 x 8 but c_in kh kw = 1 x 3 x 3");
    x = gf_tape_input(tape, 2, 9);
    w = gf_tape_input(tape, 4, 25);
    expect_error(tape, gf_conv2d(tape, x, (gf_image_shape){3, 3, 1}, w, NULL,
                                 (gf_conv_geom){5, 5, 1, 0}),
                 "conv2d: a 5 x 5 kernel (stride 1, pad 0) does not fit a 3 x 3 image");
    x = gf_tape_input(tape, 2, 9);
    expect_error(tape, gf_avgpool2d(tape, x, (gf_image_shape){3, 3, 1}, 4, 1),
                 "avgpool2d: a 4 x 4");
    x = gf_tape_input(tape, 2, 9);
    expect_error(tape, gf_global_avgpool(tape, x, (gf_image_shape){3, 3, 2}),
                 "global_avgpool: x is 2 x 9 but the image is 3 x 3 x 2");
    x = gf_tape_input(tape, 2, 18);
    expect_error(tape, gf_shortcut_a(tape, x, (gf_image_shape){3, 3, 2}, 1, 2),
                 "shortcut_a: 2 channels cannot map to 1");
    gf_tensor *xs[2] = {gf_tape_input(tape, 2, 9), gf_tape_input(tape, 2, 10)};
    expect_error(tape, gf_concat_channels(tape, xs, 2, 3), "concat: input 1 is 2 x 10");
    gf_tape_free(tape);
}

/* y, dx and dW of one conv on 11 images (uneven groups; 16 channels: dX by the
 * flipped kernel) into out. */
static void conv_bits(double *out, size_t nx, size_t ny, size_t nw)
{
    const gf_image_shape in = {9, 8, 16};
    const gf_conv_geom g = {3, 3, 1, 1};
    gsl_rng *r = tu_rng(77);
    double *w = malloc(2 * nw * sizeof *w), *dy = malloc(ny * sizeof *dy);
    tu_fill_uniform(w, nw, r, -1, 1);
    tu_fill_uniform(dy, ny, r, -1, 1);
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    gf_tensor W, *x = gf_tape_input(tape, 11, nx / 11);
    gf_tensor_bind(&W, 6, nw / 6, w, w + nw);
    tu_fill_uniform(x->v, nx, r, -1, 1);
    x->flags |= GF_REQUIRES_GRAD;
    gf_tensor *y = gf_conv2d(tape, x, in, &W, NULL, g);
    CU_ASSERT_FATAL(y && gf_tape_backward_from(tape, y, dy) == GSL_SUCCESS);
    memcpy(out, y->v, ny * sizeof *out);
    gf_tensor_grad_export(x, out + ny);
    memcpy(out + ny + nx, w + nw, nw * sizeof *out);
    gf_tape_free(tape);
    free(w);
    free(dy);
    gsl_rng_free(r);
}

/* The groups of images, not the threads, fix the order of the sums: the same
 * bits with the convolution's groups on 1, 2, 3 and 8 OpenMP threads (with
 * -Dopenmp; without it gf_conv_set_threads changes nothing) and with the
 * BLAS (and so the conv) on one thread. Leaves the BLAS on one thread: the
 * suite's last test. */
static void test_conv_bits_do_not_depend_on_threads(void)
{
    const size_t nx = 11 * 9 * 8 * 16, ny = 11 * 9 * 8 * 6, nw = 6 * 144, size = nx + ny + nw;
    double *a = malloc(size * sizeof *a), *b = malloc(size * sizeof *b);
    static const int threads[] = {1, 2, 3, 8};
    gf_conv_set_threads(1);
    conv_bits(a, nx, ny, nw);
    for (size_t k = 1; k < sizeof threads / sizeof *threads; k++) {
        gf_conv_set_threads(threads[k]);
        conv_bits(b, nx, ny, nw);
        CU_ASSERT(memcmp(a, b, size * sizeof *a) == 0);
    }
    gf_conv_set_threads(0);
    conv_bits(b, nx, ny, nw);
    CU_ASSERT(memcmp(a, b, size * sizeof *a) == 0);
    gf_blas_threads_for_width(1);
    conv_bits(b, nx, ny, nw);
    CU_ASSERT(memcmp(a, b, size * sizeof *a) == 0);
    free(a);
    free(b);
}

CU_TestInfo conv_tests[] = {
    {"conv2d matches a nested loop: values and all gradients", test_conv_matches_reference},
    {"the conv comparison fails on a perturbed weight", test_conv_check_can_fail},
    {"conv of an input that needs no gradient: dW and db", test_conv_input_without_gradient},
    {"batch norm over channels: direct statistics, running stats", test_bn2d_matches_direct},
    {"option-A shortcut: subsample and zero channels", test_shortcut_values},
    {"pooling and channel concatenation values", test_pool_and_concat_values},
    {"image ops' shape errors name the shapes", test_image_shape_errors},
    {"conv bits do not depend on the number of threads", test_conv_bits_do_not_depend_on_threads},
    CU_TEST_INFO_NULL,
};
