/* pathgrad_write.c: the files of `gradflow paths` and `gradflow pathgrad`
 * (paths.tsv, pathgrad.tsv) and their figures' recipes filled from curves. */
#include "ensemble/gf_ensemble.h"

#include "ensemble/gf_ensemble.h"
#include "io/gf_io.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- paths.tsv ------------------------------------------------------------- */

enum { EXACT_MAX = 66 }; /* C(66, 33) < 2^64 <= C(68, 34) */

static int write_paths(FILE *f, const void *ctx)
{
    const int B = *(const int *)ctx;
    uint64_t row[EXACT_MAX + 1] = {1};
    for (int m = 1; B <= EXACT_MAX && m <= B; m++) /* Pascal's triangle, row by row */
        for (int k = m; k >= 1; k--)
            row[k] += row[k - 1];
    const double log10_all = B * log10(2.0);
    double cumulative = 0.0;
    fputs("k\tpaths\tlog10_paths\tfraction\tlog10_fraction\tcumulative\n", f);
    for (int k = 0; k <= B; k++) {
        const double lc = gf_log10_binomial(B, k), frac = pow(10.0, lc - log10_all);
        char count[48];
        if (B <= EXACT_MAX)
            snprintf(count, sizeof count, "%llu", (unsigned long long)row[k]);
        else
            gf_format_pow10(count, sizeof count, lc, 6);
        cumulative += frac;
        fprintf(f, "%d\t%s", k, count);
        gf_tsv_put(f, lc);
        gf_tsv_put(f, frac);
        gf_tsv_put(f, lc - log10_all);
        gf_tsv_put(f, fmin(cumulative, 1.0));
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

int gf_paths_write(int blocks, const char *dir, char *why, size_t size)
{
    return gf_write_in(dir, "paths.tsv", write_paths, &blocks, why, size);
}

/* ---- pathgrad.tsv ---------------------------------------------------------- */

typedef struct curves {
    const gf_pathgrad_curve *c;
    int n;
} curves;

static int write_pathgrad(FILE *f, const void *ctx)
{
    const curves *cs = ctx;
    fputs("state\tk\tlog10_paths\tfraction\tcumulative_paths\tlog10_norm\tlog10_per_path\t"
          "mass\tcumulative_mass\tshare\tsamples\tlog10_sampled\tlog10_sampled_se\tzero_ratio\t"
          "error_ratio\tlog10_path\tlog10_path_se\tlog10_veit_total\n",
          f);
    for (int i = 0; i < cs->n; i++) {
        const gf_pathgrad_curve *c = &cs->c[i];
        const int B = c->blocks;
        double top = -INFINITY, total = 0.0, run = 0.0, paths = 0.0;
        for (int k = 0; k <= B; k++)
            top = fmax(top, c->log10_norm[k]);
        for (int k = 0; k <= B; k++)
            total += pow(10.0, c->log10_norm[k] - top);
        for (int k = 0; k <= B; k++) {
            const double lc = gf_log10_binomial(B, k);
            const double mass = pow(10.0, c->log10_norm[k] - top) / total;
            run += mass;
            fprintf(f, "%s\t%d", c->state, k);
            gf_tsv_put(f, lc);
            const double frac = pow(10.0, lc - B * log10(2.0));
            paths += frac;
            gf_tsv_put(f, frac);
            gf_tsv_put(f, fmin(paths, 1.0));
            gf_tsv_put(f, c->log10_norm[k]);
            gf_tsv_put(f, c->log10_norm[k] - lc);
            gf_tsv_put(f, mass);
            gf_tsv_put(f, fmin(run, 1.0));
            gf_tsv_put(f, c->share[k]);
            fprintf(f, "\t%d", c->sampled[k] ? c->samples : 0);
            gf_tsv_put(f, c->log10_est[k]);
            gf_tsv_put(f, c->log10_est_se[k]);
            gf_tsv_put(f, c->sampled[k] ? pow(10.0, c->log10_est[k] - c->log10_est_se[k])
                                        : NAN); /* zero_ratio */
            gf_tsv_put(f, c->err_ratio[k]);
            gf_tsv_put(f, c->log10_path[k]);
            gf_tsv_put(f, c->log10_path_se[k]);
            gf_tsv_put(f, lc + c->log10_path[k]);
            fputc('\n', f);
        }
    }
    return ferror(f) ? -1 : 0;
}

int gf_pathgrad_write(const gf_pathgrad_curve *c, int n_states, const char *dir, char *why,
                      size_t size)
{
    const curves cs = {c, n_states};
    return gf_write_in(dir, "pathgrad.tsv", write_pathgrad, &cs, why, size);
}
