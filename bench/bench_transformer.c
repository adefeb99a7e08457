/* bench_transformer.c: one training step of a Pre-LN transformer (issue
 * 12, part 6): 6 layers, width 128, 4 heads, 128-token contexts, batch 32,
 * vocabulary 256: forward, mean cross-entropy at every position, backward,
 * Adam. --repeats rounds (7), each of two steps and two replays of the
 * GEMM floor: the same cblas_dgemm calls the engine makes for the step (every
 * Linear's forward, dX and dW; per sequence and head the four attention
 * products and their backward), timed alone on preallocated buffers; their
 * FLOPs counted (2 m n k each). When /usr/bin/python3 has torch, each round
 * then times two steps of the same model in PyTorch, float64 and float32
 * (bench/transformer_step_torch.py --serve, a process started once): the
 * ratios to PyTorch are the medians of the rounds' ratios (bench.h: paired
 * rounds), with their range.
 *
 *   bench_transformer [--layers N] [--width N] [--heads N] [--context N]
 *                     [--batch N] [--repeats N] [--no-torch]
 */
#include "bench.h"

#include "gradflow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef BENCH_SOURCE_DIR
#define BENCH_SOURCE_DIR "bench"
#endif

typedef struct cfg {
    long layers, heads, repeats, width, context, batch, vocab;
    int torch;
} cfg;

/* ---- the GEMM floor ---------------------------------------------------------- */

typedef struct gemm {
    int ta, tb, m, n, k, lda, ldb, ldc;
    size_t a, b, c; /* offsets into the scratch buffer */
    double beta;
} gemm;

typedef struct floor_plan {
    gemm *g;
    size_t n, cap;
    double flops;
    double *buf;
} floor_plan;

static void add(floor_plan *p, int ta, int tb, int m, int n, int k, size_t a, int lda, size_t b,
                int ldb, size_t c, int ldc, double beta)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 1024;
        p->g = realloc(p->g, p->cap * sizeof *p->g);
    }
    p->g[p->n++] = (gemm){ta, tb, m, n, k, lda, ldb, ldc, a, b, c, beta};
    p->flops += 2.0 * m * n * k;
}

/* A Linear of N rows, in -> out: forward y = x W^T, backward dX = dY W, dW = dY^T X. */
static void linear(floor_plan *p, int N, int in, int out, size_t x, size_t w, size_t y,
                   size_t dx, size_t dw, int need_dx)
{
    add(p, 0, 1, N, out, in, x, in, w, in, y, out, 0.0);
    if (need_dx)
        add(p, 0, 0, N, in, out, y, out, w, in, dx, in, 0.0);
    add(p, 1, 0, out, in, N, y, out, x, in, dw, in, 0.0);
}

/* The engine's calls (src/core/ops_attention.c) for one layer's attention core. */
static void attention(floor_plan *p, const cfg *c, size_t qkv, size_t o, size_t P, size_t dS)
{
    const int T = (int)c->context, d = (int)c->width, dh = d / (int)c->heads, ld = 3 * d;
    for (long b = 0; b < c->batch; b++)
        for (int h = 0; h < c->heads; h++) {
            const size_t q = qkv + (size_t)(b * T * ld + h * dh), k = q + (size_t)d,
                         v = q + 2 * (size_t)d, out = o + (size_t)(b * T * d + h * dh);
            add(p, 0, 1, T, T, dh, q, ld, k, ld, P, T, 0.0);      /* S = Q K^T */
            add(p, 0, 0, T, dh, T, P, T, v, ld, out, d, 0.0);     /* O = P V */
            add(p, 1, 0, T, dh, T, P, T, out, d, v, ld, 0.0);     /* dV = P^T dO */
            add(p, 0, 1, T, T, dh, out, d, v, ld, dS, T, 0.0);    /* dP = dO V^T */
            add(p, 0, 0, T, dh, T, dS, T, k, ld, q, ld, 0.0);     /* dQ = dS K */
            add(p, 1, 0, T, dh, T, dS, T, q, ld, k, ld, 0.0);     /* dK = dS^T Q */
        }
}

/* Every product of one step; buffers shared (values do not matter for speed,
 * sizes and strides do). */
static int floor_build(floor_plan *p, const cfg *c)
{
    const int N = (int)(c->batch * c->context), d = (int)c->width, V = (int)c->vocab;
    const int T = (int)c->context;
    size_t at = 0;
    const size_t x = at; at += (size_t)N * 4 * d;
    const size_t y = at; at += (size_t)N * 4 * d;
    const size_t dx = at; at += (size_t)N * 4 * d;
    const size_t w = at; at += (size_t)4 * d * d + (size_t)V * d;
    const size_t dw = at; at += (size_t)4 * d * d + (size_t)V * d;
    const size_t qkv = at; at += (size_t)N * 3 * d;
    const size_t P = at; at += (size_t)T * T;
    const size_t dS = at; at += (size_t)T * T;
    p->buf = gf_big_alloc(at * sizeof(double));
    if (!p->buf)
        return -1;
    for (size_t i = 0; i < at; i++)
        p->buf[i] = 1e-3 * (double)(i % 97);
    for (int l = 0; l < c->layers; l++) {
        linear(p, N, d, 3 * d, x, w, qkv, dx, dw, 1);
        attention(p, c, qkv, y, P, dS);
        linear(p, N, d, d, y, w, x, dx, dw, 1);
        linear(p, N, d, 4 * d, x, w, y, dx, dw, 1);
        linear(p, N, 4 * d, d, y, w, x, dx, dw, 1);
    }
    linear(p, N, d, V, x, w, y, dx, dw, 1);
    return 0;
}

static double floor_time(const floor_plan *p)
{
    const double t0 = bench_now();
    for (size_t i = 0; i < p->n; i++) {
        const gemm *g = &p->g[i];
        double *b = p->buf;
        cblas_dgemm(CblasRowMajor, g->ta ? CblasTrans : CblasNoTrans,
                    g->tb ? CblasTrans : CblasNoTrans, g->m, g->n, g->k, 1.0, b + g->a, g->lda,
                    b + g->b, g->ldb, g->beta, b + g->c, g->ldc);
    }
    return bench_now() - t0;
}

/* ---- the step ------------------------------------------------------------------ */

static int step(gf_xfmr *m, gf_tape *tape, gf_optim *opt, const int *ids, const int *next,
                const cfg *c)
{
    gf_tape_reset(tape);
    gf_tensor *loss = gf_softmax_xent(
        tape, gf_xfmr_forward(m, tape, ids, (size_t)c->batch, (size_t)c->context, NULL), next);
    if (!loss || gf_tape_backward(tape, loss) != 0)
        return -1;
    gf_optim_step(opt, &m->params, 1e-4, gf_tape_pass(tape));
    return 0;
}

static const char USAGE[] =
    "usage: bench_transformer [--layers N] [--width N] [--heads N] [--context N] [--batch N]\n"
    "                         [--repeats N] [--no-torch]\n"
    "  one training step of a Pre-LN transformer (default 6 layers, width 128, 4 heads,\n"
    "  context 128, batch 32, float64) against the GEMM floor of its products and, when\n"
    "  /usr/bin/python3 has torch, PyTorch's float64 and float32 step; --repeats rounds\n"
    "  (7) of two steps each, gradflow's and PyTorch's in turn\n";

/* 0 to run, 1 after --help, -1 on a usage error (one line on stderr). */
static int parse(int argc, char **argv, void *opts)
{
    cfg *c = opts;
    *c = (cfg){.layers = 6, .heads = 4, .repeats = 7, .torch = 1, .width = 128, .context = 128,
               .batch = 32, .vocab = 256};
    const bench_arg table[] = {
        {"--layers", BENCH_ARG_LONG, &c->layers, 1, 100000},
        {"--width", BENCH_ARG_LONG, &c->width, 1, 100000},
        {"--heads", BENCH_ARG_LONG, &c->heads, 1, 100000},
        {"--context", BENCH_ARG_LONG, &c->context, 1, 100000},
        {"--batch", BENCH_ARG_LONG, &c->batch, 1, 100000},
        {"--repeats", BENCH_ARG_LONG, &c->repeats, 1, 100000},
        {"--no-torch", BENCH_ARG_FLAG, &c->torch, 0, 0},
        {NULL, 0, NULL, 0, 0},
    };
    const int rc = bench_parse_args("bench_transformer", argc, argv, table, USAGE);
    if (rc == 0 && c->width % c->heads) {
        fprintf(stderr, "bench_transformer: --heads %ld does not divide --width %ld\n", c->heads,
                c->width);
        return -1;
    }
    return rc;
}

/* The PyTorch script beside this file, the same model and step, serving
 * steps on request; 0, or -1 (with a line on stderr). */
static int torch_start(bench_torch *t, const cfg *c)
{
    char a[5][24], *argv[16];
    snprintf(a[0], sizeof a[0], "%ld", c->layers);
    snprintf(a[1], sizeof a[1], "%ld", c->width);
    snprintf(a[2], sizeof a[2], "%ld", c->heads);
    snprintf(a[3], sizeof a[3], "%ld", c->context);
    snprintf(a[4], sizeof a[4], "%ld", c->batch);
    char *const v[] = {"python3", BENCH_SOURCE_DIR "/transformer_step_torch.py", "--serve",
                       "--layers", a[0], "--width", a[1], "--heads", a[2], "--context", a[3],
                       "--batch", a[4], NULL};
    memcpy(argv, v, sizeof v);
    return bench_torch_open(t, "bench_transformer", argv);
}

enum { PER_ROUND = 2, GF = 0, FLOOR = 1, T64 = 2, T32 = 3, KINDS = 4 };

/* One line per PyTorch dtype: its median step and gradflow's ratio to it, the
 * median of the rounds' ratios (min-max). */
static void torch_report(double *const t[KINDS], int rounds, const bench_torch *pt)
{
    static const char *const names[2] = {"float64", "float32"};
    double *ratio = malloc((size_t)rounds * sizeof *ratio);
    if (!ratio)
        return;
    for (int k = T64; k <= T32; k++) {
        for (int r = 0; r < rounds; r++)
            ratio[r] = bench_median_of(t[k] + r * PER_ROUND, PER_ROUND) /
                       bench_median_of(t[GF] + r * PER_ROUND, PER_ROUND);
        const double ms = 1e3 * bench_median_of(t[k], (size_t)rounds * PER_ROUND);
        const double med = bench_median(ratio, (size_t)rounds);
        printf("pytorch %s %s: %.1f ms per step (median of %d, %d threads); PyTorch / gradflow "
               "= %.2f (median of %d rounds' ratios, %.2f-%.2f)\n", pt->version, names[k - T64],
               ms, rounds * PER_ROUND, pt->threads, med, rounds, ratio[0], ratio[rounds - 1]);
    }
    free(ratio);
}

int main(int argc, char **argv)
{
    cfg c;
    const int status = bench_start("bench_transformer", argc, argv, parse, &c);
    if (status != BENCH_GO)
        return status;
    bench_idle_check("bench_transformer");
    gf_xfmr_config xc = gf_xfmr_config_default();
    xc.layers = (int)c.layers, xc.width = (size_t)c.width, xc.heads = (int)c.heads;
    xc.context = (size_t)c.context, xc.vocab = (size_t)c.vocab;
    char why[256];
    gf_xfmr *m = gf_xfmr_alloc(&xc, why, sizeof why);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    const size_t N = (size_t)(c.batch * c.context);
    int *ids = malloc(2 * N * sizeof *ids);
    gf_tape *tape = gf_tape_alloc(0);
    gf_optim opt;
    const gf_optim_config oc = gf_optim_config_default(GF_OPTIM_ADAM);
    floor_plan fp = {0};
    double *t = malloc(KINDS * PER_ROUND * (size_t)c.repeats * sizeof *t);
    if (!m || !rng || !ids || !tape || !t || gf_optim_init(&opt, &oc, &m->params) != 0 ||
        floor_build(&fp, &c) != 0) {
        fprintf(stderr, "bench_transformer: out of memory\n");
        return 1;
    }
    gf_xfmr_init(m, rng);
    for (size_t i = 0; i < 2 * N; i++)
        ids[i] = (int)gsl_rng_uniform_int(rng, (unsigned long)c.vocab);
    for (int w = 0; w < 2; w++) /* the arena grows, the pages are touched */
        if (step(m, tape, &opt, ids, ids + N, &c) != 0) {
            fprintf(stderr, "bench_transformer: the step failed: %s\n", gf_tape_error(tape));
            return 1;
        }
    const size_t mallocs = gf_arena_mallocs(gf_tape_arena(tape));
    bench_torch pt = {.pid = -1};
    const int torch = c.torch && bench_torch_available() && torch_start(&pt, &c) == 0;
    floor_time(&fp);
    const int steps = (int)c.repeats * PER_ROUND;
    double *tk[KINDS] = {t, t + steps, t + 2 * steps, t + 3 * steps};
    for (int r = 0; r < c.repeats; r++) {
        for (int i = r * PER_ROUND; i < (r + 1) * PER_ROUND; i++) {
            const double t0 = bench_now();
            step(m, tape, &opt, ids, ids + N, &c);
            tk[GF][i] = bench_now() - t0;
            tk[FLOOR][i] = floor_time(&fp);
        }
        if (!torch)
            continue;
        bench_settle(); /* the rounds take turns: bench.h */
        for (int k = T64; k <= T32; k++) {
            double ms[PER_ROUND];
            if (bench_torch_steps(&pt, k == T64 ? "float64" : "float32", PER_ROUND, ms) != 0) {
                fprintf(stderr, "bench_transformer: the PyTorch script stopped answering\n");
                return 1;
            }
            for (int i = 0; i < PER_ROUND; i++)
                tk[k][r * PER_ROUND + i] = 1e-3 * ms[i];
        }
        bench_settle();
    }
    const double ms = 1e3 * bench_median_of(tk[GF], (size_t)steps);
    const double fl = 1e3 * bench_median_of(tk[FLOOR], (size_t)steps);
    printf("transformer step: Pre-LN, %ld layers, width %ld, %ld heads, context %ld, batch %ld, "
           "vocabulary %ld (float64)\n", c.layers, c.width, c.heads, c.context, c.batch, c.vocab);
    const gf_blas_info *b = gf_blas_info_get();
    printf("BLAS: %s, kernel %s (%s), %d threads; CPU: %ld online\n", b->library, b->kernel,
           b->selected_by, b->threads, sysconf(_SC_NPROCESSORS_ONLN));
    printf("GEMM floor: %zu dgemm calls, %.2f GFLOP per step, %.1f ms (median of %d) = %.1f "
           "GFLOP/s\n", fp.n, fp.flops * 1e-9, fl, steps, fp.flops * 1e-6 / fl);
    printf("gradflow:   %.1f ms per step (median of %d) = %.2f x the floor; arena chunks "
           "after warm-up: %zu, after the repeats: %zu\n", ms, steps, ms / fl, mallocs,
           gf_arena_mallocs(gf_tape_arena(tape)));
    if (torch)
        torch_report(tk, (int)c.repeats, &pt);
    else if (c.torch)
        printf("pytorch: not compared (/usr/bin/python3 cannot import torch, or the script "
               "did not start)\n");
    bench_torch_close(&pt);
    gf_optim_release(&opt);
    gf_tape_free(tape);
    gf_xfmr_free(m);
    gsl_rng_free(rng);
    free(fp.g), free(fp.buf), free(ids), free(t);
    return 0;
}
