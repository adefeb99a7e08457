/* test_ensemble.c: paths and the gradient by path length (exact and
 * sampled), block plans: deleted blocks, scaled branches, stochastic depth. */
#include "test_util.h"

#include <gsl/gsl_randist.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- counting ------------------------------------------------------------- */

static void test_binomial_counts_match_enumeration(void)
{
    for (int n = 0; n <= 14; n++) {
        long count[15] = {0};
        for (unsigned long mask = 0; mask < 1ul << n; mask++) /* every path: a set of branches */
            count[__builtin_popcountl(mask)]++;
        double log10c[15], frac[15], total = 0.0;
        gf_path_lengths(n, log10c, frac);
        for (int k = 0; k <= n; k++) {
            CU_ASSERT_EQUAL(llround(pow(10.0, log10c[k])), count[k]);
            CU_ASSERT_DOUBLE_EQUAL(frac[k], (double)count[k] / (double)(1ul << n), 1e-13);
            total += frac[k];
        }
        CU_ASSERT_DOUBLE_EQUAL(total, 1.0, 1e-12);
    }
}

static void test_large_n_in_log_space(void)
{
    enum { N = 10000 };
    double *log10c = malloc((N + 1) * sizeof *log10c), *frac = malloc((N + 1) * sizeof *frac);
    CU_ASSERT_FATAL(log10c && frac);
    gf_path_lengths(N, log10c, frac);
    double total = 0.0;
    int mode = 0;
    for (int k = 0; k <= N; k++) {
        total += frac[k];
        mode = frac[k] > frac[mode] ? k : mode;
    }
    CU_ASSERT_DOUBLE_EQUAL(total, 1.0, 1e-9);
    CU_ASSERT_EQUAL(mode, N / 2);
    CU_ASSERT(isfinite(log10c[N / 2]) && log10c[N / 2] > 3000.0); /* C(10000, 5000) ~ 10^3008 */
    CU_ASSERT_DOUBLE_EQUAL(log10c[N / 2], 3008.0 + log10(1.59), 0.01);
    free(log10c);
    free(frac);
}

/* The slots of weighted layer k of m (forward order: stem, blocks.0.fc1, ...). */
static gf_linear_slots layer_of(const gf_model *m, int k)
{
    gf_linear_slots ls = {-1, -1};
    CU_ASSERT_FATAL(gf_model_layer(m, k, &ls, NULL, 0) == 0);
    return ls;
}
#define fc1_of(m, l) layer_of(m, 2 * (l) + 1)
#define fc2_of(m, l) layer_of(m, 2 * (l) + 2)

/* ---- the exact decomposition ------------------------------------------------- */

/* A stack with random weights and, for batch norm, random running statistics
 * (so evaluation mode is not the identity). */
static gf_model *random_stack(gf_arch arch, int depth, gf_norm norm, gf_act act, unsigned long seed)
{
    gf_stack_config c = tu_small_config(arch, depth, 12);
    c.norm = norm;
    c.act = act;
    c.init = GF_INIT_HE;
    gf_model *s = gf_model_alloc(&gf_model_mlp, &c, NULL, 0);
    gsl_rng *r = tu_rng(seed);
    if (!s || gf_model_init(s, r) != 0) {
        gsl_rng_free(r);
        gf_model_free(s);
        return NULL;
    }
    for (size_t i = 0; i < gf_model_params(s)->n_slots; i++) {
        gf_slot *sl = &gf_model_params(s)->slot[i];
        const size_t m = sl->rows * sl->cols;
        if (strstr(sl->name, "running_mean"))
            tu_fill_uniform(sl->t.v, m, r, -0.3, 0.3);
        else if (strstr(sl->name, "running_var"))
            tu_fill_uniform(sl->t.v, m, r, 0.5, 2.0);
        else if (sl->kind == GF_SLOT_PARAM && sl->vector)
            tu_fill_uniform(sl->t.v, m, r, 0.8, 1.2); /* norm scales away from 1, biases too */
    }
    gsl_rng_free(r);
    return s;
}

typedef struct batch {
    double *x;
    int *y;
    size_t n;
} batch;

static batch random_batch(const gf_model *s, size_t n, unsigned long seed)
{
    batch b = {malloc(n * gf_model_in_dim(s) * sizeof *b.x), malloc(n * sizeof *b.y), n};
    gsl_rng *r = tu_rng(seed);
    tu_fill_gauss(b.x, n * gf_model_in_dim(s), r, 1.0);
    for (size_t i = 0; i < n; i++)
        b.y[i] = (int)gsl_rng_uniform_int(r, gf_model_classes(s));
    gsl_rng_free(r);
    return b;
}

static void batch_free(batch *b)
{
    free(b->x);
    free(b->y);
}

/* The exact decomposition of s on a random batch of n from seed (fatal if it fails). */
static void exact_on(gf_model *s, size_t n, unsigned long seed, batch *b, gf_pathgrad *pg)
{
    *b = random_batch(s, n, seed);
    char why[256];
    CU_ASSERT_FATAL(gf_pathgrad_exact(s, b->x, b->y, b->n, pg, why, sizeof why) == 0);
}

/* random_stack (fatal if NULL) and its exact decomposition on a random batch. */
static gf_model *random_exact(gf_arch arch, int depth, gf_norm norm, gf_act act,
                              unsigned long seed, size_t n, unsigned long batch_seed, batch *b,
                              gf_pathgrad *pg)
{
    gf_model *s = random_stack(arch, depth, norm, act, seed);
    CU_ASSERT_FATAL(s != NULL);
    exact_on(s, n, batch_seed, b, pg);
    return s;
}

static void exact_release(gf_model *s, batch *b, gf_pathgrad *pg)
{
    gf_pathgrad_release(pg);
    batch_free(b);
    gf_model_free(s);
}

static void test_decomposition_sums_to_gradient(void)
{
    static const struct { gf_arch arch; int depth; gf_norm norm; gf_act act; } cases[] = {
        {GF_ARCH_RESNET, 6, GF_NORM_NONE, GF_ACT_RELU},   {GF_ARCH_RESNET, 12, GF_NORM_BATCH, GF_ACT_RELU},
        {GF_ARCH_RESNET, 20, GF_NORM_BATCH, GF_ACT_TANH}, {GF_ARCH_PREACT, 6, GF_NORM_NONE, GF_ACT_RELU},
        {GF_ARCH_PREACT, 12, GF_NORM_BATCH, GF_ACT_RELU}, {GF_ARCH_PREACT, 20, GF_NORM_LAYER, GF_ACT_TANH},
        {GF_ARCH_RESNET, 4, GF_NORM_BATCH, GF_ACT_RELU},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        batch b;
        gf_pathgrad pg;
        gf_model *s = random_exact(cases[c].arch, cases[c].depth, cases[c].norm, cases[c].act,
                                   10 + c, 5, 40 + c, &b, &pg);
        const size_t nd = pg.n * pg.d;
        double *sum = calloc(nd, sizeof *sum);
        for (int k = 0; k <= pg.blocks; k++)
            for (size_t i = 0; i < nd; i++)
                sum[i] += pg.g[(size_t)k * nd + i];
        const double err = tu_rel_err(sum, pg.full, nd);
        CU_ASSERT(err < 1e-13);
        if (err >= 1e-13)
            fprintf(stderr, "\n  case %zu: relative error %g\n", c, err);
        /* every length carries something on a random stack */
        for (int k = 0; k <= pg.blocks; k++)
            CU_ASSERT(tu_norm(pg.g + (size_t)k * nd, nd) > 0.0);
        /* and the parameters are trainable again afterwards */
        CU_ASSERT(gf_model_params(s)->slot[0].t.flags & GF_REQUIRES_GRAD);
        free(sum);
        exact_release(s, &b, &pg);
    }
}

/* A preact stack without norm and with the identity activation is linear:
 * J_F^T g = g W2 W1 for every block, so each path's gradient is a product of
 * matrices. Sum every one of the 2^B paths by length, independently. */
static void test_linear_stack_against_enumeration(void)
{
    batch b;
    gf_pathgrad pg;
    gf_model *s = random_exact(GF_ARCH_PREACT, 10, GF_NORM_NONE, GF_ACT_LINEAR, 5, 3, 6, &b,
                               &pg); /* B = 4 */
    const int B = gf_model_blocks(s);
    const size_t n = pg.n, d = pg.d, nd = n * d;
    double *want = calloc((size_t)(B + 1) * nd, sizeof *want), *v = malloc(nd * sizeof *v),
           *t = malloc(nd * sizeof *t);
    /* dL/dx_B: the gradient at x_0 of the path with no branch (k = 0), as the skip passes it */
    const double *g_B = pg.g; /* g_0 = dL/dx_B: every skip is the identity here */
    for (unsigned mask = 0; mask < 1u << B; mask++) {
        memcpy(v, g_B, nd * sizeof *v);
        for (int l = B - 1; l >= 0; l--) {
            if (!(mask >> l & 1))
                continue;
            const gf_slot *w1 = &gf_model_params(s)->slot[fc1_of(s, l).weight];
            const gf_slot *w2 = &gf_model_params(s)->slot[fc2_of(s, l).weight];
            for (size_t i = 0; i < n; i++) /* t = v W2;  v = t W1 */
                for (size_t j = 0; j < d; j++) {
                    double acc = 0.0;
                    for (size_t m = 0; m < d; m++)
                        acc += v[i * d + m] * w2->t.v[m * d + j];
                    t[i * d + j] = acc;
                }
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < d; j++) {
                    double acc = 0.0;
                    for (size_t m = 0; m < d; m++)
                        acc += t[i * d + m] * w1->t.v[m * d + j];
                    v[i * d + j] = acc;
                }
        }
        const int k = __builtin_popcount(mask);
        for (size_t i = 0; i < nd; i++)
            want[(size_t)k * nd + i] += v[i];
    }
    for (int k = 0; k <= B; k++)
        CU_ASSERT(tu_rel_err(pg.g + (size_t)k * nd, want + (size_t)k * nd, nd) < 1e-12);
    free(want);
    free(v);
    free(t);
    exact_release(s, &b, &pg);
}

/* Zeroed branches: every path through a branch carries nothing. */
static void test_zero_branches_leave_only_the_skip_path(void)
{
    gf_stack_config c = tu_small_config(GF_ARCH_PREACT, 8, 12);
    c.zero_branch = 1;
    gf_model *s = gf_model_alloc(&gf_model_mlp, &c, NULL, 0);
    gsl_rng *r = tu_rng(3);
    CU_ASSERT_FATAL(s && gf_model_init(s, r) == 0);
    gsl_rng_free(r);
    batch b;
    gf_pathgrad pg;
    exact_on(s, 4, 9, &b, &pg);
    const size_t nd = pg.n * pg.d;
    CU_ASSERT(memcmp(pg.g, pg.full, nd * sizeof *pg.g) == 0);
    for (int k = 1; k <= pg.blocks; k++)
        CU_ASSERT(tu_norm(pg.g + (size_t)k * nd, nd) == 0.0);
    exact_release(s, &b, &pg);
}

static void test_plain_stack_refused(void)
{
    gf_model *s = random_stack(GF_ARCH_PLAIN, 6, GF_NORM_NONE, GF_ACT_RELU, 1);
    CU_ASSERT_FATAL(s != NULL);
    batch b = random_batch(s, 2, 2);
    gf_pathgrad pg;
    char why[256] = "";
    CU_ASSERT(gf_pathgrad_exact(s, b.x, b.y, b.n, &pg, why, sizeof why) == -1);
    CU_ASSERT(strstr(why, "residual") != NULL);
    batch_free(&b);
    gf_model_free(s);
}

/* Veit et al.'s sampling agrees with the exact g_k within its error. */
static void test_sampling_agrees_with_exact(void)
{
    batch b;
    gf_pathgrad pg;
    gf_model *s = random_exact(GF_ARCH_RESNET, 14, GF_NORM_BATCH, GF_ACT_RELU, 21, 4, 22, &b,
                               &pg); /* B = 6 */
    char why[256];
    const size_t nd = pg.n * pg.d;
    double *mean = malloc(nd * sizeof *mean);
    gsl_rng *r = tu_rng(77);
    for (int k = 0; k <= pg.blocks; k++) {
        gf_path_sample ps;
        CU_ASSERT_FATAL(gf_pathgrad_sample(s, b.x, b.y, b.n, k, 400, r, &ps, mean, why,
                                           sizeof why) == 0);
        const double exact = tu_norm(pg.g + (size_t)k * nd, nd);
        const double tol = 4.0 * ps.norm_stderr + 1e-12 * exact;
        CU_ASSERT(fabs(ps.norm_estimate - exact) <= tol);
        if (fabs(ps.norm_estimate - exact) > tol)
            fprintf(stderr, "\n  k = %d: sampled %g +- %g, exact %g\n", k, ps.norm_estimate,
                    ps.norm_stderr, exact);
        if (k == 0 || k == pg.blocks) { /* a single path: sampling is exact */
            CU_ASSERT(fabs(ps.norm_estimate - exact) <= 1e-12 * exact &&
                      ps.norm_stderr < 1e-12 * exact &&
                      fabs(ps.mean_path_norm - exact) <= 1e-12 * exact &&
                      ps.mean_path_norm_se <= 1e-12 * exact);
        } else { /* many paths: their norms spread; a mean of norms >= the norm of the mean */
            const double count = pow(10.0, gf_log10_binomial(pg.blocks, k));
            CU_ASSERT(ps.mean_path_norm_se > 0.0 &&
                      ps.mean_path_norm >= ps.norm_estimate / count * (1.0 - 1e-12));
        }
    }
    gsl_rng_free(r);
    free(mean);
    exact_release(s, &b, &pg);
}

/* The reading's test can fail: with 400 paths per length of a 6-block net
 * the sample resolves every g_k; the vector test against the exact g_k
 * passes there, and the same test against the wrong answer 0 fails. */
static void test_sampling_test_can_fail(void)
{
    gf_model *s = random_stack(GF_ARCH_RESNET, 14, GF_NORM_BATCH, GF_ACT_RELU, 21); /* B = 6 */
    CU_ASSERT_FATAL(s != NULL);
    batch b = random_batch(s, 4, 22);
    gsl_rng *r = tu_rng(77);
    const int ks[] = {1, 2, 3, 4, 5};
    gf_pathgrad_curve c;
    char why[256];
    CU_ASSERT_FATAL(gf_pathgrad_measure(s, b.x, b.y, b.n, ks, 5, 400, r, "init", NULL, NULL, &c,
                                        why, sizeof why) == 0);
    gf_pathgrad_reading x;
    gf_pathgrad_read(&c, &x);
    CU_ASSERT(x.compared == 5 && x.resolved == 5);
    CU_ASSERT(x.within3 == 5);        /* against the exact g_k: passes */
    CU_ASSERT(x.zero_pass == 0);      /* against 0: fails at every length */
    CU_ASSERT(x.k_told[0] == 1 && x.k_told[4] == 5);
    gf_pathgrad_curve_release(&c);
    gsl_rng_free(r);
    batch_free(&b);
    gf_model_free(s);
}

/* The batch-norm warm-up sets the running statistics to the plain average of
 * its passes and changes nothing else; without passes it does nothing. */
static void test_bn_warmup(void)
{
    gf_stack_config c = tu_small_config(GF_ARCH_RESNET, 6, 8);
    c.norm = GF_NORM_BATCH;
    gf_dataset data = {0};
    CU_ASSERT_FATAL(gf_synthetic_default(&data, 256) == 0);
    c.in_dim = data.dim;
    c.classes = data.classes;
    gf_model *m = gf_model_alloc(&gf_model_mlp, &c, NULL, 0);
    gsl_rng *r = tu_rng(5);
    CU_ASSERT_FATAL(m && gf_model_init(m, r) == 0);
    gf_params *p = gf_model_params(m);
    const int v = gf_params_find(p, "stem_bn.running_var");
    const int w = gf_params_find(p, "stem.weight");
    CU_ASSERT_FATAL(v >= 0 && w >= 0);
    const double w0 = p->slot[w].t.v[0], momentum = gf_model_bn_momentum(m);
    char why[128];
    CU_ASSERT(gf_model_bn_warmup(m, &data, r, 0, 32, why, sizeof why) == 0);
    CU_ASSERT(p->slot[v].t.v[0] == 1.0); /* no passes: the initial statistics */
    gf_model_set_training(m, 1);
    CU_ASSERT(gf_model_bn_warmup(m, &data, r, 3, 32, why, sizeof why) == 0);
    CU_ASSERT(p->slot[v].t.v[0] != 1.0 && p->slot[v].t.v[0] > 0.0);
    CU_ASSERT(p->slot[w].t.v[0] == w0);                /* the weights stay */
    CU_ASSERT(gf_model_bn_momentum(m) == momentum);    /* the momentum is restored */
    CU_ASSERT(!gf_model_training(m));                  /* evaluation mode after */
    gsl_rng_free(r);
    gf_model_free(m);
    gf_dataset_release(&data);
}

/* ---- block plans ------------------------------------------------------------ */


static gf_tensor *logits_of(gf_model *s, gf_tape *tape, const batch *b, const gf_block_plan *plan)
{
    gf_tape_reset(tape);
    gf_tensor *x = gf_tape_input(tape, b->n, gf_model_in_dim(s));
    memcpy(x->v, b->x, b->n * gf_model_in_dim(s) * sizeof *x->v);
    gf_model_set_training(s, 0);
    return gf_model_forward(s, tape, x, NULL, plan);
}

/* Deleting block l (the plan) equals a net whose branch l is zero:
 * relu(0 + x_l) = x_l, as x_l >= 0 after a ReLU. */
static void test_deleted_block_is_the_identity(void)
{
    gf_model *s = random_stack(GF_ARCH_RESNET, 10, GF_NORM_NONE, GF_ACT_RELU, 31);
    CU_ASSERT_FATAL(s != NULL);
    batch b = random_batch(s, 6, 32);
    gf_tape *t1 = gf_tape_alloc(TU_CHUNK), *t2 = gf_tape_alloc(TU_CHUNK);
    unsigned char drop[4] = {0, 0, 1, 0};
    const gf_block_plan plan = {.drop = drop};
    gf_tensor *a = logits_of(s, t1, &b, &plan);
    const gf_slot *w = &gf_model_params(s)->slot[fc2_of(s, 2).weight];
    const gf_slot *bias = &gf_model_params(s)->slot[fc2_of(s, 2).bias];
    memset(w->t.v, 0, w->rows * w->cols * sizeof(double));
    memset(bias->t.v, 0, bias->cols * sizeof(double));
    gf_tensor *z = logits_of(s, t2, &b, NULL);
    CU_ASSERT_FATAL(a && z);
    CU_ASSERT(memcmp(a->v, z->v, gf_tensor_size(a) * sizeof(double)) == 0);
    /* and it makes no node: fewer nodes than the whole net */
    CU_ASSERT(gf_tape_nodes(t1) < gf_tape_nodes(t2));
    gf_tape_free(t1);
    gf_tape_free(t2);
    batch_free(&b);
    gf_model_free(s);
}

/* A branch scaled by p (stochastic depth in evaluation) equals fc2 scaled by p. */
static void test_branch_scale(void)
{
    gf_model *s = random_stack(GF_ARCH_PREACT, 10, GF_NORM_BATCH, GF_ACT_RELU, 41);
    CU_ASSERT_FATAL(s != NULL);
    batch b = random_batch(s, 6, 42);
    gf_tape *t1 = gf_tape_alloc(TU_CHUNK), *t2 = gf_tape_alloc(TU_CHUNK);
    double p[4];
    gf_survival_linear(p, 4, 0.5);
    CU_ASSERT_DOUBLE_EQUAL(p[0], 0.875, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(p[3], 0.5, 1e-15);
    const gf_block_plan plan = {.branch_scale = p};
    gf_tensor *a = logits_of(s, t1, &b, &plan);
    for (int l = 0; l < 4; l++) {
        const gf_slot *w = &gf_model_params(s)->slot[fc2_of(s, l).weight];
        const gf_slot *bias = &gf_model_params(s)->slot[fc2_of(s, l).bias];
        for (size_t i = 0; i < w->rows * w->cols; i++)
            w->t.v[i] *= p[l];
        for (size_t i = 0; i < bias->cols; i++)
            bias->t.v[i] *= p[l];
    }
    gf_tensor *z = logits_of(s, t2, &b, NULL);
    CU_ASSERT_FATAL(a && z);
    CU_ASSERT(tu_rel_err(a->v, z->v, gf_tensor_size(a)) < 1e-13);
    gf_tape_free(t1);
    gf_tape_free(t2);
    batch_free(&b);
    gf_model_free(s);
}

/* Stochastic depth with every survival probability 1 trains exactly like
 * the plain residual net; below 1 it drops blocks (other weights). */
static void test_stochastic_depth_p1_is_residual(void)
{
    gf_dataset all, train;
    CU_ASSERT_FATAL(gf_synthetic_make(&all, 200, 8, 4, 1.0, 5) == 0);
    CU_ASSERT_FATAL(gf_dataset_slice(&train, &all, 0, 200) == 0);
    gf_dataset_release(&all);
    gf_stack_config c = tu_small_config(GF_ARCH_RESNET, 10, 12);
    c.in_dim = 8;
    c.classes = 4;
    c.norm = GF_NORM_BATCH;
    gf_model *s[3];
    double ones[4] = {1, 1, 1, 1}, half[4];
    gf_survival_uniform(half, 4, 0.5);
    const double *surv[3] = {NULL, ones, half};
    char why[256];
    for (int i = 0; i < 3; i++) {
        gf_train_config tc = {.batch = 20, .epochs = 2, .optim = gf_optim_config_default(GF_OPTIM_SGD),
                              .sched = {.kind = GF_SCHED_CONSTANT, .lr = 0.05}, .seed = 4,
                              .survival = surv[i]};
        s[i] = gf_model_alloc(&gf_model_mlp, &c, NULL, 0);
        gsl_rng *r = tu_rng(8);
        CU_ASSERT_FATAL(s[i] && gf_model_init(s[i], r) == 0);
        gsl_rng_free(r);
        gf_trainer *t = gf_trainer_alloc(s[i], &train, NULL, &tc, why, sizeof why);
        CU_ASSERT_FATAL(t != NULL);
        for (int e = 0; e < 2; e++)
            CU_ASSERT_FATAL(gf_trainer_epoch(t, NULL, why, sizeof why) == 0);
        gf_trainer_free(t);
    }
    const size_t bytes = gf_model_params(s[0])->size * sizeof(double);
    CU_ASSERT(memcmp(gf_model_params(s[0])->value, gf_model_params(s[1])->value, bytes) == 0);
    CU_ASSERT(memcmp(gf_model_params(s[0])->value, gf_model_params(s[2])->value, bytes) != 0);
    for (int i = 0; i < 3; i++)
        gf_model_free(s[i]);
    gf_dataset_release(&train);
}

/* A tiny cnn of depth 8 (three blocks: the second and third downsample with
 * option A, 8x8x4 -> 4x4x8 -> 2x2x16), random weights and batch-norm
 * statistics, in evaluation mode. */
static gf_model *tiny_cnn(gf_arch arch, unsigned long seed)
{
    gf_stack_config c = gf_stack_config_default();
    c.arch = arch;
    c.depth = 8;
    c.width_mult = 0.25;
    c.in_dim = 64;
    c.classes = 3;
    char why[256];
    gf_model *m = gf_arch_model_alloc(&c, why, sizeof why);
    CU_ASSERT_FATAL(m != NULL);
    gsl_rng *r = tu_rng(seed);
    CU_ASSERT_FATAL(gf_model_init(m, r) == 0);
    gf_params *p = gf_model_params(m); /* every value random: BN's gamma, beta, running stats too */
    for (size_t i = 0; i < p->n_slots; i++) {
        const gf_slot *sl = &p->slot[i];
        double *v = p->value + sl->offset;
        for (size_t j = 0; j < sl->rows * sl->cols; j++)
            v[j] = sl->kind == GF_SLOT_COUNT_I64 || sl->kh ? v[j] /* conv weights: He init */
                   : strstr(sl->name, "running_var") ? 0.5 + gsl_rng_uniform(r)
                   : strstr(sl->name, "weight") && !sl->vector ? v[j]
                                                               : 0.3 * gsl_ran_gaussian(r, 1.0);
    }
    gsl_rng_free(r);
    gf_model_set_training(m, 0);
    return m;
}

/* The option-A skip: a linear map of norm <= 1 that changes the width. */
static void test_cnn_skip_is_option_a(void)
{
    gf_model *m = tiny_cnn(GF_ARCH_CNN_RESNET, 3);
    batch b = random_batch(m, 2, 4);
    gf_tape *t = gf_tape_alloc(0);
    gf_tensor *x = gf_tape_input(t, 2, 64);
    memcpy(x->v, b.x, 128 * sizeof *x->v);
    gf_tensor *h = gf_model_stem(m, t, x), *s0 = gf_model_skip(m, t, 0, h);
    gf_tensor *s1 = gf_model_skip(m, t, 1, h);
    CU_ASSERT_FATAL(h && s0 && s1);
    CU_ASSERT(s0 == h && h->d == 256 && s1->d == 128); /* 8x8x4 -> 4x4x8 */
    CU_ASSERT(tu_norm(s1->v, s1->n * s1->d) <= tu_norm(h->v, h->n * h->d));
    gf_tape_free(t);
    batch_free(&b);
    gf_model_free(m);
}

/* On a cnn with downsampling blocks the split is exact too: the skip
 * carries S^T, the widths change at the block boundaries. */
static void test_cnn_decomposition_sums_to_gradient(void)
{
    const gf_arch archs[] = {GF_ARCH_CNN_RESNET, GF_ARCH_CNN_PREACT};
    for (int a = 0; a < 2; a++) {
        gf_model *m = tiny_cnn(archs[a], 5 + (unsigned long)a);
        batch b;
        gf_pathgrad pg;
        exact_on(m, 3, 7, &b, &pg);
        CU_ASSERT(pg.blocks == 3 && pg.d == 256);
        const size_t nd = pg.n * pg.d;
        double *sum = calloc(nd, sizeof *sum);
        for (int k = 0; k <= pg.blocks; k++) {
            CU_ASSERT(tu_norm(pg.g + (size_t)k * nd, nd) > 1e-6 * tu_norm(pg.full, nd));
            for (size_t i = 0; i < nd; i++)
                sum[i] += pg.g[(size_t)k * nd + i];
        }
        const double err = tu_rel_err(sum, pg.full, nd);
        CU_ASSERT(err < 1e-12);
        if (err >= 1e-12)
            fprintf(stderr, "\n  %s: sum_k g_k off by %g\n", gf_arch_names[archs[a]], err);
        /* a single path (k = 0: every skip; k = B: every branch) sampled is exact */
        double *mean = malloc(nd * sizeof *mean);
        gsl_rng *r = tu_rng(9);
        char why[256];
        for (int k = 0; k <= pg.blocks; k += pg.blocks) {
            gf_path_sample ps;
            CU_ASSERT_FATAL(gf_pathgrad_sample(m, b.x, b.y, b.n, k, 3, r, &ps, mean, why,
                                               sizeof why) == 0);
            CU_ASSERT(tu_rel_err(mean, pg.g + (size_t)k * nd, nd) < 1e-12);
        }
        gsl_rng_free(r);
        free(mean);
        free(sum);
        exact_release(m, &b, &pg);
    }
}

CU_TestInfo ensemble_tests[] = {
    {"path counts by length match enumeration (n <= 14)", test_binomial_counts_match_enumeration},
    {"path lengths of 10,000 blocks in log space", test_large_n_in_log_space},
    {"the path-length contributions sum to dL/dx_0", test_decomposition_sums_to_gradient},
    {"a linear stack: every one of the 2^B paths summed by length", test_linear_stack_against_enumeration},
    {"zero branches: only the skip path carries gradient", test_zero_branches_leave_only_the_skip_path},
    {"a plain stack has no paths to split", test_plain_stack_refused},
    {"a cnn's option-A skip is linear, narrower, of norm <= 1", test_cnn_skip_is_option_a},
    {"cnn-resnet, cnn-preact with downsampling: sum_k g_k = dL/dx_0",
     test_cnn_decomposition_sums_to_gradient},
    {"Veit's sampling agrees with the exact result", test_sampling_agrees_with_exact},
    {"the sampling test can fail: it rejects 0 where the sample resolves g_k",
     test_sampling_test_can_fail},
    {"the batch-norm warm-up sets only the running statistics", test_bn_warmup},
    {"a deleted block is the identity and costs no node", test_deleted_block_is_the_identity},
    {"a scaled branch equals a scaled last layer", test_branch_scale},
    {"stochastic depth with p = 1 is the residual net", test_stochastic_depth_p1_is_residual},
    CU_TEST_INFO_NULL,
};
