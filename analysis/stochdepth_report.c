/* stochdepth_report.c: what `gradflow stochdepth` shows of a result: its
 * table file, manifest entries, figures and the summary on stdout. */
#include "cli.h"
#include "stochdepth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CMD[] = "stochdepth";

int stochdepth_write(const gf_grid_result *res, const void *ctx)
{
    const stochdepth_options *o = ctx;
    char why[512];
    if (gf_stochdepth_write(res, o->c.out, why, sizeof why) != 0)
        return cli_error(CMD, "%s", why);
    return 0;
}

void stochdepth_describe(json_t *m, const gf_grid_result *res, const void *ctx)
{
    const stochdepth_options *o = ctx;
    const int blocks = (o->depth - 2) / 2;
    double *p = malloc((size_t)blocks * sizeof *p), sum = 0.0;
    json_t *surv = json_array();
    for (int l = 0; p && l < blocks; l++) {
        if (l == 0)
            gf_survival_fill(o->survival, o->p_last, blocks, p);
        json_array_append_new(surv, json_real(p[l]));
        sum += p[l];
    }
    free(p);
    (void)res;
    json_object_set_new(m, "stochastic_depth", json_pack(
        "{s:s, s:f, s:i, s:o, s:f, s:f, s:s, s:s}", "rule", gf_survival_names[o->survival],
        "p_last", o->p_last, "blocks", blocks, "survival", surv, "expected_blocks", sum,
        "expected_layers", 2.0 * sum + 2.0, "nets",
        "NET is trained whole, NET-sd with block l run with probability survival[l-1] in "
        "each step (a dropped block makes no node) and its branch scaled by it in evaluation",
        "timing",
        "epoch_times.tsv: wall and processor seconds of each epoch's training steps "
        "(evaluation apart); stochdepth.tsv: their median and minimum over epochs; the ratios "
        "compare the fastest epochs, as every epoch does the same work"));
}

/* ---- figures ----------------------------------------------------------------- */

int stochdepth_figures(cli_run *r, const gf_grid_result *res, const void *ctx)
{
    const stochdepth_options *o = ctx;
    gf_stochdepth_pair pairs[GF_ARCH_COUNT];
    const int n = gf_stochdepth_pairs(res, pairs, GF_ARCH_COUNT);
    gf_stochdepth_figs *f = malloc(sizeof *f); /* large: off the stack */
    if (n < 0 || !f) {
        free(f);
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "out of memory");
    }
    char title[256];
    snprintf(title, sizeof title, "Stochastic depth on %s: %d layers whole and with blocks "
             "dropped (%s, p_last %g)", res->spec.data_name, o->depth,
             gf_survival_names[o->survival], o->p_last);
    gf_stochdepth_figs_make(res, pairs, n, title, f);
    int status = CLI_EXIT_OK;
    if (cli_run_figure(r, "stochdepth", gf_fig_stochdepth_body, &f->fig) != 0 ||
        (f->base.norms.n_steps > 0 && cli_run_figure(r, "gradnorm_training",
                                                     gf_fig_training_norms_body,
                                                     &f->base.norms) != 0))
        status = CLI_EXIT_RUNTIME;
    if (status == CLI_EXIT_OK)
        status = cli_run_terminal(r, gf_fig_stochdepth_body, &f->fig, 120, 36);
    free(f);
    return status;
}

/* ---- summary --------------------------------------------------------------- */

static void rule(const stochdepth_options *o, const gf_stochdepth_pair *p)
{
    if (o->survival == GF_SURVIVAL_LINEAR)
        printf("stochastic depth: linear decay p_l = 1 - (l/B)(1 - %g), l = 1..B, B = %d "
               "blocks (p_1 = %.3f)\n",
               o->p_last, p->blocks, 1.0 - (1.0 - o->p_last) / p->blocks);
    else
        printf("stochastic depth: every one of B = %d blocks runs with p = %g\n", p->blocks,
               o->p_last);
    printf("  expected depth: sum p_l = %.2f of %d blocks (%.1f%% run per step), expected "
           "layers 2 sum p_l + 2 = %.1f of %d\n",
           p->expected_blocks, p->blocks, 100.0 * p->block_fraction, p->expected_layers,
           p->depth);
}

/* "22.01" or, over several seeds, "22.01 ± 0.52" (percent); "n/a" when no
 * seed finished (degrade's table says the same) */
static void cell(char *buf, size_t size, double mean, double sd, int seeds)
{
    if (isnan(mean))
        snprintf(buf, size, "n/a");
    else if (seeds > 1)
        snprintf(buf, size, "%.2f ± %.2f", 100 * mean, 100 * sd);
    else
        snprintf(buf, size, "%.2f", 100 * mean);
}

static void table(const gf_stochdepth_pair *p, int n, int seeds)
{
    printf("\n| net | layers run | training error (%%) | test error (%%) | s / epoch, median | "
           "fastest | CPU s, fastest | evaluation s |\n"
           "|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 2; k++) {
            char tr[40], te[40];
            cell(tr, sizeof tr, p[i].train_err[k], p[i].train_err_sd[k], seeds);
            cell(te, sizeof te, p[i].test_err[k], p[i].test_err_sd[k], seeds);
            printf("| %s | %.1f | %s | %s | %.3f | %.3f | %.3f | %.3f |\n",
                   k ? p[i].stochastic : p[i].whole, k ? p[i].expected_layers : (double)p[i].depth,
                   tr, te, p[i].seconds[k], p[i].seconds_min[k], p[i].cpu_seconds_min[k],
                   p[i].eval_seconds[k]);
        }
    if (seeds > 1)
        printf("\nErrors: mean ± sample standard deviation over the %d seeds; times over every "
               "epoch of every seed.\n", seeds);
    putchar('\n');
}

/* The measured time ratio against the two expectations. Every epoch does
 * the same work, so the fastest epochs (the least disturbed) are compared. */
static void timing(const gf_stochdepth_pair *p)
{
    const double wall = p->seconds_min[1] / p->seconds_min[0],
                 cpu = p->cpu_seconds_min[1] / p->cpu_seconds_min[0],
                 median = p->seconds[1] / p->seconds[0];
    printf("  time per epoch of training steps, fastest epochs: %s %.3f s, %s %.3f s:\n"
           "    x%.3f wall (x%.3f CPU; x%.3f between the medians), a saving of %.1f%%.\n"
           "    expected x%.3f if only the blocks cost time (the fraction run), x%.3f counting\n"
           "    the stem and head (%.1f%% of the whole net's multiply-adds, never dropped).\n",
           p->stochastic, p->seconds_min[1], p->whole, p->seconds_min[0], wall, cpu, median,
           100.0 * (1.0 - wall), p->block_fraction, p->mac_fraction, 100.0 * p->fixed_share);
    /* the steadier clock decides: wall, unless other programs' load spread it */
    const int noisy = p->spread[0] > 0.2 || p->spread[1] > 0.2;
    const double r = noisy ? cpu : wall;
    if (noisy)
        printf("    (the wall time of an epoch varies, interquartile range %.0f%% and %.0f%% of "
               "the median:\n    other programs' load; the processor time is read instead)\n",
               100 * p->spread[0], 100 * p->spread[1]);
    if (p->block_fraction >= 1.0)
        printf("    every block runs (p = 1): the two nets do the same work.\n");
    else if (r >= p->block_fraction - 0.05 && r <= p->mac_fraction + 0.05)
        printf("    => the %s time saved matches the work skipped (x%.3f against x%.3f to "
               "x%.3f):\n       a dropped block costs nothing.\n",
               noisy ? "processor" : "wall", r, p->block_fraction, p->mac_fraction);
    else
        printf("    => %s saving than the work skipped predicts (%s x%.3f against x%.3f to "
               "x%.3f).\n",
               r > p->mac_fraction ? "less" : "more", noisy ? "processor" : "wall", r,
               p->block_fraction, p->mac_fraction);
}

static void errors(const gf_stochdepth_pair *p)
{
    if (p->paired == 0) {
        printf("  %s against %s: not compared: a net did not finish training.\n", p->stochastic,
               p->whole);
        return;
    }
    if (isnan(p->diff_test)) { /* --ntest 0 */
        printf("  %s against %s: training error %+.2f points (%s minus %s; no test images).\n",
               p->stochastic, p->whole, 100 * p->diff_train, p->stochastic, p->whole);
        return;
    }
    if (p->paired == 1) {
        printf("  %s against %s: training error %+.2f points, test error %+.2f points (%s minus "
               "%s, one seed).\n",
               p->stochastic, p->whole, 100 * p->diff_train, 100 * p->diff_test, p->stochastic,
               p->whole);
        return;
    }
    printf("  %s against %s, seed by seed (%s minus %s, mean ± sd over %d seeds):\n"
           "    training error %+.2f ± %.2f points, test error %+.2f ± %.2f points",
           p->stochastic, p->whole, p->stochastic, p->whole, p->paired, 100 * p->diff_train,
           100 * p->diff_train_sd, 100 * p->diff_test, 100 * p->diff_test_sd);
    const double se = p->diff_test_sd / sqrt((double)p->paired);
    printf(";\n    the test-error difference is %s twice its standard error (%.2f points).\n",
           fabs(p->diff_test) > 2.0 * se ? "beyond" : "within", 100 * se);
}

static void gradients(const gf_grid_result *x, const gf_stochdepth_pair *p)
{
    for (int i = 0; i < x->n_runs; i++) {
        const gf_grid_net *r = &x->runs[i];
        double f, l;
        if (r->seed != x->spec.seed0 || (strcmp(r->name, p->whole) && strcmp(r->name, p->stochastic)) ||
            gf_grid_gradient_ends(r, &f, &l) != 0)
            continue;
        char a[64], b[64];
        printf("  gradients, %s seed %ld: ||dL/dx_0|| / ||dL/dx_B|| = %s at step 0, %s at the "
               "last probe\n", r->name, r->seed, cli_ratio_text(a, sizeof a, f),
               cli_ratio_text(b, sizeof b, l));
    }
}

void stochdepth_summary(const gf_grid_result *x, const void *ctx, int drawn)
{
    const stochdepth_options *o = ctx;
    gf_stochdepth_pair p[GF_ARCH_COUNT];
    const int n = gf_stochdepth_pairs(x, p, GF_ARCH_COUNT);
    cli_experiment_heading(CMD, x, &o->c, &o->t);
    if (n > 0)
        rule(o, &p[0]);
    table(p, n > 0 ? n : 0, (int)o->c.seeds);
    for (int i = 0; i < x->n_runs; i++)
        if (x->runs[i].failed)
            printf("  %s seed %ld stopped after %d epochs: %s\n", x->runs[i].name,
                   x->runs[i].seed, x->runs[i].epochs_done, x->runs[i].why);
    for (int i = 0; i < n; i++) {
        errors(&p[i]);
        if (p[i].paired > 0) /* a net that stopped has no epochs to time */
            timing(&p[i]);
        gradients(x, &p[i]);
    }
    if (n > 0)
        printf("    (at a probed step an -sd net's dropped blocks pass the gradient on "
               "unchanged: flat steps in its curve)\n");
    printf("  wall time %.1f s\n  wrote %s/{curves,curves_mean,stochdepth,epoch_times,"
           "gradnorm_training,params_training}.tsv, table.md, manifest.json, %s, checkpoints/\n",
           x->wall_seconds, o->c.out,
           drawn ? "stochdepth.png/.svg/.gp, gradnorm_training.png/.svg/.gp"
                 : "stochdepth.gp, gradnorm_training.gp (nothing drawn)");
}
