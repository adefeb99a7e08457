/* svals.c: all singular values of a matrix, without singular vectors.
 *
 * gsl_linalg_SV_decomp spends most of its time rotating U and V, which a
 * spectrum does not need (0.4 to 1.2 s for one 256 x 256 Jacobian). Here:
 *
 *   1. GSL's Householder bidiagonalization A = U B V^T (gsl_linalg_bidiag_decomp;
 *      U and V are left as reflectors, never formed). Backward stable: the
 *      singular values of B are those of A up to ~eps * sigma_max, the same
 *      accuracy as any SVD.
 *   2. The singular values of the upper bidiagonal B (diagonal d, superdiagonal
 *      e) by bisection on its Golub-Kahan form: the 2n x 2n symmetric
 *      tridiagonal with zero diagonal and off-diagonal (d1, e1, d2, ..., dn)
 *      has eigenvalues +-sigma_i, and the number of its eigenvalues below x
 *      is the number of negative pivots of its LDL^T factorization shifted by
 *      x (Sturm count). No squaring (B^T B would lose every sigma below
 *      sqrt(eps) sigma_max), and bisection this way has high relative accuracy
 *      (Demmel and Kahan 1990). All values are bisected in lockstep, so the
 *      inner loop runs across independent counts and vectorizes.
 */
#include "jacobian/gf_jacobian.h"

#include <float.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Below this fraction of the largest entry of B a singular value is reported
 * as 0: the bidiagonalization already blurred it by eps * sigma_max. */
#define TINY (DBL_EPSILON * DBL_EPSILON)

/* The k-th largest singular value (k = 0..n-1) of the bidiagonal whose
 * squared Golub-Kahan off-diagonal is b2 (2n - 1 entries, largest <= 1), in
 * lockstep; sv receives them, largest first. 0 or -1. */
static int bisect(const double *b2, size_t n, double *sv)
{
    const size_t m = 2 * n;
    double *lo = calloc(n, sizeof *lo), *hi = malloc(n * sizeof *hi);
    double *mid = malloc(n * sizeof *mid), *q = malloc(n * sizeof *q);
    double *cnt = malloc(n * sizeof *cnt);
    size_t *act = malloc(n * sizeof *act);
    int rc = lo && hi && mid && q && cnt && act ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < n; k++)
        hi[k] = 2.0; /* Gershgorin: |sigma| <= |d_i| + |e_i| <= 2 */
    for (;;) {
        size_t na = 0;
        for (size_t k = 0; rc == 0 && k < n; k++)
            if (hi[k] > TINY && nextafter(lo[k], hi[k]) < hi[k]) /* a double in between */
                act[na++] = k;
        if (na == 0)
            break;
        for (size_t a = 0; a < na; a++) { /* far from 0: geometric steps, then halving */
            const size_t k = act[a];
            mid[a] = lo[k] == 0.0      ? hi[k] * (1.0 / 256.0)
                     : hi[k] > 2.0 * lo[k] ? sqrt(lo[k] * hi[k])
                                         : 0.5 * (lo[k] + hi[k]);
            q[a] = -mid[a];
            cnt[a] = 1.0; /* the first pivot, -x, is negative */
        }
        for (size_t i = 1; i < m; i++) {
            const double bb = b2[i - 1];
            for (size_t a = 0; a < na; a++) {
                double p = q[a];
                p = fabs(p) < DBL_MIN ? -DBL_MIN : p; /* a zero pivot, perturbed */
                p = -mid[a] - bb / p;
                q[a] = p;
                cnt[a] += p < 0.0;
            }
        }
        /* eigenvalues below x: the n of -sigma, plus #{sigma < x}; sigma_k stays in
         * [lo, hi) */
        for (size_t a = 0; a < na; a++) {
            const size_t k = act[a];
            if (mid[a] <= lo[k] || mid[a] >= hi[k]) /* no midpoint: done */
                hi[k] = nextafter(lo[k], INFINITY);
            else if (cnt[a] - (double)n <= (double)(n - 1 - k))
                lo[k] = mid[a];
            else
                hi[k] = mid[a];
        }
    }
    for (size_t k = 0; rc == 0 && k < n; k++)
        sv[k] = lo[k]; /* within one ulp; exact when sigma is a double */
    free(lo);
    free(hi);
    free(mid);
    free(q);
    free(cnt);
    free(act);
    return rc;
}

int gf_singular_values_fast(const double *a, size_t m, size_t n, double *sv)
{
    const size_t r = m >= n ? m : n, c = m >= n ? n : m; /* GSL wants rows >= columns */
    if (c == 0)
        return 0;
    for (size_t i = 0; i < m * n; i++)
        if (!isfinite(a[i]))
            return -1;
    gsl_matrix *A = gsl_matrix_alloc(r, c);
    gsl_vector *tu = gsl_vector_alloc(c), *tv = c > 1 ? gsl_vector_alloc(c - 1) : NULL;
    double *b2 = malloc(2 * c * sizeof *b2);
    int rc = A && tu && (tv || c == 1) && b2 ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < m; i++)
        for (size_t j = 0; j < n; j++)
            gsl_matrix_set(A, m >= n ? i : j, m >= n ? j : i, a[i * n + j]);
    if (rc == 0 && c > 1 && gsl_linalg_bidiag_decomp(A, tu, tv) != GSL_SUCCESS)
        rc = -1;
    if (rc == 0 && c == 1) { /* one column: its norm */
        double s = 0.0;
        for (size_t i = 0; i < r; i++)
            s = hypot(s, gsl_matrix_get(A, i, 0));
        sv[0] = s;
        goto done;
    }
    double bmax = 0.0;
    for (size_t i = 0; rc == 0 && i < c; i++) {
        bmax = fmax(bmax, fabs(gsl_matrix_get(A, i, i)));
        if (i + 1 < c)
            bmax = fmax(bmax, fabs(gsl_matrix_get(A, i, i + 1)));
    }
    if (rc == 0 && bmax == 0.0) {
        memset(sv, 0, c * sizeof *sv);
        goto done;
    }
    int e;
    frexp(bmax, &e); /* scale by 2^-e (exact): the largest entry in [0.5, 1) */
    for (size_t i = 0; rc == 0 && i < c; i++) {
        const double d = ldexp(gsl_matrix_get(A, i, i), -e);
        b2[2 * i] = d * d;
        if (i + 1 < c) {
            const double f = ldexp(gsl_matrix_get(A, i, i + 1), -e);
            b2[2 * i + 1] = f * f;
        }
    }
    if (rc == 0 && bisect(b2, c, sv) != 0)
        rc = -1;
    for (size_t k = 0; rc == 0 && k < c; k++)
        sv[k] = ldexp(sv[k], e);
done:
    gsl_matrix_free(A);
    gsl_vector_free(tu);
    gsl_vector_free(tv);
    free(b2);
    return rc;
}
