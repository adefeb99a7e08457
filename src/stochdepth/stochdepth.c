/* stochdepth.c: a net trained whole against the same net trained with
 * stochastic depth (a degrade experiment with spec.survival set): the
 * expected depth and work of the rule, the times and errors measured. */
#include "stochdepth/gf_stochdepth.h"

#include "io/gf_io.h"
#include "model/gf_model.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Minimum and quartiles q[0..3] over every epoch of every seed of net of
 * one field of the epoch statistics (NaN when none ran). */
static void quartiles(const gf_grid_result *x, const char *net, size_t field, double q[4])
{
    size_t n = 0, cap = 0;
    for (int i = 0; i < x->n_runs; i++)
        cap += strcmp(x->runs[i].name, net) == 0 ? (size_t)x->runs[i].epochs_done : 0;
    double *v = malloc((cap ? cap : 1) * sizeof *v);
    q[0] = q[1] = q[2] = q[3] = NAN;
    if (!v)
        return;
    for (int i = 0; i < x->n_runs; i++)
        for (int e = 0; strcmp(x->runs[i].name, net) == 0 && e < x->runs[i].epochs_done; e++)
            memcpy(&v[n++], (const char *)&x->runs[i].hist[e] + field, sizeof *v);
    gsl_sort(v, 1, n);
    for (int k = 0; n && k < 4; k++)
        q[k] = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.25 * k);
    free(v);
}

/* Fill the measured half of pair slot k (0 whole, 1 -sd) from net. */
static void measured(const gf_grid_result *x, const char *net, gf_stochdepth_pair *p, int k)
{
    double q[4];
    gf_grid_final_net(x, net, &p->train_err[k], &p->train_err_sd[k], &p->test_err[k],
                      &p->test_err_sd[k], &p->finished[k]);
    quartiles(x, net, offsetof(gf_epoch_stats, seconds), q);
    p->seconds_min[k] = q[0];
    p->seconds[k] = q[2];
    p->spread[k] = (q[3] - q[1]) / q[2];
    quartiles(x, net, offsetof(gf_epoch_stats, cpu_seconds), q);
    p->cpu_seconds_min[k] = q[0];
    p->cpu_seconds[k] = q[2];
    quartiles(x, net, offsetof(gf_epoch_stats, eval_seconds), q);
    p->eval_seconds[k] = q[2];
}

/* The final epoch of net's run of seed, or NULL when it did not finish. */
static const gf_epoch_stats *final_of(const gf_grid_result *x, const char *net, long seed)
{
    for (int i = 0; i < x->n_runs; i++) {
        const gf_grid_net *r = &x->runs[i];
        if (r->seed == seed && strcmp(r->name, net) == 0)
            return r->failed || r->epochs_done < x->spec.train.epochs
                       ? NULL : &r->hist[r->epochs_done - 1];
    }
    return NULL;
}

/* The seed-by-seed differences -sd minus whole: mean and sample sd. */
static void paired(const gf_grid_result *x, gf_stochdepth_pair *p)
{
    double s[2] = {0, 0}, ss[2] = {0, 0};
    int n = 0;
    for (int k = 0; k < x->spec.seeds; k++) {
        const gf_epoch_stats *w = final_of(x, p->whole, x->spec.seed0 + k),
                             *d = final_of(x, p->stochastic, x->spec.seed0 + k);
        if (!w || !d)
            continue;
        const double v[2] = {d->train_err - w->train_err, d->test_err - w->test_err};
        for (int j = 0; j < 2; j++) {
            s[j] += v[j];
            ss[j] += v[j] * v[j];
        }
        n++;
    }
    double m[2], sd[2];
    for (int j = 0; j < 2; j++) {
        m[j] = n ? s[j] / n : NAN;
        sd[j] = n > 1 ? sqrt(fmax(0.0, (ss[j] - n * m[j] * m[j]) / (n - 1))) : 0.0;
    }
    p->diff_train = m[0];
    p->diff_train_sd = sd[0];
    p->diff_test = m[1];
    p->diff_test_sd = sd[1];
    p->paired = n;
}

/* The expected share of the whole net's multiply-adds per sample that runs,
 * and the stem and head's share (never dropped): MLP blocks cost 2 w^2 each
 * (stem in w, head w c); a cnn's blocks their convs (gf_cnn_macs). */
static int expected_macs(const gf_grid_spec *o, const gf_grid_net *r, const double *surv,
                         gf_stochdepth_pair *p)
{
    double *mac = malloc((size_t)p->blocks * sizeof *mac), fixed = 0.0, all = 0.0, run = 0.0;
    gf_stack_config c = o->base;
    c.arch = r->arch;
    c.depth = r->depth;
    c.in_dim = o->train_set->dim;
    c.classes = o->train_set->classes;
    gf_family_config fc;
    if (!mac || (!gf_arch_is_mlp(r->arch) && gf_arch_config(&c, &fc, NULL, 0) != 0)) {
        free(mac);
        return -1;
    }
    const double w = (double)c.width;
    if (gf_arch_is_mlp(r->arch)) {
        fixed = (double)c.in_dim * w + w * (double)c.classes;
        for (int l = 0; l < p->blocks; l++)
            mac[l] = 2.0 * w * w;
    } else {
        gf_cnn_macs(&fc.cnn, mac, &fixed);
    }
    for (int l = 0; l < p->blocks; l++) {
        all += mac[l];
        run += surv[l] * mac[l];
    }
    p->mac_fraction = (fixed + run) / (fixed + all);
    p->fixed_share = fixed / (fixed + all);
    free(mac);
    return 0;
}

int gf_stochdepth_pairs(const gf_grid_result *x, gf_stochdepth_pair *out, int max)
{
    const gf_grid_spec *o = &x->spec;
    int n = 0;
    for (int i = 0; i < x->n_runs && n < max; i++) {
        const gf_grid_net *r = &x->runs[i];
        if (!r->stochastic_depth || r->seed != o->seed0)
            continue;
        gf_stochdepth_pair *p = &out[n++];
        memset(p, 0, sizeof *p);
        p->arch = r->arch;
        p->depth = r->depth;
        p->blocks = (r->depth - 2) / 2;
        snprintf(p->stochastic, sizeof p->stochastic, "%s", r->name);
        snprintf(p->whole, sizeof p->whole, "%s-%d", gf_arch_names[r->arch], r->depth);
        double *surv = malloc((size_t)p->blocks * sizeof *surv);
        if (!surv)
            return -1;
        gf_survival_fill(o->survival, o->p_last, p->blocks, surv);
        for (int l = 0; l < p->blocks; l++)
            p->expected_blocks += surv[l];
        const int rc = expected_macs(o, r, surv, p);
        free(surv);
        if (rc != 0)
            return -1;
        p->expected_layers = 2.0 * p->expected_blocks + 2.0;
        p->block_fraction = p->expected_blocks / p->blocks;
        measured(x, p->whole, p, 0);
        measured(x, p->stochastic, p, 1);
        paired(x, p);
    }
    return n;
}

/* What the files are written from: the grid and its n pairs. */
typedef struct tables {
    const gf_grid_result *x;
    const gf_stochdepth_pair *pairs;
    int n;
} tables;

static void write_table(FILE *f, const void *ctx)
{
    const tables *t = ctx;
    const gf_grid_result *x = t->x;
    for (int i = 0; i < t->n; i++)
        for (int k = 0; k < 2; k++) {
            const gf_stochdepth_pair *p = &t->pairs[i];
            fprintf(f, "%s\t%s\t%d\t%s", k ? p->stochastic : p->whole, gf_arch_names[p->arch], p->depth,
                    gf_survival_names[k ? x->spec.survival : GF_SURVIVAL_NONE]);
            gf_tsv_put(f, k ? x->spec.p_last : 1.0);
            fprintf(f, "\t%d", p->blocks);
            gf_tsv_put(f, k ? p->expected_blocks : p->blocks);
            gf_tsv_put(f, k ? p->expected_layers : p->depth);
            gf_tsv_put(f, k ? p->block_fraction : 1.0);
            gf_tsv_put(f, k ? p->mac_fraction : 1.0);
            fprintf(f, "\t%d", p->finished[k]);
            const double v[] = {p->train_err[k],       p->test_err[k],
                                p->seconds[k],         p->seconds_min[k],
                                p->spread[k],          p->cpu_seconds[k],
                                p->cpu_seconds_min[k], p->eval_seconds[k],
                                p->seconds_min[k] / p->seconds_min[0],
                                p->cpu_seconds_min[k] / p->cpu_seconds_min[0],
                                p->train_err_sd[k],    p->test_err_sd[k]};
            for (size_t j = 0; j < sizeof v / sizeof *v; j++)
                gf_tsv_put(f, v[j]);
            fputc('\n', f);
        }
}

static void write_times(FILE *f, const void *ctx)
{
    const gf_grid_result *x = ((const tables *)ctx)->x;
    for (int i = 0; i < x->n_runs; i++) {
        const gf_grid_net *r = &x->runs[i];
        for (int e = 0; e < r->epochs_done; e++) {
            gf_grid_run_columns(f, r);
            fprintf(f, "\t%d", r->hist[e].epoch);
            const double v[] = {r->hist[e].seconds, r->hist[e].cpu_seconds,
                                r->hist[e].eval_seconds};
            gf_tsv_puts(f, v, sizeof v / sizeof *v);
            fputc('\n', f);
        }
    }
}

int gf_stochdepth_write(const gf_grid_result *x, const char *dir, char *why, size_t size)
{
    static const gf_named_file files[] = {
        {"stochdepth.tsv",
         "net\tarch\tdepth\tsurvival\tp_last\tblocks\texpected_blocks\texpected_layers\t"
         "block_fraction\tmac_fraction\tseeds_finished\ttrain_err\ttest_err\tseconds_median\t"
         "seconds_min\tseconds_spread\tcpu_seconds_median\tcpu_seconds_min\t"
         "eval_seconds_median\tratio_seconds_min\tratio_cpu_seconds_min\ttrain_err_sd\t"
         "test_err_sd",
         write_table},
        {"epoch_times.tsv", "net\tarch\tdepth\tseed\tepoch\tseconds\tcpu_seconds\teval_seconds",
         write_times}};
    gf_stochdepth_pair pairs[GF_ARCH_COUNT * GF_GRID_MAX_DEPTHS];
    const tables t = {x, pairs, gf_stochdepth_pairs(x, pairs, GF_ARCH_COUNT * GF_GRID_MAX_DEPTHS)};
    if (t.n < 0) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    return gf_write_all_in(dir, files, sizeof files / sizeof *files, &t, why, size);
}
