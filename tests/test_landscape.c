/* test_landscape.c: filter-normalized directions, the 1-D path's ends at the
 * checkpoints' losses, the surface's centre, Hessian-vector products and the
 * top eigenvalue against the Hessian of a small net (second differences of
 * the loss, GSL's eigensolver), Hutchinson's estimator on a known matrix,
 * the trajectory's principal directions, and learning the identity. */
#include "test_util.h"

#include "landscape/gf_landscape.h"
#include "train/gf_train.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static gf_model *small_model(gf_arch arch, int depth, size_t width, gf_norm norm, gf_act act,
                             unsigned long seed)
{
    gf_stack_config c = tu_config(arch, depth, width, 6, 3);
    c.norm = norm;
    c.act = act;
    c.init = GF_INIT_HE;
    char why[256];
    gf_model *m = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why);
    gsl_rng *rng = tu_rng(seed);
    if (m && gf_model_init(m, rng) != 0) {
        gf_model_free(m);
        m = NULL;
    }
    gsl_rng_free(rng);
    return m;
}

/* Each direction's row norms equal the weight's; biases and norms left out. */
static void test_filter_normalization(void)
{
    gf_model *m = small_model(GF_ARCH_RESNET, 6, 8, GF_NORM_BATCH, GF_ACT_RELU, 1);
    CU_ASSERT_FATAL(m != NULL);
    const gf_params *p = gf_model_params(m);
    double *d = malloc(p->size * sizeof *d);
    unsigned char *inlayer = calloc(p->size, 1);
    gsl_rng *rng = tu_rng(5);
    CU_ASSERT_FATAL(gf_land_direction(m, rng, d) == 0);
    gf_linear_slots ls;
    int layers = 0;
    for (int k = 0; gf_model_layer(m, k, &ls, NULL, 0) == 0; k++, layers++) {
        const gf_slot *s = &p->slot[ls.weight];
        for (size_t r = 0; r < s->rows; r++) {
            const double *dr = d + s->offset + r * s->cols, *wr = p->value + s->offset + r * s->cols;
            CU_ASSERT(fabs(tu_norm(dr, s->cols) - tu_norm(wr, s->cols)) <=
                      1e-12 * tu_norm(wr, s->cols));
        }
        memset(inlayer + s->offset, 1, s->rows * s->cols);
    }
    CU_ASSERT_EQUAL(layers, 6);
    size_t nonzero_outside = 0;
    for (size_t i = 0; i < p->size; i++)
        nonzero_outside += !inlayer[i] && d[i] != 0.0;
    CU_ASSERT_EQUAL(nonzero_outside, 0);
    /* a second direction differs (a check that can fail) */
    double *d2 = malloc(p->size * sizeof *d2);
    CU_ASSERT_FATAL(gf_land_direction(m, rng, d2) == 0);
    CU_ASSERT(tu_rel_err(d, d2, p->size) > 0.1);
    free(d2);
    free(inlayer);
    free(d);
    gsl_rng_free(rng);
    gf_model_free(m);
}

/* Train a small batch-norm net one epoch, save and reopen its checkpoint:
 * the path's ends are the initial net's loss and the loss the trainer
 * recorded, to the bit; the surface's centre is the trained loss. */
static void test_path_ends_and_centre(void)
{
    gf_dataset all, train;
    CU_ASSERT_FATAL(gf_synthetic_make(&all, 320, 6, 3, 1.0, 11) == 0);
    CU_ASSERT_FATAL(gf_dataset_slice(&train, &all, 0, 256) == 0);
    gf_dataset_release(&all);
    gf_model *m = small_model(GF_ARCH_RESNET, 8, 12, GF_NORM_BATCH, GF_ACT_RELU, 3);
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    CU_ASSERT_FATAL(m && tape);
    double *theta0 = gf_land_state(m);
    double init_loss, init_err;
    CU_ASSERT_FATAL(gf_evaluate(m, tape, &train, 50, NULL, &init_loss, &init_err) == 0);
    gf_train_config tc = {.batch = 32, .epochs = 1, .optim = gf_optim_config_default(GF_OPTIM_SGD),
                          .sched = {.kind = GF_SCHED_CONSTANT, .lr = 0.05}, .seed = 7,
                          .eval_batch = 50};
    char why[512], dir[] = "/tmp/gradflow-land-XXXXXX", path[64];
    gf_trainer *t = gf_trainer_alloc(m, &train, NULL, &tc, why, sizeof why);
    CU_ASSERT_FATAL(t != NULL);
    gf_epoch_stats e;
    CU_ASSERT_FATAL(gf_trainer_epoch(t, &e, why, sizeof why) == 0);
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/ck.safetensors", dir);
    CU_ASSERT_FATAL(gf_trainer_save(t, path, why, sizeof why) == 0);
    gf_trainer_free(t);
    gf_model *loaded = gf_model_open(path, NULL, NULL, NULL, why, sizeof why);
    CU_ASSERT_FATAL(loaded != NULL);
    double *theta1 = gf_land_state(loaded);
    const gf_land_eval ev = {.m = loaded, .tape = tape, .data = &train, .batch = 50};
    const double alpha[] = {0.0, 0.5, 1.0, 1.25};
    double loss[4], err[4];
    CU_ASSERT_FATAL(gf_land_path(&ev, theta0, theta1, alpha, 4, loss, err, why, sizeof why) == 0);
    CU_ASSERT(loss[0] == init_loss && err[0] == init_err);
    CU_ASSERT(loss[2] == e.train_loss && err[2] == e.train_err);
    CU_ASSERT(loss[0] != loss[2]);
    /* the model is left as it was */
    CU_ASSERT(memcmp(gf_model_params(loaded)->value, theta1,
                     gf_model_params(loaded)->size * sizeof *theta1) == 0);
    /* the surface: (0, 0) is the trained loss to the bit */
    const size_t P = gf_model_params(loaded)->size;
    double *d1 = malloc(P * sizeof *d1), *d2 = malloc(P * sizeof *d2), sl[9];
    gsl_rng *rng = tu_rng(9);
    CU_ASSERT_FATAL(gf_land_direction(loaded, rng, d1) == 0 &&
                    gf_land_direction(loaded, rng, d2) == 0);
    const double xs[] = {-0.5, 0.0, 0.5};
    CU_ASSERT_FATAL(gf_land_surface(&ev, theta1, d1, d2, xs, 3, xs, 3, sl, NULL, why,
                                    sizeof why) == 0);
    CU_ASSERT(sl[4] == e.train_loss);
    CU_ASSERT(sl[0] != sl[4] && sl[8] != sl[4]);
    /* three threads: the same numbers to the bit */
    gf_land_eval ev3 = ev;
    ev3.threads = 3;
    double sl3[9];
    CU_ASSERT_FATAL(gf_land_surface(&ev3, theta1, d1, d2, xs, 3, xs, 3, sl3, NULL, why,
                                    sizeof why) == 0);
    CU_ASSERT(memcmp(sl, sl3, sizeof sl) == 0);
    /* every point is the loss of its state on the tape (the stem's products
     * are made once per plane, so off the centre only to rounding) */
    double *at = malloc(P * sizeof *at);
    CU_ASSERT_FATAL(at != NULL);
    for (int k = 0; k < 9; k++) {
        for (size_t i = 0; i < P; i++)
            at[i] = theta1[i] + xs[k % 3] * d1[i] + xs[k / 3] * d2[i];
        double l;
        CU_ASSERT_FATAL(gf_land_loss(&ev, at, &l, NULL, why, sizeof why) == 0);
        if (!(fabs(sl[k] - l) <= 1e-12 * fabs(l)))
            fprintf(stderr, "\n  point %d: surface %.17g, tape %.17g\n", k, sl[k], l);
        CU_ASSERT(fabs(sl[k] - l) <= 1e-12 * fabs(l));
    }
    free(at);
    gsl_rng_free(rng);
    free(d1);
    free(d2);
    free(theta0);
    free(theta1);
    unlink(path);
    rmdir(dir);
    gf_model_free(loaded);
    gf_model_free(m);
    gf_tape_free(tape);
    gf_dataset_release(&train);
}

/* The loss at theta (for second differences). */
static double loss_at(const gf_land_eval *ev, const double *theta)
{
    double l, e;
    char why[256];
    return gf_land_loss(ev, theta, &l, &e, why, sizeof why) == 0 ? l : NAN;
}

/* H_ij by second differences of the loss alone (no gradients): an
 * independent Hessian of a small smooth (tanh) net. */
static void hessian_by_losses(const gf_land_eval *ev, const double *theta, const size_t *idx,
                              size_t n, double h, double *H)
{
    const size_t P = gf_model_params(ev->m)->size;
    double *t = malloc(P * sizeof *t);
    for (size_t a = 0; a < n; a++)
        for (size_t b = a; b < n; b++) {
            double f[4];
            for (int s = 0; s < 4; s++) {
                memcpy(t, theta, P * sizeof *t);
                t[idx[a]] += (s & 1 ? -h : h);
                t[idx[b]] += (s & 2 ? -h : h);
                f[s] = loss_at(ev, t);
            }
            H[a * n + b] = H[b * n + a] = (f[0] - f[1] - f[2] + f[3]) / (4.0 * h * h);
        }
    free(t);
}

static void test_hessian(void)
{
    gf_dataset ds;
    CU_ASSERT_FATAL(gf_synthetic_make(&ds, 40, 6, 3, 1.0, 2) == 0);
    gf_model *m = small_model(GF_ARCH_RESNET, 4, 4, GF_NORM_NONE, GF_ACT_TANH, 4);
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    CU_ASSERT_FATAL(m && tape);
    const size_t P = gf_model_params(m)->size;
    unsigned char *mask = malloc(P);
    gf_land_trainable_mask(m, mask);
    size_t *idx = malloc(P * sizeof *idx), n = 0;
    for (size_t i = 0; i < P; i++)
        if (mask[i])
            idx[n++] = i;
    CU_ASSERT_FATAL(n > 40);
    const gf_land_eval ev = {.m = m, .tape = tape, .data = &ds, .batch = 16};
    double *theta = gf_land_state(m), *H = malloc(n * n * sizeof *H);
    hessian_by_losses(&ev, theta, idx, n, 1e-4, H);
    gf_land_hessian hs;
    CU_ASSERT_FATAL(gf_land_hessian_init(&hs, &ev, theta) == 0);
    /* H v against the matrix, for a random v */
    gsl_rng *rng = tu_rng(8);
    double *v = calloc(P, sizeof *v), *hv = malloc(P * sizeof *hv), *ref = calloc(P, sizeof *ref);
    for (size_t a = 0; a < n; a++)
        v[idx[a]] = gsl_ran_gaussian(rng, 1.0);
    CU_ASSERT_FATAL(gf_land_hvp(&hs, v, hv) == 0);
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++)
            ref[idx[a]] += H[a * n + b] * v[idx[b]];
    const double rel = tu_rel_err(hv, ref, P);
    CU_ASSERT(rel < 1e-6); /* measured 1e-7: the second differences limit it */
    if (rel >= 1e-6)
        fprintf(stderr, "hvp: relative error %g\n", rel);
    CU_ASSERT(gf_land_hvp_error(&hs, v) < 1e-6);
    /* the top eigenvalue: power iteration against GSL's eigensolver */
    gsl_matrix_view Hm = gsl_matrix_view_array(H, n, n);
    gsl_vector *eval = gsl_vector_alloc(n);
    gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(n);
    CU_ASSERT_FATAL(gsl_eigen_symm(&Hm.matrix, eval, w) == 0);
    double top = 0.0;
    for (size_t a = 0; a < n; a++)
        if (fabs(gsl_vector_get(eval, a)) > fabs(top))
            top = gsl_vector_get(eval, a);
    double lambda;
    int iters;
    CU_ASSERT_FATAL(gf_land_top_eig(gf_land_hvp, &hs, P, mask, rng, 500, 1e-10, &lambda, NULL,
                                    &iters) == 0);
    CU_ASSERT(fabs(lambda - top) < 1e-6 * fabs(top));
    if (fabs(lambda - top) >= 1e-6 * fabs(top))
        fprintf(stderr, "top eigenvalue: %.10g by power iteration, %.10g exact (%d products)\n",
                lambda, top, iters);
    gsl_eigen_symm_free(w);
    gsl_vector_free(eval);
    gf_land_hessian_release(&hs);
    gsl_rng_free(rng);
    free(v);
    free(hv);
    free(ref);
    free(H);
    free(theta);
    free(idx);
    free(mask);
    gf_tape_free(tape);
    gf_model_free(m);
    gf_dataset_release(&ds);
}

/* A known symmetric matrix as a matvec. */
typedef struct known {
    const double *a;
    size_t n;
} known;

static int known_mv(void *ctx, const double *v, double *out)
{
    const known *k = ctx;
    for (size_t i = 0; i < k->n; i++) {
        out[i] = 0.0;
        for (size_t j = 0; j < k->n; j++)
            out[i] += k->a[i * k->n + j] * v[j];
    }
    return 0;
}

/* E[z^T A z] = tr A; Var = 2 sum_{i != j} a_ij^2 for a symmetric A. */
static void test_trace(void)
{
    const double a[16] = {4, 1, -2, 0.5, 1, 3, 0, 1, -2, 0, -1, 2, 0.5, 1, 2, 6};
    const known k = {a, 4};
    gsl_rng *rng = tu_rng(12);
    double mean, se;
    const int K = 20000;
    CU_ASSERT_FATAL(gf_land_trace(known_mv, (void *)&k, 4, NULL, rng, K, &mean, &se) == 0);
    double off = 0.0;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            off += i != j ? a[i * 4 + j] * a[i * 4 + j] : 0.0;
    const double se_true = sqrt(2.0 * off / K);
    CU_ASSERT(fabs(mean - 12.0) < 4.0 * se_true);
    CU_ASSERT(fabs(se - se_true) < 0.05 * se_true);
    /* a diagonal matrix: every sample is the trace */
    const double dg[9] = {1, 0, 0, 0, 2, 0, 0, 0, 3};
    const known kd = {dg, 3};
    CU_ASSERT_FATAL(gf_land_trace(known_mv, (void *)&kd, 3, NULL, rng, 10, &mean, &se) == 0);
    CU_ASSERT(mean == 6.0 && se == 0.0);
    /* power iteration on the same matrix against GSL */
    double copy[16], lambda;
    memcpy(copy, a, sizeof copy);
    gsl_matrix_view am = gsl_matrix_view_array(copy, 4, 4);
    gsl_vector *eval = gsl_vector_alloc(4);
    gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(4);
    gsl_eigen_symm(&am.matrix, eval, w);
    double top = 0.0;
    for (int i = 0; i < 4; i++)
        top = fabs(gsl_vector_get(eval, i)) > fabs(top) ? gsl_vector_get(eval, i) : top;
    CU_ASSERT(gf_land_top_eig(known_mv, (void *)&k, 4, NULL, rng, 1000, 1e-14, &lambda, NULL,
                              NULL) == 0);
    CU_ASSERT(fabs(lambda - top) < 1e-9 * fabs(top));
    gsl_eigen_symm_free(w);
    gsl_vector_free(eval);
    gsl_rng_free(rng);
}

/* Snapshots on a plane through the end: two directions explain everything,
 * and the coordinates keep the distances to the end. */
static void test_pca(void)
{
    gf_model *m = small_model(GF_ARCH_PLAIN, 4, 4, GF_NORM_NONE, GF_ACT_RELU, 1);
    CU_ASSERT_FATAL(m != NULL);
    const size_t P = gf_model_params(m)->size;
    enum { T = 6 };
    double *snaps = malloc(T * P * sizeof *snaps), *u = malloc(P * sizeof *u),
           *w = malloc(P * sizeof *w), *end = gf_land_state(m), coord[2 * T], share[2];
    gsl_rng *rng = tu_rng(2);
    tu_fill_gauss(u, P, rng, 1.0);
    tu_fill_gauss(w, P, rng, 1.0);
    for (int t = 0; t < T; t++)
        for (size_t i = 0; i < P; i++)
            snaps[t * P + i] = end[i] + (T - t) * u[i] + 0.3 * t * (T - t) * w[i];
    char why[256];
    CU_ASSERT_FATAL(gf_land_pca(m, snaps, T, end, coord, share, why, sizeof why) == 0);
    CU_ASSERT(fabs(share[0] + share[1] - 1.0) < 1e-12 && share[0] >= share[1]);
    for (int t = 0; t < T; t++) {
        const double d = gf_land_distance(m, snaps + t * P, end);
        CU_ASSERT(fabs(hypot(coord[2 * t], coord[2 * t + 1]) - d) < 1e-9 * (1.0 + d));
    }
    CU_ASSERT(gf_land_pca(m, snaps, 1, end, coord, share, why, sizeof why) == -1);
    gsl_rng_free(rng);
    free(snaps);
    free(u);
    free(w);
    free(end);
    gf_model_free(m);
}

/* Learning the identity: a residual stack whose branches start at zero is
 * the identity already; a plain one must learn it. */
static void test_identity(void)
{
    gf_stack_config c = tu_config(GF_ARCH_RESNET, 6, 8, 8, 8);
    c.init = GF_INIT_HE;
    c.zero_branch = 1;
    char why[256];
    gf_model *m = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why);
    gsl_rng *rng = tu_rng(1);
    CU_ASSERT_FATAL(m && gf_model_init(m, rng) == 0);
    const gf_identity_spec s = {.target = GF_TARGET_IDENTITY, .samples = 64, .batch = 16,
                                .steps = 20, .lr = 1e-3, .threshold = 1e-3, .record_every = 5,
                                .seed = 1};
    gf_identity_result r;
    CU_ASSERT_FATAL(gf_identity_run(m, &s, &r, why, sizeof why) == 0);
    CU_ASSERT(r.loss0 == 0.0 && r.steps_to == 0 && r.n_curve == 5);
    gf_identity_release(&r);
    gf_model_free(m);
    c.arch = GF_ARCH_PLAIN;
    c.zero_branch = 0;
    m = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why);
    CU_ASSERT_FATAL(m && gf_model_init(m, rng) == 0);
    gf_identity_spec s2 = s;
    s2.target = GF_TARGET_TEACHER;
    s2.steps = 200;
    CU_ASSERT_FATAL(gf_identity_run(m, &s2, &r, why, sizeof why) == 0);
    CU_ASSERT(r.loss0 > 0.1 && r.loss_final < r.loss0 && r.moved > 0.0);
    gf_identity_release(&r);
    gf_model_free(m);
    gsl_rng_free(rng);
}

CU_TestInfo landscape_tests[] = {
    {"filter-normalized directions: row norms equal the weight's", test_filter_normalization},
    {"1-D path ends at the checkpoints' losses; surface centre", test_path_ends_and_centre},
    {"Hessian-vector product and top eigenvalue vs the Hessian", test_hessian},
    {"Hutchinson's trace on a known matrix", test_trace},
    {"trajectory's principal directions", test_pca},
    {"learning the identity", test_identity},
    CU_TEST_INFO_NULL,
};
