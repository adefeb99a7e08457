/* cnn.c: He et al.'s CIFAR nets as the model family "cnn": layout (slots in
 * the state_dict order of torchvision-style CIFAR ResNets), initialization,
 * and the family's descriptor. */
#include "model/cnn_internal.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The blocks' shapes and strides: stage s has filters << s channels; its
 * first block (s > 0) halves the image with stride 2. */
static void plan_shapes(cnn_net *k)
{
    const gf_cnn_config *c = &k->cfg;
    const gf_conv_geom g1 = {3, 3, 1, 1}, g2 = {3, 3, 2, 1};
    const int n = k->blocks / 3;
    k->image = (gf_image_shape){c->height, c->width, c->channels};
    k->stem = gf_conv_out_shape(k->image, g1, c->filters);
    gf_image_shape x = k->stem;
    for (int b = 0; b < k->blocks; b++) {
        cnn_block *blk = &k->block[b];
        const int stage = b / n, first = b % n == 0 && stage > 0;
        blk->stride = first ? 2 : 1;
        blk->in = x;
        x = gf_conv_out_shape(x, first ? g2 : g1, c->filters << stage);
        blk->out = x;
    }
}

/* Slots in forward order, under torchvision's CIFAR ResNet names; preact
 * (as bearpaw's preresnet): bn1 before conv1 and bn2 before conv2 in each
 * block, no stem norm, a final "bn". */
static int add_slots(cnn_net *k)
{
    gf_params *p = &k->params;
    const int pre = k->cfg.unit == GF_ARCH_PREACT, n = k->blocks / 3;
    const gf_norm_slots none = {-1, -1, -1, -1, -1};
    k->conv1 = gf_params_add_conv(p, "conv1.weight", k->stem.c, k->image.c, 3, 3);
    k->bn1 = pre ? none : gf_params_add_batchnorm(p, "bn1", k->stem.c);
    for (int b = 0; b < k->blocks; b++) {
        cnn_block *blk = &k->block[b];
        char base[48], name[64];
        snprintf(base, sizeof base, "layer%d.%d", b / n + 1, b % n);
        snprintf(name, sizeof name, "%s.bn1", base);
        if (pre)
            blk->bn1 = gf_params_add_batchnorm(p, name, blk->in.c);
        snprintf(name, sizeof name, "%s.conv1.weight", base);
        blk->conv1 = gf_params_add_conv(p, name, blk->out.c, blk->in.c, 3, 3);
        snprintf(name, sizeof name, "%s.bn%d", base, pre ? 2 : 1);
        *(pre ? &blk->bn2 : &blk->bn1) = gf_params_add_batchnorm(p, name, blk->out.c);
        snprintf(name, sizeof name, "%s.conv2.weight", base);
        blk->conv2 = gf_params_add_conv(p, name, blk->out.c, blk->out.c, 3, 3);
        snprintf(name, sizeof name, "%s.bn2", base);
        if (!pre)
            blk->bn2 = gf_params_add_batchnorm(p, name, blk->out.c);
    }
    const size_t last = k->blocks ? k->block[k->blocks - 1].out.c : k->stem.c;
    k->bn = pre ? gf_params_add_batchnorm(p, "bn", last) : none;
    k->fc.weight = gf_params_add(p, "fc.weight", GF_SLOT_PARAM, k->cfg.classes, last, 0);
    k->fc.bias = gf_params_add(p, "fc.bias", GF_SLOT_PARAM, 1, k->cfg.classes, 1);
    return gf_params_finalize(p);
}

static void cnn_free(void *net)
{
    cnn_net *k = net;
    if (!k)
        return;
    gf_params_release(&k->params);
    free(k->block);
    free(k);
}

static void *cnn_build(const void *config, char *why, size_t size)
{
    const gf_cnn_config *c = config;
    if (gf_cnn_config_check(c, why, size) != 0)
        return NULL;
    cnn_net *k = calloc(1, sizeof *k);
    if (k) {
        k->cfg = *c;
        k->blocks = (c->depth - 2) / 2;
        k->block = calloc((size_t)k->blocks, sizeof *k->block);
        gf_params_init(&k->params);
    }
    if (!k || !k->block || (plan_shapes(k), add_slots(k)) != 0) {
        cnn_free(k);
        snprintf(why, size, "out of memory for a cnn of depth %d", c->depth);
        return NULL;
    }
    return k;
}

/* Kaiming normal with fan_out = out kh kw, as torchvision's ResNet. */
static void init_conv(gf_params *p, int slot, gsl_rng *rng)
{
    const gf_slot *s = &p->slot[slot];
    const double sd = sqrt(2.0 / (double)(s->rows * s->kh * s->kw));
    for (size_t i = 0; i < s->rows * s->cols; i++)
        s->t.v[i] = gsl_ran_gaussian(rng, sd);
}

static void zero_slot(gf_params *p, int slot)
{
    memset(p->slot[slot].t.v, 0, p->slot[slot].rows * p->slot[slot].cols * sizeof(double));
}

/* Convs in forward order, then the head (nn.Linear's default: U(+-1/sqrt(in))
 * for weight and bias); BN gamma 1, beta 0. zero_branch zeroes each block's
 * last affine map (resnet, plain: bn2's gamma; preact: conv2). */
static int cnn_init(void *net, gsl_rng *rng)
{
    cnn_net *k = net;
    gf_params *p = &k->params;
    init_conv(p, k->conv1, rng);
    gf_norm_slots_reset(p, k->bn1);
    for (int b = 0; b < k->blocks; b++) {
        cnn_block *blk = &k->block[b];
        init_conv(p, blk->conv1, rng);
        init_conv(p, blk->conv2, rng);
        gf_norm_slots_reset(p, blk->bn1);
        gf_norm_slots_reset(p, blk->bn2);
        if (k->cfg.zero_branch)
            zero_slot(p, k->cfg.unit == GF_ARCH_PREACT ? blk->conv2 : blk->bn2.weight);
    }
    gf_norm_slots_reset(p, k->bn);
    const gf_slot *w = &p->slot[k->fc.weight];
    return gf_init_linear(GF_INIT_TORCH, w->t.v, p->slot[k->fc.bias].t.v, w->rows, w->cols,
                          rng);
}

static void cnn_name(const void *net, char *buf, size_t size)
{
    const cnn_net *k = net;
    snprintf(buf, size, "%s-%d", gf_arch_names[gf_cnn_arch(&k->cfg)], k->cfg.depth);
}

static int cnn_blocks(const void *net) { return ((const cnn_net *)net)->blocks; }
static gf_params *cnn_params(void *net) { return &((cnn_net *)net)->params; }
static int cnn_has_batchnorm(const void *net) { return (void)net, 1; }
static void cnn_set_bn_momentum(void *net, double m) { ((cnn_net *)net)->cfg.bn_momentum = m; }
static double cnn_bn_momentum(const void *net) { return ((const cnn_net *)net)->cfg.bn_momentum; }
static size_t cnn_in_dim(const void *net) { return gf_image_size(((const cnn_net *)net)->image); }
static size_t cnn_classes(const void *net) { return ((const cnn_net *)net)->cfg.classes; }
static const void *cnn_config(const void *net) { return &((const cnn_net *)net)->cfg; }
static int cnn_residual(const void *net) { return ((const cnn_net *)net)->cfg.unit != GF_ARCH_PLAIN; }

/* resnet: x_{l+1} = relu(S x_l + F_l), relu' = [y > 0]; preact: the identity. */
static void cnn_post_derivative(const void *net, int l, const double *y, double *dst,
                                size_t count)
{
    (void)l;
    const int post = ((const cnn_net *)net)->cfg.unit == GF_ARCH_RESNET;
    for (size_t i = 0; i < count; i++)
        dst[i] = !post || y[i] > 0.0 ? 1.0 : 0.0;
}

/* Forward order: conv1, layer1.0.conv1, layer1.0.conv2, ..., fc. */
static int cnn_layer(const void *net, int k, gf_linear_slots *slots, char *name, size_t size)
{
    const cnn_net *c = net;
    if (k < 0 || k > 2 * c->blocks + 1)
        return -1;
    const int b = (k - 1) / 2;
    *slots = k == 0                ? (gf_linear_slots){c->conv1, -1}
             : k > 2 * c->blocks   ? c->fc
             : (k - 1) % 2 == 0    ? (gf_linear_slots){c->block[b].conv1, -1}
                                   : (gf_linear_slots){c->block[b].conv2, -1};
    if (name) {
        const char *w = c->params.slot[slots->weight].name;
        snprintf(name, size, "%.*s", (int)(strlen(w) - strlen(".weight")), w);
    }
    return 0;
}

static int cnn_state_add(const void *net, gf_st_file *st, int64_t *counts)
{
    return gf_params_state_add(&((const cnn_net *)net)->params, st, counts);
}

static int cnn_state_load(void *net, const gf_st_file *st, char *why, size_t size)
{
    return gf_params_state_load(&((cnn_net *)net)->params, st, why, size);
}

const gf_model_type gf_model_cnn = {
    .name = "cnn",
    .team = 1,
    .build = cnn_build,
    .build_from_meta = gf_cnn_build_from_meta,
    .free = cnn_free,
    .init = cnn_init,
    .name_of = cnn_name,
    .blocks = cnn_blocks,
    .params = cnn_params,
    .has_batchnorm = cnn_has_batchnorm,
    .set_bn_momentum = cnn_set_bn_momentum,
    .bn_momentum = cnn_bn_momentum,
    .in_dim = cnn_in_dim,
    .classes = cnn_classes,
    .config = cnn_config,
    .residual = cnn_residual,
    .post_derivative = cnn_post_derivative,
    .layer = cnn_layer,
    .forward = gf_cnn_forward,
    .stem = gf_cnn_stem,
    .block = gf_cnn_block,
    .branch = gf_cnn_branch,
    .head = gf_cnn_head,
    .skip = gf_cnn_skip,
    .config_meta = gf_cnn_config_meta,
    .config_match = gf_cnn_config_match,
    .state_add = cnn_state_add,
    .state_load = cnn_state_load,
};
