/* cmd_hanin.c: gradflow hanin, the fluctuations of the gradient norm across
 * initializations against the sum of reciprocal widths (Hanin 2018). */
#include "commands.h"
#include "run.h"

#include "gradflow.h"
#include "plots/gf_plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CMD[] = "hanin";

typedef struct options {
    cli_common c; /* first: the shared options (c.cfg.in_dim: --input-dim) */
    int depths[GF_HANIN_MAX], n_depths;
    size_t widths[GF_HANIN_MAX]; /* the result keeps a pointer to them */
    int n_widths;
    long batch, samples;
    int xent;
} options;

static int set_widths(const cli_arg *a, void *opts)
{
    options *o = opts;
    int w[GF_HANIN_MAX];
    o->n_widths = cli_ints(CMD, a->opt, a->value, 1, 65536, w, GF_HANIN_MAX);
    for (int i = 0; i < o->n_widths; i++)
        o->widths[i] = (size_t)w[i];
    return o->n_widths < 0 ? CLI_EXIT_USAGE : 0;
}

static const char *const losses[] = {"logit", "xent", NULL};

static const cli_option table[] = {
    {CLI_DEPTHS, "depth", 'd', "LIST", "weight layers, each 2B + 2        [10,20,40,60,80,100]",
     CLI_AT(options, depths), .count_at = offsetof(options, n_depths)},
    {CLI_CALL, "width", 'w', "LIST", "features in every layer           [16,32,64,128]",
     .set = set_widths},
    CLI_SEEDS(options, "initializations per (depth, width), >= 3  [100]"),
    CLI_SEED(options, "first seed, at least 1; cell c uses seeds seed + c N ..\n"
                      "seed + (c + 1) N - 1 (cells depth-major)  [1]"),
    {CLI_INT, "batch", 'b', "N", "inputs in the batch (1: Hanin's single input) [1]",
     CLI_AT(options, batch), .min = 1, .max = 1 << 16},
    {CLI_CHOICE, "loss", 0, "NAME", "logit: L = logit 0 summed over the batch; xent: the mean\n"
     "cross-entropy (gradnorm's runs), whose softmax adds the\n"
     "forward pass's own fluctuation                [logit]", CLI_AT(options, xent),
     .names = losses},
    {CLI_INT, "input-dim", 0, "N", "features of the synthetic inputs          [32]",
     CLI_AT(options, c.cfg.in_dim), .min = 1, .max = 1 << 16},
    {CLI_INT, "samples", 0, "N", "size of the synthetic set                 [4096]",
     CLI_AT(options, samples), .min = 2, .max = 1 << 22},
    CLI_OUT(options, "run folder                                [runs/hanin]"),
    CLI_TERM(options, "also draw in the terminal: dumb           [none]"),
    CLI_TABLE_END(options, "write the data and .gp script, draw nothing"),
};

/* The stack's width stays 0: the cells have their own (and BLAS its default threads). */
static void init(void *opts)
{
    *(options *)opts = (options){
        .c = {.cfg = {.in_dim = GF_SYNTH_DIM, .classes = GF_SYNTH_CLASSES}, .seeds = 100,
              .seed = 1, .out = "runs/hanin"},
        .depths = {10, 20, 40, 60, 80, 100}, .n_depths = 6, .widths = {16, 32, 64, 128},
        .n_widths = 4, .batch = 1, .samples = 4096};
}

/* The largest net's parameters (and its batch's values), 4 copies of 8 bytes. */
static double bytes_needed(const options *o)
{
    double biggest = 0.0;
    for (int d = 0; d < o->n_depths; d++)
        for (int w = 0; w < o->n_widths; w++)
            biggest = fmax(biggest, (double)o->depths[d] * (double)o->widths[w] *
                                        ((double)o->widths[w] + (double)o->batch));
    const double set = (double)o->samples * ((double)o->c.cfg.in_dim + 1.0); /* the inputs */
    return 8.0 * (4.0 * biggest + set);
}

static int check(void *opts)
{
    const options *o = opts;
    for (int i = 0; i < o->n_depths; i++) {
        if (cli_depth_check(CMD, "--depth", o->depths[i]) != 0)
            return CLI_EXIT_USAGE;
        for (int j = 0; j < i; j++)
            if (o->depths[i] == o->depths[j])
                return cli_fail(CLI_EXIT_USAGE, CMD, "--depth: %d is listed twice", o->depths[i]);
    }
    for (int i = 0; i < o->n_widths; i++)
        for (int j = 0; j < i; j++)
            if (o->widths[i] == o->widths[j])
                return cli_fail(CLI_EXIT_USAGE, CMD, "--width: %zu is listed twice", o->widths[i]);
    if (o->c.seeds < 3)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--seeds: a variance over seeds needs at least 3 "
                        "(got %ld)", o->c.seeds);
    if (o->batch > o->samples)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--batch %ld is larger than --samples %ld",
                        o->batch, o->samples);
    const double need = bytes_needed(o), have = cli_memory_bytes();
    if (have > 0 && need > 0.5 * have)
        return cli_fail(CLI_EXIT_USAGE, CMD, "the largest net and the synthetic set need about "
                        "%.1f GiB; the machine has %.1f GiB (reduce --depth, --width, --batch, "
                        "--samples or --input-dim)",
                        need / 1073741824.0, have / 1073741824.0);
    if ((double)o->c.seed + (double)o->c.seeds * o->n_depths * o->n_widths > 4294967295.0)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--seed %ld: the cells' seeds would pass 2^32 - 1",
                        o->c.seed);
    return 0;
}

CLI_RESULT(gf_hanin_result, gf_hanin_release, gf_hanin_write)

/* Every cell's nets over the synthetic set, with a progress line. */
static int measure(const void *opts, void *res, cli_measure *m)
{
    const options *o = opts;
    const gf_hanin_spec spec = {.depths = o->depths, .n_depths = o->n_depths,
                                .widths = o->widths, .n_widths = o->n_widths,
                                .seeds = (int)o->c.seeds, .seed0 = (unsigned long)o->c.seed,
                                .batch = (size_t)o->batch, .xent = o->xent, .data = &m->data,
                                .progress = cli_progress_update, .progress_ctx = &m->progress};
    return gf_hanin_run(&spec, res, m->why, sizeof m->why);
}

/* ---- manifest, figure, summary ------------------------------------------------- */

static void describe(json_t *m, const void *opts, const void *result)
{
    const options *o = opts;
    const gf_hanin_result *res = result;
    json_t *depths = json_array(), *widths = json_array(), *cells = json_array();
    for (int d = 0; d < o->n_depths; d++)
        json_array_append_new(depths, json_integer(o->depths[d]));
    for (int w = 0; w < o->n_widths; w++)
        json_array_append_new(widths, json_integer((json_int_t)o->widths[w]));
    for (int c = 0; c < res->n_cells; c++) {
        const gf_hanin_cell *e = &res->cell[c];
        json_array_append_new(cells, json_pack("{s:i, s:I, s:I, s:I, s:i, s:f, s:f}", "depth",
                                               e->depth, "width", (json_int_t)e->width,
                                               "first_seed", (json_int_t)e->seed_first,
                                               "last_seed",
                                               (json_int_t)(e->seed_first +
                                                            (unsigned long)e->seeds - 1),
                                               "dead", e->dead, "dead_fraction",
                                               (double)e->dead / e->seeds, "seconds",
                                               e->seconds));
    }
    json_object_set_new(m, "settings", json_pack(
        "{s:s, s:o, s:o, s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "arch", "plain",
        "depth", depths, "width", widths, "seeds_per_cell", (json_int_t)o->c.seeds, "batch",
        (json_int_t)o->batch, "input_dim", (json_int_t)o->c.cfg.in_dim, "samples",
        (json_int_t)o->samples, "init", "he", "norm", "none", "act", "relu", "quantity",
        o->xent ? "ln ||dL/dx_0||^2, L the mean cross-entropy of the batch, x_0 the stem's "
                  "output"
                : "ln ||dL/dx_0||^2, L logit 0 summed over the batch (a row of the Jacobian "
                  "of the logits with respect to x_0), x_0 the stem's output",
        "beta", "(depth - 2) / width: sum of 1/width over the ReLU layers between x_0 and the "
        "head", "data", "synthetic Gaussian mixture, 10 classes, separation 1.5, data seed 0"));
    json_object_set_new(m, "seed_use", json_string(
        "cell c (depth-major, then width) runs seeds seed + c seeds .. seed + (c + 1) seeds - 1; "
        "seed k initializes the weights, then draws the batch, from one mt19937 stream"));
    json_object_set_new(m, "cells", cells);
    const gf_hanin_fit *f = &res->fit;
    json_object_set_new(m, "fit", json_pack(
        "{s:s, s:o, s:o, s:o, s:i}", "model", "variance = slope * beta through the origin, "
        "weighted least squares (gsl_fit_wmul), weights (live nets - 1) / beta^2: the inverse "
        "square of a cell's Gaussian standard error at the line; slope_se from the weighted "
        "scatter; cells with a variance (2 or more live nets)", "slope",
        cli_json_number(f->slope), "slope_se", cli_json_number(f->se_slope), "r2_weighted",
        cli_json_number(f->r2), "cells", f->n));
    json_t *shape = json_object();
    for (int w = 0; w < o->n_widths; w++) {
        const gf_hanin_shape *h = &res->shape[w];
        char key[24];
        snprintf(key, sizeof key, "%zu", h->width);
        json_object_set_new(shape, key, json_pack("{s:i, s:o, s:o}", "values", h->n, "skewness",
                                                  cli_json_number(h->skewness),
                                                  "excess_kurtosis",
                                                  cli_json_number(h->excess_kurtosis)));
    }
    json_object_set_new(m, "shape_of_ln_grad_sq", shape);
    json_object_set_new(m, "dead_nets", json_pack(
        "{s:i, s:i, s:s}", "dead", res->dead, "nets", res->n_cells * (int)o->c.seeds, "meaning",
        "gradient exactly 0 (a ReLU layer with every unit off at the input); left out of the "
        "cell's mean and variance"));
}

/* A line fitted to y against x over the cells (the summary's comparisons). */
static gf_hanin_fit fit_cells(const gf_hanin_result *res, double (*x)(const gf_hanin_cell *),
                              double (*y)(const gf_hanin_cell *))
{
    double xs[GF_HANIN_MAX * GF_HANIN_MAX], ys[GF_HANIN_MAX * GF_HANIN_MAX];
    int n = 0;
    for (int c = 0; c < res->n_cells; c++)
        if (isfinite(res->cell[c].variance)) {
            xs[n] = x(&res->cell[c]);
            ys[n++] = y(&res->cell[c]);
        }
    gf_hanin_fit f;
    gf_hanin_fit_line(xs, ys, n, &f);
    return f;
}

static double x_beta(const gf_hanin_cell *c) { return c->beta; }
static double x_depth(const gf_hanin_cell *c) { return c->depth; }
static double x_inv_width(const gf_hanin_cell *c) { return 1.0 / (double)c->width; }
static double y_var(const gf_hanin_cell *c) { return c->variance; }
static double y_mean(const gf_hanin_cell *c) { return c->mean; }

/* Per width: the slope of the variance against beta, fitted and predicted. */
static void per_width(const gf_hanin_result *res, const options *o)
{
    const int predict = !o->xent && o->batch == 1;
    printf("  per width, the slope of Var against beta%s:\n",
           predict ? " (the per-layer count predicts n v(n); 5 to leading order)" : "");
    for (int w = 0; w < o->n_widths; w++) {
        double x[GF_HANIN_MAX], y[GF_HANIN_MAX];
        int n = 0;
        for (int c = 0; c < res->n_cells; c++)
            if (res->cell[c].width == o->widths[w] && isfinite(res->cell[c].variance)) {
                x[n] = res->cell[c].beta;
                y[n++] = res->cell[c].variance;
            }
        gf_hanin_fit f;
        gf_hanin_fit_line(x, y, n, &f);
        char pred[48] = "";
        if (predict)
            snprintf(pred, sizeof pred, "; predicted %.3f",
                     (double)o->widths[w] * gf_hanin_layer_var(o->widths[w]));
        if (isfinite(f.slope))
            printf("    width %5zu: %6.3f +- %.3f over %d depths%s\n", o->widths[w], f.slope,
                   f.se_slope, n, pred);
        else
            printf("    width %5zu: %d depth%s, too few to fit%s\n", o->widths[w], n,
                   n == 1 ? "" : "s", pred);
    }
}

/* Measured against the per-layer count, cell by cell (L = logit 0). */
static void against_prediction(const gf_hanin_result *res)
{
    int within = 0, n = 0;
    double lo = INFINITY, hi = -INFINITY, sum = 0.0;
    for (int c = 0; c < res->n_cells; c++) {
        const gf_hanin_cell *e = &res->cell[c];
        if (!isfinite(e->variance))
            continue;
        n++;
        const double r = e->variance / e->predicted;
        within += fabs(e->variance - e->predicted) <= 2.0 * e->variance_se;
        lo = fmin(lo, r);
        hi = fmax(hi, r);
        sum += r;
    }
    if (n == 0) {
        printf("  no cell has a variance to compare with the prediction\n");
        return;
    }
    printf("  measured / predicted variance: mean %.3f, from %.3f to %.3f; %d of %d cells within "
           "two standard errors\n",
           sum / n, lo, hi, within, n);
}

/* The cells: one row each, with the nets left out as dead. */
static void cell_table(const gf_hanin_result *res, const options *o)
{
    printf("gradflow hanin: plain ReLU stacks, He init, no norm, batch %ld, L = %s; %ld seeds "
           "per (depth, width)\n\n  depth  width    beta  dead   mean ln||g||^2   variance "
           "(+- se)   predicted      sd\n",
           o->batch, o->xent ? "mean cross-entropy" : "logit 0", o->c.seeds);
    for (int c = 0; c < res->n_cells; c++) {
        const gf_hanin_cell *e = &res->cell[c];
        printf("  %5d  %5zu  %6.3f  %4d  %15.3f  %9.3f (+- %6.3f)  %9.3f  %6.3f\n", e->depth,
               e->width, e->beta, e->dead, e->mean, e->variance, e->variance_se, e->predicted,
               e->sd);
    }
    putchar('\n');
    const int nets = res->n_cells * (int)o->c.seeds;
    if (res->dead == 0) {
        printf("  dead nets (gradient exactly 0): none of %d\n", nets);
        return;
    }
    double expected = 0.0;
    for (int c = 0; c < res->n_cells; c++)
        expected += res->cell[c].seeds * gf_hanin_dead_chance(res->cell[c].depth,
                                                              res->cell[c].width);
    printf("  dead nets: %d of %d (%.2f%%; %.1f expected), their gradient exactly 0: a ReLU layer "
           "had every\n    unit off at the input (chance 1 - (1 - 2^-width)^(depth - 1) a net). "
           "They are counted in\n    the dead column and left out of the statistics: Hanin's "
           "bounds are for nets that pass a gradient\n",
           res->dead, nets, 100.0 * res->dead / nets, expected);
}

/* The weighted line through the origin and what the variance follows. */
static void fit_lines(const gf_hanin_result *res, const options *o)
{
    const gf_hanin_fit *f = &res->fit;
    if (!isfinite(f->slope)) {
        printf("  no line fitted: %d cell%s with a variance (2 or more are needed)\n", f->n,
               f->n == 1 ? "" : "s");
        return;
    }
    printf("  weighted least squares through the origin over %d cells (weights: the inverse "
           "square of a cell's\n    standard error at the line): Var[ln ||dL/dx_0||^2] = C "
           "beta, C = %.3f +- %.3f (weighted R^2 %.3f)\n",
           f->n, f->slope, f->se_slope, f->r2);
    if (!o->xent && o->batch == 1) {
        double lo = INFINITY, hi = -INFINITY;
        for (int w = 0; w < o->n_widths; w++) {
            const double nv = (double)o->widths[w] * gf_hanin_layer_var(o->widths[w]);
            lo = fmin(lo, nv);
            hi = fmax(hi, nv);
        }
        printf("    (the per-layer count predicts a slope n v(n) of %.3f .. %.3f over these "
               "widths)\n", lo, hi);
    }
    const gf_hanin_fit fb = fit_cells(res, x_beta, y_var);
    const gf_hanin_fit fd = fit_cells(res, x_depth, y_var);
    const gf_hanin_fit fw = fit_cells(res, x_inv_width, y_var);
    printf("  what the variance follows (unweighted lines with an intercept): R^2 = %.3f against "
           "beta,\n    %.3f against depth alone, %.3f against 1/width alone\n",
           fb.r2, fd.r2, fw.r2);
    per_width(res, o);
    const gf_hanin_fit fm = fit_cells(res, x_beta, y_mean);
    printf("  the mean of ln ||dL/dx_0||^2 changes by %.3f +- %.3f per unit of beta", fm.slope,
           fm.se_slope);
    if (!o->xent && o->batch == 1 && fm.slope < 0)
        printf(", while He init keeps\n    E||dL/dx_0||^2 the same at every depth: the "
               "typical net's gradient is smaller than the average one");
    putchar('\n');
}

/* How Gaussian ln ||g||^2 is (g log-normal): per width, pooled over its cells. */
static void shape_lines(const gf_hanin_result *res, const options *o)
{
    printf("  the shape of ln ||g||^2 (standardized per cell, pooled per width; a Gaussian has "
           "0 and 0):\n");
    for (int w = 0; w < o->n_widths; w++) {
        const gf_hanin_shape *h = &res->shape[w];
        if (h->n < 3)
            printf("    width %5zu: too few live nets\n", h->width);
        else
            printf("    width %5zu: skewness %+.3f (+- %.3f), excess kurtosis %+.3f (+- %.3f) "
                   "over %d nets\n",
                   h->width, h->skewness, sqrt(6.0 / h->n), h->excess_kurtosis,
                   sqrt(24.0 / h->n), h->n);
    }
}

static void summary(const cli_run *r, const void *opts, const void *result)
{
    const options *o = opts;
    const gf_hanin_result *res = result;
    cell_table(res, o);
    fit_lines(res, o);
    if (o->xent)
        printf("  no prediction for the cross-entropy: the softmax's gradient fluctuates with "
               "the forward pass\n");
    else if (o->batch != 1)
        printf("  no prediction for a batch of %ld: the per-layer count is for one input (the "
               "batch's inputs share the weights)\n", o->batch);
    else
        against_prediction(res);
    shape_lines(res, o);
    double hi = 0.0;
    const gf_hanin_cell *top = NULL;
    for (int c = 0; c < res->n_cells; c++)
        if (res->cell[c].beta >= hi && isfinite(res->cell[c].sd))
            hi = res->cell[c].beta, top = &res->cell[c];
    if (top)
        printf("  at beta = %.3f (depth %d, width %zu) the sd of ln ||g||^2 is %.2f: the "
               "squared gradient norm\n    of one initialization is typically within a factor "
               "%.3g of the geometric mean, either way\n",
               top->beta, top->depth, top->width, top->sd, exp(top->sd));
    printf("  wall time %.1f s\n  wrote %s/hanin.tsv, hanin_seeds.tsv, hanin_qq.tsv, "
           "manifest.json, %s\n",
           res->wall_seconds, r->dir,
           cli_run_drawn(r) ? "hanin.png, hanin_qq.png (.svg/.gp)"
                            : "hanin.gp, hanin_qq.gp (nothing drawn)");
}

static int figures(cli_run *r, const void *opts, void *res)
{
    (void)opts;
    gf_hanin_figs *f = malloc(sizeof *f); /* large: off the stack */
    if (!f)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "out of memory");
    gf_hanin_figs_make(res, f);
    int status = cli_run_figure(r, "hanin", gf_fig_hanin_body, &f->fig);
    if (status == 0)
        status = cli_run_figure(r, "hanin_qq", gf_fig_hanin_qq_body, &f->qq);
    if (status == 0)
        status = cli_run_terminal(r, gf_fig_hanin_body, &f->fig, 110, 34);
    free(f);
    return status;
}

const cli_command cli_hanin = {
    .name = CMD,
    .summary = "spread of ln ||dL/dx_0||^2 over inits against sum 1/width (Hanin)",
    .about =
        "Hanin (2018): in a plain ReLU net at He initialization the gradient's size changes\n"
        "from one initialization to the next, and the spread grows with the sum of 1/width\n"
        "over the layers, not with depth alone. For every depth and width this runs many\n"
        "plain stacks (He init, no norm, ReLU), each from its own seed, on an input of the\n"
        "built-in synthetic set, and records ln ||dL/dx_0||^2 at the stem's output x_0, with\n"
        "L the first logit (so dL/dx_0 is a row of the net's Jacobian, the quantity Hanin\n"
        "bounds) or the cross-entropy. Per (depth, width) it reports the mean, variance and\n"
        "standard deviation over seeds; it fits Var = C beta through the origin, weighted by\n"
        "each cell's standard error (GSL), with beta = (depth - 2) / width, the sum of 1/width\n"
        "over the ReLU layers between x_0 and the head, and shows how Gaussian ln ||g||^2 is\n"
        "(skewness, kurtosis, a Q-Q plot). A net whose gradient is exactly 0 (a ReLU layer\n"
        "with every unit off, likely at small widths) is dead: counted per cell and left out.\n"
        "Writes into the run folder: hanin.tsv, hanin_seeds.tsv, hanin_qq.tsv, manifest.json,\n"
        "hanin.png/.svg/.gp and hanin_qq.png/.svg/.gp.\n\n",
    .epilog =
        "The defaults run 24 cells of 100 nets, about 40 s on one core. Predicted (L = logit\n"
        "0): when each ReLU layer of width n passes the gradient through a random half of its\n"
        "units, independently of everything else, and its weights are Gaussian, the layer adds\n"
        "v(n) = E_k[psi'(k/2)] + Var_k[psi(k/2)], k ~ Binomial(n, 1/2), to the variance (5/n to\n"
        "leading order: 3/n the units, 2/n the weights); the head's row adds psi'(n/2).\n"
        CLI_EPILOG_PROGRESS,
    .table = table, .size = sizeof(options), .init = init, .check = check,
    CLI_STEPS(gf_hanin_result, "hanin: nets", offsetof(options, samples)),
};
