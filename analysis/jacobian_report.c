/* jacobian_report.c: the figures and the summary of `gradflow jacobian`. */
#include "jacobian_report.h"

#include <gsl/gsl_statistics_double.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *arch_name(const gf_jacobian_result *res, int a)
{
    return gf_arch_names[res->spec.archs[a]];
}

static int cmp_double(const void *x, const void *y)
{
    const double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* ---- pooled numbers -------------------------------------------------------- */

/* Over all blocks and seeds of arch a: the nonzero singular values of J_l
 * (sorted, malloc'd, *n of them) and how many were numerically zero. */
static double *block_values(const gf_jacobian_result *res, int a, size_t *n, size_t *zeros)
{
    const size_t d = res->d, cap = (size_t)res->spec.seeds * (size_t)res->blocks * d;
    double *v = res->full ? malloc((cap ? cap : 1) * sizeof *v) : NULL;
    *n = *zeros = 0;
    if (!v)
        return NULL;
    for (int k = 0; k < res->spec.seeds; k++)
        for (int l = 0; l < res->blocks; l++) {
            const gf_jacobian_stat *st = gf_jacobian_get(res, a, k, GF_JAC_BLOCK, l);
            const double *sv = gf_jacobian_spectrum(res, st);
            for (size_t j = 0; j < d; j++) {
                if (j < (size_t)st->rank)
                    v[(*n)++] = sv[j];
                else
                    ++*zeros;
            }
        }
    qsort(v, *n, sizeof *v, cmp_double);
    return v;
}

/* The q-quantile of sorted v (GSL's linear interpolation); NaN when empty. */
static double quantile(const double *v, size_t n, double q)
{
    return n ? gsl_stats_quantile_from_sorted_data(v, 1, n, q) : NAN;
}

/* log10 of the mean RMS singular value of J_l over blocks and seeds. */
static double block_rms(const gf_jacobian_result *res, int a)
{
    double s = 0.0;
    int n = 0;
    for (int k = 0; k < res->spec.seeds; k++)
        for (int l = 0; l < res->blocks; l++) {
            const double g = gf_jacobian_rms_gain(res, gf_jacobian_get(res, a, k, GF_JAC_BLOCK, l));
            s += g * g;
            n++;
        }
    return n ? 0.5 * log10(s / n) : NAN;
}

static double theory_end(const gf_jacobian_result *res, int a, int l)
{
    double t = 0.0;
    for (int j = l; j < res->blocks; j++)
        t += res->theory[(size_t)a * (size_t)res->blocks + (size_t)j];
    return t;
}

/* ---- figures --------------------------------------------------------------- */

static void widen(double *lo, double *hi, double v)
{
    if (isfinite(v)) {
        *lo = fmin(*lo, v);
        *hi = fmax(*hi, v);
    }
}

static void depth_range(const gf_jacobian_result *res, gf_jac_kind kind, double *lo, double *hi)
{
    static const gf_jstat what[] = {GF_JSTAT_SV_MAX, GF_JSTAT_SV_MIN_NONZERO, GF_JSTAT_RMS_GAIN};
    *lo = INFINITY;
    *hi = -INFINITY;
    const int last = kind == GF_JAC_END ? res->blocks : res->blocks - 1;
    for (int a = 0; a < res->spec.n_archs; a++)
        for (int l = 0; l <= last; l++) {
            for (size_t w = 0; w < sizeof what / sizeof *what; w++) {
                double m, mn, mx;
                int n;
                gf_jacobian_seed_stats(res, a, kind, l, what[w], &m, &mn, &mx, &n);
                widen(lo, hi, m);
            }
            const double *g = res->theory + (size_t)a * (size_t)res->blocks;
            widen(lo, hi, kind == GF_JAC_END ? theory_end(res, a, l) : g[l]);
        }
}

/* A bin width of 1, 2, 2.5 or 5 times a power of ten: about 120 bins over the span. */
static double nice_bin(double span)
{
    const double raw = fmax(span / 120.0, 0.01), e = pow(10.0, floor(log10(raw)));
    const double steps[] = {1.0, 2.0, 2.5, 5.0, 10.0};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (steps[i] * e >= raw)
            return steps[i] * e;
    return 10.0 * e;
}

typedef struct figs {
    gf_fig_jacobian_depth depth;
    gf_fig_jacobian_density density;
    gf_fig_block_spectra spectra;
    const char *archs[GF_ARCH_COUNT];
    int theory[GF_ARCH_COUNT], count[GF_ARCH_COUNT], zeros[GF_ARCH_COUNT];
    int shown[8];
    double rms[GF_ARCH_COUNT];
    char title[3][200], subtitle[300];
} figs;

static void make_density(const gf_jacobian_result *res, figs *f)
{
    gf_fig_jacobian_density *g = &f->density;
    const int l = res->spec.spectra[0];
    double lo = INFINITY, hi = -INFINITY, rlo = 0.0, rhi = 0.0;
    int count_max = 1;
    for (int a = 0; a < res->spec.n_archs; a++) {
        f->count[a] = f->zeros[a] = 0;
        for (int k = 0; k < res->spec.seeds; k++) {
            const gf_jacobian_stat *st = gf_jacobian_get(res, a, k, GF_JAC_END, l);
            const double *sv = gf_jacobian_spectrum(res, st);
            for (size_t j = 0; j < res->d; j++) {
                f->count[a]++;
                if (j >= (size_t)st->rank) {
                    f->zeros[a]++;
                    continue;
                }
                widen(&lo, &hi, log10(sv[j]));
                widen(&rlo, &rhi, log10(sv[j] / st->sv_max));
            }
        }
        count_max = f->count[a] > count_max ? f->count[a] : count_max;
    }
    snprintf(f->title[1], sizeof f->title[1],
             "Singular values of the end-to-end Jacobian dx_B/dx_%d, pooled over seeds", l);
    *g = (gf_fig_jacobian_density){
        .title = f->title[1], .subtitle = f->subtitle, .archs = f->archs,
        .n_archs = res->spec.n_archs, .l = l, .count = f->count, .zeros = f->zeros,
        .count_max = count_max,
        .bin = nice_bin(fmax(hi - lo, -rlo)), .lo = lo, .hi = hi, .rel_lo = rlo,
        .floor = log10((double)res->d * DBL_EPSILON)};
}

static void make_spectra(const gf_jacobian_result *res, figs *f)
{
    gf_fig_block_spectra *g = &f->spectra;
    int n = 0;
    for (int i = 0; i < res->spec.n_spectra && n < 8; i++)
        if (res->spec.spectra[i] < res->blocks)
            f->shown[n++] = res->spec.spectra[i];
    double lo = INFINITY, hi = -INFINITY;
    for (int a = 0; a < res->spec.n_archs; a++) {
        f->rms[a] = block_rms(res, a);
        widen(&lo, &hi, f->rms[a]);
        for (int i = 0; i < n; i++) {
            const gf_jacobian_stat *st = gf_jacobian_get(res, a, 0, GF_JAC_BLOCK, f->shown[i]);
            widen(&lo, &hi, log10(st->sv_max));
            widen(&lo, &hi, log10(st->sv_min_nonzero));
        }
    }
    widen(&lo, &hi, 0.0);
    snprintf(f->title[2], sizeof f->title[2],
             "Spectra of the block Jacobians J_l = dx_(l+1) / dx_l, seed %lu: a curve ends "
             "where the rest are numerically zero",
             res->spec.seed0);
    *g = (gf_fig_block_spectra){.title = f->title[2], .subtitle = f->subtitle,
                                .archs = f->archs, .n_archs = res->spec.n_archs,
                                .shown = f->shown, .n_shown = n, .seed = (long)res->spec.seed0,
                                .rms = f->rms, .lo = lo, .hi = hi};
}

int jacobian_figures(cli_run *r, const gf_jacobian_result *res, const char *batchnorm,
                     int *spectral)
{
    static figs f; /* one figure set at a time */
    memset(&f, 0, sizeof f);
    const gf_stack_config *c = &res->spec.base;
    for (int a = 0; a < res->spec.n_archs; a++) {
        f.archs[a] = arch_name(res, a);
        f.theory[a] = !isnan(res->theory[(size_t)a * (size_t)res->blocks]);
    }
    snprintf(f.title[0], sizeof f.title[0],
             "Singular values of the Jacobians at initialization: %d layers (%d blocks)",
             c->depth, res->blocks);
    char net[192];
    gf_arch_network_text(net, sizeof net, c, res->spec.archs, res->spec.n_archs);
    if (res->matrix_free)
        snprintf(f.subtitle, sizeof f.subtitle,
                 "%s, %d seed%s (one sample each); largest σ only (power iteration on J^T J, "
                 "no Jacobian formed)", net, res->spec.seeds, res->spec.seeds > 1 ? "s" : "");
    else
        snprintf(f.subtitle, sizeof f.subtitle,
             "width %zu, init %s, norm %s, act %s, %d seed%s (one sample each)%s%s", c->width,
             gf_init_names[c->init], gf_norm_names[c->norm], gf_act_names[c->act],
             res->spec.seeds, res->spec.seeds > 1 ? "s" : "",
             c->norm == GF_NORM_BATCH ? "; " : "", c->norm == GF_NORM_BATCH ? batchnorm : "");
    f.depth = (gf_fig_jacobian_depth){.title = f.title[0], .subtitle = f.subtitle,
                                      .archs = f.archs, .n_archs = res->spec.n_archs,
                                      .blocks = res->blocks, .full = res->full,
                                      .no_rms = res->matrix_free,
                                      .theory = f.theory};
    depth_range(res, GF_JAC_END, &f.depth.end_lo, &f.depth.end_hi);
    depth_range(res, GF_JAC_BLOCK, &f.depth.block_lo, &f.depth.block_hi);
    static const char *const spectral_files[] = {"jacobian_density.gp", "jacobian_density.png",
                                           "jacobian_density.svg", "block_spectra.gp",
                                           "block_spectra.png", "block_spectra.svg", NULL};
    *spectral = 0;
    if (cli_run_figure(r, "jacobian_depth", gf_fig_jacobian_depth_body, &f.depth) != 0)
        return CLI_EXIT_RUNTIME;
    cli_run_remove(r, spectral_files); /* an earlier run's would not match this one's data */
    if (res->full) {
        make_density(res, &f);
        make_spectra(res, &f);
        /* nothing nonzero (a Jacobian that underflowed): no histogram, no curve */
        *spectral = isfinite(f.density.lo) && f.spectra.n_shown > 0 && isfinite(f.spectra.lo);
        if (*spectral &&
            (cli_run_figure(r, "jacobian_density", gf_fig_jacobian_density_body, &f.density) ||
             cli_run_figure(r, "block_spectra", gf_fig_block_spectra_body, &f.spectra)))
            return CLI_EXIT_RUNTIME;
    }
    return cli_run_terminal(r, gf_fig_jacobian_depth_body, &f.depth, 140, 40);
}

/* ---- summary --------------------------------------------------------------- */

/* Over seeds at dx_B/dx_0 of arch a. */
typedef struct end_numbers {
    double sv_max, sv_min_nz, rms, cond_range, theory; /* log10, geometric means */
    double rank, bound;                               /* means: numerical rank, exact bound */
    int singular, at_limit, seeds;
    double cond;                                      /* log10, over nonsingular seeds */
} end_numbers;

static end_numbers end_of(const gf_jacobian_result *res, int a, int l)
{
    end_numbers e = {.seeds = res->spec.seeds, .theory = theory_end(res, a, l)};
    double lo, hi, sum = 0.0;
    int n, nc = 0;
    gf_jacobian_seed_stats(res, a, GF_JAC_END, l, GF_JSTAT_SV_MAX, &e.sv_max, &lo, &hi, &n);
    gf_jacobian_seed_stats(res, a, GF_JAC_END, l, GF_JSTAT_SV_MIN_NONZERO, &e.sv_min_nz, &lo,
                           &hi, &n);
    gf_jacobian_seed_stats(res, a, GF_JAC_END, l, GF_JSTAT_RMS_GAIN, &e.rms, &lo, &hi, &n);
    gf_jacobian_seed_stats(res, a, GF_JAC_END, l, GF_JSTAT_CONDITION_RANGE, &e.cond_range, &lo,
                           &hi, &n);
    gf_jacobian_seed_stats(res, a, GF_JAC_END, l, GF_JSTAT_RANK, &e.rank, &lo, &hi, &n);
    for (int k = 0; k < res->spec.seeds; k++) {
        const gf_jacobian_stat *st = gf_jacobian_get(res, a, k, GF_JAC_END, l);
        const double c = gf_jacobian_condition(res, st);
        e.bound += (double)gf_jacobian_rank_bound(res, a, k, l) / res->spec.seeds;
        e.singular += isinf(c);
        e.at_limit += st->rank > 0 && (size_t)st->rank < res->d &&
                      st->sv_min_nonzero < 100.0 * gf_jacobian_rank_tol(res->d, st->sv_max);
        if (isfinite(c)) {
            sum += log10(c);
            nc++;
        }
    }
    e.cond = nc ? sum / nc : NAN;
    return e;
}

static const char *p10(char *buf, size_t size, double log10x)
{
    if (isnan(log10x))
        snprintf(buf, size, "n/a");
    else
        gf_format_pow10(buf, size, log10x, 2);
    return buf;
}

/* Matrix-free runs: per arch, sigma_max of dx_B/dx_0 against the blocks'
 * sigma_max (their product bounds it: ||J_{B-1} ... J_0|| <= prod ||J_l||). */
static void free_table(const gf_jacobian_result *res)
{
    printf("\n  largest singular values (log10 means over seeds; power iteration, lower bounds):\n");
    printf("  %-10s %14s %16s %16s %16s\n", "arch", "dx_B/dx_0", "block min", "block max",
           "sum of blocks");
    for (int a = 0; a < res->spec.n_archs; a++) {
        double end, lo = INFINITY, hi = -INFINITY, sum = 0.0, x, y;
        int n;
        gf_jacobian_seed_stats(res, a, GF_JAC_END, 0, GF_JSTAT_SV_MAX, &end, &x, &y, &n);
        for (int l = 0; l < res->blocks; l++) {
            double m;
            gf_jacobian_seed_stats(res, a, GF_JAC_BLOCK, l, GF_JSTAT_SV_MAX, &m, &x, &y, &n);
            lo = fmin(lo, m);
            hi = fmax(hi, m);
            sum += m;
        }
        printf("  %-10s %+14.2f %+16.2f %+16.2f %+16.2f\n", arch_name(res, a), end, lo, hi, sum);
    }
    printf("  (sum of blocks: log10 of prod_l sigma_max(J_l), the bound on sigma_max(dx_B/dx_0))\n");
}

static void end_table(const gf_jacobian_result *res)
{
    if (res->matrix_free) {
        free_table(res);
        return;
    }
    printf("\n  end to end, dx_B/dx_0 (geometric means over seeds):\n");
    printf("  %-7s %10s %11s %9s %6s %13s %17s %10s %10s\n", "arch", "sigma_max", "min sigma>0",
           "rank", "bound", "condition", "cond. on range", "RMS sigma", "(theory)");
    for (int a = 0; a < res->spec.n_archs; a++) {
        const end_numbers e = end_of(res, a, 0);
        char b[8][40];
        if (!res->full) {
            printf("  %-7s %10s %11s %9s %6s %13s %17s %10s %10s\n", arch_name(res, a),
                   p10(b[0], 40, e.sv_max), "n/a", "n/a", "n/a", "n/a", "n/a",
                   p10(b[1], 40, e.rms), p10(b[2], 40, e.theory));
            continue;
        }
        snprintf(b[0], 40, "%.0f/%zu", e.rank, res->d);
        if (e.singular == e.seeds)
            snprintf(b[1], 40, "inf");
        else if (e.singular > 0)
            snprintf(b[1], 40, "inf in %d/%d", e.singular, e.seeds);
        else
            p10(b[1], 40, e.cond);
        p10(b[2], 40, e.cond_range);
        if (e.at_limit > 0)
            strncat(b[2], " (>=)", 39 - strlen(b[2]));
        printf("  %-7s %10s %11s %9s %6.1f %13s %17s %10s %10s\n", arch_name(res, a),
               p10(b[3], 40, e.sv_max), p10(b[4], 40, e.sv_min_nz), b[0], e.bound, b[1], b[2],
               p10(b[5], 40, e.rms), p10(b[6], 40, e.theory));
    }
    printf("  (rank: singular values above d eps sigma_max, mean over seeds; bound: the exact "
           "rank can be no\n   higher: the fewest directions any block J_l passes, min_l rank "
           "J_l (plain: the fewest active\n   ReLU units of a layer); condition: sigma_max / "
           "sigma_min, inf when numerically singular; on the\n   range: sigma_max / smallest "
           "nonzero sigma; (>=): at the limit of double precision, 1/(d eps) =\n   %.1e, the "
           "true spread is at least this)\n",
           1.0 / ((double)res->d * DBL_EPSILON));
}

static void block_table(const gf_jacobian_result *res)
{
    printf("\n  block Jacobians J_l, all %d blocks and seeds pooled:\n", res->blocks);
    printf("  %-7s %10s %10s %28s %14s\n", "arch", "RMS sigma", "(theory)",
           "nonzero sigma: 5% / 50% / 95%", "zero (dead)");
    for (int a = 0; a < res->spec.n_archs; a++) {
        char b[2][40];
        const double *g = res->theory + (size_t)a * (size_t)res->blocks;
        double t = 0.0;
        for (int l = 0; l < res->blocks; l++)
            t += g[l] / res->blocks;
        if (isnan(t))
            snprintf(b[0], 40, "n/a");
        else
            snprintf(b[0], 40, "%.3g", pow(10.0, t));
        printf("  %-7s %10.3g %10s", arch_name(res, a), pow(10.0, block_rms(res, a)), b[0]);
        size_t n, zeros;
        double *v = block_values(res, a, &n, &zeros);
        if (!v) {
            printf(" %28s %14s\n", "n/a", "n/a");
            continue;
        }
        snprintf(b[1], 40, "%.3g / %.3g / %.3g", quantile(v, n, 0.05), quantile(v, n, 0.5),
                 quantile(v, n, 0.95));
        printf(" %28s %13.1f%%\n", b[1], 100.0 * (double)zeros / (double)(n + zeros));
        free(v);
    }
}

/* What the numbers say, one architecture at a time. */
static void reading(const gf_jacobian_result *res, int a)
{
    const end_numbers e = end_of(res, a, 0);
    const gf_arch arch = res->spec.archs[a];
    const char *name = arch_name(res, a);
    if (res->matrix_free) {
        printf("  %s: sigma_max of dx_B/dx_0 is %.3g (10^%+.1f).\n", name, pow(10.0, e.sv_max),
               e.sv_max);
        return;
    }
    if (!res->full) {
        printf("  %s: sigma_max of dx_B/dx_0 is %.3g (10^%+.1f), RMS sigma %.3g.\n", name,
               pow(10.0, e.sv_max), e.sv_max, pow(10.0, e.rms));
        return;
    }
    size_t n, zeros;
    double *v = block_values(res, a, &n, &zeros);
    const double dead = v ? (double)zeros / (double)(n + zeros) : NAN;
    const double q05 = v ? quantile(v, n, 0.05) : NAN, q95 = v ? quantile(v, n, 0.95) : NAN;
    free(v);
    if (isnan(e.sv_max)) {
        printf("  %s: dx_B/dx_0 underflowed: every entry is below the range of a double "
               "(exactly 0 here).\n", name);
        return;
    }
    if (e.sv_max < -1.0)
        printf("  %s: dx_B/dx_0 shrinks every direction by %.1f decades or more;\n", name,
               -e.sv_max);
    else
        printf("  %s: dx_B/dx_0 has sigma_max %.3g;\n", name, pow(10.0, e.sv_max));
    printf("    its nonzero singular values spread over %.1f decades%s", e.cond_range,
           e.at_limit ? " (down to what double precision resolves)" : "");
    if (e.singular == e.seeds && (double)res->d - e.bound < 0.5)
        printf(",\n    and %.1f of %zu directions are numerically zero, all lost to double "
               "precision: every block\n    has full rank, so the exact rank is %zu",
               (double)res->d - e.rank, res->d, res->d);
    else if (e.singular == e.seeds && e.bound - e.rank > 0.5)
        printf(",\n    and %.1f of %zu directions are numerically zero: %.1f are exactly zero "
               "(the ReLUs: no block passes\n    more than %.1f), the other %.1f are lost to "
               "double precision (the exact rank lies in %.1f .. %.1f)",
               (double)res->d - e.rank, res->d, (double)res->d - e.bound, e.bound,
               e.bound - e.rank, e.rank, e.bound);
    else if (e.singular == e.seeds)
        printf(",\n    and %.1f of %zu directions are annihilated (exactly zero: no block passes "
               "more than %.1f)",
               (double)res->d - e.rank, res->d, e.bound);
    printf(".\n");
    if (!gf_arch_residual(arch))
        printf("    Per block, sigma is spread from %.2g to %.2g around the block's RMS gain "
               "%.3g;\n    %.0f%% of the directions are zeroed by the ReLUs. A product of %d "
               "such blocks\n    multiplies the gains and spreads the exponents further.\n",
               q05, q95, pow(10.0, block_rms(res, a)), 100.0 * dead, res->blocks);
    else if (dead > 0.001)
        printf("    Per block, the nonzero sigma lie in %.2f .. %.2f (5%% .. 95%%) around 1:\n"
               "    J_l = D (I + dF/dx); its zeros (%.0f%%) are the units the ReLU after the "
               "addition\n    switches off (post-activation).\n",
               q05, q95, 100.0 * dead);
    else
        printf("    Per block, the nonzero sigma lie in %.2f .. %.2f (5%% .. 95%%) around 1:\n"
               "    J_l = I + dF/dx, nothing on the identity path is switched off.\n",
               q05, q95);
}

/* What the init does to the residual readings: their near-isometry at PyTorch's
 * default init comes from its weak branches, not from the skip alone. */
static void init_note(const gf_jacobian_result *res)
{
    int residual = 0;
    for (int a = 0; a < res->spec.n_archs; a++)
        residual |= gf_arch_residual(res->spec.archs[a]);
    if (!residual || res->spec.base.norm != GF_NORM_NONE)
        return;
    if (res->spec.base.init == GF_INIT_TORCH)
        printf("  init torch: sigma_w^2 = 1/3, so a branch of two Linear + ReLU layers has RMS "
               "gain about 1/6\n    (plain's block above) and J_l = I + dF/dx stays near I: "
               "that, not the skip alone, keeps\n    preact's dx_B/dx_0 well conditioned here. At "
               "He init (--init he) the branches are as strong as\n    the skip and the "
               "end-to-end spectra of resnet and preact spread over 12 decades or more\n"
               "    (README, 'gradflow jacobian').\n");
    else if (res->spec.base.init == GF_INIT_HE)
        printf("  init he: the branches are as strong as the skip; a block's sigma spread around "
               "1 multiplies\n    over the blocks: the '+1' alone does not keep dx_B/dx_0 "
               "isometric.\n");
}

void jacobian_summary(const gf_jacobian_result *res, const char *dir, const char *batchnorm,
                      int drawn, int spectral)
{
    const gf_stack_config *c = &res->spec.base;
    char net[192];
    gf_arch_network_text(net, sizeof net, c, res->spec.archs, res->spec.n_archs);
    if (res->matrix_free) /* the conv families */
        printf("gradflow jacobian: depth %d (B = %d blocks), %s,\n  %d seed%s, one synthetic "
               "sample each\n", c->depth, res->blocks, net, res->spec.seeds,
               res->spec.seeds > 1 ? "s" : "");
    else
        printf("gradflow jacobian: depth %d (B = %d blocks), width %zu, init %s, norm %s, act %s,\n"
               "  %d seed%s, one synthetic sample each\n",
               c->depth, res->blocks, c->width, gf_init_names[c->init], gf_norm_names[c->norm],
               gf_act_names[c->act], res->spec.seeds, res->spec.seeds > 1 ? "s" : "");
    if (res->spec.load)
        printf("  weights from %s\n", res->spec.load);
    if (c->norm == GF_NORM_BATCH)
        printf("  %s\n", batchnorm);
    if (res->matrix_free) {
        const size_t *w = res->width; /* the first arch's boundaries */
        printf("  the blocks change width (x_0: %zu, x_B: %zu values): no Jacobian is formed. Only "
               "the largest\n  singular value of every block map and every end-to-end map, by "
               "power iteration on J^T J\n  (a lower bound); ||J||_F, the smallest singular "
               "value, rank and condition number are\n  not computed (n/a; nan in the TSVs). "
               "%.1f s power iteration\n",
               w[0], w[res->blocks], res->seconds_spectra);
    } else if (res->full)
        printf("  every singular value of all %d Jacobians of each run (GSL bidiagonalization "
               "+ bisection);\n  %.1f s Jacobians, %.1f s singular values\n",
               2 * res->blocks + 1, res->seconds_jacobians, res->seconds_spectra);
    else
        printf("  width %zu > %d: only the largest singular value (power iteration, a lower "
               "bound) and ||J||_F;\n  the smallest singular value, rank and condition number "
               "are not available (n/a; nan\n  in the TSVs). %.1f s Jacobians, %.1f s power "
               "iteration\n",
               res->d, GF_JACOBIAN_FULL_MAX, res->seconds_jacobians, res->seconds_spectra);
    end_table(res);
    if (!res->matrix_free && c->norm != GF_NORM_NONE)
        printf("  (theory n/a: the product of per-layer gains is derived without normalization)\n");
    else if (!res->matrix_free)
        for (int a = 0; a < res->spec.n_archs; a++)
            if (res->theory_why[a][0]) {
                printf("  (theory n/a for %s: %s)\n", arch_name(res, a), res->theory_why[a]);
                break;
            }
    if (res->full)
        block_table(res);
    printf("\n");
    for (int a = 0; a < res->spec.n_archs; a++)
        reading(res, a);
    init_note(res);
    printf("  wrote %s/{jacobian,jacobian_mean%s}.tsv, manifest.json,\n  %s%s\n", dir,
           res->full ? ",spectra" : "",
           spectral ? "{jacobian_depth,jacobian_density,block_spectra}" : "jacobian_depth",
           drawn ? ".png/.svg/.gp" : ".gp (nothing drawn)");
}

json_t *jacobian_manifest_results(const gf_jacobian_result *res)
{
    json_t *out = json_object();
    for (int a = 0; a < res->spec.n_archs; a++) {
        const end_numbers e = end_of(res, a, 0);
        json_t *end = json_pack("{s:o, s:o, s:o, s:o}", "log10_sv_max",
                                cli_json_number(e.sv_max), "log10_rms_gain",
                                cli_json_number(e.rms), "log10_theory_rms_gain",
                                cli_json_number(e.theory), "note",
                                json_string("geometric means over seeds"));
        if (res->full) {
            json_object_set_new(end, "log10_sv_min_nonzero", cli_json_number(e.sv_min_nz));
            json_object_set_new(end, "rank_mean", cli_json_number(e.rank));
            json_object_set_new(end, "singular_seeds", json_integer(e.singular));
            json_object_set_new(end, "log10_condition_range", cli_json_number(e.cond_range));
        }
        json_t *blk = json_pack("{s:o}", "log10_rms_gain", cli_json_number(block_rms(res, a)));
        size_t n, zeros;
        double *v = block_values(res, a, &n, &zeros);
        if (v) {
            json_object_set_new(blk, "nonzero_sv_q05", cli_json_number(quantile(v, n, 0.05)));
            json_object_set_new(blk, "nonzero_sv_median", cli_json_number(quantile(v, n, 0.5)));
            json_object_set_new(blk, "nonzero_sv_q95", cli_json_number(quantile(v, n, 0.95)));
            json_object_set_new(blk, "zero_fraction",
                                cli_json_number((double)zeros / (double)(n + zeros)));
            free(v);
        }
        json_object_set_new(out, arch_name(res, a), json_pack("{s:o, s:o}", "end_to_end_l0", end,
                                                              "blocks", blk));
    }
    return out;
}
