/* bench_step.c: the time of one instrumented training step of a residual MLP,
 * against the matrix products that step cannot avoid.
 *
 * For every (width, depth, batch) of the grid, one stack (resnet, no
 * normalization, relu, torch init; 32 inputs, 10 classes) is built and three
 * things are timed, interleaved in rounds so that drift of the machine hits
 * all three alike:
 *
 *   step      forward, mean cross-entropy, backward, every probe (a
 *             gf_recorder passed to gf_stack_forward);
 *   no-probe  the same step with no recorder;
 *   floor     only the cblas_dgemm calls of that step (gemm_floor.c): same
 *             shapes, transpositions and betas, on preallocated buffers. No
 *             engine on this BLAS can be faster than this.
 *
 * The step and the no-probe step are timed in adjacent pairs, their order
 * alternating; the probe cost is the median of the paired ratios (load on a
 * shared machine hits both members of a pair), with its quartiles. The probe
 * passes are also timed alone (probe_passes). --clock cpu times by the
 * thread's CPU time.
 *
 * Before timing, one step of each configuration is audited for subnormal
 * numbers (audit.c). The report (report.c) is a Markdown table on stdout;
 * --tsv FILE writes the same numbers as a TSV. Options are in options.c.
 * Speed is measured here and never asserted: targets are printed, not
 * enforced, and the exit status only says whether the run worked.
 */
#include "bench.h"

#include <errno.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BURST = 3, EXIT_RUNTIME = 1 };

/* ---- one configuration --------------------------------------------------- */

typedef struct bench_ctx {
    gf_stack *s;
    gf_tape *tape;
    gf_recorder rec;
    const double *x; /* batch x in_dim */
    const int *labels;
    size_t batch;
    bench_floor floor;
    double (*clock)(void); /* bench_now or bench_thread_cpu (--clock) */
    int failed;
} bench_ctx;

/* One step with rec (or none), after a tape reset; NULL on failure. */
static gf_tensor *run_step(bench_ctx *c, gf_recorder *rec)
{
    const size_t in_dim = c->s->cfg.in_dim;
    gf_tensor *x = gf_tape_input(c->tape, c->batch, in_dim);
    if (!x)
        return NULL;
    memcpy(x->v, c->x, c->batch * in_dim * sizeof *c->x);
    gf_tensor *logits = gf_stack_forward(c->s, c->tape, x, 1, rec);
    gf_tensor *loss = gf_softmax_xent(c->tape, logits, c->labels);
    return loss && gf_tape_backward(c->tape, loss) == 0 ? loss : NULL;
}

static double time_kind(bench_ctx *c, int kind)
{
    if (kind == BENCH_FLOOR) {
        const double t0 = c->clock();
        bench_floor_run(&c->floor);
        return c->clock() - t0;
    }
    gf_tape_reset(c->tape); /* between timings: rewinds the arena, allocates nothing */
    const double t0 = c->clock();
    const gf_tensor *loss = run_step(c, kind == BENCH_STEP ? &c->rec : NULL);
    const double t = c->clock() - t0;
    if (!loss)
        c->failed = 1;
    return t;
}

/* One timing of kind k, or NaN when --only excludes it. */
static double timed(bench_ctx *c, const bench_options *o, int k)
{
    return o->only < 0 || k == o->only ? time_kind(c, k) : NAN;
}

/* The probe passes alone: after one step with probes, every probed tensor's
 * observer runs again on the gradient backward left, reps times (each
 * tensor once per run however many probes share it); the median seconds of
 * one run. This is the work the probes add, without its effect on the rest
 * of the step; NaN when the step fails. */
static double probe_passes(bench_ctx *c, long reps)
{
    gf_tape_reset(c->tape);
    double *t = malloc((size_t)reps * sizeof *t);
    if (!t || !run_step(c, &c->rec)) {
        free(t);
        return NAN;
    }
    const gf_recorder *r = &c->rec;
    for (long k = 0; k < reps; k++) {
        const double t0 = c->clock();
        for (size_t i = 0; i < r->n; i++) {
            gf_tensor *x = (gf_tensor *)r->rec[i].tensor;
            size_t j = 0;
            while (j < i && r->rec[j].tensor != x)
                j++;
            if (j == i && x->obs)
                x->obs->fn(x->obs->ctx, x);
        }
        t[k] = c->clock() - t0;
    }
    const double m = bench_median(t, (size_t)reps);
    free(t);
    return m;
}

static int run_config(gf_stack *s, const gf_dataset *ds, long batch, const bench_options *o,
                      bench_result *r, char *why, size_t size)
{
    bench_ctx c = {
        .s = s, .batch = (size_t)batch, .clock = o->cpu_clock ? bench_thread_cpu : bench_now};
    double *x = malloc((size_t)batch * s->cfg.in_dim * sizeof *x), *samples = NULL;
    int *labels = malloc((size_t)batch * sizeof *labels);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = -1;
    c.tape = gf_tape_alloc(0);
    gf_recorder_init(&c.rec);
    if (!x || !labels || !rng || !c.tape) {
        snprintf(why, size, "out of memory");
        goto done;
    }
    gsl_rng_set(rng, o->seed + (unsigned long)batch);
    if (gf_dataset_sample(ds, rng, (size_t)batch, x, labels) != 0 ||
        bench_floor_build(&c.floor, s, (size_t)batch, rng) != 0) {
        snprintf(why, size, "cannot set up the batch or the GEMM floor (out of memory?)");
        goto done;
    }
    c.x = x;
    c.labels = labels;
    *r = (bench_result){
        .width = (long)s->cfg.width, .depth = s->cfg.depth, .batch = batch, .flops = c.floor.flops};

    /* The first step allocates the arena; its tensors are then audited. */
    gf_tape_reset(c.tape);
    if (!run_step(&c, &c.rec)) {
        snprintf(why, size, "the step failed (tape status %d)", gf_tape_status(c.tape));
        goto done;
    }
    bench_audit_tape(s, c.tape, &r->audit);

    /* Warm-up: at least one round of each kind, and 0.1 s for cheap ones. */
    double round = 0.0;
    const double warm_start = bench_now();
    for (int w = 0; w < 1 || (bench_now() - warm_start < 0.1 && w < 1000); w++) {
        double t = 0.0;
        for (int k = 0; k < BENCH_KINDS; k++)
            if (o->only < 0 || k == o->only)
                t += time_kind(&c, k);
        round = w == 0 ? t : fmin(round, t);
    }
    long reps = o->reps;
    if (!reps) {
        const double want = ceil(o->budget / round);
        reps = want < BENCH_MIN_REPS   ? BENCH_MIN_REPS
               : want > BENCH_MAX_REPS ? BENCH_MAX_REPS
                                       : (long)want;
    }
    samples = malloc(BENCH_KINDS * (size_t)reps * sizeof *samples);
    if (!samples) {
        snprintf(why, size, "out of memory");
        goto done;
    }
    /* Rounds: a short burst of the floor, then step and no-probe step in
     * adjacent pairs whose order alternates, so that a pair shares the load
     * of the machine and neither kind is always the one to follow the floor
     * (whose buffers push the step's data out of the caches). */
    const size_t mallocs = gf_arena_mallocs(gf_tape_arena(c.tape));
    const bench_cpu use0 = bench_cpu_now();
    const double t0 = bench_now();
    for (long done = 0, rnd = 0; done < reps; rnd++) {
        const long burst = reps - done < BURST ? reps - done : BURST;
        for (long b = 0; b < burst; b++)
            samples[BENCH_FLOOR * reps + done + b] = timed(&c, o, BENCH_FLOOR);
        for (long b = 0; b < burst; b++) {
            const int first = (rnd + b) % 2 ? BENCH_NOPROBE : BENCH_STEP;
            samples[first * reps + done + b] = timed(&c, o, first);
            const int second = BENCH_STEP + BENCH_NOPROBE - first;
            samples[second * reps + done + b] = timed(&c, o, second);
        }
        done += burst;
    }
    if (c.failed) {
        snprintf(why, size, "a timed step failed (tape status %d)", gf_tape_status(c.tape));
        goto done;
    }
    r->others = bench_others_share(use0, bench_cpu_now(), bench_now() - t0);
    r->timed_mallocs = gf_arena_mallocs(gf_tape_arena(c.tape)) - mallocs;
    r->reps = reps;
    r->ratio_se =
        bench_paired_ratio(samples + BENCH_STEP * reps, samples + BENCH_FLOOR * reps, reps, 1.0).se;
    const bench_paired cost =
        bench_paired_ratio(samples + BENCH_STEP * reps, samples + BENCH_NOPROBE * reps, reps, 100.0);
    r->pct = cost.median - 100.0;
    r->pct_q1 = cost.q1 - 100.0;
    r->pct_q3 = cost.q3 - 100.0;
    r->pct_se = cost.se;
    r->step = bench_median(samples + BENCH_STEP * reps, (size_t)reps);
    r->plain = bench_median(samples + BENCH_NOPROBE * reps, (size_t)reps);
    r->floor = bench_median(samples + BENCH_FLOOR * reps, (size_t)reps);
    r->passes = o->only < 0 ? probe_passes(&c, reps) : NAN;
    r->floor_abnormal = bench_floor_abnormal(&c.floor);
    if (r->floor_abnormal)
        fprintf(stderr, "bench_step: %zu floor buffer entries left the normal range\n",
                r->floor_abnormal);
    rc = 0;
done:
    free(samples);
    bench_floor_release(&c.floor);
    gf_recorder_release(&c.rec);
    gf_tape_free(c.tape);
    gsl_rng_free(rng);
    free(labels);
    free(x);
    return rc;
}

/* ---- main ---------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    bench_options o;
    const int started = bench_start("bench_step", argc, argv, bench_parse_options, &o);
    if (started != BENCH_GO)
        return started;

    bench_idle_check("bench_step"); /* half a second of watching before starting */
    const double start = bench_now();
    const bench_cpu use0 = bench_cpu_now();
    const gf_blas_info *b = gf_blas_info_get();
    fprintf(stderr, "bench_step: %s, kernel %s (%s), %d threads\n", b->library, b->kernel,
            b->selected_by, b->threads);
    long dgemm_reps = 0; /* --only is for profilers: no square DGEMM to muddle the profile */
    const double dgemm = o.only < 0 ? bench_square_dgemm_rate(1024, &dgemm_reps) : NAN;
    if (!isnan(dgemm))
        fprintf(stderr, "bench_step: square DGEMM n = 1024: %.1f GFLOP/s\n", dgemm);

    long max_batch = 0;
    for (int i = 0; i < o.n_batch; i++)
        max_batch = o.batch[i] > max_batch ? o.batch[i] : max_batch;
    gf_dataset ds;
    if (gf_synthetic_make(&ds, (size_t)(max_batch > 1024 ? max_batch : 1024), (size_t)o.in_dim,
                          (size_t)o.classes, 1.5, o.seed) != 0) {
        fprintf(stderr, "bench_step: cannot make the synthetic data set (out of memory?)\n");
        return EXIT_RUNTIME;
    }
    const int total = o.n_width * o.n_depth * o.n_batch;
    bench_result *res = calloc((size_t)total, sizeof *res);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int n = 0, status = res && rng ? 0 : EXIT_RUNTIME;
    if (status)
        fprintf(stderr, "bench_step: out of memory\n");
    for (int wi = 0; !status && wi < o.n_width; wi++)
        for (int di = 0; !status && di < o.n_depth; di++) {
            gf_stack_config cfg = gf_stack_config_default();
            cfg.arch = GF_ARCH_RESNET;
            cfg.norm = GF_NORM_NONE;
            cfg.act = GF_ACT_RELU;
            cfg.init = GF_INIT_TORCH;
            cfg.depth = (int)o.depth[di];
            cfg.width = (size_t)o.width[wi];
            cfg.in_dim = (size_t)o.in_dim;
            cfg.classes = (size_t)o.classes;
            gf_stack *s = gf_stack_alloc(&cfg); /* one stack serves every batch size */
            gsl_rng_set(rng, o.seed);
            if (!s || gf_stack_init_weights(s, rng) != 0) {
                fprintf(stderr,
                        "bench_step: cannot build the stack of width %ld, depth %ld "
                        "(out of memory?)\n",
                        o.width[wi], o.depth[di]);
                status = EXIT_RUNTIME;
            }
            for (int bi = 0; !status && bi < o.n_batch; bi++) {
                char reason[160], ms[32], fl[32];
                bench_result *r = &res[n];
                if (run_config(s, &ds, o.batch[bi], &o, r, reason, sizeof reason) != 0) {
                    fprintf(stderr, "bench_step: width %ld, depth %ld, batch %ld: %s\n",
                            o.width[wi], o.depth[di], o.batch[bi], reason);
                    status = EXIT_RUNTIME;
                    break;
                }
                n++;
                fprintf(stderr,
                        "[%d/%d] width %ld depth %ld batch %ld: step %s ms, floor %s ms, "
                        "%ld reps (%.0f s so far)\n",
                        n, total, r->width, r->depth, r->batch,
                        bench_fmt_ms(ms, sizeof ms, r->step), bench_fmt_ms(fl, sizeof fl, r->floor),
                        r->reps, bench_now() - start);
            }
            gf_stack_free(s);
        }
    if (!status) {
        const double wall = bench_now() - start;
        const double during = bench_others_share(use0, bench_cpu_now(), wall);
        if (during > BENCH_BUSY)
            fprintf(stderr,
                    "bench_step: other processes used %.0f%% of the CPUs during the run: "
                    "the times may be inflated\n",
                    100.0 * during);
        bench_print_markdown(res, n, dgemm, dgemm_reps, &o, wall, during);
        if (o.tsv && bench_write_tsv(o.tsv, res, n, dgemm) != 0) {
            fprintf(stderr, "bench_step: cannot write %s: %s\n", o.tsv, strerror(errno));
            status = EXIT_RUNTIME;
        }
    }
    gsl_rng_free(rng);
    free(res);
    gf_dataset_release(&ds);
    return status;
}
