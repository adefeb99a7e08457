/* ops_norm.c: batch norm (training and eval; over features or image channels) and layer norm. */
#include "tape_internal.h"

#include "gf_conv.h"

#include <math.h>

/* Mean and biased variance of n values read with stride s (two passes). */
static void moments(const double *x, size_t n, size_t s, double *mean, double *var)
{
    double m = 0.0, v = 0.0;
    for (size_t i = 0; i < n; i++)
        m += x[i * s];
    m /= (double)n;
    for (size_t i = 0; i < n; i++) {
        const double c = x[i * s] - m;
        v += c * c;
    }
    *mean = m;
    *var = v / (double)n;
}

/* ---- batch norm ----------------------------------------------------- */

/* Batch norm works on an r x c view of x: one column per channel (c = d for
 * a batch of vectors; r = n h w pixels for images, gf_batchnorm2d). Its
 * per-channel sums run over row blocks, each block's rows in order, and the
 * blocks' partial sums are added in block order; the blocks depend on the
 * shape only (bn_blocks), so the bits never depend on the threads. A view of
 * at least GF_PASS_MIN entries has BN_BLOCKS blocks, shared out between the
 * threads; a smaller one (an MLP's batch) is one block, a plain sum down each
 * column. Blocks of whole rows, not channels, per thread: with channels split
 * (16 channels: 64 of each row's 128 bytes per thread) each core's prefetcher
 * fetched the other's cache lines too, and the sums ran at half the rate of
 * the passes that write. */
enum { BN_BLOCKS = 8 };

static size_t bn_blocks(size_t r, size_t c)
{
    return r * c >= GF_PASS_MIN && r >= BN_BLOCKS ? BN_BLOCKS : 1;
}

/* The sums that batch norm needs, per channel j over rows i of a block:
 * s0[j] = sum x (center NULL) or sum (x - center[j])^2, and, when gy is
 * given, s0[j] = sum gy, s1[j] = sum gy (x - center[j]) scale[j]. */
typedef struct bn_sums {
    const double *x, *gy, *center, *scale;
    size_t r, c;
} bn_sums;

static void block_sums(const bn_sums *q, size_t i0, size_t i1, double *s0, double *s1)
{
    const size_t c = q->c;
    for (size_t j = 0; j < c; j++) {
        s0[j] = 0.0;
        if (s1)
            s1[j] = 0.0;
    }
    for (size_t i = i0; i < i1; i++) {
        const double *x = q->x + i * c;
        if (q->gy) {
            const double *gy = q->gy + i * c;
            for (size_t j = 0; j < c; j++) {
                const double xhat = (x[j] - q->center[j]) * q->scale[j];
                s0[j] += gy[j];
                s1[j] += gy[j] * xhat;
            }
        } else if (q->center) {
            for (size_t j = 0; j < c; j++) {
                const double d = x[j] - q->center[j];
                s0[j] += d * d;
            }
        } else {
            for (size_t j = 0; j < c; j++)
                s0[j] += x[j];
        }
    }
}

/* out0 (and out1 when the sums have gy) <- the per-channel sums of q over its
 * row blocks, added in block order; part holds 2 c bn_blocks doubles. */
static void channel_sums(const bn_sums *q, double *part, double *out0, double *out1)
{
    const size_t B = bn_blocks(q->r, q->c), c = q->c;
    const int T = gf_pass_threads_over(q->r * c, B);
    GF_OMP_FOR(T)
    for (size_t b = 0; b < B; b++)
        block_sums(q, q->r * b / B, q->r * (b + 1) / B, part + 2 * b * c,
                   q->gy ? part + (2 * b + 1) * c : NULL);
    for (size_t j = 0; j < c; j++) {
        out0[j] = part[j];
        if (q->gy)
            out1[j] = part[c + j];
        for (size_t b = 1; b < B; b++) {
            out0[j] += part[2 * b * c + j];
            if (q->gy)
                out1[j] += part[(2 * b + 1) * c + j];
        }
    }
}

/* Per-channel mean and biased variance of the r x c view (two passes). */
static int channel_moments(gf_tape *tape, const double *x, size_t r, size_t c, double *mean,
                           double *var)
{
    double *part = gf_tape_scratch(tape, 2 * c * bn_blocks(r, c));
    if (!part)
        return -1;
    bn_sums q = {.x = x, .r = r, .c = c};
    channel_sums(&q, part, mean, NULL);
    for (size_t j = 0; j < c; j++)
        mean[j] /= (double)r;
    q.center = mean;
    channel_sums(&q, part, var, NULL);
    for (size_t j = 0; j < c; j++)
        var[j] /= (double)r;
    return 0;
}

/* aux holds mean[c] and invstd[c] of the statistics used; node->s is c. */
gf_tensor *gf_batchnorm2d(gf_tape *tape, gf_tensor *x, gf_image_shape in, const gf_bn_state *bn,
                          int training)
{
    gf_tensor *ins[3] = {x, bn ? bn->gamma : NULL, bn ? bn->beta : NULL};
    if (gf_op_begin(tape, ins, 3) != 0)
        return NULL;
    const size_t n = x->n, d = x->d, c = in.c, r = n * in.h * in.w;
    if (d != gf_image_size(in))
        return gf_op_fail(tape, "batchnorm", "x is %zu x %zu but the image is %zu x %zu x %zu "
                          "(h w c = %zu)", n, d, in.h, in.w, in.c, gf_image_size(in));
    if (bn->gamma->n != 1 || bn->gamma->d != c || bn->beta->n != 1 || bn->beta->d != c)
        return gf_op_fail(tape, "batchnorm",
                          "x has %zu channels but gamma is %zu x %zu and beta %zu x %zu", c,
                          bn->gamma->n, bn->gamma->d, bn->beta->n, bn->beta->d);
    if (training && r < 2)
        return gf_op_fail(tape, "batchnorm",
                          "x is %zu x %zu: training mode needs at least 2 values per channel",
                          n, d);
    gf_tensor *y = gf_op_output(tape, ins, 3, n, d);
    double *aux = gf_op_aux(tape, 2 * c);
    if (!y || !aux)
        return NULL;
    double *mean = aux, *invstd = aux + c;
    if (training && channel_moments(tape, x->v, r, c, mean, invstd) != 0)
        return NULL; /* invstd holds the variance until the loop below */
    for (size_t j = 0; j < c; j++) {
        if (training) {
            bn->running_mean[j] = (1 - bn->momentum) * bn->running_mean[j] + bn->momentum * mean[j];
            bn->running_var[j] = (1 - bn->momentum) * bn->running_var[j] +
                                 bn->momentum * invstd[j] * (double)r / (double)(r - 1);
        } else {
            mean[j] = bn->running_mean[j];
            invstd[j] = bn->running_var[j];
        }
        invstd[j] = gf_bn_invstd(invstd[j], bn->eps);
    }
    const double *gamma = bn->gamma->v, *beta = bn->beta->v;
    const int T = gf_pass_threads(r * c);
    GF_OMP_FOR(T)
    for (size_t i = 0; i < r; i++) /* y = gamma xhat + beta, row by row (contiguous) */
        for (size_t j = 0; j < c; j++)
            y->v[i * c + j] = gf_bn_value(x->v[i * c + j], gamma[j], mean[j], invstd[j], beta[j]);
    if (training)
        *bn->batches_tracked += 1.0;
    gf_node *nd = gf_op_push(tape, training ? &gf_op_batchnorm_train : &gf_op_batchnorm_eval, y,
                             ins, 3);
    if (!nd)
        return NULL;
    nd->aux = aux;
    nd->s = (double)c;
    return y;
}

gf_tensor *gf_batchnorm(gf_tape *tape, gf_tensor *x, const gf_bn_state *bn, int training)
{
    const gf_image_shape row = {1, 1, x ? x->d : 0};
    return gf_batchnorm2d(tape, x, row, bn, training);
}

/* Backward of y = gamma xhat + beta per channel over its r values, dxhat = gamma dy:
 * dx += invstd/r (r dxhat - sum dxhat - xhat sum(dxhat xhat)) (training only),
 * dgamma += sum dy xhat, dbeta += sum dy. */
static void batchnorm_train_backward(gf_node *nd)
{
    gf_tensor *x = nd->in[0], *gamma = nd->in[1], *y = nd->out;
    const size_t c = (size_t)nd->s, r = gf_tensor_size(x) / c;
    const double *mean = nd->aux, *invstd = nd->aux + c;
    double beta_x; /* a fresh dx is written, not zeroed and added to */
    double *gx = gf_grad_begin(nd, x, &beta_x), *gg = gf_grad_acc(nd, gamma);
    double *gb = gf_grad_acc(nd, nd->in[2]);
    double *sum_dy = gf_tape_scratch(nd->tape, 2 * c * (1 + bn_blocks(r, c)));
    if (!sum_dy)
        return;
    double *sum_dy_xhat = sum_dy + c;
    const bn_sums q = {.x = x->v, .gy = y->g, .center = mean, .scale = invstd, .r = r, .c = c};
    channel_sums(&q, sum_dy + 2 * c, sum_dy, sum_dy_xhat);
    for (size_t j = 0; j < c; j++) {
        if (gg)
            gg[j] += sum_dy_xhat[j];
        if (gb)
            gb[j] += sum_dy[j];
    }
    if (!gx)
        return;
    const int T = gf_pass_threads(r * c);
    GF_OMP_FOR(T)
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < c; j++) {
            const double xhat = (x->v[i * c + j] - mean[j]) * invstd[j];
            const double k = gamma->v[j] * invstd[j] / (double)r;
            const double d = k * ((double)r * y->g[i * c + j] - sum_dy[j] - xhat * sum_dy_xhat[j]);
            if (beta_x == 0.0) /* loop-invariant: the compiler hoists it */
                gx[i * c + j] = d;
            else
                gx[i * c + j] += d;
        }
}

/* With fixed statistics the map is affine: dx += dy gamma invstd. */
static void batchnorm_eval_backward(gf_node *nd)
{
    gf_tensor *x = nd->in[0], *gamma = nd->in[1], *y = nd->out;
    const size_t c = (size_t)nd->s, r = gf_tensor_size(x) / c;
    const double *mean = nd->aux, *invstd = nd->aux + c;
    double *gx = gf_grad_acc(nd, x), *gg = gf_grad_acc(nd, gamma), *gb = gf_grad_acc(nd, nd->in[2]);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < c; j++) {
            const double dy = y->g[i * c + j];
            if (gx)
                gx[i * c + j] += dy * gamma->v[j] * invstd[j];
            if (gg)
                gg[j] += dy * (x->v[i * c + j] - mean[j]) * invstd[j];
            if (gb)
                gb[j] += dy;
        }
}

const gf_op gf_op_batchnorm_train = {"batchnorm_train",
                                     "y = gamma (x - mean_batch) / sqrt(var_batch + eps) + beta",
                                     batchnorm_train_backward};
const gf_op gf_op_batchnorm_eval = {"batchnorm_eval",
                                    "y = gamma (x - running_mean) / sqrt(running_var + eps) + beta",
                                    batchnorm_eval_backward};

/* ---- layer norm ----------------------------------------------------- */

/* aux holds mean[n] and invstd[n] of each row. */
gf_tensor *gf_layernorm(gf_tape *tape, gf_tensor *x, gf_tensor *gamma, gf_tensor *beta,
                        double eps)
{
    gf_tensor *in[3] = {x, gamma, beta};
    if (gf_op_begin(tape, in, 3) != 0)
        return NULL;
    const size_t n = x->n, d = x->d;
    if (gamma->n != 1 || gamma->d != d || beta->n != 1 || beta->d != d)
        return gf_op_fail(tape, "layernorm",
                          "x is %zu x %zu but gamma is %zu x %zu and beta %zu x %zu", n, d,
                          gamma->n, gamma->d, beta->n, beta->d);
    gf_tensor *y = gf_op_output(tape, in, 3, n, d);
    double *aux = gf_op_aux(tape, 2 * n);
    if (!y || !aux)
        return NULL;
    const int T = gf_pass_threads(n * d);
    GF_OMP_FOR(T)
    for (size_t i = 0; i < n; i++) { /* rows alone, in shares */
        double m, v;
        moments(x->v + i * d, d, 1, &m, &v);
        aux[i] = m;
        aux[n + i] = 1.0 / sqrt(v + eps);
        const double *xr = x->v + i * d;
        double *yr = y->v + i * d;
        for (size_t j = 0; j < d; j++)
            yr[j] = gamma->v[j] * (xr[j] - m) * aux[n + i] + beta->v[j];
    }
    gf_node *nd = gf_op_push(tape, &gf_op_layernorm, y, in, 3);
    if (!nd)
        return NULL;
    nd->aux = aux;
    nd->s = eps;
    return y;
}

/* Per row, with dxhat = gamma dy: dx += invstd/d (d dxhat - sum dxhat - xhat sum(dxhat xhat)).
 * dgamma and dbeta sum over the rows in row order, whole columns in shares;
 * dx row by row, rows in shares. */
static void layernorm_backward(gf_node *nd)
{
    gf_tensor *x = nd->in[0], *gamma = nd->in[1], *y = nd->out;
    const size_t n = x->n, d = x->d;
    double beta_x; /* a fresh dx is written, not zeroed and added to */
    double *gx = gf_grad_begin(nd, x, &beta_x), *gg = gf_grad_acc(nd, gamma);
    double *gb = gf_grad_acc(nd, nd->in[2]);
    const int P = gf_pass_threads(n * d), Tc = gf_pass_threads_over(n * d, d);
    if (gg || gb) {
        GF_OMP_FOR(Tc)
        for (int t = 0; t < Tc; t++) {
            const size_t j0 = d * (size_t)t / (size_t)Tc, j1 = d * (size_t)(t + 1) / (size_t)Tc;
            for (size_t i = 0; i < n; i++) {
                const double *xr = x->v + i * d, *dy = y->g + i * d;
                const double m = nd->aux[i], invstd = nd->aux[n + i];
                for (size_t j = j0; j < j1; j++) {
                    if (gg)
                        gg[j] += dy[j] * ((xr[j] - m) * invstd);
                    if (gb)
                        gb[j] += dy[j];
                }
            }
        }
    }
    if (!gx)
        return;
    GF_OMP_FOR(P)
    for (size_t i = 0; i < n; i++) {
        const double *xr = x->v + i * d, *dy = y->g + i * d;
        const double m = nd->aux[i], invstd = nd->aux[n + i];
        double sum_dxhat = 0.0, sum_dxhat_xhat = 0.0;
        for (size_t j = 0; j < d; j++) {
            const double xhat = (xr[j] - m) * invstd, dxhat = dy[j] * gamma->v[j];
            sum_dxhat += dxhat;
            sum_dxhat_xhat += dxhat * xhat;
        }
        double *gr = gx + i * d;
        for (size_t j = 0; j < d; j++) {
            const double xhat = (xr[j] - m) * invstd;
            const double v = invstd / (double)d *
                             ((double)d * dy[j] * gamma->v[j] - sum_dxhat - xhat * sum_dxhat_xhat);
            gr[j] = beta_x == 0.0 ? v : gr[j] + v; /* loop-invariant: the compiler hoists it */
        }
    }
}

const gf_op gf_op_layernorm = {"layernorm", "y = gamma (x - mean_row) / sqrt(var_row + eps) + beta",
                               layernorm_backward};
