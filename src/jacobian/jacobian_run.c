/* jacobian_run.c: running the Jacobian experiment (see gf_jacobian.h). */
#include "jacobian/gf_jacobian.h"

#include "io/gf_io.h"
#include "jacobian/gf_jacobian.h"
#include "theory/gf_theory.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const gf_jac_kind_names[] = {"end", "block", NULL};

/* Power iteration above GF_JACOBIAN_FULL_MAX: stop when the estimate moves by
 * less than this, relatively, from one iteration to the next. */
#define POWER_TOL 1e-9
#define POWER_MAX_ITER 3000

static size_t per_seed(int blocks)
{
    return 2 * (size_t)blocks + 1;
}

static size_t stat_index(const gf_jacobian_result *res, int arch, int k, gf_jac_kind kind, int l)
{
    const size_t run = (size_t)arch * (size_t)res->spec.seeds + (size_t)k;
    const size_t base = run * per_seed(res->blocks);
    return base + (kind == GF_JAC_END ? (size_t)l : (size_t)res->blocks + 1 + (size_t)l);
}

const gf_jacobian_stat *gf_jacobian_get(const gf_jacobian_result *res, int arch, int k,
                                        gf_jac_kind kind, int l)
{
    const int last = kind == GF_JAC_END ? res->blocks : res->blocks - 1;
    if (arch < 0 || arch >= res->spec.n_archs || k < 0 || k >= res->spec.seeds || l < 0 ||
        l > last || !res->stat)
        return NULL;
    return &res->stat[stat_index(res, arch, k, kind, l)];
}

const double *gf_jacobian_spectrum(const gf_jacobian_result *res, const gf_jacobian_stat *st)
{
    return res->sv && st ? res->sv + (size_t)(st - res->stat) * res->d : NULL;
}

int gf_jacobian_rank_bound(const gf_jacobian_result *res, int arch, int k, int l)
{
    int bound = (int)res->d;
    for (int j = l; j < res->blocks; j++) {
        const gf_jacobian_stat *st = gf_jacobian_get(res, arch, k, GF_JAC_BLOCK, j);
        if (!st || st->rank < 0)
            return -1;
        bound = st->rank < bound ? st->rank : bound;
    }
    return bound;
}

double gf_jacobian_rank_tol(size_t d, double sv_max)
{
    return (double)d * DBL_EPSILON * sv_max;
}

double gf_jacobian_condition(const gf_jacobian_result *res, const gf_jacobian_stat *st)
{
    if (st->rank < 0)
        return NAN;
    return (size_t)st->rank < res->d ? INFINITY : st->sv_max / st->sv_min;
}

double gf_jacobian_condition_range(const gf_jacobian_stat *st)
{
    return st->rank < 0 ? NAN : st->sv_max / st->sv_min_nonzero;
}

double gf_jacobian_rms_gain(const gf_jacobian_result *res, const gf_jacobian_stat *st)
{
    return st->frobenius / sqrt((double)res->d);
}

static double stat_value(const gf_jacobian_result *res, const gf_jacobian_stat *st, gf_jstat w)
{
    switch (w) {
    case GF_JSTAT_SV_MAX:
        return log10(st->sv_max);
    case GF_JSTAT_SV_MIN_NONZERO:
        return log10(st->sv_min_nonzero);
    case GF_JSTAT_RMS_GAIN:
        return log10(gf_jacobian_rms_gain(res, st));
    case GF_JSTAT_CONDITION_RANGE:
        return log10(gf_jacobian_condition_range(st));
    default:
        return st->rank < 0 ? NAN : (double)st->rank;
    }
}

void gf_jacobian_seed_stats(const gf_jacobian_result *res, int arch, gf_jac_kind kind, int l,
                            gf_jstat what, double *mean, double *min, double *max, int *n)
{
    double sum = 0.0;
    *min = INFINITY;
    *max = -INFINITY;
    *n = 0;
    for (int k = 0; k < res->spec.seeds; k++) {
        const gf_jacobian_stat *st = gf_jacobian_get(res, arch, k, kind, l);
        const double v = st ? stat_value(res, st, what) : NAN;
        if (!isfinite(v))
            continue;
        sum += v;
        *min = fmin(*min, v);
        *max = fmax(*max, v);
        ++*n;
    }
    *mean = *n ? sum / *n : NAN;
    if (*n == 0)
        *min = *max = NAN;
}

void gf_jacobian_release(gf_jacobian_result *res)
{
    free(res->stat);
    free(res->sv);
    free(res->theory);
    free(res->theory_why);
    free(res->width);
    memset(res, 0, sizeof *res);
}

/* Fill st from the d x d matrix a: every singular value into sv (full), or
 * the power iteration's estimate. 0 or -1. */
static int describe(const double *a, size_t d, int full, double *sv, gsl_rng *rng,
                    gf_jacobian_stat *st)
{
    double f = 0.0, scale = 0.0; /* Frobenius norm without overflow: scaled sum of squares */
    for (size_t i = 0; i < d * d; i++) {
        const double x = fabs(a[i]);
        if (x > scale) {
            f = 1.0 + f * (scale / x) * (scale / x);
            scale = x;
        } else if (x > 0.0) {
            f += (x / scale) * (x / scale);
        }
    }
    st->frobenius = scale * sqrt(f);
    st->sv_min = st->sv_min_nonzero = NAN;
    st->rank = -1;
    if (!full) {
        st->sv_max = st->frobenius > 0.0 ? gf_spectral_norm(a, d, POWER_TOL, POWER_MAX_ITER, rng)
                                         : 0.0;
        return isnan(st->sv_max) ? -1 : 0;
    }
    if (gf_singular_values_fast(a, d, d, sv) != 0)
        return -1;
    st->sv_max = sv[0];
    st->sv_min = sv[d - 1];
    const double tol = gf_jacobian_rank_tol(d, sv[0]);
    st->rank = 0;
    while ((size_t)st->rank < d && sv[st->rank] > tol)
        st->rank++;
    st->sv_min_nonzero = st->rank > 0 ? sv[st->rank - 1] : NAN;
    return 0;
}

/* x_0 .. x_B of the sample x in evaluation mode, one after another in a
 * malloc'd array, their widths into w; NULL with a reason. */
static double *boundaries(gf_model *m, const double *x, int B, size_t *w, char *why,
                          size_t size)
{
    const int training = gf_model_training(m);
    gf_model_set_training(m, 0);
    gf_tape *tape = gf_tape_alloc(0);
    gf_tensor **at = malloc(((size_t)B + 1) * sizeof *at);
    gf_tensor *h = tape && at ? gf_tape_input(tape, 1, gf_model_in_dim(m)) : NULL;
    if (h)
        memcpy(h->v, x, h->d * sizeof *x);
    h = h ? gf_model_stem(m, tape, h) : NULL;
    size_t total = 0;
    for (int l = 0; h && l <= B; l++) {
        at[l] = h;
        total += w[l] = h->d;
        h = l < B ? gf_model_block(m, tape, l, h) : h;
    }
    double *xs = h ? malloc(total * sizeof *xs) : NULL;
    size_t off = 0;
    for (int l = 0; xs && l <= B; off += w[l++])
        memcpy(xs + off, at[l]->v, w[l] * sizeof *xs);
    if (!h)
        snprintf(why, size, "the forward pass failed: %s",
                 tape ? gf_tape_error(tape) : "out of memory");
    else if (!xs)
        snprintf(why, size, "out of memory");
    free(at);
    gf_tape_free(tape);
    gf_model_set_training(m, training);
    return xs;
}

/* Matrix-free (gf_jacobian.h): sv_max of every block map and every
 * end-to-end map of model m (arch a, seed offset k) at the sample x. */
static int top_svs(gf_jacobian_result *res, gf_model *m, const double *x, int a, int k,
                   gsl_rng *rng, char *why, size_t size)
{
    const int B = res->blocks;
    size_t *w = res->width + (size_t)a * ((size_t)B + 1);
    double *xs = boundaries(m, x, B, w, why, size);
    int rc = xs ? 0 : -1;
    size_t off = 0;
    for (int l = 0; rc == 0 && l <= B; off += w[l++])
        for (int kind = 0; rc == 0 && kind < 2; kind++) {
            if (kind == GF_JAC_BLOCK && l == B)
                continue;
            gf_jacobian_stat *st = &res->stat[stat_index(res, a, k, (gf_jac_kind)kind, l)];
            *st = (gf_jacobian_stat){.arch = a, .seed = k, .l = l, .kind = (gf_jac_kind)kind,
                                     .sv_max = 1.0, .sv_min = NAN, .sv_min_nonzero = NAN,
                                     .frobenius = NAN, .rank = -1}; /* dx_B/dx_B = I */
            const int b = kind == GF_JAC_END ? B : l + 1;
            if (b > l)
                rc = gf_jacobian_top_sv(m, xs + off, w[l], l, b, GF_JACOBIAN_TOP_ITERS, 1e-6,
                                        rng, &st->sv_max, why, size);
        }
    free(xs);
    return rc;
}

/* One seed of model m (architecture index a). */
static int run_one(const gf_jacobian_spec *sp, gf_jacobian_result *res, gf_model *m, int a,
                   int k, double *sv_tmp, char *why, size_t size)
{
    const size_t d = res->d, dd = d * d;
    const int B = res->blocks;
    const unsigned long seed = sp->seed0 + (unsigned long)k;
    gsl_rng *rng = gf_rng_alloc(seed);
    double *x = malloc(gf_model_in_dim(m) * sizeof *x);
    int label, rc = rng && x ? 0 : -1;
    if (rc != 0) {
        snprintf(why, size, "out of memory");
        goto done;
    }
    if (!sp->load && gf_model_init(m, rng) != 0) {
        snprintf(why, size, "initialization failed");
        rc = -1;
        goto done;
    }
    gf_dataset_sample(sp->data, rng, 1, x, &label);
    if (gf_model_bn_warmup(m, sp->data, rng, sp->bn_warmup, sp->warmup_batch, why, size) != 0) {
        rc = -1;
        goto done;
    }
    if (res->matrix_free) {
        const double t0 = gf_now();
        rc = top_svs(res, m, x, a, k, rng, why, size);
        res->seconds_spectra += gf_now() - t0;
        goto done;
    }
    gf_jacobians jac;
    const double t0 = gf_now();
    if (gf_jacobians_compute(m, x, &jac, why, size) != 0) {
        rc = -1;
        goto done;
    }
    const double t1 = gf_now();
    res->seconds_jacobians += t1 - t0;
    for (int kind = 0; rc == 0 && kind < 2; kind++)
        for (int l = 0; l <= (kind == GF_JAC_END ? B : B - 1); l++) {
            const size_t i = stat_index(res, a, k, (gf_jac_kind)kind, l);
            gf_jacobian_stat *st = &res->stat[i];
            *st = (gf_jacobian_stat){.arch = a, .seed = k, .l = l, .kind = (gf_jac_kind)kind};
            const double *J = (kind == GF_JAC_END ? jac.end : jac.block) + (size_t)l * dd;
            int finite = 1;
            for (size_t e = 0; e < dd && finite; e++)
                finite = isfinite(J[e]);
            if (!finite) {
                char name[GF_NET_NAME_MAX];
                gf_model_name(m, name, sizeof name);
                snprintf(why, size, "%s, seed %lu: the Jacobian %s at l = %d is not finite "
                         "(the forward pass overflowed); try a smaller depth, a normalization "
                         "or another init",
                         name, seed,
                         kind == GF_JAC_END ? "dx_B/dx_l" : "J_l", l);
                rc = -1;
                break;
            }
            double *sv = res->full ? res->sv + i * d : sv_tmp;
            if (describe(J, d, res->full, sv, rng, st) != 0) {
                snprintf(why, size, "singular values failed (out of memory?)");
                rc = -1;
                break;
            }
        }
    res->seconds_spectra += gf_now() - t1;
    gf_jacobians_release(&jac);
done:
    gsl_rng_free(rng);
    free(x);
    return rc;
}

static void theory_of(const gf_jacobian_spec *sp, gf_jacobian_result *res)
{
    for (int a = 0; a < sp->n_archs; a++) {
        gf_stack_config c = sp->base;
        c.arch = sp->archs[a];
        double *g = res->theory + (size_t)a * (size_t)res->blocks;
        if (gf_theory_block_gains(&c, g, res->theory_why[a], sizeof res->theory_why[a]) != 0)
            for (int l = 0; l < res->blocks; l++)
                g[l] = NAN;
        else
            res->theory_why[a][0] = '\0';
    }
}

int gf_jacobian_run(const gf_jacobian_spec *sp, gf_jacobian_result *res, char *why, size_t size)
{
    memset(res, 0, sizeof *res);
    const double t0 = gf_now();
    res->spec = *sp;
    res->spec.base.in_dim = sp->data->dim;
    res->spec.base.classes = sp->data->classes;
    if ((res->blocks = gf_arch_blocks(&res->spec.base, sp->archs, sp->n_archs, why, size)) < 0)
        return -1;
    res->d = sp->base.width;
    for (int a = 0; a < sp->n_archs; a++)
        res->matrix_free |= !gf_arch_is_mlp(sp->archs[a]);
    if (res->matrix_free) /* the widths of the boundaries come from each net */
        res->width = calloc((size_t)sp->n_archs * ((size_t)res->blocks + 1), sizeof *res->width);
    res->full = res->d <= GF_JACOBIAN_FULL_MAX && !res->matrix_free;
    res->n_stats = (size_t)sp->n_archs * (size_t)sp->seeds * per_seed(res->blocks);
    res->stat = calloc(res->n_stats, sizeof *res->stat);
    res->sv = res->full ? malloc(res->n_stats * res->d * sizeof *res->sv) : NULL;
    res->theory = malloc((size_t)sp->n_archs * (size_t)res->blocks * sizeof *res->theory);
    res->theory_why = calloc((size_t)sp->n_archs, sizeof *res->theory_why);
    double *sv_tmp = malloc(res->d * sizeof *sv_tmp);
    if (!res->stat || (res->full && !res->sv) || (res->matrix_free && !res->width) || !res->theory || !res->theory_why || !sv_tmp) {
        snprintf(why, size, "out of memory");
        free(sv_tmp);
        gf_jacobian_release(res);
        return -1;
    }
    theory_of(&res->spec, res);
    int rc = 0, done = 0;
    const int total = sp->n_archs * sp->seeds;
    for (int a = 0; rc == 0 && a < sp->n_archs; a++) {
        gf_stack_config c = res->spec.base;
        c.arch = sp->archs[a];
        gf_model *m = sp->load ? gf_arch_model_open(sp->load, &c, NULL, why, size)
                               : gf_arch_model_alloc(&c, why, size);
        if (!m)
            rc = -1;
        for (int k = 0; rc == 0 && k < sp->seeds; k++) {
            rc = run_one(&res->spec, res, m, a, k, sv_tmp, why, size);
            if (sp->progress)
                sp->progress(sp->progress_ctx, ++done, total);
        }
        gf_model_free(m);
    }
    free(sv_tmp);
    res->seconds = gf_now() - t0;
    if (rc != 0)
        gf_jacobian_release(res);
    return rc;
}
