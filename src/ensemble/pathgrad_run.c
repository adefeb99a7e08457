/* pathgrad_run.c: the gradient by path length of one network state, exact
 * and sampled, and what it says (where the gradient lies). */
#include "ensemble/gf_ensemble.h"

#include "blas/gf_cblas.h"
#include "ensemble/gf_ensemble.h"
#include "io/gf_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- measuring ------------------------------------------------------------- */

int gf_pathgrad_default_lengths(int blocks, int *ks)
{
    int n = 0;
    for (int j = 1; j <= 3 + 7; j++) { /* 1, 2, 3, then round(B i / 8) for i = 1..7 */
        const int k = j <= 3 ? j : (int)lround(blocks * (j - 3) / 8.0);
        if (k >= 1 && k <= blocks - 1 && (n == 0 || k > ks[n - 1]))
            ks[n++] = k;
    }
    if (blocks >= 2 && (n == 0 || ks[n - 1] < blocks - 1))
        ks[n++] = blocks - 1;
    return n;
}

static double *nan_array(size_t n)
{
    double *a = malloc(n * sizeof *a);
    for (size_t i = 0; a && i < n; i++)
        a[i] = NAN;
    return a;
}

void gf_pathgrad_curve_release(gf_pathgrad_curve *c)
{
    double *arrays[] = {c->log10_norm, c->share, c->log10_est, c->log10_est_se, c->err_ratio,
                        c->log10_path, c->log10_path_se};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++)
        free(arrays[i]);
    free(c->sampled);
    memset(c, 0, sizeof *c);
}

/* The sampled lengths: estimate, error against the exact g_k, path norms. */
static int sample_lengths(gf_model *m, const double *x, const int *labels, size_t n,
                          const int *ks, int n_ks, gsl_rng *rng, const gf_pathgrad *pg,
                          void (*progress)(void *, int, int), void *ctx, gf_pathgrad_curve *c,
                          char *why, size_t size)
{
    const size_t nd = pg->n * pg->d;
    double *mean = malloc(nd * sizeof *mean);
    if (!mean) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    for (int i = 0; i < n_ks; i++) {
        const int k = ks[i];
        gf_path_sample ps;
        if (gf_pathgrad_sample(m, x, labels, n, k, c->samples, rng, &ps, mean, why, size) != 0) {
            free(mean);
            return -1;
        }
        /* mean -> C mean - g_k: the estimate's error, whose expected norm is the se */
        const double count = pow(10.0, gf_log10_binomial(pg->blocks, k));
        cblas_dscal((int)nd, count, mean, 1);
        cblas_daxpy((int)nd, -1.0, pg->g + (size_t)k * nd, 1, mean, 1);
        c->sampled[k] = 1;
        c->log10_est[k] = log10(ps.norm_estimate);
        c->log10_est_se[k] = log10(ps.norm_stderr);
        c->err_ratio[k] = ps.norm_stderr > 0 ? cblas_dnrm2((int)nd, mean, 1) / ps.norm_stderr
                                             : NAN;
        c->log10_path[k] = log10(ps.mean_path_norm);
        c->log10_path_se[k] = log10(ps.mean_path_norm_se);
        if (progress)
            progress(ctx, i + 1, n_ks);
    }
    free(mean);
    return 0;
}

int gf_pathgrad_measure(gf_model *m, const double *x, const int *labels, size_t n, const int *ks,
                        int n_ks, int samples, gsl_rng *rng, const char *state,
                        void (*progress)(void *ctx, int done, int total), void *ctx,
                        gf_pathgrad_curve *out, char *why, size_t size)
{
    memset(out, 0, sizeof *out);
    const int B = gf_model_blocks(m);
    const size_t K = (size_t)B + 1;
    snprintf(out->state, sizeof out->state, "%s", state);
    out->blocks = B;
    out->n = n;
    out->samples = n_ks > 0 ? samples : 0;
    out->log10_norm = nan_array(K);
    out->share = nan_array(K);
    out->log10_est = nan_array(K);
    out->log10_est_se = nan_array(K);
    out->err_ratio = nan_array(K);
    out->log10_path = nan_array(K);
    out->log10_path_se = nan_array(K);
    out->sampled = calloc(K, 1);
    if (!out->log10_norm || !out->share || !out->log10_est || !out->log10_est_se ||
        !out->err_ratio || !out->log10_path || !out->log10_path_se || !out->sampled) {
        gf_pathgrad_curve_release(out);
        snprintf(why, size, "out of memory");
        return -1;
    }
    double t0 = gf_now();
    gf_pathgrad pg;
    if (gf_pathgrad_exact(m, x, labels, n, &pg, why, size) != 0) {
        gf_pathgrad_curve_release(out);
        return -1;
    }
    const int nd = (int)(pg.n * pg.d);
    const double full = cblas_dnrm2(nd, pg.full, 1);
    double *sum = calloc((size_t)nd, sizeof *sum);
    for (size_t k = 0; k < K; k++) {
        const double *g = pg.g + k * (size_t)nd;
        out->log10_norm[k] = log10(cblas_dnrm2(nd, g, 1));
        out->share[k] = cblas_ddot(nd, g, 1, pg.full, 1) / (full * full);
        if (sum)
            cblas_daxpy(nd, 1.0, g, 1, sum, 1);
    }
    if (sum) { /* sum_k g_k - dL/dx_0 */
        cblas_daxpy(nd, -1.0, pg.full, 1, sum, 1);
        out->sum_rel_err = cblas_dnrm2(nd, sum, 1) / full;
    }
    free(sum);
    out->loss = pg.loss;
    out->log10_grad = log10(full);
    out->seconds_exact = gf_now() - t0;
    t0 = gf_now();
    int rc = sum ? 0 : -1;
    if (!sum)
        snprintf(why, size, "out of memory");
    if (rc == 0 && n_ks > 0)
        rc = sample_lengths(m, x, labels, n, ks, n_ks, rng, &pg, progress, ctx, out, why, size);
    out->seconds_sampled = gf_now() - t0;
    gf_pathgrad_release(&pg);
    if (rc != 0)
        gf_pathgrad_curve_release(out);
    return rc;
}

/* ---- reading --------------------------------------------------------------- */

double gf_pathgrad_z(const gf_pathgrad_curve *c, int k)
{
    const double est = c->log10_est[k], ex = c->log10_norm[k], se = c->log10_est_se[k];
    if (!c->sampled[k])
        return NAN;
    if (est == ex || (isinf(se) && fabs(est - ex) < 1e-12)) /* equal, or one path to rounding */
        return 0.0;
    return pow(10.0, est - se) - pow(10.0, ex - se); /* est / se - exact / se */
}

/* Least-squares slope of y over k where y is finite (NaN: fewer than 2). */
static double slope(const double *y, int K, const unsigned char *only)
{
    double sk = 0, sy = 0, skk = 0, sky = 0;
    int m = 0;
    for (int k = 0; k < K; k++)
        if (isfinite(y[k]) && (!only || only[k])) {
            sk += k;
            sy += y[k];
            skk += (double)k * k;
            sky += k * y[k];
            m++;
        }
    const double den = m * skk - sk * sk;
    return m >= 2 && den > 0 ? (m * sky - sk * sy) / den : NAN;
}

void gf_pathgrad_read(const gf_pathgrad_curve *c, gf_pathgrad_reading *r)
{
    const int B = c->blocks, K = B + 1;
    memset(r, 0, sizeof *r);
    double top = -INFINITY, total = 0.0;
    for (int k = 0; k < K; k++)
        if (c->log10_norm[k] > top) {
            top = c->log10_norm[k];
            r->k_peak = k;
        }
    for (int k = 0; k < K; k++) /* mass relative to the peak, so no norm overflows */
        total += pow(10.0, c->log10_norm[k] - top);
    double run = 0.0;
    r->k_lo = r->k_hi = -1;
    for (int k = 0; k < K; k++) {
        const double m = pow(10.0, c->log10_norm[k] - top) / total;
        run += m;
        if (r->k_lo < 0 && run >= 0.05)
            r->k_lo = k;
        if (r->k_hi < 0 && run >= 0.95)
            r->k_hi = k;
        if (2 * k < B) {
            r->short_mass += m;
            r->short_proj += c->share[k];
        }
    }
    double *per_path = malloc((size_t)K * sizeof *per_path);
    for (int k = 0; per_path && k < K; k++)
        per_path[k] = c->log10_norm[k] - gf_log10_binomial(B, k);
    r->slope_exact = per_path ? slope(per_path, K, NULL) : NAN;
    free(per_path);
    unsigned char *many = calloc((size_t)K, 1); /* sampled lengths with more than one path */
    r->overstate_min = r->need_min = r->ratio_min = INFINITY;
    r->overstate_max = r->need_max = r->ratio_max = -INFINITY;
    for (int k = 1; many && k < B; k++) {
        if (!c->sampled[k])
            continue;
        many[k] = 1;
        r->compared++;
        const double est = pow(10.0, c->log10_est[k] - top), ex = pow(10.0, c->log10_norm[k] - top);
        const double se = pow(10.0, c->log10_est_se[k] - top);
        r->within2 += c->err_ratio[k] <= 2.0;
        r->within3 += c->err_ratio[k] <= 3.0;
        const int told = r->compared - 1 - r->zero_pass; /* lengths listed in k_told so far */
        if (!(est > 2.0 * se))
            r->zero_pass++; /* the test against the wrong answer 0 passes as well */
        else if (told < GF_PATHGRAD_MAX_LENGTHS)
            r->k_told[told] = k;
        r->resolved += se < 0.5 * ex;
        if (isfinite(c->err_ratio[k])) {
            r->ratio_min = fmin(r->ratio_min, c->err_ratio[k]);
            r->ratio_max = fmax(r->ratio_max, c->err_ratio[k]);
        }
        /* samples S' with se sqrt(S / S') = ||g_k|| / 2 */
        const double need = log10((double)c->samples) +
                            2.0 * (c->log10_est_se[k] - c->log10_norm[k] + log10(2.0));
        if (!(se < 0.5 * ex) && isfinite(need)) {
            r->need_min = fmin(r->need_min, need);
            r->need_max = fmax(r->need_max, need);
        }
        const double over = gf_log10_binomial(B, k) + c->log10_path[k] - c->log10_norm[k];
        if (isfinite(over)) {
            r->overstate_min = fmin(r->overstate_min, over);
            if (over > r->overstate_max) {
                r->overstate_max = over;
                r->overstate_k = k;
            }
        }
    }
    r->slope_paths = many ? slope(c->log10_path, K, many) : NAN;
    free(many);
}

void gf_paths_central(int blocks, double mass, int *k_lo, int *k_hi)
{
    const double tail = (1.0 - mass) / 2.0; /* cut at most this much from each end */
    const double log10_all = blocks * log10(2.0);
    double run = 0.0;
    *k_lo = 0;
    for (int k = 0; k <= blocks; k++) {
        run += pow(10.0, gf_log10_binomial(blocks, k) - log10_all);
        if (run > tail) {
            *k_lo = k;
            break;
        }
    }
    *k_hi = blocks - *k_lo; /* the binomial(B, 1/2) is symmetric */
}
