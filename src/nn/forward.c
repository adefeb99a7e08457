/* forward.c: the forward pass of a stack, piece by piece, with its probes. */
#include "nn/gf_nn.h"

#include <math.h>

static gf_tensor *slot_tensor(gf_stack *s, int slot)
{
    return slot < 0 ? NULL : &s->params.slot[slot].t;
}

static gf_tensor *linear(gf_stack *s, gf_tape *tape, gf_tensor *x, gf_linear_slots l)
{
    return gf_linear(tape, x, slot_tensor(s, l.weight), slot_tensor(s, l.bias));
}

static gf_tensor *act(const gf_stack *s, gf_tape *tape, gf_tensor *x)
{
    switch (s->cfg.act) {
    case GF_ACT_RELU:
        return gf_relu(tape, x);
    case GF_ACT_TANH:
        return gf_tanh(tape, x);
    default:
        return x; /* linear: no node at all */
    }
}

static gf_tensor *norm(gf_stack *s, gf_tape *tape, gf_tensor *x, gf_norm_slots n, int training)
{
    if (n.weight < 0)
        return x;
    if (s->cfg.norm == GF_NORM_LAYER)
        return gf_layernorm(tape, x, slot_tensor(s, n.weight), slot_tensor(s, n.bias), s->cfg.eps);
    const gf_bn_state bn = gf_norm_bn_state(&s->params, n, s->cfg.bn_momentum, s->cfg.eps);
    return gf_batchnorm(tape, x, &bn, training);
}

static void probe(gf_recorder *rec, gf_tensor *t, gf_probe_kind kind, int block,
                  const gf_tensor *skip)
{
    if (rec)
        gf_probe_attach(rec, t, kind, block, skip);
}

gf_tensor *gf_stack_stem(gf_stack *s, gf_tape *tape, gf_tensor *x, int training)
{
    gf_tensor *h = linear(s, tape, x, s->stem);
    return s->cfg.arch == GF_ARCH_PREACT ? h : act(s, tape, norm(s, tape, h, s->stem_norm, training));
}

/* The branch F of block b, and the inputs of its two Linear layers (u, v). */
/* lesson:branch begin */
static gf_tensor *branch(gf_stack *s, gf_tape *tape, int b, gf_tensor *x, int training,
                         gf_tensor **u, gf_tensor **v)
{
    gf_block_slots *blk = &s->block[b];
    if (s->cfg.arch == GF_ARCH_PREACT) {
        *u = act(s, tape, norm(s, tape, x, blk->n1, training));
        *v = act(s, tape, norm(s, tape, linear(s, tape, *u, blk->fc1), blk->n2, training));
        return linear(s, tape, *v, blk->fc2);
    }
    *u = x;
    *v = act(s, tape, norm(s, tape, linear(s, tape, x, blk->fc1), blk->n1, training));
    return norm(s, tape, linear(s, tape, *v, blk->fc2), blk->n2, training);
}
/* lesson:branch end */

/* lesson:branch-weight begin */
/* The branch as it enters the sum: times fixup's multiplier or rezero's
 * alpha, or 1/sqrt(B) for the scaled scheme. */
static gf_tensor *weighted_branch(gf_stack *s, gf_tape *tape, int b, gf_tensor *x, int training,
                                  gf_tensor **u, gf_tensor **v)
{
    gf_tensor *f = branch(s, tape, b, x, training, u, v);
    if (s->block[b].alpha >= 0)
        f = gf_mul_scalar(tape, f, slot_tensor(s, s->block[b].alpha));
    if (s->cfg.init == GF_INIT_SCALED)
        f = gf_scale(tape, f, 1.0 / sqrt((double)s->blocks));
    return f;
}
/* lesson:branch-weight end */

gf_tensor *gf_stack_branch(gf_stack *s, gf_tape *tape, int b, gf_tensor *x, int training)
{
    gf_tensor *u, *v;
    return weighted_branch(s, tape, b, x, training, &u, &v);
}

/* lesson:residual-add begin */
/* Block b at position pos: x -> x_{pos+1}; scale multiplies the branch. */
static gf_tensor *block(gf_stack *s, gf_tape *tape, int b, int pos, gf_tensor *in, int training,
                        double scale, gf_recorder *rec)
{
    gf_tensor *u, *v, *out, *skip = NULL;
    gf_tensor *f = weighted_branch(s, tape, b, in, training, &u, &v);
    if (f && scale != 1.0)
        f = gf_scale(tape, f, scale);
    if (s->cfg.arch == GF_ARCH_PLAIN)
        out = act(s, tape, f);
    else if (s->cfg.arch == GF_ARCH_PREACT)
        out = skip = gf_add(tape, in, f);
    else if (s->cfg.act == GF_ACT_RELU) /* the gradient of f is the skip term too */
        out = gf_add_relu(tape, skip = f, in);
    else
        out = act(s, tape, skip = gf_add(tape, f, in));
    if (out) {
        probe(rec, in, GF_PROBE_BLOCK, pos, skip);
        probe(rec, u, GF_PROBE_FC1_IN, pos, NULL);
        probe(rec, v, GF_PROBE_FC2_IN, pos, NULL);
    }
    return out;
}
/* lesson:residual-add end */

gf_tensor *gf_stack_block(gf_stack *s, gf_tape *tape, int b, gf_tensor *x, int training)
{
    return block(s, tape, b, b, x, training, 1.0, NULL);
}

gf_tensor *gf_stack_head(gf_stack *s, gf_tape *tape, gf_tensor *x_B, int training)
{
    gf_tensor *h = x_B;
    if (s->cfg.arch == GF_ARCH_PREACT)
        h = act(s, tape, norm(s, tape, h, s->final_norm, training));
    return linear(s, tape, h, s->head);
}

gf_tensor *gf_stack_forward_plan(gf_stack *s, gf_tape *tape, gf_tensor *x, int training,
                                 gf_recorder *rec, const gf_block_plan *plan)
{
    if (rec)
        gf_recorder_clear(rec);
    gf_tensor *h = gf_stack_stem(s, tape, x, training);
    /* lesson:block-plan begin */
    for (int pos = 0; pos < s->blocks && h; pos++) {
        const int b = plan && plan->order ? plan->order[pos] : pos;
        if (b < 0 || b >= s->blocks)
            return NULL;
        if (plan && plan->drop && plan->drop[pos]) { /* the identity: no node, no work */
            probe(rec, h, GF_PROBE_BLOCK, pos, NULL);
            continue;
        }
        const double scale = plan && plan->branch_scale ? plan->branch_scale[pos] : 1.0;
        h = block(s, tape, b, pos, h, training, scale, rec);
    }
    /* lesson:block-plan end */
    if (!h)
        return NULL;
    probe(rec, h, GF_PROBE_BLOCK, s->blocks, NULL);
    return gf_stack_head(s, tape, h, training);
}

gf_tensor *gf_stack_forward(gf_stack *s, gf_tape *tape, gf_tensor *x, int training,
                            gf_recorder *rec)
{
    return gf_stack_forward_plan(s, tape, x, training, rec, NULL);
}
