/* arch.c: the architecture registry: every name --arch takes, its family
 * and the family config it builds from the shared network options. A new
 * net is one gf_arch value (nn/gf_nn.h) and one ARCHS row here. */
#include "model/gf_model.h"

#include <stdio.h>
#include <string.h>

/* The MLP stacks: the options are the config. */
static int mlp_config(const gf_stack_config *c, gf_family_config *out, char *why, size_t size)
{
    if (gf_stack_config_check(c, why, size) != 0)
        return -1;
    out->mlp = *c;
    return 0;
}

/* He et al.'s CIFAR nets (cnn.c). */
int gf_cnn_config_from(const gf_stack_config *c, gf_family_config *out, char *why, size_t size);

/* DenseNet and DenseNet-BC (densenet.c): growth rate 12 x width_mult. */
int gf_densenet_config_from(const gf_stack_config *c, gf_family_config *out, char *why,
                            size_t size);
static int densenet_config(const gf_stack_config *c, gf_family_config *out, char *why,
                           size_t size)
{
    return gf_densenet_config_from(c, out, why, size);
}

/* X(value, name, family, unit, config builder): one row per architecture. */
#define ARCHS(X)                                                                             \
    X(GF_ARCH_PLAIN, "plain", &gf_model_mlp, GF_ARCH_PLAIN, mlp_config)                     \
    X(GF_ARCH_RESNET, "resnet", &gf_model_mlp, GF_ARCH_RESNET, mlp_config)                  \
    X(GF_ARCH_PREACT, "preact", &gf_model_mlp, GF_ARCH_PREACT, mlp_config)                  \
    X(GF_ARCH_CNN_PLAIN, "cnn-plain", &gf_model_cnn, GF_ARCH_PLAIN, gf_cnn_config_from)     \
    X(GF_ARCH_CNN_RESNET, "cnn-resnet", &gf_model_cnn, GF_ARCH_RESNET, gf_cnn_config_from)  \
    X(GF_ARCH_CNN_PREACT, "cnn-preact", &gf_model_cnn, GF_ARCH_PREACT, gf_cnn_config_from)  \
    X(GF_ARCH_DENSENET, "densenet", &gf_model_densenet, GF_ARCH_PLAIN, densenet_config)       \
    X(GF_ARCH_DENSENET_BC, "densenet-bc", &gf_model_densenet, GF_ARCH_PLAIN, densenet_config)

#define NAME(value, name, family, unit, config) [value] = name,
#define ROW(value, name, family, unit, config) [value] = {name, family, unit, config},

const char *const gf_arch_names[GF_ARCH_COUNT + 1] = {ARCHS(NAME) NULL};
const gf_arch_type gf_arch_types[GF_ARCH_COUNT] = {ARCHS(ROW)};

int gf_arch_config(const gf_stack_config *c, gf_family_config *out, char *why, size_t size)
{
    if ((unsigned)c->arch >= GF_ARCH_COUNT) {
        snprintf(why, size, "unknown architecture");
        return -1;
    }
    memset(out, 0, sizeof *out);
    return gf_arch_types[c->arch].config(c, out, why, size);
}

gf_model *gf_arch_model_alloc(const gf_stack_config *c, char *why, size_t size)
{
    gf_family_config fc;
    if (gf_arch_config(c, &fc, why, size) != 0)
        return NULL;
    return gf_model_alloc(gf_arch_types[c->arch].family, &fc, why, size);
}

/* The blocks of the net c describes, from its family config (nothing is
 * allocated: a net too large for memory is counted too); -1 with a reason. */
static int blocks_of(const gf_stack_config *c, char *why, size_t size)
{
    gf_family_config fc;
    if (gf_arch_config(c, &fc, why, size) != 0)
        return -1;
    if (gf_arch_types[c->arch].family != &gf_model_densenet)
        return gf_stack_blocks(c); /* MLP 2B + 2, cnn 6n + 2: B = (depth - 2) / 2 */
    gf_densenet_plan p;
    gf_densenet_plan_of(&fc.densenet, &p);
    return 3 * p.layers; /* every dense layer is a block */
}

int gf_arch_blocks(const gf_stack_config *c, const gf_arch *archs, int n, char *why, size_t size)
{
    int blocks = -1;
    for (int a = 0; a < n; a++) {
        gf_stack_config ca = *c;
        ca.arch = archs[a];
        const int b = blocks_of(&ca, why, size);
        if (b < 0)
            return -1;
        if (blocks >= 0 && b != blocks) {
            snprintf(why, size, "%s has %d blocks at depth %d, %s %d: measure them in separate runs",
                     gf_arch_names[archs[0]], blocks, c->depth, gf_arch_names[archs[a]], b);
            return -1;
        }
        blocks = b;
    }
    return blocks;
}

gf_model *gf_arch_model_open(const char *path, const gf_stack_config *c,
                             gf_checkpoint_info *info, char *why, size_t size)
{
    gf_family_config fc;
    char reason[384];
    if (gf_arch_config(c, &fc, reason, sizeof reason) != 0) {
        snprintf(why, size, "%s: %s", path, reason);
        return NULL;
    }
    return gf_model_open(path, gf_arch_types[c->arch].family, &fc, info, why, size);
}

int gf_arch_options_of(const gf_model *m, gf_stack_config *c)
{
    if (m->type == &gf_model_mlp) {
        *c = *(const gf_stack_config *)gf_model_config(m);
        return 0;
    }
    *c = gf_stack_config_default();
    c->norm = GF_NORM_BATCH;
    if (m->type == &gf_model_densenet) {
        const gf_densenet_config *d = gf_model_config(m);
        c->arch = d->bc ? GF_ARCH_DENSENET_BC : GF_ARCH_DENSENET;
        c->depth = d->depth;
        c->width_mult = (double)d->growth / 12.0; /* k = 12 x --width-mult */
        c->in_dim = d->height * d->width * d->in_channels;
        c->classes = d->classes;
        c->bn_momentum = d->bn_momentum;
        c->eps = d->eps;
        return 0;
    }
    if (m->type != &gf_model_cnn)
        return -1;
    const gf_cnn_config *k = gf_model_config(m);
    c->arch = gf_cnn_arch(k);
    c->depth = k->depth;
    c->width_mult = (double)k->filters / 16.0;
    c->in_dim = k->height * k->width * k->channels;
    c->classes = k->classes;
    c->zero_branch = k->zero_branch;
    c->bn_momentum = k->bn_momentum;
    c->eps = k->eps;
    return 0;
}

void gf_arch_network_text(char *buf, size_t size, const gf_stack_config *c, const gf_arch *archs,
                          int n)
{
    int mlp = 0, cnn = 0, dense = 0;
    for (int a = 0; a < n; a++)
        *(gf_arch_is_mlp(archs[a]) ? &mlp
          : gf_arch_types[archs[a]].family == &gf_model_densenet ? &dense : &cnn) = 1;
    gf_stack_config k = *c;
    gf_family_config fc = {0}, fd = {0};
    k.arch = GF_ARCH_CNN_RESNET, k.depth = 20; /* the filters do not depend on the depth */
    if (cnn && gf_arch_config(&k, &fc, NULL, 0) != 0)
        fc.cnn.filters = 0;
    k.arch = GF_ARCH_DENSENET, k.depth = 10; /* nor the growth rate */
    if (dense && gf_arch_config(&k, &fd, NULL, 0) != 0)
        fd.densenet.growth = 0;
    size_t w = 0;
    const char *sep = "";
    if (mlp)
        w += (size_t)snprintf(buf, size, "width %zu, init %s, norm %s, act %s", c->width,
                              gf_init_names[c->init], gf_norm_names[c->norm],
                              gf_act_names[c->act]),
            sep = "; ";
    if (cnn && w < size)
        w += (size_t)snprintf(buf + w, size - w, "%scnn: %zu/%zu/%zu filters, He init "
                              "(fan_out), batch norm, relu", sep, fc.cnn.filters,
                              2 * fc.cnn.filters, 4 * fc.cnn.filters),
            sep = "; ";
    if (dense && w < size)
        snprintf(buf + w, size - w, "%sdensenet: growth rate %d, He init (fan_in), batch norm, "
                 "relu", sep, fd.densenet.growth);
}

void gf_arch_training_text(char *buf, size_t size, const gf_stack_config *c, const gf_arch *archs,
                           int n)
{
    int mlp_only = 1;
    for (int a = 0; a < n; a++)
        mlp_only = mlp_only && gf_arch_is_mlp(archs[a]);
    if (mlp_only)
        snprintf(buf, size, "width %zu, norm %s, init %s", c->width, gf_norm_names[c->norm],
                 gf_init_names[c->init]);
    else
        gf_arch_network_text(buf, size, c, archs, n);
}
