/* identity_report.c: what `gradflow identity` writes: every run, the curves'
 * mean and range over the seeds, the manifest, the figure and the summary. */
#include "cli.h"
#include "identity.h"

#include "plots/gf_figs_land.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CMD[] = "identity";

typedef struct report_ctx {
    const identity_options *o;
    const id_result *res;
} report_ctx;

static int write_runs(FILE *f, const void *ctx)
{
    const report_ctx *c = ctx;
    fputs("net\tblocks\ttarget\tseed\tloss0\tloss_final\tsteps_to\tmoved\n", f);
    for (int i = 0; i < c->res->n_runs; i++) {
        const id_run *r = &c->res->runs[i];
        fprintf(f, "%s\t%d\t%s\t%ld", c->res->nets[r->net].name, c->o->blocks[r->b],
                gf_land_target_names[c->o->targets[r->target]], r->seed);
        gf_tsv_put(f, r->r.loss0);
        gf_tsv_put(f, r->r.loss_final);
        fprintf(f, "\t%ld", r->r.steps_to);
        gf_tsv_put(f, r->r.moved);
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

/* The runs of (net, b, target), in seed order: their indices, the count. */
static int group(const id_result *res, int net, int b, int target, int *idx)
{
    int n = 0;
    for (int i = 0; i < res->n_runs; i++) {
        const id_run *r = &res->runs[i];
        if (r->net == net && r->b == b && r->target == target)
            idx[n++] = i;
    }
    return n;
}

static int write_curves(FILE *f, const void *ctx)
{
    const report_ctx *c = ctx;
    const id_result *res = c->res;
    int *idx = malloc((size_t)(res->n_runs + 1) * sizeof *idx);
    const gf_identity_result **runs = malloc((size_t)(res->n_runs + 1) * sizeof *runs);
    if (!idx || !runs) {
        free(idx);
        free(runs);
        return -1;
    }
    fputs("net\tblocks\ttarget\tstep\tloss_mean\tloss_min\tloss_max\n", f);
    for (int t = 0; t < c->o->n_targets; t++)
        for (int n = 0; n < res->n_nets; n++)
            for (int b = 0; b < c->o->n_blocks; b++) {
                const int k = group(res, n, b, t, idx);
                for (int j = 0; j < k; j++)
                    runs[j] = &res->runs[idx[j]].r;
                gf_identity_curve_rows(f, res->nets[n].name, c->o->blocks[b],
                                       gf_land_target_names[c->o->targets[t]], runs, k,
                                       c->o->spec.record_every);
            }
    free(idx);
    free(runs);
    return ferror(f) ? -1 : 0;
}

int identity_write(const identity_options *o, const id_result *res, const char *dir, char *why,
                   size_t size)
{
    const report_ctx c = {o, res};
    return gf_write_in(dir, "identity.tsv", write_runs, &c, why, size) != 0 ||
                   gf_write_in(dir, "identity_curves.tsv", write_curves, &c, why, size) != 0
               ? -1 : 0;
}

void identity_describe(json_t *m, const identity_options *o, const id_result *res)
{
    json_t *blocks = json_array(), *nets = json_array(), *targets = json_array();
    for (int b = 0; b < o->n_blocks; b++)
        json_array_append_new(blocks, json_integer(o->blocks[b]));
    for (int n = 0; n < res->n_nets; n++)
        json_array_append_new(nets, json_string(res->nets[n].name));
    for (int t = 0; t < o->n_targets; t++)
        json_array_append_new(targets, json_string(gf_land_target_names[o->targets[t]]));
    json_object_set_new(m, "settings", json_pack(
        "{s:o, s:o, s:o, s:I, s:s, s:s, s:I, s:I, s:I, s:f, s:f, s:I, s:o, s:s}", "nets", nets,
        "blocks", blocks, "targets", targets, "width", (json_int_t)o->c.cfg.width, "init",
        gf_init_names[o->c.cfg.init], "act", gf_act_names[o->c.cfg.act], "samples",
        (json_int_t)o->spec.samples, "batch", (json_int_t)o->spec.batch, "steps",
        (json_int_t)o->spec.steps, "lr", o->spec.lr, "threshold", o->spec.threshold,
        "record_every", (json_int_t)o->spec.record_every, "seeds", cli_seed_list(&o->c),
        "optimizer", "adam (betas 0.9, 0.999, eps 1e-8), no weight decay"));
    json_object_set_new(m, "seconds_total", json_real(res->seconds));
}

int identity_figure(cli_run *r, const identity_options *o, const id_result *res)
{
    const char *names[MAX_NETS], *colors[MAX_NETS], *targets[GF_TARGET_COUNT];
    for (int n = 0; n < res->n_nets; n++) {
        names[n] = res->nets[n].name;
        colors[n] = res->nets[n].zero ? "#2ca02c" : gf_plot_color(gf_arch_names[res->nets[n].arch]);
    }
    for (int t = 0; t < o->n_targets; t++)
        targets[t] = gf_land_target_names[o->targets[t]];
    char sub[160];
    snprintf(sub, sizeof sub, "width %zu, %s init, %s, Adam lr %g; mean over %ld seeds, band: "
             "min to max", o->c.cfg.width, gf_init_names[o->c.cfg.init],
             gf_act_names[o->c.cfg.act], o->spec.lr, o->c.seeds);
    const gf_fig_identity f = {
        .title = "Learning the identity (y = x) and a map far from it (teacher)",
        .subtitle = sub, .nets = names, .colors = colors, .n_nets = res->n_nets,
        .blocks = o->blocks, .n_blocks = o->n_blocks, .targets = targets,
        .n_targets = o->n_targets, .threshold = o->spec.threshold};
    int st = cli_run_figure(r, "identity", gf_fig_identity_body, &f);
    if (st == CLI_EXIT_OK && r->c->term_dumb)
        st = cli_run_terminal(r, gf_fig_identity_body, &f, 110, 32);
    return st;
}

/* mean ± sd of k values (sd 0 for one). */
static void mean_sd(const double *v, int k, double *mean, double *sd)
{
    *mean = k > 0 ? gsl_stats_mean(v, 1, (size_t)k) : NAN;
    *sd = k > 1 ? gsl_stats_sd(v, 1, (size_t)k) : 0.0;
}

static void row(FILE *f, const report_ctx *c, int n, int b, int t, int *idx, double *v)
{
    const id_result *res = c->res;
    const int k = group(res, n, b, t, idx);
    double m[3], s[3], steps_m, steps_s;
    for (int q = 0; q < 3; q++) {
        for (int j = 0; j < k; j++) {
            const gf_identity_result *r = &res->runs[idx[j]].r;
            v[j] = q == 0 ? r->loss0 : q == 1 ? r->loss_final : r->moved;
        }
        mean_sd(v, k, &m[q], &s[q]);
    }
    int reached = 0;
    for (int j = 0; j < k; j++)
        if (res->runs[idx[j]].r.steps_to >= 0)
            v[reached++] = (double)res->runs[idx[j]].r.steps_to;
    mean_sd(v, reached, &steps_m, &steps_s);
    char steps[48] = "never";
    if (reached > 0)
        snprintf(steps, sizeof steps, "%.0f ± %.0f (%d/%d)", steps_m, steps_s, reached, k);
    fprintf(f, "  %-9s %-12s %6d %11.3g %12.3g ± %-9.2g %-20s %8.3f ± %.3f\n",
            gf_land_target_names[c->o->targets[t]], res->nets[n].name, c->o->blocks[b], m[0],
            m[1], s[1], steps, m[2], s[2]);
}

static int summary(FILE *f, const void *ctx)
{
    const report_ctx *c = ctx;
    const identity_options *o = c->o;
    int *idx = malloc((size_t)(c->res->n_runs + 1) * sizeof *idx);
    double *v = malloc((size_t)(c->res->n_runs + 1) * sizeof *v);
    if (!idx || !v) {
        free(idx);
        free(v);
        return -1;
    }
    fprintf(f, "identity: blocks of width %zu (%s init, %s, no norm), Adam lr %g, batch %zu, "
               "%ld steps, %zu inputs; %ld seeds\n", o->c.cfg.width, gf_init_names[o->c.cfg.init],
            gf_act_names[o->c.cfg.act], o->spec.lr, o->spec.batch, o->spec.steps,
            o->spec.samples, o->c.seeds);
    fprintf(f, "  relative loss = MSE / E[y^2]; threshold %g; mean ± sd over the seeds\n",
            o->spec.threshold);
    fprintf(f, "  %-9s %-12s %6s %11s %24s %-20s %s\n", "target", "net", "blocks", "loss start",
            "loss end", "steps to threshold", "||dtheta||/||theta_0||");
    for (int t = 0; t < o->n_targets; t++)
        for (int n = 0; n < c->res->n_nets; n++)
            for (int b = 0; b < o->n_blocks; b++)
                row(f, c, n, b, t, idx, v);
    free(idx);
    free(v);
    return ferror(f) ? -1 : 0;
}

int identity_summary(const cli_run *r, const identity_options *o, const id_result *res)
{
    const report_ctx c = {o, res};
    char why[512];
    if (gf_write_in(r->dir, "summary.txt", summary, &c, why, sizeof why) != 0)
        return cli_error(CMD, "%s", why);
    if (o->c.quiet)
        return 0;
    summary(stdout, &c);
    printf("  wrote %s/{identity,identity_curves}.tsv, summary.txt, manifest.json, identity%s\n",
           r->dir, cli_run_drawn(r) ? ".png/.svg/.gp" : ".gp (nothing drawn)");
    return 0;
}
