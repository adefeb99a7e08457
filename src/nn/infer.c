/* infer.c: the evaluation-mode forward pass of a stack without a tape.
 *
 * On the tape every op writes its output to fresh memory and keeps it for a
 * backward pass, so a forward pass over a batch streams every layer's
 * activations through memory; an evaluation needs none of them. Here the
 * rows go through the net in three buffers of rows x width, reused layer
 * after layer (at a batch of 256 and a width of 64 they stay in the core's
 * cache), and each layer's bias, batch norm (running statistics), branch
 * multiplier, skip and activation are applied right after its product. The
 * arithmetic is the tape ops' own (gf_linear_rows, gf_bn_value,
 * gf_relu_value), op for op and in the same order, so the logits equal
 * gf_stack_forward's in evaluation mode to the bit for the same rows
 * (tests/test_stacks.c). The rows of a call are one product each: OpenBLAS's
 * results for a row depend on how many rows the call has, so the rows are
 * never split into smaller blocks than the tape's batch. */
#include "nn/gf_nn.h"

#include <math.h>
#include <stdlib.h>

struct gf_stack_infer {
    const gf_stack *s;
    size_t rows;           /* the most rows of a call */
    double *h, *t, *u;     /* rows x width each: the stream, two scratches */
    double *invstd;        /* per norm (index norm_index), width entries */
};

int gf_stack_infer_supported(const gf_stack_config *c)
{
    return (int)c->arch < GF_ARCH_MLP_COUNT && c->norm != GF_NORM_LAYER;
}

/* Norms in order: the stem's (plain, resnet) or the final one (preact) at 0,
 * block b's first and second at 1 + 2b and 2 + 2b. */
static size_t norm_count(const gf_stack *s) { return 1 + 2 * (size_t)s->blocks; }

gf_stack_infer *gf_stack_infer_alloc(const gf_stack *s, size_t rows)
{
    if (!gf_stack_infer_supported(&s->cfg) || rows == 0)
        return NULL;
    gf_stack_infer *w = calloc(1, sizeof *w);
    const size_t W = s->cfg.width, block = rows * W;
    if (w) {
        w->s = s;
        w->rows = rows;
        w->h = malloc(3 * block * sizeof *w->h);
        w->invstd = malloc(norm_count(s) * W * sizeof *w->invstd);
    }
    if (!w || !w->h || !w->invstd) {
        gf_stack_infer_free(w);
        return NULL;
    }
    w->t = w->h + block;
    w->u = w->t + block;
    gf_stack_infer_prepare(w);
    return w;
}

void gf_stack_infer_free(gf_stack_infer *w)
{
    if (!w)
        return;
    free(w->h);
    free(w->invstd);
    free(w);
}

static const double *slot_v(const gf_stack *s, int slot)
{
    return slot < 0 ? NULL : s->params.slot[slot].t.v;
}

static void prepare_norm(gf_stack_infer *w, gf_norm_slots n, size_t index)
{
    const gf_stack *s = w->s;
    if (n.weight < 0)
        return;
    const double *var = slot_v(s, n.running_var);
    for (size_t j = 0; j < s->cfg.width; j++)
        w->invstd[index * s->cfg.width + j] = gf_bn_invstd(var[j], s->cfg.eps);
}

void gf_stack_infer_prepare(gf_stack_infer *w)
{
    const gf_stack *s = w->s;
    prepare_norm(w, s->cfg.arch == GF_ARCH_PREACT ? s->final_norm : s->stem_norm, 0);
    for (int b = 0; b < s->blocks; b++) {
        prepare_norm(w, s->block[b].n1, 1 + 2 * (size_t)b);
        prepare_norm(w, s->block[b].n2, 2 + 2 * (size_t)b);
    }
}

/* What follows a product, entry by entry, in the forward pass's order: the
 * norm, the branch's multipliers, then the skip (y = f + skip) and the
 * activation. */
typedef struct epilogue {
    gf_norm_slots norm;       /* weight -1: none */
    size_t norm_index;
    int alpha;                /* the branch's learnable scalar's slot, or -1 */
    double scaled;            /* the scaled scheme's 1/sqrt(B), or 0 */
    const double *skip;       /* rows x width, or NULL */
    int act;                  /* apply the activation */
} epilogue;

/* The epilogue's passes over one row, each a loop the compiler vectorizes.
 * Multiversioned (GF_VECTOR_CLONES) with contraction off: an FMA target
 * would otherwise fuse gamma (x - mean) invstd + beta into one rounding,
 * which the tape's batch norm (built for the baseline target) does not
 * (GF_NO_CONTRACT, gf_core.h). */

/* One pass over the rows for the common epilogues (no branch multiplier, relu
 * or no activation): inlined with constant flags, each a loop of its own. */
static inline __attribute__((always_inline)) void fused(double *restrict y,
                                                        const double *restrict skip, size_t n,
                                                        size_t W, const double *gamma,
                                                        const double *mean, const double *invstd,
                                                        const double *beta, int bn, int relu)
{
    for (size_t i = 0; i < n; i++) {
        double *restrict r = y + i * W;
        for (size_t j = 0; j < W; j++) {
            double v = r[j];
            if (bn)
                v = gf_bn_value(v, gamma[j], mean[j], invstd[j], beta[j]);
            if (skip)
                v = v + skip[i * W + j];
            r[j] = relu ? gf_relu_value(v) : v;
        }
    }
}

GF_VECTOR_CLONES GF_NO_CONTRACT static void apply(const gf_stack_infer *w, const epilogue *e,
                                                  double *y, size_t rows)
{
    const gf_stack *s = w->s;
    const size_t W = s->cfg.width;
    const double *gamma = slot_v(s, e->norm.weight), *beta = slot_v(s, e->norm.bias);
    const double *mean = slot_v(s, e->norm.running_mean);
    const double *invstd = w->invstd + e->norm_index * W;
    const double alpha = e->alpha >= 0 ? slot_v(s, e->alpha)[0] : 0.0;
    const gf_act act = e->act ? s->cfg.act : GF_ACT_LINEAR;
    if (e->alpha < 0 && e->scaled == 0.0 && act != GF_ACT_TANH) {
        const int bn = gamma != NULL, relu = act == GF_ACT_RELU;
        const double *skip = e->skip;
        if (bn && relu)
            fused(y, skip, rows, W, gamma, mean, invstd, beta, 1, 1);
        else if (bn)
            fused(y, skip, rows, W, gamma, mean, invstd, beta, 1, 0);
        else if (relu)
            fused(y, skip, rows, W, gamma, mean, invstd, beta, 0, 1);
        else
            fused(y, skip, rows, W, gamma, mean, invstd, beta, 0, 0);
        return;
    }
    for (size_t i = 0; i < rows; i++) { /* the general case, pass by pass over each row */
        double *restrict r = y + i * W;
        if (gamma)
            for (size_t j = 0; j < W; j++)
                r[j] = gf_bn_value(r[j], gamma[j], mean[j], invstd[j], beta[j]);
        if (e->alpha >= 0)
            for (size_t j = 0; j < W; j++)
                r[j] = alpha * r[j];
        if (e->scaled != 0.0)
            for (size_t j = 0; j < W; j++)
                r[j] = e->scaled * r[j];
        if (e->skip) {
            const double *restrict skip = e->skip + i * W;
            if (act == GF_ACT_RELU) { /* gf_add_relu */
                for (size_t j = 0; j < W; j++)
                    r[j] = gf_relu_value(r[j] + skip[j]);
                continue;
            }
            for (size_t j = 0; j < W; j++)
                r[j] = r[j] + skip[j];
        }
        if (act == GF_ACT_RELU)
            for (size_t j = 0; j < W; j++)
                r[j] = gf_relu_value(r[j]);
        else if (act == GF_ACT_TANH)
            for (size_t j = 0; j < W; j++)
                r[j] = tanh(r[j]);
    }
}

static void linear(const gf_stack *s, const double *x, size_t rows, size_t in,
                   gf_linear_slots l, double *y)
{
    gf_linear_rows(x, rows, in, slot_v(s, l.weight), s->params.slot[l.weight].rows,
                   slot_v(s, l.bias), y);
}

/* y = act(norm(x)) (preact's pre-activation), y may be x */
static void norm_act(const gf_stack_infer *w, gf_norm_slots n, size_t index, const double *x,
                     double *y, size_t rows)
{
    const size_t size = rows * w->s->cfg.width;
    if (y != x)
        for (size_t i = 0; i < size; i++)
            y[i] = x[i];
    const epilogue e = {.norm = n, .norm_index = index, .alpha = -1, .act = 1};
    apply(w, &e, y, rows);
}

/* Block b on the rows of x = buf[0] (forward.c's block() with scale 1); the
 * three buffers rotate so that buf[0] holds its output. */
static void block(const gf_stack_infer *w, int b, size_t rows, double *buf[3])
{
    const gf_stack *s = w->s;
    const gf_block_slots *blk = &s->block[b];
    const size_t W = s->cfg.width, i1 = 1 + 2 * (size_t)b, i2 = i1 + 1;
    double *x = buf[0], *t = buf[1], *u = buf[2];
    const double scaled = s->cfg.init == GF_INIT_SCALED ? 1.0 / sqrt((double)s->blocks) : 0.0;
    epilogue first = {.norm = blk->n1, .norm_index = i1, .alpha = -1, .act = 1};
    epilogue second = {.norm = blk->n2, .norm_index = i2, .alpha = blk->alpha,
                       .scaled = scaled, .skip = x};
    if (s->cfg.arch == GF_ARCH_PREACT) { /* x + fc2(act(n2(fc1(act(n1(x)))))) */
        norm_act(w, blk->n1, i1, x, t, rows);
        linear(s, t, rows, W, blk->fc1, u);
        first.norm = blk->n2, first.norm_index = i2;
        apply(w, &first, u, rows);
        linear(s, u, rows, W, blk->fc2, t);
        second.norm = (gf_norm_slots){.weight = -1};
        apply(w, &second, t, rows); /* f + x */
        buf[0] = t, buf[1] = x;
        return;
    }
    /* act(n2(fc2(act(n1(fc1(x))))) [+ x]) */
    linear(s, x, rows, W, blk->fc1, t);
    apply(w, &first, t, rows);
    linear(s, t, rows, W, blk->fc2, u);
    if (s->cfg.arch == GF_ARCH_PLAIN)
        second.skip = NULL;
    second.act = 1;
    apply(w, &second, u, rows);
    buf[0] = u, buf[2] = x;
}

int gf_stack_infer_rows(gf_stack_infer *w, const double *x, const double *stem, size_t n,
                        double *logits)
{
    const gf_stack *s = w->s;
    const size_t W = s->cfg.width;
    if (n == 0 || n > w->rows)
        return -1;
    double *buf[3] = {w->h, w->t, w->u};
    if (stem)
        for (size_t i = 0; i < n * W; i++)
            buf[0][i] = stem[i];
    else
        linear(s, x, n, s->cfg.in_dim, s->stem, buf[0]);
    if (s->cfg.arch != GF_ARCH_PREACT)
        norm_act(w, s->stem_norm, 0, buf[0], buf[0], n);
    for (int b = 0; b < s->blocks; b++)
        block(w, b, n, buf);
    if (s->cfg.arch == GF_ARCH_PREACT)
        norm_act(w, s->final_norm, 0, buf[0], buf[1], n), buf[0] = buf[1];
    linear(s, buf[0], n, W, s->head, logits);
    return 0;
}
