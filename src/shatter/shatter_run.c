/* shatter_run.c: the shattered-gradients experiment: gradients across the
 * grid for the figure's nets, their autocorrelation, and the lag-1
 * correlation against depth over seeds; its files and figures (see
 * gf_shatter.h). */
#include "shatter/gf_shatter.h"

#include "hanin/gf_hanin.h"
#include "nn/gf_nn.h"

#include "io/gf_io.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gf_shatter_release(gf_shatter_result *res)
{
    for (int i = 0; res->series && i < res->n_series; i++) {
        free(res->series[i].grad);
        free(res->series[i].out);
        free(res->series[i].acf);
    }
    free(res->series);
    free(res->grid);
    free(res->corr);
    free(res->far);
    free(res->point);
    free(res->decay);
    memset(res, 0, sizeof *res);
}

void gf_shatter_grid(double *x, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = n > 1 ? lo + (hi - lo) * (double)i / (double)(n - 1) : lo;
}

static int series_alloc(gf_shatter_series *s, size_t n, int max_lag)
{
    s->grad = malloc(n * sizeof *s->grad);
    s->out = malloc(n * sizeof *s->out);
    s->acf = malloc((size_t)(max_lag + 1) * sizeof *s->acf);
    return s->grad && s->out && s->acf ? 0 : -1;
}

static void series_stats(gf_shatter_series *s, size_t n, int max_lag)
{
    double m = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++)
        m += s->grad[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (s->grad[i] - m) * (s->grad[i] - m);
    s->grad_mean = m;
    s->grad_sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
    s->constant = gf_shatter_autocorr(s->grad, n, max_lag, s->acf);
}

/* One net of the figure (seed seed0). */
static int run_net(const gf_shatter_spec *sp, gf_shatter_result *res, gf_tape *tape,
                   const gf_shatter_net *net, gf_shatter_series *s, char *why, size_t size)
{
    gf_shatter_net_name(net, s->name, sizeof s->name);
    s->is_net = 1;
    s->net = *net;
    gf_shatter_model *m = gf_shatter_model_alloc(net, sp->width, sp->seed0, res->grid, sp->points,
                                               tape, why, size);
    if (!m)
        return -1;
    const int rc = gf_shatter_model_eval(m, res->grid, sp->points, s->out, s->grad);
    gf_shatter_model_free(m);
    if (rc != 0) {
        snprintf(why, size, "%s: forward or backward failed", s->name);
        return -1;
    }
    for (size_t i = 0; i < sp->points; i++)
        if (!isfinite(s->grad[i]) || !isfinite(s->out[i])) {
            snprintf(why, size, "%s: the output or its gradient is not finite at x = %g",
                     s->name, res->grid[i]);
            return -1;
        }
    series_stats(s, sp->points, sp->max_lag);
    return 0;
}

/* Brown noise (a random walk of N(0, 1) steps) and white noise (N(0, 1)),
 * Balduzzi's two references, from their own stream. */
static int noise(const gf_shatter_spec *sp, gf_shatter_series *brown, gf_shatter_series *white)
{
    gsl_rng *rng = gf_rng_alloc(gf_seed_stream(sp->seed0, 17));
    if (!rng)
        return -1;
    snprintf(brown->name, sizeof brown->name, "brown-noise");
    snprintf(white->name, sizeof white->name, "white-noise");
    double walk = 0.0;
    for (size_t i = 0; i < sp->points; i++) {
        walk += gsl_ran_gaussian(rng, 1.0);
        brown->grad[i] = walk;
        white->grad[i] = gsl_ran_gaussian(rng, 1.0);
        brown->out[i] = white->out[i] = NAN;
    }
    gsl_rng_free(rng);
    series_stats(brown, sp->points, sp->max_lag);
    series_stats(white, sp->points, sp->max_lag);
    return 0;
}

/* ln(corr) against depth (or ln depth) over the resolved points. */
static void fit_log(const double *x, const double *y, int n, double *slope, double *se,
                    double *r2)
{
    gf_hanin_fit fit;
    gf_hanin_fit_line(x, y, n, &fit);
    *slope = fit.slope;
    *se = fit.se_slope;
    *r2 = fit.r2;
}

static void decay_fit(gf_shatter_result *res, int a)
{
    const gf_shatter_spec *sp = &res->spec;
    double x[GF_SHATTER_MAX_DEPTHS], lx[GF_SHATTER_MAX_DEPTHS], y[GF_SHATTER_MAX_DEPTHS];
    int n = 0;
    for (int d = 0; d < sp->n_depths; d++) {
        const gf_shatter_point *p = &res->point[a * sp->n_depths + d];
        if (p->constant == p->seeds || !(p->mean > 2.0 * p->se) || !(p->mean > 0))
            continue;
        x[n] = p->depth;
        lx[n] = log((double)p->depth);
        y[n++] = log(p->mean);
    }
    gf_shatter_decay *dc = &res->decay[a];
    dc->points = n;
    double b, se;
    fit_log(x, y, n, &b, &se, &dc->r2_exp);
    dc->per_layer = exp(b);
    dc->per_layer_se = exp(b) * se;
    fit_log(lx, y, n, &dc->power, &dc->power_se, &dc->r2_power);
}

/* Mean, spread and standard error over the seeds of a sweep point. */
static void point_stats(gf_shatter_point *p, const double *c, const double *far, int seeds)
{
    double ss = 0.0, fs = 0.0;
    for (int k = 0; k < seeds; k++) {
        p->mean += c[k] / seeds;
        p->far_mean += far[k] / seeds;
        p->min = fmin(p->min, c[k]);
        p->max = fmax(p->max, c[k]);
    }
    for (int k = 0; k < seeds; k++) {
        ss += (c[k] - p->mean) * (c[k] - p->mean);
        fs += (far[k] - p->far_mean) * (far[k] - p->far_mean);
    }
    p->sd = seeds > 1 ? sqrt(ss / (seeds - 1)) : NAN;
    p->se = p->sd / sqrt((double)seeds);
    p->far_se = seeds > 1 ? sqrt(fs / (seeds - 1) / seeds) : NAN;
}

static int run_sweep(const gf_shatter_spec *sp, gf_shatter_result *res, gf_tape *tape, int *done,
                     int total, char *why, size_t size)
{
    double *g = malloc(sp->points * sizeof *g), acf[2];
    if (!g) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    int rc = 0;
    for (int a = 0; rc == 0 && a < sp->n_archs; a++)
        for (int d = 0; rc == 0 && d < sp->n_depths; d++) {
            gf_shatter_net net = sp->archs[a];
            net.depth = sp->depths[d];
            gf_shatter_point *p = &res->point[a * sp->n_depths + d];
            *p = (gf_shatter_point){.arch = a, .depth = net.depth, .seeds = sp->seeds,
                                    .min = INFINITY, .max = -INFINITY};
            double *c = res->corr + (size_t)(a * sp->n_depths + d) * (size_t)sp->seeds;
            double *far = res->far + (c - res->corr);
            gf_shatter_model *m = gf_shatter_model_alloc(&net, sp->width, sp->seed0, res->grid,
                                                       sp->points, tape, why, size);
            rc = m ? 0 : -1;
            for (int k = 0; rc == 0 && k < sp->seeds; k++) {
                if (k > 0)
                    rc = gf_shatter_model_reseed(m, sp->seed0 + (unsigned long)k, res->grid,
                                                 sp->points);
                if (rc == 0)
                    rc = gf_shatter_model_eval(m, res->grid, sp->points, NULL, g);
                for (size_t i = 0; rc == 0 && i < sp->points; i++)
                    if (!isfinite(g[i])) {
                        char name[32];
                        gf_shatter_net_name(&net, name, sizeof name);
                        snprintf(why, size, "%s seed %lu: the gradient is not finite at x = %g "
                                 "(the forward pass overflowed?)",
                                 name, sp->seed0 + (unsigned long)k, res->grid[i]);
                        rc = -1;
                    }
                if (rc != 0)
                    break;
                p->constant += gf_shatter_autocorr(g, sp->points, 1, acf);
                c[k] = acf[1];
                far[k] = gf_shatter_far_corr(g, sp->points, sp->points / 2);
                if (sp->progress)
                    sp->progress(sp->progress_ctx, ++*done, total);
            }
            gf_shatter_model_free(m);
            if (rc == 0)
                point_stats(p, c, far, sp->seeds);
        }
    free(g);
    if (rc != 0 && !*why)
        snprintf(why, size, "forward or backward failed");
    return rc;
}

int gf_shatter_run(const gf_shatter_spec *sp, gf_shatter_result *res, char *why, size_t size)
{
    memset(res, 0, sizeof *res);
    res->spec = *sp;
    *why = '\0';
    if (sp->points < 4 || !(sp->hi > sp->lo) || sp->width < 2 || sp->seeds < 1 ||
        sp->max_lag < 1 || (size_t)sp->max_lag >= sp->points ||
        sp->n_depths > GF_SHATTER_MAX_DEPTHS || sp->n_nets < 0 || sp->n_archs < 0 ||
        (sp->n_archs > 0 && sp->n_depths < 1) || sp->seed0 < 1) {
        snprintf(why, size, "inconsistent experiment specification");
        return -1;
    }
    const double t0 = gf_now();
    res->n_series = sp->n_nets + (sp->noise ? 2 : 0);
    const size_t cells = (size_t)sp->n_archs * (size_t)sp->n_depths;
    res->grid = malloc(sp->points * sizeof *res->grid);
    res->series = calloc((size_t)res->n_series + 1, sizeof *res->series);
    res->corr = malloc((cells * (size_t)sp->seeds + 1) * sizeof *res->corr);
    res->far = malloc((cells * (size_t)sp->seeds + 1) * sizeof *res->far);
    res->point = calloc(cells + 1, sizeof *res->point);
    res->decay = calloc((size_t)sp->n_archs + 1, sizeof *res->decay);
    gf_tape *tape = gf_tape_alloc(1 << 22); /* one tape for every net, reset at each use */
    int rc = res->grid && res->series && res->corr && res->far && res->point && res->decay && tape ? 0 : -1;
    for (int i = 0; rc == 0 && i < res->n_series; i++)
        rc = series_alloc(&res->series[i], sp->points, sp->max_lag);
    if (rc != 0) {
        snprintf(why, size, "out of memory");
        gf_tape_free(tape);
        gf_shatter_release(res);
        return -1;
    }
    gf_shatter_grid(res->grid, sp->points, sp->lo, sp->hi);
    const int total = sp->n_nets + (int)cells * sp->seeds;
    int done = 0;
    for (int i = 0; rc == 0 && i < sp->n_nets; i++) {
        rc = run_net(sp, res, tape, &sp->nets[i], &res->series[i], why, size);
        if (rc == 0 && sp->progress)
            sp->progress(sp->progress_ctx, ++done, total);
    }
    if (rc == 0 && sp->noise) {
        rc = noise(sp, &res->series[sp->n_nets], &res->series[sp->n_nets + 1]);
        if (rc != 0)
            snprintf(why, size, "out of memory");
    }
    if (rc == 0)
        rc = run_sweep(sp, res, tape, &done, total, why, size);
    for (int a = 0; rc == 0 && a < sp->n_archs; a++)
        decay_fit(res, a);
    gf_tape_free(tape);
    if (rc != 0) {
        gf_shatter_release(res);
        return -1;
    }
    res->wall_seconds = gf_now() - t0;
    return 0;
}

/* ---- files ----------------------------------------------------------------------- */

static void write_grad(FILE *f, const void *ctx)
{
    const gf_shatter_result *res = ctx;
    for (int s = 0; s < res->n_series; s++)
        for (size_t i = 0; i < res->spec.points; i++) {
            fputs(res->series[s].name, f);
            gf_tsv_put(f, res->grid[i]);
            gf_tsv_put(f, res->series[s].grad[i]);
            gf_tsv_put(f, res->series[s].out[i]);
            fputc('\n', f);
        }
}

static void write_acf(FILE *f, const void *ctx)
{
    const gf_shatter_result *res = ctx;
    for (int s = 0; s < res->n_series; s++)
        for (int k = 0; k <= res->spec.max_lag; k++) {
            fprintf(f, "%s\t%d", res->series[s].name, k);
            gf_tsv_put(f, res->series[s].acf[k]);
            fprintf(f, "\t%d\n", res->series[s].constant);
        }
}

/* A row per point of the sweep (arch, depth), or with per_seed a row per
 * seed of each point. */
static void write_sweep(FILE *f, const gf_shatter_result *res, int per_seed)
{
    const gf_shatter_spec *sp = &res->spec;
    for (int a = 0; a < sp->n_archs; a++) {
        char name[32];
        gf_shatter_arch_name(&sp->archs[a], name, sizeof name);
        for (int d = 0; d < sp->n_depths; d++) {
            const gf_shatter_point *p = &res->point[a * sp->n_depths + d];
            const double *corr = res->corr + (size_t)(a * sp->n_depths + d) * (size_t)sp->seeds;
            const double *far = res->far + (corr - res->corr);
            if (per_seed) {
                for (int k = 0; k < sp->seeds; k++) {
                    fprintf(f, "%s\t%d\t%lu", name, p->depth, sp->seed0 + (unsigned long)k);
                    gf_tsv_put(f, corr[k]);
                    gf_tsv_put(f, far[k]);
                    fputc('\n', f);
                }
                continue;
            }
            fprintf(f, "%s\t%d\t%d", name, p->depth, p->seeds);
            gf_tsv_put(f, p->mean);
            gf_tsv_put(f, p->sd);
            gf_tsv_put(f, p->se);
            gf_tsv_put(f, p->min);
            gf_tsv_put(f, p->max);
            fprintf(f, "\t%d", p->constant);
            gf_tsv_put(f, p->far_mean);
            gf_tsv_put(f, p->far_se);
            fputc('\n', f);
        }
    }
}

static void write_depth(FILE *f, const void *ctx)
{
    write_sweep(f, ctx, 0);
}

static void write_depth_seeds(FILE *f, const void *ctx)
{
    write_sweep(f, ctx, 1);
}

int gf_shatter_write(const gf_shatter_result *res, const char *dir, char *why, size_t size)
{
    static const gf_named_file files[] = {
        {"shatter.tsv", "net\tx\tgradient\toutput", write_grad}, /* always */
        {"autocorr.tsv", "net\tlag\tcorrelation\tconstant", write_acf},
        {"depth.tsv", "arch\tdepth\tseeds\tcorrelation\tsd\tse\tmin\tmax\tconstant\t"
                      "far_correlation\tfar_se", /* a sweep's */
         write_depth},
        {"depth_seeds.tsv", "arch\tdepth\tseed\tcorrelation\tfar_correlation",
         write_depth_seeds}};
    const size_t n = res->spec.n_archs == 0 ? 2 : sizeof files / sizeof *files;
    return gf_write_all_in(dir, files, n, res, why, size);
}
