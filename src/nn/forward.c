/* forward.c: the forward pass of a stack, with its probes. */
#include "nn/gf_nn.h"

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
    const gf_bn_state bn = {
        .gamma = slot_tensor(s, n.weight),
        .beta = slot_tensor(s, n.bias),
        .running_mean = slot_tensor(s, n.running_mean)->v,
        .running_var = slot_tensor(s, n.running_var)->v,
        .batches_tracked = slot_tensor(s, n.tracked)->v,
        .momentum = s->cfg.bn_momentum,
        .eps = s->cfg.eps,
    };
    return gf_batchnorm(tape, x, &bn, training);
}

static void probe(gf_recorder *rec, gf_tensor *t, gf_probe_kind kind, int block,
                  const gf_tensor *skip)
{
    if (rec)
        gf_probe_attach(rec, t, kind, block, skip);
}

gf_tensor *gf_stack_forward(gf_stack *s, gf_tape *tape, gf_tensor *x, int training,
                            gf_recorder *rec)
{
    const gf_arch arch = s->cfg.arch;
    if (rec)
        gf_recorder_clear(rec);
    gf_tensor *h = linear(s, tape, x, s->stem);
    if (arch != GF_ARCH_PREACT)
        h = act(s, tape, norm(s, tape, h, s->stem_norm, training));
    for (int b = 0; b < s->blocks && h; b++) {
        gf_block_slots *blk = &s->block[b];
        gf_tensor *in = h, *u, *v, *out, *skip = NULL;
        if (arch == GF_ARCH_PREACT) {
            u = act(s, tape, norm(s, tape, in, blk->n1, training));
            v = act(s, tape, norm(s, tape, linear(s, tape, u, blk->fc1), blk->n2, training));
            out = skip = gf_add(tape, in, linear(s, tape, v, blk->fc2));
        } else {
            u = in;
            v = act(s, tape, norm(s, tape, linear(s, tape, u, blk->fc1), blk->n1, training));
            gf_tensor *f = norm(s, tape, linear(s, tape, v, blk->fc2), blk->n2, training);
            if (arch == GF_ARCH_PLAIN)
                out = act(s, tape, f);
            else if (s->cfg.act == GF_ACT_RELU) /* the gradient of f is the skip term too */
                out = gf_add_relu(tape, skip = f, in);
            else
                out = act(s, tape, skip = gf_add(tape, f, in));
        }
        if (!out)
            return NULL;
        probe(rec, in, GF_PROBE_BLOCK, b, skip);
        probe(rec, u, GF_PROBE_FC1_IN, b, NULL);
        probe(rec, v, GF_PROBE_FC2_IN, b, NULL);
        h = out;
    }
    if (!h)
        return NULL;
    probe(rec, h, GF_PROBE_BLOCK, s->blocks, NULL);
    if (arch == GF_ARCH_PREACT)
        h = act(s, tape, norm(s, tape, h, s->final_norm, training));
    return linear(s, tape, h, s->head);
}
