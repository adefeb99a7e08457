/* mlp.c: the MLP stacks (plain, resnet, preact) as the model family "mlp",
 * a thin adapter over gf_stack (nn/): same nodes, same bytes. */
#include "model/gf_model.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *mlp_build(const void *config, char *why, size_t size)
{
    const gf_stack_config *c = config;
    if (gf_stack_config_check(c, why, size) != 0)
        return NULL;
    gf_stack *s = gf_stack_alloc(c);
    if (!s)
        snprintf(why, size, "out of memory for %s-%d", gf_arch_names[c->arch], c->depth);
    return s;
}

static void *mlp_build_from_meta(const gf_st_file *st, char *why, size_t size)
{
    gf_stack_config c;
    return gf_stack_config_from_meta(st, &c, why, size) == 0 ? mlp_build(&c, why, size) : NULL;
}

static void mlp_free(void *net) { gf_stack_free(net); }
static int mlp_init(void *net, gsl_rng *rng) { return gf_stack_init_weights(net, rng); }

static void mlp_name(const void *net, char *buf, size_t size)
{
    const gf_stack *s = net;
    snprintf(buf, size, "%s-%d", gf_arch_names[s->cfg.arch], s->cfg.depth);
}

static int mlp_blocks(const void *net) { return ((const gf_stack *)net)->blocks; }
static gf_params *mlp_params(void *net) { return &((gf_stack *)net)->params; }

static int mlp_has_batchnorm(const void *net)
{
    return ((const gf_stack *)net)->cfg.norm == GF_NORM_BATCH;
}

static void mlp_set_bn_momentum(void *net, double m) { ((gf_stack *)net)->cfg.bn_momentum = m; }
static double mlp_bn_momentum(const void *net) { return ((const gf_stack *)net)->cfg.bn_momentum; }

static size_t mlp_in_dim(const void *net) { return ((const gf_stack *)net)->cfg.in_dim; }
static size_t mlp_classes(const void *net) { return ((const gf_stack *)net)->cfg.classes; }
static const void *mlp_config(const void *net) { return &((const gf_stack *)net)->cfg; }

static int mlp_residual(const void *net)
{
    return ((const gf_stack *)net)->cfg.arch != GF_ARCH_PLAIN;
}

/* resnet: x_{l+1} = act(x_l + F_l), relu' = [y > 0], tanh' = 1 - y^2;
 * preact: x_{l+1} = x_l + F_l. */
static void mlp_post_derivative(const void *net, int l, const double *y, double *dst,
                                size_t count)
{
    (void)l;
    const gf_stack_config *c = &((const gf_stack *)net)->cfg;
    const int post = c->arch == GF_ARCH_RESNET;
    for (size_t i = 0; i < count; i++)
        dst[i] = !post || c->act == GF_ACT_LINEAR ? 1.0
                 : c->act == GF_ACT_RELU          ? (y[i] > 0.0 ? 1.0 : 0.0)
                                                  : 1.0 - y[i] * y[i];
}

/* Forward order: stem, blocks.0.fc1, blocks.0.fc2, ..., head. */
static int mlp_layer(const void *net, int k, gf_linear_slots *slots, char *name, size_t size)
{
    const gf_stack *s = net;
    if (k < 0 || k > 2 * s->blocks + 1)
        return -1;
    *slots = k == 0 ? s->stem
             : k > 2 * s->blocks ? s->head
             : (k - 1) % 2 == 0 ? s->block[(k - 1) / 2].fc1
                                : s->block[(k - 1) / 2].fc2;
    if (name)
        gf_stack_linear_name(s, k, name, size);
    return 0;
}

static gf_tensor *mlp_forward(void *net, gf_tape *tape, gf_tensor *x, int training,
                              gf_recorder *rec, const gf_block_plan *plan)
{
    return gf_stack_forward_plan(net, tape, x, training, rec, plan);
}

static gf_tensor *mlp_stem(void *net, gf_tape *tape, gf_tensor *x, int training)
{
    return gf_stack_stem(net, tape, x, training);
}

static gf_tensor *mlp_block(void *net, gf_tape *tape, int l, gf_tensor *x, int training)
{
    return gf_stack_block(net, tape, l, x, training);
}

static gf_tensor *mlp_branch(void *net, gf_tape *tape, int l, gf_tensor *x, int training)
{
    return gf_stack_branch(net, tape, l, x, training);
}

static gf_tensor *mlp_head(void *net, gf_tape *tape, gf_tensor *x_B, int training)
{
    return gf_stack_head(net, tape, x_B, training);
}

static int mlp_config_meta(const void *net, gf_st_file *st)
{
    return gf_stack_config_meta(&((const gf_stack *)net)->cfg, st);
}

static int mlp_config_match(const void *net, const gf_st_file *st, char *why, size_t size)
{
    return gf_stack_config_match(&((const gf_stack *)net)->cfg, st, why, size);
}

static int mlp_state_add(const void *net, gf_st_file *st, int64_t *counts)
{
    return gf_stack_state_add(net, st, counts);
}

static int mlp_state_load(void *net, const gf_st_file *st, char *why, size_t size)
{
    return gf_stack_state_load(net, st, why, size);
}

const gf_model_type gf_model_mlp = {
    .name = "mlp",
    .build = mlp_build,
    .build_from_meta = mlp_build_from_meta,
    .free = mlp_free,
    .init = mlp_init,
    .name_of = mlp_name,
    .blocks = mlp_blocks,
    .params = mlp_params,
    .has_batchnorm = mlp_has_batchnorm,
    .set_bn_momentum = mlp_set_bn_momentum,
    .bn_momentum = mlp_bn_momentum,
    .in_dim = mlp_in_dim,
    .classes = mlp_classes,
    .config = mlp_config,
    .residual = mlp_residual,
    .post_derivative = mlp_post_derivative,
    .layer = mlp_layer,
    .forward = mlp_forward,
    .stem = mlp_stem,
    .block = mlp_block,
    .branch = mlp_branch,
    .head = mlp_head,
    .config_meta = mlp_config_meta,
    .config_match = mlp_config_match,
    .state_add = mlp_state_add,
    .state_load = mlp_state_load,
};
