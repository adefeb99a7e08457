/* ops_dense.c: the input of a DenseNet layer, relu(BN([x_0, ..., x_{k-1}])),
 * read straight from the earlier layers' outputs (no stored concatenation),
 * with its output optionally in a block-wide shared scratch that is
 * recomputed in backward (Pleiss et al. 2017): the memory of a dense block is
 * then linear in its layers.
 *
 * Layout: NHWC rows. x_i is n x (hw * c_i), the c_i channels of a pixel
 * adjacent; the output is n x (hw * C), C = sum c_i, channel o_i + c of the
 * output being channel c of x_i (o_i = c_0 + ... + c_{i-1}). Viewed as
 * (n hw) x c_i matrices, this is a column concatenation followed by a
 * column batch norm: the tests use exactly that as the reference. */
#include "tape_internal.h"

#include <math.h>
#include <string.h>

enum { DENSE_MAGIC = 0x64656e73 };

/* What forward and backward share (arena). The output tensor is the first
 * member, so gf_dense_restore finds the context from the tensor. */
typedef struct dense_ctx {
    gf_tensor out;
    unsigned magic;
    size_t hw, C;            /* pixels per sample, output channels */
    int k, training;
    double *mean, *invstd;   /* C each: the statistics the forward used */
    double *sum_dz, *sum_dzx; /* C each: backward sums */
    double *norms;           /* k: log2 of each input's gradient slice, or NULL */
    gf_tensor *const *xs;    /* the node's inputs */
    const double *gamma, *beta;
} dense_ctx;

/* BODY for every input i, pixel p (of all n hw), flat index idx into x_i
 * and output channel ch. */
#define DENSE_FOR_EACH(ctx, i, p, idx, ch, ...)                                                 \
    do {                                                                                        \
        size_t o_ = 0;                                                                          \
        for (int i = 0; i < (ctx)->k; o_ += (ctx)->xs[i]->d / (ctx)->hw, i++) {                  \
            const size_t ci_ = (ctx)->xs[i]->d / (ctx)->hw, np_ = (ctx)->xs[i]->n * (ctx)->hw;   \
            for (size_t p = 0; p < np_; p++)                                                    \
                for (size_t c_ = 0; c_ < ci_; c_++) {                                           \
                    const size_t idx = p * ci_ + c_, ch = o_ + c_;                              \
                    __VA_ARGS__;                                                                    \
                }                                                                               \
        }                                                                                       \
    } while (0)

/* Batch statistics per output channel (two passes: mean, then biased
 * variance), the running statistics updated as gf_batchnorm does. */
static void dense_stats(dense_ctx *c, const gf_bn_state *bn)
{
    const size_t C = c->C, M = c->xs[0]->n * c->hw;
    double *mean = c->mean, *var = c->invstd;
    if (!c->training) {
        for (size_t j = 0; j < C; j++) {
            mean[j] = bn->running_mean[j];
            c->invstd[j] = 1.0 / sqrt(bn->running_var[j] + bn->eps);
        }
        return;
    }
    memset(mean, 0, C * sizeof *mean);
    DENSE_FOR_EACH(c, i, p, idx, ch, mean[ch] += c->xs[i]->v[idx]);
    for (size_t j = 0; j < C; j++)
        mean[j] /= (double)M;
    memset(var, 0, C * sizeof *var);
    DENSE_FOR_EACH(c, i, p, idx, ch, {
        (void)p;
        const double d = c->xs[i]->v[idx] - mean[ch];
        var[ch] += d * d;
    });
    for (size_t j = 0; j < C; j++) {
        const double v = var[j] / (double)M;
        bn->running_mean[j] = (1 - bn->momentum) * bn->running_mean[j] + bn->momentum * mean[j];
        bn->running_var[j] = (1 - bn->momentum) * bn->running_var[j] +
                             bn->momentum * v * (double)M / (double)(M - 1);
        c->invstd[j] = 1.0 / sqrt(v + bn->eps);
    }
    *bn->batches_tracked += 1.0;
}

/* out = relu(gamma xhat + beta) from the saved statistics: the forward pass,
 * and its recomputation in backward (the same arithmetic, the same bits). */
static void dense_write(const dense_ctx *c)
{
    const size_t C = c->C;
    double *y = c->out.v;
    DENSE_FOR_EACH(c, i, p, idx, ch, {
        const double z = c->gamma[ch] * (c->xs[i]->v[idx] - c->mean[ch]) * c->invstd[ch] +
                         c->beta[ch];
        y[p * C + ch] = z > 0.0 ? z : 0.0;
    });
}

/* An op output's flags (as gf_op_output sets them). */
static unsigned out_flags(gf_tensor *const *in, int nin)
{
    unsigned f = GF_OP_OUTPUT;
    for (int i = 0; i < nin; i++)
        f |= in[i]->flags & GF_REQUIRES_GRAD;
    return f;
}

static int dense_check(gf_tape *tape, gf_tensor *const *xs, int k, size_t hw,
                       const gf_bn_state *bn, int training, size_t *C)
{
    *C = 0;
    for (int i = 0; i < k; i++) {
        if (xs[i]->n != xs[0]->n || xs[i]->d % hw != 0) {
            gf_op_fail(tape, "dense_bnrelu", "input %d is %zu x %zu: not %zu x (%zu x channels)",
                       i, xs[i]->n, xs[i]->d, xs[0]->n, hw);
            return -1;
        }
        *C += xs[i]->d / hw;
    }
    if (bn->gamma->n != 1 || bn->gamma->d != *C || bn->beta->n != 1 || bn->beta->d != *C) {
        gf_op_fail(tape, "dense_bnrelu", "%zu channels but gamma is %zu x %zu, beta %zu x %zu",
                   *C, bn->gamma->n, bn->gamma->d, bn->beta->n, bn->beta->d);
        return -1;
    }
    if (training && xs[0]->n * hw < 2) {
        gf_op_fail(tape, "dense_bnrelu", "training mode needs at least 2 values per channel");
        return -1;
    }
    return 0;
}

gf_dense_scratch *gf_dense_scratch_get(gf_tape *tape, size_t count)
{
    if (!tape || gf_tape_status(tape) != 0)
        return NULL;
    gf_arena *a = gf_tape_arena(tape);
    gf_dense_scratch *s = gf_arena_get(a, sizeof *s);
    double *v = gf_arena_get(a, (count ? count : 1) * sizeof *v);
    double *g = gf_arena_get(a, (count ? count : 1) * sizeof *g);
    if (!s || !v || !g) {
        gf_op_fail(tape, "dense_scratch", "out of memory for %zu values", count);
        return NULL;
    }
    *s = (gf_dense_scratch){.v = v, .g = g, .cap = count};
    return s;
}

gf_tensor *gf_dense_bnrelu(gf_tape *tape, gf_tensor *const *xs, int k, size_t hw,
                           const gf_bn_state *bn, int training, gf_dense_scratch *scratch,
                           double *norms)
{
    if (k < 1 || k > GF_DENSE_MAX_INPUTS || hw < 1)
        return tape ? gf_op_fail(tape, "dense_bnrelu", "%d inputs of %zu pixels", k, hw) : NULL;
    if (gf_op_begin(tape, xs, k) != 0)
        return NULL;
    gf_tensor *in[GF_DENSE_MAX_INPUTS + 2];
    memcpy(in, xs, (size_t)k * sizeof *in);
    in[k] = bn ? bn->gamma : NULL;
    in[k + 1] = bn ? bn->beta : NULL;
    size_t C;
    if (gf_op_begin(tape, in, k + 2) != 0 || dense_check(tape, xs, k, hw, bn, training, &C) != 0)
        return NULL;
    const size_t n = xs[0]->n, size = n * hw * C;
    if (scratch && scratch->cap < size)
        return gf_op_fail(tape, "dense_bnrelu", "the scratch holds %zu values, %zu needed",
                          scratch->cap, size);
    /* The output tensor is made here (not by gf_op_output) so that its
     * values and gradient can live in the scratch. */
    dense_ctx *c = gf_arena_get(gf_tape_arena(tape), sizeof *c);
    double *aux = gf_op_aux(tape, 4 * C);
    double *v = scratch ? scratch->v : gf_op_aux(tape, size);
    if (!c || !aux || !v)
        return c ? NULL : gf_op_fail(tape, "dense_bnrelu", "out of memory");
    *c = (dense_ctx){.magic = DENSE_MAGIC, .hw = hw, .C = C, .k = k, .training = training,
                     .mean = aux, .invstd = aux + C, .sum_dz = aux + 2 * C,
                     .sum_dzx = aux + 3 * C, .norms = norms, .gamma = bn->gamma->v,
                     .beta = bn->beta->v};
    c->out = (gf_tensor){.n = n, .d = hw * C, .v = v, .g = scratch ? scratch->g : NULL,
                         .flags = out_flags(in, k + 2)};
    gf_node *nd = gf_op_push(tape, training ? &gf_op_dense_bnrelu_train : &gf_op_dense_bnrelu_eval,
                             &c->out, in, k + 2);
    if (!nd)
        return NULL;
    c->xs = nd->in;
    nd->ctx = c;
    dense_stats(c, bn);
    dense_write(c);
    return &c->out;
}

/* dz = dy [z > 0]; dgamma = sum dz xhat, dbeta = sum dz; then per input
 * dx = gamma invstd / M (M dz - sum dz - xhat sum dz xhat) (training) or
 * gamma invstd dz (eval); xhat recomputed from the inputs. */
static void dense_backward(gf_node *nd)
{
    dense_ctx *c = (dense_ctx *)nd->ctx;
    const size_t C = c->C, hw = c->hw, M = c->xs[0]->n * hw;
    const double *dy = c->out.g;
    memset(c->sum_dz, 0, 2 * C * sizeof *c->sum_dz);
#define XHAT (c->xs[i]->v[idx] - c->mean[ch]) * c->invstd[ch]
#define DZ(xhat) (c->gamma[ch] * (xhat) + c->beta[ch] > 0.0 ? dy[p * C + ch] : 0.0)
    DENSE_FOR_EACH(c, i, p, idx, ch, {
        const double xh = XHAT, dz = DZ(xh);
        c->sum_dz[ch] += dz;
        c->sum_dzx[ch] += dz * xh;
    });
    double beta;
    double *gg = gf_grad_begin(nd, nd->in[c->k], &beta);
    if (gg)
        GF_GRAD_LOOP(beta, gg, j, C, c->sum_dzx[j]);
    double *gb = gf_grad_begin(nd, nd->in[c->k + 1], &beta);
    if (gb)
        GF_GRAD_LOOP(beta, gb, j, C, c->sum_dz[j]);
    size_t o = 0;
    for (int i = 0; i < c->k; o += c->xs[i]->d / hw, i++) {
        gf_tensor *x = nd->in[i];
        const size_t ci = x->d / hw, np = x->n * hw;
        double b, ss = 0.0;
        double *gx = gf_grad_begin(nd, x, &b);
        for (size_t p = 0; gx && p < np; p++)
            for (size_t cc = 0; cc < ci; cc++) {
                const size_t idx = p * ci + cc, ch = o + cc;
                const double xh = XHAT, dz = DZ(xh), s = c->gamma[ch] * c->invstd[ch];
                const double g = c->training ? s / (double)M *
                                                   ((double)M * dz - c->sum_dz[ch] -
                                                    xh * c->sum_dzx[ch])
                                             : s * dz;
                gx[idx] = b == 0.0 ? g : gx[idx] + g;
                ss += g * g;
            }
        if (c->norms)
            c->norms[i] = gx && ss > 0.0 ? 0.5 * log2(ss) + c->out.gexp : -INFINITY;
    }
#undef XHAT
#undef DZ
}

const gf_op gf_op_dense_bnrelu_train = {
    "dense_bnrelu_train", "y = relu(BN_batch([x_0, ..., x_{k-1}])) over channels", dense_backward};
const gf_op gf_op_dense_bnrelu_eval = {
    "dense_bnrelu_eval", "y = relu(BN_running([x_0, ..., x_{k-1}])) over channels",
    dense_backward};

/* ---- restore --------------------------------------------------------------- */

gf_tensor *gf_dense_restore(gf_tape *tape, gf_tensor *x, gf_tensor *h)
{
    gf_tensor *in[1] = {x};
    if (gf_op_begin(tape, in, 1) != 0)
        return NULL;
    const dense_ctx *c = (const dense_ctx *)h;
    if (!h || c->magic != DENSE_MAGIC)
        return gf_op_fail(tape, "dense_restore", "h was not made by gf_dense_bnrelu");
    gf_tensor *y = gf_arena_get(gf_tape_arena(tape), sizeof *y);
    if (!y)
        return gf_op_fail(tape, "dense_restore", "out of memory");
    *y = (gf_tensor){.n = x->n, .d = x->d, .v = x->v, .flags = out_flags(in, 1)}; /* y = x, shared */
    gf_node *nd = gf_op_push(tape, &gf_op_dense_restore, y, in, 1);
    if (!nd)
        return NULL;
    nd->ctx = c;
    return y;
}

/* Recompute h (its consumer, the node that made x, runs next), then dx += dy. */
static void restore_backward(gf_node *nd)
{
    dense_write((const dense_ctx *)nd->ctx);
    double beta;
    double *gx = gf_grad_begin(nd, nd->in[0], &beta);
    const double *gy = nd->out->g;
    if (gx)
        GF_GRAD_LOOP(beta, gx, i, gf_tensor_size(nd->out), gy[i]);
}

const gf_op gf_op_dense_restore = {
    "dense_restore", "y = x; backward first recomputes a shared dense_bnrelu output",
    restore_backward};
