/* lesion_write.c: the files of the lesion experiment (TSV) and its figures'
 * recipes filled from the results. */
#include "measure/gf_measure.h"

#include "io/gf_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct nets {
    const gf_lesion_result *res;
    int n;
} nets;

static void num(FILE *f, double v)
{
    char b[40];
    gf_format_double(b, sizeof b, v);
    fputc('\t', f);
    fputs(b, f);
}

static void net_columns(FILE *f, const gf_lesion_result *r)
{
    fprintf(f, "%s\t%s\t%d", r->name, gf_arch_names[r->arch], r->depth);
}

static int write_single(FILE *f, const void *ctx)
{
    const nets *x = ctx;
    fputs("net\tarch\tdepth\tblock\ttest_err\ttest_loss\tdelta_err\tbase_err\n", f);
    for (int i = 0; i < x->n; i++) {
        const gf_lesion_result *r = &x->res[i];
        for (int b = 0; b < r->blocks; b++) {
            net_columns(f, r);
            fprintf(f, "\t%d", b);
            num(f, r->single_err[b]);
            num(f, r->single_loss[b]);
            num(f, r->single_err[b] - r->base_err);
            num(f, r->base_err);
            fputc('\n', f);
        }
    }
    return ferror(f) ? -1 : 0;
}

/* Every draw: which blocks were deleted (a comma list, "-" for none) or the
 * order the blocks ran in. */
static void write_draws(FILE *f, const nets *x, int swaps)
{
    for (int i = 0; i < x->n; i++) {
        const gf_lesion_set *s = swaps ? &x->res[i].swap : &x->res[i].del;
        for (int k = 0; k <= s->kmax; k++)
            for (int j = 0; j < s->n[k]; j++) {
                const size_t cell = (size_t)k * (size_t)s->draws + (size_t)j;
                net_columns(f, &x->res[i]);
                fprintf(f, "\t%d\t%d", k, j);
                num(f, s->err[cell]);
                num(f, s->loss[cell]);
                if (swaps)
                    num(f, s->tau[cell]);
                fputc('\t', f);
                const char *sep = "";
                const unsigned char *drop = s->drop + cell * (size_t)s->blocks;
                const int *order = s->order + cell * (size_t)s->blocks;
                for (int b = 0; b < s->blocks; b++) {
                    if (!swaps && !drop[b])
                        continue;
                    fprintf(f, "%s%d", sep, swaps ? order[b] : b);
                    sep = ",";
                }
                fputs(*sep || swaps ? "\n" : "-\n", f);
            }
    }
}

static int write_delete(FILE *f, const void *ctx)
{
    fputs("net\tarch\tdepth\tk\tdraw\ttest_err\ttest_loss\tdeleted\n", f);
    write_draws(f, ctx, 0);
    return ferror(f) ? -1 : 0;
}

static int write_swap(FILE *f, const void *ctx)
{
    fputs("net\tarch\tdepth\tk\tdraw\ttest_err\ttest_loss\tkendall_tau\torder\n", f);
    write_draws(f, ctx, 1);
    return ferror(f) ? -1 : 0;
}

/* Per net and k: the statistics over the draws. */
static void write_means(FILE *f, const nets *x, int swaps)
{
    fputs("net\tarch\tdepth\tk\tdraws\terr_mean\terr_sd\terr_min\terr_max\ttau_mean\t"
          "loss_mean\n",
          f);
    for (int i = 0; i < x->n; i++) {
        const gf_lesion_set *s = swaps ? &x->res[i].swap : &x->res[i].del;
        for (int k = 0; k <= s->kmax; k++) {
            double m, sd, lo, hi, tau, loss = 0.0;
            gf_lesion_row_stats(s, k, &m, &sd, &lo, &hi, &tau);
            for (int j = 0; j < s->n[k]; j++)
                loss += s->loss[(size_t)k * (size_t)s->draws + (size_t)j] / s->n[k];
            net_columns(f, &x->res[i]);
            fprintf(f, "\t%d\t%d", k, s->n[k]);
            const double v[] = {m, sd, lo, hi, tau, loss};
            for (size_t c = 0; c < sizeof v / sizeof *v; c++)
                num(f, v[c]);
            fputc('\n', f);
        }
    }
}

static int write_delete_mean(FILE *f, const void *ctx)
{
    write_means(f, ctx, 0);
    return ferror(f) ? -1 : 0;
}

static int write_swap_mean(FILE *f, const void *ctx)
{
    write_means(f, ctx, 1);
    return ferror(f) ? -1 : 0;
}

int gf_lesion_write(const gf_lesion_result *res, int n, const char *dir, char *why, size_t size)
{
    static const struct {
        const char *name;
        gf_write_fn write;
    } files[] = {
        {"lesion_single.tsv", write_single},       {"lesion_delete.tsv", write_delete},
        {"lesion_delete_mean.tsv", write_delete_mean}, {"lesion_swap.tsv", write_swap},
        {"lesion_swap_mean.tsv", write_swap_mean},
    };
    const nets x = {res, n};
    char path[4200];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        if (gf_path_join(path, sizeof path, dir, files[i].name) != 0) {
            snprintf(why, size, "the output path is too long");
            return -1;
        }
        if (gf_write_file(path, files[i].write, &x, why, size) != 0)
            return -1;
    }
    return 0;
}

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The zoomed panel of the single deletions (residual nets, percent): from
 * just below the lowest error to a little above the 80th percentile, or to
 * the largest error when it is not far above that (nothing to clip). */
static void zoom_range(const gf_lesion_result *res, int n, double *lo, double *hi)
{
    size_t m = 0, cap = 1;
    for (int i = 0; i < n; i++)
        cap += (size_t)res[i].blocks + 1;
    double *v = malloc(cap * sizeof *v);
    *lo = 0.0;
    *hi = 100.0;
    for (int i = 0; v && i < n; i++) {
        if (res[i].arch == GF_ARCH_PLAIN)
            continue;
        v[m++] = 100.0 * res[i].base_err;
        for (int b = 0; b < res[i].blocks; b++)
            v[m++] = 100.0 * res[i].single_err[b];
    }
    if (m > 0) {
        qsort(v, m, sizeof *v, by_value);
        *lo = fmax(0.0, floor(v[0] - 1.0));
        const double q80 = v[(size_t)(0.8 * (double)(m - 1))];
        *hi = q80 + 1.0 + 0.5 * (q80 - *lo);
        if (v[m - 1] <= *hi + (*hi - *lo))
            *hi = v[m - 1] + 1.0;
        *hi = fmin(*hi, 100.0);
    }
    free(v);
}

void gf_lesion_figs_make(const gf_lesion_result *res, int n, const char *data_name,
                         gf_lesion_figs *f)
{
    memset(f, 0, sizeof *f);
    n = n < GF_ARCH_COUNT ? n : GF_ARCH_COUNT;
    int swaps = 0;
    double tau_min = 1.0;
    for (int i = 0; i < n; i++) {
        const gf_lesion_set *s = &res[i].swap;
        for (int k = 0; k <= s->kmax; k++)
            for (int j = 0; j < s->n[k]; j++)
                tau_min = fmin(tau_min, s->tau[(size_t)k * (size_t)s->draws + (size_t)j]);
        f->nets[i] = res[i].name;
        f->archs[i] = gf_arch_names[res[i].arch];
        f->base[i] = 100.0 * res[i].base_err;
        swaps = res[i].swap.kmax > swaps ? res[i].swap.kmax : swaps;
    }
    const gf_lesion_spec *sp = &res[0].spec;
    const double chance = 100.0 * (1.0 - 1.0 / (double)sp->test->classes);
    snprintf(f->subtitle, sizeof f->subtitle,
             "%s, %zu test images; evaluation mode (batch norm with running statistics)",
             data_name, sp->test->n);
    snprintf(f->title[0], sizeof f->title[0],
             "Deleting one block at a time (Veit et al. 2016, Fig. 3)");
    snprintf(f->title[1], sizeof f->title[1],
             "Deleting k random blocks, %d draws each (Veit et al. 2016, Fig. 4)", sp->draws);
    snprintf(f->title[2], sizeof f->title[2],
             "Reordering: k random pairs of blocks swapped, %d draws each (Veit et al. 2016, "
             "Fig. 5)",
             sp->draws);
    gf_fig_lesion *figs[3] = {&f->single, &f->del, &f->swap};
    const int kmax[3] = {res[0].blocks - 1, res[0].del.kmax, swaps};
    for (int i = 0; i < 3; i++)
        *figs[i] = (gf_fig_lesion){.title = f->title[i], .subtitle = f->subtitle,
                                   .nets = f->nets, .archs = f->archs, .base_err = f->base,
                                   .n_nets = n, .kmax = kmax[i], .draws = sp->draws,
                                   .chance = chance, .tau_min = tau_min};
    zoom_range(res, n, &f->single.zoom_lo, &f->single.zoom_hi);
}
