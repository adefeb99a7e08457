/* bench_landscape.c: the speed of a loss surface (issue 13: the default 2-D
 * surface of a 56-layer width-64 MLP over 10,000 images in under two minutes
 * on two cores). Each grid point is one evaluation-mode forward pass over the
 * images (gf_land_surface: an MLP stack runs without the tape, and the stem's
 * three products over the images are made once per plane). This times
 * --points points of a plane at several evaluation batch sizes (each plane's
 * one-time stem products included) and reports forward passes per second and
 * the GEMM floor: the cblas_dgemm calls of one forward pass alone (batch x in
 * x out per weighted layer) on the same shapes, with and without the stem;
 * then, unless --no-full, it times the whole default plane, 41 x 41 points at
 * batch 256. Speed is measured here, never asserted; other processes' load is
 * reported (on a shared machine the times are upper bounds).
 *
 *   bench_landscape [--arch plain|resnet] [--depth N] [--width N] [--images N]
 *                   [--points N] [--threads N] [--no-full]
 *
 * passes/s counts every thread's passes; pass/floor compares one pass's
 * time per thread (threads / passes per second) with the floor without the
 * stem (the products a point computes), so 1.0 means every thread runs at
 * its GEMM floor.
 */
#include "bench.h"

#include "landscape/gf_landscape.h"
#include "model/gf_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char PROG[] = "bench_landscape";

/* The forward GEMMs of one pass of m over n rows in chunks of `batch`, from
 * weighted layer `from` on (0: every layer, 1: without the stem): the median
 * seconds of reps runs. */
static double gemm_floor(gf_model *m, size_t n, size_t batch, int from, int reps)
{
    gf_params *p = gf_model_params(m);
    size_t widest = gf_model_in_dim(m);
    gf_linear_slots ls;
    for (int k = 0; gf_model_layer(m, k, &ls, NULL, 0) == 0; k++)
        widest = p->slot[ls.weight].cols > widest ? p->slot[ls.weight].cols : widest;
    double *x = calloc(batch * widest, sizeof *x), *y = calloc(batch * widest, sizeof *y);
    double *t = malloc((size_t)reps * sizeof *t);
    for (size_t i = 0; i < batch * widest; i++)
        x[i] = 0.01 * (double)(i % 17);
    for (int r = 0; r < reps; r++) {
        const double t0 = bench_now();
        for (size_t first = 0; first < n; first += batch) {
            const size_t rows = n - first < batch ? n - first : batch;
            for (int k = from; gf_model_layer(m, k, &ls, NULL, 0) == 0; k++) {
                const gf_slot *s = &p->slot[ls.weight]; /* y = x W^T, W out x in */
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)s->rows,
                            (int)s->cols, 1.0, x, (int)s->cols, s->t.v, (int)s->cols, 0.0, y,
                            (int)s->rows);
            }
        }
        t[r] = bench_now() - t0;
    }
    const double med = bench_median(t, (size_t)reps);
    free(x);
    free(y);
    free(t);
    return med;
}

static const char USAGE[] =
    "usage: bench_landscape [--arch plain|resnet] [--depth N] [--width N] [--images N]\n"
    "                       [--points N] [--threads N] [--no-full]\n"
    "  grid points of the loss surface (one evaluation-mode forward pass each) at several\n"
    "  evaluation batch sizes: passes per second against the GEMM floor; then the whole\n"
    "  41 x 41 surface at batch 256, timed (--no-full: not)\n";

typedef struct options {
    const char *arch;
    long depth, width, images, points, threads;
    int full;
} options;

/* 0 to run, 1 after --help, -1 on a usage error (one line on stderr). */
static int parse(int argc, char **argv, void *opts)
{
    options *o = opts;
    *o = (options){.arch = "resnet", .depth = 56, .width = 64, .images = 10000, .points = 24,
                   .threads = 2, .full = 1};
    const bench_arg table[] = {
        {"--arch", BENCH_ARG_TEXT, &o->arch, 0, 0},
        {"--depth", BENCH_ARG_LONG, &o->depth, 4, 100000},
        {"--width", BENCH_ARG_LONG, &o->width, 1, 65536},
        {"--images", BENCH_ARG_LONG, &o->images, 1, 10000000},
        {"--points", BENCH_ARG_LONG, &o->points, 1, 10000000},
        {"--threads", BENCH_ARG_LONG, &o->threads, 1, 256},
        {"--no-full", BENCH_ARG_FLAG, &o->full, 0, 0},
        {NULL, 0, NULL, 0, 0},
    };
    const int rc = bench_parse_args(PROG, argc, argv, table, USAGE);
    if (rc == 0 && strcmp(o->arch, "plain") != 0 && strcmp(o->arch, "resnet") != 0) {
        fprintf(stderr, "%s: --arch plain or resnet, not '%s'\n", PROG, o->arch);
        return -1;
    }
    if (rc == 0 && o->depth % 2 != 0) {
        fprintf(stderr, "%s: --depth %ld is not 2B + 2\n", PROG, o->depth);
        return -1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    options o;
    const int status = bench_start(PROG, argc, argv, parse, &o);
    if (status != BENCH_GO)
        return status;
    gf_stack_config c = gf_stack_config_default();
    c.arch = strcmp(o.arch, "plain") == 0 ? GF_ARCH_PLAIN : GF_ARCH_RESNET;
    c.depth = (int)o.depth;
    c.width = (size_t)o.width;
    c.in_dim = 784; /* Fashion-MNIST's pixels */
    c.classes = 10;
    c.norm = GF_NORM_BATCH;
    c.init = GF_INIT_HE;
    const size_t images = (size_t)o.images;
    const int points = (int)o.points;
    const int threads = (int)o.threads;
    char why[256], name[GF_NET_NAME_MAX];
    gf_blas_threads_for_width(c.width); /* as the commands: one BLAS thread at width 64 */
    gf_model *m = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why);
    gsl_rng *rng = gf_rng_alloc(1);
    gf_dataset ds;
    if (!m || !rng || gf_model_init(m, rng) != 0 ||
        gf_synthetic_make(&ds, images, c.in_dim, c.classes, 1.0, 1) != 0) {
        fprintf(stderr, "%s: setup failed\n", PROG);
        return 1;
    }
    gf_model_name(m, name, sizeof name);
    const size_t P = gf_model_params(m)->size;
    double *centre = gf_land_state(m), *d1 = malloc(P * sizeof *d1), *d2 = malloc(P * sizeof *d2);
    double *loss = malloc((size_t)points * sizeof *loss), *xs = malloc((size_t)points * sizeof *xs);
    gf_land_direction(m, rng, d1);
    gf_land_direction(m, rng, d2);
    for (int i = 0; i < points; i++)
        xs[i] = -1.0 + 2.0 * i / (points > 1 ? points - 1 : 1);
    gf_tape *tape = gf_tape_alloc(0);
    bench_idle_check(PROG);
    printf("# %s, width %zu, %zu images of %zu features; %d grid points per batch size, %d "
           "threads (points in parallel; the floor: one thread, one pass)\n", name, c.width, images,
           c.in_dim, points, threads);
    printf("%-8s %12s %10s %12s %14s %11s %10s\n", "batch", "wall s/point", "passes/s",
           "floor s/pass", "without stem", "pass/floor", "41x41 s");
    const size_t batches[] = {128, 256, 500, 1000, 2500};
    for (size_t b = 0; b < sizeof batches / sizeof *batches; b++) {
        const gf_land_eval ev = {.m = m, .tape = tape, .data = &ds, .batch = batches[b],
                                 .threads = threads};
        gf_land_surface(&ev, centre, d1, d2, xs, 1, xs, 1, loss, NULL, why, sizeof why); /* warm */
        const bench_cpu c0 = bench_cpu_now();
        const double t0 = bench_now();
        if (gf_land_surface(&ev, centre, d1, d2, xs, points, xs, 1, loss, NULL, why,
                            sizeof why) != 0) {
            fprintf(stderr, "%s: %s\n", PROG, why);
            return 1;
        }
        const double wall = bench_now() - t0, per = wall / points;
        const double others = bench_others_share(c0, bench_cpu_now(), wall);
        const double floor = gemm_floor(m, images, batches[b], 0, 5);
        const double floor_body = gemm_floor(m, images, batches[b], 1, 5);
        printf("%-8zu %12.4f %10.2f %12.4f %14.4f %11.2f %10.0f%s\n", batches[b], per, 1.0 / per,
               floor, floor_body, per * threads / floor_body, per * 41 * 41,
               others > BENCH_BUSY ? "  (busy)" : "");
    }
    if (o.full) { /* the real thing: the default plane, once */
        enum { G = 41 };
        double coords[G], *plane = malloc(G * G * sizeof *plane);
        for (int i = 0; i < G; i++)
            coords[i] = -1.0 + 2.0 * i / (G - 1);
        const gf_land_eval ev = {.m = m, .tape = tape, .data = &ds, .batch = 256,
                                 .threads = threads};
        const bench_cpu c0 = bench_cpu_now();
        const double t0 = bench_now();
        if (!plane || gf_land_surface(&ev, centre, d1, d2, coords, G, coords, G, plane, NULL, why,
                                      sizeof why) != 0) {
            fprintf(stderr, "%s: %s\n", PROG, plane ? why : "out of memory");
            return 1;
        }
        const double wall = bench_now() - t0;
        const double others = bench_others_share(c0, bench_cpu_now(), wall);
        printf("# the 41 x 41 surface at batch 256, %d threads: %.1f s (%.2f passes/s)%s\n",
               threads, wall, G * G / wall, others > BENCH_BUSY ? "  (busy)" : "");
        free(plane);
    }
    gf_tape_free(tape);
    free(centre);
    free(d1);
    free(d2);
    free(loss);
    free(xs);
    gf_dataset_release(&ds);
    gsl_rng_free(rng);
    gf_model_free(m);
    return 0;
}
