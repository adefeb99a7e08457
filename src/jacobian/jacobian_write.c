/* jacobian_write.c: the TSV files of the Jacobian experiment. */
#include "jacobian/gf_jacobian.h"

#include "io/gf_io.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *arch_name(const gf_jacobian_result *res, int a)
{
    return gf_arch_names[res->spec.archs[a]];
}

/* jacobian.tsv: one row per (arch, seed, kind, l). */
static int write_rows(FILE *f, const void *ctx)
{
    const gf_jacobian_result *res = ctx;
    fputs("arch\tseed\tl\tkind\tsv_max\tsv_min\tfrobenius\tcondition\tlog10_sv_max\t"
          "log10_sv_min\tlog10_frobenius\tlog10_condition\trank\tsv_min_nonzero\t"
          "condition_range\trms_gain\tlog10_sv_min_nonzero\tlog10_condition_range\t"
          "log10_rms_gain\trank_bound\n",
          f);
    for (size_t i = 0; i < res->n_stats; i++) {
        const gf_jacobian_stat *st = &res->stat[i];
        const double cond = gf_jacobian_condition(res, st);
        const double cr = gf_jacobian_condition_range(st), rms = gf_jacobian_rms_gain(res, st);
        fprintf(f, "%s\t%lu\t%d\t%s", arch_name(res, st->arch),
                res->spec.seed0 + (unsigned long)st->seed, st->l, gf_jac_kind_names[st->kind]);
        gf_tsv_put(f, st->sv_max);
        gf_tsv_put(f, st->sv_min);
        gf_tsv_put(f, st->frobenius);
        gf_tsv_put(f, cond);
        gf_tsv_put(f, log10(st->sv_max));
        gf_tsv_put(f, log10(st->sv_min));
        gf_tsv_put(f, log10(st->frobenius));
        gf_tsv_put(f, log10(cond));
        if (st->rank < 0)
            fputs("\tnan", f);
        else
            fprintf(f, "\t%d", st->rank);
        gf_tsv_put(f, st->sv_min_nonzero);
        gf_tsv_put(f, cr);
        gf_tsv_put(f, rms);
        gf_tsv_put(f, log10(st->sv_min_nonzero));
        gf_tsv_put(f, log10(cr));
        gf_tsv_put(f, log10(rms));
        const int bound = st->kind == GF_JAC_END
                              ? gf_jacobian_rank_bound(res, st->arch, st->seed, st->l)
                              : st->rank;
        if (bound < 0)
            fputs("\tnan\n", f);
        else
            fprintf(f, "\t%d\n", bound);
    }
    return ferror(f) ? -1 : 0;
}

/* A log10 for the figures: a zero (-inf) is written as nan, which they skip. */
static void put_plot(FILE *f, double x)
{
    gf_tsv_put(f, isfinite(x) ? x : NAN);
}

/* jacobian_mean.tsv: per (arch, kind, l), over seeds. */
static int write_mean(FILE *f, const void *ctx)
{
    const gf_jacobian_result *res = ctx;
    static const gf_jstat cols[] = {GF_JSTAT_SV_MAX, GF_JSTAT_SV_MIN_NONZERO, GF_JSTAT_RMS_GAIN};
    fputs("arch\tkind\tl\tseeds\tlog10_sv_max\tlog10_sv_max_min\tlog10_sv_max_max\t"
          "log10_sv_min_nonzero\tlog10_sv_min_nonzero_min\tlog10_sv_min_nonzero_max\t"
          "log10_rms_gain\tlog10_rms_gain_min\tlog10_rms_gain_max\tlog10_condition_range\t"
          "rank\tsingular_seeds\tlog10_theory_rms_gain\n",
          f);
    const int B = res->blocks;
    for (int a = 0; a < res->spec.n_archs; a++)
        for (int kind = 0; kind < 2; kind++)
            for (int l = 0; l <= (kind == GF_JAC_END ? B : B - 1); l++) {
                fprintf(f, "%s\t%s\t%d\t%d", arch_name(res, a), gf_jac_kind_names[kind], l,
                        res->spec.seeds);
                double mean, lo, hi;
                int n;
                for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
                    gf_jacobian_seed_stats(res, a, (gf_jac_kind)kind, l, cols[c], &mean, &lo,
                                           &hi, &n);
                    put_plot(f, mean);
                    put_plot(f, lo);
                    put_plot(f, hi);
                }
                gf_jacobian_seed_stats(res, a, (gf_jac_kind)kind, l, GF_JSTAT_CONDITION_RANGE,
                                       &mean, &lo, &hi, &n);
                put_plot(f, mean);
                gf_jacobian_seed_stats(res, a, (gf_jac_kind)kind, l, GF_JSTAT_RANK, &mean, &lo,
                                       &hi, &n);
                gf_tsv_put(f, mean);
                int singular = 0;
                for (int k = 0; k < res->spec.seeds; k++) {
                    const gf_jacobian_stat *st = gf_jacobian_get(res, a, k, (gf_jac_kind)kind, l);
                    singular += st->rank >= 0 && (size_t)st->rank < res->d;
                }
                if (res->full)
                    fprintf(f, "\t%d", singular);
                else
                    fputs("\tnan", f);
                /* theory: J_l's gain; dx_B/dx_l: the product of the gains of l..B-1 */
                double t = 0.0;
                const double *g = res->theory + (size_t)a * (size_t)B;
                for (int j = l; j < (kind == GF_JAC_END ? B : l + 1); j++)
                    t += g[j];
                put_plot(f, t);
                fputc('\n', f);
            }
    return ferror(f) ? -1 : 0;
}

static int listed(const gf_jacobian_result *res, int l)
{
    for (int i = 0; i < res->spec.n_spectra; i++)
        if (res->spec.spectra[i] == l)
            return 1;
    return 0;
}

/* spectra.tsv: every singular value at the listed block boundaries. */
static int write_spectra(FILE *f, const void *ctx)
{
    const gf_jacobian_result *res = ctx;
    const size_t d = res->d;
    fputs("arch\tseed\tl\tkind\tindex\tquantile\tsv\tlog10_sv\tlog10_sv_rel\tzero\n", f);
    for (size_t i = 0; i < res->n_stats; i++) {
        const gf_jacobian_stat *st = &res->stat[i];
        if (!listed(res, st->l))
            continue;
        const double *sv = gf_jacobian_spectrum(res, st);
        const double tol = gf_jacobian_rank_tol(d, st->sv_max);
        for (size_t j = 0; j < d; j++) {
            fprintf(f, "%s\t%lu\t%d\t%s\t%zu", arch_name(res, st->arch),
                    res->spec.seed0 + (unsigned long)st->seed, st->l,
                    gf_jac_kind_names[st->kind], j);
            gf_tsv_put(f, ((double)j + 0.5) / (double)d);
            gf_tsv_put(f, sv[j]);
            gf_tsv_put(f, log10(sv[j]));
            gf_tsv_put(f, log10(sv[j] / st->sv_max));
            fprintf(f, "\t%d\n", !(sv[j] > tol));
        }
    }
    return ferror(f) ? -1 : 0;
}

int gf_jacobian_write(const gf_jacobian_result *res, const char *dir, char *why, size_t size)
{
    if (gf_write_in(dir, "jacobian.tsv", write_rows, res, why, size) != 0 ||
        gf_write_in(dir, "jacobian_mean.tsv", write_mean, res, why, size) != 0)
        return -1;
    if (res->full)
        return gf_write_in(dir, "spectra.tsv", write_spectra, res, why, size);
    char path[GF_PATH_MAX]; /* a stale spectra.tsv of an earlier, narrower run would mislead */
    if (gf_path_join(path, sizeof path, dir, "spectra.tsv") == 0)
        remove(path);
    return 0;
}
