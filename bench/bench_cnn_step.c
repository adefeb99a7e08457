/* bench_cnn_step.c: one training step of He et al.'s CIFAR ResNet (cnn-resnet)
 * against the DGEMM rate and against PyTorch on the same machine (issue 11,
 * part 6).
 *
 * Per depth (20, 56 by default; 28x28x1 inputs, batch 128, --width-mult 1),
 * after two warm-up steps, adjacent pairs in alternating order of
 *
 *   step      forward with every probe (a gf_recorder), mean cross-entropy,
 *             backward, an SGD update (momentum 0.9, weight decay 1e-4);
 *   no-probe  the same step without a recorder;
 *
 * median and quartiles of each; the probe cost is the median of the paired
 * ratios. FLOPs per step from the tape's shapes (gf_model_cost_of): 2 |y|
 * fan_in per conv and Linear forward, the same again for dW and for dX
 * (except the stem's dX: the image needs no gradient), so about 3 x the
 * forward: 23.6 GFLOP for resnet-20 at batch 128. The floor is those FLOPs at
 * the square DGEMM rate (n = 1024, the BLAS's threads) measured in the same
 * run before each depth: what the step would cost if every FLOP ran at the
 * rate of a large GEMM (norms, ReLUs and im2col are not in it).
 *
 * PyTorch: bench/cnn_step_torch.py --serve under /usr/bin/python3 (the same
 * net, float64 and float32, --torch-threads of them, 2 by default), started
 * once per depth; skipped with a note when torch is not importable or
 * --torch none. gradflow and PyTorch take turns in --rounds rounds (7): a
 * round is a share of gradflow's pairs, then one PyTorch step per dtype
 * (bench.h: paired rounds). The ratio gradflow / PyTorch is the median of
 * the rounds' ratios of gradflow's no-probe median to PyTorch's step (PyTorch
 * has no probes), with their range. Targets printed, never enforced: float64
 * at most 0.2 of PyTorch's float64 step, at most 2 x its float32.
 *
 * --clock cpu times by the process's CPU time (every thread: with 2 threads
 * busy it is twice the wall time; it measures work, robust to other
 * processes, not speed-up). Speed is never asserted; the exit status says
 * whether the run worked.
 */
#include "bench.h"

#include "core/gf_conv.h"
#include "dense/gf_dense.h"
#include "model/gf_model.h"
#include "train/gf_train.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef BENCH_TORCH_SCRIPT
#define BENCH_TORCH_SCRIPT "bench/cnn_step_torch.py"
#endif

static const char PROG[] = "bench_cnn_step";
enum { MAX_REPS = 1000, N_DTYPES = 2 };
static const char *const DTYPES[N_DTYPES] = {"float64", "float32"};

typedef struct options {
    long depth[BENCH_MAX_LIST];
    int n_depth;
    long batch, reps, rounds, torch_threads;
    double width_mult, budget;
    const char *tsv, *torch; /* torch: the script, or NULL (--torch none) */
    int cpu_clock;
    int compare; /* --threads-compare: the three ways of using the cores, interleaved */
} options;

typedef struct result {
    long depth, reps;
    double flops, dgemm;        /* per step; GFLOP/s of the square DGEMM */
    double step[3], plain[3];   /* seconds: median, q1, q3 */
    bench_paired probe;         /* probe cost, % */
    double torch[N_DTYPES][3];  /* ms: median, q1, q3 (NaN: not run) */
    double ratio[N_DTYPES][3];  /* gradflow / PyTorch: the rounds' median, min, max */
    double others;              /* share of the CPUs other processes used while gradflow ran */
} result;

static double (*clock_now)(void) = bench_now;

static void quartiles(double *t, long n, double *q) /* sorts t */
{
    q[0] = bench_median(t, (size_t)n);
    q[1] = t[(n - 1) / 4];
    q[2] = t[(3 * (n - 1)) / 4];
}

/* --depth: a list of 6n + 2; 0 or -1 after a message. */
static int parse_depths(const char *arg, options *o)
{
    if (bench_parse_list(PROG, "--depth", arg, 8, 1000, o->depth, &o->n_depth) != 0)
        return -1;
    for (int k = 0; k < o->n_depth; k++)
        if ((o->depth[k] - 2) % 6 != 0) {
            fprintf(stderr, "%s: --depth %ld is not 6n + 2\n", PROG, o->depth[k]);
            return -1;
        }
    return 0;
}

static int parse(int argc, char **argv, void *opts)
{
    options *o = opts;
    static const struct option longs[] = {
        {"depth", required_argument, NULL, 'd'},  {"batch", required_argument, NULL, 'b'},
        {"width-mult", required_argument, NULL, 'w'}, {"reps", required_argument, NULL, 'r'},
        {"budget", required_argument, NULL, 't'}, {"clock", required_argument, NULL, 'c'},
        {"tsv", required_argument, NULL, 'o'},    {"torch", required_argument, NULL, 'p'},
        {"rounds", required_argument, NULL, 'R'},
        {"torch-threads", required_argument, NULL, 'T'}, {"help", no_argument, NULL, 'h'},
        {"threads-compare", no_argument, NULL, 'C'},
        {NULL, 0, NULL, 0}};
    *o = (options){.depth = {20, 56}, .n_depth = 2, .batch = 128, .rounds = 7,
                   .torch_threads = 2, .width_mult = 1.0, .torch = BENCH_TORCH_SCRIPT};
    long budget_ms = 5000, wm = 1;
    int c;
    opterr = 0; /* getopt's own message names argv[0]: ours names PROG */
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        int rc = 0;
        if (c == 'd')
            rc = parse_depths(optarg, o);
        if (c == 'b')
            rc = bench_parse_long(PROG, "--batch", optarg, 1, 4096, &o->batch);
        if (c == 'w')
            rc = bench_parse_long(PROG, "--width-mult", optarg, 1, 16, &wm);
        if (c == 'r')
            rc = bench_parse_long(PROG, "--reps", optarg, 1, MAX_REPS, &o->reps);
        if (c == 't')
            rc = bench_parse_long(PROG, "--budget", optarg, 10, 3600000, &budget_ms);
        if (c == 'R')
            rc = bench_parse_long(PROG, "--rounds", optarg, 1, 1000, &o->rounds);
        if (c == 'T')
            rc = bench_parse_long(PROG, "--torch-threads", optarg, 1, 256, &o->torch_threads);
        if (c == 'o')
            o->tsv = optarg;
        if (c == 'C')
            o->compare = 1;
        if (c == 'p')
            o->torch = strcmp(optarg, "none") == 0 ? NULL : optarg;
        if (c == 'c' && strcmp(optarg, "cpu") != 0 && strcmp(optarg, "wall") != 0) {
            fprintf(stderr, "%s: --clock wants wall or cpu, not '%s'\n", PROG, optarg);
            rc = -1;
        }
        if (c == 'c')
            o->cpu_clock = strcmp(optarg, "cpu") == 0;
        if (c == 'h') {
            printf("usage: %s [--depth 20,56] [--batch 128] [--width-mult 1] [--reps N]\n"
                   "       [--budget MS] [--clock wall|cpu] [--tsv FILE] [--torch SCRIPT|none]\n"
                   "       [--rounds 7] [--torch-threads 2] [--threads-compare]\n"
                   "  a cnn-resnet training step (probes on and off) against the DGEMM rate and\n"
                   "  PyTorch float64/float32 (%s), in --rounds turns of\n"
                   "  gradflow's pairs and one PyTorch step per dtype; --budget: ms of gradflow\n"
                   "  steps per depth (default 5000; at least %d pairs); --clock cpu: process CPU time;\n"
                   "  --threads-compare: no-probe steps with 1 thread, BLAS threads, OpenMP groups\n"
                   "  interleaved (wall and CPU time of each; no PyTorch)\n",
                   PROG, BENCH_TORCH_SCRIPT, BENCH_MIN_REPS);
            return 1;
        }
        if (c == '?')
            return bench_unknown_option(PROG, argv[optind - 1]);
        if (rc != 0)
            return -1;
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", PROG, argv[optind]);
        return -1;
    }
    o->width_mult = (double)wm;
    o->budget = (double)budget_ms * 1e-3;
    return 0;
}

/* ---- gradflow's step ------------------------------------------------------ */

typedef struct ctx {
    gf_model *m;
    gf_optim opt;
    gf_tape *tape;
    gf_recorder rec;
    double *x;
    int *labels;
    size_t batch;
} ctx;

/* One training step (rec NULL: no probes); its seconds, NaN on failure. */
static double step(ctx *c, gf_recorder *rec)
{
    gf_tape_reset(c->tape);
    const double t0 = clock_now();
    gf_tensor *x = gf_tape_input(c->tape, c->batch, gf_model_in_dim(c->m));
    if (!x)
        return NAN;
    memcpy(x->v, c->x, x->n * x->d * sizeof *c->x);
    gf_tensor *loss = gf_softmax_xent(c->tape, gf_model_forward(c->m, c->tape, x, rec, NULL),
                                      c->labels);
    if (!loss || gf_tape_backward(c->tape, loss) != 0)
        return NAN;
    gf_optim_step(&c->opt, gf_model_params(c->m), 0.01, gf_tape_pass(c->tape));
    return clock_now() - t0;
}

static int ctx_init(ctx *c, long depth, const options *o, gsl_rng *r, char *why, size_t size)
{
    gf_stack_config sc = gf_stack_config_default();
    sc.arch = GF_ARCH_CNN_RESNET;
    sc.depth = (int)depth;
    sc.in_dim = 784;
    sc.classes = 10;
    sc.width_mult = o->width_mult;
    const gf_optim_config oc = gf_optim_config_default(GF_OPTIM_SGD);
    *c = (ctx){.batch = (size_t)o->batch};
    gf_recorder_init(&c->rec);
    if (!(c->m = gf_arch_model_alloc(&sc, why, size)))
        return -1;
    c->tape = gf_tape_alloc(0);
    c->x = malloc(c->batch * 784 * sizeof *c->x);
    c->labels = malloc(c->batch * sizeof *c->labels);
    if (!c->tape || !c->x || !c->labels || gf_model_init(c->m, r) != 0 ||
        gf_optim_init(&c->opt, &oc, gf_model_params(c->m)) != 0) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    gf_model_set_training(c->m, 1);
    for (size_t i = 0; i < c->batch * 784; i++)
        c->x[i] = 2.0 * gsl_rng_uniform(r) - 1.0; /* inputs uniform in [-1, 1) */
    for (size_t i = 0; i < c->batch; i++)
        c->labels[i] = (int)gsl_rng_uniform_int(r, 10);
    return 0;
}

static void ctx_release(ctx *c)
{
    gf_recorder_release(&c->rec);
    gf_optim_release(&c->opt);
    gf_tape_free(c->tape);
    gf_model_free(c->m);
    free(c->x);
    free(c->labels);
}

/* ---- PyTorch's turns -------------------------------------------------------- */

/* The script serving steps of this depth's net, both dtypes; 0 or -1. */
static int torch_start(bench_torch *t, const options *o, long depth)
{
    char a[4][24];
    snprintf(a[0], sizeof a[0], "%ld", depth);
    snprintf(a[1], sizeof a[1], "%ld", o->batch);
    snprintf(a[2], sizeof a[2], "%ld", (long)o->width_mult);
    snprintf(a[3], sizeof a[3], "%ld", o->torch_threads);
    char *const argv[] = {"python3", (char *)o->torch, "--serve", "--depth", a[0], "--batch",
                          a[1], "--width", a[2], "--threads", a[3], NULL};
    return bench_torch_open(t, PROG, argv);
}

/* PyTorch's turn after gradflow's round k of `rounds`, whose no-probe steps
 * are p[0, n): one step per dtype d into ms[d rounds + k], the round's ratio
 * gradflow / PyTorch into ratio[d rounds + k]. */
static int torch_turn(bench_torch *pt, const double *p, long n, long k, long rounds, double *ms,
                      double *ratio)
{
    const double gms = 1e3 * bench_median_of(p, (size_t)n);
    bench_settle();
    for (int d = 0; d < N_DTYPES; d++) {
        double *t = ms + d * rounds + k;
        if (bench_torch_steps(pt, DTYPES[d], 1, t) != 0)
            return -1;
        ratio[d * rounds + k] = gms / *t;
    }
    bench_settle();
    return 0;
}

/* Pairs of steps with and without probes, order alternating, into res; in
 * o->rounds rounds with PyTorch's turns between them when pt is not NULL. */
static int time_gradflow(ctx *c, const options *o, bench_torch *pt, result *res)
{
    const double once = step(c, &c->rec) + step(c, NULL); /* warm-up: arena, scratch, BLAS */
    long reps = o->reps ? o->reps : (long)ceil(o->budget / once);
    reps = reps < BENCH_MIN_REPS ? BENCH_MIN_REPS : reps > MAX_REPS ? MAX_REPS : reps;
    const long rounds = pt ? (o->rounds < reps ? o->rounds : reps) : 1;
    double *t = malloc(2 * MAX_REPS * sizeof *t), *p = t + MAX_REPS;
    double *ms = malloc(2 * N_DTYPES * (size_t)rounds * sizeof *ms);
    double *ratio = ms + N_DTYPES * rounds, others = 0.0, wall = 0.0;
    int rc = !t || !ms || isnan(once) ? -1 : 0;
    for (long k = 0; k < rounds && rc == 0; k++) {
        const long i0 = reps * k / rounds, i1 = reps * (k + 1) / rounds;
        const bench_cpu u0 = bench_cpu_now();
        const double w0 = bench_now();
        for (long i = i0; i < i1 && rc == 0; i++) {
            const int probes_first = (int)(i % 2 == 0);
            if (probes_first)
                t[i] = step(c, &c->rec);
            p[i] = step(c, NULL);
            if (!probes_first)
                t[i] = step(c, &c->rec);
            rc = isnan(t[i]) || isnan(p[i]) ? -1 : 0;
        }
        const double w = bench_now() - w0;
        others += w * bench_others_share(u0, bench_cpu_now(), w), wall += w;
        if (rc == 0 && pt && torch_turn(pt, p + i0, i1 - i0, k, rounds, ms, ratio) != 0) {
            fprintf(stderr, "%s: the PyTorch script stopped answering\n", PROG);
            rc = -1;
        }
    }
    for (int d = 0; rc == 0 && pt && d < N_DTYPES; d++) {
        double *r = ratio + d * rounds;
        quartiles(ms + d * rounds, rounds, res->torch[d]);
        res->ratio[d][0] = bench_median(r, (size_t)rounds); /* sorts r: min and max at the ends */
        res->ratio[d][1] = r[0], res->ratio[d][2] = r[rounds - 1];
    }
    if (rc == 0) {
        res->others = others / wall;
        res->reps = reps;
        res->probe = bench_paired_ratio(t, p, reps, 100.0);
        res->probe.median -= 100.0, res->probe.q1 -= 100.0, res->probe.q3 -= 100.0;
        quartiles(t, reps, res->step);
        quartiles(p, reps, res->plain);
    }
    free(t), free(ms);
    return rc;
}

/* ---- the report ------------------------------------------------------------ */

static void print_row(const result *r)
{
    char a[5][32];
    const double floor_s = r->flops / (r->dgemm * 1e9);
    printf("| resnet-%ld | %.2f | %ld%s | %s (%s-%s) | %s | %+.1f %% | %.1f | %s | %.2f |", r->depth,
           r->flops * 1e-9, r->reps, r->others > BENCH_BUSY ? " (busy)" : "",
           bench_fmt_ms(a[0], sizeof a[0], r->plain[0]), bench_fmt_ms(a[1], sizeof a[1], r->plain[1]),
           bench_fmt_ms(a[2], sizeof a[2], r->plain[2]), bench_fmt_ms(a[3], sizeof a[3], r->step[0]),
           r->probe.median, r->flops / r->plain[0] * 1e-9,
           bench_fmt_ms(a[4], sizeof a[4], floor_s), r->plain[0] / floor_s);
    for (int k = 0; k < N_DTYPES; k++)
        if (isnan(r->torch[k][0]))
            printf(" - | - |");
        else
            printf(" %.0f (%.0f-%.0f) | **%.2f** (%.2f-%.2f) |", r->torch[k][0], r->torch[k][1],
                   r->torch[k][2], r->ratio[k][0], r->ratio[k][1], r->ratio[k][2]);
    printf("\n");
    fflush(stdout);
}

static int write_tsv(const char *path, const result *res, int n)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "depth\tbatch_reps\tgflop\tdgemm_gflops\tstep_ms\tstep_q1\tstep_q3\tnoprobe_ms"
               "\tnoprobe_q1\tnoprobe_q3\tprobe_pct\tgflops\tfloor_ms\tratio_floor"
               "\ttorch64_ms\ttorch64_q1\ttorch64_q3\ttorch32_ms\ttorch32_q1\ttorch32_q3"
               "\tratio_torch64\tratio_torch64_min\tratio_torch64_max\tratio_torch32"
               "\tratio_torch32_min\tratio_torch32_max\tothers\n");
    for (int i = 0; i < n; i++) {
        const result *r = &res[i];
        const double fl = r->flops / (r->dgemm * 1e9);
        fprintf(f, "%ld\t%ld\t%.4f\t%.2f", r->depth, r->reps, r->flops * 1e-9, r->dgemm);
        for (int k = 0; k < 3; k++)
            fprintf(f, "\t%.3f", r->step[k] * 1e3);
        for (int k = 0; k < 3; k++)
            fprintf(f, "\t%.3f", r->plain[k] * 1e3);
        fprintf(f, "\t%.2f\t%.2f\t%.3f\t%.3f", r->probe.median, r->flops / r->plain[0] * 1e-9,
                fl * 1e3, r->plain[0] / fl);
        for (int d = 0; d < N_DTYPES; d++)
            for (int k = 0; k < 3; k++)
                fprintf(f, "\t%.3f", r->torch[d][k]);
        for (int d = 0; d < N_DTYPES; d++)
            for (int k = 0; k < 3; k++)
                fprintf(f, "\t%.4f", r->ratio[d][k]);
        fprintf(f, "\t%.3f\n", r->others);
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        remove(tmp);
        return -1;
    }
    return 0;
}

/* ---- how to use the cores (--threads-compare) ----------------------------- */

/* The ways a step may use the machine: everything on one thread; the
 * convolution's groups on one thread with the BLAS's threads for the rest;
 * the convolution's groups on OpenMP threads (automatic: gf_conv_threads;
 * without OpenMP the same as the second). The convolution runs its own GEMMs
 * on one BLAS thread either way (ops_conv.c: OpenBLAS threading the chunks'
 * GEMMs, measured as the second way before that rule, saved nothing). */
enum { N_MODES = 3 };
static const char *const MODE_NAMES[N_MODES] = {"1 thread", "conv 1 thread, BLAS threads",
                                                "OpenMP groups"};

static void set_mode(int mode, int cores)
{
    gf_blas_set_threads(mode == 0 ? 1 : cores);
    gf_conv_set_threads(mode == 2 ? 0 : 1); /* 0: automatic (the BLAS's threads) */
}

/* Rounds of one no-probe step per mode, the order rotating; per mode the
 * median wall and process-CPU seconds and the paired wall ratio to mode 0. */
static int compare_modes(ctx *c, const options *o, long depth)
{
    const int cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
    double *t = malloc(3 * N_MODES * MAX_REPS * sizeof *t), once = 0.0;
    if (!t)
        return -1;
    for (int m = 0; m < N_MODES; m++)
        set_mode(m, cores), once += step(c, NULL);
    long reps = o->reps ? o->reps : (long)ceil(o->budget / once);
    reps = reps < BENCH_MIN_REPS ? BENCH_MIN_REPS : reps > MAX_REPS ? MAX_REPS : reps;
    const bench_cpu u0 = bench_cpu_now();
    const double w0 = bench_now();
    for (long i = 0; i < reps && !isnan(once); i++)
        for (int j = 0; j < N_MODES; j++) {
            const int m = (int)((i + j) % N_MODES);
            set_mode(m, cores);
            const double c0 = bench_process_cpu(), m0 = bench_thread_cpu();
            t[m * MAX_REPS + i] = step(c, NULL);
            t[(N_MODES + m) * MAX_REPS + i] = bench_process_cpu() - c0;
            t[(2 * N_MODES + m) * MAX_REPS + i] = bench_thread_cpu() - m0;
            once = isnan(t[m * MAX_REPS + i]) ? NAN : once;
        }
    const double others = bench_others_share(u0, bench_cpu_now(), bench_now() - w0);
    for (int m = 0; m < N_MODES && !isnan(once); m++) {
        const bench_paired r = bench_paired_ratio(t + m * MAX_REPS, t, reps, 1.0);
        set_mode(m, cores);
        printf("| resnet-%ld | %s | %d | %d | %ld | %.0f | %.2f (%.2f-%.2f) | %.0f | %.0f | %.0f %% "
               "|\n", depth, MODE_NAMES[m], gf_conv_threads(), gf_blas_info_get()->threads, reps,
               1e3 * bench_median(t + m * MAX_REPS, (size_t)reps), r.median, r.q1, r.q3,
               1e3 * bench_median(t + (N_MODES + m) * MAX_REPS, (size_t)reps),
               1e3 * bench_median(t + (2 * N_MODES + m) * MAX_REPS, (size_t)reps), 100 * others);
    }
    fflush(stdout);
    gf_blas_set_threads(cores);
    gf_conv_set_threads(0);
    free(t);
    return isnan(once) ? -1 : 0;
}

static int run_depth(long depth, const options *o, int torch, gsl_rng *r, result *res)
{
    char why[256];
    ctx c;
    gf_model_cost cost;
    *res = (result){.depth = depth};
    for (int k = 0; k < N_DTYPES; k++)
        for (int q = 0; q < 3; q++)
            res->torch[k][q] = res->ratio[k][q] = NAN;
    bench_torch pt = {.pid = -1};
    if (torch && torch_start(&pt, o, depth) != 0)
        fprintf(stderr, "%s: resnet-%ld: PyTorch columns left empty\n", PROG, depth);
    int rc = ctx_init(&c, depth, o, r, why, sizeof why);
    if (rc == 0)
        rc = gf_model_cost_of(c.m, c.batch, 1, &cost, why, sizeof why);
    if (rc == 0) {
        long dreps;
        res->flops = (cost.fwd_flops + cost.bwd_flops) * (double)c.batch;
        res->dgemm = bench_square_dgemm_rate(1024, &dreps);
        rc = o->compare ? compare_modes(&c, o, depth)
                        : time_gradflow(&c, o, pt.pid > 0 ? &pt : NULL, res);
        if (rc != 0)
            snprintf(why, sizeof why, "a step failed: %s", gf_tape_error(c.tape));
    }
    ctx_release(&c);
    bench_torch_close(&pt);
    if (rc != 0) {
        fprintf(stderr, "%s: resnet-%ld: %s\n", PROG, depth, why);
        return -1;
    }
    return 0;
}

static void print_header(const options *o, int torch)
{
    const gf_blas_info *bi = gf_blas_info_get();
    printf("### A cnn-resnet training step %s\n\n",
           o->compare ? "on 1 thread, OpenBLAS threads, OpenMP groups" : "vs. the DGEMM rate "
           "and PyTorch");
    printf("- BLAS: %s, kernel **%s**, %d threads; convolution groups on %d thread(s) (%s); "
           "%ld CPUs\n", bi->library, bi->kernel, bi->threads, gf_conv_threads(),
           gf_conv_threads() > 1 ? "OpenMP" : "no OpenMP, or one thread",
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("- 28x28x1, batch %ld, width-mult %.0f; forward, mean cross-entropy, backward, SGD\n",
           o->batch, o->width_mult);
    if (o->compare) {
        printf("- no probes; rounds of one step per way, order rotating; wall ms, paired ratio "
               "to 1 thread (q1-q3), process CPU ms (all threads: the work, with any spinning), "
               "the calling thread's CPU ms (with OMP_WAIT_POLICY=passive and the other thread "
               "keeping pace: the step's wall time on an idle machine)\n\n");
        printf("| net | way | conv threads | BLAS threads | rounds | wall ms | / 1 thread "
               "| CPU ms | main-thread CPU ms | others |\n"
               "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        return;
    }
    printf("- median (quartiles) of pairs with and without probes (%s)\n",
           o->cpu_clock ? "process CPU time: work, not speed" : "wall time");
    printf("- GFLOP: 2 |y| fan_in per conv and Linear, forward + dW + dX; floor: those FLOPs at "
           "the square DGEMM rate (n = 1024) measured before each depth\n");
    printf("- PyTorch: %s\n\n", torch ? "bench/cnn_step_torch.py, /usr/bin/python3, one step per "
           "dtype after each of the rounds of gradflow's pairs; a ratio is the median (min-max) "
           "of the rounds' ratios of gradflow's no-probe median to PyTorch's step"
           : o->torch ? "not run (/usr/bin/python3 cannot import torch)" : "not run (--torch none)");
    printf("| net | GFLOP/step | pairs | no-probe ms (q1-q3) | with probes ms | probe cost "
           "| GFLOP/s | floor ms | / floor | torch f64 ms (q1-q3) | / torch f64 "
           "| torch f32 ms (q1-q3) | / torch f32 |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
}

int main(int argc, char **argv)
{
    options o;
    const int status = bench_start(PROG, argc, argv, parse, &o);
    if (status != BENCH_GO)
        return status;
    if (o.cpu_clock)
        clock_now = bench_process_cpu;
    const int torch = o.torch && !o.compare && bench_torch_available();
    bench_idle_check(PROG);
    print_header(&o, torch);
    result res[BENCH_MAX_LIST];
    int n = 0, failed = 0;
    gsl_rng *r = gf_rng_alloc(1);
    for (int d = 0; d < o.n_depth && r; d++)
        if (run_depth(o.depth[d], &o, torch, r, &res[n]) != 0)
            failed = 1;
        else if (!o.compare)
            print_row(&res[n++]);
    gsl_rng_free(r);
    for (int i = 0; i < n; i++)
        printf("%s- resnet-%ld: square DGEMM %.1f GFLOP/s; %.0f %% of CPU time used by other "
               "processes while gradflow ran%s\n", i == 0 ? "\n" : "", res[i].depth,
               res[i].dgemm, 100 * res[i].others, i == n - 1 ? "\n\nTargets (issue 11): "
               "/ torch f64 at most 0.20, / torch f32 at most 2.0." : "");
    if (o.tsv && !o.compare && write_tsv(o.tsv, res, n) != 0) {
        fprintf(stderr, "%s: cannot write %s\n", PROG, o.tsv);
        failed = 1;
    }
    return failed || !r;
}
