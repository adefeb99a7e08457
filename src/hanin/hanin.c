/* hanin.c: the spread across initializations of ln ||dL/dx_0||^2 in plain
 * ReLU stacks, against the sum of reciprocal widths (Hanin 2018); see
 * gf_hanin.h. Every network is run by the gradient-norm experiment. */
#include "hanin/gf_hanin.h"

#include "gradnorm/gf_gradnorm.h"
#include "sweep/gf_sweep.h"

#include "io/gf_io.h"
#include "model/gf_model.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_psi.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double gf_hanin_beta(int depth, size_t width)
{
    return (double)(depth - 2) / (double)width;
}

double gf_hanin_layer_var(size_t n)
{
    if (n < 1)
        return NAN;
    /* Given k units passing, the step's log ratio is ln Beta(k/2, (n-k)/2)
     * + ln chi2_n / n: variance psi'(k/2) - psi'(n/2) + psi'(n/2), mean
     * psi(k/2) + const (k = n: the share is 1, and the formula still holds). */
    double p = 0.0, m1 = 0.0, m2 = 0.0, tri = 0.0;
    for (size_t k = 1; k <= n; k++) { /* k = 0: no gradient at all (2^-n) */
        const double w = gsl_ran_binomial_pdf((unsigned)k, 0.5, (unsigned)n);
        if (w < 1e-300)
            continue;
        const double di = gsl_sf_psi(0.5 * (double)k);
        p += w;
        m1 += w * di;
        m2 += w * di * di;
        tri += w * gsl_sf_psi_1(0.5 * (double)k);
    }
    m1 /= p;
    return tri / p + (m2 / p - m1 * m1);
}

double gf_hanin_predicted(int depth, size_t width)
{
    return (double)(depth - 2) * gf_hanin_layer_var(width) + gsl_sf_psi_1(0.5 * (double)width);
}

int gf_hanin_fit_line(const double *x, const double *y, int n, gf_hanin_fit *fit)
{
    *fit = (gf_hanin_fit){.slope = NAN, .intercept = NAN, .se_slope = NAN,
                          .se_intercept = NAN, .r2 = NAN, .n = n};
    if (n < 3)
        return -1;
    double c0, c1, cov00, cov01, cov11, sumsq;
    if (gsl_fit_linear(x, 1, y, 1, (size_t)n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq) != 0)
        return -1;
    double mean = 0.0, tot = 0.0;
    for (int i = 0; i < n; i++)
        mean += y[i] / n;
    for (int i = 0; i < n; i++)
        tot += (y[i] - mean) * (y[i] - mean);
    fit->slope = c1;
    fit->intercept = c0;
    fit->se_slope = sqrt(cov11);
    fit->se_intercept = sqrt(cov00);
    fit->r2 = tot > 0 ? 1.0 - sumsq / tot : NAN;
    return isfinite(c1) ? 0 : -1;
}

int gf_hanin_fit_origin(const double *x, const double *y, const double *w, int n,
                        gf_hanin_fit *fit)
{
    *fit = (gf_hanin_fit){.slope = NAN, .intercept = 0.0, .se_slope = NAN,
                          .se_intercept = NAN, .r2 = NAN, .n = n};
    double c1, cov11, sumsq;
    if (n < 2 || gsl_fit_wmul(x, 1, w, 1, y, 1, (size_t)n, &c1, &cov11, &sumsq) != 0)
        return -1;
    double sw = 0.0, mean = 0.0, tot = 0.0;
    for (int i = 0; i < n; i++) {
        sw += w[i];
        mean += w[i] * y[i];
    }
    mean /= sw;
    for (int i = 0; i < n; i++)
        tot += w[i] * (y[i] - mean) * (y[i] - mean);
    fit->slope = c1;
    fit->se_slope = sqrt(cov11 * sumsq / (n - 1)); /* the weights' scale from the scatter */
    fit->r2 = tot > 0 ? 1.0 - sumsq / tot : NAN;
    return isfinite(c1) ? 0 : -1;
}

double gf_hanin_dead_chance(int depth, size_t width)
{
    return -expm1((double)(depth - 1) * log1p(-ldexp(1.0, -(int)(width < 2000 ? width : 2000))));
}

void gf_hanin_release(gf_hanin_result *res)
{
    free(res->cell);
    free(res->ln_sq);
    free(res->qq);
    memset(res, 0, sizeof *res);
}

/* The gradient-norm experiment's progress, offset to the whole sweep. */
typedef struct sweep_progress {
    const gf_hanin_spec *spec;
    int offset, total;
} sweep_progress;

static void cell_progress(void *ctx, int done, int total)
{
    (void)total;
    const sweep_progress *p = ctx;
    p->spec->progress(p->spec->progress_ctx, p->offset + done, p->total);
}

static gf_stack_config cell_config(const gf_hanin_spec *sp, const gf_hanin_cell *cell)
{
    gf_stack_config cfg = gf_stack_config_default();
    cfg.arch = GF_ARCH_PLAIN;
    cfg.depth = cell->depth;
    cfg.width = cell->width;
    cfg.in_dim = sp->data->dim;
    cfg.classes = sp->data->classes;
    cfg.norm = GF_NORM_NONE;
    cfg.act = GF_ACT_RELU;
    cfg.init = GF_INIT_HE;
    return cfg;
}

/* L = the sum over the batch of logit 0: dL/dx_0 is the first row of the
 * Jacobian of the logits with respect to x_0 (per sample). Seed k
 * initializes the weights, then draws the batch, as in gf_gradnorm_run. */
static int logit_cell(const gf_hanin_spec *sp, const gf_hanin_cell *cell, double *v,
                      sweep_progress *prog, char *why, size_t size)
{
    const gf_stack_config cfg = cell_config(sp, cell);
    const size_t n = sp->batch, k_out = cfg.classes;
    gf_model *m = gf_model_alloc(&gf_model_mlp, &cfg, why, size);
    gf_tape *tape = gf_tape_alloc(1 << 22); /* grows by chunks as needed */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double *seed = calloc(n * k_out, sizeof *seed), *xb = malloc(n * cfg.in_dim * sizeof *xb);
    int *labels = malloc(n * sizeof *labels);
    int rc = m && tape && rng && seed && xb && labels ? 0 : -1;
    if (rc != 0 && m)
        snprintf(why, size, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (seed)
            seed[i * k_out] = 1.0;
    if (m) {
        gf_params_requires_grad(gf_model_params(m), 0); /* only dL/dx_0 is wanted */
        gf_model_set_training(m, 0);
    }
    for (int k = 0; rc == 0 && k < sp->seeds; k++) {
        gsl_rng_set(rng, cell->seed_first + (unsigned long)k);
        gf_tape_reset(tape);
        gf_tensor *x = gf_tape_input(tape, n, cfg.in_dim), *x0 = NULL, *h = NULL;
        if (gf_model_init(m, rng) == 0 && x &&
            gf_dataset_sample(sp->data, rng, n, xb, labels) == 0) {
            memcpy(x->v, xb, n * cfg.in_dim * sizeof *xb);
            x->flags |= GF_REQUIRES_GRAD; /* with the weights' gradients off, the path to x_0 */
            h = x0 = gf_model_stem(m, tape, x);
            for (int b = 0; b < gf_model_blocks(m) && h; b++)
                h = gf_model_block(m, tape, b, h);
            h = h ? gf_model_head(m, tape, h) : NULL;
        }
        const double l2 = h && gf_tape_backward_from(tape, h, seed) == 0
                              ? gf_tensor_grad_export(x0, NULL) : NAN;
        if (!isfinite(l2) && l2 != -INFINITY) { /* -inf: an exactly zero gradient, a dead net */
            snprintf(why, size, "plain-%d width %zu seed %lu: the gradient at x_0 is not finite",
                     cell->depth, cell->width, cell->seed_first + (unsigned long)k);
            rc = -1;
        }
        v[k] = 2.0 * M_LN2 * l2; /* ln ||g||^2 = 2 ln 2 log2 ||g|| */
        if (sp->progress)
            sp->progress(sp->progress_ctx, prog->offset + k + 1, prog->total);
    }
    free(labels);
    free(xb);
    free(seed);
    gsl_rng_free(rng);
    gf_tape_free(tape);
    gf_model_free(m);
    return rc;
}

/* The mean cross-entropy: the gradient-norm experiment's own runs. */
static int xent_cell(const gf_hanin_spec *sp, const gf_hanin_cell *cell, double *v,
                     sweep_progress *prog, char *why, size_t size)
{
    const gf_stack_config cfg = cell_config(sp, cell);
    const gf_arch arch = GF_ARCH_PLAIN;
    const gf_gradnorm_spec g = {.base = cfg, .archs = &arch, .n_archs = 1, .seeds = sp->seeds,
                                .seed0 = cell->seed_first, .batch = sp->batch, .data = sp->data,
                                .progress = sp->progress ? cell_progress : NULL,
                                .progress_ctx = prog};
    gf_gradnorm_result gr;
    if (gf_gradnorm_run(&g, &gr, why, size) != 0)
        return -1;
    int rc = 0;
    for (int k = 0; k < sp->seeds && rc == 0; k++) {
        const gf_probe_record *r = gf_gradnorm_block(&gr, 0, k, 0);
        if (!r || !(isfinite(r->log2_frob) || r->log2_frob == -INFINITY)) {
            snprintf(why, size, "plain-%d width %zu seed %lu: the gradient at x_0 is not finite",
                     cell->depth, cell->width, cell->seed_first + (unsigned long)k);
            rc = -1;
        } else {
            v[k] = 2.0 * M_LN2 * r->log2_frob; /* ln ||g||^2 = 2 ln 2 log2 ||g|| */
        }
    }
    gf_gradnorm_release(&gr);
    return rc;
}

/* The statistics of one cell from its seeds' ln ||dL/dx_0||^2. */
static void cell_stats(const gf_hanin_spec *sp, gf_hanin_cell *cell, const double *v)
{
    double mean = 0.0, ss = 0.0;
    int live = 0;
    for (int k = 0; k < sp->seeds; k++)
        if (isfinite(v[k]))
            mean += v[k], live++;
    cell->dead = sp->seeds - live;
    mean = live > 0 ? mean / live : NAN;
    for (int k = 0; k < sp->seeds; k++)
        if (isfinite(v[k]))
            ss += (v[k] - mean) * (v[k] - mean);
    cell->mean = mean;
    cell->variance = live >= 2 ? ss / (live - 1) : NAN;
    cell->sd = sqrt(cell->variance);
    cell->variance_se = live >= 2 ? cell->variance * sqrt(2.0 / (live - 1)) : NAN;
    cell->predicted = sp->xent || sp->batch != 1 ? NAN
                                                 : gf_hanin_predicted(cell->depth, cell->width);
}

/* A sweep cell (the engine of src/sweep): the seeds of cell c, their ln
 * ||dL/dx_0||^2 as the row (%.17g: read back exactly). */
typedef struct hanin_sweep {
    const gf_hanin_spec *sp;
    gf_hanin_result *res;
    sweep_progress *prog;
} hanin_sweep;

static int sweep_cell(void *ctx, long c, char *row, size_t size, char *why, size_t why_size)
{
    hanin_sweep *h = ctx;
    const gf_hanin_spec *sp = h->sp;
    double *v = h->res->ln_sq + (size_t)c * (size_t)sp->seeds;
    h->prog->offset = (int)c * sp->seeds;
    if ((sp->xent ? xent_cell : logit_cell)(sp, &h->res->cell[c], v, h->prog, why, why_size) != 0)
        return -1;
    size_t at = 0;
    for (int k = 0; k < sp->seeds; k++)
        at += (size_t)snprintf(row + at, at < size ? size - at : 0, "%s%.17g", k ? "\t" : "",
                               v[k]);
    if (at >= size) {
        snprintf(why, why_size, "a cell of %d seeds does not fit a sweep row", sp->seeds);
        return -1;
    }
    return 0;
}

/* Every cell through the sweep engine (in order, here), then each cell's
 * values read back from its row. 0, or -1 with a reason. */
static int run_cells(const gf_hanin_spec *sp, gf_hanin_result *res, char *why, size_t size)
{
    sweep_progress prog = {.spec = sp, .total = res->n_cells * sp->seeds};
    hanin_sweep h = {sp, res, &prog};
    const gf_sweep_exec x = {.cells = res->n_cells, .run = sweep_cell, .ctx = &h,
                             .row_max = (size_t)sp->seeds * 26 + 16};
    gf_sweep_rows rows;
    if (gf_sweep_exec_run(&x, &rows, why, size) != 0)
        return -1;
    for (int c = 0; c < res->n_cells; c++) {
        double *v = res->ln_sq + (size_t)c * (size_t)sp->seeds;
        char *p = rows.row[c];
        for (int k = 0; k < sp->seeds; k++)
            v[k] = strtod(p, &p);
        cell_stats(sp, &res->cell[c], v);
        res->cell[c].seconds = rows.seconds[c];
    }
    gf_sweep_rows_release(&rows);
    return 0;
}

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Var = C beta over the cells with a variance and beta > 0, weighted by
 * (live - 1) / beta^2: the inverse square of a cell's standard error at the
 * line, up to C^2 / 2. 0, or -1 (out of memory). */
static int headline_fit(gf_hanin_result *res)
{
    double *x = malloc((size_t)res->n_cells * 3 * sizeof *x);
    if (!x)
        return -1;
    double *y = x + res->n_cells, *w = y + res->n_cells;
    int n = 0;
    for (int c = 0; c < res->n_cells; c++) {
        const gf_hanin_cell *e = &res->cell[c];
        if (!isfinite(e->variance) || !(e->beta > 0))
            continue;
        x[n] = e->beta;
        y[n] = e->variance;
        w[n++] = (double)(e->seeds - e->dead - 1) / (e->beta * e->beta);
    }
    gf_hanin_fit_origin(x, y, w, n, &res->fit);
    free(x);
    return 0;
}

/* The standardized values of a width's live nets (cells with 3 or more),
 * into z (NULL: only counted), and their skewness and excess kurtosis. */
static gf_hanin_shape width_shape(const gf_hanin_result *res, size_t width, double *z)
{
    gf_hanin_shape s = {.width = width, .skewness = NAN, .excess_kurtosis = NAN};
    double m3 = 0.0, m4 = 0.0;
    for (int c = 0; c < res->n_cells; c++) {
        const gf_hanin_cell *e = &res->cell[c];
        if (e->width != width || e->seeds - e->dead < 3 || !(e->sd > 0))
            continue;
        const double *v = res->ln_sq + (size_t)c * (size_t)res->spec.seeds;
        for (int k = 0; k < e->seeds; k++)
            if (isfinite(v[k])) {
                const double t = (v[k] - e->mean) / e->sd;
                if (z)
                    z[s.n] = t;
                s.n++;
                m3 += t * t * t;
                m4 += t * t * t * t;
            }
    }
    if (s.n >= 3) {
        s.skewness = m3 / s.n;
        s.excess_kurtosis = m4 / s.n - 3.0;
    }
    return s;
}

int gf_hanin_run(const gf_hanin_spec *sp, gf_hanin_result *res, char *why, size_t size)
{
    memset(res, 0, sizeof *res);
    res->spec = *sp;
    if (!sp->data || sp->n_depths < 1 || sp->n_widths < 1 || sp->seeds < 2 || sp->batch < 1 ||
        sp->batch > sp->data->n || sp->seed0 < 1) {
        snprintf(why, size, "inconsistent experiment specification");
        return -1;
    }
    for (int d = 0; d < sp->n_depths; d++)
        if (sp->depths[d] < 4 || sp->depths[d] % 2) {
            snprintf(why, size, "depth %d is not 2B + 2 with B >= 1", sp->depths[d]);
            return -1;
        }
    const double t0 = gf_now();
    res->n_cells = sp->n_depths * sp->n_widths;
    res->cell = calloc((size_t)res->n_cells, sizeof *res->cell);
    res->ln_sq = malloc((size_t)res->n_cells * (size_t)sp->seeds * sizeof *res->ln_sq);
    res->qq = malloc((size_t)res->n_cells * (size_t)sp->seeds * sizeof *res->qq);
    if (!res->cell || !res->ln_sq || !res->qq) {
        gf_hanin_release(res);
        snprintf(why, size, "out of memory");
        return -1;
    }
    for (int d = 0, c = 0; d < sp->n_depths; d++)
        for (int w = 0; w < sp->n_widths; w++, c++) {
            gf_hanin_cell *cell = &res->cell[c];
            cell->depth = sp->depths[d];
            cell->width = sp->widths[w];
            cell->beta = gf_hanin_beta(cell->depth, cell->width);
            cell->seeds = sp->seeds;
            cell->seed_first = sp->seed0 + (unsigned long)c * (unsigned long)sp->seeds;
        }
    if (run_cells(sp, res, why, size) != 0) {
        gf_hanin_release(res);
        return -1;
    }
    if (headline_fit(res) != 0) {
        gf_hanin_release(res);
        snprintf(why, size, "out of memory");
        return -1;
    }
    for (int w = 0, at = 0; w < sp->n_widths; w++) { /* res->qq: the widths' z, sorted */
        res->shape[w] = width_shape(res, sp->widths[w], res->qq + at);
        qsort(res->qq + at, (size_t)res->shape[w].n, sizeof *res->qq, by_value);
        at += res->shape[w].n;
    }
    for (int c = 0; c < res->n_cells; c++)
        res->dead += res->cell[c].dead;
    res->wall_seconds = gf_now() - t0;
    return 0;
}

/* ---- files ------------------------------------------------------------------ */

static void write_cells(FILE *f, const void *ctx)
{
    const gf_hanin_result *res = ctx;
    for (int c = 0; c < res->n_cells; c++) {
        const gf_hanin_cell *e = &res->cell[c];
        fprintf(f, "%d\t%zu", e->depth, e->width);
        gf_tsv_put(f, e->beta);
        fprintf(f, "\t%d\t%d", e->seeds, e->dead);
        gf_tsv_put(f, (double)e->dead / e->seeds);
        gf_tsv_put(f, e->mean);
        gf_tsv_put(f, e->variance);
        gf_tsv_put(f, e->sd);
        gf_tsv_put(f, e->variance_se);
        gf_tsv_put(f, res->fit.slope * e->beta);
        gf_tsv_put(f, e->predicted);
        fprintf(f, "\t%lu\n", e->seed_first);
    }
}

static void write_seeds(FILE *f, const void *ctx)
{
    const gf_hanin_result *res = ctx;
    for (int c = 0; c < res->n_cells; c++) {
        const gf_hanin_cell *e = &res->cell[c];
        for (int k = 0; k < e->seeds; k++) {
            fprintf(f, "%d\t%zu", e->depth, e->width);
            gf_tsv_put(f, e->beta);
            fprintf(f, "\t%lu", e->seed_first + (unsigned long)k);
            gf_tsv_put(f, res->ln_sq[(size_t)c * (size_t)res->spec.seeds + (size_t)k]);
            fputc('\n', f);
        }
    }
}

/* Per width: its standardized values, sorted, against the Gaussian's quantiles. */
static void write_qq(FILE *f, const void *ctx)
{
    const gf_hanin_result *res = ctx;
    const double *z = res->qq;
    for (int w = 0; w < res->spec.n_widths; w++) {
        const gf_hanin_shape *s = &res->shape[w];
        for (int i = 0; i < s->n; i++) {
            fprintf(f, "%zu", s->width);
            gf_tsv_put(f, gsl_cdf_ugaussian_Pinv((i + 0.5) / s->n));
            gf_tsv_put(f, z[i]);
            fputc('\n', f);
        }
        z += s->n;
    }
}

int gf_hanin_write(const gf_hanin_result *res, const char *dir, char *why, size_t size)
{
    static const gf_named_file files[] = {
        {"hanin.tsv",
         "depth\twidth\tsum_inv_width\tseeds\tdead\tdead_fraction\tmean\tvariance\tsd\t"
         "variance_se\tfitted\tpredicted\tfirst_seed",
         write_cells},
        {"hanin_seeds.tsv", "depth\twidth\tsum_inv_width\tseed\tln_grad_sq", write_seeds},
        {"hanin_qq.tsv", "width\tnormal_quantile\tz", write_qq}};
    return gf_write_all_in(dir, files, sizeof files / sizeof *files, res, why, size);
}
