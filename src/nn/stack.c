/* stack.c: building, initializing and running the plain / resnet / preact stacks. */
#include "nn/gf_nn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gf_stack_config gf_stack_config_default(void)
{
    return (gf_stack_config){.arch = GF_ARCH_RESNET, .depth = 56, .width = 128, .in_dim = 32,
                             .classes = 10, .width_mult = 1.0, .norm = GF_NORM_NONE, .act = GF_ACT_RELU,
                             .init = GF_INIT_TORCH, .zero_branch = 0, .bn_momentum = 0.1,
                             .eps = 1e-5};
}

int gf_stack_config_check(const gf_stack_config *c, char *why, size_t size)
{
    const char *msg = NULL;
    if ((unsigned)c->arch >= GF_ARCH_MLP_COUNT)
        msg = (unsigned)c->arch < GF_ARCH_COUNT ? "not an MLP stack" : "unknown architecture";
    else if ((unsigned)c->norm >= GF_NORM_COUNT)
        msg = "unknown normalization";
    else if ((unsigned)c->act >= GF_ACT_COUNT)
        msg = "unknown activation";
    else if ((unsigned)c->init >= GF_INIT_COUNT)
        msg = "unknown initialization";
    else if (c->init >= GF_INIT_FIXUP && c->arch == GF_ARCH_PLAIN)
        msg = "fixup, rezero and scaled act on residual branches: use resnet or preact";
    else if (c->depth < 4 || c->depth % 2 != 0)
        msg = "depth must be 2B + 2 with B >= 1 blocks (4, 6, 8, ...)";
    else if (c->width < 1 || c->in_dim < 1 || c->classes < 2)
        msg = "width and input size must be positive, classes at least 2";
    else if (c->width > 1u << 16 || c->in_dim > 1u << 20 || c->classes > 1u << 16)
        msg = "sizes are too large";
    if (msg && why)
        snprintf(why, size, "%s", msg);
    return msg ? -1 : 0;
}

/* ---- layout ------------------------------------------------------------ */

static gf_linear_slots add_linear(gf_params *p, const char *prefix, size_t out, size_t in,
                                  int bias)
{
    char name[64];
    gf_linear_slots l;
    snprintf(name, sizeof name, "%s.weight", prefix);
    l.weight = gf_params_add(p, name, GF_SLOT_PARAM, out, in, 0);
    l.bias = -1;
    if (bias) {
        snprintf(name, sizeof name, "%s.bias", prefix);
        l.bias = gf_params_add(p, name, GF_SLOT_PARAM, 1, out, 1);
    }
    return l;
}

/* prefix is "blocks.3." or ""; tag is "1", "2", "stem_", "final_": names like
 * blocks.3.bn1.weight or stem_ln.weight. */
static gf_norm_slots add_norm(gf_params *p, gf_norm norm, const char *prefix, const char *tag,
                              size_t width)
{
    gf_norm_slots n = {-1, -1, -1, -1, -1};
    if (norm == GF_NORM_NONE)
        return n;
    const char *kind = norm == GF_NORM_BATCH ? "bn" : "ln";
    const int tag_first = tag[strlen(tag) - 1] == '_';
    char base[40], name[96];
    if (tag_first)
        snprintf(base, sizeof base, "%s%s%s", prefix, tag, kind);
    else
        snprintf(base, sizeof base, "%s%s%s", prefix, kind, tag);
    if (norm == GF_NORM_BATCH)
        return gf_params_add_batchnorm(p, base, width);
    snprintf(name, sizeof name, "%s.weight", base);
    n.weight = gf_params_add(p, name, GF_SLOT_PARAM, 1, width, 1);
    snprintf(name, sizeof name, "%s.bias", base);
    n.bias = gf_params_add(p, name, GF_SLOT_PARAM, 1, width, 1);
    return n;
}

gf_stack *gf_stack_alloc(const gf_stack_config *c)
{
    if (gf_stack_config_check(c, NULL, 0) != 0)
        return NULL;
    gf_stack *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = *c;
    s->blocks = gf_stack_blocks(c);
    s->block = calloc((size_t)s->blocks, sizeof *s->block);
    if (!s->block) {
        free(s);
        return NULL;
    }
    gf_params *p = &s->params;
    gf_params_init(p);
    const size_t w = c->width;
    const int preact = c->arch == GF_ARCH_PREACT, bn = c->norm == GF_NORM_BATCH;
    /* The stem is followed by a norm in plain / resnet; a Linear followed by
     * batch norm has no bias. In preact fc1 feeds N2 and fc2 feeds the sum. */
    s->stem = add_linear(p, "stem", w, c->in_dim, preact || !bn);
    s->stem_norm = add_norm(p, preact ? GF_NORM_NONE : c->norm, "", "stem_", w);
    for (int b = 0; b < s->blocks; b++) {
        char prefix[32], fc[48];
        gf_block_slots *blk = &s->block[b];
        snprintf(prefix, sizeof prefix, "blocks.%d.", b);
        if (preact)
            blk->n1 = add_norm(p, c->norm, prefix, "1", w);
        snprintf(fc, sizeof fc, "%sfc1", prefix);
        blk->fc1 = add_linear(p, fc, w, w, !bn);
        if (!preact)
            blk->n1 = add_norm(p, c->norm, prefix, "1", w);
        else
            blk->n2 = add_norm(p, c->norm, prefix, "2", w);
        snprintf(fc, sizeof fc, "%sfc2", prefix);
        blk->fc2 = add_linear(p, fc, w, w, preact || !bn);
        if (!preact)
            blk->n2 = add_norm(p, c->norm, prefix, "2", w);
        blk->alpha = -1;
        if (c->init == GF_INIT_FIXUP || c->init == GF_INIT_REZERO) {
            snprintf(fc, sizeof fc, "%s%s", prefix, c->init == GF_INIT_FIXUP ? "scale" : "alpha");
            blk->alpha = gf_params_add(p, fc, GF_SLOT_PARAM, 1, 1, 1);
        }
    }
    s->final_norm = add_norm(p, preact ? c->norm : GF_NORM_NONE, "", "final_", w);
    s->head = add_linear(p, "head", c->classes, w, 1);
    if (gf_params_finalize(p) != 0) {
        gf_stack_free(s);
        return NULL;
    }
    return s;
}

void gf_stack_free(gf_stack *s)
{
    if (!s)
        return;
    gf_params_release(&s->params);
    free(s->block);
    free(s);
}

/* ---- initialization ---------------------------------------------------- */

static double *slot_values(gf_stack *s, int slot)
{
    return slot < 0 ? NULL : s->params.slot[slot].t.v;
}

static int init_linear(gf_stack *s, gf_linear_slots l, gsl_rng *rng)
{
    const gf_slot *w = &s->params.slot[l.weight];
    return gf_init_linear(s->cfg.init, w->t.v, slot_values(s, l.bias), w->rows, w->cols, rng);
}

static void init_norm(gf_stack *s, gf_norm_slots n) { gf_norm_slots_reset(&s->params, n); }

static void zero_slot(gf_stack *s, int slot)
{
    if (slot >= 0) {
        const gf_slot *sl = &s->params.slot[slot];
        memset(sl->t.v, 0, sl->rows * sl->cols * sizeof(double));
    }
}

/* Linear layers draw from rng in creation order: same seed, same bytes. */
int gf_stack_init_weights(gf_stack *s, gsl_rng *rng)
{
    const gf_stack_config *c = &s->cfg;
    if (init_linear(s, s->stem, rng) != 0)
        return -1;
    init_norm(s, s->stem_norm);
    for (int b = 0; b < s->blocks; b++) {
        gf_block_slots *blk = &s->block[b];
        if (init_linear(s, blk->fc1, rng) != 0 || init_linear(s, blk->fc2, rng) != 0)
            return -1;
        init_norm(s, blk->n1);
        init_norm(s, blk->n2);
        if (c->init == GF_INIT_FIXUP) { /* first layer x B^(-1/2), last layer 0, multiplier 1 */
            const gf_slot *w1 = &s->params.slot[blk->fc1.weight];
            const double k = 1.0 / sqrt((double)s->blocks);
            for (size_t i = 0; i < w1->rows * w1->cols; i++)
                w1->t.v[i] *= k;
            zero_slot(s, blk->fc2.weight);
            zero_slot(s, blk->fc2.bias);
        }
        if (blk->alpha >= 0)
            slot_values(s, blk->alpha)[0] = c->init == GF_INIT_FIXUP ? 1.0 : 0.0;
        if (c->zero_branch && c->arch != GF_ARCH_PLAIN) {
            /* The branch's last affine map: resnet ends in N2 when there is one. */
            if (c->arch == GF_ARCH_RESNET && blk->n2.weight >= 0) {
                zero_slot(s, blk->n2.weight);
                zero_slot(s, blk->n2.bias);
            } else {
                zero_slot(s, blk->fc2.weight);
                zero_slot(s, blk->fc2.bias);
            }
        }
    }
    init_norm(s, s->final_norm);
    if (init_linear(s, s->head, rng) != 0)
        return -1;
    if (c->init == GF_INIT_FIXUP) { /* Fixup zeroes the classifier too */
        zero_slot(s, s->head.weight);
        zero_slot(s, s->head.bias);
    }
    return 0;
}
