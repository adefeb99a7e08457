/* gemm_floor.c: the matrix products one training step cannot avoid, alone.
 *
 * For every Linear (stem, fc1 and fc2 of each block, head) of a stack, the
 * engine (src/core/ops_linear.c) calls
 *   forward   y  = x W^T (+ y)   NoTrans, Trans;    beta 1 after a bias broadcast
 *   backward  dX = dY W  (+ dX)  NoTrans, NoTrans;  beta 1 when dX is already live
 *             dW = dY^T X        Trans, NoTrans;    beta 0 (each weight is used once)
 * in that order, layers in reverse for the backward pass. The floor issues
 * the same calls with the same arguments: weights and weight gradients are
 * the stack's own buffers; activations are one preallocated buffer per
 * layer (a step must keep them for backward), gradients two buffers used in
 * turn, all from gf_big_alloc as the tape's arena (same page size, so the
 * same TLB behaviour). Nothing else runs: no bias, relu, add, loss, probe or
 * bookkeeping.
 */
#include "bench.h"

#include <math.h>
#include <stdlib.h>

static size_t padded(size_t count) { return (count + 7) / 8 * 8; } /* 64 bytes */

int bench_floor_build(bench_floor *f, gf_stack *s, size_t batch, gsl_rng *rng)
{
    *f = (bench_floor){.n = (int)batch, .layers = 2 * s->blocks + 2};
    f->layer = calloc((size_t)f->layers, sizeof *f->layer);
    f->act = calloc((size_t)f->layers + 1, sizeof *f->act);
    if (!f->layer || !f->act) {
        bench_floor_release(f);
        return -1;
    }
    /* Layers in creation order, with the betas the engine uses: in a resnet
     * stack fc1 reads x_l itself, whose gradient the skip add has started
     * before fc1's dX (plain and preact feed fc1 a tensor nothing else
     * reads); the stem's input needs no gradient. */
    typedef struct {
        gf_linear_slots slots;
        double beta_dx;
    } plan;
    plan *order = malloc((size_t)f->layers * sizeof *order);
    if (!order) {
        bench_floor_release(f);
        return -1;
    }
    const double fc1_beta = s->cfg.arch == GF_ARCH_RESNET ? 1.0 : 0.0;
    int k = 0;
    order[k++] = (plan){s->stem, -1.0};
    for (int b = 0; b < s->blocks; b++) {
        order[k++] = (plan){s->block[b].fc1, fc1_beta};
        order[k++] = (plan){s->block[b].fc2, 0.0};
    }
    order[k++] = (plan){s->head, 0.0};
    size_t total = 0, widest = 0;
    for (k = 0; k < f->layers; k++) {
        const gf_slot *w = &s->params.slot[order[k].slots.weight];
        bench_gemm_layer *l = &f->layer[k];
        *l = (bench_gemm_layer){.in = (int)w->cols,
                                .out = (int)w->rows,
                                .w = w->t.v,
                                .dw = w->t.g,
                                .beta_y = order[k].slots.bias >= 0 ? 1.0 : 0.0,
                                .beta_dx = order[k].beta_dx};
        f->flops += 2.0 * (double)batch * l->in * l->out * (l->beta_dx >= 0.0 ? 3 : 2);
        total += padded(batch * (size_t)l->in);
        widest = widest > (size_t)l->in ? widest : (size_t)l->in;
        widest = widest > (size_t)l->out ? widest : (size_t)l->out;
    }
    free(order);
    total += padded(batch * (size_t)f->layer[f->layers - 1].out) + 2 * padded(batch * widest);
    f->memory = gf_big_alloc(total * sizeof(double)); /* as the engine's arena: huge pages */
    if (!f->memory) {
        bench_floor_release(f);
        return -1;
    }
    for (size_t i = 0; i < total; i++) /* O(1) values: nothing subnormal */
        f->memory[i] = gsl_rng_uniform(rng) - 0.5;
    double *p = f->memory;
    for (k = 0; k <= f->layers; k++) {
        f->act[k] = p;
        p += padded(batch * (size_t)(k < f->layers ? f->layer[k].in : f->layer[k - 1].out));
    }
    f->grad[0] = p;
    f->grad[1] = p + padded(batch * widest);
    return 0;
}

void bench_floor_run(const bench_floor *f)
{
    const int n = f->n;
    for (int k = 0; k < f->layers; k++) {
        const bench_gemm_layer *l = &f->layer[k];
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, l->out, l->in, 1.0, f->act[k],
                    l->in, l->w, l->in, l->beta_y, f->act[k + 1], l->out);
    }
    for (int k = f->layers; k-- > 0;) {
        const bench_gemm_layer *l = &f->layer[k];
        const double *dy = f->grad[k % 2];
        if (l->beta_dx >= 0.0)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, l->in, l->out, 1.0, dy,
                        l->out, l->w, l->in, l->beta_dx, f->grad[(k + 1) % 2], l->in);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, l->out, l->in, n, 1.0, dy, l->out,
                    f->act[k], l->in, 0.0, l->dw, l->in);
    }
}

size_t bench_floor_abnormal(const bench_floor *f)
{
    size_t count = 0, size = (size_t)(f->grad[1] - f->memory) + (size_t)(f->grad[1] - f->grad[0]);
    for (size_t i = 0; i < size; i++) {
        const int c = fpclassify(f->memory[i]);
        count += c != FP_NORMAL && c != FP_ZERO;
    }
    return count;
}

void bench_floor_release(bench_floor *f)
{
    free(f->memory);
    free(f->act);
    free(f->layer);
    *f = (bench_floor){0};
}

/* ---- square DGEMM ---------------------------------------------------------- */

double bench_square_dgemm_rate(int n, long *reps_out)
{
    const size_t nn = (size_t)n * (size_t)n;
    double *a = malloc(3 * nn * sizeof *a);
    if (!a)
        return NAN;
    for (size_t i = 0; i < 3 * nn; i++)
        a[i] = (double)(i % 1021) / 1021.0 - 0.5;
    double *b = a + nn, *cm = b + nn;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, cm, n);
    double t0 = bench_now();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, cm, n);
    const double once = bench_now() - t0;
    long reps = (long)ceil(0.5 / once);
    reps = reps < BENCH_MIN_REPS ? BENCH_MIN_REPS : reps > 1000 ? 1000 : reps;
    double *t = malloc((size_t)reps * sizeof *t);
    if (!t) {
        free(a);
        return NAN;
    }
    for (long i = 0; i < reps; i++) {
        t0 = bench_now();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, cm,
                    n);
        t[i] = bench_now() - t0;
    }
    const double rate = 2.0 * n * (double)n * n / bench_median(t, (size_t)reps) * 1e-9;
    *reps_out = reps;
    free(t);
    free(a);
    return rate;
}
