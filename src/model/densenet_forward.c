/* densenet_forward.c: DenseNet's forward pass, naive (every concatenation
 * stored, the interface's pieces) and shared (gf_dense_bnrelu over the
 * feature maps where they lie, one scratch per pass). */
#include "densenet_internal.h"

#include "core/gf_conv.h"

#include <stdio.h>
#include <string.h>

/* ---- the convolutional ops, in the family's terms --------------------------- */

/* A k x k convolution, stride 1, padding (k - 1)/2, no bias, on the images of
 * dense block b (the stem: b = 0). */
static gf_tensor *conv(densenet *d, gf_tape *tape, gf_tensor *x, dn_conv cv, int b)
{
    const gf_slot *w = &d->params.slot[cv.weight];
    const gf_image_shape in = {d->plan.h[b], d->plan.w[b], w->cols / (size_t)(cv.k * cv.k)};
    const gf_conv_geom g = {.kh = (size_t)cv.k, .kw = (size_t)cv.k, .stride = 1,
                            .pad = (size_t)(cv.k - 1) / 2};
    return gf_conv2d(tape, x, in, dn_slot(d, cv.weight), NULL, g);
}

/* The images of dense block b with c channels. */
static gf_image_shape shape(const densenet *d, int b, size_t c)
{
    return (gf_image_shape){d->plan.h[b], d->plan.w[b], c};
}

/* relu(BN(x)) over the channels of x, images of block b. */
static gf_tensor *bn_relu(densenet *d, gf_tape *tape, gf_tensor *x, gf_norm_slots n, int b,
                          int training)
{
    const gf_bn_state bn = dn_bn(d, n);
    const gf_image_shape in = shape(d, b, d->params.slot[n.weight].cols);
    return gf_relu(tape, gf_batchnorm2d(tape, x, in, &bn, training));
}

/* 2x2 average pooling, stride 2, of the images of block b (c channels). */
static gf_tensor *avgpool(densenet *d, gf_tape *tape, gf_tensor *x, int b, size_t c)
{
    return gf_avgpool2d(tape, x, shape(d, b, c), 2, 2);
}

static void probe(gf_recorder *rec, gf_tensor *t, gf_probe_kind kind, int block)
{
    if (rec)
        gf_probe_attach(rec, t, kind, block, NULL);
}

/* ---- naive: the interface's pieces ---------------------------------------------- */

gf_tensor *dn_stem(void *net, gf_tape *tape, gf_tensor *x, int training)
{
    densenet *d = net;
    (void)training;
    return conv(d, tape, x, d->conv0, 0);
}

/* H_l(x_l): the layer's new k channels; its convolutions' inputs probed. */
static gf_tensor *new_features(densenet *d, gf_tape *tape, int l, gf_tensor *x, int training,
                               gf_recorder *rec)
{
    const dn_layer *L = &d->layer[l];
    const int b = L->block;
    gf_tensor *h = bn_relu(d, tape, x, L->norm1, b, training);
    probe(rec, h, GF_PROBE_FC1_IN, l);
    h = conv(d, tape, h, L->conv1, b);
    if (!d->cfg.bc)
        return h;
    h = bn_relu(d, tape, h, L->norm2, b, training);
    probe(rec, h, GF_PROBE_FC2_IN, l);
    return conv(d, tape, h, L->conv2, b);
}

gf_tensor *dn_branch(void *net, gf_tape *tape, int l, gf_tensor *x, int training)
{
    return new_features(net, tape, l, x, training, NULL);
}

/* BN-ReLU-1x1 conv-2x2 average pool after dense block b. */
static gf_tensor *transition(densenet *d, gf_tape *tape, int b, gf_tensor *x, int training)
{
    gf_tensor *h = bn_relu(d, tape, x, d->trans_norm[b], b, training);
    h = conv(d, tape, h, d->trans_conv[b], b);
    return avgpool(d, tape, h, b, d->plan.in[b + 1]);
}

/* lesson:dense-concat begin */
/* x_{l+1} = [x_l, s y_l] (s = 1 unless a plan scales or drops the layer),
 * then the transition after the last layer of the first two dense blocks. */
static gf_tensor *block(densenet *d, gf_tape *tape, int l, gf_tensor *x, int training,
                        gf_recorder *rec, double s)
{
    const dn_layer *L = &d->layer[l];
    gf_tensor *y = new_features(d, tape, l, x, training, rec);
    if (s != 1.0)
        y = gf_scale(tape, y, s);
    gf_tensor *parts[2] = {x, y};
    gf_tensor *out = gf_concat_channels(tape, parts, 2, d->plan.hw[L->block]);
    return L->index == d->plan.layers && L->block < 2 ? transition(d, tape, L->block, out, training)
                                                      : out;
}
/* lesson:dense-concat end */

gf_tensor *dn_block(void *net, gf_tape *tape, int l, gf_tensor *x, int training)
{
    return block(net, tape, l, x, training, NULL, 1.0);
}

gf_tensor *dn_head(void *net, gf_tape *tape, gf_tensor *x_B, int training)
{
    densenet *d = net;
    gf_tensor *h = bn_relu(d, tape, x_B, d->norm5, 2, training);
    h = gf_global_avgpool(tape, h, shape(d, 2, d->plan.out[2]));
    return gf_linear(tape, h, dn_slot(d, d->classifier.weight), dn_slot(d, d->classifier.bias));
}

static gf_tensor *forward_naive(densenet *d, gf_tape *tape, gf_tensor *x, int training,
                                gf_recorder *rec, const gf_block_plan *plan)
{
    const int B = 3 * d->plan.layers;
    x = dn_stem(d, tape, x, training);
    for (int l = 0; l < B; l++) {
        /* A reordered layer meets channels it was not built for: the ops'
         * shape checks stop the pass, unless the counts happen to agree. */
        const int b = plan && plan->order ? plan->order[l] : l;
        probe(rec, x, GF_PROBE_BLOCK, l);
        const double s = plan && plan->drop && plan->drop[l] ? 0.0
                         : plan && plan->branch_scale       ? plan->branch_scale[l]
                                                            : 1.0;
        x = block(d, tape, b, x, training, rec, s);
    }
    probe(rec, x, GF_PROBE_BLOCK, B);
    return dn_head(d, tape, x, training);
}

/* ---- shared --------------------------------------------------------------------------- */

/* One dense block from its input x0, the feature maps read in place; then its
 * transition (b < 2) or the head (b = 2). */
static gf_tensor *block_shared(densenet *d, gf_tape *tape, int b, gf_tensor *x0, int training,
                               gf_dense_scratch *scr)
{
    const int n = d->plan.layers, m = n + 2;
    const size_t hw = d->plan.hw[b];
    gf_tensor **feat = gf_arena_get(gf_tape_arena(tape), (size_t)(n + 1) * sizeof *feat);
    if (!feat || !x0)
        return NULL;
    feat[0] = x0;
    double *sink = d->sink[b];
    /* lesson:dense-shared begin */
    for (int i = 1; i <= n; i++) {
        const dn_layer *L = &d->layer[b * n + i - 1];
        const gf_bn_state bn = dn_bn(d, L->norm1);
        gf_tensor *h = gf_dense_bnrelu(tape, feat, i, hw, &bn, training, scr,
                                       sink ? sink + i * m : NULL);
        gf_tensor *y = gf_dense_restore(tape, conv(d, tape, h, L->conv1, b), h);
        if (d->cfg.bc)
            y = conv(d, tape, bn_relu(d, tape, y, L->norm2, b, training), L->conv2, b);
        feat[i] = y;
    }
    /* lesson:dense-shared end */
    const gf_bn_state bn = dn_bn(d, b < 2 ? d->trans_norm[b] : d->norm5);
    gf_tensor *h = gf_dense_bnrelu(tape, feat, n + 1, hw, &bn, training, scr,
                                   sink ? sink + (n + 1) * m : NULL);
    if (b == 2) {
        gf_tensor *g = gf_dense_restore(tape, gf_global_avgpool(tape, h, shape(d, 2, d->plan.out[2])), h);
        return gf_linear(tape, g, dn_slot(d, d->classifier.weight),
                         dn_slot(d, d->classifier.bias));
    }
    h = gf_dense_restore(tape, conv(d, tape, h, d->trans_conv[b], b), h);
    return avgpool(d, tape, h, b, d->plan.in[b + 1]);
}

static gf_tensor *forward_shared(densenet *d, gf_tape *tape, gf_tensor *x, int training)
{
    size_t most = 0;
    for (int b = 0; b < 3; b++)
        if (x && x->n * d->plan.hw[b] * d->plan.out[b] > most)
            most = x->n * d->plan.hw[b] * d->plan.out[b];
    gf_dense_scratch *scr = gf_dense_scratch_get(tape, most);
    x = dn_stem(d, tape, x, training);
    for (int b = 0; b < 3 && scr; b++)
        x = block_shared(d, tape, b, x, training, scr);
    return scr ? x : NULL;
}

gf_tensor *dn_forward(void *net, gf_tape *tape, gf_tensor *x, int training, gf_recorder *rec,
                      const gf_block_plan *plan)
{
    densenet *d = net;
    if (rec)
        gf_recorder_clear(rec);
    if (d->cfg.memory == GF_DENSE_SHARED && !rec && !plan)
        return forward_shared(d, tape, x, training);
    return forward_naive(d, tape, x, training, rec, plan);
}
