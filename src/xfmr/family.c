/* family.c: the transformer behind the model interface (family
 * "transformer"): x is B x T token ids stored as doubles, the logits are
 * (B*T) x vocab; the configuration as safetensors metadata. */
#include "xfmr/gf_xfmr.h"

#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *build(const void *config, char *why, size_t size)
{
    return gf_xfmr_alloc(config, why, size);
}

static gf_xfmr *X(void *net) { return net; }
static const gf_xfmr *CX(const void *net) { return net; }

/* ---- configuration as metadata ------------------------------------------------- */

enum { N_META = 7 };
#define AT(f) offsetof(gf_xfmr_config, f)
static const gf_meta_field FIELDS[N_META] = {
    {"kind", GF_META_NAME, AT(kind), gf_xfmr_kind_names, 0},
    {"layers", GF_META_INT, AT(layers), NULL, 0},
    {"width", GF_META_SIZE, AT(width), NULL, 0},
    {"heads", GF_META_INT, AT(heads), NULL, 0},
    {"context", GF_META_SIZE, AT(context), NULL, 0},
    {"vocab", GF_META_SIZE, AT(vocab), NULL, 0},
    {"eps", GF_META_DOUBLE, AT(eps), NULL, 0},
};
#undef AT

static int config_meta(const void *net, gf_st_file *st)
{
    return gf_st_add_config(st, FIELDS, N_META, &CX(net)->cfg);
}

static int config_match(const void *net, const gf_st_file *st, char *why, size_t size)
{
    return gf_st_config_check(st, FIELDS, N_META, &CX(net)->cfg, why, size);
}

static void *build_from_meta(const gf_st_file *st, char *why, size_t size)
{
    gf_xfmr_config c = gf_xfmr_config_default();
    return gf_st_config_read(st, FIELDS, N_META, &c, why, size) == 0 ? build(&c, why, size) : NULL;
}

/* The state: the slots are a gf_params as a stack's, so the stack's writer
 * and reader serve (they read only .params). */
static int state_add(const void *net, gf_st_file *st, int64_t *counts)
{
    const gf_stack s = {.params = CX(net)->params};
    return gf_stack_state_add(&s, st, counts);
}

static int state_load(void *net, const gf_st_file *st, char *why, size_t size)
{
    gf_stack s = {.params = X(net)->params};
    return gf_stack_state_load(&s, st, why, size);
}

/* ---- the interface's calls ----------------------------------------------------- */

static void free_net(void *net) { gf_xfmr_free(net); }
static int init(void *net, gsl_rng *rng) { return gf_xfmr_init(net, rng); }

static void name_of(const void *net, char *buf, size_t size)
{
    snprintf(buf, size, "%s-%d", gf_xfmr_kind_names[CX(net)->cfg.kind], CX(net)->cfg.layers);
}

static int blocks(const void *net) { return CX(net)->cfg.layers; }
static gf_params *params(void *net) { return &X(net)->params; }
static int no_bn(const void *net) { return (void)net, 0; }
static void set_bn(void *net, double momentum) { (void)net, (void)momentum; }
static double bn(const void *net) { return (void)net, NAN; }
static size_t in_dim(const void *net) { return CX(net)->cfg.context; }
static size_t classes(const void *net) { return CX(net)->cfg.vocab; }
static const void *config(const void *net) { return &CX(net)->cfg; }
/* A layer is two residual sub-layers (and Post-LN normalizes after the sum):
 * not one skip beside one branch. */
static int residual(const void *net) { return (void)net, 0; }

/* Forward order: per layer c_attn, attn.c_proj, c_fc, mlp.c_proj; then lm_head. */
static int layer(const void *net, int k, gf_linear_slots *slots, char *name, size_t size)
{
    const gf_xfmr *m = net;
    static const char *const names[4] = {"attn.c_attn", "attn.c_proj", "mlp.c_fc",
                                         "mlp.c_proj"};
    if (k < 0 || k > 4 * m->cfg.layers)
        return -1;
    if (k == 4 * m->cfg.layers) {
        *slots = (gf_linear_slots){.weight = m->lm_head, .bias = -1};
        if (name)
            snprintf(name, size, "lm_head");
        return 0;
    }
    const gf_xfmr_layer *L = &m->layer[k / 4];
    const gf_linear_slots all[4] = {L->c_attn, L->attn_proj, L->c_fc, L->mlp_proj};
    *slots = all[k % 4];
    if (name)
        snprintf(name, size, "h.%d.%s", k / 4, names[k % 4]);
    return 0;
}

/* x (B x T) holds token ids as doubles: as ints in the tape's arena. */
static gf_tensor *stem(void *net, gf_tape *tape, gf_tensor *x, int training)
{
    (void)training;
    gf_xfmr *m = net;
    const size_t n = gf_tensor_size(x);
    int *ids = gf_arena_get(gf_tape_arena(tape), n * sizeof *ids);
    if (!ids)
        return NULL;
    for (size_t i = 0; i < n; i++)
        ids[i] = x->v[i] >= 0 && x->v[i] < (double)m->cfg.vocab ? (int)x->v[i] : -1;
    m->T = x->d;
    return gf_add_position(tape, gf_embedding(tape, ids, n, &m->params.slot[m->wte].t),
                           &m->params.slot[m->wpe].t, x->d);
}

static gf_tensor *block(void *net, gf_tape *tape, int l, gf_tensor *x, int training)
{
    (void)training;
    return gf_xfmr_layer_forward(net, tape, l, x, X(net)->T, NULL);
}

static gf_tensor *branch(void *net, gf_tape *tape, int l, gf_tensor *x, int training)
{
    (void)net, (void)tape, (void)l, (void)x, (void)training;
    return NULL;
}

static gf_tensor *head(void *net, gf_tape *tape, gf_tensor *x, int training)
{
    (void)training;
    return gf_xfmr_head(net, tape, x);
}

/* The whole pass; a recorder (cleared first) gets a probe on every layer
 * boundary x_0 .. x_L (no skip / branch split: a layer has two residual
 * sub-layers). A block plan is not supported: plan must be NULL. */
static gf_tensor *forward(void *net, gf_tape *tape, gf_tensor *x, int training,
                          gf_recorder *rec, const gf_block_plan *plan)
{
    if (plan)
        return NULL;
    if (rec)
        gf_recorder_clear(rec);
    gf_tensor *h = stem(net, tape, x, training);
    for (int l = 0; h && l <= X(net)->cfg.layers; l++) {
        if (rec && gf_probe_attach(rec, h, GF_PROBE_BLOCK, l, NULL) < 0)
            return NULL;
        if (l < X(net)->cfg.layers)
            h = block(net, tape, l, h, training);
    }
    return h ? head(net, tape, h, training) : NULL;
}

const gf_model_type gf_model_transformer = {
    .name = "transformer",
    .team = 1,
    .build = build,
    .build_from_meta = build_from_meta,
    .free = free_net,
    .init = init,
    .name_of = name_of,
    .blocks = blocks,
    .params = params,
    .has_batchnorm = no_bn,
    .set_bn_momentum = set_bn,
    .bn_momentum = bn,
    .in_dim = in_dim,
    .classes = classes,
    .config = config,
    .residual = residual,
    .post_derivative = gf_model_post_identity,
    .layer = layer,
    .forward = forward,
    .stem = stem,
    .block = block,
    .branch = branch,
    .head = head,
    .config_meta = config_meta,
    .config_match = config_match,
    .state_add = state_add,
    .state_load = state_load,
};
