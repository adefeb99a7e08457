/* ops_norm.c: batch norm (training and eval) and layer norm. */
#include "tape_internal.h"

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

/* Backward of y = gamma xhat + beta over one group of n values (stride s):
 * dx += invstd/n (n dxhat - sum dxhat - xhat sum(dxhat xhat)), dxhat = gamma dy;
 * dgamma += sum dy xhat, dbeta += sum dy. */
static void normalize_backward(const double *x, const double *gy, double *gx, size_t n, size_t s,
                               double mean, double invstd, double gamma, double *ggamma,
                               double *gbeta)
{
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double xhat = (x[i * s] - mean) * invstd;
        sum_dy += gy[i * s];
        sum_dy_xhat += gy[i * s] * xhat;
    }
    if (ggamma)
        *ggamma += sum_dy_xhat;
    if (gbeta)
        *gbeta += sum_dy;
    if (!gx)
        return;
    const double k = gamma * invstd / (double)n;
    for (size_t i = 0; i < n; i++) {
        const double xhat = (x[i * s] - mean) * invstd;
        gx[i * s] += k * ((double)n * gy[i * s] - sum_dy - xhat * sum_dy_xhat);
    }
}

/* ---- batch norm ----------------------------------------------------- */

/* aux holds mean[d] and invstd[d] of the statistics used. */
gf_tensor *gf_batchnorm(gf_tape *tape, gf_tensor *x, const gf_bn_state *bn, int training)
{
    gf_tensor *in[3] = {x, bn ? bn->gamma : NULL, bn ? bn->beta : NULL};
    if (gf_op_begin(tape, in, 3) != 0)
        return NULL;
    const size_t n = x->n, d = x->d;
    if (bn->gamma->n != 1 || bn->gamma->d != d || bn->beta->n != 1 || bn->beta->d != d)
        return gf_op_fail(tape, "batchnorm",
                          "x is %zu x %zu but gamma is %zu x %zu and beta %zu x %zu", n, d,
                          bn->gamma->n, bn->gamma->d, bn->beta->n, bn->beta->d);
    if (training && n < 2)
        return gf_op_fail(tape, "batchnorm",
                          "x is %zu x %zu: training mode needs at least 2 rows", n, d);
    gf_tensor *y = gf_op_output(tape, in, 3, n, d);
    double *aux = gf_op_aux(tape, 2 * d);
    if (!y || !aux)
        return NULL;
    double *mean = aux, *invstd = aux + d;
    for (size_t j = 0; j < d; j++) {
        double m, v;
        if (training) {
            moments(x->v + j, n, d, &m, &v);
            bn->running_mean[j] = (1 - bn->momentum) * bn->running_mean[j] + bn->momentum * m;
            bn->running_var[j] = (1 - bn->momentum) * bn->running_var[j] +
                                 bn->momentum * v * (double)n / (double)(n - 1);
        } else {
            m = bn->running_mean[j];
            v = bn->running_var[j];
        }
        mean[j] = m;
        invstd[j] = 1.0 / sqrt(v + bn->eps);
    }
    for (size_t i = 0; i < n; i++) /* y = gamma xhat + beta, row by row (contiguous) */
        for (size_t j = 0; j < d; j++)
            y->v[i * d + j] = bn->gamma->v[j] * (x->v[i * d + j] - mean[j]) * invstd[j] +
                              bn->beta->v[j];
    if (training)
        *bn->batches_tracked += 1.0;
    gf_node *nd = gf_op_push(tape, training ? &gf_op_batchnorm_train : &gf_op_batchnorm_eval, y,
                             in, 3);
    if (!nd)
        return NULL;
    nd->aux = aux;
    return y;
}

static void batchnorm_train_backward(gf_node *nd)
{
    gf_tensor *x = nd->in[0], *gamma = nd->in[1], *y = nd->out;
    const size_t n = x->n, d = x->d;
    double *gx = gf_grad_acc(nd, x), *gg = gf_grad_acc(nd, gamma), *gb = gf_grad_acc(nd, nd->in[2]);
    for (size_t j = 0; j < d; j++)
        normalize_backward(x->v + j, y->g + j, gx ? gx + j : NULL, n, d, nd->aux[j],
                           nd->aux[d + j], gamma->v[j], gg ? gg + j : NULL, gb ? gb + j : NULL);
}

/* With fixed statistics the map is affine: dx += dy gamma invstd. */
static void batchnorm_eval_backward(gf_node *nd)
{
    gf_tensor *x = nd->in[0], *gamma = nd->in[1], *y = nd->out;
    const size_t n = x->n, d = x->d;
    const double *mean = nd->aux, *invstd = nd->aux + d;
    double *gx = gf_grad_acc(nd, x), *gg = gf_grad_acc(nd, gamma), *gb = gf_grad_acc(nd, nd->in[2]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            const double dy = y->g[i * d + j];
            if (gx)
                gx[i * d + j] += dy * gamma->v[j] * invstd[j];
            if (gg)
                gg[j] += dy * (x->v[i * d + j] - mean[j]) * invstd[j];
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
    for (size_t i = 0; i < n; i++) {
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

/* Per row, with dxhat = gamma dy: dx += invstd/d (d dxhat - sum dxhat - xhat sum(dxhat xhat)). */
static void layernorm_backward(gf_node *nd)
{
    gf_tensor *x = nd->in[0], *gamma = nd->in[1], *y = nd->out;
    const size_t n = x->n, d = x->d;
    double *gx = gf_grad_acc(nd, x), *gg = gf_grad_acc(nd, gamma), *gb = gf_grad_acc(nd, nd->in[2]);
    for (size_t i = 0; i < n; i++) {
        const double *xr = x->v + i * d, *dy = y->g + i * d;
        const double m = nd->aux[i], invstd = nd->aux[n + i];
        double sum_dxhat = 0.0, sum_dxhat_xhat = 0.0;
        for (size_t j = 0; j < d; j++) {
            const double xhat = (xr[j] - m) * invstd, dxhat = dy[j] * gamma->v[j];
            sum_dxhat += dxhat;
            sum_dxhat_xhat += dxhat * xhat;
            if (gg)
                gg[j] += dy[j] * xhat;
            if (gb)
                gb[j] += dy[j];
        }
        if (!gx)
            continue;
        double *gr = gx + i * d;
        for (size_t j = 0; j < d; j++) {
            const double xhat = (xr[j] - m) * invstd;
            gr[j] += invstd / (double)d *
                     ((double)d * dy[j] * gamma->v[j] - sum_dxhat - xhat * sum_dxhat_xhat);
        }
    }
}

const gf_op gf_op_layernorm = {"layernorm", "y = gamma (x - mean_row) / sqrt(var_row + eps) + beta",
                               layernorm_backward};
