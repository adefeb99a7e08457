/* densenet.c: the family "densenet": configuration, channel plan,
 * parameters under torchvision's names, initialization, the family table. */
#include "densenet_internal.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const gf_dense_memory_names[] = {"naive", "shared", NULL};

gf_densenet_config gf_densenet_config_default(void)
{
    return (gf_densenet_config){.depth = 22, .growth = 12, .bc = 1, .memory = GF_DENSE_SHARED,
                                .height = 28, .width = 28, .in_channels = 1, .classes = 10,
                                .bn_momentum = 0.1, .eps = 1e-5};
}

static int per_block(const gf_densenet_config *c) { return c->bc ? 6 : 3; }

int gf_densenet_config_check(const gf_densenet_config *c, char *why, size_t size)
{
    const int q = per_block(c);
    if (c->depth < q + 4 || (c->depth - 4) % q != 0 || c->depth > 4 + q * 400) {
        snprintf(why, size, "depth %d is not %dn + 4 with 1 <= n <= 400 (%s: %d, %d, %d, ...)",
                 c->depth, q, c->bc ? "DenseNet-BC" : "DenseNet", q + 4, 2 * q + 4, 3 * q + 4);
        return -1;
    }
    if (c->growth < 1 || c->growth > 4096) {
        snprintf(why, size, "growth rate %d is not in [1, 4096]", c->growth);
        return -1;
    }
    if ((unsigned)c->memory >= GF_DENSE_MEMORY_COUNT) {
        snprintf(why, size, "unknown memory layout %d", (int)c->memory);
        return -1;
    }
    if (c->in_channels < 1 || c->classes < 2 || c->height < 4 || c->width < 4 ||
        c->height > 4096 || c->width > 4096) { /* two 2x2 poolings need 4 pixels a side */
        snprintf(why, size, "the input %zux%zu (%zu channel%s, %zu classes) is not 4 to 4096 "
                 "pixels a side with 2 classes or more", c->height, c->width, c->in_channels,
                 c->in_channels == 1 ? "" : "s", c->classes);
        return -1;
    }
    if (!(c->eps > 0) || !(c->bn_momentum >= 0 && c->bn_momentum <= 1)) {
        snprintf(why, size, "batch norm: eps %g, momentum %g", c->eps, c->bn_momentum);
        return -1;
    }
    return 0;
}

/* Transitions keep floor(theta C) channels, theta = 0.5 for BC, 1 otherwise;
 * average pooling 2x2 (stride 2, floor) halves each side. */
void gf_densenet_plan_of(const gf_densenet_config *c, gf_densenet_plan *p)
{
    const size_t k = (size_t)c->growth;
    memset(p, 0, sizeof *p);
    p->layers = (c->depth - 4) / per_block(c);
    p->stem = c->bc ? 2 * k : 16;
    p->bottleneck = c->bc ? 4 * k : 0;
    size_t ch = p->stem, h = c->height, w = c->width;
    for (int b = 0; b < 3; b++) {
        p->in[b] = ch;
        p->out[b] = ch + (size_t)p->layers * k;
        p->hw[b] = h * w;
        p->h[b] = h;
        p->w[b] = w;
        ch = c->bc ? p->out[b] / 2 : p->out[b];
        h /= 2;
        w /= 2;
    }
}

int gf_densenet_config_from(const gf_stack_config *c, gf_family_config *out, char *why,
                            size_t size)
{
    const double mult = c->width_mult > 0.0 ? c->width_mult : 1.0, k = round(12.0 * mult);
    gf_densenet_config *d = &out->densenet;
    *d = gf_densenet_config_default();
    if (fabs(12.0 * mult - k) > 1e-9 * k || k < 1.0 || k > 4096.0) { /* 5/12 x 12: 5 + ulp */
        snprintf(why, size, "--width-mult %g gives a growth rate of %g: 12 x it must be a "
                 "whole number from 1 to 4096", mult, 12.0 * mult);
        return -1;
    }
    d->growth = (int)k;
    d->depth = c->depth;
    d->bc = c->arch == GF_ARCH_DENSENET_BC;
    gf_image_dims(c->in_dim, &d->height, &d->width);
    d->classes = c->classes;
    d->bn_momentum = c->bn_momentum;
    d->eps = c->eps;
    return gf_densenet_config_check(d, why, size);
}

double gf_densenet_outputs(const gf_densenet_config *c)
{
    gf_densenet_plan p;
    gf_densenet_plan_of(c, &p);
    double v = (double)(p.stem * p.hw[0]);
    for (int b = 0; b < 3; b++) {
        const double n = p.layers, k = c->growth, hw = (double)p.hw[b];
        v += hw * (n * (double)p.in[b] + k * n * (n - 1) / 2 + n * ((double)p.bottleneck + k));
        v += hw * (double)p.out[b]; /* the block's output, into a transition or the head */
    }
    return v;
}

void gf_densenet_name(const gf_densenet_config *c, char *buf, size_t size)
{
    snprintf(buf, size, "densenet%s-%d-k%d", c->bc ? "-bc" : "", c->depth, c->growth);
}

/* ---- parameters ---------------------------------------------------------------- */

/* A convolution without bias: weight c_out x (c_in k k), PyTorch's (out, in, kh, kw). */
static dn_conv add_conv(gf_params *p, const char *base, size_t in, size_t out, int k)
{
    char name[112];
    snprintf(name, sizeof name, "%s.weight", base);
    return (dn_conv){gf_params_add_conv(p, name, out, in, (size_t)k, (size_t)k), k};
}

static void add_layers(densenet *d, int b)
{
    const gf_densenet_plan *pl = &d->plan;
    const size_t k = (size_t)d->cfg.growth;
    char base[96];
    for (int i = 1; i <= pl->layers; i++) {
        dn_layer *L = &d->layer[b * pl->layers + i - 1];
        const size_t in = pl->in[b] + (size_t)(i - 1) * k;
        L->block = b;
        L->index = i;
        L->norm2 = (gf_norm_slots){-1, -1, -1, -1, -1};
        L->conv2 = (dn_conv){-1, 0};
        snprintf(base, sizeof base, "features.denseblock%d.denselayer%d.norm1", b + 1, i);
        L->norm1 = gf_params_add_batchnorm(&d->params, base, in);
        snprintf(base, sizeof base, "features.denseblock%d.denselayer%d.conv1", b + 1, i);
        L->conv1 = add_conv(&d->params, base, in, d->cfg.bc ? pl->bottleneck : k,
                            d->cfg.bc ? 1 : 3);
        if (!d->cfg.bc)
            continue;
        snprintf(base, sizeof base, "features.denseblock%d.denselayer%d.norm2", b + 1, i);
        L->norm2 = gf_params_add_batchnorm(&d->params, base, pl->bottleneck);
        snprintf(base, sizeof base, "features.denseblock%d.denselayer%d.conv2", b + 1, i);
        L->conv2 = add_conv(&d->params, base, pl->bottleneck, k, 3);
    }
}

static int declare(densenet *d)
{
    const gf_densenet_plan *pl = &d->plan;
    gf_params *p = &d->params;
    d->conv0 = add_conv(p, "features.conv0", d->cfg.in_channels, pl->stem, 3);
    for (int b = 0; b < 3; b++) {
        add_layers(d, b);
        if (b == 2)
            break;
        char base[64];
        snprintf(base, sizeof base, "features.transition%d.norm", b + 1);
        d->trans_norm[b] = gf_params_add_batchnorm(p, base, pl->out[b]);
        snprintf(base, sizeof base, "features.transition%d.conv", b + 1);
        d->trans_conv[b] = add_conv(p, base, pl->out[b], pl->in[b + 1], 1);
    }
    d->norm5 = gf_params_add_batchnorm(p, "features.norm5", pl->out[2]);
    d->classifier.weight = gf_params_add(p, "classifier.weight", GF_SLOT_PARAM, d->cfg.classes,
                                         pl->out[2], 0);
    d->classifier.bias = gf_params_add(p, "classifier.bias", GF_SLOT_PARAM, 1, d->cfg.classes, 1);
    return d->classifier.bias < 0 || gf_params_finalize(p) != 0 ? -1 : 0;
}

static void dn_free(void *net)
{
    densenet *d = net;
    if (!d)
        return;
    gf_params_release(&d->params);
    free(d->layer);
    free(d);
}

static void *dn_build(const void *config, char *why, size_t size)
{
    const gf_densenet_config *c = config;
    if (gf_densenet_config_check(c, why, size) != 0)
        return NULL;
    densenet *d = calloc(1, sizeof *d);
    if (d) {
        d->cfg = *c;
        gf_densenet_plan_of(c, &d->plan);
        gf_params_init(&d->params);
        d->layer = calloc((size_t)(3 * d->plan.layers), sizeof *d->layer);
    }
    if (!d || !d->layer || declare(d) != 0) {
        dn_free(d);
        snprintf(why, size, "out of memory for a densenet of depth %d", c->depth);
        return NULL;
    }
    return d;
}

static void *dn_build_from_meta(const gf_st_file *st, char *why, size_t size)
{
    gf_densenet_config c;
    return dn_config_from_meta(st, &c, why, size) == 0 ? dn_build(&c, why, size) : NULL;
}

gf_tensor *dn_slot(densenet *d, int slot) { return &d->params.slot[slot].t; }

gf_bn_state dn_bn(densenet *d, gf_norm_slots n)
{
    return gf_norm_bn_state(&d->params, n, d->cfg.bn_momentum, d->cfg.eps);
}

/* ---- initialization: torchvision's -------------------------------------------- */

static void reset_bn(densenet *d, gf_norm_slots n)
{
    if (n.weight >= 0)
        gf_norm_slots_reset(&d->params, n);
}

/* Convolutions kaiming-normal (fan in, relu gain), the classifier PyTorch's
 * Linear default with its bias zeroed, batch norm 1 and 0; in slot order. */
static int dn_init(void *net, gsl_rng *rng)
{
    densenet *d = net;
    gf_params *p = &d->params;
    for (size_t s = 0; s < p->n_slots; s++) {
        gf_slot *sl = &p->slot[s];
        if (sl->kh > 0 && gf_init_linear(GF_INIT_HE, sl->t.v, NULL, sl->rows, sl->cols,
                                               rng) != 0)
            return -1;
    }
    const gf_slot *w = &p->slot[d->classifier.weight];
    double *b = dn_slot(d, d->classifier.bias)->v;
    if (gf_init_linear(GF_INIT_TORCH, w->t.v, b, w->rows, w->cols, rng) != 0)
        return -1;
    memset(b, 0, d->cfg.classes * sizeof *b);
    reset_bn(d, d->norm5);
    for (int b2 = 0; b2 < 2; b2++)
        reset_bn(d, d->trans_norm[b2]);
    for (int i = 0; i < 3 * d->plan.layers; i++) {
        reset_bn(d, d->layer[i].norm1);
        reset_bn(d, d->layer[i].norm2);
    }
    return 0;
}

/* ---- the table ------------------------------------------------------------------- */

static void name_of(const void *net, char *buf, size_t size)
{
    gf_densenet_name(&((const densenet *)net)->cfg, buf, size);
}
static int blocks(const void *net) { return 3 * ((const densenet *)net)->plan.layers; }
static gf_params *params(void *net) { return &((densenet *)net)->params; }
static int has_bn(const void *net) { return (void)net, 1; }
static void set_momentum(void *net, double m) { ((densenet *)net)->cfg.bn_momentum = m; }
static double momentum(const void *net) { return ((const densenet *)net)->cfg.bn_momentum; }
static size_t in_dim(const void *net)
{
    const gf_densenet_config *c = &((const densenet *)net)->cfg;
    return c->height * c->width * c->in_channels;
}
static size_t classes(const void *net) { return ((const densenet *)net)->cfg.classes; }
static const void *config(const void *net) { return &((const densenet *)net)->cfg; }
static int residual(const void *net) { return (void)net, 0; }

/* Weighted layers in forward order: conv0, each layer's conv1 (conv2), the
 * transitions' conv after their block, the classifier. */
static int layer(const void *net, int k, gf_linear_slots *slots, char *name, size_t size)
{
    const densenet *d = net;
    const int per = d->cfg.bc ? 2 : 1, n = d->plan.layers;
    int idx = 0, slot = -1, bias = -1;
    if (k == idx++)
        slot = d->conv0.weight;
    for (int b = 0; b < 3 && slot < 0; b++) {
        if (k < idx + per * n) {
            const dn_layer *L = &d->layer[b * n + (k - idx) / per];
            slot = (k - idx) % per ? L->conv2.weight : L->conv1.weight;
            break;
        }
        idx += per * n;
        if (b < 2 && k == idx++)
            slot = d->trans_conv[b].weight;
    }
    if (slot < 0 && k == idx) {
        slot = d->classifier.weight;
        bias = d->classifier.bias;
    }
    if (slot < 0 || k < 0)
        return -1;
    *slots = (gf_linear_slots){slot, bias};
    if (name) { /* the weight's name without ".weight" */
        snprintf(name, size, "%s", d->params.slot[slot].name);
        char *dot = strrchr(name, '.');
        if (dot)
            *dot = '\0';
    }
    return 0;
}

void gf_densenet_set_sink(void *net, double *sink[3])
{
    densenet *d = net;
    for (int b = 0; b < 3; b++)
        d->sink[b] = sink ? sink[b] : NULL;
}

const gf_model_type gf_model_densenet = {
    .name = "densenet",
    .team = 1,
    .build = dn_build,
    .build_from_meta = dn_build_from_meta,
    .free = dn_free,
    .init = dn_init,
    .name_of = name_of,
    .blocks = blocks,
    .params = params,
    .has_batchnorm = has_bn,
    .set_bn_momentum = set_momentum,
    .bn_momentum = momentum,
    .in_dim = in_dim,
    .classes = classes,
    .config = config,
    .residual = residual,
    .post_derivative = gf_model_post_identity,
    .layer = layer,
    .forward = dn_forward,
    .stem = dn_stem,
    .block = dn_block,
    .branch = dn_branch,
    .head = dn_head,
    .config_meta = dn_config_meta,
    .config_match = dn_config_match,
    .state_add = dn_state_add,
    .state_load = dn_state_load,
};
