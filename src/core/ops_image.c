/* ops_image.c: average pooling (k x k and global) and the option-A shortcut,
 * on NHWC images (see gf_conv.h). */
#include "tape_internal.h"

#include "gf_conv.h"

#include <string.h>

/* ---- average pooling -------------------------------------------------- */

/* A kh x kw window at stride s, no padding; global pooling is the window of
 * the whole image. */
typedef struct pool_ctx {
    gf_image_shape in, out;
    size_t kh, kw, s;
} pool_ctx;

gf_image_shape gf_pool_out_shape(gf_image_shape in, size_t k, size_t s)
{
    gf_image_shape o = {0, 0, in.c};
    if (s == 0 || k == 0 || k > in.h || k > in.w)
        return o;
    o.h = (in.h - k) / s + 1;
    o.w = (in.w - k) / s + 1;
    return o;
}

/* dir 0: y = window means of x; dir 1: gx += dy / (kh kw) over each window. */
static void pool_walk(const pool_ctx *p, size_t n, double *x, double *y, int dir)
{
    const size_t c = p->in.c, in_img = gf_image_size(p->in), out_img = gf_image_size(p->out);
    const double inv = 1.0 / (double)(p->kh * p->kw);
    for (size_t i = 0; i < n; i++)
        for (size_t oy = 0; oy < p->out.h; oy++)
            for (size_t ox = 0; ox < p->out.w; ox++) {
                double *yo = y + i * out_img + (oy * p->out.w + ox) * c;
                if (dir == 0)
                    memset(yo, 0, c * sizeof *yo);
                for (size_t ky = 0; ky < p->kh; ky++)
                    for (size_t kx = 0; kx < p->kw; kx++) {
                        const size_t iy = oy * p->s + ky, ix = ox * p->s + kx;
                        double *xi = x + i * in_img + (iy * p->in.w + ix) * c;
                        if (dir == 0)
                            for (size_t ch = 0; ch < c; ch++)
                                yo[ch] += xi[ch];
                        else
                            for (size_t ch = 0; ch < c; ch++)
                                xi[ch] += inv * yo[ch];
                    }
                if (dir == 0)
                    for (size_t ch = 0; ch < c; ch++)
                        yo[ch] *= inv;
            }
}

static gf_tensor *pool(gf_tape *tape, const gf_op *op, gf_tensor *x, pool_ctx k)
{
    if (gf_op_begin(tape, &x, 1) != 0)
        return NULL;
    if (x->d != gf_image_size(k.in))
        return gf_op_fail(tape, op->name, "x is %zu x %zu but the image is %zu x %zu x %zu "
                          "(h w c = %zu)", x->n, x->d, k.in.h, k.in.w, k.in.c,
                          gf_image_size(k.in));
    if (k.out.h == 0 || k.out.w == 0)
        return gf_op_fail(tape, op->name, "a %zu x %zu window at stride %zu does not fit a "
                          "%zu x %zu image", k.kh, k.kw, k.s, k.in.h, k.in.w);
    gf_tensor *y = gf_op_output(tape, &x, 1, x->n, gf_image_size(k.out));
    pool_ctx *ctx = (pool_ctx *)gf_op_aux(tape, (sizeof k + sizeof(double) - 1) / sizeof(double));
    if (!y || !ctx)
        return NULL;
    *ctx = k;
    pool_walk(ctx, x->n, x->v, y->v, 0);
    gf_node *nd = gf_op_push(tape, op, y, &x, 1);
    if (!nd)
        return NULL;
    nd->ctx = ctx;
    return y;
}

gf_tensor *gf_avgpool2d(gf_tape *tape, gf_tensor *x, gf_image_shape in, size_t k, size_t s)
{
    const pool_ctx p = {.in = in, .out = gf_pool_out_shape(in, k, s), .kh = k, .kw = k, .s = s};
    return pool(tape, &gf_op_avgpool2d, x, p);
}

gf_tensor *gf_global_avgpool(gf_tape *tape, gf_tensor *x, gf_image_shape in)
{
    const pool_ctx p = {.in = in, .out = {in.h && in.w ? 1 : 0, in.h && in.w ? 1 : 0, in.c},
                        .kh = in.h, .kw = in.w, .s = 1};
    return pool(tape, &gf_op_global_avgpool, x, p);
}

static void pool_backward(gf_node *nd)
{
    double *gx = gf_grad_acc(nd, nd->in[0]);
    if (gx)
        pool_walk(nd->ctx, nd->in[0]->n, gx, nd->out->g, 1);
}

const gf_op gf_op_avgpool2d = {"avgpool2d",
                               "y[i,oy,ox,c] = mean_{ky,kx<k} x[i, oy s + ky, ox s + kx, c]",
                               pool_backward};
const gf_op gf_op_global_avgpool = {"global_avgpool", "y[i,c] = mean_{y,x} x[i,y,x,c]",
                                    pool_backward};

/* ---- option-A shortcut ------------------------------------------------- */

typedef struct shortcut_ctx {
    gf_image_shape in, out;
    size_t s, before; /* stride; zero channels before the input's */
} shortcut_ctx;

gf_image_shape gf_shortcut_out_shape(gf_image_shape in, size_t c_out, size_t stride)
{
    gf_image_shape o = {0, 0, c_out};
    if (stride == 0)
        return o;
    o.h = (in.h + stride - 1) / stride;
    o.w = (in.w + stride - 1) / stride;
    return o;
}

/* dir 0: y = the padded subsample of x; dir 1: gx += the matching channels of dy. */
static void shortcut_walk(const shortcut_ctx *k, size_t n, double *x, double *y, int dir)
{
    const size_t ci = k->in.c, co = k->out.c, after = co - ci - k->before;
    for (size_t i = 0; i < n; i++)
        for (size_t oy = 0; oy < k->out.h; oy++)
            for (size_t ox = 0; ox < k->out.w; ox++) {
                double *yo = y + i * gf_image_size(k->out) + (oy * k->out.w + ox) * co;
                double *xi = x + i * gf_image_size(k->in) + (oy * k->s * k->in.w + ox * k->s) * ci;
                if (dir == 0) {
                    memset(yo, 0, k->before * sizeof *yo);
                    memcpy(yo + k->before, xi, ci * sizeof *yo);
                    memset(yo + k->before + ci, 0, after * sizeof *yo);
                } else {
                    for (size_t ch = 0; ch < ci; ch++)
                        xi[ch] += yo[k->before + ch];
                }
            }
}

gf_tensor *gf_shortcut_a(gf_tape *tape, gf_tensor *x, gf_image_shape in, size_t c_out,
                         size_t stride)
{
    if (gf_op_begin(tape, &x, 1) != 0)
        return NULL;
    if (x->d != gf_image_size(in))
        return gf_op_fail(tape, "shortcut_a", "x is %zu x %zu but the image is %zu x %zu x %zu "
                          "(h w c = %zu)", x->n, x->d, in.h, in.w, in.c, gf_image_size(in));
    if (c_out < in.c || stride == 0)
        return gf_op_fail(tape, "shortcut_a", "%zu channels cannot map to %zu at stride %zu "
                          "(needs c_out >= c_in, stride >= 1)", in.c, c_out, stride);
    const shortcut_ctx k = {.in = in, .out = gf_shortcut_out_shape(in, c_out, stride),
                            .s = stride, .before = (c_out - in.c) / 2};
    gf_tensor *y = gf_op_output(tape, &x, 1, x->n, gf_image_size(k.out));
    shortcut_ctx *ctx =
        (shortcut_ctx *)gf_op_aux(tape, (sizeof k + sizeof(double) - 1) / sizeof(double));
    if (!y || !ctx)
        return NULL;
    *ctx = k;
    shortcut_walk(ctx, x->n, x->v, y->v, 0);
    gf_node *nd = gf_op_push(tape, &gf_op_shortcut_a, y, &x, 1);
    if (!nd)
        return NULL;
    nd->ctx = ctx;
    return y;
}

static void shortcut_backward(gf_node *nd)
{
    double *gx = gf_grad_acc(nd, nd->in[0]);
    if (gx)
        shortcut_walk(nd->ctx, nd->in[0]->n, gx, nd->out->g, 1);
}

const gf_op gf_op_shortcut_a = {"shortcut_a",
                                "y[i,oy,ox,pad+c] = x[i, oy s, ox s, c]; other channels 0",
                                shortcut_backward};
