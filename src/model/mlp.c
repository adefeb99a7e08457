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

static const char *meta(const gf_st_file *st, const char *key)
{
    return json_string_value(json_object_get(st->metadata, key));
}

/* A whole string as a number (strtol / strtod with nothing left over). */
static int whole_long(const char *s, long *v)
{
    char *end;
    *v = strtol(s, &end, 10);
    return end != s && !*end ? 0 : -1;
}

static int whole_double(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return end != s && !*end ? 0 : -1;
}

/* The configuration the metadata of gf_stack_config_meta describes. */
static int config_from_meta(const gf_st_file *st, gf_stack_config *c, char *why, size_t size)
{
    static const char *const keys[] = {"arch", "depth", "width", "input_dim", "classes", "init",
                                       "norm", "act", "zero_init_residual", "bn_momentum", "eps"};
    enum { N = sizeof keys / sizeof *keys };
    const char *v[N];
    for (int i = 0; i < N; i++)
        if (!(v[i] = meta(st, keys[i]))) {
            snprintf(why, size, "the file does not record the network's %s", keys[i]);
            return -1;
        }
    const int arch = gf_name_lookup(gf_arch_names, v[0]);
    const int init = gf_name_lookup(gf_init_names, v[5]);
    const int norm = gf_name_lookup(gf_norm_names, v[6]), act = gf_name_lookup(gf_act_names, v[7]);
    long n[4];
    int ok = arch >= 0 && init >= 0 && norm >= 0 && act >= 0;
    for (int i = 0; i < 4; i++)
        ok = ok && whole_long(v[1 + i], &n[i]) == 0 && n[i] >= 0;
    *c = gf_stack_config_default();
    ok = ok && whole_double(v[9], &c->bn_momentum) == 0 && whole_double(v[10], &c->eps) == 0;
    if (!ok) {
        snprintf(why, size, "the network's configuration in the file is damaged");
        return -1;
    }
    c->arch = (gf_arch)arch;
    c->depth = (int)n[0];
    c->width = (size_t)n[1];
    c->in_dim = (size_t)n[2];
    c->classes = (size_t)n[3];
    c->init = (gf_init)init;
    c->norm = (gf_norm)norm;
    c->act = (gf_act)act;
    c->zero_branch = strcmp(v[8], "1") == 0;
    if (gf_stack_config_check(c, why, size) != 0)
        return -1;
    return gf_stack_config_match(c, st, why, size); /* every key reads back as written */
}

static void *mlp_build_from_meta(const gf_st_file *st, char *why, size_t size)
{
    gf_stack_config c;
    return config_from_meta(st, &c, why, size) == 0 ? mlp_build(&c, why, size) : NULL;
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
