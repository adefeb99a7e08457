/* shatter.c: the gradient of a scalar net with respect to its scalar input
 * across a grid, the networks that produce it, and its autocorrelation
 * (Balduzzi et al. 2017); see gf_shatter.h.
 *
 * plain, resnet and preact nets are gradflow stacks (models of the family "mlp",
 * reached through gf_model) with one input and two outputs
 * (column 0 is the output studied), run piece by piece so that depth 2 (the
 * stem and the head: one hidden layer) is possible. The looks-linear net is
 * built here from engine ops: CReLU(h) = [relu(h), relu(-h)] (gf_concat of
 * gf_relu(h) and gf_relu(gf_scale(h, -1))) followed by mirrored weights
 * W = [W0, -W0], so W CReLU(h) = W0 h and the whole net is linear at
 * initialization. */
#include "shatter/gf_shatter.h"

#include "data/gf_data.h"
#include "model/gf_model.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const gf_shatter_kind_names[] = {"plain", "resnet", "preact", "ll", NULL};

/* ---- names -------------------------------------------------------------------- */

void gf_shatter_arch_name(const gf_shatter_net *net, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", gf_shatter_kind_names[net->kind], net->batchnorm ? "-bn" : "");
}

void gf_shatter_net_name(const gf_shatter_net *net, char *buf, size_t size)
{
    snprintf(buf, size, "%s-%d%s", gf_shatter_kind_names[net->kind], net->depth,
             net->batchnorm ? "-bn" : "");
}

/* KIND[-DEPTH][-bn]; with_depth says whether DEPTH is required or refused. */
static int parse(const char *s, gf_shatter_net *net, int with_depth, char *why, size_t size)
{
    *net = (gf_shatter_net){0};
    char buf[64];
    if (!*s) {
        snprintf(why, size, "an empty name");
        return -1;
    }
    if (snprintf(buf, sizeof buf, "%s", s) >= (int)sizeof buf) {
        snprintf(why, size, "'%.40s...' is too long", s);
        return -1;
    }
    char *tok[3], *save = NULL;
    int n = 0;
    for (char *t = strtok_r(buf, "-", &save); t; t = strtok_r(NULL, "-", &save))
        if (n < 3)
            tok[n++] = t;
        else
            n = 4;
    int k = -1;
    for (int i = 0; n >= 1 && n <= 3 && gf_shatter_kind_names[i]; i++)
        if (strcmp(tok[0], gf_shatter_kind_names[i]) == 0)
            k = i;
    int i = 1, ok = k >= 0 && s[strlen(s) - 1] != '-' && !strstr(s, "--");
    if (ok && with_depth) {
        char *end;
        const long d = i < n ? strtol(tok[i], &end, 10) : -1;
        ok = i < n && *tok[i] >= '0' && *tok[i] <= '9' && !*end && d >= 2 && d <= 10000;
        if (ok && k != GF_SHATTER_LL && d % 2) {
            snprintf(why, size, "'%s': a %s depth is 2B + 2 weight layers (2, 4, 6, ...)", s,
                     gf_shatter_kind_names[k]);
            return -1;
        }
        net->depth = (int)d;
        i++;
    }
    if (ok && i < n) {
        if (k == GF_SHATTER_LL && strcmp(tok[i], "bn") == 0) {
            snprintf(why, size, "'%s': a looks-linear net has no batch norm", s);
            return -1;
        }
        ok = strcmp(tok[i], "bn") == 0 && i + 1 == n;
        net->batchnorm = 1;
    } else if (ok) {
        ok = i == n;
    }
    if (!ok) {
        snprintf(why, size,
                 with_depth ? "'%s' is not a net (KIND-DEPTH or KIND-DEPTH-bn; KIND plain, "
                              "resnet, preact or ll, e.g. plain-24-bn, resnet-50, ll-24)"
                            : "'%s' is not a kind of net (plain, resnet, preact, each with -bn "
                              "or not, or ll)",
                 s);
        return -1;
    }
    net->kind = (gf_shatter_kind)k;
    return 0;
}

int gf_shatter_net_parse(const char *s, gf_shatter_net *net, char *why, size_t size)
{
    return parse(s, net, 1, why, size);
}

int gf_shatter_arch_parse(const char *s, gf_shatter_net *net, char *why, size_t size)
{
    return parse(s, net, 0, why, size);
}

/* ---- the nets --------------------------------------------------------------------- */

struct gf_shatter_model {
    gf_shatter_net net;
    size_t width;
    gf_tape *tape;
    int own_tape;
    gf_model *stack;        /* plain, resnet, preact: a model of the family mlp */
    int blocks;             /* blocks run: (depth - 2) / 2 */
    double *ll;             /* looks-linear weights, mirrored, one buffer */
    gf_tensor *ll_w;        /* [depth]: h x 1, then h x 2h, ..., then 1 x 2h */
    double *w0;             /* h x h: the unmirrored draw */
    double *seed;           /* the cotangent: 1 on output column 0 */
    size_t seed_n;
};

void gf_shatter_model_free(gf_shatter_model *m)
{
    if (!m)
        return;
    if (m->own_tape)
        gf_tape_free(m->tape);
    gf_model_free(m->stack);
    free(m->ll);
    free(m->ll_w);
    free(m->w0);
    free(m->seed);
    free(m);
}

/* The forward pass on the tape: n x 1 -> n x (2 for stacks, 1 for ll). */
static gf_tensor *forward(gf_shatter_model *m, gf_tensor *x, int training)
{
    gf_tape *t = m->tape;
    if (m->stack) {
        gf_model_set_training(m->stack, training);
        gf_tensor *h = gf_model_stem(m->stack, t, x);
        for (int b = 0; b < m->blocks && h; b++)
            h = gf_model_block(m->stack, t, b, h);
        return h ? gf_model_head(m->stack, t, h) : NULL;
    }
    gf_tensor *h = gf_linear(t, x, &m->ll_w[0], NULL);
    for (int l = 1; l < m->net.depth && h; l++) {
        gf_tensor *parts[2] = {gf_relu(t, h), gf_relu(t, gf_scale(t, h, -1.0))};
        h = gf_linear(t, gf_concat(t, parts, 2), &m->ll_w[l], NULL);
    }
    return h;
}

/* The looks-linear layers: h x 1, then (depth - 2) times h x 2h, then 1 x 2h. */
static int build_ll(gf_shatter_model *m)
{
    const size_t h = m->width / 2, L = (size_t)m->net.depth;
    m->ll = malloc((h + (L - 2) * h * 2 * h + 2 * h) * sizeof *m->ll);
    m->ll_w = calloc(L, sizeof *m->ll_w);
    m->w0 = malloc(h * h * sizeof *m->w0);
    if (!m->ll || !m->ll_w || !m->w0)
        return -1;
    double *p = m->ll;
    gf_tensor_bind(&m->ll_w[0], h, 1, p, NULL); /* no gradient buffer: not differentiated */
    p += h;
    for (size_t l = 1; l < L; l++) {
        const size_t rows = l + 1 < L ? h : 1;
        gf_tensor_bind(&m->ll_w[l], rows, 2 * h, p, NULL);
        p += rows * 2 * h;
    }
    return 0;
}

/* Mirrored weights: W0 (rows x h, orthogonal) into W = [W0, -W0]; the first
 * layer (h x 1) is not mirrored. */
static int init_ll(gf_shatter_model *m, gsl_rng *rng)
{
    const size_t h = m->width / 2;
    if (gf_init_linear(GF_INIT_ORTHOGONAL, m->ll_w[0].v, NULL, h, 1, rng) != 0)
        return -1;
    for (int l = 1; l < m->net.depth; l++) {
        gf_tensor *w = &m->ll_w[l];
        if (gf_init_linear(GF_INIT_ORTHOGONAL, m->w0, NULL, w->n, h, rng) != 0)
            return -1;
        for (size_t r = 0; r < w->n; r++)
            for (size_t c = 0; c < h; c++) {
                w->v[r * 2 * h + c] = m->w0[r * h + c];
                w->v[r * 2 * h + h + c] = -m->w0[r * h + c];
            }
    }
    return 0;
}

/* He weights with PyTorch's default biases U(+-1/sqrt(fan_in)): every
 * Linear layer, in forward order, initialized by nn.init.kaiming_normal_ on
 * its weight only. */
static void torch_biases(gf_model *m, gsl_rng *rng)
{
    const gf_params *p = gf_model_params(m);
    gf_linear_slots l;
    for (int k = 0; gf_model_layer(m, k, &l, NULL, 0) == 0; k++) {
        if (l.bias < 0)
            continue;
        const gf_slot *w = &p->slot[l.weight], *b = &p->slot[l.bias];
        const double a = 1.0 / sqrt((double)w->cols);
        for (size_t i = 0; i < b->cols; i++)
            b->t.v[i] = gsl_ran_flat(rng, -a, a);
    }
}

static int build_stack(gf_shatter_model *m)
{
    gf_stack_config c = gf_stack_config_default();
    c.arch = m->net.kind == GF_SHATTER_RESNET   ? GF_ARCH_RESNET
             : m->net.kind == GF_SHATTER_PREACT ? GF_ARCH_PREACT
                                                : GF_ARCH_PLAIN;
    c.depth = m->net.depth < 4 ? 4 : m->net.depth; /* depth 2: the block is not run */
    c.width = m->width;
    c.in_dim = 1;
    c.classes = 2;
    c.norm = m->net.batchnorm ? GF_NORM_BATCH : GF_NORM_NONE;
    c.init = GF_INIT_HE;
    c.bn_momentum = 1.0; /* one training pass sets the running statistics */
    m->blocks = (m->net.depth - 2) / 2;
    char why[256];
    if (!(m->stack = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why)))
        return -1;
    gf_params_requires_grad(gf_model_params(m->stack), 0); /* only the input's gradient is wanted */
    return 0;
}

static int init_stack(gf_shatter_model *m, gsl_rng *rng, const double *grid, size_t n)
{
    if (gf_model_init(m->stack, rng) != 0)
        return -1;
    torch_biases(m->stack, rng);
    if (!m->net.batchnorm)
        return 0;
    /* Batch norm: one training-mode pass over the grid (the batch) with
     * momentum 1 makes every running statistic the grid's own. */
    gf_tape_reset(m->tape);
    gf_tensor *x = gf_tape_input(m->tape, n, 1);
    if (!x)
        return -1;
    memcpy(x->v, grid, n * sizeof *grid);
    return forward(m, x, 1) ? 0 : -1;
}

int gf_shatter_model_reseed(gf_shatter_model *m, unsigned long seed, const double *grid,
                            size_t n)
{
    if (m->net.batchnorm && (!grid || n < 2))
        return -1;
    gsl_rng *rng = gf_rng_alloc(seed);
    if (!rng)
        return -1;
    const int rc = m->stack ? init_stack(m, rng, grid, n) : init_ll(m, rng);
    gsl_rng_free(rng);
    return rc;
}

gf_shatter_model *gf_shatter_model_alloc(const gf_shatter_net *net, size_t width,
                                       unsigned long seed, const double *grid, size_t n,
                                       gf_tape *tape, char *why, size_t size)
{
    char name[32];
    gf_shatter_net_name(net, name, sizeof name);
    if (net->depth < 2 || width < 2 || (net->kind == GF_SHATTER_LL && width % 2) ||
        (net->kind != GF_SHATTER_LL && net->depth % 2) || (net->batchnorm && n < 2)) {
        snprintf(why, size, "%s of width %zu cannot be built (ll needs an even width, stacks "
                 "an even depth, batch norm a grid of 2 points or more)", name, width);
        return NULL;
    }
    gf_shatter_model *m = calloc(1, sizeof *m);
    int rc = m ? 0 : -1;
    if (rc == 0) {
        m->net = *net;
        m->width = width;
        m->tape = tape;
        if (!tape) {
            m->own_tape = 1;
            rc = (m->tape = gf_tape_alloc(1 << 22)) ? 0 : -1;
        }
    }
    if (rc == 0)
        rc = net->kind == GF_SHATTER_LL ? build_ll(m) : build_stack(m);
    if (rc == 0)
        rc = gf_shatter_model_reseed(m, seed, grid, n);
    if (rc != 0) {
        snprintf(why, size, "cannot build %s of width %zu (out of memory?)", name, width);
        gf_shatter_model_free(m);
        return NULL;
    }
    return m;
}

int gf_shatter_model_eval(gf_shatter_model *m, const double *x, size_t n, double *f,
                          double *grad)
{
    gf_tape_reset(m->tape);
    gf_tensor *in = gf_tape_input(m->tape, n, 1);
    if (!in)
        return -1;
    memcpy(in->v, x, n * sizeof *x);
    in->flags |= GF_REQUIRES_GRAD;
    gf_tensor *out = forward(m, in, 0);
    if (!out)
        return -1;
    const size_t d = out->d;
    if (m->seed_n < n * d) {
        free(m->seed);
        if (!(m->seed = malloc(n * d * sizeof *m->seed)))
            return m->seed_n = 0, -1;
        m->seed_n = n * d;
    }
    for (size_t i = 0; i < n * d; i++)
        m->seed[i] = i % d == 0 ? 1.0 : 0.0;
    for (size_t i = 0; f && i < n; i++)
        f[i] = out->v[i * d];
    if (!grad)
        return 0;
    if (gf_tape_backward_from(m->tape, out, m->seed) != 0)
        return -1;
    gf_tensor_grad_export(in, grad);
    return 0;
}

/* ---- autocorrelation ------------------------------------------------------------ */

int gf_shatter_autocorr(const double *g, size_t n, int max_lag, double *acf)
{
    double mean = 0.0, ss = 0.0, scale = 0.0;
    for (size_t i = 0; i < n; i++) {
        mean += g[i] / (double)n;
        scale = fmax(scale, fabs(g[i]));
    }
    for (size_t i = 0; i < n; i++)
        ss += (g[i] - mean) * (g[i] - mean);
    /* Constant to rounding (the looks-linear net): a constant function is
     * perfectly correlated with itself; the scatter is rounding noise. */
    const int constant = n < 2 || sqrt(ss / (double)n) <= 1e-9 * scale;
    for (int k = 0; k <= max_lag; k++) {
        if (constant || (size_t)k >= n) {
            acf[k] = constant ? 1.0 : NAN;
            continue;
        }
        double s = 0.0;
        for (size_t i = 0; i + (size_t)k < n; i++)
            s += (g[i] - mean) * (g[i + (size_t)k] - mean);
        acf[k] = s / ss;
    }
    return constant;
}

double gf_shatter_far_corr(const double *g, size_t n, size_t h)
{
    if (h >= n)
        return NAN;
    double gg = 0.0, a2 = 0.0, b2 = 0.0;
    for (size_t i = 0; i + h < n; i++) {
        gg += g[i] * g[i + h];
        a2 += g[i] * g[i];
        b2 += g[i + h] * g[i + h];
    }
    return a2 > 0 && b2 > 0 ? gg / sqrt(a2 * b2) : NAN;
}
