/* test_cnn.c: the family "cnn" (He et al.'s CIFAR nets): parameter counts
 * against closed forms, the zero-gamma residual block as relu(S x),
 * finite-difference gradients end to end, export and load. */
#include "test_util.h"

#include "jacobian/gf_jacobian.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static gf_model *make(gf_arch arch, int depth, double mult, size_t in_dim, size_t classes)
{
    gf_stack_config c = tu_config(arch, depth, gf_stack_config_default().width, in_dim, classes);
    c.width_mult = mult;
    char why[256];
    gf_model *m = gf_arch_model_alloc(&c, why, sizeof why);
    if (!m)
        fprintf(stderr, "make: %s\n", why);
    return m;
}

static size_t count_kind(gf_model *m, gf_slot_kind kind)
{
    const gf_params *p = gf_model_params(m);
    size_t n = 0;
    for (size_t i = 0; i < p->n_slots; i++)
        if (p->slot[i].kind == kind)
            n += p->slot[i].rows * p->slot[i].cols;
    return n;
}

/* Trainable parameters of depth 6n+2, f filters, C0 input channels, K
 * classes: convs 9 C0 f + f^2 (378 n - 90), batch norm 2f + 28 n f (plain
 * and resnet: after the stem and both convs; preact: before both convs and
 * at the end; the same count), head 4 f K + K. */
static double closed_form(int depth, double f, double c0, double k)
{
    const double n = (depth - 2) / 6;
    return 9 * c0 * f + f * f * (378 * n - 90) + 2 * f + 28 * n * f + 4 * f * k + k;
}

static void test_parameter_counts(void)
{
    const int depths[] = {20, 32, 44, 56, 110};
    for (int d = 0; d < 5; d++) {
        size_t counts[3];
        for (int a = 0; a < 3; a++) {
            gf_model *m = make((gf_arch)(GF_ARCH_CNN_PLAIN + a), depths[d], 1.0, 784, 10);
            CU_ASSERT_PTR_NOT_NULL_FATAL(m);
            counts[a] = count_kind(m, GF_SLOT_PARAM);
            CU_ASSERT_EQUAL(gf_model_blocks(m), (depths[d] - 2) / 2);
            gf_model_free(m);
        }
        CU_ASSERT_EQUAL((double)counts[0], closed_form(depths[d], 16, 1, 10));
        CU_ASSERT_EQUAL(counts[0], counts[1]); /* option A: no parameters on the skip */
        CU_ASSERT_EQUAL(counts[1], counts[2]);
    }
    /* the CIFAR-10 resnet-20 (3 channels): 269,722, as the papers' 0.27M */
    CU_ASSERT_EQUAL(closed_form(20, 16, 3, 10), 269722.0);
    gf_model *m = make(GF_ARCH_CNN_RESNET, 20, 0.5, 784, 10);
    CU_ASSERT_EQUAL((double)count_kind(m, GF_SLOT_PARAM), closed_form(20, 8, 1, 10));
    gf_model_free(m);
}

static void test_config_errors(void)
{
    char why[256];
    gf_stack_config c = gf_stack_config_default();
    gf_family_config fc;
    c.arch = GF_ARCH_CNN_RESNET;
    c.depth = 22;
    CU_ASSERT_EQUAL(gf_arch_config(&c, &fc, why, sizeof why), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "6n+2"));
    c.depth = 20;
    c.width_mult = 0.1; /* 1.6 filters */
    CU_ASSERT_EQUAL(gf_arch_config(&c, &fc, why, sizeof why), -1);
    c.width_mult = 0.125;
    c.in_dim = 32; /* the synthetic set: 4 x 8 */
    CU_ASSERT_EQUAL_FATAL(gf_arch_config(&c, &fc, why, sizeof why), 0);
    CU_ASSERT(fc.cnn.height == 4 && fc.cnn.width == 8 && fc.cnn.channels == 1);
    CU_ASSERT_EQUAL(fc.cnn.filters, 2);
    c.in_dim = 784;
    CU_ASSERT(gf_arch_config(&c, &fc, why, sizeof why) == 0 && fc.cnn.height == 28 &&
              fc.cnn.width == 28);
}

/* Fill a batch of n images with a fixed pattern. */
static gf_tensor *batch(gf_tape *tape, size_t n, size_t d, unsigned long seed)
{
    gf_tensor *x = gf_tape_input(tape, n, d);
    gsl_rng *r = tu_rng(seed);
    tu_fill_gauss(x->v, n * d, r, 1.0);
    gsl_rng_free(r);
    return x;
}

/* resnet with zero_branch (bn2's gamma 0): every block is x -> relu(S x),
 * exactly S x_l for the nonnegative x_l, in training and evaluation mode. */
static void test_zero_gamma_blocks_are_skips(void)
{
    gf_stack_config c = gf_stack_config_default();
    c.arch = GF_ARCH_CNN_RESNET;
    c.depth = 20;
    c.width_mult = 0.25;
    c.in_dim = 64;
    c.classes = 3;
    c.zero_branch = 1;
    char why[256];
    gf_model *m = gf_arch_model_alloc(&c, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    gsl_rng *r = tu_rng(3);
    CU_ASSERT_EQUAL(gf_model_init(m, r), 0);
    gsl_rng_free(r);
    for (int training = 0; training < 2; training++) {
        gf_model_set_training(m, training);
        gf_tape *tape = gf_tape_alloc(0);
        gf_tensor *h = gf_model_stem(m, tape, batch(tape, 5, 64, 4));
        for (int l = 0; l < gf_model_blocks(m) && h; l++) {
            gf_tensor *y = gf_model_block(m, tape, l, h);
            CU_ASSERT_PTR_NOT_NULL_FATAL(y);
            int same = 1;
            if (y->d == h->d) {
                same = memcmp(y->v, h->v, h->n * h->d * sizeof *h->v) == 0;
            } else { /* option A: x[::2, ::2] with zero channels half on each side */
                const int stage = l / 3;                 /* n = 3 blocks per stage */
                const size_t side = 8 >> (stage - 1), c_in = 4u << (stage - 1);
                const gf_image_shape in = {side, side, c_in};
                gf_tensor *s = gf_shortcut_a(tape, h, in, 2 * c_in, 2);
                same = s && s->d == y->d && memcmp(s->v, y->v, y->n * y->d * sizeof *y->v) == 0;
            }
            CU_ASSERT(same);
            h = y;
        }
        gf_tape_free(tape);
    }
    gf_model_free(m);
}

/* The mean cross-entropy of m on x (n x d) with labels 0, 1, 2, ... */
static double loss_of(gf_model *m, gf_tape *tape, const double *x, size_t n, size_t d,
                      int backward, double *gx)
{
    static const int labels[8] = {0, 1, 2, 0, 1, 2, 0, 1};
    gf_tape_reset(tape); /* one tape for every pass: no fresh arena to fault in */
    gf_tensor *in = gf_tape_input(tape, n, d);
    memcpy(in->v, x, n * d * sizeof *x);
    in->flags |= GF_REQUIRES_GRAD;
    gf_tensor *loss = gf_softmax_xent(tape, gf_model_forward(m, tape, in, NULL, NULL), labels);
    CU_ASSERT_PTR_NOT_NULL_FATAL(loss);
    const double v = loss->v[0];
    if (backward) {
        CU_ASSERT_EQUAL(gf_tape_backward(tape, loss), 0);
        gf_tensor_grad_export(in, gx);
    }
    return v;
}

/* Central differences on a few entries of every parameter and of the input. */
static void fd_check(gf_arch arch)
{
    const size_t n = 4, d = 64;
    gf_model *m = make(arch, 8, 0.125, d, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    gsl_rng *r = tu_rng(11);
    gf_model_init(m, r);
    double x[4 * 64], gx[4 * 64];
    tu_fill_gauss(x, n * d, r, 1.0);
    gsl_rng_free(r);
    gf_params *p = gf_model_params(m);
    gf_tape *tape = gf_tape_alloc(0);
    loss_of(m, tape, x, n, d, 1, gx);
    double *g = malloc(p->size * sizeof *g);
    for (size_t s = 0; s < p->n_slots; s++)
        if (p->slot[s].kind == GF_SLOT_PARAM)
            gf_tensor_grad_export(&p->slot[s].t, g + p->slot[s].offset);
    const double h = 1e-5;
    double worst = 0.0;
    for (size_t s = 0; s < p->n_slots; s++) {
        const gf_slot *sl = &p->slot[s];
        if (sl->kind != GF_SLOT_PARAM)
            continue;
        const size_t count = sl->rows * sl->cols;
        for (size_t k = 0; k < count; k += count / 3 + 1) {
            double *v = &sl->t.v[k];
            const double keep = *v;
            *v = keep + h;
            const double up = loss_of(m, tape, x, n, d, 0, NULL);
            *v = keep - h;
            const double down = loss_of(m, tape, x, n, d, 0, NULL);
            *v = keep;
            const double num = (up - down) / (2 * h), ana = g[sl->offset + k];
            const double err = fabs(num - ana) / fmax(1e-6, fabs(num) + fabs(ana));
            if (err > worst)
                worst = err;
            if (err > 1e-5)
                fprintf(stderr, "%s[%zu]: numeric %.9g analytic %.9g\n", sl->name, k, num, ana);
        }
    }
    for (size_t k = 0; k < n * d; k += 37) {
        const double keep = x[k];
        x[k] = keep + h;
        const double up = loss_of(m, tape, x, n, d, 0, NULL);
        x[k] = keep - h;
        const double down = loss_of(m, tape, x, n, d, 0, NULL);
        x[k] = keep;
        const double num = (up - down) / (2 * h);
        const double err = fabs(num - gx[k]) / fmax(1e-6, fabs(num) + fabs(gx[k]));
        worst = fmax(worst, err);
    }
    CU_ASSERT(worst < 1e-5);
    gf_tape_free(tape);
    free(g);
    gf_model_free(m);
}

static void test_fd_resnet(void) { fd_check(GF_ARCH_CNN_RESNET); }
static void test_fd_preact(void) { fd_check(GF_ARCH_CNN_PREACT); }
static void test_fd_plain(void) { fd_check(GF_ARCH_CNN_PLAIN); }

/* Logits of m in evaluation mode on a fixed batch. */
static void logits(gf_model *m, double *out, size_t n)
{
    gf_tape *tape = gf_tape_alloc(0);
    gf_model_set_training(m, 0);
    gf_tensor *z = gf_model_forward(m, tape, batch(tape, n, gf_model_in_dim(m), 9), NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(z);
    memcpy(out, z->v, n * z->d * sizeof *out);
    gf_tape_free(tape);
}

/* Save, load back (from the metadata, and as a bare state_dict with the
 * config given): the same parameters and logits, bit for bit. */
static void test_export_round_trip(void)
{
    char dir[256], path[300], bare[300], why[256];
    CU_ASSERT_EQUAL_FATAL(tu_make_temp_dir(dir, sizeof dir, "cnn"), 0);
    snprintf(path, sizeof path, "%s/net.safetensors", dir);
    snprintf(bare, sizeof bare, "%s/bare.safetensors", dir);
    for (int a = 0; a < 3; a++) {
        gf_model *m = make((gf_arch)(GF_ARCH_CNN_PLAIN + a), 20, 0.25, 64, 4);
        gsl_rng *r = tu_rng(5);
        gf_model_init(m, r);
        gsl_rng_free(r);
        gf_params *p = gf_model_params(m);
        for (size_t i = 0; i < p->n_slots; i++) /* nontrivial running statistics */
            if (p->slot[i].kind != GF_SLOT_PARAM) /* counters stay whole */
                p->slot[i].t.v[0] += (p->slot[i].kind == GF_SLOT_BUFFER ? 0.25 : 0.0) + (double)i;
        CU_ASSERT_EQUAL_FATAL(gf_model_save(m, path, why, sizeof why), 0);
        gf_st_file st;
        gf_st_init(&st);
        CU_ASSERT_EQUAL(gf_params_state_add(p, &st, m->counts), 0);
        CU_ASSERT_EQUAL(gf_st_write(&st, bare), 0);
        gf_st_release(&st);
        gf_model *back = gf_model_load(path, why, sizeof why);
        gf_model *b2 = gf_model_open(bare, m->type, gf_model_config(m), NULL, why, sizeof why);
        CU_ASSERT_PTR_NOT_NULL_FATAL(back);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b2);
        const gf_params *q = gf_model_params(back), *q2 = gf_model_params(b2);
        CU_ASSERT(q->size == p->size && memcmp(q->value, p->value, p->size * 8) == 0);
        CU_ASSERT(q2->size == p->size && memcmp(q2->value, p->value, p->size * 8) == 0);
        double z0[8 * 4], z1[8 * 4];
        logits(m, z0, 8);
        logits(back, z1, 8);
        CU_ASSERT(memcmp(z0, z1, sizeof z0) == 0);
        char n0[32], n1[32];
        gf_model_name(m, n0, sizeof n0);
        gf_model_name(back, n1, sizeof n1);
        CU_ASSERT_STRING_EQUAL(n0, n1);
        gf_model_free(back);
        gf_model_free(b2);
        gf_model_free(m);
    }
    tu_remove_tree(dir);
}

/* The full Jacobian of x_a -> x_b at x (d_in values), one VJP per output
 * unit; its rows into J (d_out x d_in, malloc'd). */
static double *full_jacobian(gf_model *m, const double *x, size_t d_in, int a, int b,
                             size_t *d_out)
{
    gf_tape *tape = gf_tape_alloc(0);
    gf_tensor *X = gf_tape_input(tape, 1, d_in), *Y = X;
    memcpy(X->v, x, d_in * sizeof *x);
    for (int l = a; l < b; l++)
        Y = gf_model_block(m, tape, l, Y);
    *d_out = Y->d;
    double *J = malloc(Y->d * d_in * sizeof *J), *seed = calloc(Y->d, sizeof *seed);
    for (size_t i = 0; i < *d_out; i++) {
        gf_tape_reset(tape);
        X = gf_tape_input(tape, 1, d_in);
        memcpy(X->v, x, d_in * sizeof *x);
        X->flags |= GF_REQUIRES_GRAD;
        Y = X;
        for (int l = a; l < b; l++)
            Y = gf_model_block(m, tape, l, Y);
        seed[i] = 1.0;
        CU_ASSERT_EQUAL(gf_tape_backward_from(tape, Y, seed), 0);
        seed[i] = 0.0;
        gf_tensor_grad_export(X, J + i * d_in);
    }
    free(seed);
    gf_tape_free(tape);
    return J;
}

/* Power iteration (J v by differences, J^T u exact) against the SVD of the
 * full Jacobian, end to end (x_0 -> x_B: 128 -> 32 values) and for one
 * downsampling block, in cnn-resnet and cnn-preact. */
static void test_top_singular_value(void)
{
    for (int a = 0; a < 2; a++) {
        gf_model *m = make(a ? GF_ARCH_CNN_PREACT : GF_ARCH_CNN_RESNET, 14, 0.125, 64, 3);
        gsl_rng *r = tu_rng(21);
        gf_model_init(m, r);
        gf_model_set_training(m, 0);
        gf_tape *tape = gf_tape_alloc(0);
        gf_tensor *x0 = gf_model_stem(m, tape, batch(tape, 1, 64, 22));
        const int B = gf_model_blocks(m), spans[2][2] = {{0, B}, {2, 3}};
        double *xa = malloc(x0->d * sizeof *xa);
        for (int s = 0; s < 2; s++) {
            gf_tape *t2 = gf_tape_alloc(0);
            gf_tensor *X = gf_tape_input(t2, 1, x0->d);
            memcpy(X->v, x0->v, x0->d * sizeof *X->v);
            for (int l = 0; l < spans[s][0]; l++)
                X = gf_model_block(m, t2, l, X);
            const size_t d = X->d;
            memcpy(xa, X->v, d * sizeof *xa);
            gf_tape_free(t2);
            size_t d_out;
            double *J = full_jacobian(m, xa, d, spans[s][0], spans[s][1], &d_out);
            double *sv = malloc((d < d_out ? d : d_out) * sizeof *sv), sigma;
            char why[256];
            CU_ASSERT_EQUAL(gf_singular_values(J, d_out, d, sv), 0);
            CU_ASSERT_EQUAL(gf_jacobian_top_sv(m, xa, d, spans[s][0], spans[s][1], 500, 1e-12,
                                               r, &sigma, why, sizeof why), 0);
            CU_ASSERT(fabs(sigma - sv[0]) <= 1e-6 * sv[0]);
            if (getenv("TU_VERBOSE") || fabs(sigma - sv[0]) > 1e-6 * sv[0])
                fprintf(stderr, "top sv: power %.12g, SVD %.12g (%zu x %zu)\n", sigma, sv[0],
                        d_out, d);
            free(sv);
            free(J);
        }
        free(xa);
        gf_tape_free(tape);
        gsl_rng_free(r);
        gf_model_free(m);
    }
}

CU_TestInfo cnn_tests[] = {
    {"top singular value by power iteration = the full Jacobian's", test_top_singular_value},
    {"parameter counts: closed form, plain = resnet = preact", test_parameter_counts},
    {"config: depth 6n+2, even filters, image shape", test_config_errors},
    {"resnet with bn2 gamma 0: every block is relu(S x) = S x", test_zero_gamma_blocks_are_skips},
    {"finite differences: cnn-resnet", test_fd_resnet},
    {"finite differences: cnn-preact", test_fd_preact},
    {"finite differences: cnn-plain", test_fd_plain},
    {"export and load (metadata, bare state_dict): bit-exact", test_export_round_trip},
    CU_TEST_INFO_NULL,
};
