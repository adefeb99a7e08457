/* report.c: the Markdown table and the TSV of bench_step. */
#include "bench.h"

#include "io/gf_io.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

static double floor_target(long width) { return width < 256 ? 1.5 : 1.15; }
enum { PROBE_TARGET_PCT = 3 };

/* Milliseconds to 3 significant digits or so; "-" for a kind not timed. */
const char *bench_fmt_ms(char *buf, size_t size, double seconds)
{
    const double ms = 1e3 * seconds;
    if (isnan(ms))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, ms >= 100 ? "%.0f" : ms >= 10 ? "%.1f" : ms >= 1 ? "%.2f" : "%.3f", ms);
    return buf;
}

/* x with a printf format; then " ± se" when se_fmt is given and se is a
 * number; then a bold note when x misses its target. "-" for a kind not timed. */
static const char *fmt_num(char *buf, size_t size, const char *fmt, double x, const char *se_fmt,
                           double se, int missed, const char *note)
{
    if (isnan(x))
        return snprintf(buf, size, "-"), buf;
    size_t k = (size_t)snprintf(buf, size, fmt, x);
    if (se_fmt && !isnan(se) && k < size)
        k += (size_t)snprintf(buf + k, size - k, se_fmt, se);
    if (missed && k < size)
        snprintf(buf + k, size - k, " **(%s)**", note);
    return buf;
}

static double overhead_pct(const bench_result *r) { return r->pct; }

/* "q1 to q3" of the paired probe costs, "-" when not timed. */
static const char *quartiles(char *buf, size_t size, const bench_result *r)
{
    if (isnan(r->pct_q1))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%+.1f to %+.1f%%", r->pct_q1, r->pct_q3);
    return buf;
}

void bench_print_markdown(const bench_result *res, int n, double dgemm, long dgemm_reps,
                          const bench_options *o, double wall, double others)
{
    const gf_blas_info *b = gf_blas_info_get();
    printf("### One training step vs. its GEMM floor\n\n");
    printf("- BLAS: %s, kernel **%s** (%s), %d threads, product check %s\n", b->library, b->kernel,
           b->selected_by, b->threads, b->check_passed ? "passed" : "FAILED");
    if (isnan(dgemm))
        printf("- square DGEMM, n = 1024: not measured (--only)\n");
    else
        printf("- square DGEMM, n = 1024: **%.1f GFLOP/s** (median of %ld)\n", dgemm, dgemm_reps);
    printf("- stacks: resnet (post-activation), no norm, relu, torch init, %ld inputs, %ld "
           "classes; step = forward + mean cross-entropy + backward; median of the reps\n",
           o->in_dim, o->classes);
    printf("- clock: %s\n", o->cpu_clock ? "this thread's CPU time (--clock cpu: time other "
                                           "processes held the CPU is left out, and so is work "
                                           "on other BLAS threads)"
                                         : "wall time (CLOCK_MONOTONIC)");
    printf("- machine: %ld CPUs; other processes used %.1f%% of them during the run%s\n\n",
           sysconf(_SC_NPROCESSORS_ONLN), 100.0 * others,
           others > BENCH_BUSY ? " (**the times may be inflated**)" : "");
    printf("| width | depth | batch | reps | step ms | no-probe ms | GEMM floor ms | step GFLOP/s "
           "| floor GFLOP/s | step / floor | probe cost | its quartiles | probe passes alone | subnormals |\n");
    printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    int missed = 0;
    for (int i = 0; i < n; i++) {
        const bench_result *r = &res[i];
        char t[3][32], g[3][32], q[2][64], target[16], spread[48] = "";
        const double ratio = r->step / r->floor, pct = overhead_pct(r);
        const int ratio_miss = ratio > floor_target(r->width), pct_miss = pct > PROBE_TARGET_PCT;
        missed += ratio_miss + pct_miss;
        snprintf(target, sizeof target, "> %.2f", floor_target(r->width));
        printf(
            "| %ld | %ld | %ld | %ld%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %zu |\n",
            r->width,
            r->depth, r->batch, r->reps, r->others > BENCH_BUSY ? " (busy)" : "",
            bench_fmt_ms(t[0], sizeof t[0], r->step), bench_fmt_ms(t[1], sizeof t[1], r->plain),
            bench_fmt_ms(t[2], sizeof t[2], r->floor),
            fmt_num(g[0], sizeof g[0], "%.1f", r->flops / r->step * 1e-9, NULL, 0, 0, ""),
            fmt_num(g[1], sizeof g[1], "%.1f", r->flops / r->floor * 1e-9, NULL, 0, 0, ""),
            fmt_num(q[0], sizeof q[0], "%.2f", ratio, " ± %.2f", r->ratio_se, ratio_miss, target),
            fmt_num(q[1], sizeof q[1], "%+.1f", pct, " ± %.1f%%", r->pct_se, pct_miss, "> 3%"),
            quartiles(spread, sizeof spread, r),
            fmt_num(g[2], sizeof g[2], "%.1f%%", 100.0 * r->passes / r->plain, NULL, 0, 0, ""),
            r->audit.subnormal_values + r->audit.subnormal_grads);
    }
    int busy = 0;
    for (int i = 0; i < n; i++)
        busy += res[i].others > BENCH_BUSY;
    if (busy)
        printf("\n(busy): other processes used more than %.0f%% of the CPUs while this row was "
               "timed; its times may be inflated%s.\n",
               100.0 * BENCH_BUSY,
               o->cpu_clock ? "" : " (--clock cpu with OPENBLAS_NUM_THREADS=1 leaves out the "
                                   "time they held the CPU)");
    printf("\nTargets (2 cores): step / floor at most 1.5 at width 64 and 1.15 at widths 256 and "
           "1024; probes cost at most %d%%. %s\n",
           PROBE_TARGET_PCT,
           missed ? "Entries marked in bold miss a target." : "All configurations meet them.");

    double smallest = INFINITY;
    size_t values = 0, grads = 0, timed_mallocs = 0;
    for (int i = 0; i < n; i++) {
        smallest = fmin(smallest, res[i].audit.smallest);
        values += res[i].audit.subnormal_values;
        grads += res[i].audit.subnormal_grads;
        timed_mallocs += res[i].timed_mallocs;
    }
    printf("\nFLOPs count 2 n in out per GEMM: for every Linear the forward x W^T, dW = dY^T X "
           "and dX = dY W (none for the stem: the input needs no gradient). The floor runs "
           "exactly those cblas_dgemm calls, with the step's shapes, transpositions and betas, "
           "on preallocated buffers. The ± of step / floor is the standard error of the median of "
           "that ratio taken round by round. Probe cost: the step with probes and the step "
           "without are timed side by side in adjacent pairs, their order alternating, many "
           "times; the cost is the median over the pairs of step / no-probe step - 1, so that "
           "load from other processes on a shared machine hits both alike. Its ± is the "
           "standard error of that median, its quartiles the spread of the paired ratios: "
           "differences within about two standard errors are noise. Probe passes alone: the "
           "observers of one step run again on the gradients that step left (the sums, the "
           "split, the logarithms; median of as many runs as reps), as a share of the no-probe "
           "step: the work the probes add, without their effect on the caches of the rest of "
           "the step.\n");
    printf("\nSubnormal numbers: after one step of every configuration, scanning the tape, %zu subnormal values and "
           "%zu subnormal gradients (fpclassify == FP_SUBNORMAL over every activation, every "
           "gradient buffer and every parameter and parameter gradient); the smallest nonzero "
           "magnitude seen was 2^%.0f. They are avoided by construction: residual stacks at the "
           "torch init keep activations O(1), and each probe renormalizes the gradient it "
           "observes by an exact power of two (the scale goes into an exponent), so a vanishing "
           "gradient never reaches the subnormal range.\n",
           values, grads, isfinite(smallest) ? floor(log2(smallest)) : 0.0);
    printf("\nArena chunks allocated while timing: %zu (the tape is reset between steps). "
           "Total run time %.0f s.\n",
           timed_mallocs, wall);
}

int bench_write_tsv(const char *path, const bench_result *res, int n, double dgemm)
{
    gf_atomic at;
    FILE *f = gf_atomic_open(&at, path);
    if (!f)
        return -1;
    const gf_blas_info *b = gf_blas_info_get();
    fprintf(f, "width\tdepth\tbatch\treps\tstep_ms\tnoprobe_ms\tfloor_ms\tgemm_flops\t"
               "step_gflops\tfloor_gflops\tstep_over_floor\tstep_over_floor_se\t"
               "probe_overhead_pct\tprobe_overhead_se\tprobe_overhead_q1\tprobe_overhead_q3\t"
               "probe_passes_ms\t"
               "subnormal_values\tsubnormal_grads\tsmallest_log2\t"
               "timed_mallocs\tothers_cpu_share\tblas_library\tblas_kernel\tblas_"
               "threads\tdgemm1024_gflops\n");
    for (int i = 0; i < n; i++) {
        const bench_result *r = &res[i];
        fprintf(f,
                "%ld\t%ld\t%ld\t%ld\t%.6f\t%.6f\t%.6f\t%.0f\t%.3f\t%.3f\t%.4f\t%.4f\t%.3f\t%.3f\t"
                "%.3f\t%.3f\t%.6f\t"
                "%zu\t%zu\t"
                "%.1f\t%zu\t%.3f\t%s\t%s\t%d\t%.3f\n",
                r->width, r->depth, r->batch, r->reps, 1e3 * r->step, 1e3 * r->plain,
                1e3 * r->floor, r->flops, r->flops / r->step * 1e-9, r->flops / r->floor * 1e-9,
                r->step / r->floor, r->ratio_se, overhead_pct(r), r->pct_se, r->pct_q1, r->pct_q3, 1e3 * r->passes,
                r->audit.subnormal_values, r->audit.subnormal_grads, log2(r->audit.smallest),
                r->timed_mallocs, r->others, b->library, b->kernel, b->threads,
                dgemm);
    }
    return gf_atomic_commit(&at);
}
