/* initcmp_write.c: the files of `gradflow init-compare`: the gradient at
 * initialization, the training curves over the seeds, and every seed's. */
#include "initcmp/gf_initcmp.h"

#include "io/gf_io.h"

#include <stdio.h>

static void names(FILE *f, const gf_initcmp_result *r, int s, int a)
{
    fprintf(f, "%s\t%s", r->spec.schemes[s].name, gf_arch_names[r->spec.archs[a]]);
}

static void gradnorm_rows(FILE *f, const void *ctx)
{
    const gf_initcmp_result *r = ctx;
    for (int s = 0; s < r->spec.n_schemes; s++)
        for (int a = 0; a < r->spec.n_archs; a++) {
            const gf_initcmp_cell *c = gf_initcmp_at(r, s, a);
            for (int l = 0; l <= r->blocks; l++) {
                names(f, r, s, a);
                fprintf(f, "\t%d", l);
                gf_tsv_put(f, c->gmean[l]);
                gf_tsv_put(f, c->gmin[l]);
                gf_tsv_put(f, c->gmax[l]);
                fputc('\n', f);
            }
        }
}

static void put_stat(FILE *f, const gf_initcmp_stat *s)
{
    gf_tsv_put(f, s->mean);
    gf_tsv_put(f, s->sd);
    gf_tsv_put(f, s->min);
    gf_tsv_put(f, s->max);
}

static void curves_rows(FILE *f, const void *ctx)
{
    const gf_initcmp_result *r = ctx;
    for (int s = 0; s < r->spec.n_schemes; s++)
        for (int a = 0; a < r->spec.n_archs; a++) {
            const gf_initcmp_cell *c = gf_initcmp_at(r, s, a);
            for (int e = 0; e < r->epochs && c->loss[e].n > 0; e++) {
                names(f, r, s, a);
                fprintf(f, "\t%d\t%d", e + 1, c->loss[e].n);
                put_stat(f, &c->loss[e]);
                put_stat(f, &c->err[e]);
                put_stat(f, &c->test[e]);
                fputc('\n', f);
            }
        }
}

static void runs_rows(FILE *f, const void *ctx)
{
    const gf_initcmp_result *r = ctx;
    for (int s = 0; s < r->spec.n_schemes; s++)
        for (int a = 0; a < r->spec.n_archs; a++)
            for (int i = 0; i < r->train[s].n_runs; i++) {
                const gf_grid_net *u = &r->train[s].runs[i];
                for (int e = 0; u->arch == r->spec.archs[a] && e < u->epochs_done; e++) {
                    names(f, r, s, a);
                    fprintf(f, "\t%ld\t%d", u->seed, u->hist[e].epoch);
                    gf_tsv_put(f, u->hist[e].train_loss);
                    gf_tsv_put(f, u->hist[e].train_err);
                    gf_tsv_put(f, u->hist[e].test_err);
                    fputc('\n', f);
                }
            }
}

int gf_initcmp_write(const gf_initcmp_result *res, const char *dir, char *why, size_t size)
{
    static const gf_named_file files[] = {
        {"init_gradnorm.tsv", "scheme\tarch\tblock\tlog10_mean\tlog10_min\tlog10_max",
         gradnorm_rows},
        {"init_curves.tsv",
         "scheme\tarch\tepoch\tseeds\ttrain_loss_mean\ttrain_loss_sd\ttrain_loss_min\t"
         "train_loss_max\ttrain_err_mean\ttrain_err_sd\ttrain_err_min\ttrain_err_max\t"
         "test_err_mean\ttest_err_sd\ttest_err_min\ttest_err_max",
         curves_rows},
        {"init_runs.tsv", "scheme\tarch\tseed\tepoch\ttrain_loss\ttrain_err\ttest_err",
         runs_rows},
    };
    return gf_write_all_in(dir, files, sizeof files / sizeof *files, res, why, size);
}
