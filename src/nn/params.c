/* params.c: one contiguous parameter buffer with named slots; enum names. */
#include "nn/gf_nn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const gf_mlp_arch_names[] = {"plain", "resnet", "preact", NULL};
const char *const gf_norm_names[] = {"none", "batch", "layer", NULL};
const char *const gf_act_names[] = {"relu", "tanh", "linear", NULL};
const char *const gf_init_names[] = {"torch",  "he",     "xavier", "lecun", "orthogonal",
                                     "fixup", "rezero", "scaled", NULL};

int gf_name_lookup(const char *const *names, const char *s)
{
    for (int i = 0; s && names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

void gf_params_init(gf_params *p) { memset(p, 0, sizeof *p); }

void gf_params_release(gf_params *p)
{
    free(p->value);
    free(p->grad);
    free(p->slot);
    memset(p, 0, sizeof *p);
}

int gf_params_add(gf_params *p, const char *name, gf_slot_kind kind, size_t rows, size_t cols,
                  int vector)
{
    if (p->finalized || strlen(name) >= sizeof p->slot->name)
        return -1;
    if (gf_grow(&p->slot, &p->cap_slots, p->n_slots, sizeof *p->slot, 32) != 0)
        return -1;
    gf_slot *s = &p->slot[p->n_slots];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->kind = kind;
    s->rows = rows;
    s->cols = cols;
    s->vector = vector;
    s->offset = p->size;
    p->size += (rows * cols + 7) / 8 * 8; /* each slot starts on a 64-byte line */
    return (int)p->n_slots++;
}

int gf_params_add_conv(gf_params *p, const char *name, size_t out, size_t in, size_t kh,
                       size_t kw)
{
    const int i = gf_params_add(p, name, GF_SLOT_PARAM, out, in * kh * kw, 0);
    if (i >= 0) {
        p->slot[i].kh = kh;
        p->slot[i].kw = kw;
    }
    return i;
}

int gf_slot_shape(const gf_slot *s, int64_t shape[4])
{
    if (s->kind == GF_SLOT_COUNT_I64)
        return 0;
    if (s->vector) {
        shape[0] = (int64_t)s->cols;
        return 1;
    }
    shape[0] = (int64_t)s->rows;
    if (!s->kh) {
        shape[1] = (int64_t)s->cols;
        return 2;
    }
    shape[1] = (int64_t)(s->cols / (s->kh * s->kw));
    shape[2] = (int64_t)s->kh;
    shape[3] = (int64_t)s->kw;
    return 4;
}

gf_norm_slots gf_params_add_batchnorm(gf_params *p, const char *base, size_t width)
{
    static const char *const part[] = {"weight", "bias", "running_mean", "running_var",
                                       "num_batches_tracked"};
    int at[5];
    char name[96];
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "%s.%s", base, part[i]);
        at[i] = i == 4 ? gf_params_add(p, name, GF_SLOT_COUNT_I64, 1, 1, 0)
                       : gf_params_add(p, name, i < 2 ? GF_SLOT_PARAM : GF_SLOT_BUFFER, 1,
                                       width, 1);
    }
    return (gf_norm_slots){at[0], at[1], at[2], at[3], at[4]};
}

static double *values(gf_params *p, int slot) { return slot < 0 ? NULL : p->slot[slot].t.v; }

void gf_norm_slots_reset(gf_params *p, gf_norm_slots n)
{
    if (n.weight < 0)
        return;
    for (size_t i = 0; i < p->slot[n.weight].cols; i++) {
        values(p, n.weight)[i] = 1.0;
        values(p, n.bias)[i] = 0.0;
        if (n.running_mean >= 0) {
            values(p, n.running_mean)[i] = 0.0;
            values(p, n.running_var)[i] = 1.0;
        }
    }
    if (n.tracked >= 0)
        values(p, n.tracked)[0] = 0.0;
}

gf_bn_state gf_norm_bn_state(gf_params *p, gf_norm_slots n, double momentum, double eps)
{
    return (gf_bn_state){.gamma = &p->slot[n.weight].t, .beta = &p->slot[n.bias].t,
                         .running_mean = values(p, n.running_mean),
                         .running_var = values(p, n.running_var),
                         .batches_tracked = values(p, n.tracked), .momentum = momentum,
                         .eps = eps};
}

int gf_params_finalize(gf_params *p)
{
    const size_t bytes = (p->size ? p->size : 8) * sizeof(double);
    p->value = gf_big_alloc(bytes);
    p->grad = gf_big_alloc(bytes);
    if (!p->value || !p->grad)
        return -1;
    memset(p->value, 0, bytes); /* the gradient needs none: it is valid once a pass wrote it */
    for (size_t i = 0; i < p->n_slots; i++) {
        gf_slot *s = &p->slot[i];
        gf_tensor_bind(&s->t, s->rows, s->cols, p->value + s->offset,
                       s->kind == GF_SLOT_PARAM ? p->grad + s->offset : NULL);
    }
    p->finalized = 1;
    return 0;
}

void gf_params_requires_grad(gf_params *p, int on)
{
    for (size_t i = 0; i < p->n_slots; i++)
        if (p->slot[i].kind == GF_SLOT_PARAM) {
            if (on)
                p->slot[i].t.flags |= GF_REQUIRES_GRAD;
            else
                p->slot[i].t.flags &= ~(unsigned)GF_REQUIRES_GRAD;
        }
}

int gf_params_find(const gf_params *p, const char *name)
{
    for (size_t i = 0; i < p->n_slots; i++)
        if (strcmp(p->slot[i].name, name) == 0)
            return (int)i;
    return -1;
}

double gf_params_grad_log2(const gf_params *p, int slot)
{
    return gf_tensor_grad_export(&p->slot[slot].t, NULL);
}

double gf_params_value_log2(const gf_params *p, int slot)
{
    const gf_slot *s = &p->slot[slot];
    double ss = 0.0;
    for (size_t i = 0; i < s->rows * s->cols; i++)
        ss += s->t.v[i] * s->t.v[i];
    return ss > 0.0 ? 0.5 * log2(ss) : -INFINITY;
}
