/* test_densenet.c: the family "densenet": channel and parameter counts
 * against closed forms, naive and shared storage giving the same values and
 * gradients, memory linear (shared) against quadratic (naive), export and
 * load, the connection norms and the feature-reuse map. */
#include "test_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static gf_densenet_config small(int depth, int k, int bc, gf_dense_memory mem)
{
    gf_densenet_config c = gf_densenet_config_default();
    c.depth = depth;
    c.growth = k;
    c.bc = bc;
    c.memory = mem;
    c.height = c.width = 8;
    c.classes = 3;
    return c;
}

/* Channels: stem s (16, or 2k for BC), block b adds n k, a BC transition
 * halves (floor). The paper's nets end at 448 (DenseNet-40, k 12) and 342
 * (DenseNet-BC-100, k 12) channels. */
static void test_channels(void)
{
    gf_densenet_plan p;
    gf_densenet_config c = small(40, 12, 0, GF_DENSE_SHARED);
    gf_densenet_plan_of(&c, &p);
    CU_ASSERT(p.layers == 12 && p.stem == 16 && p.out[2] == 448);
    c = small(100, 12, 1, GF_DENSE_SHARED);
    gf_densenet_plan_of(&c, &p);
    CU_ASSERT(p.layers == 16 && p.stem == 24 && p.out[0] == 216 && p.in[1] == 108);
    CU_ASSERT(p.out[1] == 300 && p.in[2] == 150 && p.out[2] == 342 && p.bottleneck == 48);
    for (int bc = 0; bc <= 1; bc++)
        for (int k = 1; k <= 24; k += 7)
            for (int n = 1; n <= 9; n += 4) {
                c = small((bc ? 6 : 3) * n + 4, k, bc, GF_DENSE_NAIVE);
                gf_densenet_plan_of(&c, &p);
                size_t ch = bc ? 2 * (size_t)k : 16;
                for (int b = 0; b < 3; b++) {
                    CU_ASSERT(p.in[b] == ch && p.out[b] == ch + (size_t)(n * k));
                    ch = bc ? p.out[b] / 2 : p.out[b];
                }
                CU_ASSERT(p.hw[0] == 64 && p.hw[1] == 16 && p.hw[2] == 4);
            }
    /* The values a naive pass stores per example, by hand for BC-10 (k 4, 8 x 8):
     * stem 8 x 64; per block hw (c_in + 4k + k) + hw c_out: 64 (8 + 20) + 64 12,
     * 16 (6 + 20) + 16 10, 4 (5 + 20) + 4 9. */
    c = small(10, 4, 1, GF_DENSE_SHARED);
    CU_ASSERT_DOUBLE_EQUAL(gf_densenet_outputs(&c), 512 + 2560 + 576 + 136, 1e-9);
}

/* Trainable values in closed form: conv0 9 s c_in; a layer on c channels
 * 2c + 9kc (DenseNet) or 2c + 4kc + 8k + 36k^2 (BC); over a block's n
 * layers sum c = n c_b + k n(n-1)/2; a transition 2c + c t; norm5 2c;
 * the classifier (c + 1) classes. */
static size_t closed_form(int depth, int k, int bc, size_t cin, size_t classes)
{
    const int n = (depth - 4) / (bc ? 6 : 3);
    size_t c = bc ? 2 * (size_t)k : 16, total = 9 * c * cin;
    const size_t K = (size_t)k;
    for (int b = 0; b < 3; b++) {
        const size_t sum_c = (size_t)n * c + K * (size_t)(n * (n - 1) / 2);
        total += bc ? (2 + 4 * K) * sum_c + (size_t)n * (8 * K + 36 * K * K)
                    : (2 + 9 * K) * sum_c;
        c += (size_t)n * K;
        if (b < 2) {
            const size_t t = bc ? c / 2 : c;
            total += 2 * c + c * t;
            c = t;
        }
    }
    return total + 2 * c + (c + 1) * classes;
}

static void test_parameter_counts(void)
{
    char why[256];
    static const int cases[][3] = {{10, 4, 0}, {22, 12, 0}, {40, 12, 0}, {10, 4, 1},
                                   {22, 8, 1}, {100, 12, 1}, {16, 5, 1}, {13, 7, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gf_densenet_config c = small(cases[i][0], cases[i][1], cases[i][2], GF_DENSE_SHARED);
        c.in_channels = 3;
        c.classes = 10;
        gf_model *m = gf_model_alloc(&gf_model_densenet, &c, why, sizeof why);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        gf_params *p = gf_model_params(m);
        size_t n = 0;
        for (size_t s = 0; s < p->n_slots; s++)
            if (p->slot[s].kind == GF_SLOT_PARAM)
                n += p->slot[s].rows * p->slot[s].cols;
        CU_ASSERT_EQUAL(n, closed_form(c.depth, c.growth, c.bc, 3, 10));
        gf_model_free(m);
    }
    /* The paper's DenseNet-BC (L = 100, k = 12) on CIFAR: 0.8M. */
    CU_ASSERT(closed_form(100, 12, 1, 3, 10) > 750000 && closed_form(100, 12, 1, 3, 10) < 850000);
}

static void test_depth_errors(void)
{
    char why[256];
    gf_densenet_config c = small(21, 12, 1, GF_DENSE_SHARED);
    CU_ASSERT(gf_densenet_config_check(&c, why, sizeof why) != 0);
    CU_ASSERT(strstr(why, "6n + 4") != NULL);
    c = small(11, 12, 0, GF_DENSE_SHARED);
    CU_ASSERT(gf_densenet_config_check(&c, why, sizeof why) != 0);
    CU_ASSERT(strstr(why, "3n + 4") != NULL && !strchr(why, '\n'));
    c = small(13, 12, 0, GF_DENSE_SHARED);
    CU_ASSERT(gf_densenet_config_check(&c, why, sizeof why) == 0);
}

/* ---- naive against shared ---------------------------------------------------- */

enum { BATCH = 4 };

/* One pass of a fresh model (seed 3) on a fixed batch: logits, then every
 * trainable gradient and the input's gradient, into out; returns the count. */
static size_t pass(const gf_densenet_config *c, int training, double *out, double *sink[3])
{
    char why[256];
    gf_model *m = gf_model_alloc(&gf_model_densenet, c, why, sizeof why);
    gsl_rng *r = tu_rng(3);
    CU_ASSERT_FATAL(m && gf_model_init(m, r) == 0);
    gf_model_set_training(m, training);
    gf_densenet_set_sink(gf_model_net(m), sink);
    gf_tape *t = gf_tape_alloc(TU_CHUNK);
    const size_t in = gf_model_in_dim(m);
    gf_tensor *x = gf_tape_input(t, BATCH, in);
    tu_fill_gauss(x->v, BATCH * in, r, 1.0);
    x->flags |= GF_REQUIRES_GRAD;
    const int labels[BATCH] = {0, 2, 1, 2};
    gf_tensor *z = gf_model_forward(m, t, x, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(z);
    CU_ASSERT_EQUAL_FATAL(gf_tape_backward(t, gf_softmax_xent(t, z, labels)), 0);
    size_t n = 0;
    memcpy(out, z->v, BATCH * 3 * sizeof *out);
    n += BATCH * 3;
    const gf_params *p = gf_model_params(m);
    for (size_t s = 0; s < p->n_slots; s++)
        if (p->slot[s].kind == GF_SLOT_PARAM) {
            gf_tensor_grad_export(&p->slot[s].t, out + n);
            n += p->slot[s].rows * p->slot[s].cols;
        }
    gf_tensor_grad_export(x, out + n);
    n += BATCH * in;
    gf_tape_free(t);
    gsl_rng_free(r);
    gf_model_free(m);
    return n;
}

static void test_naive_equals_shared(void)
{
    enum { MAX = 1 << 16 };
    static double a[MAX], b[MAX];
    static const int cases[][3] = {{10, 4, 0}, {16, 3, 1}, {13, 5, 0}};
    for (size_t i = 0; i < 3; i++)
        for (int training = 0; training <= 1; training++) {
            gf_densenet_config c = small(cases[i][0], cases[i][1], cases[i][2], GF_DENSE_NAIVE);
            const size_t n = pass(&c, training, a, NULL);
            c.memory = GF_DENSE_SHARED;
            CU_ASSERT_EQUAL_FATAL(pass(&c, training, b, NULL), n);
            CU_ASSERT_FATAL(n < MAX);
            double worst = 0.0;
            for (size_t j = 0; j < n; j++)
                worst = fmax(worst, fabs(a[j] - b[j]) / (fabs(a[j]) + 1e-3));
            if (getenv("GF_DEBUG") || !(worst < 1e-12))
                fprintf(stderr, "\n  densenet case %zu training %d: worst %.3g\n", i, training,
                        worst);
            CU_ASSERT(worst < 1e-12);
            CU_ASSERT(tu_norm(a + BATCH * 3, n - BATCH * 3) > 1e-6);
        }
}

/* ---- memory ------------------------------------------------------------------------ */

static size_t step_bytes(int depth, gf_dense_memory mem)
{
    char why[256];
    gf_densenet_config c = small(depth, 4, 0, mem);
    gf_model *m = gf_model_alloc(&gf_model_densenet, &c, why, sizeof why);
    gsl_rng *r = tu_rng(1);
    gf_model_cost cost = {0};
    CU_ASSERT_FATAL(m && gf_model_init(m, r) == 0);
    CU_ASSERT(gf_model_cost_of(m, 8, 1, &cost, why, sizeof why) == 0);
    gsl_rng_free(r);
    gf_model_free(m);
    return cost.tape_bytes;
}

/* The bytes each 3 more layers (one per block) cost: constant for shared
 * storage (linear memory), growing for naive (quadratic). Loose bounds: the
 * arena's 64 KiB chunks blur each step a little. */
static void test_memory_linear_against_quadratic(void)
{
    static const int depths[] = {22, 40, 58, 76};
    double naive[4], shared[4];
    for (int i = 0; i < 4; i++) {
        naive[i] = (double)step_bytes(depths[i], GF_DENSE_NAIVE);
        shared[i] = (double)step_bytes(depths[i], GF_DENSE_SHARED);
        CU_ASSERT(shared[i] < naive[i]);
    }
    const double dn_first = naive[1] - naive[0], dn_last = naive[3] - naive[2];
    const double ds_first = shared[1] - shared[0], ds_last = shared[3] - shared[2];
    if (getenv("GF_DEBUG") || !(dn_last > 1.6 * dn_first && ds_last < 1.25 * ds_first))
        fprintf(stderr, "\n  memory steps: naive %.0f -> %.0f, shared %.0f -> %.0f\n", dn_first,
                dn_last, ds_first, ds_last);
    CU_ASSERT(dn_last > 1.6 * dn_first);
    CU_ASSERT(ds_last < 1.25 * ds_first);
    CU_ASSERT(ds_first > 0);
}

/* ---- export, load, names ---------------------------------------------------------- */

static void test_export_load(void)
{
    char why[256], dir[256], path[300];
    gf_densenet_config c = small(16, 3, 1, GF_DENSE_SHARED);
    gf_model *m = gf_model_alloc(&gf_model_densenet, &c, why, sizeof why);
    gsl_rng *r = tu_rng(5);
    CU_ASSERT_FATAL(m && gf_model_init(m, r) == 0);
    CU_ASSERT_FATAL(tu_make_temp_dir(dir, sizeof dir, "densenet") == 0);
    snprintf(path, sizeof path, "%s/net.safetensors", dir);
    CU_ASSERT_FATAL(gf_model_save(m, path, why, sizeof why) == 0);
    gf_model *back = gf_model_load(path, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_STRING_EQUAL(gf_model_family(back), "densenet");
    const gf_params *p = gf_model_params(m), *q = gf_model_params(back);
    CU_ASSERT(p->size == q->size && memcmp(p->value, q->value, p->size * sizeof(double)) == 0);
    gf_st_file st;
    CU_ASSERT_FATAL(gf_st_read(&st, path, why, sizeof why) == 0);
    const gf_st_entry *e = gf_st_find(&st, "features.denseblock2.denselayer1.conv2.weight");
    CU_ASSERT(e && e->rank == 4 && e->shape[0] == 3 && e->shape[1] == 12 && e->shape[2] == 3);
    CU_ASSERT(gf_st_find(&st, "features.transition1.conv.weight") != NULL);
    CU_ASSERT(gf_st_find(&st, "features.norm5.num_batches_tracked") != NULL);
    CU_ASSERT(gf_st_find(&st, "classifier.bias") != NULL);
    gf_st_release(&st);
    c.depth = 22;
    gf_model *other = gf_model_alloc(&gf_model_densenet, &c, why, sizeof why);
    CU_ASSERT_PTR_NULL(gf_model_open(path, &gf_model_densenet, &c, NULL, why, sizeof why));
    CU_ASSERT(strstr(why, "depth") != NULL);
    gf_model_free(other);
    gf_model_free(back);
    gf_model_free(m);
    gsl_rng_free(r);
    tu_remove_tree(dir);
}

/* The connection norms of a shared pass: every (l, j < l) finite, the rest
 * untouched; the reuse map defined exactly where s < l. */
static void test_connections_and_reuse(void)
{
    static double out[1 << 16];
    gf_densenet_config c = small(13, 4, 0, GF_DENSE_SHARED); /* n = 3 */
    enum { M = 5 };
    double s0[M * M], s1[M * M], s2[M * M];
    for (int i = 0; i < M * M; i++)
        s0[i] = s1[i] = s2[i] = 42.0;
    double *sink[3] = {s0, s1, s2};
    pass(&c, 1, out, sink);
    for (int b = 0; b < 3; b++)
        for (int l = 0; l < M; l++)
            for (int j = 0; j < M; j++) {
                const double v = sink[b][l * M + j];
                CU_ASSERT(l >= 1 && j < l ? isfinite(v) : v == 42.0);
            }
    char why[256];
    gf_model *m = gf_model_alloc(&gf_model_densenet, &c, why, sizeof why);
    gsl_rng *r = tu_rng(2);
    CU_ASSERT_FATAL(m && gf_model_init(m, r) == 0);
    double map[M * M];
    for (int b = 0; b < 3; b++) {
        CU_ASSERT_FATAL(gf_densenet_reuse_map(gf_model_net(m), b, map) == 0);
        for (int l = 0; l < M; l++)
            for (int s = 0; s < M; s++)
                CU_ASSERT(l >= 1 && s < l ? map[l * M + s] > 0.0 : isnan(map[l * M + s]));
    }
    CU_ASSERT(gf_densenet_reuse_map(gf_model_net(m), 3, map) != 0);
    gsl_rng_free(r);
    gf_model_free(m);
}

CU_TestInfo densenet_tests[] = {
    {"channel counts against closed forms", test_channels},
    {"parameter counts against closed forms", test_parameter_counts},
    {"depths that do not fit are refused in one line", test_depth_errors},
    {"naive and shared storage: same values and gradients", test_naive_equals_shared},
    {"memory per layer: shared constant, naive growing", test_memory_linear_against_quadratic},
    {"export and load under torchvision's names", test_export_load},
    {"connection norms and the reuse map", test_connections_and_reuse},
    CU_TEST_INFO_NULL,
};
