/* model.c: the transformer's parameters, initialization and forward pass. */
#include "xfmr/gf_xfmr.h"

#include "core/gf_conv.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const gf_xfmr_kind_names[] = {"preln", "postln", "deepnorm", "rezero", NULL};

gf_xfmr_config gf_xfmr_config_default(void)
{
    return (gf_xfmr_config){.kind = GF_XFMR_PRELN, .layers = 6, .heads = 4, .width = 128,
                            .context = 64, .vocab = 256, .eps = 1e-5};
}

int gf_xfmr_config_check(const gf_xfmr_config *c, char *why, size_t size)
{
    const char *bad = (int)c->kind < 0 || c->kind >= GF_XFMR_COUNT ? "unknown kind"
                      : c->layers < 1 || c->layers > 1000           ? "layers outside [1, 1000]"
                      : c->heads < 1 || c->width < 1 || c->width % (size_t)c->heads
                          ? "the width must be a multiple of the heads"
                      : c->width > 8192                   ? "width over 8192"
                      : c->context < 1 || c->context > 4096 ? "context outside [1, 4096]"
                      : c->vocab < 2 || c->vocab > 65536    ? "vocabulary outside [2, 65536]"
                      : !(c->eps > 0)                        ? "eps must be positive"
                                                             : NULL;
    if (bad)
        snprintf(why, size, "transformer: %s", bad);
    return bad ? -1 : 0;
}

double gf_xfmr_alpha(const gf_xfmr_config *c)
{
    return c->kind == GF_XFMR_DEEPNORM ? pow(2.0 * c->layers, 0.25) : 1.0;
}

double gf_xfmr_beta(const gf_xfmr_config *c)
{
    return c->kind == GF_XFMR_DEEPNORM ? pow(8.0 * c->layers, -0.25) : 1.0;
}

/* ---- parameters ------------------------------------------------------------ */

static int add(gf_params *p, const char *name, size_t rows, size_t cols, int vector)
{
    return gf_params_add(p, name, GF_SLOT_PARAM, rows, cols, vector);
}

static gf_linear_slots add_linear(gf_params *p, const char *prefix, size_t out, size_t in)
{
    char name[64];
    snprintf(name, sizeof name, "%s.weight", prefix);
    gf_linear_slots s = {.weight = add(p, name, out, in, 0)};
    snprintf(name, sizeof name, "%s.bias", prefix);
    s.bias = add(p, name, 1, out, 1);
    return s;
}

static void add_ln(gf_params *p, const char *prefix, int *w, int *b, size_t d)
{
    char name[64];
    snprintf(name, sizeof name, "%s.weight", prefix);
    *w = add(p, name, 1, d, 1);
    snprintf(name, sizeof name, "%s.bias", prefix);
    *b = add(p, name, 1, d, 1);
}

static void add_layer(gf_xfmr *m, int i)
{
    gf_params *p = &m->params;
    const size_t d = m->cfg.width;
    const int ln = m->cfg.kind != GF_XFMR_REZERO;
    gf_xfmr_layer *L = &m->layer[i];
    char pre[48];
    *L = (gf_xfmr_layer){.ln1_w = -1, .ln1_b = -1, .ln2_w = -1, .ln2_b = -1, .alpha_attn = -1,
                         .alpha_mlp = -1};
#define NAME(fmt) (snprintf(pre, sizeof pre, fmt, i), pre)
    if (ln)
        add_ln(p, NAME("h.%d.ln_1"), &L->ln1_w, &L->ln1_b, d);
    L->c_attn = add_linear(p, NAME("h.%d.attn.c_attn"), 3 * d, d);
    L->attn_proj = add_linear(p, NAME("h.%d.attn.c_proj"), d, d);
    if (ln)
        add_ln(p, NAME("h.%d.ln_2"), &L->ln2_w, &L->ln2_b, d);
    L->c_fc = add_linear(p, NAME("h.%d.mlp.c_fc"), 4 * d, d);
    L->mlp_proj = add_linear(p, NAME("h.%d.mlp.c_proj"), d, 4 * d);
    if (!ln) {
        L->alpha_attn = add(p, NAME("h.%d.alpha_attn"), 1, 1, 1);
        L->alpha_mlp = add(p, NAME("h.%d.alpha_mlp"), 1, 1, 1);
    }
#undef NAME
}

void gf_xfmr_free(gf_xfmr *m)
{
    if (!m)
        return;
    gf_params_release(&m->params);
    free(m->layer);
    free(m);
}

gf_xfmr *gf_xfmr_alloc(const gf_xfmr_config *c, char *why, size_t size)
{
    if (gf_xfmr_config_check(c, why, size) != 0)
        return NULL;
    gf_xfmr *m = calloc(1, sizeof *m);
    if (m)
        m->layer = calloc((size_t)c->layers, sizeof *m->layer);
    if (!m || !m->layer) {
        free(m);
        snprintf(why, size, "out of memory for the transformer");
        return NULL;
    }
    m->cfg = *c;
    gf_params_init(&m->params);
    gf_params *p = &m->params;
    m->wte = add(p, "wte.weight", c->vocab, c->width, 0);
    m->wpe = add(p, "wpe.weight", c->context, c->width, 0);
    for (int i = 0; i < c->layers; i++)
        add_layer(m, i);
    m->lnf_w = m->lnf_b = -1;
    if (c->kind == GF_XFMR_PRELN)
        add_ln(p, "ln_f", &m->lnf_w, &m->lnf_b, c->width);
    m->lm_head = add(p, "lm_head.weight", c->vocab, c->width, 0);
    if (gf_params_finalize(p) != 0) {
        gf_xfmr_free(m);
        snprintf(why, size, "out of memory for the transformer's parameters");
        return NULL;
    }
    return m;
}

/* ---- initialization ---------------------------------------------------------- */

static double *val(gf_xfmr *m, int slot) { return m->params.slot[slot].t.v; }

static void init_linear(gf_xfmr *m, gf_linear_slots s, gsl_rng *rng, double gain,
                        size_t gain_from_row)
{
    const gf_slot *w = &m->params.slot[s.weight];
    gf_init_linear(GF_INIT_XAVIER, w->t.v, val(m, s.bias), w->rows, w->cols, rng);
    for (size_t i = gain_from_row * w->cols; i < w->rows * w->cols; i++)
        w->t.v[i] *= gain;
}

int gf_xfmr_init(gf_xfmr *m, gsl_rng *rng)
{
    gf_params *p = &m->params;
    const double beta = gf_xfmr_beta(&m->cfg);
    const size_t d = m->cfg.width;
    memset(p->value, 0, p->size * sizeof *p->value);
    for (int s = 0; s < 2; s++) {
        const gf_slot *e = &p->slot[s ? m->wpe : m->wte];
        for (size_t i = 0; i < e->rows * e->cols; i++)
            e->t.v[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
    }
    for (int i = 0; i < m->cfg.layers; i++) {
        gf_xfmr_layer *L = &m->layer[i];
        init_linear(m, L->c_attn, rng, beta, 2 * d); /* deepnorm: only V's rows */
        init_linear(m, L->attn_proj, rng, beta, 0);
        init_linear(m, L->c_fc, rng, beta, 0);
        init_linear(m, L->mlp_proj, rng, beta, 0);
        const int ln[2] = {L->ln1_w, L->ln2_w};
        for (int k = 0; k < 2; k++)
            for (size_t j = 0; ln[k] >= 0 && j < d; j++)
                val(m, ln[k])[j] = 1.0;
    }
    for (size_t j = 0; m->lnf_w >= 0 && j < d; j++)
        val(m, m->lnf_w)[j] = 1.0;
    const gf_slot *h = &p->slot[m->lm_head];
    return gf_init_linear(GF_INIT_XAVIER, h->t.v, NULL, h->rows, h->cols, rng);
}

/* ---- forward ------------------------------------------------------------------ */

static gf_tensor *T_(gf_xfmr *m, int slot) { return slot < 0 ? NULL : &m->params.slot[slot].t; }

static gf_tensor *linear(gf_xfmr *m, gf_tape *tape, gf_tensor *x, gf_linear_slots s)
{
    return gf_linear(tape, x, T_(m, s.weight), T_(m, s.bias));
}

static gf_tensor *ln(gf_xfmr *m, gf_tape *tape, gf_tensor *x, int w, int b)
{
    return gf_layernorm(tape, x, T_(m, w), T_(m, b), m->cfg.eps);
}

/* Sub-layer k of layer l on its input x: attention (k = 0) or the MLP. */
static gf_tensor *sublayer(gf_xfmr *m, gf_tape *tape, int l, int k, gf_tensor *x, size_t T)
{
    const gf_xfmr_layer *L = &m->layer[l];
    if (k == 0)
        return linear(m, tape,
                      gf_attention(tape, linear(m, tape, x, L->c_attn), T, m->cfg.heads, 1),
                      L->attn_proj);
    return linear(m, tape, gf_gelu(tape, linear(m, tape, x, L->c_fc)), L->mlp_proj);
}

/* One sub-layer step of the stream: x -> the stream after it; *write = F. */
static gf_tensor *step(gf_xfmr *m, gf_tape *tape, int l, int k, gf_tensor *x, size_t T,
                       gf_tensor **write)
{
    const gf_xfmr_layer *L = &m->layer[l];
    const int w = k ? L->ln2_w : L->ln1_w, b = k ? L->ln2_b : L->ln1_b;
    gf_tensor *f;
    switch (m->cfg.kind) {
    /* lesson:preln-step begin */
    case GF_XFMR_PRELN:
        *write = f = sublayer(m, tape, l, k, ln(m, tape, x, w, b), T);
        return gf_add(tape, x, f);
    case GF_XFMR_REZERO:
        *write = f = gf_mul_scalar(tape, sublayer(m, tape, l, k, x, T),
                                   T_(m, k ? L->alpha_mlp : L->alpha_attn));
        return gf_add(tape, x, f);
    /* lesson:preln-step end */
    /* lesson:postln-step begin */
    default: { /* postln, deepnorm: LN(alpha x + F(x)) */
        const double alpha = gf_xfmr_alpha(&m->cfg);
        *write = f = sublayer(m, tape, l, k, x, T);
        gf_tensor *skip = alpha == 1.0 ? x : gf_scale(tape, x, alpha);
        return ln(m, tape, gf_add(tape, skip, f), w, b);
    }
    /* lesson:postln-step end */
    }
}

gf_tensor *gf_xfmr_head(gf_xfmr *m, gf_tape *tape, gf_tensor *x)
{
    if (m->lnf_w >= 0)
        x = ln(m, tape, x, m->lnf_w, m->lnf_b);
    return gf_linear(tape, x, T_(m, m->lm_head), NULL);
}

gf_tensor *gf_xfmr_layer_forward(gf_xfmr *m, gf_tape *tape, int l, gf_tensor *x, size_t T,
                                 gf_xfmr_trace *tr)
{
    for (int k = 0; k < 2; k++) {
        gf_tensor *f;
        x = step(m, tape, l, k, x, T, &f);
        if (tr) {
            tr->write[2 * l + k] = f;
            tr->stream[2 * l + k + 1] = x;
        }
    }
    return x;
}

gf_tensor *gf_xfmr_forward(gf_xfmr *m, gf_tape *tape, const int *ids, size_t B, size_t T,
                           gf_xfmr_trace *tr)
{
    if (tape) /* the family's team (gf_model_type.team), also for callers outside gf_model */
        gf_tape_set_threads(tape, gf_conv_threads());
    gf_tensor *x = gf_add_position(tape, gf_embedding(tape, ids, B * T, T_(m, m->wte)),
                                   T_(m, m->wpe), T);
    if (tr)
        tr->stream[0] = x;
    for (int l = 0; l < m->cfg.layers; l++)
        x = gf_xfmr_layer_forward(m, tape, l, x, T, tr);
    return gf_xfmr_head(m, tape, x);
}
