/* bench_conv.c: convolution forward and backward (gf_conv2d) on the shapes
 * of He et al.'s CIFAR ResNet at 28 x 28 (Fashion-MNIST), against the
 * machine's DGEMM rate (issue 11, part 6: 60 % or more of it).
 *
 * Per layer (batch 128 by default, NHWC, no bias as in the ResNets), the
 * convolution's rounds, then the GEMM-only rounds (not interleaved: OpenBLAS's
 * threads, still spinning after a GEMM-only call, slowed the convolution's
 * OpenMP threads that came next; s1's forward measured 11.4 ms interleaved,
 * 8.0 ms alone):
 *
 *   forward   gf_conv2d on a reset tape (im2col per chunk + GEMM);
 *   backward  gf_tape_backward_from on the output (dW, dX: im2col again,
 *             two GEMMs per chunk, col2im);
 *   GEMM fwd  the forward's product alone, M x c_out x K in one call on a
 *             ready im2col matrix (what the layer costs if im2col were free);
 *   GEMM bwd  the backward's two products alone, likewise.
 *
 * FLOPs: forward 2 M K c_out (M = n ho wo output pixels, K = c_in kh kw),
 * backward twice that (dW and dX). The rate is divided by the square DGEMM
 * rate (n = 1024, on the same clock). Speed is measured here and never asserted;
 * the exit status says only whether the run worked. --layer NAME times one
 * layer alone (for a profiler: perf record ./bench_conv --layer s1
 * --no-gemm-only). The convolution runs on one thread unless the library was
 * built with -Dopenmp=enabled; the DGEMM rate uses the BLAS's threads, so
 * with OPENBLAS_NUM_THREADS unset on 2 cores the ratio compares one thread
 * with two: run both ways (and both builds) on a quiet machine.
 */
#include "bench.h"

#include "core/gf_conv.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static const char PROG[] = "bench_conv";

typedef struct layer {
    const char *name, *what;
    gf_image_shape in;
    size_t c_out;
    gf_conv_geom g;
} layer;

/* The CIFAR ResNet on 28 x 28 inputs: stem, the three stages' 3x3 convs and
 * the stride-2 transitions; DenseNet-BC's 1x1 bottleneck for comparison. */
static const layer LAYERS[] = {
    {"stem", "28x28x1 -> 16, 3x3", {28, 28, 1}, 16, {3, 3, 1, 1}},
    {"s1", "28x28x16 -> 16, 3x3", {28, 28, 16}, 16, {3, 3, 1, 1}},
    {"t2", "28x28x16 -> 32, 3x3 s2", {28, 28, 16}, 32, {3, 3, 2, 1}},
    {"s2", "14x14x32 -> 32, 3x3", {14, 14, 32}, 32, {3, 3, 1, 1}},
    {"t3", "14x14x32 -> 64, 3x3 s2", {14, 14, 32}, 64, {3, 3, 2, 1}},
    {"s3", "7x7x64 -> 64, 3x3", {7, 7, 64}, 64, {3, 3, 1, 1}},
    {"b1x1", "14x14x96 -> 48, 1x1", {14, 14, 96}, 48, {1, 1, 1, 0}},
};
enum { N_LAYERS = sizeof LAYERS / sizeof *LAYERS, MAX_REPS = 500 };

typedef struct options {
    long batch, reps;
    double budget;
    const char *only;
    int cpu_clock; /* 1: this thread's CPU time (--clock cpu) */
    int no_gemm;   /* 1: skip the GEMM-only timings (--no-gemm-only, for profilers) */
} options;

/* The clock of the run: wall time, or this thread's CPU time (robust to
 * other processes on a shared machine; blind to work on other BLAS threads,
 * so use it with OPENBLAS_NUM_THREADS=1). */
static double (*clock_now)(void) = bench_now;

typedef struct result {
    double fwd, bwd, gfwd, gbwd; /* medians, seconds */
    double flops;                /* forward */
    long reps;
    double others;
    double faults; /* minor page faults per round while timing (should be 0) */
} result;

static long minor_faults(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt;
}

/* GFLOP/s of C = A B at n x n on the run's clock: median of reps. */
static double square_rate(int n, long reps)
{
    const size_t nn = (size_t)n * (size_t)n;
    double *a = gf_big_alloc(3 * nn * sizeof *a), t[64];
    if (!a)
        return NAN;
    for (size_t i = 0; i < 3 * nn; i++)
        a[i] = (double)(i % 1021) / 1021.0 - 0.5;
    reps = reps > 64 ? 64 : reps;
    for (long i = -1; i < reps; i++) { /* one warm-up */
        const double t0 = clock_now();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, a + nn, n, 0.0,
                    a + 2 * nn, n);
        if (i >= 0)
            t[i] = clock_now() - t0;
    }
    free(a);
    return 2.0 * n * (double)n * n / bench_median(t, (size_t)reps) * 1e-9;
}

static int parse(int argc, char **argv, void *opts)
{
    options *o = opts;
    static const struct option longs[] = {{"batch", required_argument, NULL, 'b'},
                                          {"reps", required_argument, NULL, 'r'},
                                          {"budget", required_argument, NULL, 't'},
                                          {"layer", required_argument, NULL, 'l'},
                                          {"clock", required_argument, NULL, 'c'},
                                          {"no-gemm-only", no_argument, NULL, 'n'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    *o = (options){.batch = 128, .reps = 0, .budget = 1.0, .only = NULL};
    int c;
    long budget_ms = 1000;
    opterr = 0; /* getopt's own message names argv[0]: ours names PROG */
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        if (c == 'b' && bench_parse_long(PROG, "--batch", optarg, 1, 4096, &o->batch) != 0)
            return -1;
        if (c == 'r' && bench_parse_long(PROG, "--reps", optarg, 1, MAX_REPS, &o->reps) != 0)
            return -1;
        if (c == 't' && bench_parse_long(PROG, "--budget", optarg, 10, 600000, &budget_ms) != 0)
            return -1;
        if (c == 'l')
            o->only = optarg;
        if (c == 'n')
            o->no_gemm = 1;
        if (c == 'c' && strcmp(optarg, "cpu") != 0 && strcmp(optarg, "wall") != 0) {
            fprintf(stderr, "%s: --clock wants wall or cpu, not '%s'\n", PROG, optarg);
            return -1;
        }
        if (c == 'c')
            o->cpu_clock = strcmp(optarg, "cpu") == 0;
        if (c == 'h') {
            printf("usage: %s [--batch N] [--reps N] [--budget MS] [--clock wall|cpu] "
                   "[--layer NAME]\n"
                   "  convolution forward/backward GFLOP/s on the CIFAR-ResNet shapes at 28x28;\n"
                   "  --budget: milliseconds of timing per layer (default 1000); --clock cpu:\n"
                   "  this thread's CPU time (with OPENBLAS_NUM_THREADS=1 on a busy machine);\n"
                   "  --no-gemm-only: time gf_conv2d alone (for a profiler); --layer: one of",
                   PROG);
            for (int i = 0; i < N_LAYERS; i++)
                printf(" %s", LAYERS[i].name);
            printf(" unit\n");
            return 1;
        }
        if (c == '?')
            return bench_unknown_option(PROG, argv[optind - 1]);
    }
    o->budget = (double)budget_ms * 1e-3;
    int known = !o->only || strcmp(o->only, "unit") == 0;
    for (int i = 0; i < N_LAYERS; i++)
        known |= o->only && strcmp(o->only, LAYERS[i].name) == 0;
    if (!known) {
        fprintf(stderr, "%s: no layer named '%s' (see --help)\n", PROG, o->only);
        return -1;
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", PROG, argv[optind]);
        return -1;
    }
    return 0;
}

/* The buffers of one layer: input and weight as bound leaves, the output
 * gradient, and the GEMM-only operands. */
typedef struct bufs {
    gf_tensor x, w;
    double *xv, *xg, *wv, *wg, *seed, *cols, *dcols, *y, *dw;
    size_t M, K;
} bufs;

static int bufs_alloc(bufs *b, const layer *l, size_t n, gsl_rng *r)
{
    const gf_image_shape out = gf_conv_out_shape(l->in, l->g, l->c_out);
    const size_t nx = n * gf_image_size(l->in), K = l->in.c * l->g.kh * l->g.kw;
    const size_t M = n * out.h * out.w, nw = l->c_out * K;
    double *p = gf_big_alloc((2 * nx + 2 * nw + 2 * M * l->c_out + 2 * M * K + nw) *
                             sizeof(double));
    if (!p)
        return -1;
    *b = (bufs){.xv = p, .xg = p + nx, .wv = p + 2 * nx, .wg = p + 2 * nx + nw, .M = M, .K = K};
    b->seed = b->wg + nw;
    b->y = b->seed + M * l->c_out;
    b->cols = b->y + M * l->c_out;
    b->dcols = b->cols + M * K;
    b->dw = b->dcols + M * K;
    for (size_t i = 0; i < nx; i++)
        b->xv[i] = gsl_rng_uniform(r) - 0.5;
    for (size_t i = 0; i < nw; i++)
        b->wv[i] = (gsl_rng_uniform(r) - 0.5) * 0.2;
    for (size_t i = 0; i < M * l->c_out; i++)
        b->seed[i] = gsl_rng_uniform(r) - 0.5;
    for (size_t i = 0; i < M * K; i++)
        b->cols[i] = gsl_rng_uniform(r) - 0.5;
    gf_tensor_bind(&b->x, n, gf_image_size(l->in), b->xv, b->xg);
    gf_tensor_bind(&b->w, l->c_out, K, b->wv, b->wg);
    return 0;
}

/* The products a convolution cannot avoid, on ready operands. */
static void gemm_fwd(const bufs *b, int co)
{
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b->M, co, (int)b->K, 1.0, b->cols,
                (int)b->K, b->wv, (int)b->K, 0.0, b->y, co);
}
static void gemm_bwd(const bufs *b, int co)
{
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, co, (int)b->K, (int)b->M, 1.0, b->seed,
                co, b->cols, (int)b->K, 0.0, b->dw, (int)b->K);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b->M, (int)b->K, co, 1.0, b->seed,
                co, b->wv, (int)b->K, 0.0, b->dcols, (int)b->K);
}

/* One round of a phase: the convolution (phase 0: t[0] forward, t[1]
 * backward) or the GEMM-only products (phase 1: t[2], t[3]); 0 or -1 (the
 * tape failed). */
static int round_once(gf_tape *tape, const layer *l, bufs *b, int phase, double *t)
{
    double t0 = clock_now();
    if (phase == 1) {
        gemm_fwd(b, (int)l->c_out);
        t[2] = clock_now() - t0;
        t0 = clock_now();
        gemm_bwd(b, (int)l->c_out);
        t[3] = clock_now() - t0;
        return 0;
    }
    gf_tape_reset(tape);
    gf_tensor *y = gf_conv2d(tape, &b->x, l->in, &b->w, NULL, l->g);
    t[0] = clock_now() - t0;
    if (!y)
        return -1;
    t0 = clock_now();
    if (gf_tape_backward_from(tape, y, b->seed) != 0)
        return -1;
    t[1] = clock_now() - t0;
    return 0;
}

static int run_layer(const layer *l, const options *o, gsl_rng *r, result *res)
{
    bufs b = {.xv = NULL};
    gf_tape *tape = gf_tape_alloc(0);
    double *t = malloc(4 * MAX_REPS * sizeof *t);
    int rc = -1;
    if (!tape || !t || bufs_alloc(&b, l, (size_t)o->batch, r) != 0)
        goto done;
    double once[4] = {NAN, NAN, NAN, NAN};
    for (int warm = 0; warm < 2; warm++) /* then scratch, arena and BLAS buffers are in place */
        if (round_once(tape, l, &b, 0, once) != 0)
            goto done;
    long reps = o->reps ? o->reps : (long)ceil(o->budget / (once[0] + once[1]));
    reps = reps < BENCH_MIN_REPS ? BENCH_MIN_REPS : reps > MAX_REPS ? MAX_REPS : reps;
    const bench_cpu u0 = bench_cpu_now();
    const double w0 = bench_now();
    const long f0 = minor_faults();
    for (int phase = 0; phase < (o->no_gemm ? 1 : 2); phase++) { /* the GEMM-only runs after */
        for (long i = 0; i < reps; i++) {
            if (round_once(tape, l, &b, phase, once) != 0)
                goto done;
            for (int k = 2 * phase; k < 2 * phase + 2; k++)
                t[k * MAX_REPS + i] = once[k];
        }
        if (phase == 0) /* the convolution's own page faults */
            res->faults = (double)(minor_faults() - f0) / (double)reps;
    }
    if (o->no_gemm)
        for (long i = 0; i < reps; i++)
            t[2 * MAX_REPS + i] = t[3 * MAX_REPS + i] = NAN;
    res->others = bench_others_share(u0, bench_cpu_now(), bench_now() - w0);
    res->fwd = bench_median(t, (size_t)reps);
    res->bwd = bench_median(t + MAX_REPS, (size_t)reps);
    res->gfwd = bench_median(t + 2 * MAX_REPS, (size_t)reps);
    res->gbwd = bench_median(t + 3 * MAX_REPS, (size_t)reps);
    res->flops = 2.0 * (double)b.M * (double)b.K * (double)l->c_out;
    res->reps = reps;
    rc = 0;
done:
    if (rc != 0)
        fprintf(stderr, "%s: layer %s: %s\n", PROG, l->name,
                tape && gf_tape_status(tape) ? gf_tape_error(tape) : "out of memory");
    free(b.xv);
    gf_tape_free(tape);
    free(t);
    return rc;
}

/* ---- one residual unit: the share of the element-wise ops ------------------ */

/* He et al.'s post-activation unit at stage 1 (28x28x16): y = relu(x +
 * bn(conv(relu(bn(conv(x)))))). Per round, the unit's forward + backward and
 * one lone conv's forward + backward on the same shapes; the unit's time
 * outside its two convs is the share of batch norm, relu and the addition. */
typedef struct unit {
    gf_tensor x, w[2], gamma[2], beta[2];
    gf_bn_state bn[2];
    double *mem, *seed, stats[4][16], tracked[2];
} unit;

static int unit_alloc(unit *u, size_t n, gsl_rng *r)
{
    const size_t d = 28 * 28 * 16, nw = 16 * 144;
    if (!(u->mem = gf_big_alloc((3 * n * d + 4 * nw + 8 * 16) * sizeof(double))))
        return -1;
    double *p = u->mem;
    for (size_t i = 0; i < 3 * n * d + 4 * nw + 8 * 16; i++)
        p[i] = gsl_rng_uniform(r) - 0.5;
    gf_tensor_bind(&u->x, n, d, p, p + n * d);
    u->seed = p + 2 * n * d;
    p += 3 * n * d;
    for (int k = 0; k < 2; k++, p += 2 * nw + 4 * 16) {
        gf_tensor_bind(&u->w[k], 16, 144, p, p + nw);
        gf_tensor_bind(&u->gamma[k], 1, 16, p + 2 * nw, p + 2 * nw + 16);
        gf_tensor_bind(&u->beta[k], 1, 16, p + 2 * nw + 32, p + 2 * nw + 48);
        for (int j = 0; j < 16; j++)
            u->stats[2 * k][j] = 0.0, u->stats[2 * k + 1][j] = 1.0;
        u->bn[k] = (gf_bn_state){.gamma = &u->gamma[k], .beta = &u->beta[k],
                                 .running_mean = u->stats[2 * k],
                                 .running_var = u->stats[2 * k + 1],
                                 .batches_tracked = &u->tracked[k], .momentum = 0.1, .eps = 1e-5};
    }
    return 0;
}

/* The unit's (lone == 0) or one conv's (lone == 1) forward + backward: seconds, NaN on failure. */
static double unit_round(gf_tape *tape, unit *u, int lone)
{
    const gf_image_shape s = {28, 28, 16};
    const gf_conv_geom g = {3, 3, 1, 1};
    gf_tape_reset(tape);
    const double t0 = clock_now();
    gf_tensor *y = gf_conv2d(tape, &u->x, s, &u->w[0], NULL, g);
    if (!lone) {
        y = gf_relu(tape, gf_batchnorm2d(tape, y, s, &u->bn[0], 1));
        y = gf_batchnorm2d(tape, gf_conv2d(tape, y, s, &u->w[1], NULL, g), s, &u->bn[1], 1);
        y = gf_add_relu(tape, y, &u->x);
    }
    if (!y || gf_tape_backward_from(tape, y, u->seed) != 0)
        return NAN;
    return clock_now() - t0;
}

static void run_unit(const options *o, gsl_rng *r)
{
    unit u = {.mem = NULL};
    gf_tape *tape = gf_tape_alloc(0);
    double t[2][MAX_REPS];
    if (!tape || unit_alloc(&u, (size_t)o->batch, r) != 0 || isnan(unit_round(tape, &u, 0))) {
        fprintf(stderr, "%s: unit: %s\n", PROG, tape ? gf_tape_error(tape) : "out of memory");
        goto done;
    }
    const double once = unit_round(tape, &u, 0) + unit_round(tape, &u, 1);
    long reps = o->reps ? o->reps : (long)ceil(2 * o->budget / once);
    reps = reps < BENCH_MIN_REPS ? BENCH_MIN_REPS : reps > MAX_REPS ? MAX_REPS : reps;
    for (long i = 0; i < reps; i++) {
        t[0][i] = unit_round(tape, &u, 0);
        t[1][i] = unit_round(tape, &u, 1);
    }
    const double tu = bench_median(t[0], (size_t)reps), tc = bench_median(t[1], (size_t)reps);
    printf("\nOne post-activation residual unit at 28x28x16 (conv, BN, relu, conv, BN, add+relu), "
           "forward + backward: %.1f ms; its two convs %.1f ms; batch norm, relu and the addition "
           "**%.0f %%** of the unit (median of %ld).\n", tu * 1e3, 2 * tc * 1e3,
           100 * (1 - 2 * tc / tu), reps);
done:
    free(u.mem);
    gf_tape_free(tape);
}

static void print_row(const layer *l, const result *r, double dgemm)
{
    char f[2][32];
    const double rf = r->flops / r->fwd * 1e-9, rb = 2 * r->flops / r->bwd * 1e-9;
    printf("| %s | %s | %.3f | %ld%s | %s | %.1f | %.0f %% | %s | %.1f | %.0f %% | %.1f | %.1f "
           "| %.0f |\n",
           l->name, l->what, r->flops * 1e-9, r->reps, r->others > BENCH_BUSY ? " (busy)" : "",
           bench_fmt_ms(f[0], sizeof f[0], r->fwd), rf, 100 * rf / dgemm,
           bench_fmt_ms(f[1], sizeof f[1], r->bwd), rb, 100 * rb / dgemm,
           r->flops / r->gfwd * 1e-9, 2 * r->flops / r->gbwd * 1e-9, r->faults);
}

int main(int argc, char **argv)
{
    options o;
    const int status = bench_start(PROG, argc, argv, parse, &o);
    if (status != BENCH_GO)
        return status;
    if (o.cpu_clock)
        clock_now = bench_thread_cpu;
    bench_idle_check(PROG);
    const long dgemm_reps = 15;
    const double dgemm = square_rate(1024, dgemm_reps);
    const gf_blas_info *bi = gf_blas_info_get();
    printf("### Convolution (gf_conv2d) vs. the DGEMM rate\n\n");
    printf("- BLAS: %s, kernel **%s**, %d threads; square DGEMM n = 1024: **%.1f GFLOP/s** "
           "(median of %ld)\n", bi->library, bi->kernel, bi->threads, dgemm, dgemm_reps);
    printf("- batch %ld, NHWC, no bias; median of the reps (%s); %ld CPUs\n\n", o.batch,
           o.cpu_clock ? "this thread's CPU time" : "wall time", sysconf(_SC_NPROCESSORS_ONLN));
    printf("| layer | shape | GFLOP fwd | reps | fwd ms | fwd GFLOP/s | of DGEMM | bwd ms "
           "| bwd GFLOP/s | of DGEMM | GEMM-only fwd GFLOP/s | GEMM-only bwd GFLOP/s | page faults "
           "per round |\n");
    printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double flops = 0, secs = 0;
    int failed = 0, summed = 0;
    for (int i = 0; i < N_LAYERS; i++) {
        if (o.only && strcmp(o.only, LAYERS[i].name) != 0)
            continue;
        result res;
        if (run_layer(&LAYERS[i], &o, r, &res) != 0) {
            failed = 1;
            continue;
        }
        print_row(&LAYERS[i], &res, dgemm);
        fflush(stdout);
        if (strcmp(LAYERS[i].name, "stem") != 0 && strcmp(LAYERS[i].name, "b1x1") != 0) {
            flops += 3 * res.flops;
            secs += res.fwd + res.bwd;
            summed++;
        }
    }
    if (!o.only || strcmp(o.only, "unit") == 0)
        run_unit(&o, r);
    gsl_rng_free(r);
    if (summed == 5 && secs > 0)
        printf("\nThe 3x3 layers s1..s3 and t2, t3 together (forward + backward, each once): "
               "%.1f GFLOP/s, %.0f %% of the DGEMM rate (target: 60 %%).\n",
               flops / secs * 1e-9, 100 * flops / secs * 1e-9 / dgemm);
    return failed;
}
