/* measure.c: what gradflow transformer measures: gradients per sub-layer
 * and along the stream, the stream's norms and writes, the logit lens,
 * short training runs and the held-out loss. */
#include "xfmr/gf_xfmr.h"

#include "train/gf_train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A traced forward pass: trace arrays from the tape's arena. */
static gf_tensor *traced(gf_xfmr *m, gf_tape *tape, const int *ids, size_t B, size_t T,
                         gf_xfmr_trace *tr)
{
    const size_t L2 = 2 * (size_t)m->cfg.layers;
    tr->stream = gf_arena_get(gf_tape_arena(tape), (2 * L2 + 1) * sizeof(gf_tensor *));
    if (!tr->stream)
        return NULL;
    tr->write = tr->stream + L2 + 1;
    return gf_xfmr_forward(m, tape, ids, B, T, tr);
}

static int failed(gf_tape *tape, char *why, size_t size)
{
    snprintf(why, size, "transformer step: %s",
             gf_tape_status(tape) ? gf_tape_error(tape) : "out of memory");
    return -1;
}

/* sqrt of the sum of the squared norms 2^(2 a_i): the norm of the slots together. */
static double joint_norm(const gf_params *p, const int *slots, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += exp2(2.0 * gf_params_grad_log2(p, slots[i]));
    return sqrt(s);
}

int gf_xfmr_grads(gf_xfmr *m, gf_tape *tape, const int *ids, const int *next, size_t B,
                  size_t T, double *loss, double *sub_grad, double *stream_grad, char *why,
                  size_t size)
{
    gf_tape_reset(tape);
    gf_xfmr_trace tr;
    gf_tensor *z = traced(m, tape, ids, B, T, &tr);
    gf_tensor *l = gf_softmax_xent(tape, z, next);
    const size_t n = B * T * m->cfg.width;
    double *buf = gf_arena_get(gf_tape_arena(tape), n * sizeof *buf);
    if (!l || !buf || gf_tape_backward(tape, l) != 0)
        return failed(tape, why, size);
    *loss = l->v[0];
    for (int k = 0; k <= 2 * m->cfg.layers; k++)
        stream_grad[k] = exp2(gf_tensor_grad_export(tr.stream[k], buf));
    for (int i = 0; i < m->cfg.layers; i++) {
        const gf_xfmr_layer *L = &m->layer[i];
        const int attn[2] = {L->c_attn.weight, L->attn_proj.weight},
                  mlp[2] = {L->c_fc.weight, L->mlp_proj.weight};
        sub_grad[2 * i] = joint_norm(&m->params, attn, 2);
        sub_grad[2 * i + 1] = joint_norm(&m->params, mlp, 2);
    }
    return 0;
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

int gf_xfmr_stream(gf_xfmr *m, gf_tape *tape, const int *ids, size_t B, size_t T,
                   double *norm, double *ratio, double *cosine, char *why, size_t size)
{
    gf_tape_reset(tape);
    gf_xfmr_trace tr;
    if (!traced(m, tape, ids, B, T, &tr))
        return failed(tape, why, size);
    const size_t n = B * T * m->cfg.width, L2 = 2 * (size_t)m->cfg.layers;
    for (size_t k = 0; k <= L2; k++)
        norm[k] = sqrt(dot(tr.stream[k]->v, tr.stream[k]->v, n) / (double)(B * T));
    for (size_t k = 0; k < L2; k++) {
        const double *f = tr.write[k]->v, *x = tr.stream[k]->v;
        ratio[k] = sqrt(dot(f, f, n) / dot(x, x, n));
        if (k + 1 < L2) {
            const double *g = tr.write[k + 1]->v;
            cosine[k] = dot(f, g, n) / sqrt(dot(f, f, n) * dot(g, g, n));
        }
    }
    return 0;
}

/* argmax of each row of z (n x c) into top. */
static void top1(const gf_tensor *z, int *top)
{
    for (size_t i = 0; i < z->n; i++) {
        const double *r = z->v + i * z->d;
        size_t best = 0;
        for (size_t j = 1; j < z->d; j++)
            best = r[j] > r[best] ? j : best;
        top[i] = (int)best;
    }
}

int gf_xfmr_logit_lens(gf_xfmr *m, gf_tape *tape, const int *ids, const int *next, size_t B,
                       size_t T, double *loss, double *agree, char *why, size_t size)
{
    gf_tape_reset(tape);
    gf_xfmr_trace tr;
    const size_t n = B * T;
    const int L = m->cfg.layers;
    int *top = gf_arena_get(gf_tape_arena(tape), 2 * n * sizeof *top), *fin = top + n;
    if (!top || !traced(m, tape, ids, B, T, &tr))
        return failed(tape, why, size);
    for (int l = L; l >= 0; l--) { /* the last first: its top predictions are the reference */
        gf_tensor *z = gf_xfmr_head(m, tape, tr.stream[2 * l]);
        gf_tensor *e = gf_softmax_xent(tape, z, next);
        if (!e)
            return failed(tape, why, size);
        loss[l] = e->v[0];
        top1(z, l == L ? fin : top);
        size_t same = 0;
        for (size_t i = 0; i < n; i++)
            same += l == L || top[i] == fin[i];
        agree[l] = (double)same / (double)n;
    }
    return 0;
}

double gf_xfmr_eval(gf_xfmr *m, gf_tape *tape, const gf_text *text, size_t B, size_t T)
{
    int *ids = malloc(2 * B * T * sizeof *ids);
    double loss = NAN;
    if (ids) {
        gf_text_batch(text, 1, NULL, B, T, ids, ids + B * T);
        gf_tape_reset(tape);
        gf_tensor *e = gf_softmax_xent(tape, gf_xfmr_forward(m, tape, ids, B, T, NULL),
                                       ids + B * T);
        loss = e ? e->v[0] : NAN;
    }
    free(ids);
    return loss;
}

long gf_xfmr_train(gf_xfmr *m, const gf_text *text, const gf_xfmr_train_spec *s, gsl_rng *rng,
                   double *curve, char *why, size_t size)
{
    gf_tape *tape = gf_tape_alloc(0);
    int *ids = malloc(2 * s->B * s->T * sizeof *ids);
    gf_optim opt;
    const gf_optim_config oc = gf_optim_config_default(GF_OPTIM_ADAM);
    if (!tape || !ids || gf_optim_init(&opt, &oc, &m->params) != 0) {
        snprintf(why, size, "out of memory for training");
        gf_tape_free(tape);
        free(ids);
        return -2;
    }
    long diverged = -1;
    for (long t = 0; t < s->steps; t++) {
        if (diverged >= 0) {
            curve[t] = NAN;
            continue;
        }
        gf_text_batch(text, 0, rng, s->B, s->T, ids, ids + s->B * s->T);
        gf_tape_reset(tape);
        gf_tensor *e = gf_softmax_xent(tape, gf_xfmr_forward(m, tape, ids, s->B, s->T, NULL),
                                       ids + s->B * s->T);
        if (!e || gf_tape_backward(tape, e) != 0) {
            snprintf(why, size, "training step %ld: %s", t, gf_tape_error(tape));
            diverged = -2;
            break;
        }
        curve[t] = e->v[0];
        const uint64_t pass = gf_tape_pass(tape);
        if (!isfinite(e->v[0]) || !isfinite(gf_grad_global_norm(&m->params, pass))) {
            diverged = t;
            curve[t] = NAN;
            continue;
        }
        const double lr =
            s->warmup > 0 && t < s->warmup ? s->lr * (double)(t + 1) / (double)s->warmup : s->lr;
        gf_optim_step(&opt, &m->params, lr, pass);
    }
    gf_optim_release(&opt);
    gf_tape_free(tape);
    free(ids);
    return diverged;
}
