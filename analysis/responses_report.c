/* responses_report.c: what `gradflow responses` shows of its measurement:
 * the figures, the summary and the manifest. */
#include "responses.h"

#include "plots/gf_plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int responses_figures(cli_run *r, const gf_response_result *res, const responses_source *src)
{
    gf_responses_figs f;
    gf_responses_figs_make(res, src->data_name, &f);
    if (cli_run_figure(r, "responses", gf_fig_responses_body, &f.fig) != 0 ||
        cli_run_figure(r, "ratio", gf_fig_ratio_body, &f.fig) != 0)
        return CLI_EXIT_RUNTIME;
    return cli_run_terminal(r, gf_fig_responses_body, &f.fig, 120, 48);
}

/* One seed's numbers: mean response sd over the layers; mean ratio over the
 * units that keep their shape (a downsampling unit's x_l has other pixels). */
static double mean_sd(const gf_response_net *r)
{
    double s = 0.0;
    for (int k = 0; k < r->layers; k++)
        s += r->sd[k];
    return s / r->layers;
}

static double mean_ratio(const gf_response_net *r, int *below1, int *units)
{
    double s = 0.0;
    int n = 0;
    for (int l = 0; l < r->blocks; l++)
        if (!r->down[l]) {
            s += r->ratio[l], n++;
            *below1 += r->ratio[l] < 1.0, (*units)++;
        }
    return n ? s / n : NAN;
}

/* Over the seeds of net `name` (the nets from index i on): mean and sd (n - 1)
 * of f's value, and the count. */
typedef struct over {
    int n;
    double mean, sd, lo, hi;
} over;

static over over_seeds(const gf_response_result *res, int i, const double *v)
{
    over o = {0, 0.0, 0.0, INFINITY, -INFINITY};
    double s2 = 0.0;
    for (int j = i; j < res->n && strcmp(res->nets[j].name, res->nets[i].name) == 0; j++) {
        if (isnan(v[j]))
            continue;
        o.n++, o.mean += v[j], s2 += v[j] * v[j];
        o.lo = fmin(o.lo, v[j]), o.hi = fmax(o.hi, v[j]);
    }
    if (o.n)
        o.mean /= o.n;
    o.sd = o.n > 1 ? sqrt(fmax((s2 - o.n * o.mean * o.mean) / (o.n - 1), 0.0)) : 0.0;
    return o;
}

static void put(const over *o, double scale, const char *fmt)
{
    char buf[64];
    if (!o->n)
        snprintf(buf, sizeof buf, "-");
    else
        snprintf(buf, sizeof buf, fmt, scale * o->mean, scale * o->sd);
    printf("  %-15s", buf);
}

typedef struct per_net {
    double sd[GF_RESPONSES_MAX_NETS], ratio[GF_RESPONSES_MAX_NETS];
    over o_sd[GF_RESPONSES_MAX_NETS], o_ratio[GF_RESPONSES_MAX_NETS];
    const gf_response_net *net[GF_RESPONSES_MAX_NETS];
    int n;
} per_net;

/* The table, one row per net (seeds pooled); fills p. 0, or -1 out of memory. */
static int table(const gf_response_result *res, const responses_source *src, per_net *p)
{
    double *sd = malloc(2 * (size_t)(res->n > 0 ? res->n : 1) * sizeof *sd);
    double *ratio = sd ? sd + res->n : NULL, *tr = src->train_err, *te = src->test_err;
    if (!sd)
        return -1;
    int below = 0, units = 0;
    for (int i = 0; i < res->n; i++) {
        sd[i] = mean_sd(&res->nets[i]);
        ratio[i] = mean_ratio(&res->nets[i], &below, &units);
    }
    printf("  %-15s %5s %6s  %-15s  %-15s  %-15s  %-15s\n", "net", "seeds", "epochs",
           "train err %", "test err %", "response sd", "||F||/||x||");
    for (int i = 0; i < res->n && p->n < GF_RESPONSES_MAX_NETS; i++) {
        if (i > 0 && strcmp(res->nets[i].name, res->nets[i - 1].name) == 0)
            continue;
        const over a = over_seeds(res, i, tr), b = over_seeds(res, i, te),
                   c = over_seeds(res, i, sd), d = over_seeds(res, i, ratio);
        printf("  %-15s %5d %6d", res->nets[i].name, c.n, res->nets[i].epochs);
        put(&a, 100.0, "%.2f ± %.2f");
        put(&b, 100.0, "%.2f ± %.2f");
        put(&c, 1.0, "%.3f ± %.3f");
        put(&d, 1.0, "%.3f ± %.3f");
        putchar('\n');
        p->net[p->n] = &res->nets[i], p->o_sd[p->n] = c, p->o_ratio[p->n++] = d;
    }
    printf("  (mean ± sd over the seeds; response sd: mean over the 3x3 layers; ||F||/||x||:\n"
           "  mean over the units that keep their shape, %d of %d unit-seeds below 1)\n",
           below, units);
    free(sd);
    return 0;
}

/* "holds" when a < b and the seeds' ranges do not overlap; "holds on the
 * means" when they overlap; else "does not hold". */
static const char *verdict(const over *a, const over *b)
{
    if (a->mean >= b->mean)
        return "does not hold";
    return a->hi < b->lo ? "holds" : "holds on the means (the seeds' ranges overlap)";
}

/* He et al.'s two claims against the table. */
static void claims(const per_net *p)
{
    printf("He et al.'s claims, measured:\n");
    for (int i = 0; i < p->n; i++)
        for (int j = 0; j < p->n; j++) {
            const gf_response_net *a = p->net[i], *b = p->net[j];
            if (a->arch == GF_ARCH_CNN_RESNET && b->arch == GF_ARCH_CNN_PLAIN &&
                a->depth == b->depth)
                printf("  residual smaller than plain at depth %d: %.3f against %.3f (x%.2f): "
                       "%s\n", a->depth, p->o_sd[i].mean, p->o_sd[j].mean,
                       p->o_sd[i].mean / p->o_sd[j].mean, verdict(&p->o_sd[i], &p->o_sd[j]));
            if (a->arch == GF_ARCH_CNN_RESNET && b->arch == a->arch && b->depth < a->depth)
                printf("  deeper residual net smaller: %s %.3f against %s %.3f: %s\n",
                       a->name, p->o_sd[i].mean, b->name, p->o_sd[j].mean,
                       verdict(&p->o_sd[i], &p->o_sd[j]));
        }
}

void responses_summary(const gf_response_result *res, const responses_source *src,
                       const char *dir, int drawn)
{
    printf("gradflow responses: %d nets, %zu %s test images, batch norm in evaluation mode\n",
           res->n, res->n ? res->nets[0].samples : (size_t)0, src->data_name);
    per_net p = {.n = 0};
    if (table(res, src, &p) == 0)
        claims(&p);
    else
        printf("  (no table: out of memory)\n");
    printf("Files in %s: responses.tsv, responses_mean.tsv, responses_sorted.tsv, ratio.tsv,\n"
           "ratio_mean.tsv, manifest.json, responses.gp, ratio.gp%s\n", dir,
           drawn ? " (and .png, .svg)" : "");
}

void responses_describe(json_t *m, const gf_response_result *res, const responses_options *o,
                        const responses_source *src)
{
    json_t *runs = json_array(), *nets = json_array();
    for (int k = 0; k < o->n_runs; k++)
        json_array_append_new(runs, json_string(o->runs[k]));
    for (int i = 0; i < res->n; i++)
        json_array_append_new(nets, json_pack("{s:s, s:I, s:i, s:o, s:o}", "net",
                                              res->nets[i].name, "seed",
                                              (json_int_t)res->nets[i].seed, "epochs",
                                              res->nets[i].epochs, "final_train_error",
                                              cli_json_number(src->train_err[i]),
                                              "final_test_error",
                                              cli_json_number(src->test_err[i])));
    json_object_set_new(m, "settings",
        json_pack("{s:o, s:s, s:I, s:I, s:I, s:s, s:s, s:s}", "from", runs, "data",
                  src->data_name, "ntrain", (json_int_t)src->ntrain, "run_ntest",
                  (json_int_t)src->ntest, "images",
                  (json_int_t)(res->n ? res->nets[0].samples : 0), "batchnorm",
                  "evaluation mode (running statistics)", "response",
                  "the output of the batch norm after each 3x3 conv, before the addition and "
                  "the ReLU; sd over all images, pixels and channels (population)", "ratio",
                  "mean over the images of ||F(x_l)|| / ||x_l||, F the unit's second response"));
    json_object_set_new(m, "nets", nets);
}
