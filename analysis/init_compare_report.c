/* init_compare_report.c: what `gradflow init-compare` shows of its result:
 * the figure, the manifest and the summary, every number over all seeds. */
#include "cli.h"
#include "init_compare.h"
#include "run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *scheme(const gf_initcmp_result *r, int s)
{
    return r->spec.schemes[s].name;
}

static const char *arch(const gf_initcmp_result *r, int a)
{
    return gf_arch_names[r->spec.archs[a]];
}

/* "diverged at step 3" (every seed) or "2 of 3 seeds diverged (first at
 * step 3)", or "" when none did. */
static const char *divergence(const gf_initcmp_cell *c, char *buf, size_t size)
{
    char step[32] = "";
    if (c->diverged_step > 0)
        snprintf(step, sizeof step, "at step %ld", c->diverged_step);
    if (c->diverged == 0)
        snprintf(buf, size, "%s", "");
    else if (c->diverged == c->seeds)
        snprintf(buf, size, "diverged %s%s", step, c->seeds > 1 ? " (every seed)" : "");
    else
        snprintf(buf, size, "%d of %d seeds diverged (first %s)", c->diverged, c->seeds, step);
    return buf;
}

/* ---- figure ------------------------------------------------------------------ */

typedef struct fig_text {
    const char *schemes[IC_MAX_SCHEMES], *archs[GF_ARCH_COUNT];
    int reference[IC_MAX_SCHEMES];
    char notes[IC_MAX_SCHEMES * GF_ARCH_COUNT][64];
    const char *note_ptrs[IC_MAX_SCHEMES * GF_ARCH_COUNT];
    char title[256], subtitle[256];
} fig_text;

static void fig_fill(fig_text *t, const gf_initcmp_result *r, const ic_options *o)
{
    const gf_initcmp_spec *sp = &r->spec;
    for (int s = 0; s < sp->n_schemes; s++) {
        t->schemes[s] = scheme(r, s);
        t->reference[s] = sp->schemes[s].reference;
        for (int a = 0; a < sp->n_archs; a++) {
            const int i = s * sp->n_archs + a;
            divergence(gf_initcmp_at(r, s, a), t->notes[i], sizeof t->notes[i]);
            t->note_ptrs[i] = t->notes[i];
        }
    }
    for (int a = 0; a < sp->n_archs; a++)
        t->archs[a] = arch(r, a);
    snprintf(t->title, sizeof t->title, "Initialization schemes: depth %d (%d blocks), width %zu, "
             "norm %s", sp->depth, r->blocks, sp->base.width, gf_norm_names[sp->base.norm]);
    snprintf(t->subtitle, sizeof t->subtitle, "%s, %zu training images, %s lr %g, batch %zu; "
             "gradient over %d init seeds, training over %d seed%s%s",
             sp->data_name, sp->train_set->n, gf_optim_names[sp->train.optim.kind],
             sp->train.sched.lr, sp->train.batch, sp->init_seeds, sp->seeds,
             sp->seeds > 1 ? "s" : "", o->no_reference ? "" : "; grey: he + batch norm, reference");
}

int init_compare_figure(cli_run *run, const gf_initcmp_result *r, const ic_options *o)
{
    fig_text *t = calloc(1, sizeof *t);
    if (!t)
        return cli_fail(CLI_EXIT_RUNTIME, run->cmd, "out of memory");
    fig_fill(t, r, o);
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < r->spec.n_schemes * r->spec.n_archs; i++)
        for (int l = 0; l <= r->blocks; l++)
            if (isfinite(r->cell[i].gmin[l]) && isfinite(r->cell[i].gmax[l])) {
                lo = fmin(lo, r->cell[i].gmin[l]);
                hi = fmax(hi, r->cell[i].gmax[l]);
            }
    const gf_fig_init_compare f = {
        .title = t->title, .subtitle = t->subtitle, .schemes = t->schemes, .archs = t->archs,
        .reference = t->reference, .notes = t->note_ptrs,
        .n_schemes = r->spec.n_schemes, .n_archs = r->spec.n_archs, .blocks = r->blocks,
        .epochs = r->epochs, .seeds = r->spec.seeds, .metric_err = o->metric_err,
        .ylo = isfinite(lo) ? lo : -1.0, .yhi = isfinite(hi) ? hi : 1.0};
    const int rc = cli_run_figure(run, "init_compare", gf_fig_init_compare_body, &f);
    free(t);
    return rc != 0 ? CLI_EXIT_RUNTIME : CLI_EXIT_OK;
}

/* ---- manifest ---------------------------------------------------------------- */


static json_t *stat_json(const gf_initcmp_stat *s)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:i}", "mean", cli_json_number(s->mean), "sd",
                     cli_json_number(s->sd), "min", cli_json_number(s->min), "max",
                     cli_json_number(s->max), "seeds", s->n);
}

static json_t *nets_json(const gf_initcmp_result *r)
{
    json_t *nets = json_array();
    for (int s = 0; s < r->spec.n_schemes; s++)
        for (int i = 0; i < r->train[s].n_runs; i++) {
            const gf_grid_net *u = &r->train[s].runs[i];
            const gf_epoch_stats *h = u->epochs_done ? &u->hist[u->epochs_done - 1] : NULL;
            json_array_append_new(nets, json_pack(
                "{s:s, s:s, s:I, s:i, s:o, s:o, s:s, s:I}", "scheme", scheme(r, s), "net",
                u->name, "seed", (json_int_t)u->seed, "epochs_done", u->epochs_done,
                "final_train_loss", h ? json_real(h->train_loss) : json_null(),
                "final_train_error", h ? json_real(h->train_err) : json_null(), "stopped",
                u->failed ? u->why : "", "diverged_at_step",
                (json_int_t)gf_initcmp_diverged_step(u)));
        }
    return nets;
}

static json_t *readings_json(const gf_initcmp_result *r)
{
    json_t *cells = json_array();
    for (int s = 0; s < r->spec.n_schemes; s++)
        for (int a = 0; a < r->spec.n_archs; a++) {
            const gf_initcmp_cell *c = gf_initcmp_at(r, s, a);
            json_array_append_new(cells, json_pack(
                "{s:s, s:s, s:b, s:o, s:o, s:i, s:i, s:I, s:o, s:o, s:o}", "scheme",
                scheme(r, s), "arch", arch(r, a), "reference", r->spec.schemes[s].reference,
                "log10_grad_x_B", cli_json_number(c->gmean[r->blocks]), "log10_grad_x_0",
                cli_json_number(c->gmean[0]), "seeds", c->seeds, "diverged", c->diverged,
                "diverged_first_step", (json_int_t)c->diverged_step, "final_train_loss",
                stat_json(&c->final_loss), "final_train_error", stat_json(&c->final_err),
                "final_test_error", stat_json(&c->final_test)));
        }
    return cells;
}

void init_compare_describe(json_t *m, const gf_initcmp_result *r, const ic_options *o)
{
    const gf_initcmp_spec *sp = &r->spec;
    const gf_train_config *t = &sp->train;
    json_t *schemes = json_array(), *archs = json_array();
    for (int s = 0; s < sp->n_schemes; s++)
        json_array_append_new(schemes, json_string(scheme(r, s)));
    for (int a = 0; a < sp->n_archs; a++)
        json_array_append_new(archs, json_string(arch(r, a)));
    json_object_set_new(m, "settings", json_pack(
        "{s:o, s:o, s:i, s:i, s:I, s:s, s:s, s:b, s:s, s:I, s:I, s:I, s:I, s:i, s:I, s:s, "
        "s:f, s:f, s:f, s:s, s:s, s:s}",
        "schemes", schemes, "arch", archs, "depth", sp->depth, "blocks", r->blocks, "width",
        (json_int_t)sp->base.width, "norm", gf_norm_names[sp->base.norm], "act",
        gf_act_names[sp->base.act], "zero_init_residual", sp->base.zero_branch, "data",
        sp->data_name, "ntrain", (json_int_t)sp->train_set->n, "ntest",
        (json_int_t)sp->test_set->n, "init_seeds", (json_int_t)sp->init_seeds, "train_seeds",
        (json_int_t)sp->seeds, "epochs", t->epochs, "batch", (json_int_t)t->batch, "optimizer",
        gf_optim_names[t->optim.kind], "lr", t->sched.lr, "momentum", t->optim.momentum,
        "weight_decay", t->optim.weight_decay, "schedule", gf_sched_names[t->sched.kind],
        "gradient_at_init",
        "||dL/dx_l|| at every block boundary, one batch of the training data, mean "
        "cross-entropy; log10 mean/min/max over the init seeds",
        "reference", o->no_reference ? "none" : "he+bn: He init with batch norm (batch "
                                                "statistics at init), drawn for reference"));
    json_object_set_new(m, "first_seed", json_integer(o->c.seed));
    json_object_set_new(m, "nets", nets_json(r));
    json_object_set_new(m, "readings", readings_json(r));
}

/* ---- summary ------------------------------------------------------------------ */

/* "0.388" for one seed, "0.411 +- 0.042" for several; "-" without seeds. */
static const char *stat_text(const gf_initcmp_stat *s, char *buf, size_t size)
{
    if (s->n == 0)
        snprintf(buf, size, "-");
    else if (s->n == 1)
        snprintf(buf, size, "%.4g", s->mean);
    else
        snprintf(buf, size, "%.3g +- %.2g", s->mean, s->sd);
    return buf;
}

/* The table: the gradient decades and the training of every (scheme, arch). */
static void summary_table(const gf_initcmp_result *r)
{
    const int B = r->blocks, E = r->epochs;
    printf("  %-7s %-7s %10s %10s %8s  %-15s %-15s %-15s %s\n", "scheme", "arch", "log10|g_B|",
           "log10|g_0|", "decades", "loss (ep 1)", "loss (last)", "error (last)", "seeds");
    for (int s = 0; s < r->spec.n_schemes; s++)
        for (int a = 0; a < r->spec.n_archs; a++) {
            const gf_initcmp_cell *c = gf_initcmp_at(r, s, a);
            const double dec = c->gmean[0] - c->gmean[B];
            char d[16], l1[40], ll[40], el[40], dv[64];
            if (isfinite(dec))
                snprintf(d, sizeof d, "%+8.3f", dec);
            else
                snprintf(d, sizeof d, "%8s", "n/a");
            printf("  %-7s %-7s %10.3f %10.3f %s  %-15s %-15s %-15s %d%s%s%s\n", scheme(r, s),
                   arch(r, a), c->gmean[B], c->gmean[0], d,
                   stat_text(E > 0 ? &c->loss[0] : &c->final_loss, l1, sizeof l1),
                   stat_text(&c->final_loss, ll, sizeof ll),
                   stat_text(&c->final_err, el, sizeof el), c->seeds,
                   c->diverged ? "  " : "", divergence(c, dv, sizeof dv),
                   r->spec.schemes[s].reference ? "  (reference)" : "");
        }
}

/* The decades x_B -> x_0 of (scheme s, arch a); not finite without a gradient. */
static double decades(const gf_initcmp_result *r, int s, int a)
{
    const gf_initcmp_cell *c = gf_initcmp_at(r, s, a);
    return c->gmean[0] - c->gmean[r->blocks];
}

/* Which schemes keep the gradient's level (kept 1) or not (kept 0). */
static void levels_line(const gf_initcmp_result *r, int kept)
{
    int any = 0;
    printf(kept ? "  gradient level kept (|decades x_B -> x_0| <= 0.5):"
                : "  gradient level not kept:");
    for (int s = 0; s < r->spec.n_schemes; s++)
        for (int a = 0; a < r->spec.n_archs; a++) {
            const double d = decades(r, s, a);
            const int ok = isfinite(d) && fabs(d) <= 0.5;
            if (ok != kept)
                continue;
            if (!isfinite(d))
                printf(" %s/%s (no gradient reaches the blocks at init)", scheme(r, s), arch(r, a));
            else
                printf(kept ? " %s/%s (%+.2f)" : " %s/%s (%+.2f decades)", scheme(r, s),
                       arch(r, a), d);
            any = 1;
        }
    printf("%s\n", any ? "" : " none");
}

/* The cells ranked by mean final training loss: the best two that every
 * seed finished (not the reference); -1 where there is none. */
static void best_two(const gf_initcmp_result *r, int *first, int *second)
{
    *first = *second = -1;
    const int n = r->spec.n_schemes * r->spec.n_archs;
    for (int i = 0; i < n; i++) {
        const gf_initcmp_cell *c = &r->cell[i];
        if (r->spec.schemes[i / r->spec.n_archs].reference || c->diverged ||
            c->final_loss.n == 0)
            continue;
        if (*first < 0 || c->final_loss.mean < r->cell[*first].final_loss.mean) {
            *second = *first;
            *first = i;
        } else if (*second < 0 || c->final_loss.mean < r->cell[*second].final_loss.mean) {
            *second = i;
        }
    }
}

/* The lowest training loss, and whether the seeds resolve it from the next. */
static void summary_ranking(const gf_initcmp_result *r)
{
    int b1, b2;
    best_two(r, &b1, &b2);
    if (b1 < 0)
        return;
    const int A = r->spec.n_archs;
    const gf_initcmp_stat *x = &r->cell[b1].final_loss;
    char t1[40], t2[40];
    printf("  lowest training loss after %d epoch%s (mean over seeds): %s/%s %s", r->epochs,
           r->epochs > 1 ? "s" : "", scheme(r, b1 / A), arch(r, b1 % A),
           stat_text(x, t1, sizeof t1));
    if (b2 < 0) {
        putchar('\n');
        return;
    }
    const gf_initcmp_stat *y = &r->cell[b2].final_loss;
    printf("; next %s/%s %s\n", scheme(r, b2 / A), arch(r, b2 % A), stat_text(y, t2, sizeof t2));
    if (x->n < 2 || y->n < 2) {
        printf("    one seed: no spread measured, so this ranking is untested (--seeds 3 gives "
               "mean and spread)\n");
        return;
    }
    const double se = sqrt(x->sd * x->sd / x->n + y->sd * y->sd / y->n);
    const double diff = y->mean - x->mean;
    printf("    the difference %.3g is %s 2 standard errors of it (%.3g): %s by %d seeds\n", diff,
           diff > 2.0 * se ? "beyond" : "within", 2.0 * se,
           diff > 2.0 * se ? "resolved" : "not resolved", x->n < y->n ? x->n : y->n);
}

/* Every diverged (scheme, arch): a result, reported, not a failure. */
static void summary_diverged(const gf_initcmp_result *r)
{
    if (!r->any_diverged)
        return;
    printf("  diverged (the loss stopped being finite; an expected result, not a failure):");
    const char *sep = " ";
    for (int s = 0; s < r->spec.n_schemes; s++)
        for (int a = 0; a < r->spec.n_archs; a++) {
            char dv[64];
            const gf_initcmp_cell *c = gf_initcmp_at(r, s, a);
            if (c->diverged) {
                printf("%s%s/%s %s", sep, scheme(r, s), arch(r, a), divergence(c, dv, sizeof dv));
                sep = "; ";
            }
        }
    putchar('\n');
}

void init_compare_summary(const gf_initcmp_result *r, const char *dir, int drawn)
{
    const gf_initcmp_spec *sp = &r->spec;
    printf("gradflow init-compare: %s, depth %d (%d blocks), width %zu, norm %s, %s lr %g, %d "
           "epoch%s, batch %zu;\n  gradient at init over %d seeds, training over %d seed%s\n",
           sp->data_name, sp->depth, r->blocks, sp->base.width, gf_norm_names[sp->base.norm],
           gf_optim_names[sp->train.optim.kind], sp->train.sched.lr, r->epochs,
           r->epochs > 1 ? "s" : "", sp->train.batch, sp->init_seeds, sp->seeds,
           sp->seeds > 1 ? "s (mean +- sample standard deviation)" : " (no spread)");
    summary_table(r);
    levels_line(r, 1);
    levels_line(r, 0);
    summary_ranking(r);
    summary_diverged(r);
    printf("  files in %s: init_gradnorm.tsv, init_curves.tsv, init_runs.tsv, manifest.json, "
           "init_compare.gp%s\n",
           dir, drawn ? ", init_compare.png, init_compare.svg" : "");
}
