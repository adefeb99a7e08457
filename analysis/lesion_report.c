/* lesion_report.c: what `gradflow lesion` shows of its results: the
 * figures, the summary (summary.txt and stdout) and the manifest. */
#include "cli.h"
#include "lesion.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CMD[] = "lesion";

int lesion_figures(cli_run *r, const gf_lesion_result *res, int n, const lesion_source *src)
{
    gf_lesion_figs f;
    gf_lesion_figs_make(res, n, src->data_name, &f);
    if (cli_run_figure(r, "lesion_single", gf_fig_lesion_single_body, &f.single) != 0 ||
        cli_run_figure(r, "lesion_delete", gf_fig_lesion_delete_body, &f.del) != 0 ||
        (f.swap.kmax > 0 &&
         cli_run_figure(r, "lesion_swap", gf_fig_lesion_swap_body, &f.swap) != 0))
        return CLI_EXIT_RUNTIME;
    return cli_run_terminal(r, gf_fig_lesion_delete_body, &f.del, 120, 36);
}

/* ---- reading the numbers ------------------------------------------------------ */

/* One net's lesions in a few numbers (errors in percent). */
typedef struct reading {
    double base, room;          /* unlesioned error; chance minus it */
    double mean, median, worst; /* over the single deletions */
    int worst_block, within1;   /* deletions costing under 1 point */
    int k_half;                 /* first k whose mean deletion error is half-way to chance */
} reading;

static double row_mean(const gf_lesion_set *s, int k)
{
    double m, sd, lo, hi, tau;
    gf_lesion_row_stats(s, k, &m, &sd, &lo, &hi, &tau);
    return 100.0 * m;
}

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static reading read_net(const gf_lesion_result *r, double chance)
{
    reading x = {.base = 100.0 * r->base_err, .worst = -INFINITY, .k_half = -1};
    x.room = chance - x.base;
    double *sorted = malloc(((size_t)r->blocks + 1) * sizeof *sorted);
    for (int b = 0; !sorted && b < r->blocks; b++) /* no memory: the median is the mean */
        x.median += 100.0 * r->single_err[b] / r->blocks;
    for (int b = 0; b < r->blocks; b++) {
        const double e = 100.0 * r->single_err[b];
        if (sorted)
            sorted[b] = e;
        x.mean += e / r->blocks;
        x.within1 += e - x.base < 1.0;
        if (e > x.worst) {
            x.worst = e;
            x.worst_block = b;
        }
    }
    if (sorted) {
        qsort(sorted, (size_t)r->blocks, sizeof *sorted, by_value);
        x.median = 0.5 * (sorted[(r->blocks - 1) / 2] + sorted[r->blocks / 2]);
        free(sorted);
    }
    for (int k = 1; k <= r->del.kmax && x.k_half < 0; k++)
        if (row_mean(&r->del, k) - x.base >= 0.5 * x.room)
            x.k_half = k;
    return x;
}

/* The share of the way from the unlesioned error to chance that e is. */
static double share(const reading *x, double e)
{
    return x->room > 0 ? (e - x->base) / x->room : NAN;
}

/* The rows k shown in the table: 1, 2, 4, 8, ... and the last. */
static int next_k(int k, int kmax)
{
    return k >= kmax ? kmax + 1 : 2 * k < kmax ? 2 * k : kmax;
}

typedef struct summary_ctx {
    const gf_lesion_result *res;
    int n;
    const lesion_options *o;
    const lesion_source *src;
} summary_ctx;

static void table(FILE *f, const summary_ctx *c, const reading *x)
{
    fprintf(f, "\n%-34s", "test error (%)");
    for (int i = 0; i < c->n; i++)
        fprintf(f, "%29s", c->res[i].name);
    fprintf(f, "\n%-34s", "  unlesioned");
    for (int i = 0; i < c->n; i++)
        fprintf(f, "%29.2f", x[i].base);
    fprintf(f, "\n%-34s", "  one block deleted: mean");
    for (int i = 0; i < c->n; i++)
        fprintf(f, "%29.2f", x[i].mean);
    fprintf(f, "\n%-34s", "                     median");
    for (int i = 0; i < c->n; i++)
        fprintf(f, "%29.2f", x[i].median);
    fprintf(f, "\n%-34s", "                     worst (block)");
    for (int i = 0; i < c->n; i++)
        fprintf(f, "%24.2f (%2d)", x[i].worst, x[i].worst_block);
    fprintf(f, "\n%-34s", "                     under +1 point");
    for (int i = 0; i < c->n; i++)
        fprintf(f, "%23d of %2d", x[i].within1, c->res[i].blocks);
    for (int swaps = 0; swaps <= 1; swaps++) {
        const int kmax = swaps ? c->res[0].swap.kmax : c->res[0].del.kmax;
        for (int k = 1; k <= kmax; k = next_k(k, kmax)) {
            char label[48];
            double m, sd, lo, hi, tau;
            if (swaps) {
                gf_lesion_row_stats(&c->res[0].swap, k, &m, &sd, &lo, &hi, &tau);
                snprintf(label, sizeof label, "  k pairs swapped: %d (tau %.2f)", k, tau);
            } else {
                snprintf(label, sizeof label, "  k blocks deleted: %d%s", k,
                         k == c->res[0].blocks ? " (all)" : "");
            }
            fprintf(f, "\n%-34s", label);
            for (int i = 0; i < c->n; i++) {
                const gf_lesion_set *s = swaps ? &c->res[i].swap : &c->res[i].del;
                double q[3];
                gf_lesion_row_stats(s, k, &m, &sd, &lo, &hi, &tau);
                gf_lesion_row_quartiles(s, k, q);
                fprintf(f, "%9.2f +- %4.1f  med %6.2f", 100 * m, 100 * sd, 100 * q[1]);
            }
        }
    }
    fputs("\n  (random lesions: mean +- sd and median over the draws; quartiles in "
          "lesion_*_mean.tsv)\n", f);
}

/* Where the mean of k random deletions gets half-way to chance: "k = 3", or
 * "not reached (k up to 27)"; two buffers in turn, so one printf can take two. */
static const char *half_way(const reading *x, int kmax)
{
    static char buf[2][40];
    static int i;
    i ^= 1;
    if (x->k_half > 0)
        snprintf(buf[i], sizeof buf[i], "k = %d", x->k_half);
    else
        snprintf(buf[i], sizeof buf[i], "not reached (k up to %d)", kmax);
    return buf[i];
}

/* What the numbers say about one net. */
static void net_reading(FILE *f, const gf_lesion_result *r, const reading *x)
{
    if (x->room < 1.0) {
        fprintf(f, "  - %s is at chance already (%.2f%% unlesioned): its lesions say nothing.\n",
                r->name, x->base);
        return;
    }
    const double chance = x->base + x->room;
    if (x->base > 0.5 * chance)
        fprintf(f, "  - WARNING: %s is at %.2f%% error before any lesion (chance %.0f%%):\n"
                   "    a weak control: a lesion can only take it the rest of the way. A plain "
                   "net that\n    trains makes the contrast fair (plain-20 at the defaults: "
                   "about 23%% unlesioned).\n",
                r->name, x->base, chance);
    fprintf(f, "  - %s: deleting one block raises the error by %.2f points on average, %.2f "
               "the median\n    (%.0f%% and %.0f%% of the way to chance); %d of %d deletions "
               "cost under 1 point,\n    the worst (block %d) %.2f points.\n",
            r->name, x->mean - x->base, x->median - x->base, 100 * share(x, x->mean),
            100 * share(x, x->median), x->within1, r->blocks, x->worst_block,
            x->worst - x->base);
    if (r->del.kmax >= 1) {
        fprintf(f, "    k random deletions: k = 1 costs %.2f points (mean); ",
                row_mean(&r->del, 1) - x->base);
        fprintf(f, "half-way to chance: %s.\n", half_way(x, r->del.kmax));
    }
    if (r->swap.kmax > 0) {
        double m, sd, lo, hi, tau;
        gf_lesion_row_stats(&r->swap, r->swap.kmax, &m, &sd, &lo, &hi, &tau);
        fprintf(f, "    Swaps: one pair costs %.2f points (mean); %d pairs "
                   "(Kendall's tau %.2f) %.2f.\n",
                row_mean(&r->swap, 1) - x->base, r->swap.kmax, tau, 100 * m - x->base);
    }
}

/* "block 0, whose deletion ..." or "blocks 0, 1, ..., whose deletions ...":
 * those whose deletion alone takes a fifth of the way to chance or more. */
static void critical_blocks(FILE *f, const gf_lesion_result *r, const reading *x)
{
    int n = 0;
    for (int b = 0; b < r->blocks; b++)
        n += share(x, 100.0 * r->single_err[b]) >= 0.2;
    fputs(n > 1 ? "blocks " : "block ", f);
    for (int b = 0, i = 0; b < r->blocks && i < 6; b++)
        if (share(x, 100.0 * r->single_err[b]) >= 0.2)
            fprintf(f, "%s%d", i++ ? ", " : "", b);
    if (n > 6)
        fprintf(f, " and %d more", n - 6);
    if (n > 1)
        fputs(", whose deletions each take a fifth of the way to chance or more", f);
    else
        fprintf(f, ", whose deletion takes %.0f%% of the way to chance", 100 * share(x, x->worst));
}

/* plain against a residual net, from their readings. */
static void verdict(FILE *f, const gf_lesion_result *p, const reading *xp,
                    const gf_lesion_result *r, const reading *xr)
{
    if (xp->room < 1.0 || xr->room < 1.0)
        return;
    const double sp = share(xp, xp->median), sr = share(xr, xr->median);
    fprintf(f, "  => A typical deletion (the median) takes %s %.0f%% of its way to chance, "
               "%s %.0f%%.\n",
            r->name, 100 * sr, p->name, 100 * sp);
    if (sr < 0.1 && sp > 0.5) {
        fputs("     The residual net does not depend on any one block, as Veit et al. found", f);
        if (share(xr, xr->worst) >= 0.2) {
            fputs(",\n     except ", f);
            critical_blocks(f, r, xr);
            fputs("\n     (Veit et al.'s exceptions were their downsampling blocks; these nets "
                  "have none)", f);
        }
        fprintf(f, ".\n     The plain net is one chain through every block: breaking it "
                   "anywhere is enough.\n     Half-way to chance by k random deletions: %s "
                   "%s, %s %s.\n",
                r->name, half_way(xr, r->del.kmax), p->name, half_way(xp, p->del.kmax));
    } else if (sr < sp) {
        fputs("     The residual net tolerates deletions better, though not by Veit et al.'s "
              "margin.\n", f);
    } else {
        fputs("     Here the residual net does not tolerate deletions better.\n", f);
    }
}

static int summary(FILE *f, const void *ctx)
{
    const summary_ctx *c = ctx;
    const lesion_options *o = c->o;
    const gf_lesion_result *r0 = &c->res[0];
    const double chance = 100.0 * (1.0 - 1.0 / (double)r0->spec.test->classes);
    reading x[GF_ARCH_COUNT];
    fprintf(f, "gradflow lesion: ");
    for (int i = 0; i < c->n; i++) {
        x[i] = read_net(&c->res[i], chance);
        fprintf(f, "%s%s", i ? (i + 1 == c->n ? " and " : ", ") : "", c->res[i].name);
    }
    if (o->load)
        fprintf(f, " loaded from %s", o->load);
    else if (o->from)
        fprintf(f, " loaded from %s (seed %ld, %d epochs)", o->from, o->c.seed, c->src->epochs[0]);
    else
        fprintf(f, " trained here (seed %ld, %d epochs, %.0f s)", o->c.seed, o->t.train.epochs,
                c->src->train_seconds);
    if (o->load) /* trained elsewhere: its data and settings are not known here */
        fprintf(f, "\n  %zu %s test images in evaluation mode; %ld draws for every k, draw seed "
                   "%ld; chance %.0f%%\n", r0->spec.test->n, c->src->data_name, o->draws,
                o->draw_seed, chance);
    else {
        char net[192];
        gf_arch archs[GF_ARCH_COUNT];
        const int n = c->n < GF_ARCH_COUNT ? c->n : GF_ARCH_COUNT;
        for (int i = 0; i < n; i++)
            archs[i] = c->res[i].arch;
        gf_arch_training_text(net, sizeof net, &o->c.cfg, archs, n);
        fprintf(f, "\n  %s, %ld training images; %s\n  %zu test images in evaluation mode; %ld "
                   "draws for every k, draw seed %ld; chance %.0f%%\n",
                c->src->data_name, c->src->ntrain, net, r0->spec.test->n, o->draws, o->draw_seed,
                chance);
    }
    table(f, c, x);
    fputs("\nWhat the numbers say:\n", f);
    for (int i = 0; i < c->n; i++)
        net_reading(f, &c->res[i], &x[i]);
    for (int i = 0; i < c->n; i++)
        for (int j = 0; j < c->n; j++)
            if (!gf_arch_residual(c->res[i].arch) && gf_arch_residual(c->res[j].arch))
                verdict(f, &c->res[i], &x[i], &c->res[j], &x[j]);
    for (int i = 0; i < c->n; i++)
        if (!gf_arch_residual(c->res[i].arch) && o->c.cfg.norm == GF_NORM_BATCH)
            fprintf(f, "  Note: batch norm runs on its running statistics. In %s the block "
                       "after a deleted one\n  gets x_l where its statistics describe "
                       "x_{l+1}; part of the damage is that mismatch.\n",
                    c->res[i].name);
    fputs("\nChecks and times:\n", f);
    for (int i = 0; i < c->n; i++) { /* an empty plan is the whole net, and what training saw */
        const gf_lesion_result *r = &c->res[i];
        const double trained = r->spec.test->n == (size_t)c->src->run_ntest ?
                                   c->src->trained_err[i] : NAN;
        fprintf(f, "  %s: no block deleted (an empty plan) %.2f%%, the whole net %.2f%%", r->name,
                100 * r->del.err[0], 100 * r->base_err);
        if (!isnan(trained))
            fprintf(f, ", training\n    recorded %.2f%%", 100 * trained);
        fputs(r->del.err[0] == r->base_err && (isnan(trained) || trained == r->base_err) ?
                  " (the same)\n" : " (THEY DIFFER)\n", f);
    }
    for (int i = 0; i < c->n; i++) {
        const double *t = c->res[i].seconds;
        fprintf(f, "  %s: lesions took %.1f s (single deletions %.1f, k deleted %.1f, swaps "
                   "%.1f)\n",
                c->res[i].name, t[0] + t[1] + t[2], t[0], t[1], t[2]);
    }
    return ferror(f) ? -1 : 0;
}

int lesion_summary(const gf_lesion_result *res, int n, const lesion_options *o,
                   const lesion_source *src, int drawn)
{
    const summary_ctx c = {res, n, o, src};
    char path[GF_PATH_MAX], why[512] = "the path is too long";
    if (gf_path_join(path, sizeof path, o->c.out, "summary.txt") != 0 ||
        gf_write_file(path, summary, &c, why, sizeof why) != 0)
        return cli_error(CMD, "%s", why);
    if (o->c.quiet)
        return 0;
    summary(stdout, &c);
    const char *figs = o->swaps > 0 ? "{single,delete,swap}" : "{single,delete}";
    printf("  wrote %s/{lesion_single,lesion_delete,lesion_delete_mean,lesion_swap,"
           "lesion_swap_mean}.tsv,\n    summary.txt, manifest.json, lesion_%s%s%s\n",
           o->c.out, figs, drawn ? ".png/.svg/.gp" : ".gp (nothing drawn)",
           o->from || o->load ? "" : ", the training record and checkpoints/");
    return 0;
}

void lesion_describe(json_t *m, const gf_lesion_result *res, int n, const lesion_options *o,
                     const lesion_source *src)
{
    const gf_stack_config *c = &o->c.cfg;
    json_t *archs = json_array(), *nets = json_array();
    for (int i = 0; i < n; i++) {
        const gf_lesion_result *r = &res[i];
        json_array_append_new(archs, json_string(gf_arch_names[r->arch]));
        json_array_append_new(nets, json_pack(
            "{s:s, s:I, s:i, s:o, s:f, s:f, s:f, s:f}", "net", r->name, "seed",
            (json_int_t)o->c.seed, "epochs_done", src->epochs[i], "final_test_error",
            isnan(src->trained_err[i]) ? json_null() : json_real(src->trained_err[i]),
            "unlesioned_error", r->base_err, "seconds_single", r->seconds[0], "seconds_delete",
            r->seconds[1], "seconds_swap", r->seconds[2]));
    }
    json_object_set_new(m, "settings", json_pack(
        "{s:o, s:i, s:I, s:s, s:s, s:s, s:b, s:s, s:I, s:I, s:I, s:s?, s:I, s:I, s:I, s:I, s:s}",
        "arch", archs, "depth", o->depth, "width", (json_int_t)c->width, "init",
        gf_init_names[c->init], "norm", gf_norm_names[c->norm], "act", gf_act_names[c->act],
        "zero_init_residual", c->zero_branch, "data", src->data_name, "ntrain",
        (json_int_t)src->ntrain, "ntest", (json_int_t)src->run_ntest, "lesion_ntest",
        (json_int_t)res[0].spec.test->n, "from", o->from, "seed", (json_int_t)o->c.seed,
        "draws", (json_int_t)o->draws, "max_swaps", (json_int_t)o->swaps, "draw_seed",
        (json_int_t)o->draw_seed, "evaluation",
        "batch norm with running statistics; a deleted block is the identity x_{l+1} = x_l; "
        "swaps exchange the blocks at two positions"));
    if (cli_any_cnn(&o->c)) /* what --from needs to rebuild the conv nets */
        json_object_set_new(json_object_get(m, "settings"), "width_mult",
                            json_real(c->width_mult > 0 ? c->width_mult : 1.0));
    if (o->load)
        json_object_set_new(m, "loaded_from", json_string(o->load));
    else if (!o->from)
        json_object_set_new(json_object_get(m, "settings"), "epochs",
                            json_integer(o->t.train.epochs));
    if (strcmp(src->data_name, "Fashion-MNIST") == 0)
        json_object_set_new(m, "data_dir", json_string(src->data_dir));
    json_object_set_new(m, "draw_use", json_string(
        "row k of the deletions draws from mt19937 seeded with draw_seed * 1000003 + 2k, row k "
        "of the swaps with draw_seed * 1000003 + 2k + 1; the same lesions for every net"));
    json_object_set_new(m, "nets", nets);
}
