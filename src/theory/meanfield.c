/* meanfield.c: the mean-field calculator of Poole et al. (2016) and
 * Schoenholz et al. (2017): q*, chi_1, the correlation map, c*, the depth
 * scales, the critical line and the trainable band (see gf_theory.h). */
#include "theory/gf_theory.h"

#include "theory/act.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdlib.h>

const char *const gf_mf_status_names[] = {"fixed", "zero", "marginal", "unbounded", NULL};

double gf_meanfield_qmap(gf_act act, double sw2, double sb2, double q)
{
    return sw2 * gf_theory_gauss_expect(act, q, 0) + sb2;
}

/* ---- two-dimensional Gaussian expectations (tanh) --------------------------- *
 *
 * (u1, u2) = sqrt(q) (a z1 + b z2, a z1 - b z2), a = sqrt((1 + c) / 2),
 * b = sqrt((1 - c) / 2), z1, z2 independent N(0, 1): then Var u = q and
 * Cov(u1, u2) = q c. For an odd phi every integrand below is symmetric under
 * z2 -> -z2 and under (z1, z2) -> (-z1, -z2), so the quarter plane z1, z2 >= 0
 * times 4 is the whole plane. Nested adaptive Gauss-Kronrod, cut at z = 10
 * (the Gaussian tail beyond is 1e-23): about 1 ms a call. The calculator
 * below uses Mehler's expansion instead; this is its independent check. */

enum { PROD_PHI, PROD_DPHI };
enum { LIMIT = 256 };
static const double ZMAX = 10.0;

typedef struct pair_ctx {
    gf_act act;
    int mode;
    double sq, a, b, z1, epsabs;
    gsl_integration_workspace *inner;
} pair_ctx;

static double phi_z(double z) { return exp(-0.5 * z * z) / sqrt(2.0 * M_PI); }

static double pair_integrand(double z2, void *p)
{
    const pair_ctx *c = p;
    const double u1 = c->sq * (c->a * c->z1 + c->b * z2), u2 = c->sq * (c->a * c->z1 - c->b * z2);
    const double v = c->mode == PROD_PHI ? gf_act_phi(c->act, u1) * gf_act_phi(c->act, u2)
                                         : gf_act_dphi(c->act, u1) * gf_act_dphi(c->act, u2);
    return v * phi_z(z2);
}

static int accepted(int status) { return status == GSL_SUCCESS || status == GSL_EROUND; }

/* The inner integral over z2 at c->z1; NaN when it fails. */
static double inner_integral(double z1, void *p)
{
    pair_ctx *c = p;
    c->z1 = z1;
    gsl_function f = {.function = pair_integrand, .params = c};
    double r, err;
    const int s = gsl_integration_qag(&f, 0.0, ZMAX, c->epsabs, 1e-11, LIMIT, GSL_INTEG_GAUSS21,
                                      c->inner, &r, &err);
    return accepted(s) ? r * phi_z(z1) : NAN;
}

static double pair_expect(gf_act act, int mode, double q, double c)
{
    if (!(q >= 0.0) || !(c >= -1.0 && c <= 1.0))
        return NAN;
    gsl_integration_workspace *wi = gsl_integration_workspace_alloc(LIMIT);
    gsl_integration_workspace *wo = gsl_integration_workspace_alloc(LIMIT);
    double r = NAN, err;
    if (wi && wo) {
        pair_ctx ctx = {.act = act, .mode = mode, .sq = sqrt(q), .a = sqrt(0.5 * (1.0 + c)),
                        .b = sqrt(0.5 * (1.0 - c)), .epsabs = 1e-15, .inner = wi};
        gsl_function f = {.function = inner_integral, .params = &ctx};
        const int s = gsl_integration_qag(&f, 0.0, ZMAX, ctx.epsabs, 1e-10, LIMIT,
                                          GSL_INTEG_GAUSS21, wo, &r, &err);
        r = accepted(s) && isfinite(r) ? 4.0 * r : NAN;
    }
    gsl_integration_workspace_free(wi);
    gsl_integration_workspace_free(wo);
    return r;
}

double gf_theory_gauss_expect2(gf_act act, double q, double c, int which)
{
    if (!(c >= -1.0 && c <= 1.0) || !(q >= 0.0))
        return NAN;
    if (act == GF_ACT_RELU) { /* arc-cosine kernels of degree 1 and 0 (Cho & Saul 2009) */
        const double t = M_PI - acos(c);
        return which ? t / (2.0 * M_PI) : q / (2.0 * M_PI) * (sqrt(1.0 - c * c) + t * c);
    }
    if (act == GF_ACT_LINEAR)
        return which ? 1.0 : q * c;
    return pair_expect(act, which ? PROD_DPHI : PROD_PHI, q, c);
}

/* ---- Mehler's expansion (tanh at q*) ---------------------------------------------- *
 *
 * With h_k the orthonormal Hermite polynomials (E[h_j(z) h_k(z)] = delta_jk) and
 * a_k = E[phi(sqrt(q) z) h_k(z)], Mehler's formula gives
 *     E[phi(u1) phi(u2)] = sum_k a_k^2 c^k,     q E[phi'(u1) phi'(u2)] = sum_k k a_k^2 c^(k-1),
 * so once the a_k are known the correlation map and its slope cost a sum. tanh
 * is odd: only odd k. The a_k come from the trapezoid rule on z >= 0, which
 * converges like exp(-2 pi d / step) for an integrand analytic in the strip
 * |Im z| < d (tanh(sqrt(q) z) has its poles at d = pi / (2 sqrt(q)); h_k grows
 * there like exp(d sqrt(2k)), which the step allows for). K grows until the
 * Parseval tails E[phi^2] - sum a_k^2 and q E[phi'^2] - sum k a_k^2 are below
 * 1e-13 of the whole. */

enum { KMAX = 8192 };

typedef struct mehler {
    int K;
    double q;
    double a2[KMAX + 1]; /* a_k^2 */
} mehler;

static int mehler_coeffs(double q, mehler *m)
{
    const double e2 = gf_theory_gauss_expect(GF_ACT_TANH, q, 0);
    const double e1 = q * gf_theory_gauss_expect(GF_ACT_TANH, q, 1); /* sum k a_k^2 */
    const double d = M_PI / (2.0 * sqrt(q)), zmax = 13.0; /* exp(-13^2 / 4) = 5e-19 */
    if (isnan(e2) || isnan(e1))
        return -1;
    m->q = q;
    for (int K = 64; K <= KMAX; K *= 2) {
        const double step = 2.0 * M_PI * d / (d * sqrt(2.0 * K) + 40.0);
        const int n = (int)ceil(zmax / step);
        for (int k = 0; k <= K; k++)
            m->a2[k] = 0.0;
        /* a_k = step (g(0) + 2 sum_{i>0} g(z_i)); g(0) = 0 for odd phi */
        for (int i = 1; i <= n; i++) {
            const double z = i * step, w = 2.0 * step * tanh(sqrt(q) * z) * phi_z(z);
            double h0 = 1.0, h1 = z; /* h_0, h_1 */
            m->a2[1] += w * h1;
            for (int k = 1; k < K; k++) {
                const double h2 = (z * h1 - sqrt((double)k) * h0) / sqrt((double)k + 1.0);
                h0 = h1;
                h1 = h2;
                if ((k + 1) % 2)
                    m->a2[k + 1] += w * h1;
            }
        }
        double s2 = 0.0, s1 = 0.0;
        for (int k = 0; k <= K; k++) {
            m->a2[k] *= m->a2[k];
            s2 += m->a2[k];
            s1 += k * m->a2[k];
        }
        m->K = K;
        if (fabs(e2 - s2) <= 1e-13 * e2 + 1e-300 && fabs(e1 - s1) <= 1e-12 * e1 + 1e-300)
            return 0;
    }
    return -1;
}

/* sum_k a_k^2 (1 - c^k) with c = 1 - eps, accurate for tiny eps */
static double mehler_gap(const mehler *m, double eps)
{
    const double l = log1p(-eps);
    double s = 0.0;
    for (int k = 1; k <= m->K; k += 2)
        s += m->a2[k] * -expm1(k * l);
    return s;
}

/* sum_k k a_k^2 c^(k-1) = q E[phi'(u1) phi'(u2)] */
static double mehler_slope(const mehler *m, double c)
{
    double s = 0.0, ck = 1.0; /* c^(k-1) for k = 1 */
    for (int k = 1; k <= m->K; k += 2) {
        s += k * m->a2[k] * ck;
        ck *= c * c;
    }
    return s;
}

/* ---- root finding -------------------------------------------------------------- */

/* A root of f in [lo, hi], where f(lo) and f(hi) differ in sign, by Brent's
 * method. 0, or -1. */
static int brent(double (*fn)(double, void *), void *params, double lo, double hi, double epsabs,
                 double epsrel, double *root)
{
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s)
        return -1;
    gsl_function f = {.function = fn, .params = params};
    int status = gsl_root_fsolver_set(s, &f, lo, hi);
    for (int it = 0; status == GSL_SUCCESS && it < 200; it++) {
        status = gsl_root_fsolver_iterate(s);
        if (status != GSL_SUCCESS)
            break;
        const double a = gsl_root_fsolver_x_lower(s), b = gsl_root_fsolver_x_upper(s);
        if (gsl_root_test_interval(a, b, epsabs, epsrel) == GSL_SUCCESS) {
            *root = gsl_root_fsolver_root(s);
            gsl_root_fsolver_free(s);
            return 0;
        }
    }
    gsl_root_fsolver_free(s);
    return -1;
}

typedef struct mf_ctx {
    gf_act act;
    double sw2, sb2, q, target;
} mf_ctx;

static double q_residual(double q, void *p)
{
    const mf_ctx *c = p;
    return gf_meanfield_qmap(c->act, c->sw2, c->sb2, q) - q;
}

typedef struct c_ctx {
    double sw2, q;
    const mehler *m;
} c_ctx;

/* c = cmap(c) written for eps = 1 - c: 1 - cmap(c) = sw2 (E[phi^2] - E[phi(u1) phi(u2)]) / q*
 * (q* being the fixed point), accurate however close c* is to 1. */
static double c_residual(double eps, void *p)
{
    const c_ctx *c = p;
    return c->sw2 * mehler_gap(c->m, eps) / c->q - eps;
}

static double xi_of(double chi)
{
    return chi == 1.0 ? INFINITY : isnan(chi) ? NAN : -1.0 / log(chi);
}

/* q* of tanh; 0 when the map contracts to 0 (sb2 = 0, sw2 <= 1). */
static int tanh_q_star(double sw2, double sb2, double *q)
{
    mf_ctx ctx = {GF_ACT_TANH, sw2, sb2, 0, 0};
    double lo = 0.0;
    if (sb2 == 0.0) {
        if (sw2 <= 1.0) {
            *q = 0.0;
            return 0;
        }
        /* E[tanh^2] >= q - 2 q^2, so V(q) > q below (sw2 - 1) / (2 sw2) */
        lo = 0.5 * (sw2 - 1.0) / (2.0 * sw2);
        while (q_residual(lo, &ctx) <= 0.0 && lo > 1e-300)
            lo *= 0.5;
    }
    const double hi = sw2 + sb2; /* V(q) < sw2 + sb2 since tanh^2 < 1 */
    return brent(q_residual, &ctx, lo, hi, 1e-15, 1e-14, q);
}

/* c* of tanh in the chaotic phase (chi_1 > 1) and the c map's slope there; q is q*. */
static int tanh_c_star(double sw2, double sb2, double q, double chi_1, double *c_star,
                       double *chi_c)
{
    mehler *m = malloc(sizeof *m);
    if (!m || mehler_coeffs(q, m) != 0) {
        free(m);
        return -1;
    }
    int rc = 0;
    c_ctx ctx = {sw2, q, m};
    if (sb2 == 0.0) { /* the c map is odd: c* = 0 */
        *c_star = 0.0;
    } else {
        /* near eps = 0 the residual is (chi_1 - 1) eps > 0; at eps = 1 it is -sb2 / q* < 0 */
        double lo = fmin(1e-2, 0.1 * (chi_1 - 1.0)), r = c_residual(lo, &ctx), eps;
        while (r <= 0.0 && lo > 1e-13) {
            lo *= 0.1;
            r = c_residual(lo, &ctx);
        }
        if (r <= 0.0) /* c* within 1e-13 of 1: indistinguishable from criticality */
            *c_star = 1.0;
        else if ((rc = brent(c_residual, &ctx, lo, 1.0, 1e-15, 1e-12, &eps)) == 0)
            *c_star = 1.0 - eps;
    }
    if (rc == 0)
        *chi_c = *c_star == 1.0 ? chi_1 : sw2 * mehler_slope(m, *c_star) / q;
    free(m);
    return rc;
}

int gf_meanfield_point(gf_act act, double sw2, double sb2, gf_meanfield *mf)
{
    *mf = (gf_meanfield){.act = act, .sw2 = sw2, .sb2 = sb2, .q_star = NAN, .chi_1 = NAN,
                         .q_slope = NAN, .c_star = NAN, .chi_c = NAN, .xi_q = NAN,
                         .xi_c = NAN, .xi_grad = NAN};
    if (!(sw2 > 0.0) || !(sb2 >= 0.0) || !isfinite(sw2) || !isfinite(sb2) || act < 0 ||
        act >= GF_ACT_COUNT)
        return -1;
    if (act != GF_ACT_TANH) {
        /* relu and linear: V(q) = k sw2 q + sb2, chi_1 = k sw2, k = 1/2 or 1, whatever q */
        const double k = act == GF_ACT_RELU ? 0.5 : 1.0, chi = k * sw2;
        mf->chi_1 = chi;
        mf->xi_grad = xi_of(chi);
        if (chi < 1.0) {
            mf->status = sb2 > 0.0 ? GF_MF_FIXED : GF_MF_ZERO;
            mf->q_star = sb2 / (1.0 - chi);
        } else if (chi == 1.0 && sb2 == 0.0) {
            mf->status = GF_MF_MARGINAL;
        } else {
            mf->status = GF_MF_UNBOUNDED;
            return 0;
        }
        /* the c map's slope at c* = 1 is sw2 E[phi'(u1) phi'(u2)] at c = 1: chi_1 */
        mf->q_slope = mf->chi_c = chi;
        mf->c_star = 1.0;
        mf->xi_q = mf->xi_c = xi_of(chi);
        return 0;
    }
    double q;
    if (tanh_q_star(sw2, sb2, &q) != 0)
        return -1;
    mf->q_star = q;
    mf->status = q > 0.0 ? GF_MF_FIXED : GF_MF_ZERO;
    mf->chi_1 = sw2 * gf_theory_gauss_expect(act, q, 1);
    mf->q_slope = mf->chi_1 + sw2 * gf_theory_gauss_expect(act, q, 2);
    if (isnan(mf->chi_1) || isnan(mf->q_slope))
        return -1;
    mf->xi_grad = xi_of(mf->chi_1);
    mf->xi_q = xi_of(mf->q_slope);
    if (mf->chi_1 <= 1.0) {
        mf->c_star = 1.0;
        mf->chi_c = mf->chi_1;
    } else {
        if (tanh_c_star(sw2, sb2, q, mf->chi_1, &mf->c_star, &mf->chi_c) != 0)
            return -1;
    }
    mf->xi_c = xi_of(mf->chi_c);
    return 0;
}

/* ---- the critical line and the trainable band ----------------------------------- */

static double chi1_residual(double sw2, void *p)
{
    const mf_ctx *c = p;
    gf_meanfield mf;
    return gf_meanfield_point(c->act, sw2, c->sb2, &mf) == 0 ? mf.chi_1 - 1.0 : NAN;
}

int gf_meanfield_critical_sw2(gf_act act, double sb2, double *sw2)
{
    if (!(sb2 >= 0.0) || !isfinite(sb2))
        return -1;
    if (act != GF_ACT_TANH) {
        *sw2 = act == GF_ACT_RELU ? 2.0 : 1.0;
        return 0;
    }
    if (sb2 == 0.0) { /* q* = 0 up to sw2 = 1, where chi_1 = sw2 tanh'(0)^2 = sw2 */
        *sw2 = 1.0;
        return 0;
    }
    /* chi_1(1) = E[tanh'(h)^2] < 1; widen until chi_1 > 1 */
    mf_ctx ctx = {act, 0, sb2, 0, 0};
    double hi = 2.0, r;
    while ((r = chi1_residual(hi, &ctx)) <= 0.0 && hi < 1e4)
        hi *= 2.0;
    if (!(r > 0.0))
        return -1;
    return brent(chi1_residual, &ctx, 1.0, hi, 1e-13, 1e-12, sw2);
}

/* chi_c(sw2) minus the band's threshold exp(-6 / depth); no fixed point
 * counts as outside the band. */
static double band_residual(double sw2, void *p)
{
    const mf_ctx *c = p;
    gf_meanfield mf;
    if (gf_meanfield_point(c->act, sw2, c->sb2, &mf) != 0)
        return NAN;
    return isnan(mf.chi_c) ? -1.0 : mf.chi_c - c->target;
}

/* The end of the band between a (outside, residual < 0) and b (inside). */
static int band_end(mf_ctx *ctx, double a, double b, double *end)
{
    return brent(band_residual, ctx, fmin(a, b), fmax(a, b), 1e-10, 1e-10, end);
}

int gf_meanfield_band(gf_act act, double sb2, double depth, double lo, double hi, double *left,
                      double *right, int *clipped_left, int *clipped_right)
{
    *left = *right = NAN;
    *clipped_left = *clipped_right = 0;
    double crit;
    if (!(depth > 0.0) || !(lo > 0.0) || !(hi > lo) || gf_meanfield_critical_sw2(act, sb2, &crit))
        return -1;
    /* 6 xi_c >= depth  <=>  chi_c >= exp(-6 / depth) */
    mf_ctx ctx = {act, 0, sb2, 0, exp(-6.0 / depth)};
    if (act != GF_ACT_TANH) {
        /* chi_c = chi_1 = sw2 / crit below the critical line; beyond it q has no
         * fixed point and there is no xi_c: the band starts at crit e^(-6/depth)
         * and has no right edge (none is computed) */
        const double a = crit * ctx.target, b = crit;
        if (b < lo || a > hi)
            return 0;
        *left = fmax(a, lo);
        *right = b > hi ? hi : NAN;
        *clipped_left = a < lo;
        *clipped_right = b > hi;
        return 0;
    }
    const double r_lo = band_residual(lo, &ctx), r_hi = band_residual(hi, &ctx);
    if (isnan(r_lo) || isnan(r_hi))
        return -1;
    /* the band is an interval around crit, where chi_c = 1 */
    const double c = fmin(fmax(crit, lo), hi), r_c = crit == c ? 1.0 : band_residual(c, &ctx);
    if (isnan(r_c))
        return -1;
    if (r_c < 0.0)
        return 0; /* the critical line is outside [lo, hi] and so is the band */
    if (r_lo >= 0.0) {
        *left = lo;
        *clipped_left = 1;
    } else if (band_end(&ctx, lo, c, left) != 0) {
        return -1;
    }
    if (r_hi >= 0.0) {
        *right = hi;
        *clipped_right = 1;
    } else if (band_end(&ctx, hi, c, right) != 0) {
        return -1;
    }
    return 0;
}
