/* cnn_forward.c: the forward pass of the family "cnn", piece by piece, with
 * its probes: x_l at every block boundary (with the skip source of the
 * skip / branch split), the input of both convs of every block. */
#include "model/cnn_internal.h"

static gf_tensor *slot(cnn_net *k, int i) { return &k->params.slot[i].t; }

static gf_tensor *conv(cnn_net *k, gf_tape *tape, gf_tensor *x, gf_image_shape in, int w,
                       size_t stride)
{
    return gf_conv2d(tape, x, in, slot(k, w), NULL, (gf_conv_geom){3, 3, stride, 1});
}

static gf_tensor *bn(cnn_net *k, gf_tape *tape, gf_tensor *x, gf_image_shape in,
                     gf_norm_slots n, int training)
{
    const gf_bn_state s = gf_norm_bn_state(&k->params, n, k->cfg.bn_momentum, k->cfg.eps);
    return gf_batchnorm2d(tape, x, in, &s, training);
}

gf_tensor *gf_cnn_stem(void *net, gf_tape *tape, gf_tensor *x, int training)
{
    cnn_net *k = net;
    gf_tensor *h = conv(k, tape, x, k->image, k->conv1, 1);
    return k->cfg.unit == GF_ARCH_PREACT ? h : gf_relu(tape, bn(k, tape, h, k->stem, k->bn1, training));
}

/* The branch F of block b and the inputs of its convs (u, v):
 *   plain, resnet  F = bn2(conv2(relu(bn1(conv1 x))))     u = x
 *   preact         F = conv2(relu(bn2(conv1(relu(bn1 x))))) */
/* lesson:preact-branch begin */
static gf_tensor *branch(cnn_net *k, gf_tape *tape, int b, gf_tensor *x, int training,
                         gf_tensor **u, gf_tensor **v)
{
    const cnn_block *blk = &k->block[b];
    if (k->cfg.unit == GF_ARCH_PREACT) {
        *u = gf_relu(tape, bn(k, tape, x, blk->in, blk->bn1, training));
        *v = gf_relu(tape, bn(k, tape, conv(k, tape, *u, blk->in, blk->conv1, blk->stride),
                              blk->out, blk->bn2, training));
        return conv(k, tape, *v, blk->out, blk->conv2, 1);
    }
    *u = x;
    *v = gf_relu(tape, bn(k, tape, conv(k, tape, x, blk->in, blk->conv1, blk->stride), blk->out,
                          blk->bn1, training));
    return bn(k, tape, conv(k, tape, *v, blk->out, blk->conv2, 1), blk->out, blk->bn2, training);
}
/* lesson:preact-branch end */

gf_tensor *gf_cnn_branch(void *net, gf_tape *tape, int b, gf_tensor *x, int training)
{
    gf_tensor *u, *v;
    return branch(net, tape, b, x, training, &u, &v);
}

/* The skip S x of block b: x itself, or option A through an identity node
 * whose gradient is then the skip term S^T s at x (*src). */
static gf_tensor *skip(cnn_net *k, gf_tape *tape, int b, gf_tensor *x, gf_tensor **src)
{
    const cnn_block *blk = &k->block[b];
    *src = NULL;
    if (blk->stride == 1 && blk->in.c == blk->out.c)
        return x;
    *src = gf_identity(tape, x);
    return gf_shortcut_a(tape, *src, blk->in, blk->out.c, blk->stride);
}

gf_tensor *gf_cnn_skip(void *net, gf_tape *tape, int b, gf_tensor *x)
{
    const cnn_block *blk = &((cnn_net *)net)->block[b];
    if (blk->stride == 1 && blk->in.c == blk->out.c)
        return x;
    return gf_shortcut_a(tape, x, blk->in, blk->out.c, blk->stride);
}

/* Block b at position pos: x -> x_{pos+1}; scale multiplies the branch. */
static gf_tensor *block(cnn_net *k, gf_tape *tape, int b, int pos, gf_tensor *in, int training,
                        double scale, gf_recorder *rec)
{
    gf_tensor *u, *v, *out, *src = NULL;
    gf_tensor *f = branch(k, tape, b, in, training, &u, &v);
    if (f && scale != 1.0)
        f = gf_scale(tape, f, scale);
    /* lesson:unit-add begin */
    if (k->cfg.unit == GF_ARCH_PLAIN) {
        out = gf_relu(tape, f);
    } else {
        gf_tensor *s = skip(k, tape, b, in, &src);
        if (k->cfg.unit == GF_ARCH_PREACT)
            out = gf_add(tape, s, f);
        else /* relu(f + S x): the gradient of f is the sum's */
            out = gf_add_relu(tape, f, s);
        if (!src)
            src = k->cfg.unit == GF_ARCH_PREACT ? out : f;
    }
    /* lesson:unit-add end */
    if (out && rec) {
        gf_probe_attach(rec, in, GF_PROBE_BLOCK, pos, src);
        gf_probe_attach(rec, u, GF_PROBE_FC1_IN, pos, NULL);
        gf_probe_attach(rec, v, GF_PROBE_FC2_IN, pos, NULL);
    }
    return out;
}

gf_tensor *gf_cnn_block(void *net, gf_tape *tape, int b, gf_tensor *x, int training)
{
    return block(net, tape, b, b, x, training, 1.0, NULL);
}

gf_tensor *gf_cnn_head(void *net, gf_tape *tape, gf_tensor *x_B, int training)
{
    cnn_net *k = net;
    const gf_image_shape last = k->blocks ? k->block[k->blocks - 1].out : k->stem;
    gf_tensor *h = x_B;
    if (k->cfg.unit == GF_ARCH_PREACT)
        h = gf_relu(tape, bn(k, tape, h, last, k->bn, training));
    h = gf_global_avgpool(tape, h, last);
    return gf_linear(tape, h, slot(k, k->fc.weight), slot(k, k->fc.bias));
}

/* A dropped position is its block's skip alone: no node for an identity
 * skip, option A's subsampling for a downsampling block. */
gf_tensor *gf_cnn_forward(void *net, gf_tape *tape, gf_tensor *x, int training,
                          gf_recorder *rec, const gf_block_plan *plan)
{
    cnn_net *k = net;
    if (rec)
        gf_recorder_clear(rec);
    gf_tensor *h = gf_cnn_stem(k, tape, x, training);
    for (int pos = 0; pos < k->blocks && h; pos++) {
        const int b = plan && plan->order ? plan->order[pos] : pos;
        if (b < 0 || b >= k->blocks)
            return NULL;
        if (plan && plan->drop && plan->drop[pos]) {
            gf_tensor *src;
            if (rec)
                gf_probe_attach(rec, h, GF_PROBE_BLOCK, pos, NULL);
            h = skip(k, tape, b, h, &src);
            continue;
        }
        const double scale = plan && plan->branch_scale ? plan->branch_scale[pos] : 1.0;
        h = block(k, tape, b, pos, h, training, scale, rec);
    }
    if (!h)
        return NULL;
    if (rec)
        gf_probe_attach(rec, h, GF_PROBE_BLOCK, k->blocks, NULL);
    return gf_cnn_head(k, tape, h, training);
}
