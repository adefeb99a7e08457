/* lesion_write.c: the files of the lesion experiment (TSV) and its figures'
 * recipes filled from the results. */
#include "lesion/gf_lesion.h"

#include "io/gf_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The nets written, and for the files of one kind of lesion which: the
 * deletions (swaps = 0) or the swaps. */
typedef struct nets {
    const gf_lesion_result *res;
    int n, swaps;
} nets;

/* The columns every file opens with, and those of a draw and of its mean. */
#define NET_COLUMNS "net\tarch\tdepth"
#define DRAW_COLUMNS NET_COLUMNS "\tk\tdraw\ttest_err\ttest_loss"
#define MEAN_COLUMNS                                                                             \
    NET_COLUMNS "\tk\tdraws\terr_mean\terr_sd\terr_min\terr_max\ttau_mean\tloss_mean\t"       \
                "err_q25\terr_median\terr_q75"

static void net_columns(FILE *f, const gf_lesion_result *r)
{
    fprintf(f, "%s\t%s\t%d", r->name, gf_arch_names[r->arch], r->depth);
}

static void write_single(FILE *f, const void *ctx)
{
    const nets *x = ctx;
    for (int i = 0; i < x->n; i++) {
        const gf_lesion_result *r = &x->res[i];
        for (int b = 0; b < r->blocks; b++) {
            net_columns(f, r);
            fprintf(f, "\t%d", b);
            gf_tsv_put(f, r->single_err[b]);
            gf_tsv_put(f, r->single_loss[b]);
            gf_tsv_put(f, r->single_err[b] - r->base_err);
            gf_tsv_put(f, r->base_err);
            fputc('\n', f);
        }
    }
}

/* Every draw: which blocks were deleted (a comma list, "-" for none) or the
 * order the blocks ran in. */
static void write_draws(FILE *f, const void *ctx)
{
    const nets *x = ctx;
    const int swaps = x->swaps;
    for (int i = 0; i < x->n; i++) {
        const gf_lesion_set *s = swaps ? &x->res[i].swap : &x->res[i].del;
        for (int k = 0; k <= s->kmax; k++)
            for (int j = 0; j < s->n[k]; j++) {
                const size_t cell = (size_t)k * (size_t)s->draws + (size_t)j;
                net_columns(f, &x->res[i]);
                fprintf(f, "\t%d\t%d", k, j);
                gf_tsv_put(f, s->err[cell]);
                gf_tsv_put(f, s->loss[cell]);
                if (swaps)
                    gf_tsv_put(f, s->tau[cell]);
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

/* Per net and k: the statistics over the draws. */
static void write_means(FILE *f, const void *ctx)
{
    const nets *x = ctx;
    for (int i = 0; i < x->n; i++) {
        const gf_lesion_set *s = x->swaps ? &x->res[i].swap : &x->res[i].del;
        for (int k = 0; k <= s->kmax; k++) {
            double m, sd, lo, hi, tau, loss = 0.0, q[3];
            gf_lesion_row_stats(s, k, &m, &sd, &lo, &hi, &tau);
            gf_lesion_row_quartiles(s, k, q);
            for (int j = 0; j < s->n[k]; j++)
                loss += s->loss[(size_t)k * (size_t)s->draws + (size_t)j] / s->n[k];
            net_columns(f, &x->res[i]);
            fprintf(f, "\t%d\t%d", k, s->n[k]);
            const double v[] = {m, sd, lo, hi, tau, loss, q[0], q[1], q[2]};
            for (size_t c = 0; c < sizeof v / sizeof *v; c++)
                gf_tsv_put(f, v[c]);
            fputc('\n', f);
        }
    }
}

int gf_lesion_write(const gf_lesion_result *res, int n, const char *dir, char *why, size_t size)
{
    static const gf_named_file single = {
        "lesion_single.tsv", NET_COLUMNS "\tblock\ttest_err\ttest_loss\tdelta_err\tbase_err",
        write_single};
    static const gf_named_file deletions[] = {
        {"lesion_delete.tsv", DRAW_COLUMNS "\tdeleted", write_draws},
        {"lesion_delete_mean.tsv", MEAN_COLUMNS, write_means}};
    static const gf_named_file swaps[] = {
        {"lesion_swap.tsv", DRAW_COLUMNS "\tkendall_tau\torder", write_draws},
        {"lesion_swap_mean.tsv", MEAN_COLUMNS, write_means}};
    const nets del = {res, n, 0}, swap = {res, n, 1};
    if (gf_write_all_in(dir, &single, 1, &del, why, size) != 0 ||
        gf_write_all_in(dir, deletions, 2, &del, why, size) != 0)
        return -1;
    return gf_write_all_in(dir, swaps, 2, &swap, why, size);
}
