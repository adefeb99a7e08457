/* test_stacks.c: the plain / resnet / preact stacks, their parameters and
 * initialization. */
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The exported gradient of the block-boundary record l, malloc'd. */
static double *boundary_grad(const tu_run *r, int l, size_t *size)
{
    const gf_probe_record *pr = gf_recorder_find(&r->rec, GF_PROBE_BLOCK, l);
    if (!pr || !pr->tensor)
        return NULL;
    *size = pr->n * pr->d;
    double *g = malloc(*size * sizeof *g);
    if (g)
        gf_tensor_grad_export(pr->tensor, g);
    return g;
}

/* ---- the +1 highway ------------------------------------------------------ */

/* Branches that are exactly zero: dL/dx_0 equals dL/dx_B to the last bit. */
static void test_zero_branch_keeps_the_gradient_bit_for_bit(void)
{
    static const struct { gf_arch arch; gf_act act; } kinds[] = {
        {GF_ARCH_PREACT, GF_ACT_RELU},
        {GF_ARCH_PREACT, GF_ACT_TANH},
        {GF_ARCH_RESNET, GF_ACT_LINEAR},
    };
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
        for (int norm = 0; norm < GF_NORM_COUNT; norm++) {
            gf_stack_config c = tu_small_config(kinds[k].arch, 20, 16);
            c.act = kinds[k].act;
            c.norm = (gf_norm)norm;
            c.zero_branch = 1;
            tu_run r;
            CU_ASSERT_FATAL(tu_run_stack(&r, &c, 100 + 10 * k + (size_t)norm, 8, 1) == 0);
            size_t n0 = 0, nb = 0;
            double *g0 = boundary_grad(&r, 0, &n0), *gb = boundary_grad(&r, r.s->blocks, &nb);
            CU_ASSERT_FATAL(g0 && gb && n0 == nb);
            const int equal = memcmp(g0, gb, n0 * sizeof *g0) == 0;
            if (!equal)
                fprintf(stderr, "\n  %s norm=%s act=%s: dL/dx_0 != dL/dx_B (rel %.3g)\n",
                        gf_arch_names[c.arch], gf_norm_names[c.norm], gf_act_names[c.act],
                        tu_rel_err(g0, gb, n0));
            CU_ASSERT(equal);
            CU_ASSERT(tu_norm(g0, n0) > 0.0);
            /* The probes see it too: the branch term is exactly zero. */
            for (int l = 0; l < r.s->blocks; l++) {
                const gf_probe_record *pr = gf_recorder_find(&r.rec, GF_PROBE_BLOCK, l);
                CU_ASSERT_FATAL(pr != NULL);
                if (!(pr->has_split && pr->log2_branch == -INFINITY &&
                      fabs(pr->log2_skip - pr->log2_frob) <= 1e-12))
                    fprintf(stderr, "\n  block %d: split %d, log2 skip %.17g branch %.17g frob %.17g\n",
                            l, pr->has_split, pr->log2_skip, pr->log2_branch, pr->log2_frob);
                CU_ASSERT(pr->has_split && pr->log2_branch == -INFINITY &&
                          fabs(pr->log2_skip - pr->log2_frob) <= 1e-12);
            }
            free(g0);
            free(gb);
            tu_run_release(&r);
        }
}

/* zero_branch zeroes the last affine map of each residual branch, and only that. */
static void test_zero_branch_init(void)
{
    static const struct { gf_arch arch; gf_norm norm; const char *zeroed[2], *kept; } cases[] = {
        {GF_ARCH_PREACT, GF_NORM_BATCH, {"blocks.1.fc2.weight", "blocks.1.fc2.bias"},
         "blocks.1.fc1.weight"},
        {GF_ARCH_RESNET, GF_NORM_NONE, {"blocks.1.fc2.weight", "blocks.1.fc2.bias"},
         "blocks.1.fc1.weight"},
        {GF_ARCH_RESNET, GF_NORM_BATCH, {"blocks.1.bn2.weight", "blocks.1.bn2.bias"},
         "blocks.1.fc2.weight"},
        {GF_ARCH_PLAIN, GF_NORM_NONE, {NULL, NULL}, "blocks.1.fc2.weight"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        gf_stack_config c = tu_small_config(cases[k].arch, 8, 8);
        c.norm = cases[k].norm;
        c.zero_branch = 1;
        gf_stack *s = gf_stack_alloc(&c);
        gsl_rng *r = tu_rng(5);
        CU_ASSERT_FATAL(s && gf_stack_init_weights(s, r) == 0);
        for (int z = 0; z < 2 && cases[k].zeroed[z]; z++) {
            const int i = gf_params_find(&s->params, cases[k].zeroed[z]);
            CU_ASSERT_FATAL(i >= 0);
            CU_ASSERT(gf_params_value_log2(&s->params, i) == -INFINITY);
        }
        const int kept = gf_params_find(&s->params, cases[k].kept);
        CU_ASSERT_FATAL(kept >= 0);
        CU_ASSERT(isfinite(gf_params_value_log2(&s->params, kept)));
        gsl_rng_free(r);
        gf_stack_free(s);
    }
}

/* ---- deep linear stacks ---------------------------------------------------- */

/* C = A B for w x w row-major matrices. */
static void matmul(double *c, const double *a, const double *b, size_t w)
{
    for (size_t i = 0; i < w; i++)
        for (size_t j = 0; j < w; j++) {
            double s = 0.0;
            for (size_t k = 0; k < w; k++)
                s += a[i * w + k] * b[k * w + j];
            c[i * w + j] = s;
        }
}

/* A plain stack with act = linear, norm = none is a product of matrices:
 * dL/dx_0 = dL/dx_B W2_{B-1} W1_{B-1} ... W2_0 W1_0. */
static void test_deep_linear_stack_is_a_matrix_product(void)
{
    static const gf_init inits[] = {GF_INIT_HE, GF_INIT_LECUN, GF_INIT_TORCH, GF_INIT_ORTHOGONAL};
    static const int depths[] = {20, 56};
    for (size_t k = 0; k < sizeof inits / sizeof *inits; k++)
        for (size_t dk = 0; dk < 2; dk++) {
            const size_t w = 16;
            gf_stack_config c = tu_small_config(GF_ARCH_PLAIN, depths[dk], w);
            c.act = GF_ACT_LINEAR;
            c.init = inits[k];
            tu_run r;
            CU_ASSERT_FATAL(tu_run_stack(&r, &c, 200 + k, 8, 1) == 0);
            const int B = r.s->blocks;
            double *p = calloc(w * w, sizeof *p), *t = malloc(w * w * sizeof *t);
            for (size_t i = 0; i < w; i++)
                p[i * w + i] = 1.0;
            for (int l = B - 1; l >= 0; l--) { /* P <- P W2_l W1_l */
                const gf_block_slots *b = &r.s->block[l];
                matmul(t, p, r.s->params.slot[b->fc2.weight].t.v, w);
                matmul(p, t, r.s->params.slot[b->fc1.weight].t.v, w);
            }
            size_t n0 = 0, nb = 0;
            double *g0 = boundary_grad(&r, 0, &n0), *gb = boundary_grad(&r, B, &nb);
            CU_ASSERT_FATAL(g0 && gb && n0 == nb && n0 == 8 * w);
            double *want = malloc(n0 * sizeof *want);
            for (size_t i = 0; i < 8; i++)
                for (size_t j = 0; j < w; j++) {
                    double s = 0.0;
                    for (size_t m = 0; m < w; m++)
                        s += gb[i * w + m] * p[m * w + j];
                    want[i * w + j] = s;
                }
            const double err = tu_rel_err(g0, want, n0);
            if (!(err <= 1e-12))
                fprintf(stderr, "\n  linear plain depth %d init %s: relative error %.3g\n",
                        c.depth, gf_init_names[c.init], err);
            CU_ASSERT(err <= 1e-12);
            free(want);
            free(g0);
            free(gb);
            free(p);
            free(t);
            tu_run_release(&r);
        }
}

/* ---- parameters -------------------------------------------------------------- */

static int has(const gf_stack *s, const char *name) { return gf_params_find(&s->params, name) >= 0; }

static const gf_slot *slot(const gf_stack *s, const char *name)
{
    const int i = gf_params_find(&s->params, name);
    return i >= 0 ? &s->params.slot[i] : NULL;
}

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* A stack of config c has every name of present and none of absent; n_slots
 * slots unless that is 0. */
static void expect_names(const gf_stack_config *c, const char *const *present,
                         const char *const *absent, size_t n_slots)
{
    gf_stack *s = gf_stack_alloc(c);
    CU_ASSERT_FATAL(s != NULL);
    for (const char *const *name = present; *name; name++)
        CU_ASSERT(has(s, *name));
    for (const char *const *name = absent; *name; name++)
        CU_ASSERT(!has(s, *name));
    if (n_slots)
        CU_ASSERT_EQUAL(s->params.n_slots, n_slots);
    gf_stack_free(s);
}

static void test_parameter_names(void)
{
    gf_stack_config c = tu_small_config(GF_ARCH_PLAIN, 10, 8); /* B = 4 */
    c.norm = GF_NORM_BATCH;
    gf_stack *s = gf_stack_alloc(&c);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT(has(s, "stem.weight") && !has(s, "stem.bias")); /* batch norm follows */
    CU_ASSERT(has(s, "blocks.3.fc1.weight") && !has(s, "blocks.3.fc1.bias"));
    CU_ASSERT(has(s, "blocks.3.fc2.weight") && !has(s, "blocks.3.fc2.bias"));
    CU_ASSERT(has(s, "blocks.3.bn1.weight") && has(s, "blocks.3.bn1.bias"));
    CU_ASSERT(has(s, "blocks.3.bn1.running_mean") && has(s, "blocks.3.bn1.running_var"));
    CU_ASSERT(has(s, "blocks.3.bn2.num_batches_tracked"));
    CU_ASSERT(has(s, "head.weight") && has(s, "head.bias"));
    CU_ASSERT(!has(s, "blocks.4.fc1.weight"));
    const gf_slot *sl = slot(s, "stem.weight");
    CU_ASSERT(sl && sl->rows == 8 && sl->cols == 12 && !sl->vector && sl->kind == GF_SLOT_PARAM);
    sl = slot(s, "head.bias");
    CU_ASSERT(sl && sl->cols == 5 && sl->vector && sl->kind == GF_SLOT_PARAM);
    sl = slot(s, "head.weight");
    CU_ASSERT(sl && sl->rows == 5 && sl->cols == 8);
    sl = slot(s, "blocks.3.bn1.running_mean");
    CU_ASSERT(sl && sl->kind == GF_SLOT_BUFFER && sl->cols == 8 && sl->t.g == NULL &&
              !(sl->t.flags & GF_REQUIRES_GRAD));
    sl = slot(s, "blocks.3.bn1.num_batches_tracked");
    CU_ASSERT(sl && sl->kind == GF_SLOT_COUNT_I64 && sl->rows * sl->cols == 1);
    /* Layout: unique names, slots inside one buffer, no overlap, 64-byte lines. */
    const gf_params *p = &s->params;
    for (size_t i = 0; i < p->n_slots; i++) {
        const gf_slot *a = &p->slot[i];
        CU_ASSERT(a->t.v == p->value + a->offset);
        CU_ASSERT(a->offset + a->rows * a->cols <= p->size);
        CU_ASSERT(a->offset % 8 == 0);
        if (a->kind == GF_SLOT_PARAM)
            CU_ASSERT(a->t.g == p->grad + a->offset);
        for (size_t j = 0; j < i; j++) {
            CU_ASSERT(strcmp(p->slot[j].name, a->name) != 0);
            CU_ASSERT(p->slot[j].offset + p->slot[j].rows * p->slot[j].cols <= a->offset);
        }
    }
    gf_stack_free(s);

    /* Without norm every Linear has a bias. */
    c.norm = GF_NORM_NONE;
    expect_names(&c, NAMES("stem.bias", "blocks.3.fc1.bias", "blocks.0.fc2.bias"),
                 NAMES("blocks.3.bn1.weight"), 2 + 4 * 4 + 2);

    /* Pre-activation: bn1 reads the block input, fc1 feeds bn2 (no bias), fc2
     * feeds the sum (bias); the stem feeds no norm (bias). */
    c.arch = GF_ARCH_PREACT;
    c.norm = GF_NORM_BATCH;
    expect_names(&c, NAMES("stem.weight", "stem.bias", "blocks.3.bn1.running_var",
                           "blocks.3.bn2.running_var", "blocks.3.fc2.bias", "head.bias"),
                 NAMES("blocks.3.fc1.bias"), 0);

    /* Layer norm: weight and bias, no running statistics. */
    c.arch = GF_ARCH_RESNET;
    c.norm = GF_NORM_LAYER;
    expect_names(&c, NAMES("blocks.3.ln1.weight", "blocks.3.ln2.bias"),
                 NAMES("blocks.3.ln1.running_mean"), 0);
}

static void test_name_lists(void)
{
    CU_ASSERT_EQUAL(gf_name_lookup(gf_arch_names, "preact"), GF_ARCH_PREACT);
    CU_ASSERT_EQUAL(gf_name_lookup(gf_init_names, "orthogonal"), GF_INIT_ORTHOGONAL);
    CU_ASSERT_EQUAL(gf_name_lookup(gf_norm_names, "layer"), GF_NORM_LAYER);
    CU_ASSERT_EQUAL(gf_name_lookup(gf_act_names, "linear"), GF_ACT_LINEAR);
    CU_ASSERT_EQUAL(gf_name_lookup(gf_arch_names, "Plain"), -1);
    CU_ASSERT_EQUAL(gf_name_lookup(gf_arch_names, NULL), -1);
    CU_ASSERT_PTR_NULL(gf_arch_names[GF_ARCH_COUNT]);
    CU_ASSERT_PTR_NULL(gf_mlp_arch_names[GF_ARCH_MLP_COUNT]);
    for (int a = 0; a < GF_ARCH_COUNT; a++) { /* the registry's rows, in enum order */
        CU_ASSERT_STRING_EQUAL(gf_arch_types[a].name, gf_arch_names[a]);
        CU_ASSERT(gf_arch_types[a].family != NULL && gf_arch_types[a].config != NULL);
        CU_ASSERT_EQUAL(gf_arch_is_mlp((gf_arch)a), gf_arch_types[a].family == &gf_model_mlp);
        if (a < GF_ARCH_MLP_COUNT)
            CU_ASSERT_STRING_EQUAL(gf_mlp_arch_names[a], gf_arch_names[a]);
    }
    CU_ASSERT_EQUAL(gf_arch_unit(GF_ARCH_CNN_PREACT), GF_ARCH_PREACT);
    CU_ASSERT(!gf_arch_residual(GF_ARCH_CNN_PLAIN) && gf_arch_residual(GF_ARCH_CNN_RESNET));
    CU_ASSERT_PTR_NULL(gf_init_names[GF_INIT_COUNT]);
    CU_ASSERT_PTR_NULL(gf_norm_names[GF_NORM_COUNT]);
    CU_ASSERT_PTR_NULL(gf_act_names[GF_ACT_COUNT]);
}

/* ---- initialization ------------------------------------------------------------ */

static void test_same_seed_same_bytes(void)
{
    for (int init = 0; init < GF_INIT_COUNT; init++) {
        gf_stack_config c = tu_small_config(GF_ARCH_PREACT, 8, 16);
        c.init = (gf_init)init;
        c.norm = GF_NORM_BATCH;
        gf_stack *s[3];
        for (int k = 0; k < 3; k++) {
            s[k] = gf_stack_alloc(&c);
            gsl_rng *r = tu_rng(k < 2 ? 77 : 78);
            CU_ASSERT_FATAL(s[k] && gf_stack_init_weights(s[k], r) == 0);
            gsl_rng_free(r);
        }
        const size_t bytes = s[0]->params.size * sizeof(double);
        CU_ASSERT(memcmp(s[0]->params.value, s[1]->params.value, bytes) == 0);
        CU_ASSERT(memcmp(s[0]->params.value, s[2]->params.value, bytes) != 0);
        const int w = gf_params_find(&s[0]->params, "blocks.2.fc1.weight");
        CU_ASSERT_FATAL(w >= 0);
        const gf_slot *a = &s[0]->params.slot[w], *b = &s[2]->params.slot[w];
        CU_ASSERT(memcmp(a->t.v, b->t.v, a->rows * a->cols * sizeof(double)) != 0);
        for (int k = 0; k < 3; k++)
            gf_stack_free(s[k]);
    }
}

/* Orthogonal init: W W^T = I when out <= in, W^T W = I otherwise. */
static void test_orthogonal_init(void)
{
    static const size_t shapes[][2] = {{32, 32}, {20, 50}, {50, 20}, {1, 7}};
    gsl_rng *r = tu_rng(9);
    for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++) {
        const size_t out = shapes[k][0], in = shapes[k][1];
        const size_t m = out <= in ? out : in; /* the identity's size */
        double *w = malloc(out * in * sizeof *w), b[64];
        for (size_t i = 0; i < 64; i++)
            b[i] = 99.0;
        CU_ASSERT_FATAL(gf_init_linear(GF_INIT_ORTHOGONAL, w, b, out, in, r) == 0);
        double worst = 0.0;
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < m; j++) {
                double s = 0.0;
                for (size_t t = 0; t < (out <= in ? in : out); t++)
                    s += out <= in ? w[i * in + t] * w[j * in + t] : w[t * in + i] * w[t * in + j];
                worst = fmax(worst, fabs(s - (i == j)));
            }
        if (!(worst <= 1e-12))
            fprintf(stderr, "\n  orthogonal %zux%zu: max |W W^T - I| = %.3g\n", out, in, worst);
        CU_ASSERT(worst <= 1e-12);
        for (size_t i = 0; i < out; i++)
            CU_ASSERT(b[i] == 0.0);
        free(w);
    }
    gsl_rng_free(r);
}

/* Sample variances of a large matrix against gf_init_weight_var and
 * gf_init_bias_var (loose: several standard errors). */
static void test_init_variances(void)
{
    const size_t out = 300, in = 400, n = out * in;
    double *w = malloc(n * sizeof *w), *b = malloc(out * sizeof *b);
    gsl_rng *r = tu_rng(10);
    for (int scheme = 0; scheme < GF_INIT_COUNT; scheme++) {
        CU_ASSERT_FATAL(gf_init_linear((gf_init)scheme, w, b, out, in, r) == 0);
        double mean = 0.0, ms = 0.0, maxabs = 0.0;
        for (size_t i = 0; i < n; i++) {
            mean += w[i];
            ms += w[i] * w[i];
            maxabs = fmax(maxabs, fabs(w[i]));
        }
        mean /= (double)n;
        ms /= (double)n;
        const double want = gf_init_weight_var((gf_init)scheme, in, out);
        if (fabs(ms / want - 1.0) > 0.03)
            fprintf(stderr, "\n  init %s: mean square %.5g, expected %.5g\n",
                    gf_init_names[scheme], ms, want);
        CU_ASSERT(fabs(ms / want - 1.0) <= 0.03);
        CU_ASSERT(fabs(mean) <= 5.0 * sqrt(want / (double)n));
        if (scheme == GF_INIT_TORCH)
            CU_ASSERT(maxabs <= 1.0 / sqrt((double)in));
        if (scheme == GF_INIT_XAVIER)
            CU_ASSERT(maxabs <= sqrt(6.0 / (double)(in + out)));
        double bs = 0.0;
        for (size_t i = 0; i < out; i++)
            bs += b[i] * b[i];
        if (scheme != GF_INIT_TORCH)
            CU_ASSERT(bs == 0.0);
        CU_ASSERT_EQUAL(gf_init_bias_var((gf_init)scheme, in) == 0.0, scheme != GF_INIT_TORCH);
    }
    /* torch's bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), from many rows. */
    const size_t rows = 40000, fan_in = 3;
    double *w2 = malloc(rows * fan_in * sizeof *w2), *b2 = malloc(rows * sizeof *b2);
    CU_ASSERT_FATAL(gf_init_linear(GF_INIT_TORCH, w2, b2, rows, fan_in, r) == 0);
    double bs = 0.0, bmax = 0.0;
    for (size_t i = 0; i < rows; i++) {
        bs += b2[i] * b2[i];
        bmax = fmax(bmax, fabs(b2[i]));
    }
    CU_ASSERT(fabs(bs / (double)rows / gf_init_bias_var(GF_INIT_TORCH, fan_in) - 1.0) <= 0.03);
    CU_ASSERT(bmax <= 1.0 / sqrt((double)fan_in));
    free(w2);
    free(b2);
    free(w);
    free(b);
    gsl_rng_free(r);
}

/* ---- configurations ------------------------------------------------------------- */

static void test_config_check(void)
{
    char why[256];
    static const int bad[] = {-4, 0, 1, 2, 3, 5, 57, 111};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        gf_stack_config c = gf_stack_config_default();
        c.depth = bad[i];
        why[0] = '\0';
        CU_ASSERT(gf_stack_config_check(&c, why, sizeof why) == -1);
        CU_ASSERT(strlen(why) > 0 && !strchr(why, '\n'));
        CU_ASSERT_PTR_NULL(gf_stack_alloc(&c));
    }
    static const int good[] = {4, 20, 56, 110, 1202};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        gf_stack_config c = gf_stack_config_default();
        c.depth = good[i];
        CU_ASSERT(gf_stack_config_check(&c, why, sizeof why) == 0);
        CU_ASSERT_EQUAL(gf_stack_blocks(&c), (good[i] - 2) / 2);
    }
    gf_stack_config c = gf_stack_config_default();
    CU_ASSERT(c.depth == 56 && c.width == 128 && c.in_dim == 32 && c.classes == 10 &&
              c.arch == GF_ARCH_RESNET && c.init == GF_INIT_TORCH && c.bn_momentum == 0.1 &&
              c.eps == 1e-5);
    c.width = 0;
    CU_ASSERT(gf_stack_config_check(&c, why, sizeof why) == -1);
    c = gf_stack_config_default();
    c.classes = 1;
    CU_ASSERT(gf_stack_config_check(&c, why, sizeof why) == -1);
    c = gf_stack_config_default();
    c.arch = (gf_arch)GF_ARCH_COUNT;
    CU_ASSERT(gf_stack_config_check(&c, why, sizeof why) == -1);
    c = gf_stack_config_default();
    c.init = (gf_init)-1;
    CU_ASSERT(gf_stack_config_check(&c, NULL, 0) == -1);
}

/* Every arch x norm x act runs: finite loss, every probe observed, the split
 * recorded exactly for residual blocks, batch norm counting its batches. */
static void test_every_configuration_runs(void)
{
    for (int arch = 0; arch < GF_ARCH_MLP_COUNT; arch++)
        for (int norm = 0; norm < GF_NORM_COUNT; norm++)
            for (int act = 0; act < GF_ACT_COUNT; act++) {
                gf_stack_config c = tu_small_config((gf_arch)arch, 12, 8);
                c.norm = (gf_norm)norm;
                c.act = (gf_act)act;
                tu_run r;
                const int rc = tu_run_stack(&r, &c, 300 + (size_t)(arch * 9 + norm * 3 + act), 6, 1);
                CU_ASSERT_EQUAL(rc, 0);
                if (rc != 0) {
                    tu_run_release(&r);
                    continue;
                }
                CU_ASSERT(isfinite(r.loss->v[0]));
                CU_ASSERT_EQUAL(r.rec.n, (size_t)(3 * r.s->blocks + 1));
                int unobserved = 0, split = 0;
                for (size_t i = 0; i < r.rec.n; i++) {
                    unobserved += !r.rec.rec[i].observed || !isfinite(r.rec.rec[i].log2_frob);
                    split += r.rec.rec[i].has_split;
                }
                CU_ASSERT_EQUAL(unobserved, 0);
                CU_ASSERT_EQUAL(split, arch == GF_ARCH_PLAIN ? 0 : r.s->blocks);
                const int t = gf_params_find(&r.s->params, "blocks.0.bn1.num_batches_tracked");
                if (norm == GF_NORM_BATCH) {
                    CU_ASSERT_FATAL(t >= 0);
                    CU_ASSERT_EQUAL(r.s->params.slot[t].t.v[0], 1.0);
                } else {
                    CU_ASSERT(t < 0);
                }
                tu_run_release(&r);
            }
}

/* ---- residual schemes: fixup, rezero, scaled ------------------------------------- */

/* rezero: alpha = 0 makes every block the identity, and alpha still learns. */
static void test_rezero_starts_as_identity(void)
{
    for (int arch = GF_ARCH_RESNET; arch <= GF_ARCH_PREACT; arch++) {
        gf_stack_config c = tu_small_config((gf_arch)arch, 10, 8);
        c.init = GF_INIT_REZERO;
        tu_run r;
        CU_ASSERT_FATAL(tu_run_stack(&r, &c, 3, 6, 1) == 0);
        const gf_probe_record *first = gf_recorder_find(&r.rec, GF_PROBE_BLOCK, 0);
        /* x_3 (not x_B = x_4): resnet's relu(0 + x) passes no gradient where x = 0 */
        const gf_probe_record *last = gf_recorder_find(&r.rec, GF_PROBE_BLOCK, 3);
        CU_ASSERT_FATAL(first && last);
        CU_ASSERT(first->log2_frob == last->log2_frob); /* nothing added, nothing lost */
        const int a = gf_params_find(&r.s->params, "blocks.1.alpha");
        CU_ASSERT_FATAL(a >= 0);
        CU_ASSERT(r.s->params.slot[a].t.v[0] == 0.0);
        CU_ASSERT(isfinite(gf_params_grad_log2(&r.s->params, a))); /* dL/dalpha = <dL/dy, F> != 0 */
        tu_run_release(&r);
    }
}

/* fixup: zero branches and a zero head at init: the logits are 0, the loss
 * is log(classes), the branch's first layer is He scaled by B^(-1/2). */
static void test_fixup_init(void)
{
    gf_stack_config c = tu_small_config(GF_ARCH_RESNET, 18, 16); /* B = 8 */
    c.init = GF_INIT_FIXUP;
    tu_run r;
    CU_ASSERT_FATAL(tu_run_stack(&r, &c, 5, 6, 1) == 0);
    CU_ASSERT_DOUBLE_EQUAL(r.loss->v[0], log(5.0), 1e-15);
    const gf_params *p = &r.s->params;
    const int scale = gf_params_find(p, "blocks.3.scale"), w2 = gf_params_find(p, "blocks.3.fc2.weight");
    const int w1 = gf_params_find(p, "blocks.3.fc1.weight");
    CU_ASSERT_FATAL(scale >= 0 && w1 >= 0 && w2 >= 0);
    CU_ASSERT(p->slot[scale].t.v[0] == 1.0);
    CU_ASSERT(gf_params_value_log2(p, w2) == -INFINITY);
    double ms = 0.0;
    for (size_t i = 0; i < 256; i++)
        ms += p->slot[w1].t.v[i] * p->slot[w1].t.v[i] / 256.0;
    CU_ASSERT(fabs(ms / (2.0 / 16.0 / 8.0) - 1.0) < 0.3); /* He variance / B */
    tu_run_release(&r);
    c.arch = GF_ARCH_PLAIN;
    char why[128];
    CU_ASSERT(gf_stack_config_check(&c, why, sizeof why) == -1);
}

/* scaled: the same He weights, each branch times 1/sqrt(B), as a plan would. */
static void test_scaled_branches(void)
{
    gf_stack_config c = tu_small_config(GF_ARCH_PREACT, 10, 8);
    tu_run a, b;
    c.init = GF_INIT_SCALED;
    CU_ASSERT_FATAL(tu_run_stack(&a, &c, 7, 5, 0) == 0);
    c.init = GF_INIT_HE;
    CU_ASSERT_FATAL(tu_run_stack(&b, &c, 7, 5, 0) == 0);
    const double k[4] = {0.5, 0.5, 0.5, 0.5}; /* 1/sqrt(4) */
    const gf_block_plan plan = {.branch_scale = k};
    gf_tape_reset(b.tape);
    gf_tensor *x = gf_tape_input(b.tape, 5, c.in_dim);
    memcpy(x->v, b.xv, 5 * c.in_dim * sizeof *x->v);
    gf_tensor *z = gf_stack_forward_plan(b.s, b.tape, x, 0, NULL, &plan);
    CU_ASSERT_FATAL(z != NULL);
    CU_ASSERT(memcmp(z->v, a.logits->v, gf_tensor_size(z) * sizeof(double)) == 0);
    tu_run_release(&a);
    tu_run_release(&b);
}

/* ---- evaluation without a tape ------------------------------------------ */

/* Every parameter random (so no branch, head or alpha is zero), running
 * statistics away from the identity. */
static void randomize_state(gf_stack *s, gsl_rng *r)
{
    for (size_t i = 0; i < s->params.n_slots; i++) {
        gf_slot *sl = &s->params.slot[i];
        const size_t n = sl->rows * sl->cols;
        if (sl->kind == GF_SLOT_PARAM)
            tu_fill_gauss(sl->t.v, n, r, 0.4);
        else if (strstr(sl->name, "running_var"))
            tu_fill_uniform(sl->t.v, n, r, 0.5, 2.0);
        else if (strstr(sl->name, "running_mean"))
            tu_fill_gauss(sl->t.v, n, r, 0.3);
    }
}

/* gf_stack_infer_rows gives gf_stack_forward's evaluation-mode logits to the
 * bit, from x or from a stem product given, for every covered configuration. */
static void test_infer_is_the_tape_forward_bit_for_bit(void)
{
    static const gf_init inits[] = {GF_INIT_HE, GF_INIT_FIXUP, GF_INIT_REZERO, GF_INIT_SCALED};
    const size_t n = 300;
    gsl_rng *r = tu_rng(7);
    gf_tape *tape = gf_tape_alloc(0);
    int checked = 0;
    for (int arch = 0; arch < GF_ARCH_MLP_COUNT; arch++)
        for (int norm = 0; norm < GF_NORM_COUNT; norm++)
            for (int act = 0; act < GF_ACT_COUNT; act++)
                for (size_t k = 0; k < sizeof inits / sizeof *inits; k++) {
                    gf_stack_config c = tu_small_config((gf_arch)arch, 8, 16);
                    c.norm = (gf_norm)norm, c.act = (gf_act)act, c.init = inits[k];
                    char why[256];
                    if (gf_stack_config_check(&c, why, sizeof why) != 0)
                        continue;
                    gf_stack *s = gf_stack_alloc(&c);
                    CU_ASSERT_FATAL(s && gf_stack_init_weights(s, r) == 0);
                    gf_stack_infer *w = gf_stack_infer_alloc(s, n);
                    CU_ASSERT((w != NULL) == gf_stack_infer_supported(&c));
                    CU_ASSERT((w != NULL) == (c.norm != GF_NORM_LAYER));
                    if (!w) {
                        gf_stack_free(s);
                        continue;
                    }
                    randomize_state(s, r);
                    gf_stack_infer_prepare(w);
                    gf_tape_reset(tape);
                    gf_tensor *x = gf_tape_input(tape, n, c.in_dim);
                    CU_ASSERT_FATAL(x != NULL);
                    tu_fill_gauss(x->v, n * c.in_dim, r, 1.0);
                    gf_tensor *z = gf_stack_forward(s, tape, x, 0, NULL);
                    CU_ASSERT_FATAL(z != NULL);
                    double *logits = calloc(n * c.classes, sizeof *logits);
                    double *stem = calloc(n * c.width, sizeof *stem);
                    CU_ASSERT_FATAL(logits && stem);
                    CU_ASSERT(gf_stack_infer_rows(w, x->v, NULL, n + 1, logits) == -1);
                    CU_ASSERT_FATAL(gf_stack_infer_rows(w, x->v, NULL, n, logits) == 0);
                    const int same = memcmp(logits, z->v, n * c.classes * sizeof *logits) == 0;
                    gf_linear_rows(x->v, n, c.in_dim, s->params.slot[s->stem.weight].t.v, c.width,
                                   s->stem.bias >= 0 ? s->params.slot[s->stem.bias].t.v : NULL,
                                   stem);
                    CU_ASSERT_FATAL(gf_stack_infer_rows(w, NULL, stem, n, logits) == 0);
                    const int same_stem =
                        memcmp(logits, z->v, n * c.classes * sizeof *logits) == 0;
                    if (!same || !same_stem)
                        fprintf(stderr, "\n  %s norm=%s act=%s init=%s: infer != tape (rel %.3g)\n",
                                gf_arch_names[c.arch], gf_norm_names[c.norm],
                                gf_act_names[c.act], gf_init_names[c.init],
                                tu_rel_err(logits, z->v, n * c.classes));
                    CU_ASSERT(same && same_stem);
                    checked++;
                    free(logits);
                    free(stem);
                    gf_stack_infer_free(w);
                    gf_stack_free(s);
                }
    CU_ASSERT(checked >= 3 * 2 * 3); /* every arch x {none, batch} x act at least */
    gf_tape_free(tape);
    gsl_rng_free(r);
}

CU_TestInfo stacks_tests[] = {
    {"rezero: every block starts as the identity; alpha learns", test_rezero_starts_as_identity},
    {"fixup: zero branches and head, first layers He / B", test_fixup_init},
    {"scaled: every branch times 1/sqrt(B)", test_scaled_branches},
    {"zero branches: dL/dx_0 == dL/dx_B bit for bit", test_zero_branch_keeps_the_gradient_bit_for_bit},
    {"zero_branch zeroes the branch's last affine map", test_zero_branch_init},
    {"deep linear plain stack: gradient = product of weights", test_deep_linear_stack_is_a_matrix_product},
    {"parameter names follow state_dict", test_parameter_names},
    {"name lists", test_name_lists},
    {"same seed same bytes, another seed other bytes", test_same_seed_same_bytes},
    {"orthogonal init: W W^T = I", test_orthogonal_init},
    {"init variances match gf_init_weight_var", test_init_variances},
    {"gf_stack_config_check", test_config_check},
    {"every arch x norm x act runs and is probed", test_every_configuration_runs},
    {"evaluation without a tape: the tape's logits to the bit", test_infer_is_the_tape_forward_bit_for_bit},
    CU_TEST_INFO_NULL,
};
