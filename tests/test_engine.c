/* test_engine.c: the tape as a whole: fan-out accumulation, skip connections,
 * repeated backward passes, reset without allocation, the scale exponent
 * through a 1000-layer stack, and vector-Jacobian products. */
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double FD_H = 1e-5, FD_TOL = 1e-6;

/* ---- fan-out ------------------------------------------------------------ */

static gf_tensor *build_self_add(gf_tape *t, tu_fd *c)
{
    gf_tensor *x = tu_fd_get(t, c, 0);
    return tu_mse_fixed(t, gf_add(t, x, x));
}

/* y = x + x: both uses add up, dL/dx = 2 dL/dy. */
static void test_add_self_accumulates(void)
{
    tu_fd_case k;
    tu_fd_case_open(&k, 11, build_self_add);
    const int x = tu_fd_leaf(&k.c, "x", 3, 4, 0);
    tu_fill_uniform(k.c.leaf[x].v, 12, k.r, -1, 1);
    CU_ASSERT_FATAL(tu_fd_analytic(k.tape, &k.c) == 0);
    double want[12];
    for (size_t i = 0; i < 12; i++) /* dL/dy = 2 (y - t) / 12, y = 2 x */
        want[i] = 2.0 * 2.0 * (2.0 * k.c.leaf[x].v[i] - tu_fixed(i + 17)) / 12.0;
    CU_ASSERT(tu_rel_err(k.c.leaf[x].g, want, 12) <= 1e-15);
    CU_ASSERT(tu_fd_check(k.tape, &k.c, FD_H, FD_TOL, "x + x") <= FD_TOL);
    tu_fd_case_close(&k);
}

/* h = tanh(x) feeds two branches: 2 h and tanh(h W^T + b). */
static gf_tensor *build_two_branches(gf_tape *t, tu_fd *c)
{
    gf_tensor *h = gf_tanh(t, tu_fd_get(t, c, 0));
    gf_tensor *a = gf_scale(t, h, 2.0);
    gf_tensor *b = gf_tanh(t, gf_linear(t, h, tu_fd_get(t, c, 1), tu_fd_get(t, c, 2)));
    return tu_mse_fixed(t, gf_add(t, a, b));
}

static void test_fanout_two_branches(void)
{
    tu_fd_case k;
    tu_fd_case_open(&k, 12, build_two_branches);
    tu_fd_linear_leaves(&k.c, k.r, 4, 5, 5);
    CU_ASSERT(tu_fd_check(k.tape, &k.c, FD_H, FD_TOL, "two branches") <= FD_TOL);
    tu_fd_case_close(&k);
}

/* ---- the probe's sums on wide rows ------------------------------------------ */

/* The probe's record of gradient g (32 x 70: two vectors of lanes and a tail
 * per row) with skip term s at exponent s_gexp (NULL: no split). */
static gf_probe_record probe_wide(double *g, double *s, int s_gexp)
{
    enum { N = 32, D = 70 };
    static double v[N * D];
    gf_tensor t, src;
    gf_tensor_bind(&t, N, D, v, g);
    gf_tensor_bind(&src, N, D, v, s);
    t.pass = src.pass = 1; /* a live gradient of one pass, as backward leaves it */
    src.gexp = s_gexp;
    gf_recorder rec;
    gf_recorder_init(&rec);
    CU_ASSERT_FATAL(gf_probe_attach(&rec, &t, GF_PROBE_BLOCK, 0, s ? &src : NULL) == 0);
    t.obs->fn(t.obs->ctx, &t);
    const gf_probe_record out = rec.rec[0];
    gf_recorder_release(&rec);
    return out;
}

/* On rows wider than the probe's lanes: the norms and the split against a
 * plain loop, and a skip term kept at another exponent (s_factor != 1) gives
 * the same bits as the same term at g's scale. */
static void test_probe_sums_on_wide_rows(void)
{
    enum { N = 32, D = 70 };
    static double g[N * D], s[N * D], half[N * D];
    gsl_rng *r = tu_rng(29);
    tu_fill_uniform(g, N * D, r, -1, 1);
    for (int i = 0; i < N * D; i++) {
        s[i] = 0.9 * g[i] + 0.05 * gsl_rng_uniform(r);
        half[i] = 0.5 * s[i];
    }
    double rows = 0, branch[N * D], dot = 0;
    for (int i = 0; i < N; i++)
        rows += tu_norm(g + i * D, D);
    for (int i = 0; i < N * D; i++) {
        branch[i] = g[i] - s[i];
        dot += s[i] * branch[i];
    }
    const gf_probe_record plain = probe_wide(g, NULL, 0), split = probe_wide(g, s, 0),
                          scaled = probe_wide(g, half, 1);
    CU_ASSERT(plain.observed && !plain.has_split && split.has_split);
    CU_ASSERT_DOUBLE_EQUAL(plain.log2_frob, log2(tu_norm(g, N * D)), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(plain.log2_sample_mean, log2(rows / N), 1e-12);
    CU_ASSERT_EQUAL(split.log2_frob, plain.log2_frob);
    CU_ASSERT_EQUAL(split.log2_sample_mean, plain.log2_sample_mean);
    CU_ASSERT_DOUBLE_EQUAL(split.log2_skip, log2(tu_norm(s, N * D)), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(split.log2_branch, log2(tu_norm(branch, N * D)), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(split.cos_skip_branch,
                           dot / (tu_norm(s, N * D) * tu_norm(branch, N * D)), 1e-12);
    CU_ASSERT(memcmp(&scaled.log2_skip, &split.log2_skip, sizeof split.log2_skip) == 0);
    CU_ASSERT(memcmp(&scaled.log2_branch, &split.log2_branch, sizeof split.log2_branch) == 0);
    CU_ASSERT(memcmp(&scaled.cos_skip_branch, &split.cos_skip_branch, sizeof(double)) == 0);
    gsl_rng_free(r);
}

/* ---- skip connection -------------------------------------------------------- */

/* u = identity(x) (the block input), y = tanh(u W^T + b) + u, L = mse(y, t).
 * dL/du must be the skip term dL/dy plus the branch term J_F^T dL/dy, and a
 * probe on u with y as skip source must measure both. */
static void test_skip_connection_sums_skip_and_branch(void)
{
    enum { N = 4, D = 5 };
    gsl_rng *r = tu_rng(13);
    double xv[N * D], wv[D * D], bv[D];
    tu_fill_uniform(xv, N * D, r, -1, 1);
    tu_fill_uniform(wv, D * D, r, -1, 1);
    tu_fill_uniform(bv, D, r, -1, 1);
    double wg[D * D], bg[D];
    gf_tensor W, B;
    gf_tensor_bind(&W, D, D, wv, wg);
    gf_tensor_bind(&B, 1, D, bv, bg);

    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    gf_recorder rec;
    gf_recorder_init(&rec);
    gf_tensor *x = gf_tape_input(tape, N, D);
    memcpy(x->v, xv, sizeof xv);
    x->flags |= GF_REQUIRES_GRAD;
    gf_tensor *u = gf_identity(tape, x);
    gf_tensor *y = gf_add(tape, gf_tanh(tape, gf_linear(tape, u, &W, &B)), u);
    CU_ASSERT_FATAL(gf_probe_attach(&rec, u, GF_PROBE_BLOCK, 0, y) == 0);
    gf_tensor *loss = tu_mse_fixed(tape, y);
    CU_ASSERT_FATAL(loss != NULL && gf_tape_backward(tape, loss) == 0);
    double total[N * D], skip[N * D], branch[N * D], want[N * D];
    gf_tensor_grad_export(u, total);
    for (int i = 0; i < N * D; i++)
        skip[i] = 2.0 * (y->v[i] - tu_fixed((size_t)i + 17)) / (N * D);

    /* The branch alone, seeded with the skip term: J_F^T dL/dy. */
    gf_tape *t2 = gf_tape_alloc(TU_CHUNK);
    gf_tensor *x2 = gf_tape_input(t2, N, D);
    memcpy(x2->v, xv, sizeof xv);
    x2->flags |= GF_REQUIRES_GRAD;
    gf_tensor *f = gf_tanh(t2, gf_linear(t2, x2, &W, &B));
    CU_ASSERT_FATAL(gf_tape_backward_from(t2, f, skip) == 0);
    gf_tensor_grad_export(x2, branch);
    for (int i = 0; i < N * D; i++)
        want[i] = skip[i] + branch[i];
    CU_ASSERT(tu_rel_err(total, want, N * D) <= 1e-14);
    CU_ASSERT(tu_norm(branch, N * D) > 1e-3 * tu_norm(skip, N * D));

    /* The probe's split. */
    const gf_probe_record *pr = gf_recorder_find(&rec, GF_PROBE_BLOCK, 0);
    CU_ASSERT_FATAL(pr != NULL);
    CU_ASSERT(pr->observed && pr->has_split);
    CU_ASSERT_DOUBLE_EQUAL(pr->log2_frob, log2(tu_norm(total, N * D)), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(pr->log2_skip, log2(tu_norm(skip, N * D)), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(pr->log2_branch, log2(tu_norm(branch, N * D)), 1e-12);
    double dot = 0;
    for (int i = 0; i < N * D; i++)
        dot += skip[i] * branch[i];
    CU_ASSERT_DOUBLE_EQUAL(pr->cos_skip_branch,
                           dot / (tu_norm(skip, N * D) * tu_norm(branch, N * D)), 1e-12);
    double rows = 0;
    for (int i = 0; i < N; i++)
        rows += tu_norm(total + i * D, D);
    CU_ASSERT_DOUBLE_EQUAL(pr->log2_sample_mean, log2(rows / N), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(pr->log2_rms, log2(tu_norm(total, N * D) / sqrt(N * D)), 1e-12);

    gf_tape_free(t2);
    gf_tape_free(tape);
    gf_recorder_release(&rec);
    gsl_rng_free(r);
}

/* ---- concatenation ------------------------------------------------------------ */

static gf_tensor *build_concat_self(gf_tape *t, tu_fd *c)
{
    gf_tensor *x = tu_fd_get(t, c, 0), *z = tu_fd_get(t, c, 1);
    gf_tensor *xs[3] = {x, z, x};
    return tu_mse_fixed(t, gf_concat(t, xs, 3));
}

/* [x, z, x]: x's gradient is the sum of its two slices of dL/dy. */
static void test_concat_self_accumulates(void)
{
    enum { N = 3, DX = 2, DZ = 3, DY = 2 * DX + DZ };
    tu_fd_case k;
    tu_fd_case_open(&k, 14, build_concat_self);
    tu_fill_uniform(k.c.leaf[tu_fd_leaf(&k.c, "x", N, DX, 0)].v, N * DX, k.r, -1, 1);
    tu_fill_uniform(k.c.leaf[tu_fd_leaf(&k.c, "z", N, DZ, 1)].v, N * DZ, k.r, -1, 1);
    CU_ASSERT_FATAL(tu_fd_analytic(k.tape, &k.c) == 0);
    double want[N * DX];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < DX; j++) {
            const double y1 = k.c.leaf[0].v[i * DX + j];
            const size_t k1 = (size_t)(i * DY + j), k2 = (size_t)(i * DY + DX + DZ + j);
            want[i * DX + j] = 2.0 * (y1 - tu_fixed(k1 + 17)) / (N * DY) +
                               2.0 * (y1 - tu_fixed(k2 + 17)) / (N * DY);
        }
    CU_ASSERT(tu_rel_err(k.c.leaf[0].g, want, N * DX) <= 1e-15);
    CU_ASSERT(tu_fd_check(k.tape, &k.c, FD_H, FD_TOL, "concat [x, z, x]") <= FD_TOL);
    tu_fd_case_close(&k);
}

/* ---- repeated passes ---------------------------------------------------------- */

typedef struct snapshot {
    double *param_grad;
    double **probe_grad;
    gf_probe_record *rec;
    size_t n_rec;
    double loss;
} snapshot;

static void take(snapshot *s, const tu_run *r)
{
    const gf_params *p = &r->s->params;
    s->param_grad = calloc(p->size ? p->size : 1, sizeof(double));
    for (size_t i = 0; i < p->n_slots; i++)
        if (p->slot[i].kind == GF_SLOT_PARAM)
            gf_tensor_grad_export(&p->slot[i].t, s->param_grad + p->slot[i].offset);
    s->n_rec = r->rec.n;
    s->rec = malloc(s->n_rec * sizeof *s->rec);
    memcpy(s->rec, r->rec.rec, s->n_rec * sizeof *s->rec);
    s->probe_grad = calloc(s->n_rec, sizeof *s->probe_grad);
    for (size_t i = 0; i < s->n_rec; i++) {
        const gf_probe_record *pr = &r->rec.rec[i];
        s->probe_grad[i] = malloc(pr->n * pr->d * sizeof(double));
        gf_tensor_grad_export(pr->tensor, s->probe_grad[i]);
    }
    s->loss = r->loss->v[0];
}

static int same(const snapshot *a, const snapshot *b, size_t params)
{
    int ok = a->n_rec == b->n_rec && a->loss == b->loss &&
             memcmp(a->param_grad, b->param_grad, params * sizeof(double)) == 0;
    for (size_t i = 0; ok && i < a->n_rec; i++) {
        const gf_probe_record *x = &a->rec[i], *y = &b->rec[i];
        ok = x->kind == y->kind && x->block == y->block && x->observed == y->observed &&
             memcmp(&x->log2_frob, &y->log2_frob, sizeof(double)) == 0 &&
             memcmp(&x->log2_skip, &y->log2_skip, sizeof(double)) == 0 &&
             memcmp(&x->log2_branch, &y->log2_branch, sizeof(double)) == 0 &&
             memcmp(a->probe_grad[i], b->probe_grad[i], x->n * x->d * sizeof(double)) == 0;
    }
    return ok;
}

static void drop(snapshot *s)
{
    for (size_t i = 0; i < s->n_rec; i++)
        free(s->probe_grad[i]);
    free(s->probe_grad);
    free(s->rec);
    free(s->param_grad);
}

/* Backward twice on one tape, and a reset with a second identical step,
 * give the same bytes: nothing stale accumulates. */
static void test_backward_twice_identical(void)
{
    static const struct { gf_arch arch; gf_norm norm; int depth; } cfgs[] = {
        {GF_ARCH_PLAIN, GF_NORM_NONE, 40}, /* deep enough for the probes to renormalize */
        {GF_ARCH_RESNET, GF_NORM_BATCH, 12},
        {GF_ARCH_PREACT, GF_NORM_LAYER, 12},
    };
    for (size_t k = 0; k < sizeof cfgs / sizeof *cfgs; k++) {
        gf_stack_config c = tu_small_config(cfgs[k].arch, cfgs[k].depth, 16);
        c.norm = cfgs[k].norm;
        tu_run r;
        CU_ASSERT_FATAL(tu_run_stack(&r, &c, 21 + k, 8, 1) == 0);
        snapshot a, b, d;
        take(&a, &r);
        CU_ASSERT_FATAL(gf_tape_backward(r.tape, r.loss) == 0);
        take(&b, &r);
        CU_ASSERT(same(&a, &b, r.s->params.size));
        /* batch norm's running statistics move, but not the batch statistics */
        CU_ASSERT_FATAL(tu_run_step(&r, 1) == 0);
        take(&d, &r);
        CU_ASSERT(same(&a, &d, r.s->params.size));
        drop(&a);
        drop(&b);
        drop(&d);
        tu_run_release(&r);
    }
}

/* ---- arena reuse ---------------------------------------------------------------- */

/* After one warm-up step, reset and an identical step allocate nothing. */
static void test_reset_reuses_the_arena(void)
{
    static const size_t chunks[2] = {4096, 0};
    for (int k = 0; k < 2; k++) {
        gf_stack_config c = tu_small_config(GF_ARCH_RESNET, 8, 32);
        c.norm = GF_NORM_BATCH;
        tu_run r;
        CU_ASSERT_FATAL(tu_run_stack_chunk(&r, &c, 31, 16, 1, chunks[k]) == 0);
        gf_arena *a = gf_tape_arena(r.tape);
        const size_t mallocs = gf_arena_mallocs(a), bytes = gf_arena_bytes_reserved(a);
        const size_t nodes = gf_tape_nodes(r.tape);
        if (chunks[k])
            CU_ASSERT(mallocs > 2); /* small chunks: the reuse of many is tested */
        for (int step = 0; step < 3; step++) {
            CU_ASSERT_FATAL(tu_run_step(&r, 1) == 0);
            CU_ASSERT_EQUAL(gf_arena_mallocs(a), mallocs);
            CU_ASSERT_EQUAL(gf_arena_bytes_reserved(a), bytes);
            CU_ASSERT_EQUAL(gf_tape_nodes(r.tape), nodes);
        }
        tu_run_release(&r);
    }
}

/* ---- the scale exponent ---------------------------------------------------------- */

/* A 1000-layer plain relu stack under the torch init loses hundreds of
 * decades: the probes must still report the number, exactly. */
static void test_scale_exponent_depth_1000(void)
{
    gf_stack_config c = tu_small_config(GF_ARCH_PLAIN, 1000, 32);
    tu_run r;
    CU_ASSERT_FATAL(tu_run_stack(&r, &c, 41, 16, 1) == 0);
    const int B = r.s->blocks;
    CU_ASSERT_EQUAL(B, 499);
    const gf_probe_record *first = gf_recorder_find(&r.rec, GF_PROBE_BLOCK, 0);
    const gf_probe_record *last = gf_recorder_find(&r.rec, GF_PROBE_BLOCK, B);
    CU_ASSERT_FATAL(first && last);
    CU_ASSERT(first->observed && last->observed);
    CU_ASSERT(isfinite(first->log2_frob) && isfinite(last->log2_frob));
    const double decades = (first->log2_frob - last->log2_frob) * log10(2.0);
    CU_ASSERT(decades < -300.0);
    /* Theory: a factor 1/6 per block (see the theory suite); finite width
     * fluctuates around it. */
    double gains[499];
    char why[128];
    CU_ASSERT_FATAL(gf_theory_plain_block_gains(&c, gains, why, sizeof why) == 0);
    double predicted = 0;
    for (int l = 0; l < B; l++)
        predicted += gains[l];
    CU_ASSERT(fabs(decades - predicted) < 0.15 * fabs(predicted));
    /* Every boundary was measured, finite, and the norm falls overall. */
    for (int l = 0; l <= B; l++) {
        const gf_probe_record *pr = gf_recorder_find(&r.rec, GF_PROBE_BLOCK, l);
        CU_ASSERT(pr && pr->observed && isfinite(pr->log2_frob));
    }
    /* The export: entries underflow to 0 at true scale, but its log2 is exact
     * and equal to the probe's. */
    const size_t size = first->n * first->d;
    double *g = malloc(size * sizeof *g);
    const double l2 = gf_tensor_grad_export(first->tensor, g);
    CU_ASSERT(isfinite(l2));
    CU_ASSERT_DOUBLE_EQUAL(l2, first->log2_frob, 1e-9 * fabs(l2));
    CU_ASSERT(l2 < -1100.0); /* below the smallest subnormal */
    size_t nonzero = 0;
    for (size_t i = 0; i < size; i++)
        nonzero += g[i] != 0.0;
    CU_ASSERT_EQUAL(nonzero, 0);
    /* The export of x_B is an ordinary number and agrees too. */
    const size_t sb = last->n * last->d;
    double *gb = malloc(sb * sizeof *gb);
    const double lb = gf_tensor_grad_export(last->tensor, gb);
    CU_ASSERT_DOUBLE_EQUAL(lb, last->log2_frob, 1e-12 * fmax(1.0, fabs(lb)));
    CU_ASSERT_DOUBLE_EQUAL(log2(tu_norm(gb, sb)), lb, 1e-12 * fmax(1.0, fabs(lb)));
    free(gb);
    free(g);
    tu_run_release(&r);
}

/* Parameter gradients are at true scale after backward (gf_core.h), also
 * where probes renormalized the gradient on its way down. */
static void test_param_grads_at_true_scale(void)
{
    gf_stack_config c = tu_small_config(GF_ARCH_PLAIN, 40, 16);
    tu_run r;
    CU_ASSERT_FATAL(tu_run_stack(&r, &c, 51, 8, 1) == 0);
    const gf_probe_record *first = gf_recorder_find(&r.rec, GF_PROBE_BLOCK, 0);
    const gf_probe_record *last = gf_recorder_find(&r.rec, GF_PROBE_BLOCK, r.s->blocks);
    CU_ASSERT_FATAL(first && last);
    /* the premise: more than the probes' renormalization window was lost */
    CU_ASSERT(last->log2_frob - first->log2_frob > 2 * 16);
    const gf_params *p = &r.s->params;
    int bad = 0;
    for (size_t i = 0; i < p->n_slots; i++) {
        const gf_slot *sl = &p->slot[i];
        if (sl->kind != GF_SLOT_PARAM)
            continue;
        const size_t n = sl->rows * sl->cols;
        double *g = malloc(n * sizeof *g);
        const double l2 = gf_tensor_grad_export(&sl->t, g);
        const double *raw = p->grad + sl->offset;
        if (sl->t.g != raw || memcmp(g, raw, n * sizeof *g) != 0 ||
            fabs(log2(tu_norm(raw, n)) - l2) > 1e-9) {
            if (!bad++)
                fprintf(stderr, "\n  %s: raw gradient norm 2^%.4f, true 2^%.4f\n", sl->name,
                        log2(tu_norm(raw, n)), l2);
        }
        free(g);
    }
    CU_ASSERT_EQUAL(bad, 0);
    tu_run_release(&r);
}

/* ---- vector-Jacobian products --------------------------------------------------- */

static gf_tensor *build_vjp(gf_tape *t, tu_fd *c)
{
    gf_tensor *x = tu_fd_get(t, c, 0); /* once: a tape leaf is a new tensor per call */
    gf_tensor *h = gf_tanh(t, gf_linear(t, x, tu_fd_get(t, c, 1), tu_fd_get(t, c, 2)));
    gf_tensor *gb[2] = {h, x};
    return gf_concat(t, gb, 2); /* 4 x (3 + 5), not a scalar */
}

static void test_backward_from_cotangent(void)
{
    tu_fd_case k;
    tu_fd_case_open(&k, 61, build_vjp);
    tu_fd_linear_leaves(&k.c, k.r, 4, 5, 3);
    double seed[4 * 8];
    tu_fill_uniform(seed, 32, k.r, -1, 1);
    k.c.seed = seed;
    CU_ASSERT(tu_fd_check(k.tape, &k.c, FD_H, FD_TOL, "VJP") <= FD_TOL);
    /* A cotangent of zeros gives zero gradients, not stale ones. */
    double zero[4 * 8] = {0};
    k.c.seed = zero;
    CU_ASSERT_FATAL(tu_fd_analytic(k.tape, &k.c) == 0);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(tu_norm(k.c.leaf[i].g, k.c.leaf[i].n * k.c.leaf[i].d), 0.0);
    tu_fd_case_close(&k);
}

/* A tensor that backward never reached exports zeros and -inf; a loss that
 * needs no gradient is refused. */
static void test_unreached_and_refused(void)
{
    gf_tape *tape = gf_tape_alloc(TU_CHUNK);
    gf_tensor *x = gf_tape_input(tape, 2, 2), *z = gf_tape_input(tape, 2, 2);
    for (int i = 0; i < 4; i++)
        x->v[i] = z->v[i] = i;
    x->flags |= GF_REQUIRES_GRAD;
    gf_tensor *other = gf_tanh(tape, z); /* no gradient needed */
    gf_tensor *loss = tu_mse_fixed(tape, gf_scale(tape, x, 3.0));
    CU_ASSERT_FATAL(loss != NULL);
    CU_ASSERT(gf_tape_backward(tape, loss) == 0);
    double g[4] = {1, 1, 1, 1};
    CU_ASSERT(gf_tensor_grad_export(other, g) == -INFINITY);
    CU_ASSERT(g[0] == 0 && g[3] == 0);
    CU_ASSERT(isfinite(gf_tensor_grad_export(x, g)));
    CU_ASSERT(gf_tape_backward(tape, tu_mse_fixed(tape, other)) != 0);
    CU_ASSERT_STRING_EQUAL(gf_tape_error(tape),
                           "backward: the output does not depend on anything differentiable");
    gf_tape_free(tape);
}

/* ---- observers -------------------------------------------------------- */

/* An observer that copies the gradient it sees (at true scale), then moves a
 * factor 2^10 into the scale exponent, as a probe's renormalization does. */
typedef struct seen {
    int calls;
    double g[6];
} seen;

static void copy_and_rescale(void *ctx, gf_tensor *t)
{
    seen *s = ctx;
    s->calls++;
    memcpy(s->g, t->g, sizeof s->g);
    gf_scale_pow2(s->g, 6, t->gexp);
    gf_scale_pow2(t->g, gf_tensor_size(t), -10);
    t->gexp += 10;
}

/* The backward driver calls a tensor's observer once with its final
 * gradient; a power-of-two rescale there changes no gradient downstream; a
 * probe will not share a tensor with a foreign observer. */
static void test_observer_hook(void)
{
    double wv[6] = {0.5, -1, 2, 0.25, 1, -0.75}, wg[6], plain[6], observed[6], hg[6];
    gf_tensor w;
    gf_tensor_bind(&w, 2, 3, wv, wg);
    seen s = {0};
    const gf_observer obs = {copy_and_rescale, &s};
    for (int with = 0; with < 2; with++) {
        gf_tape *tape = gf_tape_alloc(TU_CHUNK);
        gf_tensor *x = gf_tape_input(tape, 3, 3);
        for (int i = 0; i < 9; i++)
            x->v[i] = tu_fixed((size_t)i);
        gf_tensor *h = gf_linear(tape, x, &w, NULL); /* 3 x 2 */
        CU_ASSERT_FATAL(h != NULL);
        if (with) {
            h->obs = &obs;
            gf_recorder rec;
            gf_recorder_init(&rec);
            CU_ASSERT_EQUAL(gf_probe_attach(&rec, h, GF_PROBE_BLOCK, 0, NULL), -1);
            gf_recorder_release(&rec);
        }
        gf_tensor *loss = tu_mse_fixed(tape, gf_tanh(tape, h));
        CU_ASSERT_FATAL(loss && gf_tape_backward(tape, loss) == 0);
        gf_tensor_grad_export(&w, with ? observed : plain);
        if (with)
            gf_tensor_grad_export(h, hg);
        gf_tape_free(tape);
    }
    CU_ASSERT_EQUAL(s.calls, 1);
    CU_ASSERT(memcmp(s.g, hg, sizeof hg) == 0);
    CU_ASSERT(memcmp(plain, observed, sizeof plain) == 0);
}

/* A bound parameter used on a second tape, after the first is gone, gets a
 * fresh gradient: the first tape's pass must not leak into the second. */
static void test_parameter_on_a_second_tape(void)
{
    double wv[6] = {0.5, -1, 2, 0.25, 1, -0.75}, wg[6], first[6], second[6];
    gf_tensor w;
    gf_tensor_bind(&w, 2, 3, wv, wg);
    for (int pass = 0; pass < 2; pass++) {
        gf_tape *tape = gf_tape_alloc(TU_CHUNK);
        gf_tensor *x = gf_tape_input(tape, 4, 3);
        for (int i = 0; i < 12; i++)
            x->v[i] = tu_fixed((size_t)i);
        gf_tensor *loss = tu_mse_fixed(tape, gf_linear(tape, x, &w, NULL));
        CU_ASSERT_FATAL(loss && gf_tape_backward(tape, loss) == 0);
        gf_tensor_grad_export(&w, pass ? second : first);
        gf_tape_free(tape);
    }
    CU_ASSERT(memcmp(first, second, sizeof first) == 0);
    CU_ASSERT(memcmp(wg, second, sizeof wg) == 0);
}

CU_TestInfo engine_tests[] = {
    {"y = x + x accumulates both uses", test_add_self_accumulates},
    {"a tensor feeding two branches gets the sum", test_fanout_two_branches},
    {"skip connection: gradient = skip + branch (and the probe's split)",
     test_skip_connection_sums_skip_and_branch},
    {"the probe's sums on rows wider than its lanes, skip term scaled or not",
     test_probe_sums_on_wide_rows},
    {"concat of a tensor with itself accumulates", test_concat_self_accumulates},
    {"backward twice and a reset step give identical bytes", test_backward_twice_identical},
    {"reset: no arena malloc after warm-up", test_reset_reuses_the_arena},
    {"depth 1000: scale exponent keeps the norm exact", test_scale_exponent_depth_1000},
    {"parameter gradients end at true scale", test_param_grads_at_true_scale},
    {"gf_tape_backward_from: VJP matches finite differences", test_backward_from_cotangent},
    {"unreached tensors export zero; a constant loss is refused", test_unreached_and_refused},
    {"a parameter on a second tape gets a fresh gradient", test_parameter_on_a_second_tape},
    {"an observer sees the final gradient once; its rescale changes nothing",
     test_observer_hook},
    CU_TEST_INFO_NULL,
};
