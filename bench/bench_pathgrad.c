/* bench_pathgrad.c: the time of the exact split of dL/dx_0 by path length
 * (gf_pathgrad_exact) against one ordinary forward and backward pass of the
 * same network and batch.
 *
 * The split propagates one cotangent per path length: at block l the
 * B - l lengths alive so far go through the branch's vector-Jacobian
 * product together, B (B + 1) / 2 branch passes of the batch in all; each
 * is a forward (2 GEMMs, its activation pattern) and a backward to the input
 * (2 GEMMs). The report gives medians over repetitions (after one warm-up)
 * and the GEMM rate that implies, so it can be set against the machine's
 * DGEMM rate. Speed is measured here, never asserted.
 */
#include "bench.h"

#include "ensemble/gf_ensemble.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char PROG[] = "bench_pathgrad";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bench_pathgrad [--depth LIST] [--width LIST] [--batch N] [--reps N]\n"
            "                      [--arch resnet|preact] [--norm none|batch] [--quick]\n"
            "\n"
            "Times gf_pathgrad_exact, the split of dL/dx_0 by path length, on a He-initialized\n"
            "residual MLP (784 inputs like Fashion-MNIST, 10 classes, relu, batch norm in\n"
            "evaluation mode), against one ordinary forward + backward pass; prints a Markdown\n"
            "table of medians.\n"
            "\n"
            "  --depth LIST   depths 2B + 2 (default 20,56,110)\n"
            "  --width LIST   widths (default 64,128)\n"
            "  --batch N      images in the batch (default 64, as gradflow pathgrad)\n"
            "  --reps N       timed repetitions of the split (default 5)\n"
            "  --arch NAME    resnet (default) or preact\n"
            "  --norm NAME    batch (default) or none\n"
            "  --quick        depth 20, width 64, 3 repetitions\n"
            "  --help         this text\n");
}

typedef struct options {
    long depth[BENCH_MAX_LIST], width[BENCH_MAX_LIST], batch, reps;
    int n_depth, n_width;
    gf_arch arch;
    gf_norm norm;
} options;

/* 0: run; 1: help; -1: usage error (message printed). */
static int parse(int argc, char **argv, void *opts)
{
    options *o = opts;
    static const struct option longopts[] = {
        {"depth", required_argument, 0, 'd'}, {"width", required_argument, 0, 'w'},
        {"batch", required_argument, 0, 'b'}, {"reps", required_argument, 0, 'r'},
        {"arch", required_argument, 0, 'a'},  {"norm", required_argument, 0, 'n'},
        {"quick", no_argument, 0, 'q'},       {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    *o = (options){.depth = {20, 56, 110}, .n_depth = 3, .width = {64, 128}, .n_width = 2,
                   .batch = 64, .reps = 5, .arch = GF_ARCH_RESNET, .norm = GF_NORM_BATCH};
    int c, k;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'd':
            bad = bench_parse_list(PROG, "--depth", optarg, 4, 20002, o->depth, &o->n_depth);
            for (int i = 0; !bad && i < o->n_depth; i++)
                bad = o->depth[i] % 2 != 0 &&
                      fprintf(stderr, "%s: --depth %ld is not 2B + 2\n", PROG, o->depth[i]);
            break;
        case 'w':
            bad = bench_parse_list(PROG, "--width", optarg, 1, 4096, o->width, &o->n_width);
            break;
        case 'b':
            bad = bench_parse_long(PROG, "--batch", optarg, 1, 1 << 16, &o->batch);
            break;
        case 'r':
            bad = bench_parse_long(PROG, "--reps", optarg, 1, 1000, &o->reps);
            break;
        case 'a':
            bad = (k = gf_name_lookup(gf_arch_names, optarg)) < 1 &&
                  fprintf(stderr, "%s: --arch resnet or preact, not '%s'\n", PROG, optarg);
            o->arch = bad ? o->arch : (gf_arch)k;
            break;
        case 'n':
            k = gf_name_lookup(gf_norm_names, optarg);
            bad = (k != GF_NORM_NONE && k != GF_NORM_BATCH) &&
                  fprintf(stderr, "%s: --norm none or batch, not '%s'\n", PROG, optarg);
            o->norm = bad ? o->norm : (gf_norm)k;
            break;
        case 'q':
            *o = (options){.depth = {20}, .n_depth = 1, .width = {64}, .n_width = 1,
                           .batch = o->batch, .reps = 3, .arch = o->arch, .norm = o->norm};
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            return bench_unknown_option(PROG, argv[optind - 1]);
        }
        if (bad)
            return -1;
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", PROG, argv[optind]);
        return -1;
    }
    return 0;
}

/* One ordinary forward (evaluation mode) and backward to the input: what
 * dL/dx_0 costs without the split. */
static double ordinary_pass(gf_stack *s, gf_tape *tape, const double *x, const int *y, size_t n)
{
    const double t0 = bench_now();
    gf_tape_reset(tape);
    gf_tensor *in = gf_tape_input(tape, n, s->cfg.in_dim);
    memcpy(in->v, x, n * s->cfg.in_dim * sizeof *x);
    in->flags |= GF_REQUIRES_GRAD;
    gf_tensor *logits = gf_stack_forward(s, tape, in, 0, NULL);
    if (!logits || gf_tape_backward(tape, gf_softmax_xent(tape, logits, y)) != 0)
        return NAN;
    return bench_now() - t0;
}

typedef struct row {
    double exact, lo, hi, cpu, ordinary, rel_err;
} row;

static int measure(const options *o, long depth, long width, gsl_rng *rng, row *out)
{
    gf_stack_config c = gf_stack_config_default();
    c.arch = o->arch;
    c.depth = (int)depth;
    c.width = (size_t)width;
    c.in_dim = 784;
    c.norm = o->norm;
    c.init = GF_INIT_HE;
    const size_t n = (size_t)o->batch;
    gf_model *m = gf_model_alloc(&gf_model_mlp, &c, NULL, 0);
    gf_stack *s = m ? gf_model_net(m) : NULL;
    gf_tape *tape = gf_tape_alloc(0);
    double *x = malloc(n * c.in_dim * sizeof *x), *t = malloc(2 * (size_t)o->reps * sizeof *t);
    int *y = malloc(n * sizeof *y);
    int rc = -1;
    if (!s || !tape || !x || !t || !y || gf_stack_init_weights(s, rng) != 0)
        goto out;
    for (size_t i = 0; i < n * c.in_dim; i++)
        x[i] = gsl_rng_uniform(rng); /* pixel-like values in [0, 1) */
    for (size_t i = 0; i < n; i++)
        y[i] = (int)gsl_rng_uniform_int(rng, 10);
    char why[256];
    gf_pathgrad pg;
    for (long r = -1; r < o->reps; r++) { /* r = -1: the warm-up */
        const double t0 = bench_now(), c0 = bench_cpu_now().self;
        if (gf_pathgrad_exact(m, x, y, n, &pg, why, sizeof why) != 0) {
            fprintf(stderr, "%s: %s\n", PROG, why);
            goto out;
        }
        if (r >= 0) {
            t[r] = bench_now() - t0;
            t[o->reps + r] = bench_cpu_now().self - c0; /* every thread's CPU time */
        }
        if (r == o->reps - 1) { /* sum_k g_k against dL/dx_0 */
            const size_t nd = pg.n * pg.d;
            double num = 0.0, den = 0.0;
            for (size_t i = 0; i < nd; i++) {
                double sum = 0.0;
                for (int k = 0; k <= pg.blocks; k++)
                    sum += pg.g[(size_t)k * nd + i];
                num += (sum - pg.full[i]) * (sum - pg.full[i]);
                den += pg.full[i] * pg.full[i];
            }
            out->rel_err = sqrt(num / den);
        }
        gf_pathgrad_release(&pg);
    }
    out->lo = out->hi = t[0];
    for (long r = 0; r < o->reps; r++) {
        out->lo = fmin(out->lo, t[r]);
        out->hi = fmax(out->hi, t[r]);
    }
    out->exact = bench_median(t, (size_t)o->reps);
    out->cpu = bench_median(t + o->reps, (size_t)o->reps);
    double u[7];
    for (int r = -1; r < 7; r++) {
        const double v = ordinary_pass(s, tape, x, y, n);
        if (r >= 0)
            u[r] = v;
    }
    out->ordinary = bench_median(u, 7);
    rc = isnan(out->ordinary) ? -1 : 0;
out:
    gf_model_free(m);
    gf_tape_free(tape);
    free(x);
    free(t);
    free(y);
    return rc;
}

int main(int argc, char **argv)
{
    options o;
    const int started = bench_start(PROG, argc, argv, parse, &o);
    if (started != BENCH_GO)
        return started;
    const gf_blas_info *bi = gf_blas_info_get();
    const double others = bench_idle_check(PROG);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 1);
    printf("# gf_pathgrad_exact: %s, relu, batch norm %s (evaluation mode), He init, batch %ld;\n"
           "# %s, kernel %s, %d threads; other processes used %.0f%% of the CPUs at the start\n\n",
           gf_arch_names[o.arch], o.norm == GF_NORM_BATCH ? "on" : "off", o.batch, bi->library,
           bi->kernel, bi->threads, 100.0 * others);
    printf("| depth | blocks | width | split s (median) | min .. max | CPU s | ordinary pass ms | "
           "split / ordinary | branch GEMM GFLOP/s | sum_k g_k rel. error |\n"
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    int status = 0;
    for (int i = 0; i < o.n_depth; i++)
        for (int j = 0; j < o.n_width; j++) {
            row r = {0};
            if (measure(&o, o.depth[i], o.width[j], rng, &r) != 0) {
                status = 1;
                continue;
            }
            const double B = (double)(o.depth[i] - 2) / 2.0, w = (double)o.width[j];
            /* B (B + 1) / 2 branch passes, 4 GEMMs of n x w x w each */
            const double flops = B * (B + 1.0) / 2.0 * 4.0 * 2.0 * (double)o.batch * w * w;
            printf("| %ld | %.0f | %ld | %.3f | %.3f .. %.3f | %.3f | %.2f | %.0f | %.1f | "
                   "%.1e |\n",
                   o.depth[i], B, o.width[j], r.exact, r.lo, r.hi, r.cpu, 1e3 * r.ordinary,
                   r.exact / r.ordinary, flops / r.exact * 1e-9, r.rel_err);
            fflush(stdout);
        }
    gsl_rng_free(rng);
    return status;
}
