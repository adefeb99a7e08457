/* response_write.c: the responses' tables, per seed and over seeds. */
#include "response/gf_response.h"

#include "io/gf_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_size_desc(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* The k-th value of net r: an sd (in forward order or sorted) or a ratio; NaN past the end. */
static double value(const gf_response_net *r, int k, int ratio, int sorted)
{
    if (ratio)
        return k < r->blocks ? r->ratio[k] : NAN;
    if (k >= r->layers)
        return NAN;
    if (!sorted)
        return r->sd[k];
    double *v = malloc((size_t)r->layers * sizeof *v);
    if (!v)
        return NAN;
    memcpy(v, r->sd, (size_t)r->layers * sizeof *v);
    qsort(v, (size_t)r->layers, sizeof *v, by_size_desc);
    const double x = v[k];
    free(v);
    return x;
}

int gf_response_stats(const gf_response_result *res, const char *name, int k, int ratio,
                      int sorted, double st[4])
{
    int n = 0;
    double s1 = 0.0, s2 = 0.0;
    st[2] = INFINITY, st[3] = -INFINITY;
    for (int i = 0; i < res->n; i++) {
        const double x = value(&res->nets[i], k, ratio, sorted);
        if (strcmp(res->nets[i].name, name) != 0 || isnan(x))
            continue;
        n++, s1 += x, s2 += x * x;
        st[2] = fmin(st[2], x), st[3] = fmax(st[3], x);
    }
    st[0] = n ? s1 / n : NAN;
    st[1] = n > 1 ? sqrt(fmax((s2 - s1 * s1 / n) / (n - 1), 0.0)) : 0.0;
    return n;
}

/* 1 when nets[i] is the first of its name. */
static int first_of_name(const gf_response_result *res, int i)
{
    for (int j = 0; j < i; j++)
        if (strcmp(res->nets[j].name, res->nets[i].name) == 0)
            return 0;
    return 1;
}

static void write_seeds(FILE *f, const void *ctx)
{
    const gf_response_result *res = ctx;
    for (int i = 0; i < res->n; i++) {
        const gf_response_net *r = &res->nets[i];
        const int n = r->blocks / 3;
        for (int k = 0; k < r->layers; k++) /* layer k > 0: unit (k-1)/2, conv (k-1)%2 + 1 */
            fprintf(f, "%s\t%s\t%d\t%ld\t%d\t%s%d.%d.bn%d\t%.17g\n", r->name,
                    gf_arch_names[r->arch], r->depth, r->seed, k + 1, k ? "layer" : "bn1",
                    k ? (k - 1) / 2 / (n ? n : 1) + 1 : 0, k ? (k - 1) / 2 % (n ? n : 1) : 0,
                    k ? (k - 1) % 2 + 1 : 0, r->sd[k]);
    }
}

/* Over seeds: one row per net and layer (sorted: rank). */
static void write_means(FILE *f, const gf_response_result *res, int sorted)
{
    for (int i = 0; i < res->n; i++) {
        const gf_response_net *r = &res->nets[i];
        for (int k = 0; first_of_name(res, i) && k < r->layers; k++) {
            double st[4];
            const int n = gf_response_stats(res, r->name, k, 0, sorted, st);
            fprintf(f, "%s\t%s\t%d\t%d\t%d", r->name, gf_arch_names[r->arch], r->depth, k + 1, n);
            for (int j = 0; j < 4; j++)
                gf_tsv_put(f, st[j]);
            fputc('\n', f);
        }
    }
}

static void write_mean(FILE *f, const void *ctx) { write_means(f, ctx, 0); }
static void write_sorted(FILE *f, const void *ctx) { write_means(f, ctx, 1); }

static void write_ratio(FILE *f, const void *ctx)
{
    const gf_response_result *res = ctx;
    for (int i = 0; i < res->n; i++) {
        const gf_response_net *r = &res->nets[i];
        for (int l = 0; !isnan(r->ratio[0]) && l < r->blocks; l++) {
            fprintf(f, "%s\t%d\t%ld\t%d\t%d\t%d", r->name, r->depth, r->seed, l + 1,
                    l / (r->blocks / 3) + 1, r->down[l]);
            gf_tsv_put(f, r->ratio[l]);
            fputc('\n', f);
        }
    }
}

static void write_ratio_mean(FILE *f, const void *ctx)
{
    const gf_response_result *res = ctx;
    for (int i = 0; i < res->n; i++) {
        const gf_response_net *r = &res->nets[i];
        for (int l = 0; first_of_name(res, i) && !isnan(r->ratio[0]) && l < r->blocks; l++) {
            double st[4];
            const int n = gf_response_stats(res, r->name, l, 1, 0, st);
            fprintf(f, "%s\t%d\t%d\t%d\t%d\t%d", r->name, r->depth, l + 1,
                    l / (r->blocks / 3) + 1, r->down[l], n);
            for (int j = 0; j < 4; j++)
                gf_tsv_put(f, st[j]);
            fputc('\n', f);
        }
    }
}

#define STATS "\tseeds\tsd_mean\tsd_sd\tsd_min\tsd_max"
int gf_response_write(const gf_response_result *res, const char *dir, char *why, size_t size)
{
    static const gf_named_file files[] = {
        {"responses.tsv", "net\tarch\tdepth\tseed\tlayer\tname\tsd", write_seeds},
        {"responses_mean.tsv", "net\tarch\tdepth\tlayer" STATS, write_mean},
        {"responses_sorted.tsv", "net\tarch\tdepth\trank" STATS, write_sorted},
        {"ratio.tsv", "net\tdepth\tseed\tunit\tstage\tdown\tratio", write_ratio},
        {"ratio_mean.tsv", "net\tdepth\tunit\tstage\tdown\tseeds\tratio_mean\tratio_sd\t"
                           "ratio_min\tratio_max", write_ratio_mean}};
    return gf_write_all_in(dir, files, sizeof files / sizeof *files, res, why, size);
}

void gf_response_release(gf_response_result *res)
{
    for (int i = 0; res->nets && i < res->n; i++)
        gf_response_net_release(&res->nets[i]);
    free(res->nets);
    res->nets = NULL;
    res->n = 0;
}
