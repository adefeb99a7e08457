/* test_ops.c: every op in gf_ops[] against central finite differences.
 *
 * A table maps each op name to builders: a setup that declares small random
 * leaves (bound parameters and tape inputs) and a build that applies the op
 * and reduces its output to a scalar (a mean squared error against a fixed
 * pseudo-random target, or the op itself when it is a loss). The test fails
 * when gf_ops[] holds an op that no builder covers.
 */
#include "test_dense.h"
#include "test_seq.h"
#include "test_util.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum { ON_TAPE = 1, BOUND = 0 };
static const double FD_H = 1e-5, FD_TOL = 1e-6;

typedef tu_op_case op_case;

/* ---- builders -------------------------------------------------------------- */

static void setup_linear(tu_fd *c, gsl_rng *r) { tu_fd_linear_leaves(c, r, 4, 5, 3); }
static gf_tensor *build_linear(gf_tape *t, tu_fd *c)
{
    return tu_mse_fixed(t, gf_linear(t, tu_fd_get(t, c, 0), tu_fd_get(t, c, 1), tu_fd_get(t, c, 2)));
}

static void setup_linear_nobias(tu_fd *c, gsl_rng *r)
{
    tu_fd_uniform_leaf(c, r, "x", 3, 4, BOUND, -1, 1);
    tu_fd_uniform_leaf(c, r, "W", 6, 4, ON_TAPE, -1, 1);
}
static gf_tensor *build_linear_nobias(gf_tape *t, tu_fd *c)
{
    return tu_mse_fixed(t, gf_linear(t, tu_fd_get(t, c, 0), tu_fd_get(t, c, 1), NULL));
}

static void setup_matmul(tu_fd *c, gsl_rng *r)
{
    tu_fd_uniform_leaf(c, r, "A", 4, 3, ON_TAPE, -1, 1);
    tu_fd_uniform_leaf(c, r, "B", 3, 5, BOUND, -1, 1);
}
static gf_tensor *build_matmul(gf_tape *t, tu_fd *c)
{
    return tu_mse_fixed(t, gf_matmul(t, tu_fd_get(t, c, 0), tu_fd_get(t, c, 1)));
}

static void setup_two(tu_fd *c, gsl_rng *r)
{
    tu_fd_uniform_leaf(c, r, "a", 4, 3, BOUND, -1, 1);
    tu_fd_uniform_leaf(c, r, "b", 4, 3, ON_TAPE, -1, 1);
}
static gf_tensor *build_add(gf_tape *t, tu_fd *c)
{
    return tu_mse_fixed(t, gf_add(t, tu_fd_get(t, c, 0), tu_fd_get(t, c, 1)));
}

static void setup_one(tu_fd *c, gsl_rng *r) { tu_fd_uniform_leaf(c, r, "x", 3, 4, BOUND, -2, 2); }
static gf_tensor *build_scale(gf_tape *t, tu_fd *c)
{
    return tu_mse_fixed(t, gf_scale(t, tu_fd_get(t, c, 0), -1.7));
}
static void setup_mul_scalar(tu_fd *c, gsl_rng *r)
{
    tu_fd_uniform_leaf(c, r, "x", 3, 4, ON_TAPE, -2, 2);
    tu_fd_uniform_leaf(c, r, "a", 1, 1, BOUND, 0.5, 1.5);
}
static gf_tensor *build_mul_scalar(gf_tape *t, tu_fd *c)
{
    return tu_mse_fixed(t, gf_mul_scalar(t, tu_fd_get(t, c, 0), tu_fd_get(t, c, 1)));
}
static gf_tensor *build_tanh(gf_tape *t, tu_fd *c)
{
    return tu_mse_fixed(t, gf_tanh(t, tu_fd_get(t, c, 0)));
}
static gf_tensor *build_identity(gf_tape *t, tu_fd *c)
{
    return tu_mse_fixed(t, gf_identity(t, tu_fd_get(t, c, 0)));
}

/* relu: inputs at least 0.05 away from the kink, far beyond the step h. */
static void setup_relu(tu_fd *c, gsl_rng *r)
{
    const int i = tu_fd_leaf(c, "x", 5, 4, ON_TAPE);
    tu_fill_away_from_zero(c->leaf[i].v, 20, r, 0.05, 1.5);
}
static gf_tensor *build_relu(gf_tape *t, tu_fd *c)
{
    return tu_mse_fixed(t, gf_relu(t, tu_fd_get(t, c, 0)));
}

/* a away from 0 and b small, so a + b keeps its sign under the steps. */
static void setup_add_relu(tu_fd *c, gsl_rng *r)
{
    const int i = tu_fd_leaf(c, "a", 5, 4, BOUND);
    tu_fill_away_from_zero(c->leaf[i].v, 20, r, 0.3, 1.5);
    tu_fd_uniform_leaf(c, r, "b", 5, 4, ON_TAPE, -0.2, 0.2);
}
static gf_tensor *build_add_relu(gf_tape *t, tu_fd *c)
{
    return tu_mse_fixed(t, gf_add_relu(t, tu_fd_get(t, c, 0), tu_fd_get(t, c, 1)));
}
static void setup_add_relu_self(tu_fd *c, gsl_rng *r)
{
    const int i = tu_fd_leaf(c, "a", 5, 4, ON_TAPE);
    tu_fill_away_from_zero(c->leaf[i].v, 20, r, 0.05, 1.5);
}
static gf_tensor *build_add_relu_self(gf_tape *t, tu_fd *c)
{
    gf_tensor *a = tu_fd_get(t, c, 0);
    return tu_mse_fixed(t, gf_add_relu(t, a, a));
}

/* Batch norm: x with per-feature offsets and scales, gamma, beta; running
 * statistics in aux (mean at 0, variance at 16, count at 32). */
static void setup_bn(tu_fd *c, gsl_rng *r, int eval) { tu_fd_bn_leaves(c, r, 6, 4, 4, eval); }
static void setup_bn_train(tu_fd *c, gsl_rng *r) { setup_bn(c, r, 0); }
static void setup_bn_eval(tu_fd *c, gsl_rng *r) { setup_bn(c, r, 1); }
static gf_tensor *build_bn(gf_tape *t, tu_fd *c, int training)
{
    const gf_bn_state bn = tu_fd_bn_state(t, c);
    return tu_mse_fixed(t, gf_batchnorm(t, tu_fd_get(t, c, 0), &bn, training));
}
static gf_tensor *build_bn_train(gf_tape *t, tu_fd *c) { return build_bn(t, c, 1); }
static gf_tensor *build_bn_eval(gf_tape *t, tu_fd *c) { return build_bn(t, c, 0); }

static void setup_layernorm(tu_fd *c, gsl_rng *r)
{
    tu_fd_uniform_leaf(c, r, "x", 4, 6, BOUND, -2, 2);
    tu_fd_uniform_leaf(c, r, "gamma", 1, 6, BOUND, 0.5, 1.5);
    tu_fd_uniform_leaf(c, r, "beta", 1, 6, ON_TAPE, -0.5, 0.5);
}
static gf_tensor *build_layernorm(gf_tape *t, tu_fd *c)
{
    return tu_mse_fixed(t, gf_layernorm(t, tu_fd_get(t, c, 0), tu_fd_get(t, c, 1),
                                        tu_fd_get(t, c, 2), 1e-5));
}

static void setup_xent(tu_fd *c, gsl_rng *r)
{
    tu_fd_uniform_leaf(c, r, "z", 5, 4, BOUND, -2, 2);
    for (int i = 0; i < 5; i++)
        c->iaux[i] = (int)gsl_rng_uniform_int(r, 4);
}
static gf_tensor *build_xent(gf_tape *t, tu_fd *c)
{
    return gf_softmax_xent(t, tu_fd_get(t, c, 0), c->iaux);
}

/* The loss after another op: its incoming gradient is not 1. */
static gf_tensor *build_xent_inner(gf_tape *t, tu_fd *c)
{
    return gf_scale(t, gf_softmax_xent(t, gf_tanh(t, tu_fd_get(t, c, 0)), c->iaux), 2.5);
}

static gf_tensor *build_mse(gf_tape *t, tu_fd *c)
{
    return gf_mse(t, tu_fd_get(t, c, 0), tu_fd_get(t, c, 1));
}

static void setup_concat(tu_fd *c, gsl_rng *r)
{
    tu_fd_uniform_leaf(c, r, "x0", 4, 2, ON_TAPE, -1, 1);
    tu_fd_uniform_leaf(c, r, "x1", 4, 3, BOUND, -1, 1);
    tu_fd_uniform_leaf(c, r, "x2", 4, 1, BOUND, -1, 1);
}
static gf_tensor *build_concat(gf_tape *t, tu_fd *c)
{
    gf_tensor *xs[3] = {tu_fd_get(t, c, 0), tu_fd_get(t, c, 1), tu_fd_get(t, c, 2)};
    return tu_mse_fixed(t, gf_concat(t, xs, 3));
}

static const op_case cases[] = {
    {.op = "linear", .variant = "x W^T + b", .setup = setup_linear, .build = build_linear},
    {.op = "linear", .variant = "no bias", .setup = setup_linear_nobias, .build = build_linear_nobias},
    {.op = "matmul", .variant = "A B", .setup = setup_matmul, .build = build_matmul},
    {.op = "add", .variant = "a + b", .setup = setup_two, .build = build_add},
    {.op = "scale", .variant = "-1.7 x", .setup = setup_one, .build = build_scale},
    {.op = "mul_scalar", .variant = "a x, a learnable", .setup = setup_mul_scalar,
     .build = build_mul_scalar},
    {.op = "relu", .variant = "away from 0", .setup = setup_relu, .build = build_relu},
    {.op = "add_relu", .variant = "relu(a + b)", .setup = setup_add_relu,
     .build = build_add_relu},
    {.op = "add_relu", .variant = "relu(a + a)", .setup = setup_add_relu_self,
     .build = build_add_relu_self},
    {.op = "tanh", .variant = "tanh x", .setup = setup_one, .build = build_tanh},
    {.op = "identity", .variant = "x", .setup = setup_one, .build = build_identity},
    {.op = "batchnorm_train", .variant = "batch statistics", .setup = setup_bn_train,
     .build = build_bn_train},
    {.op = "batchnorm_eval", .variant = "running statistics", .setup = setup_bn_eval,
     .build = build_bn_eval},
    {.op = "layernorm", .variant = "rows", .setup = setup_layernorm, .build = build_layernorm},
    {.op = "softmax_xent", .variant = "as the loss", .setup = setup_xent, .build = build_xent},
    {.op = "softmax_xent", .variant = "scaled, after tanh", .setup = setup_xent,
     .build = build_xent_inner},
    {.op = "mse", .variant = "both inputs", .setup = setup_two, .build = build_mse},
    {.op = "concat", .variant = "three inputs", .setup = setup_concat, .build = build_concat},
    {.op = "dense_bnrelu_train", .variant = "three inputs, NHWC", .setup = tu_dense_setup_train,
     .build = tu_dense_build_train},
    {.op = "dense_bnrelu_eval", .variant = "three inputs, NHWC", .setup = tu_dense_setup_eval,
     .build = tu_dense_build_eval},
    {.op = "dense_restore", .variant = "two layers, one scratch", .setup = tu_dense_setup_restore,
     .build = tu_dense_build_restore},
    /* the sequence ops (test_seq.c) */
    {.op = "embedding", .variant = "repeated ids", .setup = seq_setup_embedding,
     .build = seq_build_embedding},
    {.op = "add_position", .variant = "B = 2, T = 3", .setup = seq_setup_position,
     .build = seq_build_position},
    {.op = "gelu", .variant = "[-3, 3]", .setup = seq_setup_gelu, .build = seq_build_gelu},
    {.op = "attention", .variant = "causal, 2 heads", .setup = seq_setup_attention,
     .build = seq_build_attention_causal},
    {.op = "attention", .variant = "full, 2 heads", .setup = seq_setup_attention,
     .build = seq_build_attention_full},
    {.op = "attention", .variant = "used twice (3 heads; 1 head, T = 2)",
     .setup = seq_setup_attention, .build = seq_build_attention_block},
};
enum { N_CASES = sizeof cases / sizeof *cases };

/* ---- tests ----------------------------------------------------------------- */

static double check_case(const op_case *k, unsigned long seed)
{
    tu_fd_case fd;
    tu_fd_case_open(&fd, seed, k->build);
    k->setup(&fd.c, fd.r);
    char label[96];
    snprintf(label, sizeof label, "%s (%s)", k->op, k->variant);
    const double err = tu_fd_check(fd.tape, &fd.c, FD_H, FD_TOL, label);
    tu_fd_case_close(&fd);
    return err;
}

/* The builders of op name over both tables (this file's and the image ops'):
 * their number; each that fails is reported. */
static int check_op(const char *name, int *failed)
{
    int covered = 0;
    for (int t = 0; t < 2; t++) {
        const op_case *table = t == 0 ? cases : tu_image_op_cases;
        const int n = t == 0 ? N_CASES : tu_n_image_op_cases;
        for (int k = 0; k < n; k++) {
            if (strcmp(table[k].op, name) != 0)
                continue;
            covered++;
            const unsigned long seed = 1000u + 100u * (unsigned long)t + (unsigned long)k;
            const double err = check_case(&table[k], seed);
            if (!(err <= FD_TOL)) {
                fprintf(stderr, "\n  op %s (%s): worst relative error %.3g > %.0e\n",
                        table[k].op, table[k].variant, err, FD_TOL);
                (*failed)++;
            }
        }
    }
    return covered;
}

/* Every op in the table has at least one builder, and each passes. */
static void test_every_op_matches_finite_differences(void)
{
    int n_ops = 0, failed = 0;
    for (const gf_op *const *op = gf_ops; *op; op++, n_ops++) {
        const int covered = check_op((*op)->name, &failed);
        if (!covered)
            fprintf(stderr, "\n  op '%s' in gf_ops[] has no finite-difference builder\n",
                    (*op)->name);
        CU_ASSERT(covered > 0);
    }
    CU_ASSERT(failed == 0);
    CU_ASSERT(n_ops >= 13);
    /* No builder names an op that is not in the table. */
    for (int t = 0; t < 2; t++)
        for (int k = 0; k < (t == 0 ? N_CASES : tu_n_image_op_cases); k++) {
            const char *name = (t == 0 ? cases : tu_image_op_cases)[k].op;
            int found = 0;
            for (const gf_op *const *op = gf_ops; *op; op++)
                found |= strcmp(name, (*op)->name) == 0;
            CU_ASSERT(found);
        }
}

/* A checker that cannot fail proves nothing: a gradient off by 1e-4 in one
 * entry is caught. */
static void test_checker_detects_a_wrong_gradient(void)
{
    tu_fd_case k;
    tu_fd_case_open(&k, 7, build_linear);
    setup_linear(&k.c, k.r);
    CU_ASSERT_EQUAL_FATAL(tu_fd_analytic(k.tape, &k.c), 0);
    double num[15];
    tu_fd_numeric(k.tape, &k.c, 1, FD_H, num);
    CU_ASSERT(tu_rel_err(k.c.leaf[1].g, num, 15) <= FD_TOL);
    k.c.leaf[1].g[3] *= 1.0 + 1e-4;
    CU_ASSERT(tu_rel_err(k.c.leaf[1].g, num, 15) > FD_TOL);
    tu_fd_case_close(&k);
}

static void test_op_table(void)
{
    int n = 0;
    for (const gf_op *const *op = gf_ops; *op; op++, n++) {
        CU_ASSERT_PTR_NOT_NULL((*op)->name);
        CU_ASSERT_PTR_NOT_NULL((*op)->math);
        CU_ASSERT_PTR_NOT_NULL((*op)->backward);
        if ((*op)->math)
            CU_ASSERT(strlen((*op)->math) > 0 && !strchr((*op)->math, '\n'));
        for (const gf_op *const *o2 = gf_ops; o2 != op; o2++)
            CU_ASSERT(strcmp((*o2)->name, (*op)->name) != 0);
    }
    /* The list of ops. */
    static const char *const required[] = {"linear", "matmul", "add", "scale", "relu", "tanh",
                                           "identity", "batchnorm_train", "batchnorm_eval",
                                           "layernorm", "softmax_xent", "mse", "concat",
                                           "conv2d", "avgpool2d", "global_avgpool",
                                           "shortcut_a"};
    for (size_t i = 0; i < sizeof required / sizeof *required; i++) {
        int found = 0;
        for (const gf_op *const *op = gf_ops; *op; op++)
            found |= strcmp((*op)->name, required[i]) == 0;
        if (!found)
            fprintf(stderr, "\n  op '%s' is missing from gf_ops[]\n", required[i]);
        CU_ASSERT(found);
    }
}

/* Forward values against direct formulas (the finite differences check
 * derivatives of whatever the forward computes). */
static void test_forward_values(void)
{
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    gf_tensor *x = gf_tape_input(tape, 2, 3), *w = gf_tape_input(tape, 2, 3),
              *b = gf_tape_input(tape, 1, 2);
    const double xv[6] = {1, -2, 3, 0.5, 0, -1}, wv[6] = {2, 1, 0, -1, 3, 4}, bv[2] = {0.25, -1};
    memcpy(x->v, xv, sizeof xv);
    memcpy(w->v, wv, sizeof wv);
    memcpy(b->v, bv, sizeof bv);
    gf_tensor *y = gf_linear(tape, x, w, b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    CU_ASSERT(y->n == 2 && y->d == 2);
    /* row 0: (2 - 2 + 0) + 0.25, (-1 - 6 + 12) - 1; row 1: (1 + 0 + 0) + 0.25, (-0.5 + 0 - 4) - 1 */
    CU_ASSERT_DOUBLE_EQUAL(y->v[0], 0.25, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(y->v[1], 4.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(y->v[2], 1.25, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(y->v[3], -5.5, 1e-15);
    gf_tensor *r = gf_relu(tape, x);
    CU_ASSERT(r->v[0] == 1 && r->v[1] == 0 && r->v[4] == 0 && r->v[5] == 0);
    gf_tensor *m = gf_matmul(tape, x, w); /* 2x3 times 2x3: a shape error */
    CU_ASSERT_PTR_NULL(m);
    gf_tape_free(tape);

    tape = gf_tape_alloc(TU_CHUNK);
    gf_tensor *z = gf_tape_input(tape, 1, 3);
    z->v[0] = 1000.0; /* logsumexp must not overflow */
    z->v[1] = 0.0;
    z->v[2] = -1000.0;
    static const int label[1] = {1};
    gf_tensor *l = gf_softmax_xent(tape, z, label);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT_DOUBLE_EQUAL(l->v[0], 1000.0, 1e-9);
    gf_tape_free(tape);
}

/* Shape errors return NULL, record GSL_EBADLEN on the tape and NULL inputs
 * propagate; a reset makes the tape usable again. */
static void test_shape_errors(void)
{
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    gf_tensor *a = gf_tape_input(tape, 3, 4), *b = gf_tape_input(tape, 3, 5);
    memset(a->v, 0, 12 * sizeof(double));
    memset(b->v, 0, 15 * sizeof(double));
    CU_ASSERT_PTR_NULL(gf_add(tape, a, b));
    CU_ASSERT_EQUAL(gf_tape_status(tape), GSL_EBADLEN);
    CU_ASSERT_PTR_NULL(gf_relu(tape, NULL));
    CU_ASSERT_PTR_NULL(gf_tanh(tape, a)); /* the tape keeps its first error */
    CU_ASSERT_EQUAL(gf_tape_status(tape), GSL_EBADLEN);
    gf_tape_reset(tape);
    CU_ASSERT_EQUAL(gf_tape_status(tape), GSL_SUCCESS);
    a = gf_tape_input(tape, 3, 4);
    memset(a->v, 0, 12 * sizeof(double));
    CU_ASSERT_PTR_NOT_NULL(gf_tanh(tape, a));
    static const int bad_label[3] = {0, 4, 1};
    CU_ASSERT_PTR_NULL(gf_softmax_xent(tape, a, bad_label));
    gf_tape_free(tape);
}

/* The tape keeps the first error's message, naming the op and the shapes;
 * a reset clears it. */
static void test_error_messages(void)
{
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    CU_ASSERT_STRING_EQUAL(gf_tape_error(tape), "");
    gf_tensor *x = gf_tape_input(tape, 32, 64), *w = gf_tape_input(tape, 128, 128);
    CU_ASSERT_PTR_NULL(gf_linear(tape, x, w, NULL));
    CU_ASSERT_EQUAL(gf_tape_status(tape), GSL_EBADLEN);
    CU_ASSERT_STRING_EQUAL(gf_tape_error(tape),
                           "linear: x is 32 x 64 but W is 128 x 128 (out x in)");
    CU_ASSERT_PTR_NULL(gf_add(tape, x, w)); /* a later error does not replace the first */
    CU_ASSERT_PTR_NOT_NULL(strstr(gf_tape_error(tape), "linear:"));
    gf_tape_reset(tape);
    CU_ASSERT_STRING_EQUAL(gf_tape_error(tape), "");

    gf_tensor *a = gf_tape_input(tape, 3, 4), *b = gf_tape_input(tape, 3, 5);
    CU_ASSERT_PTR_NULL(gf_add(tape, a, b));
    CU_ASSERT_EQUAL(gf_tape_status(tape), GSL_EBADLEN);
    CU_ASSERT_STRING_EQUAL(gf_tape_error(tape), "add: a is 3 x 4 but b is 3 x 5");
    gf_tape_reset(tape);

    a = gf_tape_input(tape, 2, 3);
    b = gf_tape_input(tape, 4, 5);
    CU_ASSERT_PTR_NULL(gf_matmul(tape, a, b));
    CU_ASSERT_STRING_EQUAL(gf_tape_error(tape), "matmul: A is 2 x 3 but B is 4 x 5");
    gf_tape_free(tape);
}

/* Distance of y from the exact e in units in the last place of e (for a
 * result below the normal range, in units of the smallest subnormal). */
static double ulps(double y, long double e)
{
    if (e < DBL_MIN)
        return (double)fabsl((long double)y - e) / 0x1p-1074;
    int ex;
    frexpl(e, &ex);
    return (double)(fabsl((long double)y - e) / ldexpl(1.0L, ex - 53));
}

/* gf_exp_array against expl over exp's whole range (and densely where the
 * softmax and GELU use it): within one ulp (measured: 0.5x); the special values;
 * each entry's bits the same computed in a vector lane of a long call or
 * alone (the loop's scalar remainder), in place or not. */
static void test_exp_array(void)
{
    enum { N = 300000 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    gsl_rng *r = tu_rng(81);
    for (size_t i = 0; i < N; i++) {
        const double u = gsl_rng_uniform(r);
        x[i] = i % 3 == 0 ? -745.0 + 1454.7 * u : i % 3 == 1 ? -40.0 * u : 2.0 * u - 1.0;
    }
    gf_exp_array(x, y, N);
    double worst = 0.0;
    size_t alone = 0;
    for (size_t i = 0; i < N; i++) {
        worst = fmax(worst, ulps(y[i], expl((long double)x[i])));
        double one;
        gf_exp_array(x + i, &one, 1);
        alone += memcmp(&one, y + i, sizeof one) != 0;
    }
    if (worst > 1.0 || alone)
        fprintf(stderr, "\n  gf_exp_array: %.3f ulp; %zu entries differ alone\n", worst, alone);
    CU_ASSERT(worst <= 1.0);
    CU_ASSERT_EQUAL(alone, 0);
    gf_exp_array(x, x, N); /* in place */
    CU_ASSERT(memcmp(x, y, N * sizeof *x) == 0);
    const double special[] = {0.0, -0.0, -INFINITY, INFINITY, NAN, -800.0, 710.0, 709.78, -745.2,
                              -708.5, 1.0};
    double e[sizeof special / sizeof *special];
    gf_exp_array(special, e, sizeof special / sizeof *special);
    CU_ASSERT(e[0] == 1.0 && e[1] == 1.0 && e[2] == 0.0 && e[3] == INFINITY && isnan(e[4]));
    CU_ASSERT(e[5] == 0.0 && e[6] == INFINITY && isfinite(e[7]) && e[8] == 0.0);
    CU_ASSERT(e[9] > 0.0 && e[9] < DBL_MIN); /* subnormal, as exp(-708.5) */
    CU_ASSERT(ulps(e[9], expl(-708.5L)) <= 1.0 && ulps(e[10], expl(1.0L)) <= 1.0);
    free(x);
    free(y);
    gsl_rng_free(r);
}

CU_TestInfo ops_tests[] = {
    {"op table lists the issue's ops once each", test_op_table},
    {"forward values and numerically safe logsumexp", test_forward_values},
    {"every op in gf_ops[] matches central differences", test_every_op_matches_finite_differences},
    {"the checker detects a wrong gradient", test_checker_detects_a_wrong_gradient},
    {"shape errors return NULL and mark the tape", test_shape_errors},
    {"the tape keeps the first error's message with the shapes", test_error_messages},
    {"exp over an array: within one ulp, special values, lanes agree", test_exp_array},
    CU_TEST_INFO_NULL,
};
