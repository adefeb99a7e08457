/* audit.c: are there subnormal numbers in a step?
 *
 * Arithmetic on subnormal doubles takes a slow path on x86 (a microcode
 * assist per operation), which can make a deep stack several times slower.
 * The tape does not list its tensors, so the audit runs the benchmarked
 * graph once more from the public ops (gf_linear, gf_relu, gf_add, probes
 * attached in the same order as gf_stack_forward) keeping every tensor, and
 * counts FP_SUBNORMAL entries in every value and every gradient buffer. The
 * step it runs must match the benchmarked one bit for bit (loss, parameter
 * gradients, probe records); a mismatch means src/nn/forward.c changed its
 * graph and the audit needs the same change.
 */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t h, const void *p, size_t bytes)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < bytes; i++)
        h = (h ^ c[i]) * 1099511628211ull; /* FNV-1a */
    return h;
}

static uint64_t mix_doubles(uint64_t h, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, &x[i], sizeof u);
        h = (h ^ u) * 1099511628211ull;
    }
    return h;
}

uint64_t bench_fingerprint(const gf_stack *s, const gf_tensor *loss, const gf_recorder *rec)
{
    uint64_t h = mix_doubles(1469598103934665603ull, loss->v, 1);
    h = mix_doubles(h, s->params.grad, s->params.size);
    for (size_t i = 0; i < rec->n; i++) {
        const gf_probe_record *r = &rec->rec[i];
        const double v[6] = {r->log2_frob, r->log2_sample_mean, r->log2_rms,
                             r->log2_skip, r->log2_branch,      r->cos_skip_branch};
        const int id[3] = {(int)r->kind, r->block, r->has_split};
        h = mix(h, id, sizeof id);
        h = mix_doubles(h, v, r->has_split ? 6 : 3);
    }
    return h;
}

typedef struct kept {
    gf_tensor **t;
    size_t n, cap;
} kept;

static gf_tensor *keep(kept *k, gf_tensor *t)
{
    if (t && k->n < k->cap)
        k->t[k->n++] = t;
    return t;
}

static gf_tensor *param(gf_stack *s, int slot) { return slot < 0 ? NULL : &s->params.slot[slot].t; }

static gf_tensor *linear(gf_stack *s, gf_tape *tape, gf_tensor *x, gf_linear_slots l)
{
    return gf_linear(tape, x, param(s, l.weight), param(s, l.bias));
}

/* gf_stack_forward for resnet, no norm, relu: block l maps x_l to
 * relu(fc2(relu(fc1 x_l)) + x_l), with probes on x_l (split against the
 * sum), the input of fc1 (x_l itself) and the input of fc2. */
static gf_tensor *forward(gf_stack *s, gf_tape *tape, gf_tensor *x, gf_recorder *rec, kept *k)
{
    gf_recorder_clear(rec);
    gf_tensor *h = keep(k, gf_relu(tape, keep(k, linear(s, tape, x, s->stem))));
    for (int b = 0; b < s->blocks && h; b++) {
        gf_tensor *in = h;
        gf_tensor *v = keep(k, gf_relu(tape, keep(k, linear(s, tape, in, s->block[b].fc1))));
        gf_tensor *sum = keep(k, gf_add(tape, keep(k, linear(s, tape, v, s->block[b].fc2)), in));
        h = keep(k, gf_relu(tape, sum));
        if (!h)
            return NULL;
        gf_probe_attach(rec, in, GF_PROBE_BLOCK, b, sum);
        gf_probe_attach(rec, in, GF_PROBE_FC1_IN, b, NULL);
        gf_probe_attach(rec, v, GF_PROBE_FC2_IN, b, NULL);
    }
    if (!h)
        return NULL;
    gf_probe_attach(rec, h, GF_PROBE_BLOCK, s->blocks, NULL);
    return keep(k, linear(s, tape, h, s->head));
}

static size_t count(const double *x, size_t n, double *smallest)
{
    size_t c = 0;
    double m = *smallest;
    for (size_t i = 0; i < n; i++) {
        c += fpclassify(x[i]) == FP_SUBNORMAL;
        if (x[i] != 0.0)
            m = fmin(m, fabs(x[i]));
    }
    *smallest = m;
    return c;
}

int bench_audit_step(gf_stack *s, gf_tape *tape, const double *x, const int *labels, size_t batch,
                     gf_recorder *rec, uint64_t expect, bench_audit *out)
{
    *out = (bench_audit){.smallest = INFINITY};
    kept k = {.cap = 6 * (size_t)s->blocks + 8};
    k.t = malloc(k.cap * sizeof *k.t);
    gf_tensor *in = k.t ? gf_tape_input(tape, batch, s->cfg.in_dim) : NULL;
    if (!in) {
        free(k.t);
        return -1;
    }
    memcpy(in->v, x, batch * s->cfg.in_dim * sizeof *x);
    keep(&k, in);
    gf_tensor *loss = gf_softmax_xent(tape, forward(s, tape, in, rec, &k), labels);
    if (!loss || gf_tape_backward(tape, loss) != 0) {
        free(k.t);
        return -1;
    }
    keep(&k, loss);
    out->matches = bench_fingerprint(s, loss, rec) == expect;
    if (!out->matches)
        fprintf(stderr,
                "bench_step: the audit graph does not reproduce gf_stack_forward "
                "(width %zu, depth %d); its subnormal count may not apply\n",
                s->cfg.width, s->cfg.depth);
    for (size_t i = 0; i < k.n; i++) {
        const gf_tensor *t = k.t[i];
        out->subnormal_values += count(t->v, gf_tensor_size(t), &out->smallest);
        if (gf_tensor_has_grad(t) && t->g)
            out->subnormal_grads += count(t->g, gf_tensor_size(t), &out->smallest);
    }
    out->subnormal_values += count(s->params.value, s->params.size, &out->smallest);
    out->subnormal_grads += count(s->params.grad, s->params.size, &out->smallest);
    free(k.t);
    return 0;
}
