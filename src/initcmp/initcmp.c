/* initcmp.c: initialization schemes side by side: the gradient at
 * initialization and the first epochs of training of every scheme, read
 * over all seeds. */
#include "initcmp/gf_initcmp.h"

#include "gradnorm/gf_gradnorm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gf_initcmp_scheme gf_initcmp_scheme_make(gf_init init, gf_norm norm, int reference)
{
    gf_initcmp_scheme s = {.init = init, .norm = norm, .reference = reference};
    snprintf(s.name, sizeof s.name, "%s%s", gf_init_names[init],
             !reference || norm == GF_NORM_NONE ? "" : norm == GF_NORM_BATCH ? "+bn" : "+ln");
    return s;
}

long gf_initcmp_diverged_step(const gf_grid_net *run)
{
    const char *at = run->failed ? strstr(run->why, " at step ") : NULL;
    long step = -1;
    if (!at || sscanf(at, " at step %ld", &step) != 1)
        return -1;
    return step;
}

/* Statistics of the finite values v[0..n-1]. */
static gf_initcmp_stat stat_of(const double *v, int n)
{
    gf_initcmp_stat s = {.mean = NAN, .sd = NAN, .min = NAN, .max = NAN};
    double sum = 0.0, ss = 0.0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) {
            s.min = s.n == 0 ? v[i] : fmin(s.min, v[i]);
            s.max = s.n == 0 ? v[i] : fmax(s.max, v[i]);
            sum += v[i];
            s.n++;
        }
    if (s.n == 0)
        return s;
    s.mean = sum / s.n;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i]))
            ss += (v[i] - s.mean) * (v[i] - s.mean);
    s.sd = s.n > 1 ? sqrt(ss / (s.n - 1)) : 0.0;
    return s;
}

/* The value of field `which` (0 loss, 1 error, 2 test error) of epoch e. */
static double epoch_value(const gf_grid_net *u, int e, int which)
{
    if (e < 0 || e >= u->epochs_done)
        return NAN;
    const gf_epoch_stats *h = &u->hist[e];
    return which == 0 ? h->train_loss : which == 1 ? h->train_err : h->test_err;
}

/* Arch a's runs of scheme s over the seeds: the cell's training part. */
static int read_training(gf_initcmp_result *r, int s, int a, gf_initcmp_cell *c)
{
    const gf_grid_result *d = &r->train[s];
    const int E = r->epochs;
    double *v = malloc(((size_t)d->n_runs + 1) * sizeof *v);
    c->loss = calloc((size_t)E + 1, sizeof *c->loss);
    c->err = calloc((size_t)E + 1, sizeof *c->err);
    c->test = calloc((size_t)E + 1, sizeof *c->test);
    if (!v || !c->loss || !c->err || !c->test) {
        free(v);
        return -1;
    }
    c->diverged_step = -1;
    gf_initcmp_stat *out[3] = {c->loss, c->err, c->test}, *fin[3] = {&c->final_loss,
                                                                      &c->final_err,
                                                                      &c->final_test};
    for (int which = 0; which < 3; which++)
        for (int e = 0; e <= E; e++) { /* e = E: the last epoch of the seeds that finished */
            int n = 0;
            for (int i = 0; i < d->n_runs; i++) {
                const gf_grid_net *u = &d->runs[i];
                if (u->arch == r->spec.archs[a] && (e < E || !u->failed))
                    v[n++] = epoch_value(u, e < E ? e : E - 1, which);
            }
            if (e < E)
                out[which][e] = stat_of(v, n);
            else
                *fin[which] = stat_of(v, n);
        }
    for (int i = 0; i < d->n_runs; i++) {
        const gf_grid_net *u = &d->runs[i];
        if (u->arch != r->spec.archs[a])
            continue;
        c->seeds++;
        const long step = gf_initcmp_diverged_step(u);
        c->diverged += u->failed;
        if (u->failed && step > 0 && (c->diverged_step < 0 || step < c->diverged_step))
            c->diverged_step = step;
    }
    r->any_diverged |= c->diverged > 0;
    free(v);
    return 0;
}

/* Scheme s: the gradient at initialization, then training. 0 or -1. */
static int measure_scheme(gf_initcmp_result *r, int s, char *why, size_t size)
{
    const gf_initcmp_spec *sp = &r->spec;
    gf_stack_config cf = sp->base;
    cf.init = sp->schemes[s].init;
    cf.norm = sp->schemes[s].norm;
    cf.depth = (size_t)sp->depth;
    cf.in_dim = sp->train_set->dim;
    cf.classes = sp->train_set->classes;
    const gf_gradnorm_spec gs = {.base = cf, .archs = sp->archs, .n_archs = sp->n_archs,
                                 .seeds = sp->init_seeds, .seed0 = (unsigned long)sp->seed0,
                                 .batch = sp->train.batch, .data = sp->train_set};
    gf_gradnorm_result g = {0};
    if (gf_gradnorm_run(&gs, &g, why, size) != 0)
        return -1;
    for (int a = 0; a < sp->n_archs; a++) {
        gf_initcmp_cell *c = &r->cell[s * sp->n_archs + a];
        for (int l = 0; l <= r->blocks; l++)
            gf_gradnorm_block_stats(&g, a, l, &c->gmean[l], &c->gmin[l], &c->gmax[l]);
    }
    gf_gradnorm_release(&g);
    const gf_grid_spec ds = {
        .base = cf, .archs = sp->archs, .n_archs = sp->n_archs, .depths = &sp->depth,
        .n_depths = 1, .seeds = sp->seeds, .seed0 = sp->seed0, .train = sp->train,
        .train_set = sp->train_set, .test_set = sp->test_set, .data_name = sp->data_name};
    if (gf_grid_train(&ds, &r->train[s], why, size) != 0)
        return -1;
    for (int a = 0; a < sp->n_archs; a++)
        if (read_training(r, s, a, &r->cell[s * sp->n_archs + a]) != 0) {
            snprintf(why, size, "out of memory");
            return -1;
        }
    return 0;
}

int gf_initcmp_run(const gf_initcmp_spec *spec, gf_initcmp_result *res, char *why, size_t size)
{
    memset(res, 0, sizeof *res);
    res->spec = *spec;
    res->blocks = (spec->depth - 2) / 2;
    res->epochs = spec->train.epochs;
    const size_t cells = (size_t)spec->n_schemes * (size_t)spec->n_archs;
    const size_t K = (size_t)res->blocks + 1;
    res->cell = calloc(cells, sizeof *res->cell);
    res->train = calloc((size_t)spec->n_schemes, sizeof *res->train);
    double *g = calloc(3 * cells * K, sizeof *g); /* owned by cell[0].gmean */
    if (!res->cell || !res->train || !g) {
        free(g);
        gf_initcmp_release(res);
        snprintf(why, size, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < cells; i++) {
        res->cell[i].gmean = g + i * K;
        res->cell[i].gmin = g + (cells + i) * K;
        res->cell[i].gmax = g + (2 * cells + i) * K;
    }
    for (int s = 0; s < spec->n_schemes; s++) {
        if (measure_scheme(res, s, why, size) != 0) {
            char inner[512];
            snprintf(inner, sizeof inner, "%s", why);
            snprintf(why, size, "%s: %s", spec->schemes[s].name, inner);
            gf_initcmp_release(res);
            return -1;
        }
        if (spec->progress)
            spec->progress(spec->ctx, s + 1, spec->n_schemes);
    }
    return 0;
}

void gf_initcmp_release(gf_initcmp_result *res)
{
    const size_t cells = (size_t)res->spec.n_schemes * (size_t)res->spec.n_archs;
    for (size_t i = 0; res->cell && i < cells; i++) {
        free(res->cell[i].loss);
        free(res->cell[i].err);
        free(res->cell[i].test);
    }
    if (res->cell)
        free(res->cell[0].gmean);
    for (int s = 0; res->train && s < res->spec.n_schemes; s++)
        gf_grid_release(&res->train[s]);
    free(res->train);
    free(res->cell);
    memset(res, 0, sizeof *res);
}
